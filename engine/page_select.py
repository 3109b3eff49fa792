"""The first page of "songs like this one" from a candidate pool, in a few numpy calls.

A first page is what the walk in :meth:`engine.recommend.Recommender._walk` gives for page
0: songs in order of their exact score (rounded as :mod:`engine.stable_order` says, ties
to the lower row), each same-song group shown once (its best copy), at most ``cap`` songs
per artist, the first ``n`` of those. Walking a pool in Python costs ~1.5 µs a song, and a
pool above the page's last pick holds every copy of the seed's song and every song of the
seed's prolific artist the cap skips: ~100 songs on a 100k catalog, thousands at a million.
So the pool is sorted once, a loop walks its best few dozen songs (the page is usually
full by then), and only when they cannot fill it is the same rule applied to the whole
pool as a ``unique`` and a rank per artist.

The candidate pool must hold every song that scores at least ``floor`` (float32 scores, as
the scans compute them). The page is then exact when its last pick scores at least
``floor`` plus :data:`SLACK`: every song that could be on it is in the pool. Otherwise the
caller widens the pool (lowers ``floor``) and asks again.
"""

from __future__ import annotations

import math

import numpy as np

from .stable_order import ORDER_DECIMALS

#: How many of a pool's best songs a Python loop walks first (per pick asked for, and at
#: least WALK_MIN): the loop stops at the page's last pick, which usually comes within the
#: first dozens, and a dozen numpy calls cost more than that; only when the prefix cannot
#: fill the page (copies, a capped artist crowding the top) is the whole pool deduplicated
#: and capped in numpy.
WALK_PER_PICK = 4
WALK_MIN = 48

#: Margin between float32 scores (what scans compute) and the exact float64 ones that order
#: a page: float32 vectors' dot products are off by ~1e-7; 1e-5 is ample and still far
#: below the 1e-6 steps of engine.stable_order that tie songs.
SLACK = 1e-5


def rank_within(keys: np.ndarray) -> np.ndarray:
    """Each item's rank among the items with the same key, in the order given (0 = first)."""
    size = keys.shape[0]
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    by_key = np.argsort(keys, kind="stable")
    sorted_keys = keys[by_key]
    new = np.empty(size, dtype=bool)
    new[0] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    rank = np.empty(size, dtype=np.int64)
    rank[by_key] = np.arange(size) - np.repeat(starts, np.diff(np.append(starts, size)))
    return rank


def first_page(
    rows: np.ndarray,
    exact: np.ndarray,
    groups: np.ndarray,
    artists: np.ndarray,
    n: int,
    cap: int,
) -> np.ndarray:
    """Positions (into ``rows``) of the page's picks, best first: at most ``n``.

    ``rows``: the candidates' rows in the cluster (the tie-break); ``exact``: their float64
    scores (-inf: never shown); ``groups`` and ``artists``: their same-song group and
    artist codes. Excluded groups must already be -inf or left out.
    """
    shown = np.flatnonzero(exact > -math.inf)
    # one int64 key: the score in steps of 1e-6 (what engine.stable_order.rounded compares:
    # np.round rounds x * 1e6 to an integer first), then the row; one argsort instead of
    # a lexsort of two keys
    steps = np.round(exact[shown] * 10.0**ORDER_DECIMALS).astype(np.int64)
    ranked = shown[np.argsort((-steps << 32) | rows[shown].astype(np.int64), kind="stable")]
    prefix = ranked[: max(WALK_MIN, WALK_PER_PICK * n)]
    picks = _walked(prefix, groups[prefix].tolist(), artists[prefix].tolist(), n, cap)
    if picks.shape[0] == n or prefix.shape[0] == ranked.shape[0]:
        return picks  # the page depends only on the ranking's prefix up to its last pick
    _, first_of_group = np.unique(groups[ranked], return_index=True)
    first_of_group.sort()  # back to score order
    ranked = ranked[first_of_group]
    if cap:
        ranked = ranked[rank_within(artists[ranked]) < cap]
    return ranked[:n]


def _walked(ranked: np.ndarray, groups: list[int], artists: list[int], n: int, cap: int) -> np.ndarray:
    """:func:`first_page`'s rule as a loop over a small ranked pool."""
    picks: list[int] = []
    seen: set[int] = set()
    counts: dict[int, int] = {}
    for i, g, a in zip(ranked.tolist(), groups, artists):
        if g in seen:
            continue
        seen.add(g)
        if cap:
            c = counts.get(a, 0)
            if c >= cap:
                continue
            counts[a] = c + 1
        picks.append(i)
        if len(picks) == n:
            break
    return np.asarray(picks, dtype=np.int64)


__all__ = ["SLACK", "WALK_MIN", "WALK_PER_PICK", "first_page", "rank_within"]
