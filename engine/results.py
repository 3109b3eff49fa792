"""What the engine answers: plain frozen dataclasses, the same for every front end.

The bot, the console, the CLI and the dashboard render these and nothing else, so they
hold display text (titles, artists, reasons in English), never matching keys or arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .filters import Target
from .links import listen_url
from .moods import Mood
from .reasons import FeatureComparison
from .song_table import song_label


@dataclass(frozen=True)
class Song:
    """One catalog song as front ends show it (display text, not matching keys)."""

    index: int
    id: str
    name: str
    artist: str
    year: int | None
    popularity: float | None
    genres: tuple[str, ...]
    cluster: int
    mood: Mood
    #: Audio features in file units; excluded from equality/hash (index identifies the song).
    features: dict[str, float] = field(compare=False, repr=False)

    def label(self) -> str:
        """'Title — Artist (year)', the form used in lists and menus."""
        return song_label(self.name, self.artist, self.year)

    @property
    def link(self) -> str:
        """Where to listen: the Spotify track page, or a Spotify search (see engine.links)."""
        return listen_url(self.id, self.name, self.artist)


@dataclass(frozen=True)
class Pick:
    """A recommended song, its score (cosine similarity or typicality, 0..1) and why."""

    song: Song
    score: float
    reason: str


@dataclass(frozen=True)
class Recommendation:
    """Songs like ``seed``; ``page`` is how many "more" steps deep this answer is."""

    seed: Song
    picks: tuple[Pick, ...]
    targets: tuple[Target, ...]
    page: int


@dataclass(frozen=True)
class VibeResult:
    """Songs for a mood text: a cluster's typical songs, or the songs nearest mood words.

    ``mood`` is the main cluster (most picks come from it); ``sources`` says how many
    picks each cluster gave, most first. ``query`` is the text as understood ("sad +
    danceable", or a cluster's label) and ``meaning`` what it stands for in sound.
    """

    mood: Mood
    picks: tuple[Pick, ...]
    targets: tuple[Target, ...]
    query: str = ""
    meaning: str = ""
    sources: tuple[tuple[Mood, int], ...] = ()
    #: True when the text named a cluster itself (picks are that cluster's typical songs).
    by_cluster: bool = True
    emoji: str = ""
    corrections: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterReport:
    """Which mood a song belongs to, how big that mood is and how the song compares with it."""

    song: Song
    mood: Mood
    size: int
    share: float
    comparison: tuple[FeatureComparison, ...]
    top_genres: tuple[tuple[str, int], ...]
    top_artists: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ForYou:
    """Picks for one member; ``starter`` when they had no history yet."""

    picks: tuple[Pick, ...]
    starter: bool
    hybrid: bool
    profile: Any = field(compare=False, repr=False)


@dataclass(frozen=True)
class Playlist:
    """An ordered playlist; ``mean_step`` is the mean feature distance between neighbours."""

    title: str
    kind: str  # song | mood | foryou | journey
    query: str
    songs: tuple[Song, ...]
    mean_step: float


@dataclass(frozen=True)
class TasteMatch:
    """Two tastes compared: 0..1 score, moods both like, and liked songs that bridge them."""

    score: float
    shared_moods: tuple[Mood, ...]
    bridges: tuple[tuple[Song, Song], ...]
    empty: bool


__all__ = [
    "ClusterReport",
    "ForYou",
    "Pick",
    "Playlist",
    "Recommendation",
    "Song",
    "TasteMatch",
    "VibeResult",
]
