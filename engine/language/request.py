"""What a plain-language request was understood as: an intent and its slots.

The reader (:mod:`engine.language.reader`) fills a :class:`Request`; the dialogue
(:mod:`engine.dialogue`) acts on it. Everything here is plain data, so a front end can
show it, a benchmark can score it and a test can compare it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from .lexicon import CRITIQUE_WORDS

Intent = Literal["recommend", "vibe", "refine", "more", "feedback", "restart", "help", "smalltalk", "unknown"]
INTENTS: Final[tuple[Intent, ...]] = (
    "recommend",
    "vibe",
    "refine",
    "more",
    "feedback",
    "restart",
    "help",
    "smalltalk",
    "unknown",
)
#: A shown song pointed at: its position (1-based), "last", or "that" (the one just talked about).
Ref = int | str


@dataclass(frozen=True)
class Critique:
    """Ask for more or less of one feature: a unit critique; several make a compound one."""

    feature: str
    direction: int  # +1 or -1
    intensity: float = 1.0  # 0.5 "a bit", 1 (also "even", which compounds), 2 "much"
    said: str = ""  # the words typed, for "understood"

    def describe(self) -> str:
        """The critique in the bot's words: "a bit slower", "much happier"."""
        word = CRITIQUE_WORDS[self.feature][0 if self.direction > 0 else 1]
        size = {0.5: "a bit ", 2.0: "much "}.get(self.intensity, "")
        return size + word


@dataclass(frozen=True)
class Mention:
    """A song or artist named in the text, as the resolver read it.

    ``kind`` is "song" (``indices`` holds the one song), "artist" (the artist's songs,
    best known first), "ambiguous" (``indices`` are the candidates to ask about) or
    "unknown" (nothing matched; ``suggestions`` may hold near titles).
    """

    text: str
    kind: Literal["song", "artist", "ambiguous", "unknown"]
    indices: tuple[int, ...] = ()
    name: str = ""  # the song's label or the artist's name, for "understood"
    suggestions: tuple[str, ...] = ()
    score: float = 0.0  # the resolver's 0..100 for the reading


@dataclass(frozen=True)
class Request:
    """One message, understood. Empty slots are empty tuples or None."""

    text: str
    intent: Intent
    songs: tuple[Mention, ...] = ()
    refs: tuple[Ref, ...] = ()
    moods: tuple[str, ...] = ()
    not_moods: tuple[str, ...] = ()
    critiques: tuple[Critique, ...] = ()
    exclude_artists: tuple[Mention, ...] = ()  # kind "artist"; name "this" for "not this artist"
    exclude_this_artist: bool = False
    count: int | None = None
    filters: tuple[str, ...] = ()  # in the bot's filter syntax ("year 1990-1999")
    filter_problems: tuple[str, ...] = ()  # filters typed wrong, said back as they are
    feedback: int | None = None  # +1 like, -1 dislike (of ``rated`` when given, else of ``refs``)
    #: refs only rated, beside refs asked like: "not feeling #2, more like #4" rates #2, asks #4
    rated: tuple[Ref, ...] = ()
    ignored: tuple[str, ...] = ()  # words neither understood nor part of a title
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, read as)
    truncated: bool = False  # the text was longer than the reader reads
    surprise: bool = False  # "surprise me", "random songs": a mood picked for them
    link: bool = False  # "spotify link for #2", "where can i listen to #1": where to play it
    about: bool = False  # "who sings #2", "what genre is #1": what a shown song is
    mood_words: tuple[tuple[str, bool], ...] = field(default=(), repr=False)  # (word, negated), in order

    @property
    def seeds(self) -> tuple[Mention, ...]:
        """The named songs and artists that were found (what a list is drawn like)."""
        return tuple(m for m in self.songs if m.kind in ("song", "artist"))

    @property
    def changes(self) -> bool:
        """Whether the request changes a list (critiques, exclusions, filters, negated moods)."""
        return bool(
            self.critiques
            or self.exclude_artists
            or self.exclude_this_artist
            or self.filters
            or self.not_moods
        )


__all__ = ["INTENTS", "Critique", "Intent", "Mention", "Ref", "Request"]
