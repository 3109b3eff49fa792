"""Per-listener taste: profiles from ratings, "for you" picks, co-likes, feedback shaping.

Pure numpy over a :class:`~engine.recommend.Recommender` (never imports discord). Songs
are compared with the recommender's ranking vectors (a song's sound plus its artist's
sound, unit length), so "close to a liked song" means what ``recommend`` means by it.

A profile keeps its liked songs as *anchors* instead of one averaged point: a listener
who likes chanson and rap is not best served by songs halfway between the two. A
candidate's audio score is a soft maximum over the anchors,
``sum_a w_a * exp((cos(c, a) - 1) / tau) / sum_a w_a``, so one close liked song is
enough to lift it and the closest anchor names the reason. Dislikes subtract the same
kernel. The picks are then dealt per mood in proportion to the liked weight in each.

Hybrid: members of the same server whose likes overlap the listener's are weighted by
that overlap (cosine of the binary like-vectors); a song liked by them gains
``HYBRID_WEIGHT * evidence * share``, where ``evidence = overlap / (overlap + EVIDENCE_K)``
grows with the number of co-likes behind it, so a new server runs on audio alone.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..recommend import Recommender
from ..stable_order import order, rounded, score_key, top

logger = logging.getLogger(__name__)

#: Weight of a 👍, of a song the member asked about, and of a 👎 (subtracted).
LIKE_WEIGHT = 1.0
ASKED_WEIGHT = 0.3
DISLIKE_WEIGHT = 1.0
#: Recency: a rating this many ratings old weighs half as much as the newest one.
HALF_LIFE = 40.0
#: Most anchors kept (the heaviest); scoring cost grows with them.
MAX_ANCHORS = 48
MAX_NEGATIVES = 24
#: Kernel width on ranking-vector cosines (tuned in benchmarks/foryou_eval.py on the
#: tuning listeners, see there).
TAU = 0.03
#: How much a 👎's kernel weighs against the likes' (0..1 scale of both).
NEGATIVE_WEIGHT = 0.7
#: Anchors of a mood (its heaviest) that pre-select its candidate pool: that pass reads
#: every song of the mood once per anchor; the scoring proper only reads the pool.
POOL_ANCHORS = 16
#: Candidates per pick looked at closely, per mood (pre-selected by the max cosine).
POOL_PER_PICK = 30
MIN_POOL = 300
#: Songs per artist in one "for you" list.
FORYOU_PER_ARTIST = 3
#: Hybrid: weight of the co-like share, and the co-likes at which evidence is half-way.
HYBRID_WEIGHT = 1.0
EVIDENCE_K = 3.0
#: Feedback shaping in recommend/vibe: the largest lift/push (in units of the ranking
#: score, a cosine), fading as exp((cos - 1) / SHAPE_TAU) with distance from the rated song,
#: so its close neighbours move most (cos 0.95: 61%, 0.9: 37%, 0.8: 14%, 0.7: 5%).
SHAPE_TAU = 0.1
SHAPE_LIFT = 0.06
SHAPE_PUSH = 0.10


@dataclass(frozen=True)
class TasteProfile:
    """What a member likes, as weighted anchor songs (indices), and what they dislike."""

    anchors: np.ndarray  # song indices, heaviest first
    weights: np.ndarray  # float64, same length
    negatives: np.ndarray  # song indices of 👎
    negative_weights: np.ndarray
    #: Share of the liked weight per mood cluster (sums to 1 when there are anchors).
    mood_share: np.ndarray
    n_likes: int
    n_asked: int
    n_dislikes: int

    @property
    def empty(self) -> bool:
        return self.anchors.shape[0] == 0


@dataclass(frozen=True)
class ScoredPick:
    """A "for you" pick: song index, score, the anchor it is closest to, and co-like share."""

    index: int
    score: float
    because: int  # song index of the closest liked song (-1: none)
    collab: float  # 0..1 share of the score that came from co-likes
    members: tuple[int, ...] = ()  # blend: which members (positions) it comes from


def single_threaded_blas() -> contextlib.AbstractContextManager[object]:
    """BLAS on the calling thread only, for the small matrix products of one request.

    OpenBLAS threads a (16 x 20) @ (20 x 25k) product; on a busy 2-core machine (or
    under a bot's worker threads) that made it 10-20x slower than one thread (measured
    40 ms vs 2 ms). threadpoolctl comes with scikit-learn; without it, nothing changes.
    """
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - scikit-learn depends on it
            return contextlib.nullcontext()
        _CONTROLLER = ThreadpoolController()  # finding the libraries costs ~20 ms: once
    return _CONTROLLER.limit(limits=1, user_api="blas")


_CONTROLLER = None


def _recency(n: int) -> np.ndarray:
    return 0.5 ** (np.arange(n, dtype=np.float64) / HALF_LIFE)


class TasteModel:
    """Profiles, picks and re-ranking over one recommender's arrays (read-only, thread-safe)."""

    def __init__(self, recommender: Recommender) -> None:
        self.rec = recommender
        self.model = recommender.model
        self.k = int(self.model.n_clusters_)
        self.labels = np.asarray(self.model.labels_)
        self.order = np.asarray(self.model.order_)
        self.row_of = np.asarray(self.model.row_of_song_)
        self.bounds = np.asarray(self.model.cluster_bounds_)
        w = recommender.artist_weight
        self._w_root = math.sqrt(w)
        self._norm = 1.0 / math.sqrt(1.0 + w)

    # -- vectors ------------------------------------------------------------------
    def vectors(self, indices: Sequence[int] | np.ndarray) -> np.ndarray:
        """Ranking vectors (rows) of songs by index: the same numbers ``recommend`` ranks by."""
        idx = np.asarray(indices, dtype=np.int64)
        unit = self.rec.unit_vectors(idx)
        if self.rec.artist_weight == 0.0:
            return np.ascontiguousarray(unit, dtype=np.float32)
        art = self.rec.artist_profiles_[self.rec.artist_code_[idx]] * np.float32(self._w_root)
        return (np.hstack([unit, art]) * np.float32(self._norm)).astype(np.float32)

    def similarity(self, a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> np.ndarray:
        """Cosine matrix (len(a), len(b)) of two lists of songs.

        In float64: these scores rank picks, and a float32 product differs by ~1e-7
        between BLAS kernels, which the kernels below magnify past the rounding of
        engine.stable_order; in float64 the difference stays ~1e-15.
        """
        if len(a) == 0 or len(b) == 0:
            return np.zeros((len(a), len(b)), dtype=np.float64)
        return self.vectors(a).astype(np.float64) @ self.vectors(b).T.astype(np.float64)

    # -- profiles -------------------------------------------------------------------
    def profile(
        self, liked: Sequence[int], disliked: Sequence[int] = (), asked: Sequence[int] = ()
    ) -> TasteProfile:
        """A profile from song indices, each list newest first.

        A song both liked and asked about counts once, as a like; a disliked song is
        never an anchor, whatever else says so.
        """
        bad = list(dict.fromkeys(int(i) for i in disliked))
        bad_set = set(bad)
        liked = [i for i in dict.fromkeys(int(i) for i in liked) if i not in bad_set]
        liked_set = set(liked)
        asked = [i for i in dict.fromkeys(int(i) for i in asked) if i not in bad_set and i not in liked_set]
        weight: dict[int, float] = {}
        for i, w in zip(liked, _recency(len(liked)) * LIKE_WEIGHT):
            weight[i] = float(w)
        for i, w in zip(asked, _recency(len(asked)) * ASKED_WEIGHT):
            weight[i] = weight.get(i, 0.0) + float(w)
        items = sorted(weight.items(), key=lambda t: -score_key(t[1]))[:MAX_ANCHORS]
        anchors = np.asarray([i for i, _ in items], dtype=np.int64)
        weights = np.asarray([w for _, w in items], dtype=np.float64)
        share = np.zeros(self.k, dtype=np.float64)
        if anchors.size:
            np.add.at(share, self.labels[anchors], weights)
            share /= share.sum()
        neg = np.asarray(bad[:MAX_NEGATIVES], dtype=np.int64)
        neg_w = _recency(neg.shape[0]) * DISLIKE_WEIGHT
        return TasteProfile(anchors, weights, neg, neg_w, share, len(liked), len(asked), len(bad))

    def kernel_scores(
        self, profile: TasteProfile, candidates: np.ndarray, *, negatives: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Audio score (0..1, minus the dislike term) of each candidate and its closest anchor."""
        if profile.empty or candidates.shape[0] == 0:
            return np.zeros(candidates.shape[0]), np.full(candidates.shape[0], -1, dtype=np.int64)
        sims = self.similarity(profile.anchors, candidates)  # (P, C)
        kern = np.exp((sims - 1.0) / TAU) * profile.weights[:, None]
        score = kern.sum(axis=0) / profile.weights.sum()
        because = profile.anchors[np.argmax(rounded(kern), axis=0)]
        if negatives and profile.negatives.size:
            nsims = self.similarity(profile.negatives, candidates)
            nk = np.exp((nsims - 1.0) / TAU) * profile.negative_weights[:, None]
            score = score - NEGATIVE_WEIGHT * nk.max(axis=0)
        return score, because

    # -- candidate pools ----------------------------------------------------------------
    def _cluster_pool(
        self, cluster: int, anchor_vectors: np.ndarray, size: int, banned_rows: np.ndarray
    ) -> np.ndarray:
        """Song indices of the ``size`` songs of a cluster nearest to any anchor."""
        block = self.rec.ranking_block(cluster)
        start = int(self.bounds[cluster])
        n = block.shape[1]
        if n == 0:
            return np.empty(0, dtype=np.int64)
        best = (anchor_vectors @ block).max(axis=0)
        local = banned_rows[(banned_rows >= start) & (banned_rows < start + n)] - start
        best[local] = -np.inf
        near = top(best, min(size, n), descending=True)
        near = near[np.isfinite(best[near])]
        return self.order[start + near].astype(np.int64)

    def _banned(self, exclude: Collection[int]) -> tuple[np.ndarray, set[int]]:
        idx = np.asarray(sorted({int(i) for i in exclude}), dtype=np.int64)
        groups = set(self.rec.group_[idx].tolist()) if idx.size else set()
        return self.row_of[idx] if idx.size else idx, groups

    # -- for you ----------------------------------------------------------------------
    def foryou(
        self,
        profile: TasteProfile,
        n: int,
        *,
        exclude: Collection[int] = (),
        collab: Mapping[int, float] | None = None,
        evidence: float = 0.0,
        per_artist: int = FORYOU_PER_ARTIST,
    ) -> list[ScoredPick]:
        """``n`` picks for a profile, spread over its moods in proportion to its likes.

        Never an excluded song (nor a copy of one: same title and artist), never an
        anchor or a disliked song. ``collab`` (song index -> 0..1 co-like share) and its
        ``evidence`` (0..1) blend in what similar members liked.
        """
        if profile.empty:
            return []
        n = max(1, int(n))
        banned = {int(i) for i in exclude} | set(profile.anchors.tolist()) | set(profile.negatives.tolist())
        banned_rows, banned_groups = self._banned(banned)
        slots = _largest_remainder(profile.mood_share, n)
        anchor_labels = self.labels[profile.anchors]
        collab = dict(collab or {})
        lam = HYBRID_WEIGHT * max(0.0, min(1.0, float(evidence)))
        ranked: list[list[ScoredPick]] = []
        with single_threaded_blas():
            for c in range(self.k):
                ranked.append(
                    self._mood_ranking(
                        c, profile, int(slots[c]), anchor_labels, banned, banned_rows, collab, lam
                    )
                )
        return self._deal(ranked, slots, n, banned_groups, per_artist)

    def _mood_ranking(
        self,
        c: int,
        profile: TasteProfile,
        want: int,
        anchor_labels: np.ndarray,
        banned: set[int],
        banned_rows: np.ndarray,
        collab: dict[int, float],
        lam: float,
    ) -> list[ScoredPick]:
        """One mood's candidates, best first (audio kernel plus the co-like share)."""
        if profile.mood_share[c] <= 0:
            return []
        # the pool of a mood comes from that mood's own heaviest anchors
        anchor_vectors = self.vectors(profile.anchors[anchor_labels == c][:POOL_ANCHORS])
        pool = self._cluster_pool(c, anchor_vectors, max(MIN_POOL, POOL_PER_PICK * max(want, 1)), banned_rows)
        if collab and lam > 0:
            extra = [i for i in collab if int(self.labels[i]) == c and i not in banned]
            if extra:
                pool = np.unique(np.concatenate([pool, np.asarray(extra, dtype=np.int64)]))
        audio, because = self.kernel_scores(profile, pool)
        cf = (
            np.asarray([collab.get(int(i), 0.0) for i in pool.tolist()])
            if collab and lam > 0
            else np.zeros(pool.shape[0])
        )
        total = audio + lam * cf
        # the walk rarely reads past a few times what it takes (copies, capped artists)
        keep = min(total.shape[0], max(64, 8 * want))
        best = top(total, keep, descending=True, key=pool)
        return [
            ScoredPick(
                int(pool[j]),
                float(total[j]),
                int(because[j]),
                float(lam * cf[j] / total[j]) if total[j] > 0 else 0.0,
            )
            for j in best.tolist()
        ]

    def _deal(
        self,
        ranked: list[list[ScoredPick]],
        slots: np.ndarray,
        n: int,
        banned_groups: set[int],
        per_artist: int,
    ) -> list[ScoredPick]:
        """Take each mood's share from its ranking (no copies, an artist cap); spill what a
        mood cannot fill to the others; best first overall."""
        groups, artists = self.rec.group_, self.rec.artist_code_
        seen = set(banned_groups)
        counts: dict[int, int] = {}
        chosen: list[ScoredPick] = []
        pos = [0] * len(ranked)

        def take(c: int, want: int) -> int:
            got = 0
            lst = ranked[c]
            while got < want and pos[c] < len(lst):
                p = lst[pos[c]]
                pos[c] += 1
                g, a = int(groups[p.index]), int(artists[p.index])
                if g in seen or (per_artist and counts.get(a, 0) >= per_artist):
                    continue
                seen.add(g)
                counts[a] = counts.get(a, 0) + 1
                chosen.append(p)
                got += 1
            return got

        short = 0
        for c in range(len(ranked)):
            short += int(slots[c]) - take(c, int(slots[c]))
        for c in np.argsort(-slots, kind="stable").tolist():
            if short <= 0:
                break
            short -= take(c, short)
        chosen.sort(key=lambda p: (-score_key(p.score), p.index))
        return chosen[:n]

    # -- starter list ------------------------------------------------------------------
    def starter(self, n: int, exclude: Collection[int] = ()) -> list[int]:
        """A varied list for someone with no history: typical, well-known songs of every mood
        in turn, one per artist."""
        banned = {int(i) for i in exclude}
        pop = np.nan_to_num(self.rec.popularity_, nan=0.0)
        per_mood: list[list[int]] = []
        for c in range(self.k):
            typical = self.rec.typical_songs(c, 400)
            # most typical 400, then the best known of those first
            ordered = typical[np.argsort(-pop[typical], kind="stable")]
            per_mood.append([int(i) for i in ordered.tolist() if int(i) not in banned])
        out: list[int] = []
        artists: set[int] = set()
        groups: set[int] = set()
        depth = 0
        while len(out) < n and any(depth < len(m) for m in per_mood):
            for m in per_mood:
                if depth < len(m) and len(out) < n:
                    i = m[depth]
                    a, g = int(self.rec.artist_code_[i]), int(self.rec.group_[i])
                    if a not in artists and g not in groups:
                        artists.add(a)
                        groups.add(g)
                        out.append(i)
            depth += 1
        return out

    # -- feedback shaping ----------------------------------------------------------------
    def shaping(self, candidates: Sequence[int], liked: Sequence[int], disliked: Sequence[int]) -> np.ndarray:
        """Score adjustment per candidate: + when close to a liked song, - when close to a
        disliked one (the closest rated song of each kind counts)."""
        cand = np.asarray(candidates, dtype=np.int64)
        out = np.zeros(cand.shape[0], dtype=np.float64)
        if cand.size == 0:
            return out
        if len(liked):
            s = self.similarity(list(liked)[:MAX_ANCHORS], cand).max(axis=0)
            out += SHAPE_LIFT * np.exp((s.astype(np.float64) - 1.0) / SHAPE_TAU)
        if len(disliked):
            s = self.similarity(list(disliked)[:MAX_ANCHORS], cand).max(axis=0)
            out -= SHAPE_PUSH * np.exp((s.astype(np.float64) - 1.0) / SHAPE_TAU)
        return out

    # -- friends ---------------------------------------------------------------------
    def compare(self, a: TasteProfile, b: TasteProfile) -> float:
        """How alike two tastes are, 0..1: the mood mix's overlap times how close each one's
        liked songs are to the other's (mean best-match cosine, both ways)."""
        if a.empty or b.empty:
            return 0.0
        mix = float(np.minimum(a.mood_share, b.mood_share).sum())
        s = self.similarity(a.anchors, b.anchors)
        ab = float(np.average(s.max(axis=1), weights=a.weights))
        ba = float(np.average(s.max(axis=0), weights=b.weights))
        closeness = max(0.0, (ab + ba) / 2)
        return max(0.0, min(1.0, 0.5 * mix + 0.5 * closeness**2))

    def blend(
        self, profiles: Sequence[TasteProfile], n: int, *, exclude: Collection[int] = (), per_artist: int = 2
    ) -> list[ScoredPick]:
        """Songs in the middle of several tastes: each member's own top candidates pooled,
        scored by every member (normalised), ranked by the mean minus the spread, so a
        song one member loves and another would skip ranks below one all like."""
        live = [p for p in profiles if not p.empty]
        if not live:
            return []
        banned = {int(i) for i in exclude}
        for p in live:
            banned |= set(p.anchors.tolist()) | set(p.negatives.tolist())
        pools = [
            np.asarray(
                [q.index for q in self.foryou(p, max(3 * n, 30), exclude=banned, per_artist=0)],
                dtype=np.int64,
            )
            for p in live
        ]
        pool = np.unique(np.concatenate(pools)) if pools else np.empty(0, dtype=np.int64)
        if pool.size == 0:
            return []
        scores = []
        becauses = []
        for p in live:
            s, b = self.kernel_scores(p, pool)
            top = s.max()
            scores.append(s / top if top > 0 else s)
            becauses.append(b)
        m = np.vstack(scores)
        total = m.mean(axis=0) - 0.5 * m.std(axis=0)
        ranked = order(total, descending=True, key=pool).tolist()
        groups, artists = self.rec.group_, self.rec.artist_code_
        seen: set[int] = set()
        counts: dict[int, int] = {}
        out: list[ScoredPick] = []
        for j in ranked:
            i = int(pool[j])
            g, a = int(groups[i]), int(artists[i])
            if g in seen or (per_artist and counts.get(a, 0) >= per_artist):
                continue
            seen.add(g)
            counts[a] = counts.get(a, 0) + 1
            best = int(np.argmax(rounded(m[:, j])))
            members = tuple(int(k) for k in np.flatnonzero(m[:, j] >= 0.8 * m[best, j])) or (best,)
            out.append(ScoredPick(i, float(total[j]), int(becauses[best][j]), 0.0, members))
            if len(out) == n:
                break
        return out

    def bridges(self, a: TasteProfile, b: TasteProfile, n: int = 3) -> list[tuple[int, int]]:
        """Pairs (a's liked song, b's liked song) that sound most alike: what links two tastes."""
        if a.empty or b.empty:
            return []
        s = self.similarity(a.anchors, b.anchors)
        flat = order(s.ravel(), descending=True)
        out: list[tuple[int, int]] = []
        used_a: set[int] = set()
        used_b: set[int] = set()
        for f in flat.tolist():
            i, j = divmod(f, s.shape[1])
            ia, ib = int(a.anchors[i]), int(b.anchors[j])
            if ia in used_a or ib in used_b:
                continue
            used_a.add(ia)
            used_b.add(ib)
            out.append((ia, ib))
            if len(out) == n:
                break
        return out


def collaborative(
    liked: Iterable[int],
    others: Mapping[object, tuple[Collection[int], Collection[int]]],
) -> tuple[dict[int, float], float]:
    """Co-like scores from other members' ratings: song index -> 0..1, and the evidence 0..1.

    ``others`` maps a member to (their liked indices, their disliked indices). A member
    counts by the cosine of their likes with ``liked`` (a shared 👎 of a song the listener
    likes counts against them); each song they like gets that weight. Evidence is
    co-likes / (co-likes + EVIDENCE_K): one shared song says little, a dozen say a lot.
    """
    mine = {int(i) for i in liked}
    if not mine:
        return {}, 0.0
    scores: dict[int, float] = {}
    overlap_total = 0
    for likes, dislikes in others.values():
        theirs = {int(i) for i in likes}
        if not theirs:
            continue
        overlap = len(mine & theirs)
        conflict = len(mine & {int(i) for i in dislikes})
        if overlap <= conflict:
            continue
        sim = (overlap - conflict) / math.sqrt(len(mine) * len(theirs))
        overlap_total += overlap - conflict
        for i in theirs - mine:
            scores[i] = scores.get(i, 0.0) + sim
    if not scores:
        return {}, 0.0
    top = max(scores.values())
    evidence = overlap_total / (overlap_total + EVIDENCE_K)
    return {i: s / top for i, s in scores.items()}, evidence


def _largest_remainder(share: np.ndarray, n: int) -> np.ndarray:
    """Whole slots per mood proportional to ``share`` summing to ``n`` (Hamilton's method)."""
    if share.sum() <= 0:
        return np.zeros_like(share, dtype=np.int64)
    exact = share / share.sum() * n
    slots = np.floor(exact).astype(np.int64)
    rest = n - int(slots.sum())
    for c in order(exact - slots, descending=True)[:rest].tolist():
        slots[c] += 1
    return slots
