"""Name clusters as moods from their centroids, never by hand.

Each archetype is a direction in standardised feature space (e.g. "instrumental" is
+instrumentalness). Clusters and archetypes are matched one-to-one by the Hungarian
algorithm on the projection of each centroid on each direction, so every cluster gets
a unique label, and the study's four moods come out at k=4 because its centroids point
that way. Clusters no archetype fits get a label built from their strongest features.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .features import FEATURE_LABELS
from .stable_order import order


@dataclass(frozen=True)
class Mood:
    """A cluster's human face: what it is called, what it means, what people may type."""

    cluster: int
    key: str
    label: str
    emoji: str
    description: str
    synonyms: tuple[str, ...]

    def words(self) -> tuple[str, ...]:
        """Every word that should resolve to this mood (key, label parts, synonyms)."""
        parts = [self.key, *re.split(r"[/ &]+", self.label.lower()), *self.synonyms]
        return tuple(dict.fromkeys(p for p in parts if p))


@dataclass(frozen=True)
class _Archetype:
    key: str
    label: str
    emoji: str
    blurb: str
    synonyms: tuple[str, ...]
    weights: dict[str, float]


ARCHETYPES: tuple[_Archetype, ...] = (
    _Archetype(
        "focus",
        "Instrumental/Focus",
        "🎹",
        "Mostly instrumental, few or no vocals",
        ("focus", "study", "instrumental", "concentrate", "work", "ambient", "classical", "piano", "reading"),
        {"instrumentalness": 1.0},
    ),
    _Archetype(
        "rap",
        "Rap/Spoken",
        "🎤",
        "Words up front: rap, spoken word and talk",
        ("rap", "spoken", "hiphop", "hip-hop", "hip hop", "speech", "poetry", "talk", "bars", "lyrics"),
        {"speechiness": 1.0, "liveness": 0.15},
    ),
    _Archetype(
        "chill",
        "Chill/Acoustic",
        "🌿",
        "Calm, soft and acoustic",
        (
            "chill",
            "acoustic",
            "calm",
            "relax",
            "relaxing",
            "mellow",
            "soft",
            "sleep",
            "quiet",
            "cozy",
            "unwind",
        ),
        {"acousticness": 0.5, "energy": -0.5, "loudness": -0.3},
    ),
    _Archetype(
        "party",
        "Party/Energetic",
        "🔥",
        "Loud, energetic and danceable",
        ("party", "energetic", "energy", "workout", "dance", "gym", "hype", "pump", "running", "club"),
        {"energy": 0.4, "danceability": 0.4, "loudness": 0.3, "acousticness": -0.2},
    ),
    _Archetype(
        "intense",
        "Intense/Driving",
        "⚡",
        "Loud and driving, dark rather than bright",
        ("intense", "driving", "rock", "metal", "heavy", "loud", "angry", "aggressive"),
        {"energy": 0.5, "loudness": 0.3, "valence": -0.4, "danceability": -0.3},
    ),
    _Archetype(
        "melancholy",
        "Melancholy/Slow",
        "🌧️",
        "Slow, low-energy and downcast",
        ("melancholy", "sad", "slow", "blue", "moody", "rainy", "heartbreak", "gloomy"),
        {"valence": -0.5, "energy": -0.4, "danceability": -0.4},
    ),
    _Archetype(
        "upbeat",
        "Upbeat/Happy",
        "☀️",
        "Bright, happy and positive",
        ("upbeat", "happy", "sunny", "cheerful", "positive", "feelgood", "feel-good", "joy"),
        {"valence": 0.6, "danceability": 0.3},
    ),
    _Archetype(
        "groove",
        "Groove/Dance",
        "🕺",
        "Steady, danceable grooves",
        ("groove", "groovy", "funk", "funky", "disco", "swing", "bounce"),
        {"danceability": 1.0},
    ),
    _Archetype(
        "live",
        "Live/Concert",
        "🏟️",
        "Recorded live, with the room in the sound",
        ("live", "concert", "stage", "crowd", "gig"),
        {"liveness": 1.0},
    ),
    _Archetype(
        "epic",
        "Epic/Long",
        "🏔️",
        "Long pieces that take their time",
        ("epic", "long", "journey", "suite", "extended"),
        {"duration_ms": 1.0},
    ),
    _Archetype(
        "fast",
        "Fast/Up-tempo",
        "🏃",
        "Fast tempo throughout",
        ("fast", "uptempo", "up-tempo", "quick", "rush", "speed"),
        {"tempo": 1.0},
    ),
)

#: Emojis for clusters no archetype fits, so that an emoji still names one cluster.
_FALLBACK_EMOJIS = ("🎵", "🎶", "🎧", "📻", "🎼", "🎚️", "💿", "📀", "🔊", "🎙️", "🪘", "🪇")
_ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")

#: Below this projection a match is too weak to carry the archetype's name.
MIN_ARCHETYPE_SCORE = 0.35


def name_moods(
    centroids_z: np.ndarray,
    features: tuple[str, ...],
    centroids_raw: np.ndarray,
    overall_raw: np.ndarray,
) -> list[Mood]:
    """One unique :class:`Mood` per centroid (rows of ``centroids_z``, in z-scores).

    ``centroids_raw`` and ``overall_raw`` (feature means in file units) feed the
    descriptions, so they quote numbers a person can check.
    """
    k = len(centroids_z)
    archetypes = [a for a in ARCHETYPES if any(f in features for f in a.weights)]
    scores = np.zeros((k, len(archetypes)))
    for j, arch in enumerate(archetypes):
        w = np.array([arch.weights.get(f, 0.0) for f in features])
        scores[:, j] = centroids_z @ (w / np.linalg.norm(w))
    from scipy.optimize import linear_sum_assignment  # at fit time only: serving reads names

    rows, cols = linear_sum_assignment(-scores)
    chosen: dict[int, _Archetype] = {
        int(r): archetypes[c] for r, c in zip(rows, cols) if scores[r, c] >= MIN_ARCHETYPE_SCORE
    }
    moods: list[Mood] = []
    used_labels: set[str] = set()
    used_keys: set[str] = set()
    used_emojis = {a.emoji for a in chosen.values()}
    spare_emojis = [e for e in _FALLBACK_EMOJIS if e not in used_emojis]
    for cluster in range(k):
        facts = _salient_facts(centroids_z[cluster], centroids_raw[cluster], overall_raw, features)
        picked = chosen.get(cluster)
        if picked is not None:
            label, key, emoji = picked.label, picked.key, picked.emoji
            synonyms, blurb = picked.synonyms, picked.blurb
        else:
            label, key = _fallback_label(centroids_z[cluster], features)
            emoji = spare_emojis.pop(0) if spare_emojis else "🎵"
            synonyms, blurb = (), "A mix without one strong trait"
        # Fallback labels can collide, and two labels can share a first word (the key):
        # number the later ones, so a name or key always means one cluster.
        base_label, base_key, copy = label, key, 1
        while label.casefold() in used_labels or key in used_keys:
            copy += 1
            label, key = f"{base_label} {_ROMAN[copy]}", f"{base_key}-{copy}"
        used_labels.add(label.casefold())
        used_keys.add(key)
        description = f"{blurb} ({facts})." if facts else f"{blurb}."
        moods.append(
            Mood(
                cluster=cluster,
                key=key,
                label=label,
                emoji=emoji,
                description=description,
                synonyms=tuple(synonyms),
            )
        )
    return moods


def _salient_facts(
    z: np.ndarray, raw: np.ndarray, overall: np.ndarray, features: tuple[str, ...], top: int = 2
) -> str:
    parts = []
    for i in order(np.abs(z), descending=True)[:top].tolist():
        if abs(z[i]) < 0.3:
            continue
        word = "high" if z[i] > 0 else "low"
        parts.append(
            f"{word} {FEATURE_LABELS[features[i]]}: "
            f"{format_feature(features[i], raw[i])} vs {format_feature(features[i], overall[i])} overall"
        )
    return "; ".join(parts)


def _fallback_label(z: np.ndarray, features: tuple[str, ...]) -> tuple[str, str]:
    strongest = order(np.abs(z), descending=True)[:2].tolist()
    words = [("High " if z[i] > 0 else "Low ") + FEATURE_LABELS[features[i]] for i in strongest]
    label = " / ".join(w.title() for w in words)
    key = re.sub(r"[^a-z]+", "-", words[0].lower()).strip("-")
    return label, key


def format_feature(feature: str, value: float) -> str:
    """A feature value in the unit a person reads it in."""
    if feature == "tempo":
        return f"{value:.0f} BPM"
    if feature == "loudness":
        return f"{value:.1f} dB"
    if feature == "duration_ms":
        seconds = int(round(value / 1000))
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{value:.2f}"


def mood_summary(moods: list[Mood], sizes: np.ndarray) -> list[dict[str, object]]:
    """One row per mood: id, label, size, share, description (for CLIs and replies); the
    estimator and the served model both answer ``summary()`` with it."""
    n = int(sizes.sum())
    return [
        {
            "cluster": m.cluster,
            "key": m.key,
            "label": m.label,
            "emoji": m.emoji,
            "size": int(sizes[m.cluster]),
            "share": float(sizes[m.cluster] / n),
            "description": m.description,
        }
        for m in moods
    ]
