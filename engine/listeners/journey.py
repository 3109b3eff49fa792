"""Journeys: a playlist that travels from one song to another in even steps of sound.

The path is a straight line in the model's standardised feature space (the space a
playlist is ordered in, see :mod:`engine.listeners.playlist`): each step takes the song
nearest its point on the line that is not a copy of a song already taken, not banned, and
not a third song of its artist. Both ends stay where they are.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from ..recommend import Recommender
from ..stable_order import order
from .playlist import PER_ARTIST
from .taste import single_threaded_blas

#: Candidates per step (the nearest songs to the step's point).
STEP_CANDIDATES = 40
#: A journey step looks at this many more float32 neighbours than it may need, and orders
#: them by exact distance (engine.stable_order), so noise cannot reorder the ones it takes.
JOURNEY_SLACK = 24


class Journeys:
    """Journeys over one recommender's songs.

    Holds every song's standardised features once as float32 (songs × features, its
    transpose and the squared norms): one step is then a single matrix product. Built on
    first use, since most engines never make a journey.
    """

    def __init__(self, recommender: Recommender) -> None:
        z = recommender.standardised().astype(np.float32)
        self._z = z
        self._z_t = np.ascontiguousarray(z.T)
        self._sq = (z * z).sum(axis=1)
        self._groups = recommender.group_
        self._artists = recommender.artist_code_

    def between(self, a: int, b: int, n: int, banned: Collection[int] = frozenset()) -> list[int]:
        """``n`` songs stepping evenly from song ``a`` to song ``b`` (both included, in order)."""
        zall, groups, artists = self._z, self._groups, self._artists
        t = np.linspace(0.0, 1.0, n)[:, None].astype(np.float32)
        targets = (1 - t) * zall[a] + t * zall[b]
        with single_threaded_blas():
            d = self._sq[None, :] - 2 * (targets @ self._z_t)  # + |target|^2, constant per row
        k = min(STEP_CANDIDATES, zall.shape[0] - 1)
        # a float32 shortlist per step, ordered by exact float64 distances (engine.stable_order)
        wide = min(k + JOURNEY_SLACK, zall.shape[0] - 1)
        near = np.argpartition(d, wide, axis=1)[:, : wide + 1]
        used = {int(groups[a]), int(groups[b])}
        counts = {int(artists[a]): 1}
        counts[int(artists[b])] = counts.get(int(artists[b]), 0) + 1
        out = [a]
        for step in range(1, n - 1):
            short = near[step]
            diff = zall[short].astype(np.float64) - targets[step].astype(np.float64)
            cands = short[order((diff * diff).sum(axis=1), key=short)][: k + 1]
            for i in cands.tolist():
                g, art = int(groups[i]), int(artists[i])
                if i in banned or g in used or counts.get(art, 0) >= PER_ARTIST:
                    continue
                used.add(g)
                counts[art] = counts.get(art, 0) + 1
                out.append(i)
                break
        out.append(b)
        return out


__all__ = ["JOURNEY_SLACK", "STEP_CANDIDATES", "Journeys"]
