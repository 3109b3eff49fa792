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
    tie = np.arange(n) if key is None else np.asarray(key)
    if k >= n:
        return order(v, descending=descending, key=tie, decimals=decimals)
    step = 10.0**-decimals
    if descending:
        kth = float(np.round(float(np.partition(v, n - k)[n - k]), decimals))
        cand = np.flatnonzero(v >= kth - step)
        r = rounded(v[cand], decimals)
        keep = r >= kth
        cand, r = cand[keep], -r[keep]
    else:
        kth = float(np.round(float(np.partition(v, k - 1)[k - 1]), decimals))
        cand = np.flatnonzero(v <= kth + step)
        r = rounded(v[cand], decimals)
        keep = r <= kth
        cand, r = cand[keep], r[keep]
    return cand[np.lexsort((tie[cand], r))][:k]


__all__ = ["ORDER_DECIMALS", "order", "rounded", "score_key", "top"]
