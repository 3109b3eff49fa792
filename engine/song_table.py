"""The song table every part of the engine reads: display columns, id → row, labels.

The cleaned catalog (a DataFrame, see :func:`engine.catalog.load_catalog`) is the truth,
but per request the engine cannot afford pandas (``.iloc`` costs far more than building a
whole answer), so the columns people see are turned into plain lists and numpy arrays
once, here, and shared: the resolver, the recommender and the service used to hold a
copy each (and two id → row maps). Row positions are the song indices used everywhere.

:func:`song_label` is the one place "Title — Artist (year)" is written; the bot's
markdown variants escape the parts and format them with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

#: Between title and artist in every label.
LABEL_SEPARATOR = " — "


def utf16_len(text: str) -> int:
    """Length as Discord counts it (UTF-16 code units), which is never less than len()."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def truncate_utf16(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units, ending in "…" when cut."""
    if utf16_len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    out = text[: max(0, limit - 1)]
    while out and utf16_len(out) > limit - 1:
        out = out[:-1]
    return out.rstrip() + "…"


def song_label(name: str, artist: str, year: int | None = None, limit: int | None = None) -> str:
    """'Title — Artist (year)', the form lists, menus and autocomplete show.

    ``year`` None (unknown) leaves the parenthesis out. With ``limit`` the label fits in
    that many UTF-16 units (Discord's measure): the year is kept whole, the title is what
    people look for so it keeps its room, and the artist keeps at least a third; cut
    parts end in "…".
    """
    suffix = "" if year is None else f" ({year})"
    if limit is not None:
        budget = limit - len(LABEL_SEPARATOR) - len(suffix)
        if utf16_len(name) + utf16_len(artist) > budget:
            artist_room = max(budget - utf16_len(name), min(utf16_len(artist), budget // 3))
            artist = truncate_utf16(artist, artist_room)
            name = truncate_utf16(name, budget - utf16_len(artist))
    return f"{name}{LABEL_SEPARATOR}{artist}{suffix}"


def text_column(songs: pd.DataFrame, column: str) -> pd.Series:
    """A text column with missing values as "" (Arrow-backed stays Arrow-backed: fast)."""
    col = songs[column].reset_index(drop=True)
    if pd.api.types.infer_dtype(col, skipna=False) != "string":
        col = col.map(
            lambda v: (
                v
                if isinstance(v, str)
                else ("" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v))
            )
        )
    return col.fillna("")


def float_column(songs: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float64 with NaN for missing values (all NaN if absent)."""
    if column not in songs.columns:
        return np.full(len(songs), np.nan)
    values = pd.to_numeric(songs[column], errors="coerce")
    return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


@dataclass(frozen=True, eq=False, repr=False)
class SongTable:
    """What each song is called and which row it is, built once per catalog.

    Frozen and never changed after construction, so one table is shared by every
    thread and every part of the engine. Build it with :meth:`from_songs` or
    :meth:`from_model`.
    """

    #: Song ids (the catalog cleaned them; songs without one got a derived id).
    ids: list[str]
    names: list[str]
    #: The display string of a song's artist(s), "A, B" for several.
    artists: list[str]
    genres: list[tuple[str, ...]]
    #: Per song: cluster (NaN without a model), year and popularity (NaN when unknown),
    #: side by side so a batch of songs is read with one fancy index.
    numbers: np.ndarray
    #: Song id → row; the first occurrence wins, as in the catalog's duplicate-id rule.
    row_of_id: dict[str, int]
    #: Each song's cluster as integers (the model's ``labels_``), None without a model.
    clusters: np.ndarray | None = None
    #: The frame the table was read from (for the rarely needed columns, read lazily).
    songs: pd.DataFrame | None = field(default=None, compare=False)

    @classmethod
    def from_songs(cls, songs: pd.DataFrame, clusters: np.ndarray | None = None) -> SongTable:
        """The table of a cleaned catalog; ``clusters`` are its rows' mood clusters, if fitted."""
        n = len(songs)
        ids = text_column(songs, "id").tolist()
        names = text_column(songs, "name").tolist()
        artists = text_column(songs, "artist").tolist()
        genres: list[tuple[str, ...]] = (
            [tuple(g) if isinstance(g, (tuple, list)) else () for g in songs["genres"].tolist()]
            if "genres" in songs
            else [()] * n
        )
        if clusters is not None:
            clusters = np.asarray(clusters)
            if clusters.shape != (n,):
                raise ValueError(f"{clusters.shape[0] if clusters.ndim else 0} cluster labels for {n} songs")
        numbers = (
            np.column_stack(
                [
                    clusters.astype(np.float64) if clusters is not None else np.full(n, np.nan),
                    float_column(songs, "year"),
                    float_column(songs, "popularity"),
                ]
            )
            if n
            else np.empty((0, 3), dtype=np.float64)
        )
        row_of_id = dict(zip(reversed(ids), range(n - 1, -1, -1)))
        return cls(
            ids=ids,
            names=names,
            artists=artists,
            genres=genres,
            numbers=numbers,
            row_of_id=row_of_id,
            clusters=clusters,
            songs=songs,
        )

    @classmethod
    def from_model(cls, model) -> SongTable:
        """The table of a fitted model's songs, with their clusters."""
        return cls.from_songs(model.songs_, model.labels_)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def year(self) -> np.ndarray:
        """Release year per song as float64, NaN when unknown (a view, not a copy)."""
        return self.numbers[:, 1]

    @property
    def popularity(self) -> np.ndarray:
        """Popularity per song as float64, NaN when unknown (a view, not a copy)."""
        return self.numbers[:, 2]

    @cached_property
    def credits(self) -> list[tuple[str, ...]]:
        """Each song's individual artists ("Tyler, The Creator" stays one artist).

        The catalog's ``artists`` column when present, else the display string split on
        ", " (how the catalog joins several artists). Read on first use: most requests
        never need it and a million tuples cost a noticeable part of the start.
        """
        col = self.songs["artists"].tolist() if self.songs is not None and "artists" in self.songs else None
        if col is None:
            return [tuple(a.split(", ")) if a else () for a in self.artists]
        return [
            tuple(str(p) for p in c)
            if isinstance(c, (tuple, list)) and c
            else (tuple(a.split(", ")) if a else ())
            for c, a in zip(col, self.artists)
        ]

    def year_of(self, row: int) -> int | None:
        """The song's release year, None when unknown."""
        year = self.numbers[row, 1]
        return None if math.isnan(year) else int(year)

    def label(self, row: int, limit: int | None = None) -> str:
        """The song's :func:`song_label`; "?" stands in for a missing title or artist."""
        return song_label(self.names[row] or "?", self.artists[row] or "?", self.year_of(row), limit)


__all__ = [
    "LABEL_SEPARATOR",
    "SongTable",
    "float_column",
    "song_label",
    "text_column",
    "truncate_utf16",
    "utf16_len",
]
