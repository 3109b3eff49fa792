"""Filters said in words: "from the 90s", "before 2000", "under 3 minutes", "120 bpm".

People type the filter syntax (``year 1990-1999``, ``tempo<100``; see
:mod:`engine.filters`) rarely; they say the same thing in words. Each phrase here becomes
that syntax, so one parser (``engine.filters.parse_targets``) validates and applies every
filter, and replies show them the same way. A phrase needs its cue ("from the", "before",
"under", a unit): a bare number stays text, because titles hold numbers ("1999", "22").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

#: Decades said as words.
_DECADE_WORDS: Final = {
    "fifties": 1950,
    "sixties": 1960,
    "seventies": 1970,
    "eighties": 1980,
    "nineties": 1990,
    "noughties": 2000,
    "aughts": 2000,
    "two thousands": 2000,
    "twenty tens": 2010,
    "tens": 2010,
}
_PART = r"(?:(?P<part>early|late|mid|middle)[\s-]+)?"
_DECADE = re.compile(
    r"(?<![\w#])(?:(?:from|in|of|during|out of)\s+)?(?:the\s+)?"
    + _PART
    + r"(?:'|’)?(?P<d>(?:19|20)?[0-9]0)(?:'|’)?s(?![\w])",
    re.IGNORECASE,
)
_DECADE_WORD = re.compile(
    r"(?<![\w#])(?:(?:from|in|of|during|out of)\s+)?(?:the\s+)?"
    + _PART
    + r"(?P<w>"
    + "|".join(sorted(_DECADE_WORDS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
_YEAR = r"(?:19|20)[0-9]{2}"
_YEAR_RANGE = re.compile(
    rf"(?<![\w#])(?:(?:from|between)\s+)?(?P<a>{_YEAR})\s*(?:-|–|to|and|till|until)\s*(?P<b>{_YEAR})(?![\w])",
    re.IGNORECASE,
)
_BEFORE = re.compile(
    rf"(?<![\w#])(?:before|pre|prior to|older than|earlier than|until|up to)\s*-?\s*(?P<y>{_YEAR})(?![\w])",
    re.IGNORECASE,
)
_AFTER = re.compile(
    rf"(?<![\w#])(?P<cue>after|post|newer than|later than|since|from after)\s*-?\s*(?P<y>{_YEAR})(?![\w])",
    re.IGNORECASE,
)
_IN_YEAR = re.compile(rf"(?<![\w#])(?:from|in|released in|out in)\s+(?P<y>{_YEAR})(?![\w])", re.IGNORECASE)
_NUMBER = r"(?P<n>[0-9]+(?:[.,][0-9]+)?)"
_MINUTE_UNITS = r"(?P<u>minutes|minute|mins|min|m|seconds|second|secs|sec|s)"
_UNDER = r"under|less than|shorter than|below|max|at most|no longer than|no more than|within|<"
_OVER = r"over|more than|longer than|above|at least|min|minimum|>"
_DURATION = re.compile(
    rf"(?<![\w#])(?P<cue>{_UNDER}|{_OVER})\s*{_NUMBER}\s*{_MINUTE_UNITS}(?![\w])(?:\s+long)?",
    re.IGNORECASE,
)
_BPM = r"\s*(?:bpm|beats per minute)(?![\w])"
_TEMPO_RANGE = re.compile(
    rf"(?<![\w#])(?:between\s+)?(?P<a>[0-9]{{2,3}})\s*(?:-|–|to|and)\s*(?P<b>[0-9]{{2,3}}){_BPM}",
    re.IGNORECASE,
)
_TEMPO_BOUND = re.compile(
    rf"(?<![\w#])(?P<cue>under|below|less than|slower than|at most|max|over|above|more than|faster than|"
    rf"at least|min)\s*(?P<n>[0-9]{{2,3}}){_BPM}",
    re.IGNORECASE,
)
_TEMPO_AROUND = re.compile(
    rf"(?<![\w#])(?:around|about|roughly|approx|~|at)?\s*(?P<n>[0-9]{{2,3}}){_BPM}", re.IGNORECASE
)
#: Half-width of "around 120 bpm".
TEMPO_AROUND_BPM: Final = 10


def _decade_range(start: int, part: str | None) -> tuple[int, int]:
    part = (part or "").lower()
    if part == "early":
        return start, start + 4
    if part == "late":
        return start + 5, start + 9
    if part in ("mid", "middle"):
        return start + 3, start + 7
    return start, start + 9


def _decade(m: re.Match[str]) -> str:
    d = m.group("d")
    if len(d) == 2:
        start = (2000 if int(d) < 30 else 1900) + int(d)
    else:
        start = int(d)
    lo, hi = _decade_range(start, m.group("part"))
    return f"year {lo}-{hi}"


def _decade_word(m: re.Match[str]) -> str:
    lo, hi = _decade_range(_DECADE_WORDS[m.group("w").lower()], m.group("part"))
    return f"year {lo}-{hi}"


def _seconds(m: re.Match[str]) -> int:
    n = float(m.group("n").replace(",", "."))
    unit = m.group("u").lower()
    return round(n * 60) if unit.startswith("m") else round(n)


def _duration(m: re.Match[str]) -> str:
    under = m.group("cue").lower() in _UNDER.split("|")
    return f"duration{'<' if under else '>'}{_seconds(m)}"


def _tempo_bound(m: re.Match[str]) -> str:
    cue = m.group("cue").lower()
    below = cue in ("under", "below", "less than", "slower than", "at most", "max")
    return f"tempo{'<' if below else '>'}{int(m.group('n'))}"


def _tempo_range(m: re.Match[str]) -> str:
    a, b = sorted((int(m.group("a")), int(m.group("b"))))
    return f"tempo {a}-{b}"


def _tempo_around(m: re.Match[str]) -> str:
    n = int(m.group("n"))
    return f"tempo {n - TEMPO_AROUND_BPM}-{n + TEMPO_AROUND_BPM}"


def _after(m: re.Match[str]) -> str:
    return f"year{'>=' if m.group('cue').lower() == 'since' else '>'}{m.group('y')}"


#: A decade said with a negation before it: "not from the 80s", "no 90s stuff", "less 80s",
#: "not feeling the 80s stuff", "tired of the 90s".
_NOT_DECADE = re.compile(
    r"(?<![\w#])(?P<neg>(?:not|no|less|without|nothing|except|anything but|never)"
    r"(?:\s+(?:feeling|into|liking|loving|a fan of|really))?|sick of|tired of|done with)\s+"
    r"(?:(?:from|in|of|during)\s+)?(?:the\s+)?"
    + _PART
    + r"(?:(?:'|’)?(?P<d>(?:19|20)?[0-9]0)(?:'|’)?s|(?P<w>"
    + "|".join(sorted(_DECADE_WORDS, key=len, reverse=True))
    + r"))(?![\w])",
    re.IGNORECASE,
)


def negated_decades(text: str) -> tuple[str, list[str]]:
    """(``text`` without "not from the 80s" phrases, what to say about each).

    A filter keeps one range of years, so "all but the 80s" cannot be one; read as the
    decade (what it was read as before), it gave the very songs asked to leave out. It is
    said back instead, with the two bounds that can be asked for.
    """
    said: list[str] = []
    for m in _NOT_DECADE.finditer(text):
        if m.group("d"):
            d = m.group("d")
            start = int(d) if len(d) == 4 else (2000 if int(d) < 30 else 1900) + int(d)
        else:
            start = _DECADE_WORDS[m.group("w").lower()]
        lo, hi = _decade_range(start, m.group("part"))
        said.append(
            f"“{m.group(0)}”: I can keep one range of years but not leave one out;"
            f" say “after {hi}” or “before {lo}”"
        )
    return _NOT_DECADE.sub(CUT_MARK, text), said


#: In order: a longer phrase is cut out before a shorter one could read part of it.
_RULES: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = (
    (_YEAR_RANGE, lambda m: "year {}-{}".format(*sorted((m.group("a"), m.group("b"))))),
    (_DECADE, _decade),
    (_DECADE_WORD, _decade_word),
    (_BEFORE, lambda m: f"year<{m.group('y')}"),
    (_AFTER, _after),
    (_IN_YEAR, lambda m: f"year {m.group('y')}"),
    (_DURATION, _duration),
    (_TEMPO_RANGE, _tempo_range),
    (_TEMPO_BOUND, _tempo_bound),
    (_TEMPO_AROUND, _tempo_around),
)

#: What a cut phrase leaves in the text: a boundary, so a title never runs across it.
CUT_MARK: Final = " , "


def plain_filters(text: str) -> tuple[str, list[tuple[int, str]]]:
    """(``text`` with every filter phrase cut out, [(where it stood, filter text)]).

    The positions are offsets in ``text`` (for keeping the typed order); the filter
    texts are in the bot's syntax ("year 1990-1999", "duration<180", "tempo<100").
    """
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for pattern, make in _RULES:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
            found.append((m.start(), make(m)))
    if not spans:
        return text, []
    out: list[str] = []
    last = 0
    for s, e in sorted(spans):
        out.append(text[last:s])
        out.append(CUT_MARK)
        last = e
    out.append(text[last:])
    return "".join(out), sorted(found)


__all__ = ["CUT_MARK", "TEMPO_AROUND_BPM", "negated_decades", "plain_filters"]
