"""Filters (targets and ranges, like Spotify's old recommendations API), parsed from chat text.

Users mix filters such as ``energy>0.7`` or ``tempo 90-110`` into the same chat message as
their song query. This module pulls those filters out without eating song titles ("Year of
the Cat", "Mood 4 Eva"), validates them with messages a user can act on, and turns them into
boolean masks over the song table. Hostile input (huge strings, NUL, RTL marks) can only ever
produce :class:`TargetError`, so the bot needs exactly one ``except`` around it.
"""

from __future__ import annotations

import difflib
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

__all__ = [
    "Target",
    "TargetError",
    "column_mask",
    "describe_targets",
    "frame_column",
    "parse_targets",
    "split_query",
    "target_mask",
]

MAX_SCAN_CHARS = 500  # filters live near the start of a chat message; bounds regex work
MAX_TOKEN_CHARS = 40  # no number a user means is longer than this
MAX_TARGETS = 20
MAX_PROBLEMS = 10  # a wall of errors helps nobody


@dataclass(frozen=True)
class _Spec:
    """How users type one field: its domain and ``=`` tolerance, both in user units."""

    label: str
    lo: float
    hi: float
    tol: float
    scale: float = 1.0  # user units -> column units (seconds -> ms)
    units: tuple[str, ...] = ()  # suffixes a user may attach to a number
    suffix: str = ""  # unit shown by describe()


_FEATURES01 = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
)
SPECS: dict[str, _Spec] = {name: _Spec(name, 0.0, 1.0, 0.1, units=("%",)) for name in _FEATURES01}
SPECS.update(
    loudness=_Spec("loudness", -60.0, 5.0, 3.0, units=("db",), suffix=" dB"),
    tempo=_Spec("tempo", 0.0, 250.0, 10.0, units=("bpm",), suffix=" BPM"),
    duration_ms=_Spec("duration", 0.0, 7200.0, 30.0, scale=1000.0, units=("s", "sec", "secs", "seconds")),
    year=_Spec("year", 1900.0, 2100.0, 0.0, units=("s",)),  # "1990s" means the decade
    popularity=_Spec("popularity", 0.0, 100.0, 10.0, units=("%",)),
)
# duration_ms itself is not an alias: users think in seconds, and ms would be misread as seconds.
ALIASES: dict[str, str] = {name: name for name in SPECS if name != "duration_ms"}
ALIASES.update(
    bpm="tempo",
    dance="danceability",
    danceable="danceability",
    acoustic="acousticness",
    instrumental="instrumentalness",
    speech="speechiness",
    speechy="speechiness",
    live="liveness",
    mood="valence",
    happy="valence",
    happiness="valence",
    positivity="valence",
    loud="loudness",
    duration="duration_ms",
    length="duration_ms",
    decade="year",
    popular="popularity",
)
_EXAMPLES = {
    "tempo": "tempo 90-110",
    "loudness": "loudness>-8",
    "duration_ms": "duration<240 or length 3:00-4:00",
    "year": "year 1990-1999",
    "popularity": "popularity>50",
}
_KNOWN = ", ".join(spec.label for spec in SPECS.values())

_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"(?<![\w.'’/@#-])([A-Za-z][A-Za-z_]{1,19})(?!\w)")
_TOKEN = r"(?:[^\s,;]|,(?=[0-9]))*"  # a comma followed by a digit is a decimal comma
_TAIL = re.compile(
    rf"(?P<sp1>\s*)(?P<op>[<>=:≥≤~]+)?(?P<sp2>\s*)(?P<val>{_TOKEN})"
    rf"(?:\s+(?P<sep>-|–|—|\.\.|to)\s+(?P<val2>[-+.0-9]{_TOKEN}))?"
)
_NUM = r"[-+]?(?:[0-9]+(?::[0-9]{2})?(?:\.[0-9]*)?|\.[0-9]+)"
_SINGLE = re.compile(rf"({_NUM})([a-z%]*)", re.I)
_RANGE = re.compile(rf"({_NUM})([a-z%]*)\s*(-|–|—|\.\.|to)\s*({_NUM})([a-z%]*)", re.I)
_NUMERIC_START = re.compile(r"[-+]?\.?[0-9]")
_UNIT_WORD = re.compile(r"\s+(bpm|db|secs?|seconds)(?!\w)", re.I)
_TRAILING_PUNCT = re.compile(r"(?:[)\]}!?\"'”’]|(?<![.])\.)+$")
_LETTER = re.compile(r"[^\W\d_]")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")
_END_PUNCT = re.compile(r"^(?:[-–—,;:|&/.!?]+(?:\s+|$))+|(?:(?:^|\s+)[-–—,;:|&/.!?]+)+$")
_OPS = {
    ">": ">",
    ">=": ">=",
    "≥": ">=",
    "<": "<",
    "<=": "<=",
    "≤": "<=",
    "=": "=",
    "==": "=",
    "~": "~",
    ":": ":",
}
_BOUND_DIGITS = 6  # bounds are rounded to this; a bound that is not was nudged by a strict > or <


@dataclass(frozen=True)
class Target:
    """One filter: ``low <= songs[field] <= high`` in column units (None = unbounded)."""

    field: str  # canonical column name
    low: float | None  # inclusive lower bound in column units
    high: float | None  # inclusive upper bound
    text: str  # what the user typed, normalised, for display

    def describe(self) -> str:
        """Human wording for replies, e.g. "energy > 0.7", "tempo 90–110 BPM", "duration < 4:00"."""
        spec = SPECS.get(self.field)
        if spec is None:
            return self.text or self.field
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            if _fmt(self.field, lo) == _fmt(self.field, hi):
                return f"{spec.label} {_fmt(self.field, lo)}{spec.suffix}"
            dash = " to " if min(lo, hi) < 0 else "–"
            return f"{spec.label} {_fmt(self.field, lo)}{dash}{_fmt(self.field, hi)}{spec.suffix}"
        if lo is not None:
            return f"{spec.label} {'>' if _nudged(lo) else '≥'} {_fmt(self.field, lo)}{spec.suffix}"
        if hi is not None:
            return f"{spec.label} {'<' if _nudged(hi) else '≤'} {_fmt(self.field, hi)}{spec.suffix}"
        return f"{spec.label} (any)"


class TargetError(ValueError):
    """Every problem found in the user's targets at once, so they can fix them in one go."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: list[str] = list(problems)
        super().__init__("; ".join(self.problems))


class _Problem(Exception):
    """One invalid target. ``soft`` ones are left as song text when the syntax was weak
    (no operator), because titles like "Year 3000" or "Mood 4 Eva" look like that."""

    def __init__(self, message: str, soft: bool = False) -> None:
        super().__init__(message)
        self.soft = soft


def _nudged(x: float) -> bool:
    return round(x, _BOUND_DIGITS) != x


def _fmt(field: str, x: float) -> str:
    if field == "duration_ms":
        s = round(x / 1000)
        return f"{'-' if s < 0 else ''}{abs(s) // 60}:{abs(s) % 60:02d}"
    if field == "year":
        return str(round(x))
    return f"{round(x, _BOUND_DIGITS) + 0.0:g}"  # + 0.0 turns -0.0 into 0


def _suggest(word: str, cutoff: float) -> str | None:
    if len(word) < 3:
        return None
    found = difflib.get_close_matches(word, ALIASES, n=1, cutoff=cutoff)
    return found[0] if found else None


def _number(field: str, num: str, unit: str, text: str) -> float:
    """One number in user units, checked against the field's domain."""
    spec, unit = SPECS[field], unit.lower()
    if unit and unit not in spec.units:
        raise _Problem(f"{text}: '{unit}' is not a unit for {spec.label}", soft=True)
    if ":" in num:
        if field != "duration_ms":
            raise _Problem(f"{text}: m:ss times only work for duration", soft=True)
        mins, secs = num.split(":")
        value = (-1 if mins.startswith("-") else 1) * (abs(int(mins)) * 60 + float(secs))
    else:
        value = float(num)
    if unit == "%" and field in _FEATURES01:
        value /= 100
    if not math.isfinite(value):
        raise _Problem(f"{text}: {num} is not a finite number")
    if not spec.lo <= value <= spec.hi:
        unit_word = " seconds" if field == "duration_ms" else spec.suffix
        raise _Problem(f"{text}: {spec.label} is between {spec.lo:g} and {spec.hi:g}{unit_word}", soft=True)
    if field == "year" and not value.is_integer():
        raise _Problem(f"{text}: year must be a whole number", soft=True)
    return value


def _build(word: str, op: str | None, raw: str, text: str, strict: bool) -> Target:
    """Turn one target-looking token into a Target, or raise _Problem saying what is wrong."""
    field = ALIASES.get(word)
    if field is None:
        guess = _suggest(word, 0.6 if strict else 0.8)
        hint = f"did you mean '{guess}'?" if guess else f"known fields: {_KNOWN}"
        raise _Problem(f"{text}: unknown field '{word}'; {hint}")
    spec, example = SPECS[field], _EXAMPLES.get(field, f"{field}>0.7")
    opn = _OPS.get(op or "=")
    if opn is None:
        raise _Problem(f"{text}: '{op}' is not an operator; use >, >=, <, <=, = or a range, e.g. {example}")
    if not raw:
        raise _Problem(f"{text}: missing a number after '{word}{op}', e.g. {example}")
    if len(raw) > MAX_TOKEN_CHARS:
        raise _Problem(f"{text[:MAX_TOKEN_CHARS]}…: value is too long", soft=True)
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    if m := _RANGE.fullmatch(raw):
        if opn not in ("=", ":", "~"):
            raise _Problem(f"{text}: use a comparison or a range, not both, e.g. {example}")
        low, high = _number(field, m[1], m[2], text), _number(field, m[4], m[5], text)
        if low > high:
            sp = op or " "
            raise _Problem(f"{text}: the range is reversed; try {word}{sp}{m[4]}{m[5]}{m[3]}{m[1]}{m[2]}")
    elif m := _SINGLE.fullmatch(raw):
        value = _number(field, m[1], m[2], text)
        low, high = value, value
        if field == "year" and (word == "decade" or m[2].lower() == "s") and opn in ("=", ":", "~"):
            low = value // 10 * 10
            high = low + 9
        elif opn in (">", ">="):
            high = None
        elif opn in ("<", "<="):
            low = None
        else:
            low, high = max(spec.lo, value - spec.tol), min(spec.hi, value + spec.tol)
    elif _LETTER.search(raw):  # "high", "nan", "4ever": not a number (soft: maybe a title word)
        raise _Problem(f"{text}: '{raw}' is not a number, e.g. {example}", soft=True)
    else:
        raise _Problem(f"{text}: can't read '{raw}' as a number or range, e.g. {example}")
    low = None if low is None else round(low * spec.scale, _BOUND_DIGITS)
    high = None if high is None else round(high * spec.scale, _BOUND_DIGITS)
    if opn == ">" and low is not None:  # strict: exclude the typed value itself
        low = float(np.nextafter(low, np.inf))
    if opn == "<" and high is not None:
        high = float(np.nextafter(high, -np.inf))
    return Target(field, low, high, text)


def _scan(text: str, strict: bool) -> tuple[list[Target], list[str], list[tuple[int, int]]]:
    """Find target-looking tokens; returns (targets, problems, spans consumed from text).

    ``strict`` (parse_targets) treats any field-ish word with a value as a target attempt;
    otherwise a word must be a known field (or, with an operator, a near-miss of one) so that
    song titles survive.
    """
    targets: list[Target] = []
    problems: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _WORD.finditer(text):
        if m.start() < pos:
            continue
        word, t = m[1].lower(), _TAIL.match(text, m.end())
        assert t is not None  # every part of _TAIL may be empty, so it always matches
        op, val, end = t["op"], t["val"], t.end("val")
        if op is None and not t["sp1"]:
            continue
        if t["val2"] is not None and op in (None, "=", "==", ":", "~") and _SINGLE.fullmatch(val):
            val, end = f"{val} {t['sep']} {t['val2']}", t.end()  # "tempo 90 to 110"
        numeric = bool(_NUMERIC_START.match(val))
        field = ALIASES.get(word)
        if strict:
            looks = op is not None or numeric
        elif field is not None:
            looks = numeric or (op is not None and op != ":")  # "Live: Baby Blue" is a title
        else:
            looks = op is not None and numeric and _suggest(word, 0.8) is not None
        if not looks:
            continue
        if len(val) <= MAX_TOKEN_CHARS:  # "(energy>0.5)": the ")" stays in the query
            stripped = _TRAILING_PUNCT.sub("", val)
            val, end = stripped, end - (len(val) - len(stripped))
        if field is not None and (u := _UNIT_WORD.match(text, end)) and u[1].lower() in SPECS[field].units:
            val, end = val + u[1], u.end()  # "tempo 120 bpm"
        text_norm = f"{word}{_OPS.get(op, op) if op else ' '}{val}"
        try:
            targets.append(_build(word, op, val, text_norm, strict))
        except _Problem as p:
            if p.soft and not strict and (op is None or (op == ":" and t["sp2"])):
                log.debug("left %r in the song query: %s", text_norm, p)
                continue
            problems.append(str(p))
        spans.append((m.start(), end))
        pos = end
    return targets, problems, spans


def _raise_if(problems: list[str], targets: list[Target]) -> None:
    if len(targets) > MAX_TARGETS:
        problems.append(f"too many targets ({len(targets)}); at most {MAX_TARGETS}")
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"…and {len(problems) - MAX_PROBLEMS} more"]
        log.debug("invalid targets: %s", problems)
        raise TargetError(problems)


def _remove(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return " ".join(pieces)


def _check_str(text: object) -> str:
    if not isinstance(text, str):
        raise TargetError([f"expected text, got {type(text).__name__}"])
    return _INVISIBLE.sub(" ", text)


def parse_targets(text: str) -> list[Target]:
    """Parse a string that must consist only of targets (e.g. a ``/filter`` command argument).

    Anything left over is reported, so a typo is never silently ignored.
    """
    clean = _check_str(text).strip()
    if len(clean) > MAX_SCAN_CHARS:
        raise TargetError([f"too much text for targets ({len(clean)} characters; at most {MAX_SCAN_CHARS})"])
    targets, problems, spans = _scan(clean, strict=True)
    for token in _remove(clean, spans).split():
        token = token.strip(",;&|+()[]")
        if not token or token.lower() == "and":
            continue
        shown = token[:MAX_TOKEN_CHARS]
        if (field := ALIASES.get(token.lower())) is not None:
            problems.append(f"{shown}: needs a value, e.g. {_EXAMPLES.get(field, f'{field}>0.7')}")
        else:
            problems.append(f"'{shown}' is not a target; try e.g. energy>0.7 or tempo 90-110")
    _raise_if(problems, targets)
    return targets


def split_query(text: str) -> tuple[str, list[Target]]:
    """Pull targets out of a free-text song query: ``"Hey Jude energy>0.6"`` -> ``("Hey Jude", [...])``.

    A target needs a (near-)known field word followed by an operator or a number, so titles
    such as "Year of the Cat" or "99 Problems" stay in the query. Only the first
    MAX_SCAN_CHARS characters are searched for targets; the rest is kept as query text.
    """
    clean = _check_str(text)
    head, rest = clean, ""
    if len(clean) > MAX_SCAN_CHARS:
        head = clean[:MAX_SCAN_CHARS]
        if not clean[MAX_SCAN_CHARS].isspace() and (ws := re.search(r"\s\S*\Z", head)):
            head = head[: ws.start()]  # don't cut a token in half
        rest = clean[len(head) :]
    targets, problems, spans = _scan(head, strict=False)
    _raise_if(problems, targets)
    query = _remove(head, spans) + rest
    if spans:  # tidy the brackets and separators that removed targets left behind
        query = re.sub(r"(?:\s*[,;]\s*){2,}", ", ", _EMPTY_BRACKETS.sub(" ", query))
        query = _END_PUNCT.sub("", query.strip()).strip(",;: ")
    query = " ".join(query.split())
    log.debug("split %r -> query %r, targets %s", text[:80], query[:80], [t.text for t in targets])
    return query, targets


def target_mask(songs: pd.DataFrame, targets: Sequence[Target]) -> np.ndarray:
    """Boolean mask of songs meeting every target; a missing (NA) value never meets one."""
    return column_mask(lambda field: frame_column(songs, field), len(songs), targets)


def frame_column(songs: pd.DataFrame, field: str) -> np.ndarray | None:
    """Column ``field`` of a song table as float64 with NaN for NA; None when there is none."""
    import pandas as pd  # building only: serving never imports pandas

    if field not in songs.columns:
        return None
    values = pd.to_numeric(songs[field], errors="coerce")
    return np.asarray(values.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def column_mask(
    column: Callable[[str], np.ndarray | None], n_songs: int, targets: Sequence[Target]
) -> np.ndarray:
    """:func:`target_mask` over columns got by name (None: the catalog has no such column).

    The engine serves from arrays, not the DataFrame (see engine.storage.serving), so it hands
    its own columns in here.
    """
    mask = np.ones(n_songs, dtype=bool)
    for target in targets:
        values = column(target.field)
        if values is None:
            label = SPECS[target.field].label if target.field in SPECS else target.field
            raise TargetError([f"{target.text}: this song table has no {label} data"])
        if target.low is not None:
            mask &= values >= target.low  # NaN compares False, so NA drops out
        if target.high is not None:
            mask &= values <= target.high
    return mask


def describe_targets(targets: Sequence[Target]) -> str:
    """One line for a bot reply, e.g. "energy > 0.7, tempo 90–110 BPM"; "" when there are none."""
    return ", ".join(t.describe() for t in targets)
