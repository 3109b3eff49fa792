"""Plain language: what a chat message asks (engine side, no Discord).

:class:`RequestReader` turns a message into a :class:`Request` (an intent and its slots:
songs, references to what was shown, mood words, critiques, exclusions, counts, filters);
:mod:`engine.dialogue` acts on it turn by turn.
"""

from .reader import RequestReader
from .request import INTENTS, Critique, Intent, Mention, Ref, Request

__all__ = ["INTENTS", "Critique", "Intent", "Mention", "Ref", "Request", "RequestReader"]
