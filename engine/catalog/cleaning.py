"""Turn one raw table into canonical song rows, dropping only what cannot be a song.

The columns are found by role (engine.catalog.layout), the values read as each file
writes them (engine.catalog.values, engine.catalog.artists), rows without a title,
artist or usable audio features dropped with a reason, and copies of the same song
inside the file merged (engine.catalog.merging). Everything that happened is counted
in the file's :class:`CleaningReport`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Hashable
from typing import TypeVar

import numpy as np
import pandas as pd

from ..features import AUDIO_FEATURES, FEATURE_RANGES
from ..paths import CatalogError
from ..text import artist_key, clean_display, fold, strip_guest_tags, strip_version_tags
from . import values as V
from .artists import QUIRK_TITLE_GUEST, ArtistVocabulary, split_artists, title_guests
from .layout import Layout, recognise
from .report import (
    DROP_MISSING_FEATURE,
    DROP_MISSING_TITLE,
    DROP_NA_ROW,
    DROP_OUT_OF_RANGE,
    NOTE_BAD_YEAR,
    NOTE_PLACEHOLDER_YEAR,
    CleaningReport,
)

logger = logging.getLogger(__name__)

#: In the hits files the year 1905 is a placeholder for "unknown" (Killing In The Name,
#: Carry on Wayward Son and ABBA songs carry it), not a real release year.
HITS_UNKNOWN_YEAR = 1905

#: Prefix of ids derived from artist + title. '-' is not in Spotify's base-62 alphabet, so a
#: derived id (``cf-`` + 16 hex digits) can never equal a 22-character Spotify track id.
DERIVED_ID_PREFIX = "cf-"

#: Features that are shares (0..1): a percentage column of one of them is divided by 100.
SHARE_FEATURES = frozenset(f for f, (lo, hi) in FEATURE_RANGES.items() if (lo, hi) == (0.0, 1.0))

#: R writes a missing value as ``NA``; a row whose title *and* artist are both that is empty
#: (a song may be titled "NA", but then it has an artist).
R_MISSING = "NA"

#: Popularity basis of a value the file itself gives (Spotify's 0-100 popularity).
BASIS_SPOTIFY = "spotify"


def canonical_columns(features: tuple[str, ...] | list[str] = AUDIO_FEATURES) -> list[str]:
    """Columns of the cleaned song table, in order (the audio features last)."""
    return [
        "id",
        "name",
        "artist",
        "artists",
        "genres",
        "year",
        "decade",
        "popularity",
        "popularity_basis",
        "explicit",
        "source",
        "sources",
        "playlists",
        "playlist_names",
        "key",
        "mode",
        "time_signature",
        "streams",
        "weeks_on_chart",
        "hit",
        "name_key",
        "artist_key",
        *features,
    ]


def derived_id(artist: str, title: str) -> str:
    """Stable id of a song whose file has none: ``cf-`` + 16 hex digits of SHA-1.

    Computed from the folded artist and the folded full title (version tags kept, so a
    live take and the studio one stay apart): the same song gets the same id on every
    run, machine and row order, whatever its case, accents or punctuation.
    """
    digest = hashlib.sha1(f"{fold(artist)}\x1f{fold(title)}".encode()).hexdigest()
    return DERIVED_ID_PREFIX + digest[:16]


def read_rows(
    raw: pd.DataFrame,
    features: tuple[str, ...],
    source: str,
    vocabulary: ArtistVocabulary | None = None,
    layout: Layout | None = None,
) -> tuple[pd.DataFrame, CleaningReport]:
    """Every usable row of ``raw`` in canonical columns, *before* copies are merged.

    Rows without a title or artist, or without finite in-range audio features, are
    dropped and counted; everything read in a particular way is counted as a quirk.
    """
    layout = layout or recognise([str(c) for c in raw.columns], features, source)
    n_read = len(raw)
    if n_read == 0:
        raise CatalogError(f"{source} has a header but no songs")
    col = layout.columns
    quirks: Counter[str] = Counter()
    if vocabulary is None:
        vocabulary = ArtistVocabulary().add(text_cells(raw[col["artist"]]), layout.artist_kind).finish()

    songs = pd.DataFrame(index=pd.RangeIndex(n_read))
    raw_names = text_cells(raw[col["name"]])
    raw_artists = text_cells(raw[col["artist"]])
    songs["name"] = map_distinct(raw_names, clean_display)
    # Split each distinct credit once; its quirks count once per row that carries it.
    per_value: dict[str, tuple[str, ...]] = {}
    for value, n in Counter(raw_artists).items():
        found: Counter[str] = Counter()
        per_value[value] = split_artists(value, vocabulary, layout.artist_kind, found)
        for quirk, hit in found.items():
            quirks[quirk] += n * bool(hit)
    artists = [per_value[v] for v in raw_artists]
    given_ids = V.parse_ids(text_cells(raw[col["id"]]), quirks) if "id" in col else [""] * n_read
    # A derived id comes from the artists as the file credits them (not the guests read from
    # the title below), so it stays what earlier versions derived.
    credited = map_distinct(artists, ", ".join)
    songs["id"] = [i or derived_id(a, n) for i, a, n in zip(given_ids, credited, songs["name"])]
    # Guests a title credits ("(feat. X)") join the artists when the artist field left them out.
    guests = map_distinct(songs["name"].tolist(), lambda t: title_guests(t, vocabulary))
    for i, extra in enumerate(guests):
        if extra:
            known = {fold(a) for a in artists[i]}
            added = tuple(g for g in extra if fold(g) not in known)
            if added and artists[i]:
                artists[i] = (*artists[i], *added)
                quirks[QUIRK_TITLE_GUEST] += 1
    songs["artists"] = artists
    songs["artist"] = map_distinct(artists, ", ".join)
    songs["genres"] = _genres(raw, layout)
    songs["playlists"], songs["playlist_names"] = _playlists(raw, layout)

    notes: Counter[str] = Counter()
    note_rows: dict[str, np.ndarray] = {}
    if "release" in col:
        years, bad = V.parse_release(raw[col["release"]], quirks)
        note_rows[NOTE_BAD_YEAR] = bad
        if layout.name == "hits":
            placeholder = (years == HITS_UNKNOWN_YEAR).fillna(False).to_numpy(dtype=bool)
            note_rows[NOTE_PLACEHOLDER_YEAR] = placeholder
            years = years.mask(placeholder)
        songs["year"] = years.array
    else:
        songs["year"] = pd.array([pd.NA] * n_read, dtype="Int64")
    decade = (songs["year"] // 10 * 10).astype("Int64")
    if "decade" in col:
        decade = decade.fillna(V.parse_decade(raw[col["decade"]], quirks))
    songs["decade"] = decade.array
    popularity = (
        V.numbers(raw[col["popularity"]]) if "popularity" in col else pd.Series(np.nan, index=songs.index)
    )
    off_range = popularity.notna() & ~popularity.between(0, 100)
    quirks[V.QUIRK_POPULARITY_RANGE] += int(off_range.sum())
    songs["popularity"] = popularity.mask(off_range).to_numpy()
    songs["popularity_basis"] = np.where(songs["popularity"].notna(), BASIS_SPOTIFY, "")
    songs["explicit"] = V.parse_bool(raw[col["explicit"]]).to_numpy() if "explicit" in col else False
    songs["source"] = source
    songs["sources"] = [(source,)] * n_read
    songs["key"] = V.parse_key(raw[col["key"]], quirks).array if "key" in col else _no_ints(n_read)
    songs["mode"] = V.parse_mode(raw[col["mode"]], quirks).array if "mode" in col else _no_ints(n_read)
    songs["time_signature"] = (
        V.parse_time_signature(raw[col["time_signature"]], quirks).array
        if "time_signature" in col
        else _no_ints(n_read)
    )
    songs["streams"] = V.numbers(raw[col["streams"]]).to_numpy() if "streams" in col else np.nan
    songs["weeks_on_chart"] = (
        V.numbers(raw[col["weeks_on_chart"]]).to_numpy() if "weeks_on_chart" in col else np.nan
    )
    songs["hit"] = V.parse_flag(raw[col["hit"]]).to_numpy() if "hit" in col else np.nan
    for feature in features:
        songs[feature] = _feature(raw[col[feature]], feature, layout, quirks).to_numpy()

    dropped: Counter[str] = Counter()
    na_row = np.array([n == R_MISSING and a == R_MISSING for n, a in zip(raw_names, raw_artists)], dtype=bool)
    dropped[DROP_NA_ROW] = int(na_row.sum())
    keep = ~na_row & (songs["name"] != "").to_numpy() & (songs["artist"] != "").to_numpy()
    dropped[DROP_MISSING_TITLE] = int((~keep).sum()) - dropped[DROP_NA_ROW]
    finite = np.isfinite(songs[list(features)].to_numpy(dtype=float)).all(axis=1)
    dropped[DROP_MISSING_FEATURE] = int((keep & ~finite).sum())
    keep &= finite
    in_range = np.ones(n_read, dtype=bool)
    for feature in features:
        lo, hi = FEATURE_RANGES[feature]
        in_range &= songs[feature].between(lo, hi).to_numpy()
    dropped[DROP_OUT_OF_RANGE] = int((keep & ~in_range).sum())
    keep &= in_range
    for note, rows in note_rows.items():
        notes[note] = int((rows & keep).sum())
    songs = songs[keep].reset_index(drop=True)
    # The matching key (every tag dropped) and the merge keys, one pass per distinct title.
    keys = map_distinct(songs["name"].tolist(), _all_title_keys)
    songs["name_key"] = [k[0] for k in keys]
    songs["_song"] = [k[1] for k in keys]
    songs["_guest"] = [k[2] for k in keys]
    songs["artist_key"] = map_distinct(songs["artist"].tolist(), artist_key)
    songs["_lead"] = map_distinct([a[0] if len(a) else "" for a in songs["artists"]], fold)
    report = CleaningReport(
        source=source,
        layout=layout.name,
        rows_read=n_read,
        rows_kept=len(songs),
        dropped={r: n for r, n in dropped.items() if n},
        notes={n: c for n, c in notes.items() if c},
        columns=layout.described(),
        quirks={q: n for q, n in quirks.items() if n},
    )
    return songs[[*canonical_columns(features), *MATCH_KEYS]], report


#: Keys the merge matches on, kept beside a file's rows until the catalog is complete (so the
#: union does not fold 80,000 titles again): the title without guest credits, the lead artist,
#: and whether the title credits a guest.
MATCH_KEYS = ("_song", "_lead", "_guest")


def add_match_keys(songs: pd.DataFrame) -> None:
    """Add :data:`MATCH_KEYS` to ``songs`` in place (engine.catalog.merging reads them)."""
    keys = map_distinct(songs["name"].tolist(), _title_keys)
    songs["_song"] = [k[0] for k in keys]
    songs["_guest"] = [k[1] for k in keys]
    songs["_lead"] = map_distinct([a[0] if len(a) else "" for a in songs["artists"]], fold)


def _title_keys(title: str) -> tuple[str, bool]:
    """The folded title without guest credits, and whether there was one to drop."""
    plain = strip_guest_tags(title)
    return fold(plain), plain != title.strip()


def _all_title_keys(title: str) -> tuple[str, str, bool]:
    """``title_key``, then :func:`_title_keys`: folded once when no version tag differs."""
    song, guest = _title_keys(title)
    bare = strip_version_tags(clean_display(title))
    return (song if bare == strip_guest_tags(title) else fold(bare)), song, guest


def _feature(col: pd.Series, feature: str, layout: Layout, quirks: Counter[str]) -> pd.Series:
    values = V.numbers(col)
    if feature in SHARE_FEATURES:
        finite = values.dropna()
        # A header without a percent marker over values that are plainly percentages (most
        # above 1, a median of at least 5, none above 100) is read as percentages too.
        as_percent = feature in layout.percent or (
            len(finite) > 0 and finite.max() <= 100 and finite.median() >= 5 and (finite > 1).mean() > 0.5
        )
        if as_percent:
            quirks[V.QUIRK_PERCENT] += int(values.notna().sum())
            return values / 100.0
    if feature == "duration_ms":
        finite = values.dropna()
        if feature in layout.seconds or (len(finite) and finite.median() < 3_600):
            quirks[V.QUIRK_SECONDS] += int(values.notna().sum())
            return values * 1000.0
    return values


def _genres(raw: pd.DataFrame, layout: Layout) -> list[tuple[str, ...]]:
    """Genre words per row: the genre column, and a playlist's genre and subgenre (TidyTuesday)."""
    n = len(raw)
    parts = [
        map_distinct(text_cells(raw[layout.columns[role]]), V.parse_genres)
        for role in ("genres", "playlist_genre", "playlist_subgenre")
        if role in layout.columns
    ]
    if not parts:
        return [()] * n
    if len(parts) == 1:
        return parts[0]
    return [tuple(dict.fromkeys(g for p in row for g in p)) for row in zip(*parts)]


def _playlists(raw: pd.DataFrame, layout: Layout) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The playlist each row was found in (id and name), as one-element tuples (merging joins them)."""
    n = len(raw)
    if "playlist_id" not in layout.columns:
        return [()] * n, [()] * n
    ids = map_distinct(text_cells(raw[layout.columns["playlist_id"]]), clean_display)
    names = (
        map_distinct(text_cells(raw[layout.columns["playlist_name"]]), clean_display)
        if "playlist_name" in layout.columns
        else [""] * n
    )
    pl: list[tuple[str, ...]] = [(i,) if i else () for i in ids]
    return pl, [(nm,) if i else () for i, nm in zip(ids, names)]


def _no_ints(n: int) -> pd.arrays.IntegerArray:
    return pd.array([pd.NA] * n, dtype="Int64")


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def map_distinct(values: list[_K], fn: Callable[[_K], _V]) -> list[_V]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Artists, genres and many titles repeat across a catalog; the per-value text work
    (Unicode normalisation, literal_eval) dominated loading 100k songs before this.
    """
    cache: dict[_K, _V] = {}
    out: list[_V] = []
    for v in values:
        try:
            r = cache[v]
        except KeyError:
            r = cache[v] = fn(v)
        out.append(r)
    return out


def text_cells(col: pd.Series) -> list[str]:
    """A column's cells as text ("" for missing; a Parquet list cell as its list-string)."""
    return [v if type(v) is str else _cell_text(v) for v in col.tolist()]


def _cell_text(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (list, tuple, np.ndarray)):
        return str([str(x) for x in v])
    return str(v)
