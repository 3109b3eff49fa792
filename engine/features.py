"""The audio features Clusterfy clusters on, and the ranges a valid value lies in.

Kept in one place because the loader (validation), the model (what to fit), the
recommender (reasons) and the charts (labels) must all agree on them.
"""

from __future__ import annotations

from typing import Final

#: The ten features of the original study, in its order.
AUDIO_FEATURES: Final[tuple[str, ...]] = (
    "danceability",
    "energy",
    "loudness",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "tempo",
    "duration_ms",
)

#: Inclusive bounds outside which a value is a data error, not a song.
#: Spotify reports tempo 0 for tracks with no detectable beat: kept (it is real).
FEATURE_RANGES: Final[dict[str, tuple[float, float]]] = {
    "danceability": (0.0, 1.0),
    "energy": (0.0, 1.0),
    "loudness": (-60.0, 5.0),
    "speechiness": (0.0, 1.0),
    "acousticness": (0.0, 1.0),
    "instrumentalness": (0.0, 1.0),
    "liveness": (0.0, 1.0),
    "valence": (0.0, 1.0),
    "tempo": (0.0, 260.0),
    "duration_ms": (1_000.0, 7_200_000.0),
}

#: Words people understand, for reasons and chart labels.
FEATURE_LABELS: Final[dict[str, str]] = {
    "danceability": "danceability",
    "energy": "energy",
    "loudness": "loudness",
    "speechiness": "speechiness",
    "acousticness": "acousticness",
    "instrumentalness": "instrumentalness",
    "liveness": "liveness",
    "valence": "positivity",
    "tempo": "tempo",
    "duration_ms": "length",
}


def validate_features(features: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Return ``features`` as a tuple, refusing unknown or repeated names early.

    Done at the edge so a typo in a configured feature list fails with the list of
    valid names instead of a KeyError deep inside pandas.
    """
    feats = tuple(features)
    unknown = [f for f in feats if f not in FEATURE_RANGES]
    if unknown:
        raise ValueError(
            f"unknown audio feature(s) {', '.join(unknown)}; choose from {', '.join(AUDIO_FEATURES)}"
        )
    if len(set(feats)) != len(feats):
        raise ValueError("each audio feature may be listed once")
    if len(feats) < 2:
        raise ValueError("clustering needs at least two audio features")
    return feats
