"""Resolve free text typed in a chat box to ranked candidate songs.

People type song names the way they remember them: in any case, without accents or
punctuation, with typos, half a title, "title by artist", "artist - title", or the
version tags of the file ("- Remastered 2011"). Discord also calls us on every keystroke
for slash-command autocomplete, on catalogs of up to a million songs, so everything a
query touches is an index built once in :class:`SongResolver`:

* exact and normalised hits are a bisect in the sorted list of unique title keys
  (:func:`engine.text.title_key`); a tagged title typed in full ("java live" for
  "Java (Live)") is checked against the few groups whose key starts the query;
* typos and partial titles are scored with rapidfuzz, but only on a candidate set
  taken from a trigram index of the unique keys: scoring a million keys with
  ``fuzz.WRatio`` takes seconds, the trigram vote takes milliseconds;
* autocomplete prefixes are a bisect range in the same sorted list, ranked by the
  popularity of each key, with the fuzzy path only filling what prefixes leave.

Ambiguity is explicit rather than guessed: when several songs fit about equally well
the :class:`Resolution` says so and lists them, so the bot can ask with a select menu.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from .gram_index import GramIndex, score_strings
from .song_table import SongTable, text_column, truncate_utf16, utf16_len
from .stable_order import top
from .storage.columns import IdIndex
from .storage.serving import part_of, prefixed
from .text import MAX_QUERY_CHARS, artist_key, clean_display, fold, strip_guest_tags, title_key

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

#: Discord select menus and autocomplete lists hold at most 25 entries.
MAX_CANDIDATES = 25
#: Discord limits an autocomplete choice's name and value to 100 characters.
LABEL_MAX_CHARS = 100
VALUE_MAX_CHARS = 100
#: A fuzzy candidate scoring below this is not accepted as the song the user meant.
FUZZY_CUTOFF = 80.0
#: "Did you mean" goes lower: showing a near miss costs nothing, the user picks.
SUGGEST_CUTOFF = 55.0
#: How many "did you mean" titles a no-match carries.
MAX_SUGGESTIONS = 5
#: An artist match must be at least this strong before it narrows the search.
ARTIST_CUTOFF = 85.0
#: Candidates within this many points of the best (and none exact) make a query ambiguous.
AMBIGUITY_MARGIN = 3.0
#: A second candidate this many times further from the query than the best does not make it ambiguous.
CLEAR_LEAD = 2.0
#: Autocomplete's fuzzy fallback accepts weaker matches: it is a list to pick from.
COMPLETE_CUTOFF = 60.0
#: Best-scoring title keys expanded into songs per fuzzy search.
MAX_FUZZY_KEYS = 100
#: Keys taken from a prefix range (most popular first) for scoring.
PREFIX_CANDIDATES = 100
#: Longest artist name, in words, looked for at either end of a plain query.
MAX_ARTIST_SPAN_WORDS = 6
#: Separators (" by ", " - ") tried per query: hostile input can hold a hundred.
MAX_SEPARATORS = 3
#: Above this many distinct titles an artist's songs are scored via the trigram vote.
ARTIST_BRUTE_FORCE_KEYS = 3000
#: Songs sharing a title with nothing else typed: the most popular is taken when its
#: popularity (0-100) leads every other's by at least this many points; else the bot asks.
POPULARITY_LEAD = 5.0
#: An estimated popularity (engine.catalog.popularity: from chart streams, or from a
#: Billboard hit flag and decade) may be off: it counts this much higher when it is a rival
#: and this much lower when it leads, about half the estimate's held-out mean error (9.7 and
#: 14.2 points). An unknown popularity can never be out-led: such ties always ask.
ESTIMATE_SLACK = {"streams": 5.0, "hit": 7.0}

#: A fuzzy answer at least this strong is taken without trying the dearer readings.
STRONG_SCORE = 90.0
#: Artist names read from a plain query's first/last words with a typo need this score.
FUZZY_ARTIST_CUTOFF = 80.0
#: Artist names scored against a plain query's first/last words (from one trigram vote).
SPAN_ALIAS_CANDIDATES = 100
#: Score of whole words of a longer artist name ("kleiton" for "Kleiton & Kledir").
PART_OF_ARTIST_SCORE = 90.0
#: Longer artist names a typed exact name also stands for ("pharrell" → "pharrell
#: williams"): enough for an artist's duets, few enough to stay cheap.
MAX_LONGER_NAMES = 20
#: Shorter typed artist names are only matched exactly ("ab" is one typo from too much).
MIN_FUZZY_ARTIST_CHARS = 3

STATUS_EXACT = "exact"
STATUS_FUZZY = "fuzzy"
STATUS_AMBIGUOUS = "ambiguous"
STATUS_NO_MATCH = "no_match"
STATUS_EMPTY = "empty"

#: " by " between title and artist.
_BY = re.compile(r"\s+by\s+", re.IGNORECASE)
#: " - " (or en/em dash) between title and artist, in either order.
_DASH = re.compile(r"\s+[-–—]\s+")
#: ", " between title and artist, in either order ("shape of you, ed sheeran").
_COMMA = re.compile(r"\s*,\s+")
#: " feat " / " ft. " / " featuring " before a guest artist the user names.
_FEAT = re.compile(r"\s+(?:feat\.?|ft\.?|featuring)\s+", re.IGNORECASE)
#: Version words a user adds to a title ("remix", "2011 remastered", "radio edit").
_VERSION_QUERY = re.compile(
    r"(?<!\w)(?:\d{4}\s+)?(?:remaster(?:ed)?|remix(?:ed)?|radio\s+edit|edit|live|version|acoustic|"
    r"extended(?:\s+mix)?|original\s+mix|mix|mono|stereo|deluxe|explicit|clean)(?:\s+\d{4})?(?!\w)",
    re.IGNORECASE,
)
#: Words that start or mark a version tag (see engine.text): a query whose tail holds
#: one may be a full tagged title ("java live" for "Java (Live)").
_TAG_WORDS = frozenset(
    "feat ft featuring with live remaster remastered mono stereo version remix mix edit "
    "radio single demo acoustic instrumental bonus deluxe original take from recorded".split()
)
#: Largest title group folded row by row when refining an exact hit.
MAX_TAGGED_GROUP = 1000
#: What fold() turns into a space, for ASCII text (fold keeps only letters and digits).
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Candidate:
    """One song that may be what the user meant."""

    index: int  # row position in the song table
    id: str
    name: str
    artist: str
    year: int | None
    score: float  # 0..100


@dataclass(frozen=True)
class Resolution:
    """What a query resolved to; the bot decides from ``status`` what to do next.

    ``exact`` and ``fuzzy`` carry a usable :attr:`best`; ``ambiguous`` lists the close
    candidates to ask about (a select menu); ``no_match`` may carry did-you-mean
    ``suggestions``; ``empty`` means nothing was typed but whitespace and invisible
    characters (emoji or punctuation alone give ``no_match``).
    """

    query: str  # cleaned query as used
    status: str  # "exact" | "fuzzy" | "ambiguous" | "no_match" | "empty"
    candidates: tuple[Candidate, ...] = ()  # best first, at most 25
    suggestions: tuple[Candidate, ...] = ()  # for no_match: did-you-mean

    @property
    def best(self) -> Candidate | None:
        """The song to use, or None when the query is ambiguous or unmatched."""
        if self.status in (STATUS_EXACT, STATUS_FUZZY) and self.candidates:
            return self.candidates[0]
        return None

    @property
    def ambiguous(self) -> bool:
        """True when the bot should ask which of :attr:`candidates` was meant."""
        return self.status == STATUS_AMBIGUOUS

    @property
    def found(self) -> bool:
        """True when there is a :attr:`best` song to act on without asking."""
        return self.best is not None


@dataclass(frozen=True)
class Suggestion:
    """An autocomplete choice: what Discord shows, and the song id it sends back."""

    label: str
    value: str


def _fast_fold(text: str) -> str:
    """:func:`fold` with a shortcut for printable ASCII, where it is lower() and spacing.

    For such text NFC/NFKD, control removal and accent stripping are all no-ops, and
    casefold() equals lower(); the shortcut is ~10x faster, which matters when an
    exact hit is refined over a large title group. Anything else goes through fold().
    """
    if text.isascii() and text.isprintable():
        return " ".join(_NON_WORD.sub(" ", text.lower()).split())
    return fold(text)


def _literal(text: str) -> str:
    """Case- and space-insensitive form that keeps punctuation ("Love !" vs "Love ?")."""
    return " ".join(clean_display(text).casefold().split())


def _strength(res: Resolution) -> tuple[int, float]:
    """How good an answer is: taken beats asked beats nothing; then the best score."""
    rank = {STATUS_EXACT: 3, STATUS_FUZZY: 3, STATUS_AMBIGUOUS: 2}.get(res.status, 0)
    return rank, (res.candidates[0].score if res.candidates else 0.0)


#: Discord's measure of a label's length, and a cut by it (see engine.song_table).
_utf16_len = utf16_len
_truncate = truncate_utf16


def _clean_query(query: object) -> str:
    """The query as matched: cut to MAX_QUERY_CHARS *before* any other work, then cleaned."""
    if not isinstance(query, str):
        return ""
    return clean_display(query[:MAX_QUERY_CHARS])


#: The resolver's arrays saved with the artifact (attribute names without the leading "_").
_SAVED_ARRAYS = (
    "name_len",
    "pop",
    "rank_order",
    "by_rank",
    "row_key",
    "key_rows",
    "key_off",
    "key_pop",
    "pop_slack",
    "row_primary",
    "alias_rows",
    "alias_off",
)


class SongResolver:
    """Indexes a song table once; resolves queries and completes prefixes against it.

    ``songs`` is the canonical table from :func:`engine.catalog.load_catalog`; row
    positions are the song indices used everywhere. ``name_key``/``artist_key`` are
    used when present (the catalog computed them already) and computed otherwise.
    """

    def __init__(
        self,
        songs: pd.DataFrame | None,
        table: SongTable | None = None,
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        """``arrays``: what :meth:`arrays` of an earlier resolver over these songs gave
        (engine.parts saves them with the artifact and maps them, with the ``table``);
        None builds the indexes from ``songs``, which may be None only with arrays."""
        started = time.perf_counter()
        if table is None:
            if songs is None:
                raise ValueError("a resolver needs the songs or their table")
            table = SongTable.from_songs(songs)
        n = len(table)
        if songs is not None and len(songs) != n:
            raise ValueError(f"song table of {n} rows for {len(songs)} songs")
        self._n = n
        #: Display columns and id → row, shared with the recommender and the service.
        self.table = table
        self._ids = table.ids
        self._names = table.names
        self._artists = table.artists
        self._years = table.year
        # First occurrence wins, as in the catalog's duplicate-id rule (see SongTable).
        self._id_row: IdIndex = table.row_of_id
        if arrays is not None:
            self._take(arrays)
            how = "mapped"
        elif songs is not None:
            self._build(songs)
            how = "indexed"
        else:
            raise ValueError("a resolver needs the songs to build its indexes from, or its saved arrays")
        self._default_rows = self._rank_order[: 4 * MAX_CANDIDATES]
        logger.info(
            "resolver: %d songs, %d unique titles, %d aliases %s in %.2fs",
            n,
            len(self._titles),
            len(self._aliases),
            how,
            time.perf_counter() - started,
        )

    _titles: GramIndex
    _aliases: GramIndex

    def _take(self, arrays: Mapping[str, np.ndarray]) -> None:
        """The indexes from :meth:`arrays` of this song table (mapped stay mapped)."""
        for name in _SAVED_ARRAYS:
            setattr(self, "_" + name, arrays[name])
        if self._rank_order.shape != (self._n,):
            raise ValueError("resolver arrays are for another song table")
        self._titles = GramIndex.from_arrays(part_of(arrays, "titles"))
        self._aliases = GramIndex.from_arrays(part_of(arrays, "aliases"))

    def arrays(self) -> dict[str, np.ndarray]:
        """This resolver's indexes by name, for engine.parts to save."""
        return {
            **{name: getattr(self, "_" + name) for name in _SAVED_ARRAYS},
            **prefixed("titles", self._titles.arrays()),
            **prefixed("aliases", self._aliases.arrays()),
        }

    def _build(self, songs: pd.DataFrame) -> None:
        """Build the ranking arrays and the title and alias indexes from the catalog."""
        import pandas as pd  # building only: serving never imports pandas

        n = self._n
        names = self._text_column(songs, "name")
        artists = self._text_column(songs, "artist")
        self._name_len = names.str.len().to_numpy(dtype=np.int32, na_value=0)
        pop = self.table.popularity
        #: Unknown popularity ranks below every known one.
        self._pop = np.where(np.isfinite(pop), pop, -1.0)
        basis = (
            self._text_column(songs, "popularity_basis").tolist() if "popularity_basis" in songs else [""] * n
        )
        #: How far each popularity may be off (see ESTIMATE_SLACK); inf when unknown.
        self._pop_slack = np.where(
            np.isfinite(pop), np.array([ESTIMATE_SLACK.get(b, 0.0) for b in basis], dtype=np.float64), np.inf
        )
        #: Rows in preference order (most popular, then shortest title, then first) and
        #: each row's place in it: the tie-break every ranking here uses.
        self._rank_order = np.lexsort((np.arange(n), self._name_len, -self._pop)).astype(np.int64)
        self._by_rank = np.empty(n, dtype=np.int64)
        self._by_rank[self._rank_order] = np.arange(n)

        name_keys = (
            self._text_column(songs, "name_key")
            if "name_key" in songs
            else pd.Series([title_key(t) for t in self._names], dtype=object)
        )
        artist_keys = (
            self._text_column(songs, "artist_key")
            if "artist_key" in songs
            else pd.Series([artist_key(a) for a in self._artists], dtype=object)
        )

        # Titles: unique keys sorted; rows of each key most popular first, then shortest.
        titles, self._row_key = self._sorted_codes(name_keys)
        self._titles = GramIndex(titles)
        self._key_rows, self._key_off = self._group(self._row_key, len(titles))
        first = self._key_rows[self._key_off[:-1]] if titles else np.zeros(0, np.int64)
        self._key_pop = self._pop[first]

        # Artists: the full artist key identifies a song's artist; aliases (the full key,
        # each individually credited artist, and each of those without a leading "the")
        # are what a user may type. The first credited artist makes a song's identity:
        # "No Lie" by "Sean Paul" and by "Sean Paul, Dua Lipa" are one song.
        artist_list, self._row_artist = self._sorted_codes(artist_keys)
        extra_keys: list[str] = []
        extra_rows: list[int] = []
        first_keys: dict[int, str] = {}
        for row, parts in self._credited(songs, artists):
            first = True
            for part in parts:
                key = artist_key(part)
                if first and key:
                    first_keys[row] = key
                    first = False
                if key and key != artist_list[self._row_artist[row]]:
                    extra_keys.append(key)
                    extra_rows.append(row)
        if first_keys:
            primary = artist_keys.tolist()
            for row, key in first_keys.items():
                primary[row] = key
            _, self._row_primary = self._sorted_codes(pd.Series(primary, dtype=object))
        else:
            self._row_primary = self._row_artist
        alias_values = (
            pd.concat([artist_keys, pd.Series(extra_keys, dtype=object)], ignore_index=True)
            if extra_keys
            else artist_keys
        )
        alias_rows = np.r_[np.arange(n, dtype=np.int64), np.asarray(extra_rows, dtype=np.int64)]
        the = alias_values.str.startswith("the ", na=False).to_numpy(dtype=bool)
        if the.any():  # "beatles" finds "The Beatles"
            alias_values = pd.concat([alias_values, alias_values[the].str[4:]], ignore_index=True)
            alias_rows = np.r_[alias_rows, alias_rows[the]]
        aliases, alias_codes = self._sorted_codes(alias_values)
        self._alias_rows, self._alias_off = self._group(alias_codes, len(aliases), alias_rows)
        self._aliases = GramIndex(aliases)

    # ------------------------------------------------------------------ building

    _text_column = staticmethod(text_column)

    @staticmethod
    def _credited(songs: pd.DataFrame, artists: pd.Series) -> list[tuple[int, tuple[str, ...]]]:
        """(row, individual artists) for rows whose display string may credit several artists.

        The catalog's ``artists`` column (a tuple per song) is the truth when present:
        "Tyler, The Creator" is one artist there. Without it the display string is split
        on ", ", as the catalog joins several artists.
        """
        # The catalog joins several artists with ", " for display, so only those rows
        # (a few percent) are looked at: no Python loop over a million single credits.
        multi = np.flatnonzero(
            artists.str.contains(", ", regex=False, na=False).to_numpy(dtype=bool)
        ).tolist()
        if "artists" in songs:
            col = songs["artists"].reset_index(drop=True)
            out = []
            for row in multi:
                parts = col.iat[row]
                if isinstance(parts, (tuple, list)) and parts:
                    out.append((row, tuple(str(p) for p in parts)))
            return out
        return [(row, tuple(artists.iat[row].split(", "))) for row in multi]

    @staticmethod
    def _sorted_codes(values: pd.Series) -> tuple[list[str], np.ndarray]:
        """Unique ``values`` sorted in Python's order (what bisect uses) and each value's code.

        pandas sorts Arrow strings by UTF-8 bytes, which is code-point order, i.e.
        Python's; the check below falls back to Python's sort should that ever differ.
        """
        import pandas as pd  # building only: serving never imports pandas

        codes, uniques = pd.factorize(values, sort=True)
        keys = [u if isinstance(u, str) else str(u) for u in uniques.tolist()]
        if any(a >= b for a, b in zip(keys, keys[1:])):
            order = sorted(range(len(keys)), key=keys.__getitem__)
            rank = np.empty(len(keys), dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(len(keys))
            keys = [keys[i] for i in order]
            codes = rank[codes] if len(codes) else codes
        return keys, np.asarray(codes, dtype=np.int64)

    def _group(
        self, codes: np.ndarray, n_groups: int, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """CSR of entries per code: the rows of each group, most popular first, then shortest.

        ``rows[i]`` is the row of entry ``i`` (default: entry i is row i). Entries are
        put in the global preference order first, then stably sorted by code: two
        cheap passes instead of a four-key lexsort per index.
        """
        if rows is None:
            pos = self._rank_order
            rows = np.arange(len(codes), dtype=np.int64)
        else:
            pos = np.argsort(self._by_rank[rows], kind="stable")
        grouped = rows[pos[np.argsort(codes[pos], kind="stable")]]
        offsets = np.r_[0, np.cumsum(np.bincount(codes, minlength=n_groups))].astype(np.int64)
        return grouped.astype(np.int64), offsets

    # ------------------------------------------------------------------ small helpers

    def __len__(self) -> int:
        return self._n

    def by_id(self, song_id: str) -> int | None:
        """Row of the song with this id (autocomplete values come back as ids), or None."""
        if not isinstance(song_id, str):
            return None
        song_id = clean_display(song_id[: VALUE_MAX_CHARS * 4])
        row = self._id_row.get(song_id)
        if row is None and song_id.startswith("#") and song_id[1:].isdigit():
            # Fallback value for ids too long for Discord (see _value); only if unambiguous.
            candidate = int(song_id[1:])
            if 0 <= candidate < self._n and len(self._ids[candidate]) > VALUE_MAX_CHARS:
                row = candidate
        return row

    def _candidate(self, row: int, score: float) -> Candidate:
        """The public view of a row: what the bot shows and acts on."""
        year = self._years[row]
        return Candidate(
            index=int(row),
            id=str(self._ids[row]),
            name=str(self._names[row]),
            artist=str(self._artists[row]),
            year=None if np.isnan(year) else int(year),
            score=round(float(min(100.0, max(0.0, score))), 1),
        )

    def _key_group(self, key_id: int) -> np.ndarray:
        """Rows whose title key is ``key_id``, most popular first."""
        return self._key_rows[self._key_off[key_id] : self._key_off[key_id + 1]]

    def _alias_group(self, alias_id: int) -> np.ndarray:
        """Rows credited to artist alias ``alias_id``, most popular first."""
        return self._alias_rows[self._alias_off[alias_id] : self._alias_off[alias_id + 1]]

    def _identity(self, row: int) -> tuple[int, int]:
        """Same title key by the same first artist is one song (live and studio versions,
        the same song credited with and without its guests)."""
        return int(self._row_key[row]), int(self._row_primary[row])

    def _rank(self, scored: dict[int, float]) -> list[tuple[int, float]]:
        """Rows best first: score, then popularity, then shorter title; one per identity."""
        ordered = sorted(
            scored.items(), key=lambda rs: (-rs[1], -self._pop[rs[0]], self._name_len[rs[0]], rs[0])
        )
        seen: set[tuple[int, int]] = set()
        out: list[tuple[int, float]] = []
        for row, score in ordered:
            ident = self._identity(row)
            if ident not in seen:
                seen.add(ident)
                out.append((row, score))
        return out

    # ------------------------------------------------------------------ scoring

    def _score_keys(self, query: str, key_ids: np.ndarray) -> np.ndarray:
        """Score title keys (ids into the sorted titles) against a folded query, 0..100."""
        return score_strings(query, self._titles.keys.take(key_ids))

    def _title_candidates(self, qkey: str) -> np.ndarray:
        """Key ids worth scoring for ``qkey``: trigram vote plus the most popular prefix hits."""
        ids = self._titles.candidates(qkey)
        lo, hi = self._titles.prefix_range(qkey)
        if hi > lo:
            prefix = np.arange(lo, hi, dtype=np.int64)
            if len(prefix) > PREFIX_CANDIDATES:
                prefix = lo + top(self._key_pop[lo:hi], PREFIX_CANDIDATES, descending=True)
            ids = np.union1d(ids, prefix)
        return ids

    def _fuzzy_rows(self, qkey: str, cutoff: float) -> dict[int, float]:
        """Rows (one per title key and artist) whose key scores at least ``cutoff``."""
        key_ids = self._title_candidates(qkey)
        scores = self._score_keys(qkey, key_ids)
        good = np.flatnonzero(scores >= cutoff)
        if len(good) > MAX_FUZZY_KEYS:
            good = good[top(scores[good], MAX_FUZZY_KEYS, descending=True)]
        out: dict[int, float] = {}
        for key_id, score in zip(key_ids[good].tolist(), scores[good].tolist()):
            for row in self._key_group(key_id).tolist():
                out[row] = score
        return out

    def _rows_title_scores(self, qkey: str, qfold: str, rows: np.ndarray, cutoff: float) -> dict[int, float]:
        """Score a title query against a given set of rows (one artist's songs)."""
        if not len(rows):
            return {}
        row_keys = self._row_key[rows]
        key_ids = np.unique(row_keys)
        if len(key_ids) > ARTIST_BRUTE_FORCE_KEYS:
            key_ids = np.intersect1d(key_ids, self._title_candidates(qkey))
        # A "the" missing or extra ("sound of silence", "the bohemian rhapsody") costs a point.
        toggled = qkey[4:] if qkey.startswith("the ") else "the " + qkey
        scores = dict(
            zip(
                key_ids.tolist(),
                np.maximum(
                    self._score_keys(qkey, key_ids), 0.99 * self._score_keys(toggled, key_ids)
                ).tolist(),
            )
        )
        exact = {self._titles.find(qkey), self._titles.find(qfold)}
        tagged = set(self._tagged_rows(qfold))
        out: dict[int, float] = {}
        for row, key_id in zip(rows.tolist(), row_keys.tolist()):
            score = 100.0 if (key_id in exact or row in tagged) else scores.get(key_id, 0.0)
            if score >= cutoff:
                out[row] = max(score, out.get(row, 0.0))
        return out

    # ------------------------------------------------------------------ artists

    def _match_artists(self, akey: str, cutoff: float = ARTIST_CUTOFF) -> list[tuple[int, float]]:
        """Aliases matching a typed artist strongly (exact first), best few.

        A leading "the" typed but not in the name ("the karol g") is dropped; one
        missing ("beatles") is found through the aliases without it.
        """
        if not akey:
            return []
        exact = self._aliases.find(akey)
        if exact is None and akey.startswith("the "):
            akey = akey[4:]
            exact = self._aliases.find(akey)
        if exact is not None:
            # "by pharrell" also means "Pharrell Williams": the longer names that begin
            # with the typed one word for word, a little below the exact name.
            return [(exact, 100.0), *((i, PART_OF_ARTIST_SCORE) for i in self._longer_names(akey))]
        if len(akey) < MIN_FUZZY_ARTIST_CHARS:
            return []
        ids = self._aliases.candidates(akey, limit=100)
        lo, hi = self._aliases.prefix_range(akey)
        if hi > lo:
            ids = np.union1d(ids, np.arange(lo, min(hi, lo + 50)))
        if not len(ids):
            return []
        scores = score_strings(akey, self._aliases.keys.take(ids))
        best = np.argsort(-scores, kind="stable")[:3]
        return [(int(ids[i]), float(scores[i])) for i in best.tolist() if scores[i] >= cutoff]

    def _longer_names(self, akey: str) -> list[int]:
        """Aliases that begin with ``akey`` and a space, at most MAX_LONGER_NAMES of them."""
        lo, hi = self._aliases.prefix_range(akey + " ")
        return list(range(lo, min(hi, lo + MAX_LONGER_NAMES)))

    def _is_alias(self, key: str) -> bool:
        """True when ``key`` names an artist exactly (a leading "the" may be extra)."""
        return self._aliases.find(key) is not None or (
            key.startswith("the ") and self._aliases.find(key[4:]) is not None
        )

    def _interpretations(self, q: str, words: list[str]) -> list[tuple[str, str, bool]]:
        """(title text, artist text, artist is exact) readings of a query naming an artist.

        Explicit separators are tried at every position and, for dashes, in both orders
        ("artist - title" and "title - artist"); the artist match decides which reading
        holds. A plain query whose first or last words are an artist's name is read
        as title + artist too, which is how "la java mistinguett" boosts Mistinguett.
        """
        out: list[tuple[str, str, bool]] = []
        for match in islice(_BY.finditer(q), MAX_SEPARATORS):
            out.append((q[: match.start()], q[match.end() :], False))
        for match in islice(_DASH.finditer(q), MAX_SEPARATORS):
            left, right = q[: match.start()], q[match.end() :]
            out.append((left, right, False))
            out.append((right, left, False))
        for match in islice(_COMMA.finditer(q), MAX_SEPARATORS):
            left, right = q[: match.start()], q[match.end() :]
            out.append((left, right, False))
            out.append((right, left, False))
        for match in islice(_FEAT.finditer(q), 1):  # "titanium feat sia": the guest is credited too
            out.append((q[: match.start()], q[match.end() :], False))
        n_words = len(words)
        for size in range(min(MAX_ARTIST_SPAN_WORDS, n_words - 1), 0, -1):
            head, tail = " ".join(words[:size]), " ".join(words[n_words - size :])
            if self._is_alias(tail):
                out.append((" ".join(words[: n_words - size]), tail, True))
            if self._is_alias(head):
                out.append((" ".join(words[size:]), head, True))
        return out

    # ------------------------------------------------------------------ resolve

    def resolve(self, query: str, limit: int = 10) -> Resolution:
        """Resolve free text (a title, "title by artist", "artist - title", an id) to songs.

        Never raises on user input: anything unusable comes back as ``empty`` or
        ``no_match``.
        """
        started = time.perf_counter()
        try:
            limit = max(1, min(int(limit), MAX_CANDIDATES))
        except (TypeError, ValueError):
            limit = 10
        q = _clean_query(query)
        result = self._resolve(q, limit)
        logger.debug(
            "resolve %r -> %s (%d candidates) in %.1f ms",
            q,
            result.status,
            len(result.candidates),
            (time.perf_counter() - started) * 1000,
        )
        return result

    def _resolve(self, q: str, limit: int) -> Resolution:
        """Resolve ``q``; a query that is weak as typed is retried without version words.

        "luna remastered feid" or "505 radio edit": people add the version they heard,
        which the catalog may not hold. Only when the query as typed finds no single
        strong song is the version-less query tried, and its answer used if stronger.
        """
        first = self._resolve_once(q, limit)
        if first.status == STATUS_EXACT or (
            first.status == STATUS_FUZZY and first.candidates[0].score >= STRONG_SCORE
        ):
            return first
        stripped = " ".join(_VERSION_QUERY.sub(" ", q).split())
        if not stripped or stripped == q or not fold(stripped):
            return first
        second = self._resolve_once(stripped, limit)
        if _strength(second) > _strength(first):
            return Resolution(q, second.status, second.candidates, second.suggestions)
        return first

    def _resolve_once(self, q: str, limit: int) -> Resolution:
        """Cheapest answers first: id, exact title, title + artist, then fuzzy."""
        if not q:
            return Resolution(q, STATUS_EMPTY)
        row = self._id_row.get(q)
        if row is not None:
            return Resolution(q, STATUS_EXACT, (self._candidate(row, 100.0),))
        qfold = fold(q)
        if not qfold:
            # Only punctuation, emoji or symbols: still a hit if a title is literally that.
            key_id = self._titles.find("")
            rows = (
                [r for r in self._key_group(key_id).tolist() if _literal(self._names[r]) == _literal(q)]
                if key_id is not None
                else []
            )
            return self._exact_resolution(q, rows, limit) if rows else Resolution(q, STATUS_NO_MATCH)
        qkey = title_key(q) or qfold

        rows = self._exact_rows(q, qfold, qkey)
        # Popularity may pick among artists only when the title is all that was typed: a
        # query with more ("one day feat ryan tedder") names whom it means.
        exact = self._exact_resolution(q, rows, limit, by_popularity=qkey == qfold) if rows else None
        if exact is not None and exact.status == STATUS_EXACT:
            return exact
        # Several artists share the exact title (or none matched): an artist named in
        # the query decides — also when a version tag swallowed it ("X - Remastered by Y").
        words = qfold.split()
        scored: dict[int, float] = {}
        title_part: dict[int, float] = {}  # per row: the title's share of its best reading
        exact_by_artist: list[int] = []
        exact_title: dict[int, float] = {}  # exact title, strong but inexact artist
        self._score_readings(
            self._readings(q, words, fuzzy=False), scored, exact_by_artist, exact_title, title_part
        )

        if exact_by_artist:
            # Exact title by the exact artist: never ambiguous; the most popular version.
            best = self._rank(dict.fromkeys(exact_by_artist, 100.0))[0][0]
            return self._exact_resolution(q, [best], limit, by_artist=True)
        if exact is not None:
            if exact_title:  # "Superman - Remastered by Blak Lace": the artist still decides
                ranked = self._rank(exact_title)[:limit]
                return Resolution(q, STATUS_FUZZY, tuple(self._candidate(r, s) for r, s in ranked))
            return exact
        for row, score in self._fuzzy_rows(qkey, SUGGEST_CUTOFF).items():
            scored[row] = max(score, scored.get(row, 0.0))

        result = self._decide(q, qfold, scored, limit, title_part)
        if result.status == STATUS_FUZZY and result.candidates[0].score >= STRONG_SCORE:
            return result
        # Weak so far: the artist may be typed with a typo ("shape of you ed sheran"),
        # with or without a separator. Read the query's first and last words as artist
        # names matched fuzzily: dearer, so only when the cheap readings fell short.
        self._score_readings(
            self._readings(q, words, fuzzy=True), scored, exact_by_artist, exact_title, title_part
        )
        if exact_by_artist:
            best = self._rank(dict.fromkeys(exact_by_artist, 100.0))[0][0]
            return self._exact_resolution(q, [best], limit, by_artist=True)
        return self._decide(q, qfold, scored, limit, title_part)

    def _decide(
        self,
        q: str,
        qfold: str,
        scored: dict[int, float],
        limit: int,
        title_part: dict[int, float] | None = None,
    ) -> Resolution:
        """Scored rows to an answer: one clear best is taken, close seconds make it ask."""
        strong = {r: s for r, s in scored.items() if s >= FUZZY_CUTOFF}
        ranked = self._rank(strong or scored)  # ranking every weak row is wasted work
        if not ranked or ranked[0][1] < FUZZY_CUTOFF:
            artist_only = self._artist_only(q, qfold, limit)
            if artist_only is not None:
                return artist_only
            suggestions = tuple(self._candidate(r, s) for r, s in ranked[:MAX_SUGGESTIONS])
            return Resolution(q, STATUS_NO_MATCH, (), suggestions)

        accepted = [(r, s) for r, s in ranked if s >= FUZZY_CUTOFF][:limit]
        best_score = accepted[0][1]
        # Close means within a few points *and* not much further from the query than the
        # best: "teil 03" typed with a typo elsewhere is twice as near "Teil 03" as
        # "Teil 08", which is a clear answer, not a question.
        # Two songs of the same artist are compared on their titles alone: an artist typed
        # with a typo costs both the same.
        best_row = accepted[0][0]
        parts = title_part or {}

        def near(row: int, score: float) -> bool:
            if row in parts and best_row in parts and self._row_primary[row] == self._row_primary[best_row]:
                return 100.0 - parts[row] < CLEAR_LEAD * (100.0 - parts[best_row])
            return 100.0 - score < CLEAR_LEAD * (100.0 - best_score)

        close = [r for r, s in accepted[1:] if s >= best_score - AMBIGUITY_MARGIN and near(r, s)]
        if best_score >= 100.0:
            close = [r for r, s in accepted[1:] if s >= 100.0]
        candidates = tuple(self._candidate(r, s) for r, s in accepted)
        # Close rivals are told apart by popularity: the same title by other artists, or a
        # typo as near one title as another ("ranwom": Ransom by Lil Tecca, popularity 90,
        # or Random by G-Eazy, about 69) -- the song people mean is the clearly more popular
        # one. A query that starts the best title word for word, and no rival's, is that
        # title being typed ("lose you to" vs "Close to You").
        if close and not (self._leads(best_row, close) or self._only_word_prefix(qfold, best_row, close)):
            return Resolution(q, STATUS_AMBIGUOUS, candidates)
        return Resolution(q, STATUS_FUZZY, candidates)

    def _only_word_prefix(self, qfold: str, best: int, rivals: list[int]) -> bool:
        """Whether ``qfold`` begins the best row's title key word for word and no rival's."""

        def starts(row: int) -> bool:
            key = self._titles.keys[self._row_key[row]]
            return key.startswith(qfold) and (len(key) == len(qfold) or key[len(qfold)] == " ")

        return len(qfold) >= 3 and starts(best) and not any(starts(r) for r in rivals)

    def _score_readings(
        self,
        readings: list[tuple[str, list[tuple[int, float]]]],
        scored: dict[int, float],
        exact_by_artist: list[int],
        exact_title: dict[int, float],
        title_part: dict[int, float],
    ) -> None:
        """Score each (title text, matched artists) reading into ``scored`` (best per row)."""
        for title_text, artists in readings:
            tkey, tfold = title_key(title_text), fold(title_text)
            for alias_id, artist_score in artists:
                if not tkey:  # a title of symbols only ("!" by X): literal match
                    lit = _literal(title_text)
                    titles = {
                        r: 100.0
                        for r in self._alias_group(alias_id).tolist()
                        if not self._titles.keys[self._row_key[r]] and _literal(self._names[r]) == lit
                    }
                else:
                    titles = self._rows_title_scores(tkey, tfold, self._alias_group(alias_id), SUGGEST_CUTOFF)
                for row, title_score in titles.items():
                    combined = (3.0 * title_score + artist_score) / 4.0
                    if combined > scored.get(row, 0.0):
                        title_part[row] = title_score
                    if title_score >= 100.0 and artist_score >= 100.0:
                        exact_by_artist.append(row)
                    elif title_score >= 100.0:
                        exact_title[row] = max(combined, exact_title.get(row, 0.0))
                    scored[row] = max(combined, scored.get(row, 0.0))

    def _readings(self, q: str, words: list[str], fuzzy: bool) -> list[tuple[str, list[tuple[int, float]]]]:
        """(title text, artists it may be by) readings of a query that names an artist.

        Cheap readings (``fuzzy=False``): the parts around an explicit separator (" by ",
        " - ", ", ", " feat "), the artist matched as typed or with a typo, and a plain
        query whose first or last words are exactly an artist's name. ``fuzzy=True``
        adds the first and last words of a plain query matched as an artist with a
        typo ("fireflies owl cty"), which costs a trigram vote per span.
        """
        out: list[tuple[str, list[tuple[int, float]]]] = []
        if not fuzzy:
            for title_text, artist_text, artist_exact in self._interpretations(q, words):
                akey = artist_key(artist_text)
                if not akey or not _literal(title_text):
                    continue
                if artist_exact:
                    alias_id = self._aliases.find(akey)
                    if alias_id is None and akey.startswith("the "):
                        alias_id = self._aliases.find(akey[4:])
                    artists = (
                        [(alias_id, 100.0), *((i, PART_OF_ARTIST_SCORE) for i in self._longer_names(akey))]
                        if alias_id is not None
                        else []
                    )
                else:
                    artists = self._match_artists(akey)
                if artists:
                    out.append((title_text, artists))
            return out
        n_words = len(words)
        if n_words < 2:
            return out
        # One trigram vote of the whole query over the artist names picks the few names
        # worth scoring; each first/last-words span is then scored against those only.
        ids = self._aliases.candidates(" ".join(words), limit=SPAN_ALIAS_CANDIDATES)
        if not len(ids):
            return out
        names = self._aliases.keys.take(ids)
        padded_names = [f" {n} " for n in names]
        spans: list[tuple[str, str]] = []  # (title text, artist span)
        for size in range(min(MAX_ARTIST_SPAN_WORDS, n_words - 1), 0, -1):
            for title_words, artist_words in (
                (words[: n_words - size], words[n_words - size :]),
                (words[size:], words[:size]),
            ):
                span = " ".join(artist_words)
                span = span.removeprefix("the ")
                if len(span) >= MIN_FUZZY_ARTIST_CHARS:
                    spans.append((" ".join(title_words), span))
        if not spans:
            return out
        # Whole name with typos (one C call for every span), or a part of a longer name
        # made of whole words of it ("kleiton" for "kleiton kledir") -- so that "ady" in
        # "bad ady" is not read as Lady Gaga.
        ratios = process.cdist([s for _, s in spans], names, scorer=fuzz.ratio, dtype=np.float32)
        for (title_text, span), scores in zip(spans, ratios):
            scores = scores.astype(float)
            padded = f" {span} "
            for j, name in enumerate(padded_names):
                if padded in name:
                    scores[j] = max(scores[j], PART_OF_ARTIST_SCORE)
            best = np.argsort(-scores, kind="stable")[:3]
            artists = [
                (int(ids[i]), float(scores[i])) for i in best.tolist() if scores[i] >= FUZZY_ARTIST_CUTOFF
            ]
            if artists:
                out.append((title_text, artists))
        return out

    def _tagged_rows(self, qfold: str) -> list[int]:
        """Rows whose *full* title folds to ``qfold`` although their key is shorter.

        "into the golden abyss live" should find "Into The Golden Abyss (Live)", whose
        key is "into the golden abyss". Such a key is a word prefix of the query and the
        rest holds a version word, so only those few groups are folded and compared —
        at query time, which keeps folding every tagged title out of the cold start.
        """
        words = qfold.split()
        out: list[int] = []
        for cut in range(len(words) - 1, 0, -1):
            if not _TAG_WORDS.intersection(words[cut:]):
                continue
            key_id = self._titles.find(" ".join(words[:cut]))
            if key_id is None:
                continue
            group = self._key_group(key_id)[:MAX_TAGGED_GROUP].tolist()
            out.extend(r for r in group if _fast_fold(self._names[r]) == qfold)
        return out

    def _exact_rows(self, q: str, qfold: str, qkey: str) -> list[int]:
        """Rows whose title is the query up to case, accents, punctuation and tags.

        The most specific reading wins: titles whose full fold equals the query's (tags
        included: "moments mix cut") before titles whose key equals the query's key; and
        among those, titles typed literally (punctuation too: "Love !") if any.
        """
        specific = self._tagged_rows(qfold)
        key_id = self._titles.find(qfold)
        if key_id is not None:
            specific.extend(self._key_group(key_id).tolist())
        rows = specific
        if not rows:
            key_id = self._titles.find(qkey)
            rows = self._key_group(key_id).tolist() if key_id is not None else []
        if 1 < len(rows) <= MAX_TAGGED_GROUP:
            # A guest credit is not a version: "closer" is "Closer (feat. Halsey)" as much as
            # "Closer". With nothing of a version typed, every version of the songs titled
            # that way may answer (the most popular wins); else only the titles typed.
            whole = qkey == qfold
            plain = [r for r in rows if _fast_fold(strip_guest_tags(self._names[r])) == qfold]
            rows = self._same_songs(rows, plain) if whole else (plain or rows)
            lit = _literal(q)
            literal = [r for r in rows if _literal(strip_guest_tags(self._names[r])) == lit]
            rows = self._same_songs(rows, literal) if whole else (literal or rows)
        return list(dict.fromkeys(rows))

    def _same_songs(self, rows: list[int], matched: list[int]) -> list[int]:
        """``rows`` of the songs (title key + first artist) that ``matched`` holds; all if none."""
        if not matched:
            return rows
        songs = {self._identity(r) for r in matched}
        return [r for r in rows if self._identity(r) in songs]

    def _leads(self, best: int, rivals: list[int]) -> bool:
        """Whether ``best`` is clearly more popular than every rival (see POPULARITY_LEAD)."""
        if not rivals:
            return True
        low = self._pop[best] - self._pop_slack[best]
        high = max(float(self._pop[r] + self._pop_slack[r]) for r in rivals)
        return bool(low >= high + POPULARITY_LEAD)

    def _exact_resolution(
        self, q: str, rows: list[int], limit: int, by_artist: bool = False, by_popularity: bool = False
    ) -> Resolution:
        """Exact title hits: one artist is exact (most popular version); several artists ask
        unless ``by_popularity`` and one is clearly the most popular (the "Closer" people mean)."""
        ranked = self._rank(dict.fromkeys(rows, 100.0))
        candidates = tuple(self._candidate(r, s) for r, s in ranked[:limit])
        best = ranked[0][0]
        rivals = [r for r, _ in ranked[1:] if self._row_primary[r] != self._row_primary[best]]
        if rivals and not by_artist and not (by_popularity and self._leads(best, rivals)):
            return Resolution(q, STATUS_AMBIGUOUS, candidates)
        return Resolution(q, STATUS_EXACT, candidates)

    def _artist_only(self, q: str, qfold: str, limit: int) -> Resolution | None:
        """A query that is just an artist's name lists that artist's most popular songs."""
        alias_id = self._aliases.find(qfold)
        if alias_id is None:
            return None
        rows = self._alias_group(alias_id)[: 4 * limit].tolist()
        ranked = self._rank(dict.fromkeys(rows, 90.0))[:limit]
        if not ranked:
            return None
        status = STATUS_FUZZY if len(ranked) == 1 else STATUS_AMBIGUOUS
        return Resolution(q, status, tuple(self._candidate(r, s) for r, s in ranked))

    def find_artist(self, text: str, *, fuzzy: bool = True) -> tuple[str, list[int]] | None:
        """The artist ``text`` names: (their name as credited, their songs best known first).

        Exact (a leading "the" may be extra or missing), or with ``fuzzy`` a close spelling
        ("drak"); None when no artist fits. The songs include those crediting the artist
        as a guest, which is what "no more Drake" means.
        """
        akey = fold(text[:MAX_QUERY_CHARS]) if isinstance(text, str) else ""
        if fuzzy:
            matches = self._match_artists(akey)
        else:
            exact = self._aliases.find(akey)
            if exact is None and akey.startswith("the "):
                exact = self._aliases.find(akey[4:])
            matches = [] if exact is None else [(exact, 100.0)]
        if not matches:
            return None
        alias_id = matches[0][0]
        rows = self._alias_group(alias_id)
        if not len(rows):
            return None
        key = str(self._aliases.keys[alias_id])
        credited = str(self._artists[int(rows[0])])
        name = next(
            (p for p in credited.split(", ") if fold(p) in (key, "the " + key)),
            credited if fold(credited) in (key, "the " + key) else key.title(),
        )
        return name, rows.tolist()

    # ------------------------------------------------------------------ autocomplete

    def _value(self, row: int) -> str:
        """Autocomplete value: the song id, or "#row" for ids longer than Discord allows."""
        song_id = str(self._ids[row])
        return song_id if 0 < _utf16_len(song_id) <= VALUE_MAX_CHARS else f"#{row}"

    def label(self, row: int) -> str:
        """'Title — Artist (year)' within 100 characters, title and artist cut with '…'."""
        return self.table.label(row, LABEL_MAX_CHARS)

    def complete(self, prefix: str, limit: int = 25) -> list[Suggestion]:
        """Autocomplete choices for what has been typed so far, best first.

        Prefix hits come from a bisect range of the sorted title keys (most popular
        keys first); songs of a named artist and fuzzy matches only fill what prefixes
        leave, so the common case costs a bisect and a partial sort.
        """
        started = time.perf_counter()
        try:
            limit = max(1, min(int(limit), MAX_CANDIDATES))
        except (TypeError, ValueError):
            limit = MAX_CANDIDATES
        p = _clean_query(prefix)
        rows = self._complete_rows(p, limit)
        out: list[Suggestion] = []
        seen: set[str] = set()
        for row in rows:
            label = self.label(row)
            if label not in seen:
                seen.add(label)
                out.append(Suggestion(label=label, value=self._value(row)))
                if len(out) >= limit:
                    break
        logger.debug("complete %r -> %d in %.1f ms", p, len(out), (time.perf_counter() - started) * 1000)
        return out

    def _complete_rows(self, p: str, limit: int) -> list[int]:
        """Rows to suggest, best first, possibly with repeats (deduplicated by label later)."""
        if not p:
            return self._default_rows.tolist()
        want = 2 * limit  # labels may repeat (same title, artist and year); keep spares
        rows: list[int] = []
        row = self._id_row.get(p)
        if row is not None:
            rows.append(row)
        pfold = fold(p)
        if not pfold:
            return rows

        # "title - artist", "artist - title", "title by artist": narrow to the artist.
        # Readings whose title part is a prefix of the artist's titles lead, the
        # stronger artist match first; fuzzy readings follow.
        narrowed: list[tuple[bool, float, list[int]]] = []
        for title_text, artist_text, _ in self._interpretations(p, []):
            tfold = fold(title_text)
            akey = artist_key(artist_text)
            if not tfold or not akey:
                continue
            for alias_id, artist_score in self._match_artists(akey)[:1]:
                artist_rows = self._alias_group(alias_id)
                keys = self._titles.keys.take(self._row_key[artist_rows])
                hits = [r for r, k in zip(artist_rows.tolist(), keys) if k.startswith(tfold)]
                is_prefix = bool(hits)
                if not hits:
                    scored = self._rows_title_scores(
                        title_key(title_text) or tfold, tfold, artist_rows, COMPLETE_CUTOFF
                    )
                    hits = [r for r, _ in self._rank(scored)]
                narrowed.append((is_prefix, artist_score, hits[:want]))
        for _, _, hits in sorted(narrowed, key=lambda n: (not n[0], -n[1])):
            rows.extend(hits)

        rows.extend(self._prefix_rows(pfold, want))
        if len(rows) < want:
            whole_alias = self._aliases.find(pfold)
            if whole_alias is not None:
                rows.extend(self._alias_group(whole_alias)[:want].tolist())
        if len(dict.fromkeys(rows)) < limit and len(pfold) >= 2:
            fuzzy = self._fuzzy_rows(title_key(p) or pfold, COMPLETE_CUTOFF)
            rows.extend(r for r, _ in self._rank(fuzzy))
        return list(dict.fromkeys(rows))

    def _prefix_rows(self, pfold: str, want: int) -> list[int]:
        """Rows of the most popular keys starting with ``pfold``; the key equal to it first."""
        lo, hi = self._titles.prefix_range(pfold)
        if hi <= lo:
            return []
        if hi - lo > want:
            key_ids = lo + top(self._key_pop[lo:hi], want, descending=True)
        else:
            key_ids = np.arange(lo, hi)
        rows = np.concatenate([self._key_group(k) for k in key_ids.tolist()])
        # The key equal to the prefix, if any, sorts first in its range; its songs lead.
        not_equal = (self._row_key[rows] != lo) | (self._titles.keys[lo] != pfold)
        order = np.lexsort((rows, self._name_len[rows], -self._pop[rows], not_equal))
        return rows[order][: 4 * want].tolist()
