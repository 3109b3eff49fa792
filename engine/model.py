"""The mood model: StandardScaler + K-Means on audio features, with named moods.

:class:`MoodModel` is a scikit-learn estimator (``BaseEstimator`` with the cluster and
transformer mixins): hyper-parameters in ``__init__`` stored as given, ``fit`` returns
``self``, learned state ends in ``_``, so ``clone``, ``get_params``/``set_params`` and
``sklearn.utils.validation.check_is_fitted`` work. Besides the clustering it keeps what
serving needs precomputed once at fit time: per-cluster unit vectors laid out contiguously
(cosine similarity within a cluster is then one matrix-vector product), each song's
distance to its centroid (typical songs for ``vibe``), cluster profiles, the PCA map
(pictures only) and genre validation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .cluster_validation import ClusterValidation, validate_clusters
from .evaluation import KResult, choose_k, cluster_quality, evaluate_k
from .features import AUDIO_FEATURES, validate_features
from .fitted import Progress as Progress
from .fitted import standard_scale as standard_scale
from .moods import Mood, mood_summary, name_moods

logger = logging.getLogger(__name__)

#: Guards the first read of a loaded model's song table (engine threads may race to it).
_SONGS_LOCK = threading.Lock()


class NotFittedError(SklearnNotFittedError, RuntimeError):
    """The model was used before ``fit``.

    A scikit-learn ``NotFittedError`` (so code written against scikit-learn catches it)
    and still a ``RuntimeError`` as it always was here.
    """


def check_fitted(model: MoodModel) -> None:
    """Raise :class:`NotFittedError` unless ``model`` has been fitted (or loaded fitted).

    The public check other modules use; it is scikit-learn's ``check_is_fitted`` with
    this package's exception type and wording.
    """
    if isinstance(model, MoodModel) and model.__sklearn_is_fitted__():
        return  # the per-query case, without scikit-learn's generic inspection (~10 us)
    try:
        check_is_fitted(model)
    except SklearnNotFittedError:
        raise NotFittedError(
            f"this {type(model).__name__} is not fitted yet; call fit(songs) first"
        ) from None


class MoodModel(ClusterMixin, TransformerMixin, BaseEstimator):
    """Cluster songs into moods.

    Parameters
    ----------
    n_clusters : int or "auto", default=4
        Number of moods (2..50); "auto" evaluates ``k_range`` and keeps the best silhouette.
    features : sequence of str, default=AUDIO_FEATURES
        Audio features to cluster on (default: the study's ten). Genres never enter.
    k_range : (int, int), default=(2, 10)
        Inclusive range evaluated when ``n_clusters="auto"``.
    n_init : int, default=10
        Passed to :class:`sklearn.cluster.KMeans`.
    random_state : int, default=42
        Seeds K-Means and the PCA so a catalog always gives the same moods.

    Attributes
    ----------
    scaler_ : sklearn.preprocessing.StandardScaler
        Standardises the feature columns; K-Means works in its output space.
    kmeans_ : sklearn.cluster.KMeans
        The fitted clustering (centres in standardised space).
    evaluation_ : list of KResult or None
        Quality of every evaluated k when ``n_clusters="auto"``; None for a fixed k.
    metrics_ : KResult
        Silhouette, Davies-Bouldin, inertia and sizes of the kept clustering.
    n_clusters_ : int
        Number of clusters actually fitted (the chosen k under "auto").
    labels_ : ndarray of shape (n_songs,), dtype int32
        Cluster of each song, in the row order of ``songs_``.
    songs_ : pandas.DataFrame
        The fitted song table (index reset to 0..n-1); row ``i`` is song ``i`` everywhere.
        A model loaded from an artifact reads it from disk on first use (serving never
        needs it: see engine.storage.serving).
    feature_values_ : ndarray of shape (n_songs, n_features), dtype float64
        The feature columns of ``songs_`` in file units, model order: what
        recommendations, targets and charts read.
    profiles_ : ndarray of shape (n_clusters_, n_features)
        Mean raw feature value per cluster (what mood names and charts describe).
    overall_profile_ : ndarray of shape (n_features,)
        Mean raw feature value over all songs (the baseline profiles are compared with).
    moods_ : list of Mood
        Name, emoji and description of each cluster, indexed by cluster id.
    order_ : ndarray of shape (n_songs,), dtype int64
        Song rows sorted by cluster (stable): serving row -> song row.
    cluster_bounds_ : ndarray of shape (n_clusters_ + 1,), dtype int64
        Cluster ``c`` occupies serving rows ``cluster_bounds_[c]:cluster_bounds_[c + 1]``.
    unit_vectors_ : ndarray of shape (n_songs, n_features), dtype float32, C-contiguous
        Standardised features scaled to unit length, in serving order: cosine similarity
        within a cluster is one matrix-vector product over a contiguous slice.
    row_of_song_ : ndarray of shape (n_songs,), dtype int64
        Inverse of ``order_``: song row -> serving row.
    centroid_distance_ : ndarray of shape (n_songs,), dtype float32
        Each song's distance to its cluster centre (small = typical of its mood).
    pca_ : sklearn.decomposition.PCA
        Two-component projection of the standardised space (pictures only).
    coords_2d_ : ndarray of shape (n_songs, 2), dtype float32
        Each song's position on the 2-D map.
    validation_ : ClusterValidation
        Genre purity / NMI and top genres and artists per cluster (genres check the
        clusters after the fact; they are never a feature).
    sizes_ : ndarray of shape (n_clusters_,)
        Songs per cluster (derived from ``cluster_bounds_``).
    n_features_in_ : int
        Number of feature columns the model was fitted on.
    feature_names_in_ : ndarray of str
        Those columns' names, in model order.
    cleaning_report_ : CleaningReport
        Set by the model builders (not by ``fit``): what loading the catalog dropped or fixed.
    """

    def __init__(
        self,
        n_clusters: int | str = 4,
        *,
        features: tuple[str, ...] | list[str] = AUDIO_FEATURES,
        k_range: tuple[int, int] = (2, 10),
        n_init: int = 10,
        random_state: int = 42,
    ) -> None:
        # stored as given (scikit-learn's rule, so clone/set_params round-trip); checked in fit
        self.n_clusters = n_clusters
        self.features = features
        self.k_range = k_range
        self.n_init = n_init
        self.random_state = random_state

    # -- fitting ---------------------------------------------------------------
    def _check_params_vs_input(self, songs: pd.DataFrame) -> None:
        """Check the hyper-parameters against the table, before any learned state is set.

        Done in ``fit`` (not ``__init__``) as scikit-learn does, so ``set_params`` and
        ``clone`` stay plain attribute copies; messages say what is wrong and what is allowed.
        """
        if not isinstance(songs, pd.DataFrame):
            raise TypeError(f"fit takes the song table as a pandas DataFrame, got {type(songs).__name__}")
        n_songs = len(songs)
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

    def _feature_matrix(self, songs: pd.DataFrame) -> np.ndarray:
        """The model's feature columns of ``songs`` as float64, refused when absent or not finite."""
        if not isinstance(songs, pd.DataFrame):
            raise TypeError(f"expected the song table as a pandas DataFrame, got {type(songs).__name__}")
        missing = [f for f in self.features if f not in songs.columns]
        if missing:
            raise ValueError(f"song table lacks feature column(s): {', '.join(missing)}")
        X = songs[list(self.features)].to_numpy(dtype=np.float64)
        if not np.isfinite(X).all():
            raise ValueError("song table has missing or infinite feature values; load it with load_catalog")
        return X

    def fit(self, songs: pd.DataFrame, y: None = None, *, progress: Progress | None = None) -> MoodModel:
        """Fit scaler, K-Means and everything serving needs on the canonical song table.

        ``y`` is ignored (there for scikit-learn's API: ``fit_predict``, pipelines).
        """
        say = progress or (lambda msg: logger.info("%s", msg))
        self._check_params_vs_input(songs)
        X = self._feature_matrix(songs)
        songs = songs.reset_index(drop=True)

        self.scaler_ = StandardScaler().fit(X)
        Z = self.scaler_.transform(X)

        self.evaluation_: list[KResult] | None = None
        if self.n_clusters == "auto":
            lo, hi = self.k_range
            hi = min(hi, len(songs) - 1)
            say(f"evaluating k={lo}..{hi} on {len(songs):,} songs")
            fitted: dict[int, KMeans] = {}
            self.evaluation_ = evaluate_k(
                Z,
                range(lo, hi + 1),
                n_init=self.n_init,
                random_state=self.random_state,
                progress=lambda k, r: say(
                    f"  k={k}: silhouette {r.silhouette:.3f}, Davies-Bouldin {r.davies_bouldin:.3f}"
                ),
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
            self.kmeans_ = KMeans(n_clusters=k, n_init=self.n_init, random_state=self.random_state).fit(Z)
            self.metrics_ = cluster_quality(Z, self.kmeans_.labels_, self.kmeans_.inertia_, self.random_state)
        self.n_clusters_ = k
        self.labels_ = self.kmeans_.labels_.astype(np.int32)
        say(f"silhouette {self.metrics_.silhouette:.3f}, Davies-Bouldin {self.metrics_.davies_bouldin:.3f}")

        self.songs_ = songs
        self.feature_values_ = X
        self.profiles_ = songs.groupby(self.labels_)[list(self.features)].mean().to_numpy()
        self.overall_profile_ = X.mean(axis=0)
        self.moods_: list[Mood] = name_moods(
            self.kmeans_.cluster_centers_, tuple(self.features), self.profiles_, self.overall_profile_
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

    # -- the song table, read on first use -------------------------------------------------
    @property
    def songs_(self) -> pd.DataFrame:
        """The fitted song table; a loaded model reads it from disk on first use.

        A million-row DataFrame costs a process ~300 MB and seconds to unpickle, and
        serving reads the flat arrays saved beside it instead (engine.storage.serving); the CLI,
        reports and the dashboard still get it here. (Kept in the instance dict under its
        own name: a property wins over the instance dict, and ``vars()`` still shows it.)
        """
        state = self.__dict__
        if "songs_" not in state:
            if "_songs_loader" not in state:
                raise AttributeError(f"this {type(self).__name__} has no song table: fit it first")
            with _SONGS_LOCK:
                if "songs_" not in state:
                    state["songs_"] = state["_songs_loader"]()
                    del state["_songs_loader"]
        return state["songs_"]

    @songs_.setter
    def songs_(self, songs: pd.DataFrame) -> None:
        self.__dict__["songs_"] = songs
        self.__dict__.pop("_songs_loader", None)

    def defer_songs(self, loader: Callable[[], pd.DataFrame]) -> None:
        """Let ``songs_`` be read by ``loader`` on first use instead of held (engine.storage.artifact)."""
        self.__dict__.pop("songs_", None)
        self.__dict__["_songs_loader"] = loader

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        # bound to files, or rebuilt from the model: never pickled (see engine.storage.artifact)
        state.pop("_songs_loader", None)
        state.pop("_serving", None)
        return state

    # -- using -----------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        """Fitted once ``fit`` finished (``validation_`` is its last step), or loaded fitted."""
        return hasattr(self, "validation_")

    def transform(self, songs: pd.DataFrame) -> np.ndarray:
        """Standardised feature matrix of ``songs`` (the space K-Means works in)."""
        check_fitted(self)
        return self.scaler_.transform(self._feature_matrix(songs))

    def predict(self, songs: pd.DataFrame) -> np.ndarray:
        """Cluster id of each song (works for songs outside the fitted catalog)."""
        check_fitted(self)
        return self.kmeans_.predict(self.transform(songs)).astype(np.int32)

    def cluster_rows(self, cluster: int) -> slice:
        """Rows of :attr:`unit_vectors_` / :attr:`order_` holding ``cluster``."""
        check_fitted(self)
        return slice(int(self.cluster_bounds_[cluster]), int(self.cluster_bounds_[cluster + 1]))

    @property
    def sizes_(self) -> np.ndarray:
        """Songs per cluster."""
        check_fitted(self)
        return np.diff(self.cluster_bounds_)

    @property
    def n_features_in_(self) -> int:
        """Number of feature columns fitted on (scikit-learn's attribute)."""
        check_fitted(self)
        return len(self.features)

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Names of the feature columns fitted on, in model order (scikit-learn's attribute)."""
        check_fitted(self)
        return np.asarray(self.features, dtype=object)

    def mood(self, cluster: int) -> Mood:
        """Name, emoji and description of ``cluster``."""
        check_fitted(self)
        return self.moods_[cluster]

    def summary(self) -> list[dict[str, object]]:
        """One row per cluster: id, label, size, share, description (for CLIs and replies)."""
        check_fitted(self)
        return mood_summary(self.moods_, self.sizes_)
