"""The engine's front-door guards: the net under every Engine method, and the checks that
turn whatever a front end passes in (typed text, a stored id list, a hostile value) into
values the engine can use.

Kept apart from :mod:`engine.service` because they know nothing about songs: each one
either cleans a value (a count clamped, ids filtered, text put on one line) or turns a
failure into an :class:`~engine.errors.EngineError` a front end can show.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from .errors import UNEXPECTED_MESSAGE, EngineError, InvalidTargetsError, UnexpectedError
from .filters import Target, TargetError

logger = logging.getLogger(__name__)

_T = TypeVar("_T")


def guarded(method: Callable[..., _T]) -> Callable[..., _T]:
    """Let EngineError through; log anything else with its traceback and wrap it.

    Input problems are turned into specific errors by the methods themselves; this is
    the net under them, so a bug or a hostile value we did not foresee still reaches
    the user as a short message (an :class:`UnexpectedError`) instead of taking a
    command handler down.
    """

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        try:
            return method(*args, **kwargs)
        except EngineError:
            raise
        except TargetError as exc:
            raise invalid_targets(exc) from None
        except Exception:
            logger.exception("unexpected failure in Engine.%s", method.__name__)
            raise UnexpectedError(UNEXPECTED_MESSAGE, ("try again, or try another song",)) from None

    return wrapper


def invalid_targets(exc: TargetError) -> InvalidTargetsError:
    """The filter parser's error as the engine's, with each problem and examples that work."""
    problems = tuple(str(p) for p in exc.problems) or (str(exc),)
    return InvalidTargetsError(
        "invalid target" + ("s" if len(problems) > 1 else "") + ": " + "; ".join(problems),
        problems,
        ("energy>0.7", "tempo 90-110", "year 1990-1999"),
    )


def clamp_int(value: object, lo: int, hi: int, default: int) -> int:
    """``value`` as an int within [lo, hi]; anything unusable becomes ``default``."""
    if isinstance(value, bool):
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
    if not math.isfinite(number):
        return default
    return max(lo, min(hi, int(number)))


def id_set(exclude_ids: object) -> frozenset[str]:
    """Excluded ids as a frozenset of strings; odd input is ignored, not an error."""
    if not exclude_ids:
        return frozenset()
    if isinstance(exclude_ids, str):
        return frozenset((exclude_ids,))
    if not isinstance(exclude_ids, Iterable):
        return frozenset()
    try:
        return frozenset(x for x in exclude_ids if isinstance(x, str))
    except TypeError:
        return frozenset()


def dedupe_targets(targets: Sequence[Target]) -> list[Target]:
    """Drop repeated targets (same field and bounds), keeping the first wording."""
    seen: set[tuple[str, float | None, float | None]] = set()
    out: list[Target] = []
    for t in targets:
        key = (t.field, t.low, t.high)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def one_line(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters, for quoting in messages."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


__all__ = ["clamp_int", "dedupe_targets", "guarded", "id_set", "invalid_targets", "one_line"]
