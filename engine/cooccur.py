"""Songs people put in the same playlists: a collaborative signal before anyone rates.

The TidyTuesday file records, for each song, the real Spotify playlists it was found in
(the catalog keeps them as each song's ``playlists`` tuple). Two songs that share many of
them were put together by people, which audio features alone cannot see (a ballad and a
banger by the same scene, a decade's hits). This module turns that column into a sparse
top-k neighbour list per song:

    weight(i, j) = |P(i) ∩ P(j)| / sqrt(|P(i)| * |P(j)|)

the cosine of the two songs' binary playlist-membership vectors, so a song that sits in
every playlist does not become everyone's neighbour. Only the ``TOP_K`` heaviest
neighbours of each song are kept (ties by song index, engine.stable_order), as three flat
arrays (offsets, neighbours, weights) that the artifact saves and maps like the other
serving arrays.

Which playlists it is built from is the caller's choice: ``benchmarks/playlists.py`` builds
it from the *tuning* playlists only to measure it; the shipped model is built from all of
them (a user's server should get every co-occurrence the data has).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .listeners.taste import HYBRID_WEIGHT
from .stable_order import order, rounded

logger = logging.getLogger(__name__)

#: Neighbours kept per song: enough for a 500-song continuation from a few seeds, small
#: enough that the shipped arrays stay a few MB (25,853 songs with playlists today).
TOP_K = 100
#: Weight of the co-occurrence score (0..1) against the audio score in recommend (a cosine)
#: and in for-you (the taste kernel, 0..1); each chosen on tuning playlists by
#: ``python -m benchmarks playlists`` (its weight scan), never on held-out ones.
RECOMMEND_WEIGHT = 2.0
FORYOU_WEIGHT = 0.1
#: A pick whose score owes at least this share to co-occurrence says so in its reason.
REASON_SHARE = 0.3


def playlist_members(
    playlists: Sequence[Iterable[str]], keep: Iterable[str] | None = None
) -> dict[str, np.ndarray]:
    """Playlist id -> sorted song indices in it, from a per-song column of playlist ids.

    ``keep``: only these playlist ids (None: all). Sorted by id, so the build is the same
    whatever order the column lists them in.
    """
    wanted = None if keep is None else set(keep)
    members: dict[str, set[int]] = {}
    for i, ids in enumerate(playlists):
        for p in ids or ():
            if wanted is None or p in wanted:
                members.setdefault(str(p), set()).add(i)
    return {p: np.asarray(sorted(members[p]), dtype=np.int64) for p in sorted(members)}


@dataclass(frozen=True)
class CoOccurrence:
    """Per song, its heaviest playlist neighbours (CSR layout: ``offsets`` has n + 1 entries)."""

    offsets: np.ndarray  # int64, (n_songs + 1,)
    neighbours: np.ndarray  # int32 song indices, best first per song
    weights: np.ndarray  # float32 cosine weights, same length
    n_playlists: int

    @property
    def n_songs(self) -> int:
        return int(self.offsets.shape[0]) - 1

    @property
    def empty(self) -> bool:
        return self.neighbours.shape[0] == 0

    @classmethod
    def build(cls, members: Mapping[str, np.ndarray], n_songs: int, top_k: int = TOP_K) -> CoOccurrence:
        """From playlist id -> song indices (see :func:`playlist_members`)."""
        from scipy import sparse  # building only: a serving process loads the arrays

        lists = [np.unique(np.asarray(v, dtype=np.int64)) for _, v in sorted(members.items()) if len(v)]
        if not lists:
            return cls.empty_for(n_songs)
        rows = np.concatenate(lists)
        cols = np.concatenate([np.full(v.shape[0], j, dtype=np.int64) for j, v in enumerate(lists)])
        p = sparse.csr_matrix((np.ones(rows.shape[0]), (rows, cols)), shape=(n_songs, len(lists)))
        count = np.asarray(p.sum(axis=1)).ravel()
        co = (p @ p.T).tocsr()
        co.setdiag(0.0)
        co.eliminate_zeros()
        co = co.tocoo()
        w = co.data / np.sqrt(count[co.row] * count[co.col])
        # per song: heaviest first, ties by neighbour index (stable on every CPU)
        key = np.lexsort((co.col, -rounded(w), co.row))
        r, c, w = co.row[key], co.col[key], w[key]
        starts = np.searchsorted(r, np.arange(n_songs + 1))
        rank = np.arange(r.shape[0]) - starts[r]
        keep = rank < top_k
        r, c, w = r[keep], c[keep], w[keep]
        offsets = np.searchsorted(r, np.arange(n_songs + 1)).astype(np.int64)
        logger.info(
            "co-occurrence: %d playlists, %d songs with neighbours", len(lists), int((count > 0).sum())
        )
        return cls(offsets, c.astype(np.int32), w.astype(np.float32), len(lists))

    @classmethod
    def empty_for(cls, n_songs: int) -> CoOccurrence:
        return cls(np.zeros(n_songs + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32), 0)

    @classmethod
    def from_songs(
        cls, playlists: Sequence[Iterable[str]], keep: Iterable[str] | None = None
    ) -> CoOccurrence:
        """From a per-song column of playlist ids (the catalog's ``playlists``)."""
        return cls.build(playlist_members(playlists, keep), len(playlists))

    # -- queries --------------------------------------------------------------------
    def neighbours_of(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """(song indices, weights) of one song's neighbours, heaviest first."""
        lo, hi = int(self.offsets[index]), int(self.offsets[index + 1])
        return self.neighbours[lo:hi], self.weights[lo:hi]

    def scores(self, seeds: Iterable[int]) -> dict[int, float]:
        """Song index -> 0..1: the summed weights over the seeds' neighbour lists, divided by
        the largest (the shape engine.listeners.taste.collaborative gives co-likes). The
        seeds themselves are left out."""
        seed_list = list(dict.fromkeys(int(s) for s in seeds))
        total: dict[int, float] = {}
        for s in seed_list:
            if not 0 <= s < self.n_songs:
                continue
            idx, w = self.neighbours_of(s)
            for i, x in zip(idx.tolist(), w.tolist()):
                total[i] = total.get(i, 0.0) + x
        for s in seed_list:
            total.pop(s, None)
        if not total:
            return {}
        top = max(total.values())
        return {i: v / top for i, v in total.items()}

    def ranked(self, seeds: Iterable[int], limit: int) -> list[int]:
        """The ``limit`` best co-occurring songs of the seeds (ties by song index)."""
        sc = self.scores(seeds)
        if not sc:
            return []
        idx = np.fromiter(sc.keys(), dtype=np.int64, count=len(sc))
        val = np.fromiter(sc.values(), dtype=np.float64, count=len(sc))
        return idx[order(val, descending=True, key=idx)][:limit].tolist()

    def strongest(self, index: int, among: Iterable[int]) -> int:
        """Which of ``among`` (seeds) ``index`` co-occurs with most (-1: none): for reasons."""
        best, best_w = -1, 0.0
        for s in among:
            idx, w = self.neighbours_of(int(s))
            hit = np.nonzero(idx == index)[0]
            if hit.size and float(w[hit[0]]) > best_w:
                best, best_w = int(s), float(w[hit[0]])
        return best

    # -- storage --------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """The three arrays and the playlist count, for engine.storage.serving to save."""
        return {
            "offsets": self.offsets,
            "neighbours": self.neighbours,
            "weights": self.weights,
            "n_playlists": np.asarray(self.n_playlists, dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], n_songs: int) -> CoOccurrence:
        """Back from :meth:`arrays` (mapped arrays stay mapped)."""
        offsets = arrays["offsets"]
        if offsets.shape != (n_songs + 1,):
            raise ValueError("co-occurrence arrays are for another model")
        return cls(offsets, arrays["neighbours"], arrays["weights"], int(arrays["n_playlists"]))


class Blended(NamedTuple):
    """A candidate of a blended ranking: its blended score, its audio score alone (what
    "% similar" shows) and the share of the blended score that came from co-occurrence."""

    song: int
    score: float
    audio: float
    share: float


def blend_recommend(
    found: Sequence[tuple[int, float]],
    co: Mapping[int, float],
    audio_of: Callable[[list[int]], np.ndarray],
    weight: float,
    allowed: Callable[[int], bool] = lambda _i: True,
) -> list[Blended]:
    """Recommend's audio candidates plus the seed's co-occurring songs (any mood), re-ranked
    by ``audio + weight * co`` (both 0..1 scales).

    ``found``: (index, audio score) of the audio ranking; ``co``: song -> 0..1 co-occurrence
    with the seed (:meth:`CoOccurrence.scores`); ``audio_of``: the seed's audio score of songs
    the audio ranking did not reach; ``allowed``: whether such a song may be shown (not
    excluded, meets the request's targets). Best first, ties by song index.
    """
    audio = {int(i): float(s) for i, s in found}
    extra = [int(i) for i in co if int(i) not in audio and allowed(int(i))]
    if extra:
        audio.update(zip(extra, (float(x) for x in audio_of(extra))))
    if not audio:
        return []
    idx = np.fromiter(audio.keys(), dtype=np.int64, count=len(audio))
    a = np.fromiter(audio.values(), dtype=np.float64, count=len(audio))
    c = np.asarray([co.get(int(i), 0.0) for i in idx.tolist()], dtype=np.float64) * max(0.0, float(weight))
    total = a + c
    share = np.where(total > 0, c / np.where(total > 0, total, 1.0), 0.0)
    ranking = order(total, descending=True, key=idx)
    return [Blended(int(idx[j]), float(total[j]), float(a[j]), float(share[j])) for j in ranking.tolist()]


def merge_collab(
    server: Mapping[int, float], evidence: float, playlists: Mapping[int, float], weight: float
) -> tuple[dict[int, float], float, dict[int, float]]:
    """Server co-likes and playlist co-occurrence as one ``collab`` for TasteModel.foryou.

    For-you adds ``HYBRID_WEIGHT * evidence * collab``; the merged map carries each part
    already weighted (server co-likes by their evidence, co-occurrence by ``weight``) and
    is passed with evidence 1. Returns (merged, evidence to pass, the co-occurrence part),
    the last so a reason can tell which signal lifted a pick.
    """
    lam = HYBRID_WEIGHT * max(0.0, min(1.0, float(evidence)))
    part = (
        {int(i): max(0.0, float(weight)) * v / HYBRID_WEIGHT for i, v in playlists.items()}
        if weight > 0
        else {}
    )
    if not part:
        return dict(server), evidence, {}
    merged = {int(i): lam * v / HYBRID_WEIGHT for i, v in server.items()}
    for i, v in part.items():
        merged[i] = merged.get(i, 0.0) + v
    return merged, 1.0, part
