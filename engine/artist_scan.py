"""An exact shortlist for "songs like this one" that reads a small part of a big cluster.

The ranking vector of a song (engine.recommend) is its unit vector scaled by √α followed
by its artist's unit profile scaled by √β (α = 1/(1+w), β = w/(1+w)), so the similarity
of two songs is α·cos(songs) + β·cos(artists). The artist term is shared by all of an
artist's songs, and the song term is at most α, so no song of artist ``a`` can score above

    bound(a) = α + β·cos(profile(a), profile(seed's artist)).

A scan by artist therefore reads the artists in order of that bound and stops once the
candidate pool's weakest song scores above every unread artist's bound: every song left
unread scores below what the page uses, so after the exact float64 re-rank the picks are
the ones a scan of the whole cluster gives. Later pages ("more") are read this way; first
pages, the common request, go through the finer cells inside each artist
(engine.cell_scan), which bound a song's own term too. :meth:`Recommender.recommend`
falls back to the full scan whenever the shortlist cannot prove itself (no artist weight,
targets, half the cluster read, a pool that would have to grow).

Why bounds and not fewer bytes per song (int8/float16 vectors): numpy has no fast kernel
for either (a float16 chunk converted to float32 cost 8x the float32 scan, int8 1.2-1.7x,
measured at 250k rows on this machine), so the bytes saved are spent converting. Why not
a coarse k-means partition of each whole cluster: on the 20-dimensional vectors its cells'
angular radii were ~0.9 rad, so an exact bound pruned nothing, and probing a fixed share
of cells needed 20 % of a cluster for recall 0.99 (and is approximate). Cells within an
artist, on the song's own 10 dimensions, are tight (median radius 0.07 rad there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import cell_scan
from .cell_scan import Cells

#: Added to the artist bound: the float32 vectors' rounding (~1e-6) cannot lift a song
#: above it, and it is still far below the 1e-6 steps of engine.stable_order.
BOUND_SLACK = 1e-5
#: Songs read in the first round (at least; a few times the pool): enough that the
#: pool's weakest score is usually above most artists' bounds.
FIRST_ROUND_MIN = 1024
FIRST_ROUND_PER_POOL = 4


@dataclass(frozen=True)
class ArtistBlocks:
    """One cluster's ranking vectors grouped by artist.

    ``rows``: rows within the cluster ordered by artist (and, within an artist, by
    cell: engine.cell_scan); ``vectors``: their ranking vectors in that order, one song
    per row (float32, contiguous, so an artist is one contiguous slab); ``starts``: where
    each of the cluster's artists begins in that order (one more entry than artists);
    ``codes``: the artists' codes, ascending; ``profiles``: their unit profiles
    (float32); ``cells``: the cells of songs that sound alike within each artist.
    """

    rows: np.ndarray
    vectors: np.ndarray
    starts: np.ndarray
    codes: np.ndarray
    profiles: np.ndarray
    cells: Cells

    @classmethod
    def build(
        cls,
        block_t: np.ndarray,
        artist_of_row: np.ndarray,
        profiles: np.ndarray,
        unit_of_row: np.ndarray,
        group_of_row: np.ndarray,
    ) -> ArtistBlocks:
        """From a cluster's transposed ranking block, its rows' artist codes, all profiles,
        and its rows' unit vectors and same-song groups (for the cells)."""
        by_artist = np.argsort(artist_of_row, kind="stable")
        sorted_codes = artist_of_row[by_artist]
        size = sorted_codes.shape[0]
        if size:
            new = np.empty(size, dtype=bool)
            new[0] = True
            np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=new[1:])
            first = np.flatnonzero(new)
        else:
            first = np.zeros(0, dtype=np.int64)
        codes = sorted_codes[first].astype(np.int64)
        starts = np.append(first, size).astype(np.int64)
        # within each artist, songs that sound alike together (the cells keep artists whole)
        perm, cells = cell_scan.build(unit_of_row[by_artist], starts, np.asarray(group_of_row)[by_artist])
        order = by_artist[perm].astype(np.int32)
        return cls(
            rows=order,
            vectors=np.ascontiguousarray(np.asarray(block_t).T[order], dtype=np.float32),
            starts=starts,
            codes=codes,
            profiles=np.ascontiguousarray(profiles[codes], dtype=np.float32),
            cells=cells,
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save, by name."""
        out = {
            "rows": self.rows,
            "vectors": self.vectors,
            "starts": self.starts,
            "codes": self.codes,
            "profiles": self.profiles,
        }
        out.update({f"cells.{name}": arr for name, arr in self.cells.arrays().items()})
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ArtistBlocks:
        names = ("rows", "vectors", "starts", "codes", "profiles")
        cells = Cells.from_arrays(
            {name[6:]: arr for name, arr in arrays.items() if name.startswith("cells.")}
        )
        return cls(**{name: arrays[name] for name in names}, cells=cells)

    def positions(self, artists: np.ndarray) -> np.ndarray:
        """Positions (in the by-artist order) of every song of ``artists`` (local indices)."""
        lo = self.starts[artists]
        lengths = self.starts[artists + 1] - lo
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.cumsum(lengths) - lengths
        return np.arange(total, dtype=np.int64) + np.repeat(lo - offsets, lengths)


def artist_bounds(blocks: ArtistBlocks, seed_artist: int, artist_weight: float) -> tuple[np.ndarray, int]:
    """Each of the cluster's artists' score bound for a seed by ``seed_artist`` (a code), and
    the seed artist's local index."""
    local = int(np.searchsorted(blocks.codes, seed_artist))
    alpha = 1.0 / (1.0 + artist_weight)
    beta = artist_weight / (1.0 + artist_weight)
    cos = blocks.profiles @ blocks.profiles[local]
    return alpha + beta * cos.astype(np.float64), local


def read(blocks: ArtistBlocks, q: np.ndarray, artists: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows and float32 scores of every song of ``artists`` against ``q``."""
    pos = blocks.positions(artists)
    return blocks.rows[pos], blocks.vectors[pos] @ q


def first_round_artists(
    bounds: np.ndarray, blocks: ArtistBlocks, seed_local: int, want: int
) -> tuple[np.ndarray, int]:
    """Artists by bound, best first (the seed's own first), and how many of them the first
    round reads: the fewest whose songs reach ``want``."""
    key = bounds.copy()
    key[seed_local] = math.inf  # the seed's artist first: its songs are trimmed and excluded there
    ranked = np.argsort(-key, kind="stable")
    counts = np.diff(blocks.starts)[ranked]
    first = int(np.searchsorted(np.cumsum(counts), want)) + 1
    return ranked, min(first, ranked.shape[0])


__all__ = [
    "BOUND_SLACK",
    "FIRST_ROUND_MIN",
    "FIRST_ROUND_PER_POOL",
    "ArtistBlocks",
    "artist_bounds",
    "first_round_artists",
    "read",
]
