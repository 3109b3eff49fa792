"""Recommendations in words: why a pick goes with its seed, why a song is typical of its
mood, and how a song compares with its mood feature by feature.

Kept apart from the ranking (engine/recommend.py): these read the songs' feature values
and the model's standardisation and centres, never the ranking arrays, and only turn
numbers into English, so wording changes never touch the hot path and ranking changes
never touch the wording. :class:`Reasons` is built once per model
(:meth:`Reasons.of_model`) from the arrays it needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .features import FEATURE_LABELS
from .fitted import standard_scale
from .moods import format_feature
from .song_table import check_row
from .stable_order import rounded, score_key

if TYPE_CHECKING:
    from .fitted import FittedModel

#: |z| from which a feature counts as clearly high or low for a reason ("same high energy").
SALIENT_Z = 0.5
#: Longest reason we produce; chat embeds and CLI columns stay readable.
MAX_REASON_CHARS = 90
#: Below this |z| difference a song is "about the same" as its mood on a feature.
SAME_AS_MOOD_Z = 0.25
#: Features quoted as "similar X (a vs b)": ones whose numbers mean something to people.
_SIMILAR_PREFERENCE = (
    "tempo",
    "loudness",
    "valence",
    "energy",
    "danceability",
    "duration_ms",
    "acousticness",
)
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


class Reasons:
    """English for one model's songs (per-feature words worked out once).

    Built from arrays, not from a model or a recommender, so it depends on what it reads
    only: ``values`` (songs × features, file units), the ``mean`` and ``scale`` that
    standardise them, each song's cluster (``labels``), the cluster ``centres`` (in
    standardised units), each cluster's mean values (``profiles``) and the catalog's
    (``overall``). Mapped arrays are read as they are, never copied.
    """

    def __init__(
        self,
        features: Sequence[str],
        values: np.ndarray,
        mean: np.ndarray,
        scale: np.ndarray,
        labels: np.ndarray,
        centres: np.ndarray,
        profiles: np.ndarray,
        overall: np.ndarray,
    ) -> None:
        self.features: tuple[str, ...] = tuple(features)
        self._values = values
        self._mean = mean
        self._scale = scale
        self._labels = labels
        self._profiles = profiles
        self._overall = overall
        self._n = len(values)
        # For reasons: per-feature words, and the readable features in preference order.
        self._labels_by_j: list[str] = [FEATURE_LABELS[f] for f in self.features]
        self._side_words: list[tuple[str, str]] = [_SIDE_WORDS.get(f, ("high", "low")) for f in self.features]
        # the unit format_feature appends (" BPM", " dB" or none), said once per reason
        self._units: list[str] = [
            next((u for u in (" BPM", " dB") if format_feature(f, 1.0).endswith(u)), "")
            for f in self.features
        ]
        # "similar X" candidates as (feature column, bias): a small bias towards the
        # features listed first (tempo, loudness), whose numbers people recognise.
        self._similar: list[tuple[int, float]] = [
            (self.features.index(f), 0.02 * rank)
            for rank, f in enumerate(_SIMILAR_PREFERENCE)
            if f in self.features
        ]
        # Each mood's defining traits: centre coordinates clearly off average (in z),
        # strongest first.
        self._centre_traits: list[list[tuple[int, float]]] = [
            sorted(
                ((j, c) for j, c in enumerate(centre) if abs(c) >= SALIENT_Z),
                key=lambda t: (-score_key(abs(t[1])), t[0]),
            )
            for centre in np.asarray(centres, dtype=np.float64).tolist()
        ]

    @classmethod
    def of_model(cls, model: FittedModel) -> Reasons:
        """The reasons for a fitted model's songs (its mapped arrays when it was loaded)."""
        mean, scale = standard_scale(model)
        return cls(
            model.features,
            model.feature_values_,
            mean,
            scale,
            model.labels_,
            model.kmeans_.cluster_centers_,
            model.profiles_,
            model.overall_profile_,
        )

    def reason(self, seed: int, pick: int) -> str:
        """Why ``pick`` goes with ``seed``, in words: shared extremes, then the closest number.

        Shared extremes are features where both songs sit clearly on the same side of
        the catalog's average (|z| ≥ 0.5): "same high energy and danceability". The
        closest number is the most readable feature (tempo, loudness, ...) on which
        they are nearest and that is not named already: "similar tempo (121 vs 118 BPM)".
        """
        return self.reasons(seed, [pick])[0]

    def reasons(self, seed: int, picks: Sequence[int]) -> list[str]:
        """:meth:`reason` for several picks of one seed.

        One array operation standardises all rows; the choices themselves run on Python
        floats, because on ten features numpy's per-call overhead costs more than the
        arithmetic (an all-numpy version of this was slower).
        """
        seed = check_row(seed, self._n)
        picks = [check_row(p, self._n) for p in picks]
        if not picks:
            return []
        raw = self._values[np.asarray([seed, *picks], dtype=np.int64)]
        raw_rows = raw.tolist()
        # rounded like every score that decides an order or a threshold (engine.stable_order)
        z_rows = rounded((raw - self._mean) / self._scale).tolist()
        xs, zs = raw_rows[0], z_rows[0]
        labels, units, feats = self._labels_by_j, self._units, self.features
        # features clearly off average for the seed: only these can be shared extremes,
        # and the word for each ("high", "low", "long", ...) is the seed's side
        # (feature, |z|) of those above and below average, apart: the loop below runs
        # for every pick, and this keeps it to one comparison per feature
        high = [(j, a) for j, a in enumerate(zs) if a >= SALIENT_Z]
        low = [(j, -a) for j, a in enumerate(zs) if a <= -SALIENT_Z]
        side = {j: self._side_words[j][0] for j, _ in high}
        side.update((j, self._side_words[j][1]) for j, _ in low)
        similar = [(j, bias, zs[j]) for j, bias in self._similar]
        seed_text: dict[int, str] = {}
        out: list[str] = []
        for xp, zp in zip(raw_rows[1:], z_rows[1:]):
            # same side, and the pick clearly off average too; strength is the weaker |z|,
            # negated so that sort() puts the strongest first
            shared = [(-(a if a < b else b), j) for j, a in high if (b := zp[j]) >= SALIENT_Z]
            shared += [(-(a if a < -b else -b), j) for j, a in low if (b := zp[j]) <= -SALIENT_Z]
            shared.sort()
            if len(shared) >= 2:
                j1, j2 = shared[0][1], shared[1][1]
                named: tuple[int, ...] = (j1, j2)
                s1, s2 = side[j1], side[j2]
                head = (
                    f"same {s1} {labels[j1]} and {labels[j2]}"
                    if s1 == s2
                    else f"same {s1} {labels[j1]}, {s2} {labels[j2]}"
                )
            elif shared:
                j1 = shared[0][1]
                named = (j1,)
                head = f"same {side[j1]} {labels[j1]}"
            else:
                named, head = (), ""
            best_gap, best_j = 0.75, -1  # farther apart than 0.75 sd is not "similar"
            for j, bias, a in similar:
                if j not in named:
                    gap = abs(a - zp[j]) + bias
                    if gap <= best_gap:
                        best_gap, best_j = gap, j
            if best_j >= 0:
                j, unit = best_j, units[best_j]
                mine = seed_text.get(j)
                if mine is None:
                    mine = seed_text[j] = _number_text(feats[j], xs[j], unit)
                close = f"similar {labels[j]} ({mine} vs {_number_text(feats[j], xp[j], unit)}{unit})"
                text = f"{head}, {close}" if head else close
                if len(text) > MAX_REASON_CHARS:
                    text = head
            else:
                text = head
            out.append(text or "close overall sound profile")
        return out

    def vibe_reason(self, index: int) -> str:
        """Why a song is typical of its mood: the mood's defining traits it shares.

        The traits are the features on which the cluster centre is clearly off the
        catalog average (|z| ≥ 0.5); the song's own values are quoted so they can be checked.
        """
        return self.vibe_reasons([index])[0]

    def vibe_reasons(self, indices: Sequence[int]) -> list[str]:
        """:meth:`vibe_reason` for several songs (Python floats, as in :meth:`reasons`)."""
        indices = [check_row(i, self._n) for i in indices]
        if not indices:
            return []
        raw = self._values[np.asarray(indices, dtype=np.int64)]
        labels, sides, feats = self._labels_by_j, self._side_words, self.features
        out: list[str] = []
        for index, x, zi in zip(indices, raw.tolist(), rounded((raw - self._mean) / self._scale).tolist()):
            words: list[str] = []
            for j, c in self._centre_traits[int(self._labels[index])]:  # strongest first
                if c * zi[j] > 0:
                    side = sides[j][0] if zi[j] > 0 else sides[j][1]
                    words.append(f"{side} {labels[j]} ({format_feature(feats[j], x[j])})")
                    if len(words) == 3:
                        break
            text = "typical: " + ", ".join(words)
            while len(text) > MAX_REASON_CHARS and len(words) > 1:
                words.pop()
                text = "typical: " + ", ".join(words)
            out.append(
                text if words and len(text) <= MAX_REASON_CHARS else "close to the centre of this mood"
            )
        return out

    # -- one song against its mood ---------------------------------------------------------
    def compare(self, index: int) -> list[FeatureComparison]:
        """Each feature of the song against its cluster's and the catalog's mean.

        Ordered by how far the song sits from its mood (in catalog standard deviations),
        so the first lines say what makes this song unusual for its mood.
        """
        index = check_row(index, self._n)
        c = int(self._labels[index])
        prof = self._profiles[c]
        overall = self._overall
        out: list[FeatureComparison] = []
        for j, f in enumerate(self.features):
            value = float(self._values[index, j])
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
            out.append(
                FeatureComparison(
                    feature=f,
                    label=label,
                    value=value,
                    cluster_mean=mean,
                    overall_mean=float(overall[j]),
                    z_difference=float(zdiff),
                    text=text,
                )
            )
        out.sort(key=lambda fc: -score_key(abs(fc.z_difference)))
        return out


def in_playlists_with(name: str, reason: str) -> str:
    """A pick's reason when playlist co-occurrence (engine.cooccur) lifted it: people put it
    in the same playlists as ``name``; the audio reason follows, cut to the usual length."""
    text = " ".join(f"often in playlists with {name} · {reason}".split())
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1].rstrip() + "…"


def _number_text(feature: str, value: float, unit: str) -> str:
    """:func:`format_feature` without its ``unit`` suffix ("121" for "121 BPM")."""
    text = format_feature(feature, value)
    return text[: -len(unit)] if unit else text
