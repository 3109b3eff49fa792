"""Check clusters against what was *not* fitted on: genres and artists.

Genres never enter the model; here they measure whether acoustic clusters line up with
how people label music (top genres and artists per cluster, purity and NMI).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class ClusterValidation:
    """Genre/artist figures per cluster and overall agreement with genres."""

    top_genres: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    top_artists: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    genre_purity: float | None = None
    genre_nmi: float | None = None
    songs_with_genre: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ClusterValidation:
        """The inverse of :meth:`to_dict` (a served model reads it from the artifact's record)."""

        def per_cluster(value: object) -> dict[int, list[tuple[str, int]]]:
            items = value.items() if isinstance(value, dict) else ()
            return {int(c): [(str(a), int(b)) for a, b in pairs] for c, pairs in items}

        purity, nmi, with_genre = (
            data.get("genre_purity"),
            data.get("genre_nmi"),
            data.get("songs_with_genre"),
        )
        return cls(
            top_genres=per_cluster(data.get("top_genres")),
            top_artists=per_cluster(data.get("top_artists")),
            genre_purity=float(purity) if isinstance(purity, (int, float)) else None,
            genre_nmi=float(nmi) if isinstance(nmi, (int, float)) else None,
            songs_with_genre=int(with_genre) if isinstance(with_genre, int) else 0,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "genre_purity": self.genre_purity,
            "genre_nmi": self.genre_nmi,
            "songs_with_genre": self.songs_with_genre,
            "top_genres": {str(c): g for c, g in self.top_genres.items()},
            "top_artists": {str(c): a for c, a in self.top_artists.items()},
        }


def validate_clusters(songs: pd.DataFrame, labels: np.ndarray, top: int = 5) -> ClusterValidation:
    """Top genres/artists per cluster, purity and NMI of clusters against primary genre.

    (pandas and scikit-learn are imported here, at fit time: a served model only reads
    the :class:`ClusterValidation` the fit left.)

    The primary genre is a song's first listed genre; purity is the share of songs
    whose cluster's most common primary genre is their own.
    """
    import pandas as pd
    from sklearn.metrics import normalized_mutual_info_score

    k = int(labels.max()) + 1
    top_genres: dict[int, list[tuple[str, int]]] = {}
    top_artists: dict[int, list[tuple[str, int]]] = {}
    genres = songs["genres"].tolist()
    artists = songs["artist"].tolist()
    for c in range(k):
        idx = np.flatnonzero(labels == c)
        g = Counter(genre for i in idx for genre in genres[i])
        a = Counter(artists[i] for i in idx)
        top_genres[c] = g.most_common(top)
        top_artists[c] = a.most_common(top)
    primary = np.array([g[0] if g else "" for g in genres], dtype=object)
    has = primary != ""
    purity = nmi = None
    if has.sum() >= 2:
        frame = pd.DataFrame({"cluster": labels[has], "genre": primary[has]})
        majority = frame.groupby("cluster")["genre"].agg(lambda s: s.value_counts().iloc[0]).sum()
        purity = float(majority / has.sum())
        nmi = float(normalized_mutual_info_score(primary[has], labels[has]))
    return ClusterValidation(
        top_genres=top_genres,
        top_artists=top_artists,
        genre_purity=purity,
        genre_nmi=nmi,
        songs_with_genre=int(has.sum()),
    )
