"""Recommend songs that sound alike, and songs typical of a mood.

Everything a request needs is precomputed in :class:`Recommender.__init__` as numpy
arrays and plain dicts, so the hot path is one float32 matrix-vector product on the
seed's cluster slice of ``model.unit_vectors_`` (cosine similarity, since the rows are
unit length), a partial sort of a small candidate pool and a short Python loop that
applies exclusions, the "same song" rule and the per-artist cap. No pandas per request:
at a million songs a DataFrame filter alone would cost more than the whole budget.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .features import FEATURE_LABELS
from .model import MoodModel
from .moods import format_feature
from .targets import Target, target_mask

logger = logging.getLogger(__name__)

#: |z| from which a feature counts as clearly high or low for a reason ("same high energy").
SALIENT_Z = 0.5
#: Longest reason we produce; chat embeds and CLI columns stay readable.
MAX_REASON_CHARS = 90
#: Below this |z| difference a song is "about the same" as its mood on a feature.
SAME_AS_MOOD_Z = 0.25
#: How many target masks to keep (one per distinct set of targets seen recently).
MASK_CACHE_SIZE = 32
#: Clusters larger than this first pre-select candidates by a sampled threshold,
#: because a full ``argpartition`` over hundreds of thousands of rows is the slowest step.
THRESHOLD_PRESELECT_ROWS = 50_000

#: Features quoted as "similar X (a vs b)": ones whose numbers mean something to people.
_SIMILAR_PREFERENCE = ("tempo", "loudness", "valence", "energy", "danceability",
                       "duration_ms", "acousticness")
#: How to say "high"/"low" where those words read oddly ("same high length").
_SIDE_WORDS = {"duration_ms": ("long", "short")}


@dataclass(frozen=True)
class FeatureComparison:
    """How one feature of a song compares with its mood's average and the catalog's."""

    feature: str
    label: str
    value: float
    cluster_mean: float
    overall_mean: float
    #: (value - cluster mean) in standard deviations of the whole catalog.
    z_difference: float
    text: str


class Recommender:
    """Similar-song and typical-song queries over a fitted :class:`MoodModel`.

    Build once per model (it precomputes lookup arrays); every query afterwards is
    numpy on those arrays. Safe to share between threads: the only mutable state, the
    target-mask cache, is guarded by a lock.
    """

    def __init__(self, model: MoodModel) -> None:
        model._check_fitted()
        self.model = model
        songs: pd.DataFrame = model.songs_
        self.n_songs = len(songs)
        self.features: tuple[str, ...] = tuple(model.features)
        self._unit = model.unit_vectors_
        self._order = model.order_
        self._row_of = model.row_of_song_
        self._labels = model.labels_
        self._bounds = model.cluster_bounds_
        self._k = int(model.n_clusters_)

        self.ids: list[str] = [str(v) for v in songs["id"].tolist()]
        self.index_of_id: dict[str, int] = {}
        for i, sid in enumerate(self.ids):
            self.index_of_id.setdefault(sid, i)
        # One code per (title key, artist key): copies of a song (remasters, re-releases)
        # share a code, so "never the seed again" is one integer comparison.
        group_keys = pd.Series(list(zip(songs["name_key"].tolist(), songs["artist_key"].tolist())))
        self.group_: np.ndarray = pd.factorize(group_keys)[0].astype(np.int64)
        self.artist_code_: np.ndarray = pd.factorize(songs["artist_key"])[0].astype(np.int64)
        self._group_list: list[int] = self.group_.tolist()
        self._artist_list: list[int] = self.artist_code_.tolist()

        self.X_: np.ndarray = songs[list(self.features)].to_numpy(dtype=np.float64)
        self._mean = np.asarray(model.scaler_.mean_, dtype=np.float64)
        scale = np.asarray(model.scaler_.scale_, dtype=np.float64)
        self._scale = np.where(scale == 0, 1.0, scale)
        self.year_: np.ndarray = songs["year"].to_numpy(dtype=np.float64, na_value=np.nan)
        self.popularity_: np.ndarray = songs["popularity"].to_numpy(dtype=np.float64, na_value=np.nan)

        # Typicality: closer to the centroid = more typical. Sorted per cluster once, so
        # vibe only reads the head of a list.
        dist = np.asarray(model.centroid_distance_, dtype=np.float64)
        self.typicality_: np.ndarray = 1.0 / (1.0 + dist)
        self._typical_order: list[np.ndarray] = []
        for c in range(self._k):
            members = self._order[self.model.cluster_rows(c)]
            self._typical_order.append(members[np.argsort(dist[members], kind="stable")])

        self._mask_cache: OrderedDict[tuple[tuple[str, float | None, float | None], ...], np.ndarray] = OrderedDict()
        self._mask_lock = threading.Lock()

    # -- helpers ------------------------------------------------------------------
    def _check_index(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"song index must be an integer, got {type(index).__name__}")
        i = int(index)
        if not 0 <= i < self.n_songs:
            raise IndexError(f"song index {i} out of range 0..{self.n_songs - 1}")
        return i

    def cluster_of(self, index: int) -> int:
        return int(self._labels[self._check_index(index)])

    def z_scores(self, index: int) -> np.ndarray:
        """Standardised features of one song (computed, not stored: saves n×d memory)."""
        return (self.X_[index] - self._mean) / self._scale

    def target_rows_mask(self, targets: Sequence[Target]) -> np.ndarray | None:
        """Mask over *rows* (cluster layout) of songs meeting every target; None if no targets.

        Kept in row order so a cluster's part is one contiguous slice. Cached per targets
        tuple (LRU), because "more" and repeated requests reuse the same filters and the
        mask costs a pass over the whole catalog.
        """
        targets = tuple(targets)
        if not targets:
            return None
        # keyed on what filters, not on how it was typed ("energy>0.6" == "energy > 0.6")
        key = tuple((t.field, t.low, t.high) for t in targets)
        with self._mask_lock:
            hit = self._mask_cache.get(key)
            if hit is not None:
                self._mask_cache.move_to_end(key)
                return hit
        mask = np.asarray(target_mask(self.model.songs_, list(targets)), dtype=bool)
        rows = np.ascontiguousarray(mask[self._order])
        with self._mask_lock:
            self._mask_cache[key] = rows
            self._mask_cache.move_to_end(key)
            while len(self._mask_cache) > MASK_CACHE_SIZE:
                self._mask_cache.popitem(last=False)
        return rows

    def song_mask(self, targets: Sequence[Target]) -> np.ndarray | None:
        """Mask over song indices of songs meeting every target; None if no targets."""
        rows = self.target_rows_mask(targets)
        if rows is None:
            return None
        return rows[self._row_of]

    def _excluded(self, exclude_ids: Collection[str]) -> tuple[set[int], set[int]]:
        """Excluded song indices and their same-song groups (a copy of a shown song is shown)."""
        idx: set[int] = set()
        groups: set[int] = set()
        if not exclude_ids:
            return idx, groups
        if isinstance(exclude_ids, str):
            exclude_ids = (exclude_ids,)
        for sid in exclude_ids:
            i = self.index_of_id.get(sid) if isinstance(sid, str) else None
            if i is not None:
                idx.add(i)
                groups.add(self._group_list[i])
        return idx, groups

    # -- similar songs ----------------------------------------------------------------
    def similarities(self, seed: int) -> tuple[slice, np.ndarray]:
        """Cosine similarity of ``seed`` with every song of its cluster (row order)."""
        seed = self._check_index(seed)
        rows = self.model.cluster_rows(int(self._labels[seed]))
        q = self._unit[self._row_of[seed]]
        return rows, self._unit[rows] @ q

    def recommend(
        self,
        seed: int,
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        page: int = 0,
        per_artist: int = 2,
        targets: Sequence[Target] = (),
    ) -> list[tuple[int, float]]:
        """Up to ``n`` songs of the seed's cluster most similar to it, as (index, cosine).

        Never the seed or a copy of it (same title and artist keys), never an excluded
        id (nor a copy of one), at most ``per_artist`` songs by one artist per page
        (``per_artist < 1`` lifts the cap), only songs meeting ``targets``. ``page``
        skips the ``page * n`` picks earlier pages gave, so "more" shows new songs.
        Fewer than ``n`` (possibly none) come back when the cluster runs out.
        """
        seed = self._check_index(seed)
        n = max(1, int(n))
        page = max(0, int(page))
        cap = int(per_artist) if per_artist and int(per_artist) > 0 else 0
        rows, sims = self.similarities(seed)
        start = rows.start
        size = rows.stop - rows.start
        mask_rows = self.target_rows_mask(targets)
        if mask_rows is not None:
            m = mask_rows[rows]
            available = int(np.count_nonzero(m))
            if available == 0:
                return []
            sims = np.where(m, sims, np.float32(-np.inf))
        else:
            available = size
        excl_idx, excl_groups = self._excluded(exclude_ids)
        excl_groups.add(self._group_list[seed])
        excl_idx.add(seed)

        need = (page + 1) * n
        # A few times what we need: the loop below rarely drops more (copies, capped
        # artists, exclusions); if it does, the pool grows and the walk is redone.
        pool = min(available, 6 * need + len(excl_idx) + 16)
        while True:
            cand_rows = self._top_rows(sims, pool)
            pages = self._walk(cand_rows, sims, start, n, page, cap, excl_idx, excl_groups)
            exhausted = pool >= available
            if len(pages) > page and len(pages[page]) == n or exhausted:
                break
            pool = min(available, pool * 4)
        if len(pages) <= page:
            return []
        return pages[page]

    def _top_rows(self, sims: np.ndarray, pool: int) -> np.ndarray:
        """Rows (within the slice) of the ``pool`` highest sims, best first, ties by row.

        Large clusters first keep rows above a threshold estimated from a strided sample:
        one comparison pass is much cheaper than a full argpartition, which remains the
        fallback when the estimate is too strict.
        """
        size = sims.shape[0]
        pool = max(1, min(pool, size))
        cand: np.ndarray | None = None
        if size > THRESHOLD_PRESELECT_ROWS and pool * 8 < size:
            step = max(1, size // 4096)
            sample = sims[::step]
            # Expected sample rank of the pool-th best, tripled for safety.
            rank = min(sample.shape[0] - 1, int(math.ceil(3 * pool * sample.shape[0] / size)) + 2)
            thr = np.partition(sample, sample.shape[0] - 1 - rank)[sample.shape[0] - 1 - rank]
            above = np.flatnonzero(sims >= thr)
            if pool <= above.shape[0] <= 64 * pool + 4096:
                cand = above
        if cand is None:
            cand = (np.argpartition(-sims, pool - 1)[:pool] if pool < size
                    else np.arange(size))
        vals = sims[cand]
        if cand.shape[0] > pool:
            keep = np.argpartition(-vals, pool - 1)[:pool]
            cand, vals = cand[keep], vals[keep]
        order = np.lexsort((cand, -vals))
        return cand[order]

    def _walk(
        self, cand_rows: np.ndarray, sims: np.ndarray, start: int, n: int, page: int,
        cap: int, excl_idx: set[int], excl_groups: set[int],
    ) -> list[list[tuple[int, float]]]:
        """Split ranked candidates into pages of ``n`` valid picks, up to ``page``.

        The artist cap counts within a page: a third song by an artist is deferred to
        the next page rather than dropped, so "more" can still reach it.
        """
        order = self._order
        groups = self._group_list
        artists = self._artist_list
        remaining: list[tuple[int, float]] = []
        seen_groups = set(excl_groups)
        neg_inf = -math.inf
        for r in cand_rows.tolist():
            s = float(sims[r])
            if s == neg_inf:
                continue
            i = int(order[start + r])
            if i in excl_idx:
                continue
            g = groups[i]
            if g in seen_groups:  # a copy of the seed, of an excluded song or of a better pick
                continue
            seen_groups.add(g)
            remaining.append((i, s))
        pages: list[list[tuple[int, float]]] = []
        for _ in range(page + 1):
            if not remaining:
                break
            picks: list[tuple[int, float]] = []
            if cap:
                counts: dict[int, int] = {}
                deferred: list[tuple[int, float]] = []
                pos = 0
                for pos, item in enumerate(remaining):
                    if len(picks) == n:
                        break
                    a = artists[item[0]]
                    c = counts.get(a, 0)
                    if c < cap:
                        counts[a] = c + 1
                        picks.append(item)
                    else:
                        deferred.append(item)
                else:
                    pos = len(remaining)
                # deferred songs ranked above the unread rest, so this stays sorted
                remaining = deferred + remaining[pos:]
            else:
                picks, remaining = remaining[:n], remaining[n:]
            pages.append(picks)
        return pages

    # -- reasons -----------------------------------------------------------------------
    def reason(self, seed: int, pick: int) -> str:
        """Why ``pick`` goes with ``seed``, in words: shared extremes, then the closest number.

        Shared extremes are features where both songs sit clearly on the same side of
        the catalog's average (|z| ≥ 0.5): "same high energy and danceability". The
        closest number is the most readable feature (tempo, loudness, ...) on which
        they are nearest: "similar tempo (121 vs 118 BPM)".
        """
        seed = self._check_index(seed)
        pick = self._check_index(pick)
        zs, zp = self.z_scores(seed), self.z_scores(pick)
        feats = self.features
        shared: list[tuple[float, str, str]] = []
        for j, f in enumerate(feats):
            a, b = zs[j], zp[j]
            if a * b > 0 and min(abs(a), abs(b)) >= SALIENT_Z:
                high, low = _SIDE_WORDS.get(f, ("high", "low"))
                shared.append((min(abs(a), abs(b)), high if a > 0 else low, FEATURE_LABELS[f]))
        shared.sort(key=lambda t: -t[0])
        shared = shared[:2]
        used = {label for _, _, label in shared}
        parts: list[str] = []
        if shared:
            if len(shared) == 2 and shared[0][1] == shared[1][1]:
                parts.append(f"same {shared[0][1]} {shared[0][2]} and {shared[1][2]}")
            else:
                parts.append("same " + ", ".join(f"{side} {label}" for _, side, label in shared))
        similar = self._similar_phrase(seed, pick, zs, zp, used)
        if similar:
            parts.append(similar)
        text = ", ".join(parts)
        if not text or len(text) > MAX_REASON_CHARS:
            text = parts[0] if parts and len(parts[0]) <= MAX_REASON_CHARS else ""
        if not text:
            text = "close overall sound profile"
        return text[:MAX_REASON_CHARS]

    def _similar_phrase(self, seed: int, pick: int, zs: np.ndarray, zp: np.ndarray,
                        used: set[str]) -> str:
        best: tuple[float, int, str] | None = None
        for rank, f in enumerate(_SIMILAR_PREFERENCE):
            if f not in self.features or FEATURE_LABELS[f] in used:
                continue
            j = self.features.index(f)
            # a small bias towards tempo/loudness: people recognise those numbers
            gap = abs(zs[j] - zp[j]) + 0.02 * rank
            if best is None or gap < best[0]:
                best = (gap, j, f)
        if best is None or best[0] > 0.75:
            return ""
        _, j, f = best
        a = format_feature(f, float(self.X_[seed, j]))
        b = format_feature(f, float(self.X_[pick, j]))
        unit = ""
        for suffix in (" BPM", " dB"):
            if a.endswith(suffix) and b.endswith(suffix):
                a, unit = a[: -len(suffix)], suffix
                b = b[: -len(suffix)]
        return f"similar {FEATURE_LABELS[f]} ({a} vs {b}{unit})"

    # -- typical songs -------------------------------------------------------------------
    def vibe(
        self,
        cluster: int,
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        rng: np.random.Generator | None = None,
        targets: Sequence[Target] = (),
        per_artist: int = 2,
    ) -> list[tuple[int, float]]:
        """``n`` songs typical of ``cluster`` as (index, typicality in 0..1), most typical first.

        Sampled without replacement from the most typical pool (top ``max(10n, 50)``
        eligible songs), weighted by typicality, so repeated calls vary while staying on
        the mood; pass a seeded ``rng`` for reproducible picks.
        """
        if isinstance(cluster, bool) or not isinstance(cluster, (int, np.integer)) \
                or not 0 <= int(cluster) < self._k:
            raise IndexError(f"cluster must be in 0..{self._k - 1}, got {cluster!r}")
        n = max(1, int(n))
        cap = int(per_artist) if per_artist and int(per_artist) > 0 else 0
        rng = rng if rng is not None else np.random.default_rng()
        ranked = self._typical_order[int(cluster)]
        mask = self.song_mask(targets)
        excl_idx, excl_groups = self._excluded(exclude_ids)
        pool_size = max(10 * n, 50)
        pool: list[int] = []
        seen_groups = set(excl_groups)
        groups = self._group_list
        # Read the typicality order in chunks: the pool is tiny next to a big cluster,
        # and turning the whole cluster into a Python list would dominate the call.
        chunk = max(4 * pool_size, 1024)
        for lo in range(0, ranked.shape[0], chunk):
            part = ranked[lo:lo + chunk]
            if mask is not None:
                part = part[mask[part]]
            for i in part.tolist():
                if i in excl_idx or groups[i] in seen_groups:
                    continue
                seen_groups.add(groups[i])
                pool.append(i)
                if len(pool) >= pool_size:
                    break
            if len(pool) >= pool_size:
                break
        if not pool:
            return []
        idx = np.asarray(pool, dtype=np.int64)
        weights = self.typicality_[idx]
        # Efraimidis–Spirakis: weighted sampling without replacement as a sort by
        # u^(1/w); walking that order lets the artist cap skip and continue.
        keys = np.log(rng.random(idx.shape[0])) / weights
        picks: list[int] = []
        counts: dict[int, int] = {}
        for pos in np.argsort(-keys, kind="stable").tolist():
            i = int(idx[pos])
            a = self._artist_list[i]
            if cap and counts.get(a, 0) >= cap:
                continue
            counts[a] = counts.get(a, 0) + 1
            picks.append(i)
            if len(picks) == n:
                break
        picks.sort(key=lambda i: (-self.typicality_[i], i))
        return [(i, float(self.typicality_[i])) for i in picks]

    # -- one song against its mood ---------------------------------------------------------
    def compare(self, index: int) -> list[FeatureComparison]:
        """Each feature of the song against its cluster's and the catalog's mean.

        Ordered by how far the song sits from its mood (in catalog standard deviations),
        so the first lines say what makes this song unusual for its mood.
        """
        index = self._check_index(index)
        c = int(self._labels[index])
        prof = self.model.profiles_[c]
        overall = self.model.overall_profile_
        out: list[FeatureComparison] = []
        for j, f in enumerate(self.features):
            value = float(self.X_[index, j])
            mean = float(prof[j])
            zdiff = (value - mean) / float(self._scale[j])
            label = FEATURE_LABELS[f]
            if abs(zdiff) < SAME_AS_MOOD_Z:
                rel = "about the same as"
            elif zdiff > 0:
                rel = "higher than"
            else:
                rel = "lower than"
            if f == "duration_ms":
                rel = rel.replace("higher", "longer").replace("lower", "shorter")
            text = f"{label} {format_feature(f, value)} — {rel} this mood's {format_feature(f, mean)}"
            out.append(FeatureComparison(feature=f, label=label, value=value, cluster_mean=mean,
                                         overall_mean=float(overall[j]), z_difference=float(zdiff),
                                         text=text))
        out.sort(key=lambda fc: -abs(fc.z_difference))
        return out

