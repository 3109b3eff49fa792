"""Orders that come out the same on every machine.

A score computed on another CPU can differ in its last bits: numpy dispatches ``log``,
``exp``, reductions and sorts to SIMD kernels chosen at run time (SSE, AVX2, AVX-512), and
OpenBLAS picks a dot-product kernel per CPU. Two candidates that tie, or nearly tie, in
exact arithmetic can then swap places, and a member sees another list than the README
promises (the README example failed this way on an AVX-512 machine). Unstable sorts and
partitions are the other half of the problem: which of several *equal* values comes first
from ``np.argsort`` (quicksort) or ``np.argpartition`` depends on the SIMD sort numpy
picked for the CPU.

So every order that reaches a member is decided here, by one rule:

1. scores are rounded to :data:`ORDER_DECIMALS` decimals first. The scores that decide
   orders (cosines, fits and misfits, feedback-adjusted scores, sampling keys) live in
   roughly -100..100; 1e-6 is far below any difference a listener could hear (the
   catalogs' features carry three or four significant digits) and far above the 1e-16
   (float64) to 1e-7 (float32) by which kernels disagree, so values equal in exact
   arithmetic come out equal on every machine;
2. ties are broken by a stable key, the song index by default (the lower first), never
   by where a sort or partition happened to leave them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Decimals a score is rounded to before it decides an order (see the module docstring).
ORDER_DECIMALS = 6


def rounded(values: Sequence[float] | np.ndarray, decimals: int = ORDER_DECIMALS) -> np.ndarray:
    """``values`` as float64 rounded to ``decimals``: what orders compare (infinities stay)."""
    return np.round(np.asarray(values, dtype=np.float64), decimals)


def score_key(value: float, decimals: int = ORDER_DECIMALS) -> float:
    """One score rounded like :func:`rounded`, for Python ``sorted`` keys."""
    return round(float(value), decimals)


def order(
    values: Sequence[float] | np.ndarray,
    *,
    descending: bool = False,
    key: Sequence[int] | np.ndarray | None = None,
    decimals: int = ORDER_DECIMALS,
) -> np.ndarray:
    """Positions that sort ``values`` (rounded), ties by ``key`` (default: the position).

    ``key`` is usually the song indices of the values, so an order never depends on how
    the candidates were gathered.
    """
    r = rounded(values, decimals)
    if descending:
        r = -r
    tie = np.arange(r.shape[0]) if key is None else np.asarray(key)
    return np.lexsort((tie, r))


def top(
    values: Sequence[float] | np.ndarray,
    k: int,
    *,
    descending: bool = False,
    key: Sequence[int] | np.ndarray | None = None,
    decimals: int = ORDER_DECIMALS,
) -> np.ndarray:
    """Positions of the ``k`` best ``values`` in order, the same set on every machine.

    Equal to ``order(...)[:k]`` without rounding or sorting everything: a partition finds
    the k-th best *value* (a value, so the same whichever kernel partitions); rounding is
    monotone, so the rounded k-th best is that value rounded, and only the values that
    can round to it or better are rounded and sorted, ties (at the cut too) by ``key``.
    """
    v = np.asarray(values)
    n = v.shape[0]
    if k <= 0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if k >= n:
        return order(v, descending=descending, key=key, decimals=decimals)
    step = 10.0**-decimals
    sign = -1.0 if descending else 1.0
    # candidates: every value that can round to the k-th best or better. On a big array a
    # threshold from a strided sample first keeps the full partition (a copy and a
    # selection over everything) for when the estimate falls short.
    pool = _sampled_pool(v, k, sign, step) if n > SAMPLE_ABOVE and k * 16 < n else None
    if pool is None:
        pool = np.arange(n)
        part = v
    else:
        part = v[pool]
    kth_raw = float(
        np.partition(part, part.shape[0] - k)[part.shape[0] - k]
        if descending
        else np.partition(part, k - 1)[k - 1]
    )
    kth = float(np.round(kth_raw, decimals))
    near = part >= kth - step if descending else part <= kth + step
    cand = pool[np.flatnonzero(near)]
    r = sign * rounded(v[cand], decimals)
    keep = r <= sign * kth
    cand, r = cand[keep], r[keep]
    tie = cand if key is None else np.asarray(key)[cand]
    return cand[np.lexsort((tie, r))][:k]


#: Arrays longer than this pick their top k from a sampled threshold first (see :func:`top`).
SAMPLE_ABOVE = 65_536


def _sampled_pool(v: np.ndarray, k: int, sign: float, step: float) -> np.ndarray | None:
    """Positions of the values at least as good as a threshold estimated from a strided
    sample, when they are enough for the top ``k`` and their rounded cut; else None."""
    n = v.shape[0]
    stride = max(1, n // 4096)
    sample = v[::stride]
    m = sample.shape[0]
    rank = min(m - 1, int(np.ceil(3 * k * m / n)) + 2)  # the k-th's expected rank, tripled
    if sign < 0:
        thr = float(np.partition(sample, m - 1 - rank)[m - 1 - rank])
        pool = np.flatnonzero(v >= thr)
    else:
        thr = float(np.partition(sample, rank)[rank])
        pool = np.flatnonzero(v <= thr)
    if not np.isfinite(thr) or pool.shape[0] < k or pool.shape[0] > 64 * k + 4096:
        return None
    part = v[pool]
    kth = float(
        np.partition(part, pool.shape[0] - k)[pool.shape[0] - k]
        if sign < 0
        else np.partition(part, k - 1)[k - 1]
    )
    # every value that may round to the k-th must be in the pool
    if (sign > 0 and kth + 2 * step > thr) or (sign < 0 and kth - 2 * step < thr):
        return None
    return pool


__all__ = ["ORDER_DECIMALS", "order", "rounded", "score_key", "top"]
