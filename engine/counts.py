"""How many songs one answer holds: the one count rule every front end applies.

A count is a whole number from 1 up to a ceiling. Chat (the bot and the console) stops at
:data:`MAX_CHAT_COUNT` so a reply stays readable on a phone; the engine serves at most
:data:`MAX_PICKS` (a Discord embed lists 25 fields at most), which is also what the command
line accepts. Front ends refuse a count out of range with :class:`BadCount`, whose message
says what was wrong; they never clamp silently. The service still clamps, as a last guard
for library callers that bypass the front ends.
"""

from __future__ import annotations

__all__ = ["BadCount", "DEFAULT_COUNT", "MAX_CHAT_COUNT", "MAX_PICKS", "MIN_COUNT", "check_count"]

#: Songs shown when the user does not say how many.
DEFAULT_COUNT = 5
#: Fewest songs one answer may hold.
MIN_COUNT = 1
#: Most songs one chat answer may hold (bot commands, slash options, console).
MAX_CHAT_COUNT = 10
#: Most songs the engine serves in one answer (and the command line's ceiling).
MAX_PICKS = 25

_SHOWN_CHARS = 20  # how much of a bad value the message repeats


class BadCount(ValueError):
    """A count that is not a whole number in range; ``str()`` is the message for the user."""


def check_count(count: int | str | None, *, maximum: int = MAX_CHAT_COUNT) -> int:
    """The number of songs to show: ``MIN_COUNT..maximum``; ``None`` or ``""`` means the default.

    Raises :class:`BadCount` (a ValueError) with a message naming the bad value and the range.
    The value is repeated raw (cut to 20 characters): a front end escapes it for its medium.
    """
    if count is None or count == "":
        return DEFAULT_COUNT
    try:
        n = int(str(count).strip())
    except ValueError:
        raise BadCount(f"“{_shown(count)}” is not a number of songs") from None
    if not MIN_COUNT <= n <= maximum:
        raise BadCount(f"the number of songs must be between {MIN_COUNT} and {maximum}, not {_shown(n)}")
    return n


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
