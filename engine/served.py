"""The served model: a fitted :class:`engine.model.MoodModel`'s state as plain arrays.

Serving needs numbers from the fit (the scaler's mean and scale, the K-Means centres,
each song's cluster and vectors, the moods' names), never the estimator. Loading the
estimator means unpickling scikit-learn objects, which imports scikit-learn and SciPy:
~1.6 s of a ~3.6 s start at a million songs, for code serving never runs. So the artifact
also stores this state as JSON (in its record) and ``.npy`` arrays (mapped like the
serving arrays), and :func:`engine.storage.artifact.load_served` builds a
:class:`ServedModel` from them without unpickling anything. It answers every attribute
serving reads with the estimator's names and meanings, so the engine, the bot and the
CLI's serving commands take either; fitting, evaluation and the dashboard keep the
estimator (:func:`engine.storage.artifact.load_model`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .cluster_validation import ClusterValidation
from .moods import Mood, mood_summary

if TYPE_CHECKING:
    import pandas as pd

    from .model import MoodModel

#: The model's per-song arrays (the artifact saves them as files whichever model loads them).
PER_SONG = (
    "labels_",
    "order_",
    "row_of_song_",
    "unit_vectors_",
    "centroid_distance_",
    "coords_2d_",
    "feature_values_",
)
#: The served model's small arrays, saved as ``served.<name>`` beside the per-song ones.
SMALL_ARRAYS = ("scaler_mean", "scaler_scale", "centres", "profiles", "overall_profile", "cluster_bounds")

_SONGS_LOCK = threading.Lock()
#: What only the estimator holds, for reports (the CLI's stats, catalog tests): a served
#: model reads the estimator from the artifact's pickle on first use of one of these.
ESTIMATOR_ONLY = ("cleaning_report_", "metrics_", "evaluation_")


@dataclass(frozen=True)
class PlainScaler:
    """A fitted StandardScaler's numbers (``mean_``, ``scale_``)."""

    mean_: np.ndarray
    scale_: np.ndarray

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Standardised ``values`` (songs × features), as the scaler's ``transform``."""
        return (np.asarray(values, dtype=np.float64) - self.mean_) / self.scale_


@dataclass(frozen=True)
class PlainCentres:
    """A fitted K-Means' centres (``cluster_centers_``, standardised space)."""

    cluster_centers_: np.ndarray


@dataclass(frozen=True)
class PlainProjection:
    """What charts read of the fitted PCA: how much of the variance the map shows."""

    explained_variance_ratio_: np.ndarray


def served_state(model: MoodModel) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``model``'s served state: the JSON part (for the artifact's record) and its small
    arrays by name (saved as ``served.<name>``)."""
    validation = getattr(model, "validation_", None)
    ratio = getattr(getattr(model, "pca_", None), "explained_variance_ratio_", None)
    state: dict[str, Any] = {
        "features": list(model.features),
        "n_clusters": int(model.n_clusters_),
        "moods": [{**asdict(m), "synonyms": list(m.synonyms)} for m in model.moods_],
        "validation": validation.to_dict() if isinstance(validation, ClusterValidation) else {},
        "explained_variance_ratio": [float(x) for x in ratio] if ratio is not None else None,
        "n_init": int(model.n_init),
        "random_state": model.random_state,
    }
    arrays = {
        "scaler_mean": np.asarray(model.scaler_.mean_, dtype=np.float64),
        "scaler_scale": np.asarray(model.scaler_.scale_, dtype=np.float64),
        "centres": np.asarray(model.kmeans_.cluster_centers_, dtype=np.float64),
        "profiles": np.asarray(model.profiles_, dtype=np.float64),
        "overall_profile": np.asarray(model.overall_profile_, dtype=np.float64),
        "cluster_bounds": np.asarray(model.cluster_bounds_, dtype=np.int64),
    }
    return state, arrays


class ServedModel:
    """A fitted model as plain arrays: what serving reads of a :class:`MoodModel`, by the
    same names, and nothing that needs scikit-learn (see the module docstring).

    Read-only once built; the song table (pandas) is read from the artifact on first use
    of :attr:`songs_`, which serving never makes.
    """

    def __init__(
        self, state: Mapping[str, Any], small: Mapping[str, np.ndarray], per_song: Mapping[str, np.ndarray]
    ):
        """``state``: :func:`served_state`'s JSON part; ``small``: its arrays; ``per_song``:
        the model's per-song arrays (:data:`PER_SONG`). KeyError or ValueError when they
        do not fit together."""
        self.features: tuple[str, ...] = tuple(str(f) for f in state["features"])
        self.n_clusters_: int = int(state["n_clusters"])
        self.moods_: list[Mood] = [
            Mood(
                cluster=int(m["cluster"]),
                key=str(m["key"]),
                label=str(m["label"]),
                emoji=str(m["emoji"]),
                description=str(m["description"]),
                synonyms=tuple(str(s) for s in m["synonyms"]),
            )
            for m in state["moods"]
        ]
        self.validation_ = ClusterValidation.from_dict(dict(state.get("validation") or {}))
        ratio = state.get("explained_variance_ratio")
        self.pca_ = PlainProjection(
            np.asarray(ratio if ratio is not None else [np.nan, np.nan], dtype=np.float64)
        )
        self.n_init: int = int(state.get("n_init", 10))
        self.random_state: Any = state.get("random_state")
        self.scaler_ = PlainScaler(small["scaler_mean"], small["scaler_scale"])
        self.kmeans_ = PlainCentres(small["centres"])
        self.profiles_: np.ndarray = small["profiles"]
        self.overall_profile_: np.ndarray = small["overall_profile"]
        self.cluster_bounds_: np.ndarray = small["cluster_bounds"]
        self.labels_: np.ndarray = per_song["labels_"]
        self.order_: np.ndarray = per_song["order_"]
        self.row_of_song_: np.ndarray = per_song["row_of_song_"]
        self.unit_vectors_: np.ndarray = per_song["unit_vectors_"]
        self.centroid_distance_: np.ndarray = per_song["centroid_distance_"]
        self.coords_2d_: np.ndarray = per_song["coords_2d_"]
        self.feature_values_: np.ndarray = per_song["feature_values_"]
        d, k = len(self.features), self.n_clusters_
        if (
            len(self.moods_) != k
            or self.cluster_bounds_.shape != (k + 1,)
            or self.kmeans_.cluster_centers_.shape != (k, d)
            or self.scaler_.mean_.shape != (d,)
            or self.feature_values_.shape != (len(self.labels_), d)
        ):
            raise ValueError("the served model's arrays do not fit its record")

    # -- the song table, read on first use ---------------------------------------------
    @property
    def songs_(self) -> pd.DataFrame:
        """The fitted song table, read from the artifact on first use (reports, not serving)."""
        state = self.__dict__
        if "songs_" not in state:
            if "_songs_loader" not in state:
                raise AttributeError("this served model has no song table")
            with _SONGS_LOCK:
                if "songs_" not in state:
                    state["songs_"] = state["_songs_loader"]()
                    del state["_songs_loader"]
        return state["songs_"]

    def defer_songs(self, loader: Callable[[], pd.DataFrame]) -> None:
        """Let ``songs_`` be read by ``loader`` on first use (engine.storage.artifact)."""
        self.__dict__.pop("songs_", None)
        self.__dict__["_songs_loader"] = loader

    def defer_estimator(self, loader: Callable[[], Any]) -> None:
        """Let :data:`ESTIMATOR_ONLY` attributes be read from ``loader()``'s estimator
        (engine.storage.artifact: ``load_model`` of the same artifact), on first use."""
        self.__dict__["_estimator_loader"] = loader

    def __getattr__(self, name: str) -> Any:
        """An estimator-only attribute (reports), from the estimator loaded on first use.

        Serving never asks for one, so a serving process never unpickles (nor imports
        scikit-learn); a report that does pays for it then.
        """
        state = self.__dict__
        if name in ESTIMATOR_ONLY and "_estimator_loader" in state:
            with _SONGS_LOCK:
                if "_estimator" not in state:
                    state["_estimator"] = state["_estimator_loader"]()
            return getattr(state["_estimator"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- what serving asks --------------------------------------------------------------
    def __sklearn_is_fitted__(self) -> bool:
        """Always: a served model is a fit's result."""
        return True

    def cluster_rows(self, cluster: int) -> slice:
        """Rows of :attr:`unit_vectors_` / :attr:`order_` holding ``cluster``."""
        return slice(int(self.cluster_bounds_[cluster]), int(self.cluster_bounds_[cluster + 1]))

    @property
    def sizes_(self) -> np.ndarray:
        """Songs per cluster."""
        return np.diff(self.cluster_bounds_)

    def mood(self, cluster: int) -> Mood:
        """Name, emoji and description of ``cluster``."""
        return self.moods_[cluster]

    def summary(self) -> list[dict[str, object]]:
        """One row per cluster: id, label, size, share, description (as MoodModel.summary)."""
        return mood_summary(self.moods_, self.sizes_)


__all__ = [
    "ESTIMATOR_ONLY",
    "PER_SONG",
    "SMALL_ARRAYS",
    "PlainCentres",
    "PlainProjection",
    "PlainScaler",
    "ServedModel",
    "served_state",
]
