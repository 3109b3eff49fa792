"""Read the values of a song table as they are written in the public files.

Each reader takes a column of text cells and returns the canonical values plus counts of
the forms it met, so the cleaning report can say how a file was read ("key as note
names: 6,513", "release date as YYYY: 1,855"). Nothing here drops a row: a value that
cannot be read becomes unknown and is counted.
"""

from __future__ import annotations

import ast
import re
from collections import Counter

import numpy as np
import pandas as pd

from ..text import clean_display

#: Spotify ids are 22 base-62 characters; tables write them bare, as ``spotify:track:<id>``
#: URIs (the Hit Predictor files) or as ``open.spotify.com/track/<id>`` links.
_SPOTIFY_REF = re.compile(
    r"^(?:spotify:track:|https?://open\.spotify\.com/(?:intl-\w+/)?track/)([0-9A-Za-z]{22})"
)

QUIRK_URI = "id from a spotify:track: URI or open.spotify.com link"
QUIRK_KEY_NAMES = "key as a note name (C#/Db -> 1)"
QUIRK_KEY_NONE = "key -1 or unreadable (no key detected) read as unknown"
QUIRK_MODE_WORDS = "mode as Major/Minor (-> 1/0)"
QUIRK_TIME_TEXT = "time signature as text ('4 beats' -> 4)"
QUIRK_TIME_INVALID = "time signature 0 or 1 (not a metre; Spotify's range is 3-7) read as unknown"
QUIRK_DECADE = "decade as the only date ('60s' -> the 1960s; no year)"
QUIRK_PERCENT = "audio features as percentages (danceability_% 80 -> 0.80)"
QUIRK_SECONDS = "duration in seconds (-> ms)"
QUIRK_POPULARITY_RANGE = "popularity outside 0-100 read as unknown"
DATE_FORM = "release date as {}"

#: Pitch classes of note names, sharps and flats alike (``C#/Db`` takes its first spelling).
_PITCH = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_NOTE = re.compile(r"^\s*([A-Ga-g])\s*([#♯b♭]?)")


def parse_ids(values: list[str], quirks: Counter[str]) -> list[str]:
    """Song ids as Spotify's bare 22-character ids where the cell is a URI or link."""
    out = []
    for v in values:
        text = clean_display(v)
        m = _SPOTIFY_REF.match(text)
        if m:
            quirks[QUIRK_URI] += 1
            text = m.group(1)
        out.append(text)
    return out


def parse_release(col: pd.Series, quirks: Counter[str]) -> tuple[pd.Series, np.ndarray]:
    """Release year from ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or ``DD-MM-YYYY``.

    Returns the years (Int64, NA when unknown or outside 1800-2100) and, per row, whether
    a value was given but is not a year (``#VALUE!``). Each form is counted in ``quirks``.
    """
    text = col.astype("string").fillna("").str.strip()
    forms = pd.Series("other", index=col.index, dtype=object)
    for pattern, name in (
        (r"^\d{4}-\d{1,2}-\d{1,2}", "YYYY-MM-DD"),
        (r"^\d{4}-\d{1,2}$", "YYYY-MM"),
        (r"^\d{4}$", "YYYY"),
        (r"^\d{1,2}-\d{1,2}-\d{4}$", "DD-MM-YYYY"),
        (r"^\d{4}(?:\.0+)?$", "YYYY"),
    ):
        hit = text.str.match(pattern) & (forms == "other")
        forms[hit.to_numpy()] = name
    given = (text != "").to_numpy()
    for name, n in forms[given].value_counts().items():
        if name != "other":
            quirks[DATE_FORM.format(name)] += int(n)
    years = pd.to_numeric(text.str.extract(r"(\d{4})", expand=False), errors="coerce")
    bad = given & years.isna().to_numpy()
    years = years.where((years >= 1800) & (years <= 2100))
    return years.astype("Int64"), bad


def parse_decade(col: pd.Series, quirks: Counter[str]) -> pd.Series:
    """Decade start year from ``60s``, ``1960s`` or ``1960`` (two digits: 00-29 are the 2000s)."""
    text = col.astype("string").fillna("").str.strip().str.lower()
    digits = pd.to_numeric(text.str.extract(r"^(\d{2}|\d{4})'?s?$", expand=False), errors="coerce")
    two = digits < 100
    decade = digits.where(~two, np.where(digits < 30, 2000 + digits, 1900 + digits))
    decade = (decade // 10 * 10).where((decade >= 1800) & (decade <= 2100))
    quirks[QUIRK_DECADE] += int(decade.notna().sum())
    return decade.astype("Int64")


def parse_key(col: pd.Series, quirks: Counter[str]) -> pd.Series:
    """Pitch class 0-11 from an integer or a note name (``C#/Db``, ``Eb``); -1 and junk are unknown."""
    out: list[float] = []
    named = unknown = 0
    for v in col.astype("string").fillna("").tolist():
        text = v.strip()
        number = _number(text)
        if number is not None:
            ok = number == int(number) and 0 <= number <= 11
            out.append(float(number) if ok else np.nan)
            unknown += not ok
            continue
        m = _NOTE.match(text)
        if m:
            shift = {"#": 1, "♯": 1, "b": -1, "♭": -1}.get(m.group(2), 0)
            out.append(float((_PITCH[m.group(1).lower()] + shift) % 12))
            named += 1
        else:
            out.append(np.nan)
            unknown += bool(text)
    quirks[QUIRK_KEY_NAMES] += named
    quirks[QUIRK_KEY_NONE] += unknown
    return pd.Series(out, index=col.index, dtype=float).astype("Int64")


def parse_mode(col: pd.Series, quirks: Counter[str]) -> pd.Series:
    """1 for major, 0 for minor, from ``1``/``0`` or ``Major``/``Minor``."""
    text = col.astype("string").fillna("").str.strip().str.lower()
    words = text.map({"major": 1.0, "maj": 1.0, "minor": 0.0, "min": 0.0})
    numbers = pd.to_numeric(text, errors="coerce").where(lambda x: x.isin([0, 1]))
    quirks[QUIRK_MODE_WORDS] += int(words.notna().sum())
    return words.fillna(numbers).astype(float).astype("Int64")


def parse_time_signature(col: pd.Series, quirks: Counter[str]) -> pd.Series:
    """Beats per bar from ``4``, ``4 beats`` or ``4/4``; 0 and 1 (not a metre) are unknown."""
    text = col.astype("string").fillna("").str.strip().str.lower()
    beats = pd.to_numeric(text.str.extract(r"^(\d+)", expand=False), errors="coerce")
    is_text = text.str.contains(r"[a-z/]", regex=True).to_numpy()
    quirks[QUIRK_TIME_TEXT] += int((is_text & beats.notna().to_numpy()).sum())
    invalid = beats.notna() & ~beats.between(3, 7)
    quirks[QUIRK_TIME_INVALID] += int(invalid.sum())
    return beats.where(~invalid).astype("Int64")


def parse_bool(col: pd.Series) -> pd.Series:
    return col.astype(str).str.strip().str.lower().isin({"1", "true", "yes", "t", "1.0"})


def parse_flag(col: pd.Series) -> pd.Series:
    """1.0 / 0.0 / NaN from a 0-1 or true/false column (the Hit Predictor's ``target``)."""
    text = col.astype("string").fillna("").str.strip().str.lower()
    mapped = text.map(
        {"1": 1.0, "0": 0.0, "true": 1.0, "false": 0.0, "1.0": 1.0, "0.0": 0.0, "yes": 1.0, "no": 0.0}
    )
    return mapped.astype(float)


def numbers(col: pd.Series) -> pd.Series:
    """Numbers as float64 (exponent notation and thousands written plainly), NaN otherwise."""
    return pd.to_numeric(col, errors="coerce").astype(float)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def literal_list(value: str) -> list[str] | None:
    """Parse a Python-list string such as "['a', 'b']" safely (literal_eval, no code)."""
    text = value.strip()
    if not (text.startswith("[") and text.endswith("]")) or len(text) > 5_000:
        return None
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if not isinstance(parsed, (list, tuple)):
        return None
    return [clean_display(x) for x in parsed if clean_display(x)]


#: Spellings of one genre word that different files use: "hip-hop" (the appended hits rows),
#: "hip hop" (the original ones and the study), "hiphop".
_GENRE_SPELLINGS = (
    (re.compile(r"\bhip[\s-]?hop\b"), "hip hop"),
    (re.compile(r"\br\s?(?:&|n|'n'|and)\s?b\b"), "r&b"),
    (re.compile(r"\blo[\s-]fi\b"), "lofi"),
)


def normalise_genre(word: str) -> str:
    """Lower-case genre word with one spelling per genre (``hip-hop`` -> ``hip hop``)."""
    out = " ".join(clean_display(word).lower().split())
    for pattern, canonical in _GENRE_SPELLINGS:
        out = pattern.sub(canonical, out)
    return out


def parse_genres(value: str) -> tuple[str, ...]:
    """Genre words of a cell: a list-string, a comma or ';' list, or the literal ``set()``."""
    items = literal_list(value)
    if items is None:
        text = value.strip()
        # The hits files: "hip hop, pop, R&B", "rock,punk", or the literal "set()" for none.
        items = [] if text in {"", "set()", "[]"} else re.split(r"[;,]", text)
    return tuple(dict.fromkeys(g for g in (normalise_genre(x) for x in items) if g))
