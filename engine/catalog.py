"""Load a Spotify-features CSV (or Parquet) into Clusterfy's canonical song table.

The study used ``single_genre_artists.csv`` (23 columns); users bring other public
layouts too. Everything downstream sees one layout, so every quirk of the files
(list-strings for genres and artists, mixed date formats, NFD titles, duplicates,
broken rows) is handled here, once, and reported rather than silently fixed.
"""

from __future__ import annotations

import ast
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .features import AUDIO_FEATURES, FEATURE_RANGES, validate_features
from .text import artist_key, clean_display, title_key

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
}

#: The canonical columns a catalog must provide (besides the audio features).
REQUIRED_TEXT_COLUMNS = ("name", "artist")

#: Drop reasons, in the order they are applied and reported.
DROP_MISSING_TITLE = "missing title or artist"
DROP_MISSING_FEATURE = "missing or non-numeric audio features"
DROP_OUT_OF_RANGE = "audio features out of range"
DROP_DUPLICATE_ID = "duplicate song id"
DROP_DUPLICATE_SONG = "duplicate title + artist with identical features"


class CatalogError(ValueError):
    """A catalog file that cannot be used; the message says why and what to try."""


@dataclass
class CleaningReport:
    """What loading did to the file: how many rows came in, stayed, and why others left."""

    source: str
    layout: str
    rows_read: int
    rows_kept: int
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    def lines(self) -> list[str]:
        """Human-readable summary, one fact per line."""
        out = [
            f"catalog: {self.source} ({self.layout} layout)",
            f"rows read: {self.rows_read:,}; kept: {self.rows_kept:,}; dropped: {self.rows_dropped:,}",
        ]
        out += [f"  dropped {n:,}: {reason}" for reason, n in self.dropped.items() if n]
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "layout": self.layout,
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "dropped": dict(self.dropped),
        }


def load_catalog(
    path: str | Path, features: tuple[str, ...] | list[str] = AUDIO_FEATURES
) -> tuple[pd.DataFrame, CleaningReport]:
    """Read and clean a catalog file; return the canonical song table and the report.

    The table has a RangeIndex and the columns ``id, name, artist, genres (tuple),
    year (Int64), popularity (float), explicit (bool), name_key, artist_key`` and the
    audio features (float64).
    """
    feats = validate_features(features)
    raw = read_table(path)
    return clean_catalog(raw, feats, source=Path(path).name)


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
        return pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                           na_values=[""], on_bad_lines="skip", low_memory=False)
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
            f"{source} is missing required column(s): {', '.join(missing)}. "
            f"Known layouts — {known}"
        )
    layout = detect_layout([str(c) for c in raw.columns])
    n_read = len(raw)
    if n_read == 0:
        raise CatalogError(f"{source} has a header but no songs")

    songs = pd.DataFrame(index=raw.index)
    songs["name"] = _map_distinct(_text_column(raw[mapping["name"]]), clean_display)
    songs["artist"] = _map_distinct(_text_column(raw[mapping["artist"]]), _parse_artists)
    if "id" in mapping:
        songs["id"] = _map_distinct(_text_column(raw[mapping["id"]]), clean_display)
    else:
        songs["id"] = [f"row{i}" for i in range(n_read)]
    songs["genres"] = (
        _map_distinct(_text_column(raw[mapping["genres"]]), _parse_genres)
        if "genres" in mapping else [()] * n_read
    )
    songs["year"] = (
        _parse_year(raw[mapping["release"]]) if "release" in mapping
        else pd.array([pd.NA] * n_read, dtype="Int64")
    )
    songs["popularity"] = (
        pd.to_numeric(raw[mapping["popularity"]], errors="coerce").astype(float)
        if "popularity" in mapping else np.nan
    )
    songs["explicit"] = (
        _parse_bool(raw[mapping["explicit"]]) if "explicit" in mapping else False
    )
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
    dropped[DROP_DUPLICATE_ID] = int(dup_id.sum())
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
    report = CleaningReport(source=source, layout=layout, rows_read=n_read,
                            rows_kept=len(songs), dropped=dict(dropped))
    for line in report.lines():
        logger.info(line)
    columns = ["id", "name", "artist", "genres", "year", "popularity", "explicit",
               "name_key", "artist_key", *features]
    return songs[columns], report


def _map_distinct(values: list[str], fn: Callable[[str], object]) -> list[object]:
    """``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Artists, genres and many titles repeat across a catalog; the per-value text work
    (Unicode normalisation, literal_eval) dominated loading 100k songs before this.
    """
    cache: dict[str, object] = {}
    out = []
    for v in values:
        r = cache.get(v, _MISSING)
        if r is _MISSING:
            r = cache[v] = fn(v)
        out.append(r)
    return out


_MISSING = object()


def _text_column(col: pd.Series) -> list[str]:
    return ["" if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA)
            else str([str(x) for x in v]) if isinstance(v, (list, tuple, np.ndarray))
            else str(v)
            for v in col.tolist()]


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


def _parse_artists(value: str) -> str:
    """Display string for artists: list-strings and ';'-separated names become 'A, B'."""
    items = _literal_list(value)
    if items is None:
        items = [clean_display(x) for x in value.split(";")] if ";" in value else [clean_display(value)]
    return ", ".join(x for x in items if x)


def _parse_genres(value: str) -> tuple[str, ...]:
    items = _literal_list(value)
    if items is None:
        items = [clean_display(x) for x in value.split(";")] if value.strip() else []
    return tuple(dict.fromkeys(x.lower() for x in items if x))


def _parse_year(col: pd.Series) -> pd.Series:
    """Year from 'YYYY', 'DD-MM-YYYY', 'YYYY-MM-DD' or 'YYYY-MM'; out-of-era values become NA."""
    years = pd.to_numeric(col.astype(str).str.extract(r"(\d{4})", expand=False), errors="coerce")
    years = years.where((years >= 1800) & (years <= 2100))
    return years.astype("Int64")


def _parse_bool(col: pd.Series) -> pd.Series:
    return col.astype(str).str.strip().str.lower().isin({"1", "true", "yes", "t"})
