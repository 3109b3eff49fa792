"""Load a catalog: one file, a folder, or several paths, cleaned, merged and reported.

Every file is read first, so the artist vocabulary (engine.catalog.artists) can learn
from all of them which names are one artist; then each file is cleaned and its own
copies merged (its report), the files are merged with each other (the union's report),
and popularity is completed where a file says how popular a song is without Spotify's
0-100 figure (engine.catalog.popularity).
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from ..features import AUDIO_FEATURES, validate_features
from ..paths import CatalogError, catalog_files
from .artists import ArtistVocabulary
from .cleaning import MATCH_KEYS, read_rows
from .layout import Layout, recognise
from .merging import merge_copies
from .popularity import complete_popularity
from .reading import read_table
from .report import NOTE_UNION_NO_YEAR, CleaningReport

logger = logging.getLogger(__name__)


def load_catalog(
    path: str | Path | list[str | Path] | tuple[str | Path, ...],
    features: tuple[str, ...] | list[str] = AUDIO_FEATURES,
) -> tuple[pd.DataFrame, CleaningReport]:
    """Read and clean a catalog; return the canonical song table and the report.

    ``path`` is one file, a folder (its CSV/Parquet files, by name), several paths joined
    by ``os.pathsep`` or a list of paths. Several files are cleaned one by one and then
    united, the same song kept once with the best-known facts of every copy.

    The table has a RangeIndex and the columns of
    :func:`engine.catalog.cleaning.canonical_columns`, the audio features (float64) last.
    """
    feats = validate_features(features)
    files = catalog_files(path)
    raws = [(f.name, read_table(f)) for f in files]
    layouts = [recognise([str(c) for c in raw.columns], feats, name) for name, raw in raws]
    vocabulary = artist_vocabulary(raws, layouts)
    parts = [_clean_file(raw, feats, name, vocabulary, layout) for (name, raw), layout in zip(raws, layouts)]
    songs, report = parts[0] if len(parts) == 1 else _union(parts, feats)
    songs, report.popularity = complete_popularity(songs)
    songs = songs.drop(columns=list(MATCH_KEYS))
    for line in report.lines():
        logger.info(line)
    return songs, report


def artist_vocabulary(raws: list[tuple[str, pd.DataFrame]], layouts: list[Layout]) -> ArtistVocabulary:
    """What every file says about which artist names are one artist (see engine.catalog.artists)."""
    from .cleaning import text_cells

    vocabulary = ArtistVocabulary()
    for (_, raw), layout in zip(raws, layouts):
        vocabulary.add(text_cells(raw[layout.columns["artist"]]), layout.artist_kind)
    return vocabulary.finish()


def clean_catalog(
    raw: pd.DataFrame,
    features: tuple[str, ...] = AUDIO_FEATURES,
    source: str = "<table>",
    vocabulary: ArtistVocabulary | None = None,
) -> tuple[pd.DataFrame, CleaningReport]:
    """One raw table as canonical songs, copies merged (without popularity estimates)."""
    songs, report = _clean_file(raw, tuple(features), source, vocabulary, None)
    return songs.drop(columns=list(MATCH_KEYS)), report


def _clean_file(
    raw: pd.DataFrame,
    features: tuple[str, ...],
    source: str,
    vocabulary: ArtistVocabulary | None,
    layout: Layout | None,
) -> tuple[pd.DataFrame, CleaningReport]:
    rows, report = read_rows(raw, features, source, vocabulary, layout)
    result = merge_copies(rows, None, features)
    songs = result.songs
    report.merged = {r: n for r, n in result.merged.items() if n}
    report.dropped.update({r: n for r, n in result.dropped.items() if n})
    report.notes.update({r: n for r, n in result.notes.items() if n})
    report.rows_kept = len(songs)
    if songs.empty:
        raise CatalogError(
            f"{source}: no usable songs left after cleaning "
            f"({', '.join(f'{n} {r}' for r, n in report.dropped.items() if n)})"
        )
    return songs, report


def union_catalogs(
    parts: list[tuple[pd.DataFrame, CleaningReport]], features: tuple[str, ...] = AUDIO_FEATURES
) -> tuple[pd.DataFrame, CleaningReport]:
    """One table from several cleaned files, each song once (see engine.catalog.merging)."""
    songs, report = _union(parts, features)
    return songs.drop(columns=list(MATCH_KEYS)), report


def _union(
    parts: list[tuple[pd.DataFrame, CleaningReport]], features: tuple[str, ...]
) -> tuple[pd.DataFrame, CleaningReport]:
    tables = [t for t, _ in parts]
    songs = pd.concat(tables, ignore_index=True)
    file_no = np.repeat(np.arange(len(tables)), [len(t) for t in tables])
    result = merge_copies(songs, file_no, features)
    union = result.songs
    reports = [r for _, r in parts]
    notes = {**result.notes, NOTE_UNION_NO_YEAR: int(union["year"].isna().sum())}
    report = CleaningReport(
        source=" + ".join(r.source for r in reports),
        layout=f"union of {len(reports)} files",
        rows_read=sum(r.rows_read for r in reports),
        rows_kept=len(union),
        dropped={k: v for k, v in result.dropped.items() if v},
        notes={k: v for k, v in notes.items() if v},
        files=reports,
        merged={k: v for k, v in result.merged.items() if v},
    )
    return union, report
