"""An exact shortlist for "songs like this one" that reads a small part of a big cluster.

The ranking vector of a song (engine.recommend) is its unit vector scaled by √α followed
by its artist's unit profile scaled by √β (α = 1/(1+w), β = w/(1+w)), so the similarity
of two songs is α·cos(songs) + β·cos(artists). The artist term is shared by all of an
artist's songs, and the song term is at most α, so no song of artist ``a`` can score above

    bound(a) = α + β·cos(profile(a), profile(seed's artist)).

A scan by artist therefore reads the artists in order of that bound and stops once the
songs read prove the answer: for a first page, once ``n`` songs read (at most ``cap`` per
artist, as the page takes them) score above every unread artist's bound; for later pages,
once the candidate pool's weakest song does. Every song left unread scores below what the
page uses, so after the exact float64 re-rank the picks are the ones a scan of the whole
cluster gives. On the synthetic million-song catalog a request reads a median of ~18k
songs of clusters of 70k-445k (``python -m benchmarks fastpath``); a seed whose artist
sounds like many others reads more, and :meth:`Recommender.recommend` falls back to the
full scan whenever the shortlist cannot prove itself (no artist weight, targets, half the
cluster read, a page the copies of one song left short).

Why this and not fewer bytes per song (int8/float16 vectors): numpy has no fast kernel
for either (a float16 chunk converted to float32 cost 8x the float32 scan, int8 1.2-1.7x,
measured at 250k rows on this machine), so the bytes saved are spent converting. Why not
a coarse k-means partition of each cluster: on the 20-dimensional vectors its cells'
angular radii were ~0.9 rad, so an exact bound pruned nothing, and probing a fixed share
of cells needed 20 % of a cluster for recall 0.99 (and is approximate). The artist bound
is exact and, on that catalog, leaves most of a big cluster unread for a median seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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

    ``rows``: rows within the cluster ordered by (artist, row); ``vectors``: their
    ranking vectors in that order, one song per row (float32, contiguous, so an artist
    is one contiguous slab); ``starts``: where each of the cluster's artists begins in
    that order (one more entry than artists); ``codes``: the artists' codes, ascending;
    ``profiles``: their unit profiles (float32).
    """

    rows: np.ndarray
    vectors: np.ndarray
    starts: np.ndarray
    codes: np.ndarray
    profiles: np.ndarray

    @classmethod
    def build(cls, block_t: np.ndarray, artist_of_row: np.ndarray, profiles: np.ndarray) -> ArtistBlocks:
        """From a cluster's transposed ranking block, its rows' artist codes and all profiles."""
        # stable: rows stay ascending within an artist
        by_artist = np.argsort(artist_of_row, kind="stable").astype(np.int32)
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
        return cls(
            rows=by_artist,
            vectors=np.ascontiguousarray(np.asarray(block_t).T[by_artist], dtype=np.float32),
            starts=np.append(first, size).astype(np.int64),
            codes=codes,
            profiles=np.ascontiguousarray(profiles[codes], dtype=np.float32),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to save, by name."""
        return {
            "rows": self.rows,
            "vectors": self.vectors,
            "starts": self.starts,
            "codes": self.codes,
            "profiles": self.profiles,
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> ArtistBlocks:
        return cls(**{name: arrays[name] for name in ("rows", "vectors", "starts", "codes", "profiles")})

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


def read(
    blocks: ArtistBlocks, q: np.ndarray, artists: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, float32 scores and positions of every song of ``artists`` against ``q``."""
    pos = blocks.positions(artists)
    return blocks.rows[pos], blocks.vectors[pos] @ q, pos


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


def nth_of_top_per_artist(scores: np.ndarray, seg_starts: np.ndarray, cap: int, n: int) -> float:
    """The ``n``-th best of the songs read when each artist keeps at most ``cap`` (``cap <
    1``: all), -inf when fewer are finite.

    ``scores`` holds the songs read, artist after artist (``seg_starts``: where each
    artist begins). A first page takes at most ``cap`` songs per artist, so it has ``n``
    songs at least this good to show, short of exclusions and copies.
    """
    finite = scores > -np.inf
    if int(np.count_nonzero(finite)) < n:
        return -math.inf
    if cap < 1:
        kept = scores[finite]
    else:
        lengths = np.diff(np.append(seg_starts, scores.shape[0]))
        rest = scores.copy()
        tops = []
        for _ in range(cap):  # the best, then the next best, of every artist
            best = np.maximum.reduceat(rest, seg_starts)
            tops.append(best)
            at_best = rest == np.repeat(best, lengths)
            # one copy of each artist's best leaves; equal scores stay for the next round
            first = np.flatnonzero(at_best)
            owner = np.searchsorted(seg_starts, first, side="right") - 1
            _, once = np.unique(owner, return_index=True)
            rest[first[once]] = -np.inf
        kept = np.concatenate(tops)
        kept = kept[kept > -np.inf]
    if kept.shape[0] < n:
        return -math.inf
    return float(np.partition(kept, kept.shape[0] - n)[kept.shape[0] - n])


__all__ = [
    "BOUND_SLACK",
    "FIRST_ROUND_MIN",
    "FIRST_ROUND_PER_POOL",
    "ArtistBlocks",
    "artist_bounds",
    "first_round_artists",
    "nth_of_top_per_artist",
    "read",
]
