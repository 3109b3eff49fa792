"""What serving asks of any fitted model, estimator or served arrays, without scikit-learn.

The engine serves either a :class:`engine.model.MoodModel` (a fresh fit: a scikit-learn
estimator) or an :class:`engine.served.ServedModel` (a loaded artifact: plain arrays).
The few checks and conversions serving needs of both live here, so that a serving
process never imports the estimator's module, which imports scikit-learn (~1.6 s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

if TYPE_CHECKING:
    from .model import MoodModel
    from .served import ServedModel

    #: Either model serving takes: a fresh fit or a loaded artifact's arrays.
    FittedModel: TypeAlias = MoodModel | ServedModel

#: A callback that reports progress in words.
Progress = Callable[[str], None]


def check_fitted(model: Any) -> None:
    """Raise :class:`engine.model.NotFittedError` unless ``model`` is fitted (or loaded).

    A served model is always fitted and answers without an import; anything else is
    checked by :func:`engine.model.check_fitted` (imported then: only an unfitted
    estimator or a wrong object gets that far).
    """
    probe = getattr(model, "__sklearn_is_fitted__", None)
    if probe is not None and probe():
        return
    from .model import check_fitted as estimator_check

    estimator_check(model)


def standard_scale(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """The mean and scale (float64, per feature) that standardise ``feature_values_``.

    The fitted scaler's own, with a constant feature's scale read as 1: every part that
    turns file units into the model's standardised space (ranking, reasons, mood words,
    playlists) divides by these, never by zero.
    """
    mean = np.asarray(model.scaler_.mean_, dtype=np.float64)
    scale = np.asarray(model.scaler_.scale_, dtype=np.float64)
    return mean, np.where(scale == 0, 1.0, scale)


__all__ = ["Progress", "check_fitted", "standard_scale"]
