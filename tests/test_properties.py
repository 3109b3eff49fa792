"""Hypothesis properties of the three places hostile text goes first.

* the resolver (engine.resolver.SongResolver and Engine.search): any text → a Resolution,
  never an exception; every candidate is a real song; autocomplete fits Discord;
* the target parser (engine.filters): any text → targets or TargetError, nothing else;
  parsed bounds are ordered and inside each field's domain;
* the reply renderer (bot.replies): escape / Card.fitted / Reply.fitted / render_text
  never raise, and fitted output is always within Discord's limits.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.replies import Card, Choice, Field, Reply, error_reply, escape, render_text, truncate
from engine import filters as tg
from tests.hostile_inputs import HOSTILE_INPUTS, reply_limit_problems

# Text that looks like what people (and attackers) type: letters, digits, operators,
# punctuation, emoji, invisible and bidi characters, combining marks, controls.
_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyz0123456789 <>=:~-–.,;%@#*_`|\\()[]{}'\"!")
    + ["\u200b", "\u202e", "\u2066", "\ufeff", "\x00", "\x1b", "\u0301", "🎵", "\n", "\t"]
)
chat_text = st.text(_ALPHABET, max_size=300)
words = st.sampled_from(
    [
        "energy",
        "tempo",
        "year",
        "bpm",
        "loud",
        "duration",
        "dance",
        "valence",
        "popularity",
        "decade",
        "enrgy",
        "mood",
        "la",
        "java",
        "hey",
        "jude",
    ]
)
ops = st.sampled_from(["", " ", ">", ">=", "<", "<=", "=", "==", ":", "~", ">>", "=<", "≥", "≤"])
nums = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(
        [
            "0.5",
            "-1",
            "1e9",
            "90-110",
            "200-100",
            "3:30",
            "1990s",
            "50%",
            "120bpm",
            "-8db",
            "nan",
            "inf",
            ".5",
            "5.",
            "1,5",
            "0x10",
            "",
            "9" * 60,
        ]
    ),
)
target_like = st.lists(st.tuples(words, ops, nums).map("".join), max_size=8).map(" ".join)
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# ------------------------------------------------------------------------ targets
def _check_targets(found: list[tg.Target]) -> None:
    for t in found:
        assert t.field in tg.SPECS
        spec = tg.SPECS[t.field]
        lo_bound, hi_bound = spec.lo * spec.scale, spec.hi * spec.scale
        if t.low is not None:
            assert t.low == t.low and lo_bound - 1e-6 <= t.low <= hi_bound + 1e-6, t
        if t.high is not None:
            assert t.high == t.high and lo_bound - 1e-6 <= t.high <= hi_bound + 1e-6, t
        if t.low is not None and t.high is not None:
            assert t.low <= t.high, t
        assert isinstance(t.describe(), str) and t.describe()


@PROPERTY_SETTINGS
@given(st.one_of(chat_text, target_like))
@example("energy>>2")
@example("tempo 200-100")
@example("energy>0.1 " * 40)
@example("x" * 10_000)
def test_parse_targets_only_raises_target_error(text: str) -> None:
    try:
        found = tg.parse_targets(text)
    except tg.TargetError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        assert len(exc.problems) <= tg.MAX_PROBLEMS + 1
        assert len(str(exc)) < 5000
        return
    assert len(found) <= tg.MAX_TARGETS
    _check_targets(found)


@PROPERTY_SETTINGS
@given(
    st.one_of(
        chat_text,
        target_like,
        st.tuples(chat_text, target_like).map(" ".join),
        st.tuples(target_like, chat_text).map(" ".join),
    )
)
@example("la java energy>>2")
@example("la java tempo 200-100")
@example("Year of the Cat")
def test_split_query_only_raises_target_error(text: str) -> None:
    try:
        query, found = tg.split_query(text)
    except tg.TargetError as exc:
        assert exc.problems
        return
    assert isinstance(query, str)
    assert "\x00" not in query and "\u202e" not in query
    assert len(query) <= len(text) + 1
    _check_targets(found)


@PROPERTY_SETTINGS
@given(st.sampled_from([h.text for h in HOSTILE_INPUTS]))
def test_targets_on_the_hostile_corpus(text: str) -> None:
    for fn in (tg.parse_targets, tg.split_query):
        try:
            fn(text)
        except tg.TargetError:
            pass


def test_non_text_is_a_target_error() -> None:
    for bad in (None, 3, b"energy>0.5", ["energy>0.5"]):
        with pytest.raises(tg.TargetError):
            tg.parse_targets(bad)  # type: ignore[arg-type]
        with pytest.raises(tg.TargetError):
            tg.split_query(bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------ replies
any_text = st.one_of(chat_text, st.text(max_size=3000), st.sampled_from([h.text for h in HOSTILE_INPUTS]))
fields = st.lists(st.builds(Field, any_text, any_text, st.booleans()), max_size=40)
cards = st.builds(
    Card,
    title=any_text,
    description=st.one_of(any_text, st.text(min_size=4000, max_size=9000)),
    fields=fields.map(tuple),
    footer=any_text,
    image_png=st.none() | st.binary(max_size=20),
)
# Choice values are song ids: never empty (a caller's bug, not hostile input).
choices = st.lists(st.builds(Choice, any_text, st.text(min_size=1, max_size=300), any_text), max_size=40).map(
    tuple
)
replies = st.builds(
    Reply,
    text=st.one_of(any_text, st.text(min_size=1990, max_size=12_000)),
    card=st.none() | cards,
    error=st.booleans(),
    choices=choices,
    confirm=st.sampled_from(["", "forget"]),
)


@PROPERTY_SETTINGS
@given(any_text, st.none() | st.integers(-5, 5000))
def test_escape_is_inert(text: str, limit: int | None) -> None:
    out = escape(text, limit)
    assert "@everyone" not in out and "@here" not in out
    assert not re.search(r"<@[!&]?\d+>", out)
    assert "\n" not in out and "\x00" not in out and "\u202e" not in out
    assert "```" not in out
    if limit is not None and limit > 0:
        # Escaping may add backslashes and zero-width spaces, at most doubling the text.
        assert len(out) <= 2 * limit + 1
    assert escape(out) is not None  # idempotent enough to run twice without raising


@PROPERTY_SETTINGS
@given(any_text, st.integers(-3, 3000))
def test_truncate_bounds(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= max(limit, 0)
    if len(text) <= limit:
        assert out == text


@PROPERTY_SETTINGS
@given(cards)
def test_card_fitted_is_within_limits(card: Card) -> None:
    fitted = card.fitted()
    assert not reply_limit_problems(Reply(card=fitted)), reply_limit_problems(Reply(card=fitted))
    assert fitted.size() <= 6000
    assert fitted.fitted() == fitted  # stable


@PROPERTY_SETTINGS
@given(replies)
def test_reply_fitted_and_rendered(reply: Reply) -> None:
    fitted = reply.fitted()
    assert not reply_limit_problems(fitted), reply_limit_problems(fitted)
    assert isinstance(render_text(fitted), str)
    assert isinstance(render_text(reply), str)


@PROPERTY_SETTINGS
@given(any_text, any_text)
def test_error_reply_is_within_limits(message: str, hint: str) -> None:
    reply = error_reply(message, hint)
    assert reply.error and len(reply.text) <= 2000
    assert not reply_limit_problems(reply.fitted())


# ------------------------------------------------------------------------ resolver
@pytest.fixture(scope="module")
def resolver(model):
    from engine.resolver import SongResolver

    return SongResolver(model.songs_)


def _song_names(model) -> list[str]:
    return list(model.songs_["name"].head(400))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_resolver_never_raises(resolver, model, data) -> None:
    from engine.resolver import MAX_CANDIDATES

    names = _song_names(model)
    mutated = st.sampled_from(names).flatmap(
        lambda n: st.tuples(st.just(n), chat_text, st.integers(0, max(len(n), 1))).map(
            lambda t: t[0][: t[2]] + t[1][:5] + t[0][t[2] :]
        )
    )
    text = data.draw(st.one_of(chat_text, mutated, st.sampled_from([h.text for h in HOSTILE_INPUTS])))
    res = resolver.resolve(text)
    assert res.status in {"exact", "fuzzy", "ambiguous", "no_match", "empty"}
    assert len(res.candidates) <= MAX_CANDIDATES
    n = len(model.songs_)
    for c in (*res.candidates, *res.suggestions):
        assert 0 <= c.index < n
        assert model.songs_["id"].iloc[c.index] == c.id
        assert 0.0 <= c.score <= 100.0
    if res.found:
        assert res.best is res.candidates[0]
    for s in resolver.complete(text):
        assert 1 <= len(s.label) <= 100 and 1 <= len(s.value) <= 100
        assert resolver.by_id(s.value) is not None


@PROPERTY_SETTINGS
@given(st.sampled_from(range(400)))
def test_resolver_finds_every_exact_title(resolver, model, row: int) -> None:
    name = model.songs_["name"].iloc[row]
    res = resolver.resolve(name)
    assert res.status in {"exact", "ambiguous"}, (name, res.status)
    assert any(model.songs_["name"].iloc[c.index] == name or c.score >= 99 for c in res.candidates)


@PROPERTY_SETTINGS
@given(st.one_of(chat_text, target_like, st.sampled_from([h.text for h in HOSTILE_INPUTS])))
def test_engine_search_never_raises_unexpectedly(engine, text: str) -> None:
    from engine.errors import EngineError

    try:
        res = engine.search(text, limit=10)
    except EngineError as exc:
        assert isinstance(exc.message, str) and exc.message
        return
    assert res.status in {"exact", "fuzzy", "ambiguous", "no_match", "empty"}
    assert len(res.candidates) <= 25
