"""Load a Spotify-features CSV (or Parquet) into Clusterfy's canonical song table.

The study used ``single_genre_artists.csv`` (23 columns); users bring other public
layouts too. Everything downstream sees one layout, so every quirk of the files
(list-strings for genres and artists, mixed date formats, NFD titles, duplicates,
broken rows) is handled here, once, and reported rather than silently fixed.

A catalog may also be several files (a folder, or paths joined by ``os.pathsep``): each is
cleaned on its own and reported, then the union keeps the same song once. Every song keeps
its ``source`` file and its individual ``artists``; songs from files without ids (the hits
lists) get a stable id derived from artist + title.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from .features import AUDIO_FEATURES, FEATURE_RANGES, validate_features
from .paths import CatalogError, catalog_files  # CatalogError lives in paths (no pandas there)
from .text import artist_key, clean_display, fold, title_key

logger = logging.getLogger(__name__)

#: Canonical column -> the names it goes by in the layouts we know, in priority order.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id_songs", "track_id", "id", "song_id", "uri"),
    "name": ("name_song", "track_name", "name", "song_name", "title", "song"),
    "artist": ("name_artists", "artists", "artist_name", "artist"),
    "genres": ("genres", "track_genre", "genre"),
    "release": ("release_date", "album_release_date", "year"),
    "popularity": ("popularity_songs", "popularity", "track_popularity"),
    "explicit": ("explicit",),
    **{feature: (feature,) for feature in AUDIO_FEATURES},
}

#: Layouts named in errors so a user knows what we accept.
KNOWN_LAYOUTS: dict[str, tuple[str, ...]] = {
    "study (single_genre_artists.csv)": ("id_songs", "name_song", "name_artists"),
    "tracks dataset (114k, track_genre)": ("track_id", "track_name", "artists"),
    "600k tracks / data.csv (id, name, artists)": ("id", "name", "artists"),
    "hits (top_hits_2000_2019.csv, well_known_songs.csv)": ("artist", "song", "genre"),
}

#: Artist names that contain a comma themselves, so a comma in an artist field is not always
#: a separator. Found in the bundled hits files (the first two) plus a few classics a user's
#: file is likely to hold; matched case- and accent-insensitively, longest first.
COMMA_ARTIST_NAMES: tuple[str, ...] = (
    "Tyler, The Creator",
    "Earth, Wind & Fire",
    "Crosby, Stills, Nash & Young",
    "Crosby, Stills & Nash",
    "Emerson, Lake & Palmer",
    "Peter, Paul and Mary",
    "Blood, Sweat & Tears",
)

#: In the hits files the year 1905 is a placeholder for "unknown" (Killing In The Name,
#: Carry on Wayward Son and ABBA songs carry it), not a real release year.
HITS_UNKNOWN_YEAR = 1905

#: Prefix of ids derived from artist + title. '-' is not in Spotify's base-62 alphabet, so a
#: derived id (``cf-`` + 16 hex digits) can never equal a 22-character Spotify track id.
DERIVED_ID_PREFIX = "cf-"

#: The canonical columns a catalog must provide (besides the audio features).
REQUIRED_TEXT_COLUMNS = ("name", "artist")

#: Drop reasons, in the order they are applied and reported.
DROP_MISSING_TITLE = "missing title or artist"
DROP_MISSING_FEATURE = "missing or non-numeric audio features"
DROP_OUT_OF_RANGE = "audio features out of range"
DROP_DUPLICATE_ID = "duplicate song id"
DROP_DUPLICATE_SONG = "duplicate title + artist with identical features"
DROP_REPEATED_NO_ID = "same title + artist again (the file has no song ids)"
DROP_IN_OTHER_FILE = "same song already in an earlier file (same title + first artist)"

#: Kept rows whose year was not usable: shown without a year and left out of year filters.
NOTE_PLACEHOLDER_YEAR = f"year {HITS_UNKNOWN_YEAR} (a placeholder in the hits files) read as unknown"
NOTE_BAD_YEAR = "year not a number (e.g. #VALUE!) read as unknown"
NOTE_UNION_NO_YEAR = "no known year (shown without one, outside year filters)"


@dataclass
class CleaningReport:
    """What loading did to the file: how many rows came in, stayed, and why others left."""

    source: str
    layout: str
    rows_read: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)
    #: Rows kept but changed on the way (e.g. a placeholder year read as unknown): reason -> count.
    notes: dict[str, int] = field(default_factory=dict)
    #: For a catalog of several files: one report per file, in load order (empty for one file).
    files: list[CleaningReport] = field(default_factory=list)

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    def lines(self) -> list[str]:
        """Human-readable summary, one fact per line (per file first for a multi-file catalog)."""
        parts = getattr(self, "files", None) or []
        out: list[str] = []
        if parts:
            out.append(f"catalog: {self.source} ({self.layout})")
            for part in parts:
                out.append(
                    f"  {part.source} ({part.layout} layout): read {part.rows_read:,}; "
                    f"kept {part.rows_kept:,}; dropped {part.rows_dropped:,}"
                )
                out += ["  " + line for line in part._detail_lines()]
            out.append(
                f"union: {sum(p.rows_kept for p in parts):,} songs from {len(parts)} files; "
                f"kept {self.rows_kept:,}"
            )
            out += [f"  dropped {n:,}: {r}" for r, n in self.dropped.items() if n and r == DROP_IN_OTHER_FILE]
            out += [f"  kept {n:,} with {note}" for note, n in (getattr(self, "notes", None) or {}).items()]
        else:
            out.append(f"catalog: {self.source} ({self.layout} layout)")
        out.append(f"rows read: {self.rows_read:,}; kept: {self.rows_kept:,}; dropped: {self.rows_dropped:,}")
        if not parts:
            out += self._detail_lines()
        return out

    def _detail_lines(self) -> list[str]:
        out = [f"  dropped {n:,}: {reason}" for reason, n in self.dropped.items() if n]
        out += [f"  kept {n:,} with {note}" for note, n in (getattr(self, "notes", None) or {}).items() if n]
        return out

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "source": self.source,
            "layout": self.layout,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "dropped": dict(self.dropped),
            "notes": dict(getattr(self, "notes", None) or {}),
        }
        parts = getattr(self, "files", None) or []
        if parts:
            out["files"] = [p.to_dict() for p in parts]
        return out


def load_catalog(
    path: str | Path | list[str | Path] | tuple[str | Path, ...],
    features: tuple[str, ...] | list[str] = AUDIO_FEATURES,
) -> tuple[pd.DataFrame, CleaningReport]:
    """Read and clean a catalog; return the canonical song table and the report.

    ``path`` is one file, a folder (its CSV/Parquet files, by name), several paths
    joined by ``os.pathsep`` or a list of paths: several files are cleaned one by one
    and then united, the same song in two files kept once (see :func:`union_catalogs`).

    The table has a RangeIndex and the columns ``id, name, artist, artists (tuple),
    genres (tuple), year (Int64), popularity (float), explicit (bool), source,
    name_key, artist_key`` and the audio features (float64).
    """
    feats = validate_features(features)
    files = catalog_files(path)
    if len(files) == 1:
        return clean_catalog(read_table(files[0]), feats, source=files[0].name)
    parts = [clean_catalog(read_table(f), feats, source=f.name) for f in files]
    return union_catalogs(parts, feats)


#: Two rows of the same title + first artist in two files whose features differ by at most this
#: share of each feature's range are the same recording (the hits files round differently).
SAME_RECORDING_TOLERANCE = 0.02


def union_catalogs(
    parts: list[tuple[pd.DataFrame, CleaningReport]], features: tuple[str, ...] = AUDIO_FEATURES
) -> tuple[pd.DataFrame, CleaningReport]:
    """One table from several cleaned files, the same song kept once.

    The same song is the same id, or the same folded title (version tags dropped) and
    first artist when either the full titles agree or the audio features are (nearly)
    equal -- so "Song" in two files is one song, while "Song (Live)" next to a different
    studio recording stays. The row kept is the one with a real (Spotify) id if any,
    else the one of the earliest file; rows keep their file order otherwise.
    """
    tables = [t for t, _ in parts]
    songs = pd.concat(tables, ignore_index=True)
    file_no = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    real_id = ~songs["id"].str.startswith(DERIVED_ID_PREFIX).to_numpy()
    # Preference order: a real id first, then the earlier file, then the earlier row.
    order = np.lexsort((np.arange(len(songs)), file_no, ~real_id))
    ranked = songs.iloc[order]
    drop = ranked["id"].duplicated(keep="first").to_numpy().copy()

    primary = [fold(a[0]) if a else "" for a in ranked["artists"]]
    full_title = _map_distinct(ranked["name"].tolist(), fold)
    feats = ranked[list(features)].to_numpy(dtype=float)
    span = np.array([FEATURE_RANGES[f][1] - FEATURE_RANGES[f][0] for f in features], dtype=float)
    span[~np.isfinite(span) | (span <= 0)] = 1.0
    ranked_file = file_no[order]
    kept: dict[tuple[str, str], list[int]] = {}
    for pos, key in enumerate(zip(ranked["name_key"].tolist(), primary)):
        if drop[pos]:
            continue
        earlier = kept.setdefault(key, [])
        if any(
            ranked_file[j] != ranked_file[pos]
            and (
                full_title[j] == full_title[pos]
                or (np.abs(feats[j] - feats[pos]) / span <= SAME_RECORDING_TOLERANCE).all()
            )
            for j in earlier
        ):
            drop[pos] = True
        else:
            earlier.append(pos)
    n_same = int(drop.sum())
    keep_rows = np.sort(order[~drop])
    union = songs.iloc[keep_rows].reset_index(drop=True)

    reports = [r for _, r in parts]
    dropped: Counter[str] = Counter()
    for r in reports:
        dropped.update(r.dropped)
    dropped[DROP_IN_OTHER_FILE] = n_same
    # Per-file notes stay in the file reports; the union says how many of its songs have no year.
    notes = {NOTE_UNION_NO_YEAR: int(union["year"].isna().sum())}
    report = CleaningReport(
        source=" + ".join(r.source for r in reports),
        layout=f"union of {len(reports)} files",
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=len(union),
        dropped={k: v for k, v in dropped.items() if v},
        notes={k: v for k, v in notes.items() if v},
        files=reports,
    )
    for line in report.lines():
        logger.info(line)
    return union, report


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file as strings-and-numbers, turning I/O failures into CatalogError."""
    p = Path(path)
    if not p.exists():
        raise CatalogError(f"catalog file not found: {p} (check the path or CLUSTERFY_CATALOG)")
    if p.is_dir():
        raise CatalogError(f"catalog path is a folder, not a file: {p}")
    try:
        if p.suffix.lower() in {".parquet", ".pq"}:
            return _read_parquet(p)
        return pd.read_csv(
            p,
            encoding="utf-8-sig",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            on_bad_lines="skip",
            low_memory=False,
        )
    except CatalogError:
        raise
    except pd.errors.EmptyDataError:
        raise CatalogError(f"catalog file is empty: {p}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"catalog file is not UTF-8 text (is it a CSV?): {p}") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise CatalogError(f"could not read catalog {p}: {_first_line(exc)}") from None


def _read_parquet(p: Path) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401  (pandas needs it; we only check it is there)
    except ImportError:
        raise CatalogError(
            "reading Parquet needs pyarrow: pip install 'clusterfy[parquet]' (or use a CSV)"
        ) from None
    return pd.read_parquet(p)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def resolve_columns(columns: list[str]) -> dict[str, str]:
    """Map canonical column names to the file's names via :data:`COLUMN_ALIASES`."""
    lower = {c.strip().lower(): c for c in columns}
    mapping: dict[str, str] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in lower and lower[alias] not in mapping.values():
                mapping[canonical] = lower[alias]
                break
    return mapping


def detect_layout(columns: list[str]) -> str:
    lower = {c.strip().lower() for c in columns}
    for name, marks in KNOWN_LAYOUTS.items():
        if all(m in lower for m in marks):
            return name.split(" (")[0]
    return "custom"


def clean_catalog(
    raw: pd.DataFrame, features: tuple[str, ...] = AUDIO_FEATURES, source: str = "<table>"
) -> tuple[pd.DataFrame, CleaningReport]:
    """Turn a raw table of any known layout into the canonical, cleaned song table."""
    mapping = resolve_columns([str(c) for c in raw.columns])
    missing = [c for c in (*REQUIRED_TEXT_COLUMNS, *features) if c not in mapping]
    if missing:
        known = "; ".join(f"{n}: {', '.join(m)}, ..." for n, m in KNOWN_LAYOUTS.items())
        raise CatalogError(
            f"{source} is missing required column(s): {', '.join(missing)}. Known layouts — {known}"
        )
    layout = detect_layout([str(c) for c in raw.columns])
    n_read = len(raw)
    if n_read == 0:
        raise CatalogError(f"{source} has a header but no songs")

    songs = pd.DataFrame(index=raw.index)
    songs["name"] = _map_distinct(_text_column(raw[mapping["name"]]), clean_display)
    artists = _map_distinct(_text_column(raw[mapping["artist"]]), split_artists)
    songs["artists"] = artists
    songs["artist"] = _map_distinct(artists, ", ".join)
    given_ids = (
        _map_distinct(_text_column(raw[mapping["id"]]), clean_display) if "id" in mapping else [""] * n_read
    )
    songs["id"] = [i or derived_id(a, n) for i, a, n in zip(given_ids, songs["artist"], songs["name"])]
    has_ids = any(given_ids)
    songs["genres"] = (
        _map_distinct(_text_column(raw[mapping["genres"]]), _parse_genres)
        if "genres" in mapping
        else [()] * n_read
    )
    notes: Counter[str] = Counter()
    if "release" in mapping:
        songs["year"], year_notes = _parse_year(raw[mapping["release"]], placeholder=layout == "hits")
    else:
        songs["year"], year_notes = pd.array([pd.NA] * n_read, dtype="Int64"), {}
    note_columns = {note: f"_note{i}" for i, note in enumerate(year_notes)}
    for note, column in note_columns.items():
        songs[column] = year_notes[note]
    songs["popularity"] = (
        pd.to_numeric(raw[mapping["popularity"]], errors="coerce").astype(float)
        if "popularity" in mapping
        else np.nan
    )
    songs["explicit"] = _parse_bool(raw[mapping["explicit"]]) if "explicit" in mapping else False
    songs["source"] = source
    for feature in features:
        songs[feature] = pd.to_numeric(raw[mapping[feature]], errors="coerce").astype(float)

    dropped: Counter[str] = Counter()
    keep = (songs["name"] != "") & (songs["artist"] != "")
    dropped[DROP_MISSING_TITLE] = int((~keep).sum())
    feats = songs[list(features)]
    finite = np.isfinite(feats.to_numpy(dtype=float)).all(axis=1)
    dropped[DROP_MISSING_FEATURE] = int((keep & ~finite).sum())
    keep &= finite
    in_range = np.ones(len(songs), dtype=bool)
    for feature in features:
        lo, hi = FEATURE_RANGES[feature]
        in_range &= songs[feature].between(lo, hi).to_numpy()
    dropped[DROP_OUT_OF_RANGE] = int((keep & ~in_range).sum())
    keep &= in_range
    songs = songs[keep.to_numpy()]

    dup_id = songs["id"].duplicated(keep="first")
    if has_ids:
        dropped[DROP_DUPLICATE_ID] = int(dup_id.sum())
    else:  # ids derived from artist + title: a repeated id is the same song listed again
        dropped[DROP_DUPLICATE_ID] = 0
        dropped[DROP_REPEATED_NO_ID] = int(dup_id.sum())
    songs = songs[~dup_id]

    songs = songs.assign(
        name_key=_map_distinct(songs["name"].tolist(), title_key),
        artist_key=_map_distinct(songs["artist"].tolist(), artist_key),
    )
    dup_song = songs.duplicated(subset=["name_key", "artist_key", *features], keep="first")
    dropped[DROP_DUPLICATE_SONG] = int(dup_song.sum())
    songs = songs[~dup_song].reset_index(drop=True)

    if songs.empty:
        raise CatalogError(
            f"{source}: no usable songs left after cleaning "
            f"({', '.join(f'{n} {r}' for r, n in dropped.items() if n)})"
        )
    songs["id"] = songs["id"].astype(object)
    for note, column in note_columns.items():
        notes[note] = int(songs[column].sum())
    report = CleaningReport(
        source=source,
        layout=layout,
        rows_read=n_read,
        rows_kept=len(songs),
        dropped=dict(dropped),
        notes={n: c for n, c in notes.items() if c},
    )
    for line in report.lines():
        logger.info(line)
    return songs[canonical_columns(features)], report


def canonical_columns(features: tuple[str, ...] | list[str] = AUDIO_FEATURES) -> list[str]:
    """Columns of the cleaned song table, in order (the audio features last)."""
    return [
        "id",
        "name",
        "artist",
        "artists",
        "genres",
        "year",
        "popularity",
        "explicit",
        "source",
        "name_key",
        "artist_key",
        *features,
    ]


_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def _map_distinct(values: list[_K], fn: Callable[[_K], _V]) -> list[_V]:
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


def _text_column(col: pd.Series) -> list[str]:
    return [
        ""
        if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA)
        else str([str(x) for x in v])
        if isinstance(v, (list, tuple, np.ndarray))
        else str(v)
        for v in col.tolist()
    ]


def _literal_list(value: str) -> list[str] | None:
    """Parse a Python-list string such as "['a', 'b']" safely (literal_eval, no code)."""
    text = value.strip()
    if not (text.startswith("[") and text.endswith("]")) or len(text) > 5_000:
        return None
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(parsed, (list, tuple)):
        return None
    return [clean_display(x) for x in parsed if clean_display(x)]


def split_artists(value: str) -> tuple[str, ...]:
    """The individual artists of an artist field, in order.

    List-strings (``"['A', 'B']"``) and ';'-separated names (the tracks dataset) are
    split on their own separator. Plain text is split on commas (the hits files write
    ``"Future, Drake, Tems"``, sometimes ``"Kendrick Lamar,SZA"``), except inside the
    names of :data:`COMMA_ARTIST_NAMES` such as "Tyler, The Creator". A rule such as
    "', The ' is not a separator" would be wrong here: "Bad Bunny, The Marías" and
    "Zerb, The Chainsmokers, Ink" are in the same files.
    """
    items = _literal_list(value)
    if items is None:
        if ";" in value:
            items = [clean_display(x) for x in value.split(";")]
        elif "," in value:
            items = _split_commas(clean_display(value))
        else:
            items = [clean_display(value)]
    return tuple(dict.fromkeys(x for x in items if x))


_COMMA_NAMES_FOLDED = sorted(((fold(n), n) for n in COMMA_ARTIST_NAMES), key=lambda t: -len(t[0].split()))


def _split_commas(text: str) -> list[str]:
    pieces = [p.strip() for p in text.split(",")]
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for folded, name in _COMMA_NAMES_FOLDED:
            width = name.count(",") + 1
            if i + width <= len(pieces) and fold(", ".join(pieces[i : i + width])) == folded:
                out.append(", ".join(pieces[i : i + width]))
                i += width
                break
        else:
            out.append(pieces[i])
            i += 1
    return out


def derived_id(artist: str, title: str) -> str:
    """Stable id of a song whose file has none: ``cf-`` + 16 hex digits of SHA-1.

    Computed from the folded artist and the folded full title (version tags kept, so a
    live take and the studio one stay apart): the same song gets the same id on every
    run, machine and row order, whatever its case, accents or punctuation.
    """
    digest = hashlib.sha1(f"{fold(artist)}\x1f{fold(title)}".encode()).hexdigest()
    return DERIVED_ID_PREFIX + digest[:16]


#: Spellings of one genre word that different files use: "hip-hop" (the appended hits rows),
#: "hip hop" (the original ones and the study), "hiphop".
_GENRE_SPELLINGS = (
    (re.compile(r"\bhip[\s-]?hop\b"), "hip hop"),
    (re.compile(r"\br\s?(?:&|n|'n'|and)\s?b\b"), "r&b"),
    (re.compile(r"\blo[\s-]fi\b"), "lofi"),
)


def normalise_genre(word: str) -> str:
    """Lower-case genre word with one spelling per genre (``hip-hop`` -> ``hip hop``)."""
    out = " ".join(clean_display(word).lower().split())
    for pattern, canonical in _GENRE_SPELLINGS:
        out = pattern.sub(canonical, out)
    return out


def _parse_genres(value: str) -> tuple[str, ...]:
    items = _literal_list(value)
    if items is None:
        text = value.strip()
        # The hits files: "hip hop, pop, R&B", "rock,punk", or the literal "set()" for none.
        items = [] if text in {"", "set()", "[]"} else re.split(r"[;,]", text)
    return tuple(dict.fromkeys(g for g in (normalise_genre(x) for x in items) if g))


def _parse_year(col: pd.Series, placeholder: bool = False) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """Year from 'YYYY', 'DD-MM-YYYY', 'YYYY-MM-DD' or 'YYYY-MM'; out-of-era values become NA.

    Also returns, per note, the rows whose year became unknown for that reason: a given
    value that is not a year (``#VALUE!``), and with ``placeholder`` (the hits layout)
    the year 1905 that file uses for "unknown".
    """
    text = col.astype(str)
    years = pd.to_numeric(text.str.extract(r"(\d{4})", expand=False), errors="coerce")
    given = col.notna().to_numpy() & (text.str.strip() != "").to_numpy()
    notes: dict[str, np.ndarray] = {NOTE_BAD_YEAR: given & years.isna().to_numpy()}
    if placeholder:
        is_placeholder = (years == HITS_UNKNOWN_YEAR).to_numpy()
        notes[NOTE_PLACEHOLDER_YEAR] = is_placeholder
        years = years.where(~is_placeholder)
    years = years.where((years >= 1800) & (years <= 2100))
    return years.astype("Int64"), notes


def _parse_bool(col: pd.Series) -> pd.Series:
    return col.astype(str).str.strip().str.lower().isin({"1", "true", "yes", "t"})
