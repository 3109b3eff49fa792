"""An exact first page of "songs like this one" that reads a few thousand songs of a big cluster.

A song's similarity to the seed (engine.recommend) is ``α·cos(songs) + β·cos(artists)``
(α = 1/(1+w), β = w/(1+w)). Within each artist (engine.artist_scan groups a cluster by
artist), songs are split into *cells* of at most :data:`CELL_SONGS` songs that sound alike,
each with the unit centre of its songs' unit vectors and the widest angle ``r`` of a song
from it. No song of a cell can be closer to the seed's unit vector than ``max(0, θ - r)``,
θ being the seed's angle to the centre, so no song of cell ``c`` of artist ``a`` scores above

    bound(c) = β·cos(artists a, seed's) + α·cos(max(0, θ - r)),

which needs no trigonometry: ``cos(θ - r) = cos θ cos r + sin θ sin r``.

A first page shows each same-song group once (its best copy) and at most ``cap`` songs per
artist. The n-th best of what a set of songs read allows under those rules never exceeds
the page's n-th pick (adding songs only raises it), so it is a floor ``f``: once every
unread cell's bound is below ``f``, every song that could be on the page has been read.
Two rounds: the best cells of the artists who sound most like the seed's give a floor; then
every cell whose bound reaches it is read (cells of artists whose artist term alone rules
them out are never even bounded) and the floor is taken again over those, which is then
the page's own n-th pick, so the pool handed back for exact ranking is about the page.

Cells keep each same-song group whole and its songs together, so the floor is a few
``reduceat`` calls (best per group, best ``cap`` groups per artist) and no sort. On the
synthetic million-song catalog a first page reads a median of ~4,500 of clusters of
70k-445k songs (``python -m benchmarks fastpath``). The answer is exact: the caller ranks
the pool in float64 with the full scan's rule and checks the last pick against the floor.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .page_select import SLACK

#: At most this many songs per cell (a same-song group bigger than that is one cell):
#: smaller cells bound tighter but cost more bounds per request. On the synthetic 1M
#: catalog 8 was no faster (p50 0.87 vs 0.85 ms in one process), and cells of whole
#: artists read ~5x the songs (the artist bound alone, engine.artist_scan).
CELL_SONGS = 16
#: The first round reads the FIRST_CELLS best cells of each of the 2·⌈n / cap⌉ +
#: FIRST_EXTRA_ARTISTS artists whose sound is nearest the seed artist's (both grow until
#: the floor exists).
FIRST_CELLS = 4
FIRST_EXTRA_ARTISTS = 2
#: Added to every cell's radius: float32 centres and vectors are off by ~1e-7.
RADIUS_SLACK = 1e-6


@dataclass(frozen=True)
class Cells:
    """The cells of one cluster, in the by-artist order of its songs (see :func:`build`).

    ``starts``: where each cell begins (one more entry than cells); ``artist_cells``: the
    first cell of each artist (one more entry than artists); ``artist``: each cell's
    artist (local index); ``centres``: unit centres (float32, cells × d); ``cos_r`` and
    ``sin_r``: cosine and sine of each radius (float32); ``groups``: each song's same-song
    group (the floor needs them at hand, in this order).
    """

    starts: np.ndarray
    artist_cells: np.ndarray
    artist: np.ndarray
    centres: np.ndarray
    cos_r: np.ndarray
    sin_r: np.ndarray
    groups: np.ndarray

    NAMES = ("starts", "artist_cells", "artist", "centres", "cos_r", "sin_r", "groups")

    def arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.NAMES}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Cells:
        return cls(**{name: arrays[name] for name in cls.NAMES})


def build(unit: np.ndarray, artist_starts: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, Cells]:
    """Cells over songs in by-artist order, and the order of the songs that makes them contiguous.

    ``unit``: the songs' unit vectors (float, songs × d); ``artist_starts``: where each
    artist begins; ``groups``: each song's same-song group. Returns ``perm`` (the songs'
    new order, a permutation of positions that keeps each artist's songs in its range)
    and the cells in that new order. An artist's songs are split in two along their
    principal axis, whole groups at a time, until each part has at most
    :data:`CELL_SONGS` songs or one group; songs of a group stay together.
    """
    unit = np.asarray(unit, dtype=np.float64)
    pieces: list[np.ndarray] = []
    owners: list[int] = []
    for a in range(artist_starts.shape[0] - 1):
        lo, hi = int(artist_starts[a]), int(artist_starts[a + 1])
        pos = np.arange(lo, hi)
        by_group = np.argsort(groups[pos], kind="stable")
        pos = pos[by_group]
        if hi - lo <= CELL_SONGS:
            pieces.append(pos)
            owners.append(a)
            continue
        g = groups[pos]
        first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        sizes = np.diff(np.append(first, g.shape[0])).astype(np.float64)
        means = np.add.reduceat(unit[pos], first, axis=0) / sizes[:, None]
        members = np.split(pos, first[1:])
        for part in _split(np.arange(first.shape[0]), sizes, means):
            pieces.append(np.concatenate([members[i] for i in part]))
            owners.append(a)
    perm = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
    starts = np.append(0, np.cumsum([p.shape[0] for p in pieces])).astype(np.int64)
    artist = np.asarray(owners, dtype=np.int32)
    n_cells = artist.shape[0]
    ordered = unit[perm]
    if n_cells:
        sums = np.add.reduceat(ordered, starts[:-1], axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centres = sums / np.where(norms == 0.0, 1.0, norms)
        cell_of = np.repeat(np.arange(n_cells), np.diff(starts))
        cos = np.clip(np.einsum("ij,ij->i", ordered, centres[cell_of]), -1.0, 1.0)
        angle = np.arccos(cos)
        # a song without a direction (all features at the mean) scores 0 on the song term,
        # which no cone bound covers: its cell is always read
        angle[np.abs(np.linalg.norm(ordered, axis=1) - 1.0) > 1e-3] = math.pi
        radius = np.minimum(np.maximum.reduceat(angle, starts[:-1]) + RADIUS_SLACK, math.pi)
    else:
        centres = np.zeros((0, unit.shape[1]))
        radius = np.zeros(0)
    artist_cells = np.searchsorted(artist, np.arange(artist_starts.shape[0]), side="left").astype(np.int64)
    cells = Cells(
        starts=starts,
        artist_cells=artist_cells,
        artist=artist,
        centres=np.ascontiguousarray(centres, dtype=np.float32),
        cos_r=np.cos(radius).astype(np.float32),
        sin_r=np.sin(radius).astype(np.float32),
        groups=np.asarray(groups[perm], dtype=np.int64),
    )
    return perm, cells


def _split(part: np.ndarray, sizes: np.ndarray, means: np.ndarray) -> list[np.ndarray]:
    """Groups ``part`` (indices into ``sizes``/``means``) cut in halves by song count along
    their weighted principal axis until each half holds at most CELL_SONGS songs or one group."""
    out: list[np.ndarray] = []
    stack = [part]
    while stack:
        part = stack.pop()
        total = float(sizes[part].sum())
        if total <= CELL_SONGS or part.shape[0] == 1:
            out.append(part)
            continue
        weights = sizes[part, None]
        centred = means[part] - (means[part] * weights).sum(axis=0) / total
        axis = np.linalg.svd(centred * np.sqrt(weights), full_matrices=False)[2][0]
        along = np.argsort(centred @ axis, kind="stable")
        half = int(np.searchsorted(np.cumsum(sizes[part][along]), total / 2))
        half = min(max(half, 1), part.shape[0] - 1)
        stack.append(part[along[half:]])
        stack.append(part[along[:half]])
    return out


def spans(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every index of the ranges [starts[i], ends[i]), range after range."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - offsets, lengths)


def page_floor(
    scores: np.ndarray, groups: np.ndarray, artists: np.ndarray, n: int, cap: int, *, least: bool = True
) -> tuple[float, np.ndarray | None]:
    """The n-th best score a first page could take from these songs, and per song the
    least score that could still matter (None when fewer than ``n`` are showable, or
    when ``least`` is False: not asked for).

    The songs come artist after artist and, within an artist, group after group (the
    cells' order); hidden songs score -inf. A page takes each group's best song and at
    most ``cap`` groups per artist (``cap < 1``: all), so a song below its group's best or
    below its artist's ``cap``-th best group can never be on it, whatever else is read.
    """
    size = scores.shape[0]
    if size == 0:
        return -math.inf, None
    new = np.empty(size, dtype=bool)
    new[0] = True
    np.not_equal(groups[1:], groups[:-1], out=new[1:])
    group_starts = np.flatnonzero(new)
    best = np.maximum.reduceat(scores, group_starts)
    group_sizes = np.diff(np.append(group_starts, size))
    if cap:
        owner = artists[group_starts]
        new_artist = np.empty(owner.shape[0], dtype=bool)
        new_artist[0] = True
        np.not_equal(owner[1:], owner[:-1], out=new_artist[1:])
        artist_starts = np.flatnonzero(new_artist)
        artist_sizes = np.diff(np.append(artist_starts, owner.shape[0]))
        rest = best.copy()
        tops = []
        for k in range(cap):
            top = np.maximum.reduceat(rest, artist_starts)
            tops.append(top)
            if k + 1 == cap:
                break
            # one group at each artist's best leaves (the first of equal ones)
            at_top = rest == np.repeat(top, artist_sizes)
            seen = np.cumsum(at_top)
            before = np.repeat((seen - at_top)[artist_starts], artist_sizes)
            rest[at_top & (seen - before == 1)] = -np.inf
        kept = np.concatenate(tops)
        floor_of_group = np.maximum(best, np.repeat(tops[-1], artist_sizes))
    else:
        kept = best
        floor_of_group = best
    kept = kept[kept > -np.inf]
    if kept.shape[0] < n:
        return -math.inf, None
    floor = float(np.partition(kept, kept.shape[0] - n)[kept.shape[0] - n])
    return floor, (np.repeat(floor_of_group, group_sizes) if least else None)


@dataclass
class CellReader:
    """One request's view of a cluster's cells: the seed's query vectors and artist terms."""

    cells: Cells
    vectors: np.ndarray  #: the cluster's ranking vectors in cell order (songs × 2d)
    q: np.ndarray  #: the seed's ranking vector (float32)
    unit_q: np.ndarray  #: the seed's unit vector (float32, d)
    artist_term: np.ndarray  #: β·cos(artist, seed's artist) per artist (float32)
    alpha: float
    hidden: Callable[[np.ndarray], np.ndarray]  #: songs' groups → which are never shown

    def bounds(self, cells: np.ndarray) -> np.ndarray:
        """Score bound of each of ``cells`` (float32, SLACK included)."""
        c = self.cells
        cos_t = c.centres[cells] @ self.unit_q
        cos_r = c.cos_r[cells]
        near = cos_t * cos_r
        near += np.sqrt(np.maximum(np.float32(0.0), np.float32(1.0) - cos_t * cos_t)) * c.sin_r[cells]
        np.putmask(near, cos_t >= cos_r, np.float32(1.0))  # the seed is inside the cone
        near *= np.float32(self.alpha)
        near += self.artist_term[c.artist[cells]]
        near += np.float32(SLACK)
        return near

    def read(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions, float32 scores (hidden songs -inf), groups and artists of the songs of
        ``cells`` (ascending cells: artist after artist, group after group)."""
        c = self.cells
        lo = c.starts[cells]
        lengths = c.starts[cells + 1] - lo
        pos = spans(lo, lo + lengths)
        scores = self.vectors[pos] @ self.q
        groups = c.groups[pos]
        scores[self.hidden(groups)] = -np.inf
        return pos, scores, groups, np.repeat(c.artist[cells], lengths)

    def cells_of(self, artists: np.ndarray) -> np.ndarray:
        ac = self.cells.artist_cells
        return spans(ac[artists], ac[artists + 1])

    def first_page_pool(self, n: int, cap: int) -> tuple[np.ndarray, float] | None:
        """Positions of every song that could be on the first page, and the floor the page's
        last pick must reach for the proof to hold; None when fewer than ``n`` songs of the
        whole cluster are showable (the caller scans it)."""
        term = self.artist_term
        n_artists = term.shape[0]
        # Round 1: the `per` best cells of the artists who sound most like the seed's.
        k = min(n_artists, 2 * math.ceil(n / max(cap, 1)) + FIRST_EXTRA_ARTISTS)
        per = FIRST_CELLS
        while True:
            near = np.argpartition(-term, k - 1)[:k] if k < n_artists else np.arange(n_artists)
            cells = self.cells_of(np.sort(near))
            bound = self.bounds(cells)
            owner = self.cells.artist[cells]
            by_bound = np.lexsort((-bound, owner))
            first = np.flatnonzero(np.r_[True, owner[by_bound][1:] != owner[by_bound][:-1]])
            rank = np.arange(cells.shape[0]) - np.repeat(first, np.diff(np.append(first, cells.shape[0])))
            chosen = np.sort(cells[by_bound[rank < per]])
            _, scores, groups, artists = self.read(chosen)
            floor, _ = page_floor(scores, groups, artists, n, cap, least=False)
            if floor > -math.inf:
                break
            if chosen.shape[0] == cells.shape[0]:
                if k == n_artists:
                    return None
                k = min(n_artists, 2 * k)
            per *= 2
        # Round 2: every cell that may reach the floor, of artists that may.
        artists_left = np.flatnonzero(term >= np.float32(floor - self.alpha - 4 * SLACK))
        cells = self.cells_of(artists_left)
        cells = cells[self.bounds(cells) >= np.float32(floor - 3 * SLACK)]
        pos, scores, groups, artists = self.read(cells)
        # songs below the first floor can be neither on the page nor its n-th pick (the
        # songs that are all reach it); dropping them keeps each group's songs together
        near = np.flatnonzero(scores >= np.float32(floor - 2 * SLACK))
        pos, scores, groups, artists = pos[near], scores[near], groups[near], artists[near]
        tight, least = page_floor(scores, groups, artists, n, cap)
        if least is None:  # cannot be: round 2 read a superset of round 1's songs
            return None
        floor = max(floor, tight)
        least -= np.float32(2 * SLACK)
        np.maximum(least, np.float32(floor - 2 * SLACK), out=least)
        return pos[scores >= least], floor


__all__ = ["CELL_SONGS", "CellReader", "Cells", "build", "page_floor", "spans"]
