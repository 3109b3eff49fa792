"""How a multi-file catalog clusters next to its files alone (``python -m engine evaluate``).

The default catalog unites the study sample with two lists of well-known songs. Whether
that union still falls into the study's moods is a question of figures, so ``evaluate``
fits the served model (K-Means, same seed and n_init as the bot) on the union and on each
file alone at one k and prints silhouette, Davies-Bouldin, cluster sizes and mood names
side by side.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .catalog import load_catalog
from .model import MoodModel

logger = logging.getLogger(__name__)

#: The k the comparison is made at: the bot's default number of moods.
COMPARE_K = 4


def mood_figures(name: str, songs: pd.DataFrame, k: int = COMPARE_K) -> dict[str, object]:
    """Fit the served model at ``k`` on ``songs``; its quality figures, sizes and mood names."""
    model = MoodModel(n_clusters=k).fit(songs)
    sizes = model.sizes_
    by_size = sorted(model.moods_, key=lambda m: -int(sizes[m.cluster]))
    return {
        "catalog": name,
        "songs": int(len(songs)),
        "k": int(model.n_clusters_),
        "silhouette": float(model.metrics_.silhouette),
        "davies_bouldin": float(model.metrics_.davies_bouldin),
        "sizes": [int(sizes[m.cluster]) for m in by_size],
        "moods": [m.label for m in by_size],
    }


def compare_union(
    union: pd.DataFrame, files: list[Path], k: int = COMPARE_K, progress: Callable[[str], None] | None = None
) -> list[dict[str, object]]:
    """Figures of the union, then of each file loaded alone, at ``k`` (sizes largest first)."""
    say = progress or (lambda msg: logger.info("%s", msg))
    say(f"comparing at k={k}: the union of {len(files)} files ({len(union):,} songs)")
    rows = [mood_figures("union", union, k)]
    for path in files:
        songs, _ = load_catalog(path)
        say(f"comparing at k={k}: {path.name} alone ({len(songs):,} songs)")
        rows.append(mood_figures(path.name, songs, k))
    return rows
