"""Text columns kept as flat arrays, so a million songs' strings can be memory-mapped.

A Python list of a million short strings costs each process ~80 MB of its own heap and a
few tenths of a second to build; the ids, titles, artists, genres and name keys of a
catalog are five such lists. Stored instead as one UTF-8 byte array plus an offsets
array, they are saved with the model artifact as ``.npy`` files and mapped read-only by
every bot process (engine.storage.serving), so the pages live once in the kernel's page cache.
A string is decoded when it is read (about 0.3 µs); requests read tens or hundreds of
them, never the whole column.

:class:`TextColumn` is a ``Sequence[str]`` (``bisect`` and ``len`` work on it),
:class:`TupleColumn` a sequence of string tuples (genres, credited artists) and
:class:`IdIndex` the id → first row lookup, a binary search over the ids in sorted order
instead of a million-entry dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

#: Between the parts of a tuple stored in a :class:`TupleColumn` (a part holding it has it
#: replaced by a space; the catalog strips control characters from text anyway).
PART_SEPARATOR = "\x1f"


class TextColumn(Sequence[str]):
    """Strings as one UTF-8 blob (``utf8``) and ``n + 1`` byte offsets; read-only."""

    __slots__ = ("_bytes", "_n", "_offsets", "offsets", "utf8")

    def __init__(self, utf8: np.ndarray, offsets: np.ndarray) -> None:
        if utf8.dtype != np.uint8 or utf8.ndim != 1:
            raise ValueError("a text column's blob must be a 1-D uint8 array")
        if offsets.ndim != 1 or offsets.dtype != np.int64 or len(offsets) == 0:
            raise ValueError("a text column's offsets must be a non-empty 1-D int64 array")
        if int(offsets[0]) != 0 or int(offsets[-1]) != len(utf8):
            raise ValueError("a text column's offsets do not span its blob")
        self.utf8 = utf8
        self.offsets = offsets
        self._n = len(offsets) - 1
        # memoryviews: indexing one is a fraction of numpy's scalar indexing cost
        self._bytes = memoryview(utf8)  # type: ignore[arg-type]  # ndarray has the buffer protocol
        self._offsets = memoryview(offsets)  # type: ignore[arg-type]

    @classmethod
    def from_strings(cls, strings: Iterable[str]) -> TextColumn:
        """The column of ``strings`` (which must all be str)."""
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8) if encoded else np.zeros(0, np.uint8)
        return cls(blob, offsets)

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save (see :meth:`from_arrays`)."""
        return {"utf8": self.utf8, "offsets": self.offsets}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TextColumn:
        return cls(arrays["utf8"], arrays["offsets"])

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if type(index) is int and 0 <= index < self._n:  # the usual case, checked fast
            offsets = self._offsets
            return str(self._bytes[offsets[index] : offsets[index + 1]], "utf-8", "surrogatepass")
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._n))]
        i = index.__index__()
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("text column index out of range")
        return self[i]

    def take(self, indices: Sequence[int] | np.ndarray) -> list[str]:
        """The strings at ``indices`` (valid positions), about twice as fast as one by one."""
        rows = np.asarray(indices, dtype=np.int64)
        if rows.size and (int(rows.min()) < 0 or int(rows.max()) >= self._n):
            raise IndexError("text column index out of range")
        blob = self._bytes
        return [
            str(blob[a:b], "utf-8", "surrogatepass")
            for a, b in zip(self.offsets[rows].tolist(), self.offsets[rows + 1].tolist())
        ]

    def __iter__(self) -> Iterator[str]:
        # one decode of the whole blob, then slices: iterating a whole column is rare
        # (building an index), and this is several times faster than item by item
        blob = bytes(self._bytes)
        offsets = self.offsets.tolist()
        for a, b in zip(offsets, offsets[1:]):
            yield blob[a:b].decode("utf-8", "surrogatepass")

    def tolist(self) -> list[str]:
        return list(self)

    def __eq__(self, other: object) -> bool:
        """Same strings in the same order (compared as arrays, not decoded)."""
        if not isinstance(other, TextColumn):
            return NotImplemented
        return other is self or (
            np.array_equal(self.offsets, other.offsets) and np.array_equal(self.utf8, other.utf8)
        )

    __hash__ = None  # type: ignore[assignment]  # equal by content, and not immutable in type

    def __repr__(self) -> str:
        return f"TextColumn({self._n} strings, {len(self.utf8)} bytes)"


class TupleColumn(Sequence[tuple[str, ...]]):
    """Tuples of strings (a song's genres, its credited artists) stored as a :class:`TextColumn`."""

    __slots__ = ("text",)

    def __init__(self, text: TextColumn) -> None:
        self.text = text

    @classmethod
    def from_tuples(cls, tuples: Iterable[Sequence[str]]) -> TupleColumn:
        return cls(
            TextColumn.from_strings(
                PART_SEPARATOR.join(str(part).replace(PART_SEPARATOR, " ") for part in t) for t in tuples
            )
        )

    def arrays(self) -> dict[str, np.ndarray]:
        return self.text.arrays()

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> TupleColumn:
        return cls(TextColumn.from_arrays(arrays))

    def __len__(self) -> int:
        return len(self.text)

    @overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        joined = self.text[index]
        return tuple(joined.split(PART_SEPARATOR)) if joined else ()

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        for joined in self.text:
            yield tuple(joined.split(PART_SEPARATOR)) if joined else ()

    def __repr__(self) -> str:
        return f"TupleColumn({len(self)} tuples)"


class IdIndex:
    """Song id → row of its first occurrence, by binary search over the ids in sorted order.

    Behaves like the read-only dict it replaces (``get``, ``[]``, ``in``, ``len``): about
    20 string reads per lookup at a million songs (~6 µs), and no per-process heap.
    """

    __slots__ = ("_order", "ids", "order")

    def __init__(self, ids: TextColumn, order: np.ndarray) -> None:
        if order.shape != (len(ids),):
            raise ValueError(f"an id order of {order.shape[0] if order.ndim else 0} rows for {len(ids)} ids")
        self.ids = ids
        self.order = order
        self._order = memoryview(order)  # type: ignore[arg-type]  # ndarray has the buffer protocol

    @classmethod
    def build(cls, ids: TextColumn) -> IdIndex:
        """Index ``ids``; equal ids keep row order, so the first occurrence is found first."""
        values = np.array(list(ids), dtype=object)
        order = np.argsort(values, kind="stable").astype(np.int64) if len(values) else np.zeros(0, np.int64)
        return cls(ids, order)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"order": self.order}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IdIndex):
            return NotImplemented
        return other is self or (self.ids == other.ids and np.array_equal(self.order, other.order))

    __hash__ = None  # type: ignore[assignment]

    def get(self, song_id: object, default: int | None = None) -> int | None:
        """The first row with this id, or ``default``."""
        if not isinstance(song_id, str):
            return default
        ids, order = self.ids, self._order
        lo, hi = 0, len(order)
        while lo < hi:  # bisect_left over ids in sorted order
            mid = (lo + hi) // 2
            if ids[order[mid]] < song_id:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(order) and ids[order[lo]] == song_id:
            return int(order[lo])
        return default

    def __getitem__(self, song_id: str) -> int:
        row = self.get(song_id)
        if row is None:
            raise KeyError(song_id)
        return row

    def __contains__(self, song_id: object) -> bool:
        return self.get(song_id) is not None

    def __len__(self) -> int:
        """Number of distinct ids."""
        if not len(self.order):
            return 0
        ordered = [self.ids[i] for i in self.order.tolist()]
        return 1 + sum(a != b for a, b in zip(ordered, ordered[1:]))


__all__ = ["PART_SEPARATOR", "IdIndex", "TextColumn", "TupleColumn"]
