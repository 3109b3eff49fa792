"""Each song's nearest neighbours in its cluster, found once when a model is saved.

A first page of "songs like this one" scans the seed's whole cluster: at 100,000 songs
that is 33k-45k ranking vectors (~3 MB) and some thirty numpy calls around them, 0.2-0.5
ms depending on the machine, for a list that depends on a few dozen songs. Item-to-item recommenders have long
answered from precomputed neighbour lists instead; this is that list, kept exact.

For every song of a cluster the table holds up to :data:`WIDTH` songs of that cluster in
order of their (float32) score against it, at most :data:`PER_ARTIST` of any one artist
(more only when they are within :data:`engine.page_select.SLACK` of that artist's last
kept song), plus:

- ``floor``: the best score of a song left out for want of room (-inf when the table
  holds every song of the cluster that is not an artist's surplus);
- ``limited``: per slot, whether the slot's artist had songs left out as surplus.

A first page read from the table is the page a scan of the whole cluster gives when its
last pick scores at least ``floor`` + SLACK (a song left out for room cannot beat it) and
every artist with surplus has at least ``cap`` showable songs of their own in the table
(its surplus ranks below them all, so the cap skips it). Otherwise the caller scans:
the table only ever makes a page faster, never different, so its contents may differ in
their last bits between machines without changing any answer.

Building costs a product of the cluster with itself and a partition per song (seconds at
100,000 songs), so it is built when the serving arrays are saved, and only for clusters
small enough: big ones are served by engine.cell_scan, and their table would cost minutes
and hundreds of MB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .page_select import SLACK, first_page, rank_within

#: Neighbours kept per song: a page of 10 with 2 per artist needs 10 songs of 5 artists
#: and the table holds at least WIDTH / PER_ARTIST artists.
WIDTH = 48
#: At most this many songs of one artist per song's list (the page's cap is usually 2):
#: without it a prolific artist's near-identical songs fill the list, and the page runs
#: out of artists it may show.
PER_ARTIST = 4
#: Candidates looked at per song before the per-artist rule, then four times as many for
#: the songs whose list came out short (a few prolific, alike artists hold the top: on
#: the synthetic catalogs an artist has ~150 songs in a cluster), up to MAX_LOOK.
LOOK = 4 * WIDTH
MAX_LOOK = 16 * LOOK
#: Songs whose scores are computed in one product (CHUNK × cluster float32 scores, and
#: int64 positions as many from the partition, per thread): 256 took the default
#: catalog's build to ~420 MB peak and 64 to ~130 MB, in the same time.
CHUNK = 64
#: Threads building a table (numpy's partition and sort let go of the GIL).
BUILD_THREADS = 2


@dataclass(frozen=True)
class NeighbourTable:
    """One cluster's neighbour lists (rows within the cluster; see the module docstring).

    ``rows``: (size, WIDTH) int32, best first, -1 past a short list; ``floor``: (size,)
    float32; ``limited``: (size, WIDTH) bool.
    """

    rows: np.ndarray
    floor: np.ndarray
    limited: np.ndarray

    @classmethod
    def build(
        cls, block_t: np.ndarray, artist_of_row: np.ndarray, group_of_row: np.ndarray
    ) -> NeighbourTable:
        """From a cluster's transposed ranking block (dims × size, float32) and its rows'
        artist codes and same-song groups."""
        size = block_t.shape[1]
        rows = np.full((size, WIDTH), -1, dtype=np.int32)
        floor = np.full(size, -np.inf, dtype=np.float32)
        limited = np.zeros((size, WIDTH), dtype=bool)
        if size < 2:
            return cls(rows, floor, limited)  # no other song to list
        by_song = np.ascontiguousarray(block_t.T)
        looks = sorted({min(size - 1, k) for k in (LOOK, 4 * LOOK, MAX_LOOK)})
        artists, groups = artist_of_row.astype(np.int64), group_of_row.astype(np.int64)
        keys = _Keys(artists, groups, int(max(artists.max(initial=0), groups.max(initial=0))) + 1)

        def chunk(lo: int) -> None:
            hi = min(size, lo + CHUNK)
            scores = by_song[lo:hi] @ block_t
            scores[np.arange(hi - lo), np.arange(lo, hi)] = -np.inf  # never the song itself
            redo = np.arange(hi - lo)
            for look in looks:
                part = scores[redo]
                if look + 1 < size:
                    window = np.argpartition(part, size - 1 - look, axis=1)[:, size - 1 - look :]
                else:
                    window = np.broadcast_to(np.arange(size), part.shape)
                got = _lists(part, window, look, np.arange(lo, hi)[redo], keys)
                rows[lo + redo], floor[lo + redo], limited[lo + redo] = got[:3]
                redo = redo[got[3]]
                if not redo.shape[0]:
                    break

        with ThreadPoolExecutor(max_workers=BUILD_THREADS) as pool:
            list(pool.map(chunk, range(0, size, CHUNK)))
        return cls(rows, floor, limited)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"rows": self.rows, "floor": self.floor, "limited": self.limited}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> NeighbourTable:
        return cls(arrays["rows"], arrays["floor"], arrays["limited"])


@dataclass(frozen=True)
class _Keys:
    """A cluster's rows' artists and groups, and ``span``: above every code of either, so
    that ``song * span + code`` is one int64 key per (song, artist) or (song, group)."""

    artist: np.ndarray
    group: np.ndarray
    span: int


def _lists(
    scores: np.ndarray, window: np.ndarray, look: int, songs: np.ndarray, keys: _Keys
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Songs' lists (rows, floor, limited: see :class:`NeighbourTable`) from their scores
    against the cluster (the songs themselves -inf) and the columns of their ``look + 1``
    best (any order; all columns when the cluster is that small), and which lists came
    out short because ``look`` was too few."""
    b = scores.shape[0]
    vals = np.take_along_axis(scores, window, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    top = np.take_along_axis(window, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    # the best score past what is looked at: every song not in ``top`` scores at most this
    beyond = vals[:, look] if top.shape[1] > look else np.full(b, -np.inf, dtype=np.float32)
    top, vals = top[:, :look], vals[:, :look]
    row_key = np.arange(b, dtype=np.int64)[:, None] * keys.span
    groups = keys.group[top]
    # copies of the song itself are never shown: not listed, not counted
    valid = np.isfinite(vals) & (groups != keys.group[songs][:, None])
    # each artist's first PER_ARTIST groups (by their best copy), and the score of the last
    # of them: the artist's songs below it by SLACK or more are their surplus (shown on no
    # first page of cap ≤ the showable groups above it), the rest stay listed
    first_copy = valid & (rank_within((row_key + groups).ravel()).reshape(b, look) == 0)
    artist_key = row_key + keys.artist[top]
    group_rank = np.full((b, look), PER_ARTIST, dtype=np.int64)
    group_rank[first_copy] = rank_within(artist_key[first_copy])
    at_limit = group_rank == PER_ARTIST - 1
    limit = _lookup(artist_key[at_limit], vals[at_limit], artist_key, -np.inf)
    keep = valid & (vals >= limit - np.float32(SLACK))
    surplus = valid & ~keep
    taken = keep & (np.cumsum(keep, axis=1) <= WIDTH)
    # When an artist's last counted group was left out for room, the floor covers their
    # surplus too; otherwise a page must check the artist (``limited``).
    flagged = np.isin(artist_key, np.intersect1d(artist_key[surplus], artist_key[at_limit & taken]))
    # songs neither taken nor surplus were left out for room: the best of them is the floor
    left_out = valid & ~taken & ~surplus
    first_left = np.where(left_out.any(axis=1), vals[np.arange(b), left_out.argmax(axis=1)], -np.inf)
    floor = np.maximum(first_left, beyond).astype(np.float32)
    # the taken ones, in order, to the front of each list
    slots = np.argsort(~taken, axis=1, kind="stable")[:, :WIDTH]
    listed = np.take_along_axis(taken, slots, axis=1)
    rows = np.full((b, WIDTH), -1, dtype=np.int32)
    limited = np.zeros((b, WIDTH), dtype=bool)
    width = slots.shape[1]
    rows[:, :width] = np.where(listed, np.take_along_axis(top, slots, axis=1), -1)
    limited[:, :width] = listed & np.take_along_axis(flagged, slots, axis=1)
    short = (listed.sum(axis=1) < WIDTH) & (beyond > -np.inf)
    return rows, floor, limited, short


def _lookup(known_keys: np.ndarray, known_vals: np.ndarray, keys: np.ndarray, missing: float) -> np.ndarray:
    """``known_vals`` by key for each of ``keys`` (``missing`` where unknown): keys unique."""
    by_key = np.argsort(known_keys)
    sorted_keys = known_keys[by_key]
    sorted_vals = known_vals[by_key]
    if sorted_keys.shape[0] == 0:
        return np.full(keys.shape, missing, dtype=np.float32)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.shape[0] - 1)
    return np.where(sorted_keys[at] == keys, sorted_vals[at], np.float32(missing))


def page_from(
    table: NeighbourTable,
    row: int,
    exact: np.ndarray,
    groups: np.ndarray,
    artists: np.ndarray,
    n: int,
    cap: int,
) -> np.ndarray | None:
    """Positions (into ``table.rows[row]``'s first ``exact.shape[0]`` slots) of the first
    page, best first, or None when the table cannot prove it is the whole cluster's.

    ``exact``, ``groups``, ``artists``: the listed songs' float64 scores (-inf: not
    showable, e.g. a copy of the seed or an excluded song), same-song groups and artists.
    """
    listed = exact.shape[0]
    picks = first_page(table.rows[row, :listed], exact, groups, artists, n, cap)
    floor = float(table.floor[row])
    if floor > -math.inf and (picks.shape[0] < n or exact[picks[-1]] < floor + SLACK):
        return None  # a song left out for room could be on the page
    limited = table.limited[row, :listed]
    if limited.any():
        if not cap:
            return None  # nothing caps the surplus: it could be on the page
        # An artist's surplus scores below each of their PER_ARTIST best by SLACK or more
        # (listed first, in order): when `cap` of those are showable, the cap skips it.
        counted: dict[int, set[int]] = {}
        shown: dict[int, int] = {}
        for a, g, v, lim in zip(artists.tolist(), groups.tolist(), exact.tolist(), limited.tolist()):
            if lim:
                seen = counted.setdefault(a, set())
                if g not in seen and len(seen) < PER_ARTIST:
                    seen.add(g)
                    shown[a] = shown.get(a, 0) + (v > -math.inf)
        if any(shown[a] < cap for a in counted):
            return None  # the artist's surplus could make up their share
    return picks


__all__ = ["CHUNK", "PER_ARTIST", "WIDTH", "NeighbourTable", "page_from"]
