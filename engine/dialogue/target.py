"""Where the next list should sit: a subject's target in the standardised space, and how
critiques move it.

A *songs* subject starts at the seeds' own sound (their mean z on every feature, each
weight 1); a *mood* subject at its words' target (engine.words.vocabulary). A critique on an
audio feature bounds that feature one step (:data:`CRITIQUE_STEP` standard deviations of
the catalog, times its intensity) past what the member just saw — the last list's mean,
else the subject's own value: "faster" is *at least* that much faster — and weighs the
bound :data:`CRITIQUE_WEIGHT` times a plain feature, so the move is honoured while the
other features keep the list near the subject. "even faster" moves on from the faster
list, so critiques compound. ``year`` and
``popularity`` are not in the audio space: their critiques set a bound one step past the
last list's mean. Mood words said as modifiers ("like X but chill") put their own aims in
place, at :data:`MODIFIER_WEIGHT`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np

from ..features import FEATURE_LABELS
from ..fitted import standard_scale
from ..words.vocabulary import Aim
from .state import AimRow

if TYPE_CHECKING:
    from ..language.request import Critique
    from ..recommend import Recommender
    from ..song_table import SongTable

#: One unit critique bounds a feature this many of the catalog's standard deviations past
#: the last list. Chosen with CRITIQUE_WEIGHT on tune seeds (``python -m benchmarks
#: critiques``: lead-artist split of two real catalogs): the pair whose simulated listeners
#: reached their target most often among those whose every critique moved its lists at
#: least 0.3 sd; the figures reported come from the held-out seeds.
CRITIQUE_STEP: Final = 0.5
#: Weight of a critiqued feature's bound against a subject feature's 1.
CRITIQUE_WEIGHT: Final = 5.0
#: Weight factor of a mood word said as a modifier of a songs subject.
MODIFIER_WEIGHT: Final = 2.0
#: Features whose critiques are bounds on the song table rather than aims.
BOUND_FEATURES: Final = ("year", "popularity")


@dataclass(frozen=True)
class Space:
    """The catalog's standardised space and the spreads critiques step by."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    values: np.ndarray  # raw features, song rows (a view of the recommender's)
    year: np.ndarray
    popularity: np.ndarray
    year_sd: float
    popularity_sd: float

    @classmethod
    def of(cls, rec: Recommender, table: SongTable) -> Space:
        year = np.asarray(table.year, dtype=np.float64)
        pop = np.asarray(table.popularity, dtype=np.float64)
        mean, scale = standard_scale(rec.model)  # the recommender's own standardisation
        return cls(
            features=tuple(rec.features),
            mean=mean,
            scale=scale,
            values=rec.X_,
            year=year,
            popularity=pop,
            year_sd=_nan_sd(year, 10.0),
            popularity_sd=_nan_sd(pop, 15.0),
        )

    def z(self, indices: Sequence[int]) -> np.ndarray:
        """Standardised features of songs (rows), float64."""
        idx = np.asarray(indices, dtype=np.int64)
        return (np.asarray(self.values[idx], dtype=np.float64) - self.mean) / self.scale

    def mean_z(self, indices: Sequence[int]) -> dict[str, float]:
        """The songs' mean position, feature by feature."""
        if not len(indices):
            return {}
        return dict(zip(self.features, self.z(indices).mean(axis=0).tolist()))

    def mean_of(self, column: np.ndarray, indices: Sequence[int]) -> float | None:
        vals = column[np.asarray(indices, dtype=np.int64)] if len(indices) else np.zeros(0)
        vals = vals[np.isfinite(vals)]
        return float(vals.mean()) if vals.size else None

    def raw_step(self, feature: str, steps: float, step: float = CRITIQUE_STEP) -> float:
        """``steps`` critique steps (of ``step`` sd each) of ``feature`` in the unit people read it in."""
        if feature == "year":
            return steps * step * self.year_sd
        if feature == "popularity":
            return steps * step * self.popularity_sd
        j = self.features.index(feature)
        return steps * step * float(self.scale[j])


def _nan_sd(values: np.ndarray, default: float) -> float:
    finite = values[np.isfinite(values)]
    sd = float(finite.std()) if finite.size > 1 else 0.0
    return sd if sd > 0 else default


def aims_of(rows: Sequence[AimRow]) -> dict[str, Aim]:
    return {f: Aim(z, how, w) for f, z, how, w in rows}  # type: ignore[arg-type]


def rows_of(aims: Mapping[str, Aim]) -> tuple[AimRow, ...]:
    return tuple((f, round(float(a.z), 6), a.how, round(float(a.weight), 6)) for f, a in sorted(aims.items()))


def song_target(space: Space, indices: Sequence[int]) -> dict[str, Aim]:
    """A songs subject's target: their mean position on every feature, weight 1."""
    return {f: Aim(z, "near", 1.0) for f, z in space.mean_z(indices).items()}


def with_words(aims: Mapping[str, Aim], words: Mapping[str, Aim], *, modifier: bool) -> dict[str, Aim]:
    """``aims`` with mood words' aims added.

    As modifiers of a songs subject (``modifier``) the words' aims replace the songs' own,
    weighed up: "like In the End but chill" is In the End's sound made chill. Added to a
    mood subject ("chill", then "not sad") they combine as mood words do
    (engine.words.mood_words.combine): on a feature both set, the aim that weighs more stays,
    so "not sad" lifts positivity without undoing chill's low energy.
    """
    out = dict(aims)
    for f, a in words.items():
        if modifier:
            out[f] = Aim(a.z, a.how, a.weight * MODIFIER_WEIGHT)
        elif f not in out or a.weight > out[f].weight:
            out[f] = a
    return out


def critiqued(
    aims: Mapping[str, Aim],
    critique: Critique,
    base: Mapping[str, float],
    space: Space,
    *,
    step: float = CRITIQUE_STEP,
    weight: float = CRITIQUE_WEIGHT,
) -> dict[str, Aim] | None:
    """``aims`` with one audio critique applied; None when the model lacks the feature.

    ``base`` is where the member stands on each feature: the last list's mean, else the
    subject's own values.
    """
    if critique.feature not in space.features:
        return None
    f = critique.feature
    current = aims.get(f)
    start = base.get(f, current.z if current is not None else 0.0)
    z = start + critique.direction * step * critique.intensity
    out = dict(aims)
    # one-sided: "faster" is at least this much faster, whatever the rest; a bound, not a
    # point, also works on the skewed features where most songs sit at zero (instrumental,
    # spoken), whose lists a point just past the floor would not move
    out[f] = Aim(
        float(z),
        "at_least" if critique.direction > 0 else "at_most",
        max(weight, current.weight if current is not None else 0.0),
    )
    return out


def bound_after(
    critique: Critique,
    bounds: tuple[float | None, float | None],
    base: float | None,
    space: Space,
    *,
    step: float = CRITIQUE_STEP,
) -> tuple[float | None, float | None]:
    """New (low, high) of ``year`` or ``popularity`` after a critique, one step past ``base``."""
    lo, hi = bounds
    if base is None:
        return bounds
    move = space.raw_step(critique.feature, critique.intensity, step)
    if critique.direction > 0:
        lo = base + move
        if hi is not None and hi < lo:
            hi = None
    else:
        hi = base - move
        if lo is not None and lo > hi:
            lo = None
    if critique.feature == "popularity":
        lo = None if lo is None else min(max(lo, 0.0), 99.0)
        hi = None if hi is None else max(min(hi, 100.0), 1.0)
    return lo, hi


def shift_text(
    critique: Critique,
    space: Space,
    bounds: tuple[float | None, float | None],
    *,
    step: float = CRITIQUE_STEP,
) -> str:
    """What a critique did, in people's units: "positivity −0.18", "−22 BPM", "before 2009"."""
    f = critique.feature
    if f == "year":
        lo, hi = bounds
        return (
            f"before {math.floor(hi)}"
            if critique.direction < 0 and hi is not None
            else (f"after {math.ceil(lo)}" if lo is not None else "")
        )
    if f == "popularity":
        lo, hi = bounds
        if critique.direction < 0 and hi is not None:
            return f"popularity ≤ {hi:.0f}"
        return f"popularity ≥ {lo:.0f}" if lo is not None else ""
    if f not in space.features:
        return ""
    delta = critique.direction * space.raw_step(f, critique.intensity, step)
    sign = "+" if delta > 0 else "−"
    if f == "tempo":
        return f"{sign}{abs(delta):.0f} BPM"
    if f == "loudness":
        return f"{sign}{abs(delta):.1f} dB"
    if f == "duration_ms":
        seconds = round(abs(delta) / 1000)
        return f"{sign}{seconds // 60}:{seconds % 60:02d}"
    return f"{FEATURE_LABELS.get(f, f)} {sign}{abs(delta):.2f}"


__all__ = [
    "BOUND_FEATURES",
    "CRITIQUE_STEP",
    "CRITIQUE_WEIGHT",
    "MODIFIER_WEIGHT",
    "Space",
    "aims_of",
    "bound_after",
    "critiqued",
    "rows_of",
    "shift_text",
    "song_target",
    "with_words",
]
