"""Songs nearest a mood word's target in the standardised audio space.

A target (see :mod:`engine.words.vocabulary`) sets a few features in z-scores; a song's misfit is
the weighted mean of its squared distances on those features only (one-sided targets count
no distance beyond their bound), and its fit is ``1 / (1 + sqrt(misfit))`` in 0..1. The
best-fitting songs are found over the whole catalog, so a mood that spans several clusters
draws from each; the picks are a weighted sample (Efraimidis–Spirakis, as the cluster
``vibe``) of the best-fitting tier, so asking again gives other songs.

Speed: the ranking of one target (a few vectorised passes over a float32 column per
feature plus a partial sort) is cached per target, because people ask for the same few
words again and again; a cached request only walks a short list. The rankings of the
vocabulary's single words are also computed when the model is saved and mapped with its
arrays, so even the first ask of any word in a fresh process only reads a list (at a
million songs a ranking costs ~15 ms; mapping costs a start nothing). Filters (``tempo<100``)
rank the songs meeting them, using the recommender's cached filter masks.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..features import FEATURE_LABELS
from ..filters import Target
from ..fitted import standard_scale
from ..moods import format_feature
from ..reasons import MAX_REASON_CHARS
from ..recommend import Recommender, sample_capped
from ..stable_order import order, rounded, top
from .vocabulary import VOCABULARY, Aim, VocabWord

if TYPE_CHECKING:
    from ..fitted import FittedModel

#: Best-fitting songs kept per cached target (the walk goes deeper only when exclusions
#: and filters use them up).
POOL_SIZE = 4096
#: Targets aiming at this many features or more are scanned as one product (_rank_scanned).
DOT_MIN_AIMS = 5
#: Songs the approximate scan keeps to score exactly (a conversation's list reads the head;
#: a walk past them scores everything).
SHORTLIST = 1024
#: Columns per matrix-vector product of the scan.
SCAN_CHUNK = 32_768
#: Targets whose rankings are kept (the vocabulary is ~75 words; combinations add some).
CACHE_SIZE = 256
#: A target feature is named in a reason when the song is on the target's side by this much (z).
REASON_MIN_Z = 0.2

_AimKey = tuple[tuple[str, float, str, float], ...]
_CacheKey = tuple[_AimKey, int | None]


def aim_key(aims: Mapping[str, Aim]) -> _AimKey:
    return tuple(sorted((f, round(a.z, 4), a.how, round(a.weight, 4)) for f, a in aims.items()))


def _key_text(key: _CacheKey) -> str:
    """A ranking's cache key as the text it is saved under (plain data: no pickle)."""
    return repr(key)


class WordSearch:
    """Target-nearest songs over one :class:`Recommender` (its arrays, masks and exclusions)."""

    def __init__(self, recommender: Recommender, arrays: Mapping[str, np.ndarray] | None = None) -> None:
        """``arrays``: what :meth:`arrays` gave for this model (engine.storage.serving maps them)."""
        self.rec = recommender
        self.features = recommender.features
        self._col = {f: j for j, f in enumerate(self.features)}
        if arrays is not None:
            self._zt = arrays["zt"]
            if self._zt.shape != (len(self.features), recommender.n_songs):
                raise ValueError("word search arrays are for another model")
        else:
            z = recommender.standardised()
            # one contiguous float32 row per feature: each target feature is one pass over it
            self._zt = np.ascontiguousarray(z.T, dtype=np.float32)
        self._cache: OrderedDict[_CacheKey, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        self._scratch = _ScanScratch()
        self._centre_cache: dict[_AimKey, np.ndarray] = {}
        #: The vocabulary's rankings saved with the model (see :meth:`_saved_ranking`).
        self._saved = arrays if arrays is not None and "vocab_keys" in arrays else None
        self._saved_at: dict[str, int] | None = None

    def arrays(self) -> dict[str, np.ndarray]:
        """The standardised feature rows and the vocabulary's rankings by name, for
        engine.storage.serving to save."""
        return {"zt": self._zt, **self._vocabulary_rankings()}

    def _vocabulary_asks(self) -> list[tuple[dict[str, Aim], int | None]]:
        """Every (aims, cluster) one vocabulary word is ranked by (engine.words.mood_words):
        over the whole catalog, and within its cluster for a word that is a mood's key."""
        by_key = {m.key: m.cluster for m in self.rec.model.moods_}
        asks: list[tuple[dict[str, Aim], int | None]] = []
        for word in VOCABULARY:
            aims = self.usable(word.aims)
            if aims:
                asks.append((aims, None))
                if word.word in by_key:
                    asks.append((aims, by_key[word.word]))
        return asks

    def _vocabulary_rankings(self) -> dict[str, np.ndarray]:
        """The rankings of :meth:`_vocabulary_asks`, concatenated, and what each is asked by."""
        keys: list[str] = []
        idx: list[np.ndarray] = []
        mis: list[np.ndarray] = []
        for aims, cluster in self._vocabulary_asks():
            key = _key_text((aim_key(aims), cluster))
            if key not in keys:
                keys.append(key)
                i, m = self.ranked(aims, cluster)
                idx.append(np.asarray(i, dtype=np.int64))
                mis.append(np.asarray(m, dtype=np.float64))
        lengths = [len(i) for i in idx]
        return {
            "vocab_keys": np.asarray(keys, dtype=np.str_) if keys else np.zeros(0, dtype="<U1"),
            "vocab_offsets": np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64),
            "vocab_idx": np.concatenate(idx) if idx else np.zeros(0, dtype=np.int64),
            "vocab_misfit": np.concatenate(mis) if mis else np.zeros(0, dtype=np.float64),
        }

    def _saved_ranking(self, key: _CacheKey) -> tuple[np.ndarray, np.ndarray] | None:
        """The saved ranking of ``key``, if the model was saved with one (views of the map)."""
        saved = self._saved
        if saved is None:
            return None
        if self._saved_at is None:  # ~100 short strings, once
            self._saved_at = {k: i for i, k in enumerate(saved["vocab_keys"].tolist())}
        at = self._saved_at.get(_key_text(key))
        if at is None:
            return None
        lo, hi = int(saved["vocab_offsets"][at]), int(saved["vocab_offsets"][at + 1])
        return saved["vocab_idx"][lo:hi], saved["vocab_misfit"][lo:hi]

    def usable(self, aims: Mapping[str, Aim]) -> dict[str, Aim]:
        """The aims on features this model has (a model may be fitted on fewer features)."""
        return {f: a for f, a in aims.items() if f in self._col and a.weight > 0}

    # -- ranking ----------------------------------------------------------------------
    def misfit(self, aims: Mapping[str, Aim], rows: np.ndarray | None = None) -> np.ndarray:
        """Weighted mean squared distance of every song (or of ``rows``) to the target."""
        return _misfit(self._zt, self._col, self.usable(aims), rows)

    def _rows(self, cluster: int | None) -> np.ndarray | None:
        """Song indices of ``cluster`` (None: the whole catalog)."""
        if cluster is None:
            return None
        return np.sort(self.rec.model.order_[self.rec.model.cluster_rows(int(cluster))])

    def ranked(self, aims: Mapping[str, Aim], cluster: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(song indices, misfits) of the best-fitting songs (of ``cluster``), best first.

        Cached per target and cluster: the vocabulary is small and people repeat words.
        """
        key = (aim_key(aims), cluster)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        saved = self._saved_ranking(key)
        if saved is not None:
            result = saved
        else:
            rows = self._rows(cluster)
            usable = self.usable(aims)
            if rows is None and len(usable) >= DOT_MIN_AIMS and self.rec.n_songs > 2 * SHORTLIST:
                result = self._rank_scanned(usable)
            else:
                result = self._rank(self.misfit(aims, rows), POOL_SIZE, rows)
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return result

    @staticmethod
    def _rank(misfit: np.ndarray, size: int, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``size`` best-fitting songs, best first, and their misfits (rounded, see
        :mod:`engine.stable_order`: many songs fit a one-sided target exactly, and their
        order must not be the partition's)."""
        best = top(misfit, size, key=rows)
        idx = best if rows is None else rows[best]
        return idx.astype(np.int64), rounded(misfit[best])

    def _rank_scanned(self, aims: Mapping[str, Aim]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_rank` of a target on many features (a song's whole sound, critiqued):
        an approximate scan of every song (one matrix-vector product, see :meth:`_scan`),
        then the shortlist scored exactly in float64 and ordered by that score, so the
        order is the same on every CPU whatever the product's last bits."""
        approx = self._scan(aims)
        short = np.sort(top(approx, min(approx.shape[0], SHORTLIST)))  # sorted: gathers walk memory in order
        exact = _misfit_exact(self._zt, self._col, aims, short)
        best = order(exact, key=short)
        return short[best].astype(np.int64), rounded(exact[best])

    def _scan(self, aims: Mapping[str, Aim]) -> np.ndarray:
        """Approximate misfit of every song, float32: sum w·(z − t)² expanded as
        sum w·z² − 2·(w·t)·z + sum w·t², the middle term one product over the feature rows
        and sum z² kept per song, so a target costs about one pass over the rows instead of
        three per feature. One-sided aims take back what the expansion charged beyond
        their bound.

        Written into this thread's scratch arrays (valid until its next scan): a
        million-song temporary is fresh pages for the kernel to fault in and zero, which
        cost more than the arithmetic when every step allocated its own.
        """
        d, n = self._zt.shape
        w = np.zeros(d, dtype=np.float64)
        t = np.zeros(d, dtype=np.float64)
        for f, a in aims.items():
            w[self._col[f]], t[self._col[f]] = a.weight, a.z
        out, tmp, beyond = self._scratch.arrays(n)
        np.copyto(out, self._squares())
        for j in np.flatnonzero(w != 1.0).tolist():  # sum w·z²: correct the unit weights
            row = self._zt[j]
            np.multiply(np.float32(w[j] - 1.0), row, out=tmp)
            tmp *= row
            out += tmp
        q = (w * t).astype(np.float32)
        for lo in range(0, n, SCAN_CHUNK):  # chunks keep OpenBLAS on this thread (see recommend)
            np.matmul(q, self._zt[:, lo : lo + SCAN_CHUNK], out=tmp[lo : lo + SCAN_CHUNK])
        tmp *= np.float32(2.0)
        out -= tmp
        out += np.float32((w * t * t).sum())
        for f, a in aims.items():
            if a.how == "near":
                continue
            np.subtract(self._zt[self._col[f]], np.float32(a.z), out=beyond)
            np.maximum(beyond, 0, out=beyond) if a.how == "at_least" else np.minimum(beyond, 0, out=beyond)
            np.multiply(np.float32(a.weight), beyond, out=tmp)
            tmp *= beyond
            out -= tmp
        out *= np.float32(1.0 / w.sum())
        return out

    def _squares(self) -> np.ndarray:
        """Each song's squared norm in the standardised space (computed once, float32)."""
        sq = self.__dict__.get("_sq")
        if sq is None:
            sq = np.zeros(self._zt.shape[1], dtype=np.float32)
            for row in self._zt:
                sq += row * row
            self.__dict__["_sq"] = sq
        return sq

    def _sources(
        self, aims: Mapping[str, Aim], targets: Sequence[Target], cluster: int | None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Ranked (indices, misfits) lists to walk: the cached pool, then everything."""
        song_mask = self.rec.song_mask(targets)
        if song_mask is None:
            idx, mis = self.ranked(aims, cluster)
            yield idx, mis
            size = self.rec.n_songs if cluster is None else int(self.rec.model.sizes_[int(cluster)])
            if idx.shape[0] >= size:
                return
        rows = self._rows(cluster)
        if song_mask is not None:
            rows = np.flatnonzero(song_mask) if rows is None else rows[song_mask[rows]]
            if rows.shape[0] == 0:
                return
        n = self.rec.n_songs if rows is None else rows.shape[0]
        misfit = self.misfit(aims, rows)
        if song_mask is not None and n > 2 * POOL_SIZE:  # the best of the rest first: a walk reads a head
            head = self._rank(misfit, POOL_SIZE, rows)
            yield head
        yield self._rank(misfit, n, rows)

    def _tiers(
        self,
        aims: Mapping[str, Aim],
        targets: Sequence[Target],
        tier_size: int,
        excl_idx: set[int],
        excl_groups: set[int],
        cluster: int | None,
    ) -> Iterator[tuple[list[int], list[float]]]:
        """Eligible songs, best-fitting first, in tiers of ``tier_size`` (index list, misfit list)."""
        seen_groups = set(excl_groups)
        seen_idx: set[int] = set()
        group = self.rec.group_
        tier: list[int] = []
        tier_mis: list[float] = []
        for idx, mis in self._sources(aims, targets, cluster):
            lo, chunk = 0, tier_size + 16
            while lo < idx.shape[0]:  # in growing chunks: a request reads a short head only
                part, part_mis = idx[lo : lo + chunk], mis[lo : lo + chunk]
                lo, chunk = lo + chunk, chunk * 4
                for i, g, m in zip(part.tolist(), group[part].tolist(), part_mis.tolist()):
                    if i in excl_idx or g in seen_groups or i in seen_idx:
                        continue
                    seen_groups.add(g)
                    seen_idx.add(i)
                    tier.append(i)
                    tier_mis.append(m)
                    if len(tier) == tier_size:
                        yield tier, tier_mis
                        tier, tier_mis = [], []
        if tier:
            yield tier, tier_mis

    def pick(
        self,
        aims: Mapping[str, Aim],
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        rng: np.random.Generator | None = None,
        targets: Sequence[Target] = (),
        per_artist: int = 2,
        cluster: int | None = None,
    ) -> list[tuple[int, float]]:
        """``n`` songs fitting ``aims`` (from ``cluster`` if given) as (index, fit in 0..1).

        Sampled from the best-fitting ``max(10n, 50)`` eligible songs, weighted by fit, at
        most ``per_artist`` per artist (next tiers fill in when the cap leaves a gap);
        best fit first.
        """
        n = max(1, int(n))
        cap = max(0, int(per_artist or 0))
        rng = rng if rng is not None else np.random.default_rng()
        excl_idx, excl_groups = self.rec.excluded(exclude_ids)
        tiers = self._tiers(aims, targets, max(10 * n, 50), excl_idx, excl_groups, cluster)
        weighted = ((tier, 1.0 / (1.0 + np.sqrt(np.asarray(mis, dtype=np.float64)))) for tier, mis in tiers)
        return sample_capped(weighted, n, cap, self.rec.artist_code_, rng)

    def nearest(
        self,
        aims: Mapping[str, Aim],
        n: int = 5,
        *,
        exclude_ids: Collection[str] = (),
        exclude_idx: Collection[int] = (),
        targets: Sequence[Target] = (),
        per_artist: int = 2,
    ) -> list[tuple[int, float]]:
        """The ``n`` best-fitting eligible songs as (index, fit in 0..1), best first.

        Unlike :meth:`pick` nothing is sampled: a conversation's critiques must move the
        list exactly where the target went, and the same turn gives the same list.
        ``exclude_idx`` are song indices to leave out besides ``exclude_ids``.
        """
        n = max(1, int(n))
        cap = max(0, int(per_artist or 0))
        excl_idx, excl_groups = self.rec.excluded(exclude_ids)
        excl_idx |= {int(i) for i in exclude_idx}
        artist = self.rec.artist_code_
        counts: dict[int, int] = {}
        out: list[tuple[int, float]] = []
        for tier, mis in self._tiers(aims, targets, max(4 * n, 50), excl_idx, excl_groups, None):
            for i, m in zip(tier, mis):
                a = int(artist[i])
                if cap and counts.get(a, 0) >= cap:
                    continue
                counts[a] = counts.get(a, 0) + 1
                out.append((i, 1.0 / (1.0 + float(np.sqrt(m)))))
                if len(out) == n:
                    return out
        return out

    # -- reasons ----------------------------------------------------------------------
    def reasons(self, aims: Mapping[str, Aim], indices: Sequence[int]) -> list[str]:
        """Why each song fits: the target's features it matches, strongest aims first.

        "low positivity (0.21), low energy (0.30)": the song's own values, so they can be
        checked; only features where the song sits on the target's side of the mean.
        """
        aims = self.usable(aims)
        order = sorted(
            ((f, a) for f, a in aims.items() if a.direction), key=lambda fa: (-fa[1].weight, -abs(fa[1].z))
        )
        if not len(indices):
            return []
        raw_rows = self.rec.X_[np.asarray(indices, dtype=np.int64)]
        z_rows = self.rec.standardised(indices).tolist()
        out: list[str] = []
        for x, z in zip(raw_rows.tolist(), z_rows):
            words: list[str] = []
            for f, a in order:
                j = self._col[f]
                if a.direction * z[j] >= REASON_MIN_Z:
                    side = "high" if z[j] > 0 else "low"
                    if f == "duration_ms":
                        side = "long" if z[j] > 0 else "short"
                    words.append(f"{side} {FEATURE_LABELS[f]} ({format_feature(f, x[j])})")
                    if len(words) == 3:
                        break
            text = ", ".join(words)
            while len(text) > MAX_REASON_CHARS and len(words) > 1:
                words.pop()
                text = ", ".join(words)
            out.append(
                text if words and len(text) <= MAX_REASON_CHARS else "close to this mood's sound overall"
            )
        return out

    def centroid_misfit(self, aims: Mapping[str, Aim]) -> np.ndarray:
        """Misfit of each cluster centre (z-space) to the target: which cluster fits the word."""
        key = aim_key(aims)
        hit = self._centre_cache.get(key)
        if hit is None:
            hit = self._centre_cache[key] = self._centroid_misfit(aims)
            if len(self._centre_cache) > CACHE_SIZE:
                self._centre_cache.clear()  # rare (many distinct combinations): start over
        return hit

    def _centroid_misfit(self, aims: Mapping[str, Aim]) -> np.ndarray:
        centres = np.asarray(self.rec.model.kmeans_.cluster_centers_, dtype=np.float64)
        aims = self.usable(aims)
        total = np.zeros(centres.shape[0])
        wsum = 0.0
        for f, a in aims.items():
            d = centres[:, self._col[f]] - a.z
            if a.how == "at_least":
                d = np.minimum(d, 0)
            elif a.how == "at_most":
                d = np.maximum(d, 0)
            total += a.weight * d * d
            wsum += a.weight
        return total / wsum if wsum else total


class _ScanScratch(threading.local):
    """Per-thread float32 arrays for :meth:`WordSearch._scan`, grown on demand."""

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * 3

    def arrays(self, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._arrays[0].shape[0] < size:
            self._arrays = [np.empty(size, dtype=np.float32) for _ in range(3)]
        a, b, c = self._arrays
        return a[:size], b[:size], c[:size]


def _misfit_exact(
    zt: np.ndarray, col: Mapping[str, int], aims: Mapping[str, Aim], rows: np.ndarray
) -> np.ndarray:
    """:func:`_misfit` of ``rows`` in float64, feature by feature in a fixed order: the same
    bits on every CPU (elementwise float64 arithmetic is correctly rounded everywhere)."""
    total = np.zeros(rows.shape[0], dtype=np.float64)
    wsum = 0.0
    for f, a in aims.items():
        d = zt[col[f], rows].astype(np.float64) - a.z
        if a.how == "at_least":
            np.minimum(d, 0, out=d)
        elif a.how == "at_most":
            np.maximum(d, 0, out=d)
        total += a.weight * d * d
        wsum += a.weight
    return total / wsum if wsum > 0 else total


def _misfit(
    zt: np.ndarray, col: Mapping[str, int], aims: Mapping[str, Aim], rows: np.ndarray | None = None
) -> np.ndarray:
    """Weighted mean squared distance to the target of each column of ``zt`` (features × songs).

    In place on float32 scratch arrays: a target costs a few passes over one row per feature.
    """
    n = zt.shape[1] if rows is None else rows.shape[0]
    total = np.zeros(n, dtype=np.float32)
    tmp = np.empty(n, dtype=np.float32)
    wsum = 0.0
    for f, a in aims.items():
        values = zt[col[f]]
        if rows is not None:
            values = values[rows]
        np.subtract(values, np.float32(a.z), out=tmp)
        if a.how == "at_least":
            np.minimum(tmp, 0, out=tmp)
        elif a.how == "at_most":
            np.maximum(tmp, 0, out=tmp)
        np.multiply(tmp, tmp, out=tmp)
        if a.weight != 1.0:
            tmp *= np.float32(a.weight)
        total += tmp
        wsum += a.weight
    if wsum > 0:
        total *= np.float32(1.0 / wsum)
    return total


def word_points(
    model: FittedModel, vocabulary: Sequence[VocabWord] = VOCABULARY, n_best: int = 50
) -> list[tuple[str, float, float]]:
    """Where each word sits on the valence × energy plane of ``model``'s catalog.

    The mean valence and energy (file units, 0..1) of the word's ``n_best`` best-fitting songs:
    grounded in this catalog's songs, so a chart shows where the word's picks really are
    (a word that sets neither valence nor energy still lands somewhere). Empty when the
    model was fitted without valence or energy.
    """
    feats = tuple(model.features)
    if "valence" not in feats or "energy" not in feats:
        return []
    X = np.asarray(model.feature_values_, dtype=np.float64)
    mean, scale = standard_scale(model)
    zt = np.ascontiguousarray(((X - mean) / scale).T, dtype=np.float32)
    col = {f: j for j, f in enumerate(feats)}
    v, e = col["valence"], col["energy"]
    out = []
    for w in vocabulary:
        aims = {f: a for f, a in w.aims.items() if f in col}
        if not aims:
            continue
        best = top(_misfit(zt, col, aims), n_best)
        out.append((w.word, float(X[best, v].mean()), float(X[best, e].mean())))
    return out
