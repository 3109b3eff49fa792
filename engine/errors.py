"""What the engine answers when it cannot serve a request: one exception family for every front end.

Every way a request can fail *because of its input* is an :class:`EngineError` subclass
carrying a message to show and what to try instead (``suggestions``), so a front end needs
one ``except EngineError`` and never sees a traceback. A failure that is the engine's own
fault (a bug, or a hostile value nobody foresaw) is an :class:`UnexpectedError`: still an
EngineError, because a chat user can do nothing with a KeyError either way, but told
apart by its type, so a front end can say "that was us" and a test can tell a crash from
a refusal without reading the wording.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resolver import Candidate


class EngineError(Exception):
    """A request the engine cannot serve; ``message`` says why, ``suggestions`` what to try."""

    def __init__(self, message: str, suggestions: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions: tuple[str, ...] = tuple(suggestions)


class NoMatchError(EngineError):
    """No song matches the query; ``suggestions`` are the closest "Title — Artist" labels."""


class AmbiguousSongError(EngineError):
    """Several songs fit about equally well; ask the user which one (``candidates``)."""

    def __init__(
        self, message: str, candidates: Sequence[Candidate], suggestions: Iterable[str] = ()
    ) -> None:
        super().__init__(message, suggestions)
        self.candidates: tuple[Candidate, ...] = tuple(candidates)


class UnknownMoodError(EngineError):
    """The text names no mood; ``suggestions`` are the closest vocabulary words."""


class InvalidTargetsError(EngineError):
    """Targets that cannot be parsed or applied; ``problems`` lists each one."""

    def __init__(self, message: str, problems: Sequence[str], suggestions: Iterable[str] = ()) -> None:
        super().__init__(message, suggestions)
        self.problems: tuple[str, ...] = tuple(problems)


class NoResultsError(EngineError):
    """Targets or exclusions leave no song to offer; the message says which."""


class UnexpectedError(EngineError):
    """The engine failed on its side (logged with its traceback); the input was not at fault.

    Raised only by the net under every Engine method (engine.guards.guarded), never on
    purpose: in a test, one of these means a bug was hidden behind an error message.
    """


#: What every :class:`UnexpectedError` says: the request may be fine, the engine was not.
UNEXPECTED_MESSAGE = "something went wrong on our side handling that request"


__all__ = [
    "UNEXPECTED_MESSAGE",
    "AmbiguousSongError",
    "EngineError",
    "InvalidTargetsError",
    "NoMatchError",
    "NoResultsError",
    "UnexpectedError",
    "UnknownMoodError",
]
