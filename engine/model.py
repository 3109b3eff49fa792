"""The mood model: StandardScaler + K-Means on audio features, with named moods.

Follows scikit-learn's estimator conventions: hyper-parameters in ``__init__``,
``fit`` returns ``self``, learned state ends in ``_``. Besides the clustering it keeps
what serving needs precomputed once at fit time: per-cluster unit vectors laid out
contiguously (cosine similarity within a cluster is then one matrix-vector product),
each song's distance to its centroid (typical songs for ``vibe``), cluster profiles,
the PCA map (pictures only) and genre validation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from .evaluation import KResult, choose_k, cluster_quality, evaluate_k
from .features import AUDIO_FEATURES, validate_features
from .moods import Mood, name_moods
from .validation import ClusterValidation, validate_clusters

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


class NotFittedError(RuntimeError):
    """The model was used before ``fit``."""


class MoodModel:
    """Cluster songs into moods.

    Parameters
    ----------
    n_clusters : int or "auto"
        Number of moods; "auto" evaluates ``k_range`` and keeps the best silhouette.
    features : sequence of str
        Audio features to cluster on (default: the study's ten).
    k_range : (int, int)
        Inclusive range evaluated when ``n_clusters="auto"``.
    n_init, random_state :
        Passed to :class:`sklearn.cluster.KMeans`; seeded so a catalog always gives
        the same moods.
    """

    def __init__(
        self,
        n_clusters: int | Literal["auto"] = 4,
        *,
        features: tuple[str, ...] | list[str] = AUDIO_FEATURES,
        k_range: tuple[int, int] = (2, 10),
        n_init: int = 10,
        random_state: int = 42,
    ) -> None:
        self.n_clusters = n_clusters
        self.features = tuple(features)
        self.k_range = k_range
        self.n_init = n_init
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------
    def _validate_params(self, n_songs: int) -> None:
        validate_features(self.features)
        if self.n_clusters != "auto":
            if isinstance(self.n_clusters, bool) or not isinstance(self.n_clusters, (int, np.integer)):
                raise ValueError(f"n_clusters must be an integer or 'auto', got {self.n_clusters!r}")
            if not 2 <= int(self.n_clusters) <= 50:
                raise ValueError(f"n_clusters must be between 2 and 50, got {self.n_clusters}")
            if int(self.n_clusters) >= n_songs:
                raise ValueError(f"{n_songs} songs are too few for {self.n_clusters} clusters")
        lo, hi = self.k_range
        if not 2 <= lo <= hi <= 50:
            raise ValueError(f"k range must satisfy 2 <= min <= max <= 50, got {lo}..{hi}")

    def fit(self, songs: pd.DataFrame, progress: Progress | None = None) -> "MoodModel":
        """Fit scaler, K-Means and everything serving needs on the canonical song table."""
        say = progress or (lambda msg: logger.info("%s", msg))
        self._validate_params(len(songs))
        missing = [f for f in self.features if f not in songs.columns]
        if missing:
            raise ValueError(f"song table lacks feature column(s): {', '.join(missing)}")
        songs = songs.reset_index(drop=True)
        X = songs[list(self.features)].to_numpy(dtype=np.float64)
        if not np.isfinite(X).all():
            raise ValueError("song table has missing or infinite feature values; load it with load_catalog")

        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)

        self.evaluation_: list[KResult] | None = None
        if self.n_clusters == "auto":
            lo, hi = self.k_range
            hi = min(hi, len(songs) - 1)
            say(f"evaluating k={lo}..{hi} on {len(songs):,} songs")
            fitted: dict[int, KMeans] = {}
            self.evaluation_ = evaluate_k(
                Z, range(lo, hi + 1), n_init=self.n_init, random_state=self.random_state,
                progress=lambda k, r: say(f"  k={k}: silhouette {r.silhouette:.3f}, "
                                          f"Davies-Bouldin {r.davies_bouldin:.3f}"),
                fitted=fitted,
            )
            k = choose_k(self.evaluation_)
            say(f"chose k={k}")
            # the evaluation fitted and measured k already, with the same settings
            self.kmeans_ = fitted[k]
            self.metrics_ = next(r for r in self.evaluation_ if r.k == k)
        else:
            k = int(self.n_clusters)
            say(f"fitting K-Means (k={k}, n_init={self.n_init}) on {len(songs):,} songs")
            self.kmeans_ = KMeans(n_clusters=k, n_init=self.n_init,
                                  random_state=self.random_state).fit(Z)
            self.metrics_ = cluster_quality(Z, self.kmeans_.labels_, self.kmeans_.inertia_,
                                            self.random_state)
        self.n_clusters_ = k
        self.labels_ = self.kmeans_.labels_.astype(np.int32)
        say(f"silhouette {self.metrics_.silhouette:.3f}, Davies-Bouldin {self.metrics_.davies_bouldin:.3f}")

        self.songs_ = songs
        self.profiles_ = songs.groupby(self.labels_)[list(self.features)].mean().to_numpy()
        self.overall_profile_ = X.mean(axis=0)
        self.moods_: list[Mood] = name_moods(
            self.kmeans_.cluster_centers_, self.features, self.profiles_, self.overall_profile_
        )
        self._build_serving_layout(Z)
        say("computing the 2-D map and genre validation")
        self.pca_ = PCA(n_components=2, random_state=self.random_state).fit(Z)
        self.coords_2d_ = self.pca_.transform(Z).astype(np.float32)
        self.validation_: ClusterValidation = validate_clusters(songs, self.labels_)
        return self

    def _build_serving_layout(self, Z: np.ndarray) -> None:
        """Lay unit vectors out cluster by cluster so one slice holds one cluster."""
        norms = np.linalg.norm(Z, axis=1, keepdims=True)
        unit = Z / np.where(norms == 0, 1.0, norms)
        self.order_ = np.argsort(self.labels_, kind="stable").astype(np.int64)
        self.cluster_bounds_ = np.searchsorted(
            self.labels_[self.order_], np.arange(self.n_clusters_ + 1)
        ).astype(np.int64)
        self.unit_vectors_ = np.ascontiguousarray(unit[self.order_], dtype=np.float32)
        self.row_of_song_ = np.empty_like(self.order_)
        self.row_of_song_[self.order_] = np.arange(len(self.order_))
        centers = self.kmeans_.cluster_centers_
        self.centroid_distance_ = np.linalg.norm(Z - centers[self.labels_], axis=1).astype(np.float32)

    # -- using -----------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "kmeans_"):
            raise NotFittedError("this MoodModel is not fitted yet; call fit(songs) first")

    def transform(self, songs: pd.DataFrame) -> np.ndarray:
        """Standardised feature matrix of ``songs`` (the space K-Means works in)."""
        self._check_fitted()
        return self.scaler_.transform(songs[list(self.features)].to_numpy(dtype=np.float64))

    def predict(self, songs: pd.DataFrame) -> np.ndarray:
        """Cluster id of each song (works for songs outside the fitted catalog)."""
        self._check_fitted()
        return self.kmeans_.predict(self.transform(songs)).astype(np.int32)

    def cluster_rows(self, cluster: int) -> slice:
        """Rows of :attr:`unit_vectors_` / :attr:`order_` holding ``cluster``."""
        self._check_fitted()
        return slice(int(self.cluster_bounds_[cluster]), int(self.cluster_bounds_[cluster + 1]))

    @property
    def sizes_(self) -> np.ndarray:
        self._check_fitted()
        return np.diff(self.cluster_bounds_)

    def mood(self, cluster: int) -> Mood:
        self._check_fitted()
        return self.moods_[cluster]

    def summary(self) -> list[dict[str, object]]:
        """One row per cluster: id, label, size, share, description (for CLIs and replies)."""
        self._check_fitted()
        n = len(self.labels_)
        return [
            {"cluster": m.cluster, "key": m.key, "label": m.label, "emoji": m.emoji,
             "size": int(self.sizes_[m.cluster]), "share": float(self.sizes_[m.cluster] / n),
             "description": m.description}
            for m in self.moods_
        ]
