"""The song table every part of the engine reads: display columns, id → row, labels.

The cleaned catalog (a DataFrame, see :func:`engine.catalog.load_catalog`) is the truth,
but per request the engine cannot afford pandas (``.iloc`` costs far more than building a
whole answer), so the columns people see are turned into flat text columns
(engine.storage.columns) and numpy arrays once, here, and shared: the resolver, the recommender
and the service used to hold a copy each (and two id → row maps). Saved with the model
artifact, a table is memory-mapped by every process instead of rebuilt. Row positions
are the song indices used everywhere.

:func:`song_label` is the one place "Title — Artist (year)" is written; the bot's
markdown variants escape the parts and format them with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .storage.columns import IdIndex, TextColumn, TupleColumn
from .storage.serving import part_of, prefixed

if TYPE_CHECKING:
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
    import pandas as pd  # building only: serving never imports pandas

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
    import pandas as pd  # building only: serving never imports pandas

    if column not in songs.columns:
        return np.full(len(songs), np.nan)
    values = pd.to_numeric(songs[column], errors="coerce")
    return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def check_row(index: object, n_songs: int) -> int:
    """``index`` as a song row in 0..n_songs-1: TypeError for anything but an integer,
    IndexError out of range (a bool is no song number)."""
    if type(index) is int and 0 <= index < n_songs:  # the usual case, checked fast
        return index
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(f"song index must be an integer, got {type(index).__name__}")
    i = int(index)
    if not 0 <= i < n_songs:
        raise IndexError(f"song index {i} out of range 0..{n_songs - 1}")
    return i


@dataclass(frozen=True, eq=False, repr=False)
class SongTable:
    """What each song is called and which row it is, built once per catalog.

    Frozen and never changed after construction, so one table is shared by every
    thread and every part of the engine. Build it with :meth:`from_songs` or
    :meth:`from_model`; :meth:`arrays` and :meth:`from_arrays` save and map it (the
    text columns are flat arrays, see engine.storage.columns, so a mapped table costs a
    process no heap).
    """

    #: Song ids (the catalog cleaned them; songs without one got a derived id).
    ids: TextColumn
    names: TextColumn
    #: The display string of a song's artist(s), "A, B" for several.
    artists: TextColumn
    genres: TupleColumn
    #: Per song: cluster (NaN without a model), year and popularity (NaN when unknown),
    #: side by side so a batch of songs is read with one fancy index.
    numbers: np.ndarray
    #: Song id → row; the first occurrence wins, as in the catalog's duplicate-id rule.
    row_of_id: IdIndex
    #: Each song's cluster as integers (the model's ``labels_``), None without a model.
    clusters: np.ndarray | None = None

    @classmethod
    def from_songs(cls, songs: pd.DataFrame, clusters: np.ndarray | None = None) -> SongTable:
        """The table of a cleaned catalog; ``clusters`` are its rows' mood clusters, if fitted."""
        n = len(songs)
        ids = TextColumn.from_strings(text_column(songs, "id").tolist())
        artists = text_column(songs, "artist").tolist()
        genres = (
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
        return cls(
            ids=ids,
            names=TextColumn.from_strings(text_column(songs, "name").tolist()),
            artists=TextColumn.from_strings(artists),
            genres=TupleColumn.from_tuples(genres),
            numbers=numbers,
            row_of_id=IdIndex.build(ids),
            clusters=clusters,
        )

    @classmethod
    def from_model(cls, model) -> SongTable:
        """The table of a fitted model's songs, with their clusters."""
        return cls.from_songs(model.songs_, model.labels_)

    def arrays(self) -> dict[str, np.ndarray]:
        """The table as named arrays, for engine.storage.serving to save (see :meth:`from_arrays`)."""
        out: dict[str, np.ndarray] = {"numbers": self.numbers, "id_order": self.row_of_id.order}
        for name in ("ids", "names", "artists", "genres"):
            out.update(prefixed(name, getattr(self, name).arrays()))
        if self.clusters is not None:
            out["clusters"] = self.clusters
        return out

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> SongTable:
        """The table over arrays :meth:`arrays` gave (mapped ones stay mapped, nothing is copied)."""

        def text(name: str) -> TextColumn:
            return TextColumn.from_arrays(part_of(arrays, name))

        ids = text("ids")
        n = len(ids)
        numbers = arrays["numbers"]
        clusters = arrays.get("clusters")
        parts = [text("names"), text("artists"), text("genres")]
        if (
            numbers.shape != (n, 3)
            or any(len(p) != n for p in parts)
            or (clusters is not None and clusters.shape != (n,))
        ):
            raise ValueError(f"song table arrays disagree on the number of songs ({n} ids)")
        return cls(
            ids=ids,
            names=parts[0],
            artists=parts[1],
            genres=TupleColumn(parts[2]),
            numbers=numbers,
            row_of_id=IdIndex(ids, arrays["id_order"]),
            clusters=clusters,
        )

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
    "check_row",
    "float_column",
    "song_label",
    "text_column",
    "truncate_utf16",
    "utf16_len",
]
