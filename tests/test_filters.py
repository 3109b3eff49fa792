"""Tests for engine.filters: target syntax, validation messages, query splitting, masks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.filters import (
    Target,
    TargetError,
    describe_targets,
    parse_targets,
    split_query,
    target_mask,
)


def one(text: str) -> Target:
    targets = parse_targets(text)
    assert len(targets) == 1, targets
    return targets[0]


def problems(text: str, func=parse_targets) -> list[str]:
    with pytest.raises(TargetError) as info:
        func(text)
    assert str(info.value) == "; ".join(info.value.problems)
    return info.value.problems


# --- syntax forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["energy>0.7", "energy > 0.7", "energy >0.7", "ENERGY> 0.7", "energy>.7"])
def test_strict_greater(text: str) -> None:
    t = one(text)
    assert (t.field, t.high) == ("energy", None)
    assert 0.7 < t.low < 0.7 + 1e-9  # nudged so 0.7 itself is excluded
    assert t.describe() == "energy > 0.7"


@pytest.mark.parametrize("text", ["energy>=0.7", "energy >= 0.7", "energy≥0.7"])
def test_greater_or_equal(text: str) -> None:
    t = one(text)
    assert (t.low, t.high) == (0.7, None)
    assert t.describe() == "energy ≥ 0.7"


def test_less_than_forms() -> None:
    assert one("valence<0.3").high < 0.3 and one("valence<0.3").low is None
    assert one("valence <= .3").high == 0.3
    assert one("valence <= .3").text == "valence<=.3"
    assert one("valence<0.3").describe() == "valence < 0.3"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("energy=0.8", 0.7, 0.9),
        ("energy=0.95", 0.85, 1.0),  # clipped to the domain
        ("tempo=120", 110.0, 130.0),
        ("popularity=50", 40.0, 60.0),
        ("loudness=-8", -11.0, -5.0),
        ("duration=200", 170_000.0, 230_000.0),
        ("year=1995", 1995.0, 1995.0),
        ("tempo 120", 110.0, 130.0),  # a bare number means "about"
    ],
)
def test_equals_tolerance(text: str, low: float, high: float) -> None:
    t = one(text)
    assert (t.low, t.high) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "tempo 90-110",
        "tempo=90-110",
        "tempo:90-110",
        "tempo 90–110",
        "tempo 90..110",
        "tempo 90 to 110",
        "tempo 90 - 110",
        "tempo 90-110bpm",
        "tempo 90-110 bpm",
    ],
)
def test_range_forms(text: str) -> None:
    t = one(text)
    assert (t.field, t.low, t.high) == ("tempo", 90.0, 110.0)
    assert t.describe() == "tempo 90–110 BPM"


@pytest.mark.parametrize(
    "text", ["year 1990-1999", "year 1990..1999", "year 1990s", "decade 1990", "decade=1995"]
)
def test_year_ranges_and_decades(text: str) -> None:
    t = one(text)
    assert (t.field, t.low, t.high) == ("year", 1990.0, 1999.0)
    assert t.describe() == "year 1990–1999"


def test_popularity_and_loudness() -> None:
    assert one("popularity>50").low > 50 and one("popularity>50").describe() == "popularity > 50"
    assert one("loud>-8dB").describe() == "loudness > -8 dB"
    assert one("loudness -10 to -5").describe() == "loudness -10 to -5 dB"


def test_extras_percent_and_decimal_comma() -> None:
    assert one("energy>70%").describe() == "energy > 0.7"
    assert one("energy>0,7").describe() == "energy > 0.7"


# --- aliases --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alias", "field"),
    [
        ("bpm", "tempo"),
        ("dance", "danceability"),
        ("danceable", "danceability"),
        ("acoustic", "acousticness"),
        ("instrumental", "instrumentalness"),
        ("speech", "speechiness"),
        ("speechy", "speechiness"),
        ("live", "liveness"),
        ("mood", "valence"),
        ("happy", "valence"),
        ("positivity", "valence"),
        ("loud", "loudness"),
        ("popular", "popularity"),
        ("Energy", "energy"),
        ("DANCEABILITY", "danceability"),
        ("Valence", "valence"),
    ],
)
def test_aliases(alias: str, field: str) -> None:
    value = "-5" if field == "loudness" else "50" if field in ("tempo", "popularity") else "0.5"
    assert one(f"{alias}>{value}").field == field


# --- duration in seconds and m:ss -----------------------------------------------------------


def test_duration_seconds() -> None:
    t = one("duration<240")
    assert t.field == "duration_ms" and t.low is None and 239_999 < t.high < 240_000
    assert t.describe() == "duration < 4:00"
    t = one("length 180-240")
    assert (t.low, t.high) == (180_000.0, 240_000.0)
    assert t.describe() == "duration 3:00–4:00"


def test_duration_mm_ss() -> None:
    assert one("length 3:00-4:00") == Target("duration_ms", 180_000.0, 240_000.0, "length 3:00-4:00")
    assert one("duration<3:30").describe() == "duration < 3:30"
    assert (one("length 3:30").low, one("length 3:30").high) == (180_000.0, 240_000.0)
    assert one("duration>=200s").low == 200_000.0


# --- validation -----------------------------------------------------------------------------


def test_unknown_field_suggests() -> None:
    (msg,) = problems("energi>0.5")
    assert "energi" in msg and "'energy'" in msg
    (msg,) = problems("bmp>120")
    assert "'bpm'" in msg


@pytest.mark.parametrize(
    "text", ["energy>>2", "energy>", "tempo 90-", "tempo 90--", "energy<>0.5", "tempo>90-110"]
)
def test_malformed(text: str) -> None:
    (msg,) = problems(text)
    assert msg.startswith(text.split()[0][:5])


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("energy>2", "energy is between 0 and 1"),
        ("tempo>300", "tempo is between 0 and 250 BPM"),
        ("popularity>150", "between 0 and 100"),
        ("loudness<-90", "between -60 and 5 dB"),
        ("year 3000", "year is between 1900 and 2100"),
        ("duration>99999", "seconds"),
        ("valence>-0.1", "between 0 and 1"),
    ],
)
def test_out_of_domain(text: str, needle: str) -> None:
    (msg,) = problems(text)
    assert needle in msg and msg.startswith(text.split(">")[0].split("<")[0].split()[0])


def test_reversed_range() -> None:
    assert problems("tempo 200-100") == ["tempo 200-100: the range is reversed; try tempo 100-200"]
    assert "try year 1990..1999" in problems("year 1999..1990")[0]


@pytest.mark.parametrize("text", ["energy>high", "energy>nan", "energy>inf", "energy=-inf", "tempo=fast"])
def test_non_numeric_and_non_finite(text: str) -> None:
    (msg,) = problems(text)
    assert "not a number" in msg and msg.startswith(text.split(">")[0].split("=")[0])


def test_all_problems_collected_once() -> None:
    found = problems("energi>0.5 energy>2 tempo 200-100 energy>high tempo 100-120")
    assert len(found) == 4
    assert ["energi" in found[0], "energy>2" in found[1], "reversed" in found[2], "high" in found[3]] == [
        True
    ] * 4


def test_parse_targets_rejects_leftovers() -> None:
    found = problems("energy>0.5 hello")
    assert found == ["'hello' is not a target; try e.g. energy>0.7 or tempo 90-110"]
    assert "needs a value" in problems("energy")[0]
    assert parse_targets("") == [] and parse_targets("  energy>0.5, tempo 90-110 and year 1990s ")


def test_other_bad_inputs() -> None:
    assert problems("energy>0.5" * 100)  # too long to be only targets
    assert "too many targets" in problems(" ".join(["energy>0.5"] * 21))[-1]
    assert problems(None)  # type: ignore[arg-type]
    assert "m:ss" in problems("tempo 1:30")[0]
    assert "whole number" in problems("year 1990.5")[0]


# --- split_query ----------------------------------------------------------------------------


def test_split_query_real_title() -> None:
    assert split_query("Hey Jude energy>0.6") == ("Hey Jude", parse_targets("energy>0.6"))
    query, targets = split_query("hey jude, Energy > 0.6, tempo 90-110")
    assert query == "hey jude" and [t.field for t in targets] == ["energy", "tempo"]
    assert split_query("energy>0.5 (tempo 90-110) Heat Waves") == (
        "Heat Waves",
        parse_targets("energy>0.5 tempo 90-110"),
    )
    assert split_query("Hey Jude energy>0.6.")[0] == "Hey Jude"


@pytest.mark.parametrize(
    "title",
    [
        "Energy",
        "Tempo Tempo",
        "99 Problems",
        "1999",
        "Heat Waves",
        "7 rings",
        "Year of the Cat",
        "Year 3000",
        "Mood 4 Eva",
        "Happy 2gether",
        "Live: Baby Blue",
        "Live: 1975",
        "Love <3",
        "Dance, Dance",
        "Artist - Title",
        "Hey Jude",
        "",
    ],
)
def test_split_query_keeps_titles(title: str) -> None:
    assert split_query(title) == (title, [])


def test_split_query_raises_on_bad_targets() -> None:
    assert "reversed" in problems("Heat Waves tempo 200-100", split_query)[0]
    assert "'energy'" in problems("Heat Waves energi>0.5", split_query)[0]
    assert problems("Heat Waves energy>2", split_query) == ["energy>2: energy is between 0 and 1"]
    assert problems("Heat Waves tempo 90-", split_query)


def test_split_query_hostile() -> None:
    q, t = split_query("Hey\x00Jude\u200f energy>0.5\u200f 🎵" + "x" * 10_000)
    assert [x.field for x in t] == ["energy"] and q.startswith("Hey Jude 🎵x") and len(q) > 10_000
    assert "too many targets (38)" in problems("tempo 90-110 " * 1000, split_query)[0]  # head only
    assert len(split_query("tempo 90-110 " * 15 + "y" * 600)[1]) == 15


# --- target_mask and describe ---------------------------------------------------------------


@pytest.fixture
def songs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "energy": [0.7, 0.8, 0.2, 0.95],
            "tempo": [90.0, 120.0, 110.0, 150.0],
            "duration_ms": [180_000, 240_000, 241_000, 200_000],
            "year": pd.array([1995, None, 2005, 1999], dtype="Int64"),
            "popularity": [50.0, np.nan, 80.0, 10.0],
        }
    )


def mask(songs: pd.DataFrame, text: str) -> list[bool]:
    result = target_mask(songs, parse_targets(text))
    assert result.dtype == bool and result.shape == (len(songs),)
    return result.tolist()


def test_target_mask(songs: pd.DataFrame) -> None:
    assert mask(songs, "energy>0.7") == [False, True, False, True]
    assert mask(songs, "energy>=0.7") == [True, True, False, True]
    assert mask(songs, "tempo 90-110") == [True, False, True, False]
    assert mask(songs, "duration<=240") == [True, True, False, True]
    assert mask(songs, "energy>=0.7 tempo<=120") == [True, True, False, False]
    assert mask(songs, "") == [True] * 4


def test_target_mask_na_never_matches(songs: pd.DataFrame) -> None:
    assert mask(songs, "year 1990-2010") == [True, False, True, True]
    assert mask(songs, "year<2100") == [True, False, True, True]
    assert mask(songs, "year 1990s") == [True, False, False, True]
    assert mask(songs, "popularity>=0") == [True, False, True, True]
    assert mask(songs, "popularity<90") == [True, False, True, True]


def test_target_mask_missing_column(songs: pd.DataFrame) -> None:
    with pytest.raises(TargetError, match="no valence data"):
        target_mask(songs, parse_targets("mood>0.5"))


def test_describe_targets() -> None:
    assert describe_targets(parse_targets("energy>0.7 tempo 90-110 duration<240")) == (
        "energy > 0.7, tempo 90–110 BPM, duration < 4:00"
    )
    assert describe_targets([]) == ""
    assert one("energy<0").describe() == "energy < 0"


# --- properties -----------------------------------------------------------------------------

FIELD_WORDS = [
    "energy",
    "tempo",
    "bpm",
    "year",
    "decade",
    "length",
    "duration",
    "loud",
    "mood",
    "popularity",
    "energi",
    "Year",
    "live",
    "happy",
]
PIECES = FIELD_WORDS + [
    ">",
    ">=",
    "<",
    "<=",
    "=",
    ":",
    "≥",
    "~",
    "-",
    "–",
    "..",
    " ",
    "to",
    ",",
    "0.5",
    "90",
    "110",
    "1990",
    "1999",
    "3:30",
    "-8",
    "s",
    "bpm",
    "%",
    "nan",
    "1e9",
    "\x00",
    "\u200f",
    "🎵",
    "Hey Jude",
    "x" * 50,
]
target_ish = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)
any_text = st.one_of(
    st.text(),
    target_ish,
    st.text(alphabet=st.sampled_from(list("energytempo<>=:.-0123456789 ")), max_size=60),
)


def check_targets(targets: list[Target]) -> None:
    for t in targets:
        assert isinstance(t, Target)
        for bound in (t.low, t.high):
            assert bound is None or math.isfinite(bound)
        if t.low is not None and t.high is not None:
            assert t.low <= t.high
        assert isinstance(t.describe(), str)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_property_parse_targets_only_raises_target_error(text: str) -> None:
    try:
        check_targets(parse_targets(text))
    except TargetError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_property_split_query_only_raises_target_error(text: str) -> None:
    try:
        query, targets = split_query(text)
    except TargetError as exc:
        assert exc.problems
    else:
        check_targets(targets)
        assert query == query.strip()
