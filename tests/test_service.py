"""Tests for engine.service, the facade the bot and CLI use, on the real bundled catalog.

Besides the happy paths this pins the contract front ends rely on: every failure a user
can cause is an EngineError subclass with a message (and suggestions) worth showing.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import (
    AmbiguousSongError,
    EngineError,
    InvalidTargetsError,
    NoMatchError,
    NoResultsError,
    UnexpectedError,
    UnknownMoodError,
)
from engine.filters import parse_targets, target_mask
from engine.reasons import MAX_REASON_CHARS
from engine.results import ClusterReport, Recommendation, Song, VibeResult
from engine.service import Engine
from engine.words.vocabulary import VOCABULARY

SEED = "la java"  # La Java — Mistinguett (1922), Chill/Acoustic


def _satisfies(engine: Engine, song: Song, where: str) -> bool:
    return bool(target_mask(engine.model.songs_, parse_targets(where))[song.index])


# -- songs ---------------------------------------------------------------------------------


def test_find_song_by_title_id_and_label(engine: Engine) -> None:
    song = engine.find_song(SEED)
    assert (song.name, song.artist, song.year) == ("La Java", "Mistinguett", 1922)
    assert song.label() == "La Java — Mistinguett (1922)"
    assert engine.find_song(song.id) == song  # autocomplete values are ids
    assert engine.song_by_id(song.id) == song
    assert engine.song(song.index) == song
    assert engine.song_by_id("no such id") is None
    assert song.mood == engine.moods[song.cluster]
    assert set(song.features) == set(engine.model.features)
    assert hash(song) == hash(engine.song(song.index))  # usable in sets despite the dict


def test_no_match_suggests_titles(engine: Engine) -> None:
    with pytest.raises(NoMatchError) as info:
        engine.find_song("xq la javva zz")
    assert "xq la javva zz" in info.value.message
    assert "La Java — Mistinguett (1922)" in info.value.suggestions


def test_ambiguous_song_lists_candidates(engine: Engine) -> None:
    with pytest.raises(AmbiguousSongError) as info:
        engine.find_song("kruiisime")  # two artists, about as popular, have a song called "Kruiisime"
    assert len(info.value.candidates) >= 2
    assert len({c.artist for c in info.value.candidates}) >= 2
    assert info.value.suggestions and "—" in info.value.suggestions[0]


def test_search_and_complete_song(engine: Engine) -> None:
    assert engine.search(SEED).best is not None
    assert engine.search("").status == "empty"
    pairs = engine.complete_song("la ja", 5)
    assert 0 < len(pairs) <= 5
    assert pairs[0] == ("La Java — Mistinguett (1922)", engine.find_song(SEED).id)
    assert all(engine.song_by_id(value) is not None for _, value in pairs)
    assert len(engine.complete_song("", 25)) <= 25


# -- recommend -----------------------------------------------------------------------------


def test_recommend_basics(engine: Engine) -> None:
    rec = engine.recommend(SEED)
    assert isinstance(rec, Recommendation)
    assert rec.seed == engine.find_song(SEED) and rec.page == 0 and rec.targets == ()
    assert len(rec.picks) == 5
    seed_key = (rec.seed.name.casefold(), rec.seed.artist)
    for pick in rec.picks:
        assert pick.song.cluster == rec.seed.cluster
        assert pick.song.index != rec.seed.index
        assert (pick.song.name.casefold(), pick.song.artist) != seed_key
        assert pick.reason and len(pick.reason) <= MAX_REASON_CHARS
    scores = [p.score for p in rec.picks]
    assert scores == sorted(scores, reverse=True)
    # the same seed by index and by id
    assert engine.recommend(rec.seed.index).picks == rec.picks
    assert engine.recommend(rec.seed.id).picks == rec.picks


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, 1), (-3, 1), (3, 3), (25, 25), (100, 25), ("7", 7), ("x", 5), (None, 5), (float("nan"), 5)],
)
def test_n_is_clamped(engine: Engine, n: object, expected: int) -> None:
    assert len(engine.recommend(SEED, n).picks) == expected  # type: ignore[arg-type]


def test_per_artist_cap(engine: Engine) -> None:
    # "Die drei ???" has 140+ episodes in the rap cluster: a cap-free answer is all theirs
    seed = int(np.flatnonzero(engine.model.songs_["artist"].to_numpy() == "Die drei ???")[0])
    uncapped = [p.song.artist for p in engine.recommend(seed, 10, per_artist=0).picks]
    assert uncapped.count("Die drei ???") > 2
    for cap in (2, 1):
        artists = [p.song.artist for p in engine.recommend(seed, 25, per_artist=cap).picks]
        assert len(artists) == 25
        assert max(artists.count(a) for a in set(artists)) <= cap


def test_exclusions_and_paging(engine: Engine) -> None:
    first = engine.recommend(SEED)
    shown = {p.song.id for p in first.picks}
    again = engine.recommend(SEED, exclude_ids=shown)
    assert not shown & {p.song.id for p in again.picks}
    pages = [engine.recommend(SEED, page=p) for p in range(3)]
    ids = [p.song.id for page in pages for p in page.picks]
    assert len(ids) == 15 == len(set(ids))
    assert [p.page for p in pages] == [0, 1, 2]


def test_targets_in_query_and_where(engine: Engine) -> None:
    rec = engine.recommend(f"{SEED} tempo 100-140", where="energy<0.5")
    assert rec.seed.name == "La Java"
    assert [t.field for t in rec.targets] == ["tempo", "energy"]
    for pick in rec.picks:
        assert _satisfies(engine, pick.song, "tempo 100-140 energy<0.5")
    # targets given as Target objects work too
    assert engine.recommend(SEED, where=parse_targets("tempo 100-140")).targets[0].field == "tempo"


def test_targets_that_leave_nothing(engine: Engine) -> None:
    with pytest.raises(NoResultsError) as info:
        engine.recommend(f"{SEED} tempo 220-250")
    message = info.value.message
    assert "Chill/Acoustic" in message and "tempo 220–250 BPM" in message and "widen" in message


def test_exhausted_cluster_says_so(engine: Engine) -> None:
    with pytest.raises(NoResultsError) as info:
        engine.recommend(SEED, 25, page=10_000)
    assert "no more" in info.value.message


@pytest.mark.parametrize("where", ["enrgy>0.5", "energy>>0.5", "tempo>abc", "energy"])
def test_invalid_targets_are_named(engine: Engine, where: str) -> None:
    with pytest.raises(InvalidTargetsError) as info:
        engine.recommend(SEED, where=where)
    assert info.value.problems
    assert where.split(">")[0][:5] in " ".join(info.value.problems)
    assert info.value.suggestions


def test_targets_without_a_song(engine: Engine) -> None:
    with pytest.raises(NoMatchError) as info:
        engine.recommend("energy>0.5")
    assert "name a song" in info.value.message


# -- vibe and moods -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "key"),
    [
        ("study", "focus"),
        ("workout", "party"),
        ("relax", "chill"),
        ("hip hop", "rap"),
        ("hip-hop", "rap"),
        ("HipHop", "rap"),
        ("chil", "chill"),
        ("partyy", "party"),
        ("Focus", "focus"),
        ("Instrumental/Focus", "focus"),
        ("acoustic", "chill"),
        ("spoken", "rap"),
        ("  CHILL  ", "chill"),
        ("some chill music", "chill"),
        ("🔥", "party"),
        ("3", "focus"),
    ],
)
def test_resolve_mood_words(engine: Engine, word: str, key: str) -> None:
    assert engine.resolve_mood(word).key == key


@pytest.mark.parametrize("word", ["xyzzy", "", "   ", "\x00", "🦄", "9", "a" * 10_000])
def test_unknown_mood_lists_moods(engine: Engine, word: str) -> None:
    with pytest.raises(UnknownMoodError) as info:
        engine.resolve_mood(word)
    for mood in engine.moods:
        assert mood.label in info.value.message
    # issue 15: the suggestions are the closest vocabulary words (they were the mood keys)
    vocabulary = {w.word for w in VOCABULARY}
    assert info.value.suggestions and set(info.value.suggestions) <= vocabulary


def test_vibe(engine: Engine) -> None:
    res = engine.vibe("chill", seed=1)
    assert isinstance(res, VibeResult) and res.mood.key == "chill" and len(res.picks) == 5
    assert all(p.song.cluster == res.mood.cluster for p in res.picks)
    assert all(0 < p.score <= 1 and p.reason and len(p.reason) <= MAX_REASON_CHARS for p in res.picks)
    same = engine.vibe("chill", seed=1)
    other = engine.vibe("chill", seed=2)
    assert [p.song.id for p in same.picks] == [p.song.id for p in res.picks]
    assert {p.song.id for p in other.picks} != {p.song.id for p in res.picks}


def test_vibe_exclusions_and_targets(engine: Engine) -> None:
    first = engine.vibe("party", seed=5)
    shown = {p.song.id for p in first.picks}
    again = engine.vibe("party", seed=5, exclude_ids=shown)
    assert not shown & {p.song.id for p in again.picks}
    res = engine.vibe("chill tempo 60-90", seed=3, where="energy<0.4")
    assert res.mood.key == "chill" and [t.field for t in res.targets] == ["tempo", "energy"]
    assert all(_satisfies(engine, p.song, "tempo 60-90 energy<0.4") for p in res.picks)
    with pytest.raises(NoResultsError) as info:
        engine.vibe("chill", where="tempo 220-250")
    assert "Chill/Acoustic" in info.value.message and "widen" in info.value.message


def test_complete_mood(engine: Engine) -> None:
    everything = engine.complete_mood("")
    # issue 15: the moods first, then vocabulary words (it offered the moods only)
    assert [v for _, v in everything][: len(engine.moods)] == [m.key for m in engine.moods]
    assert len(everything) == 25 and {"happy", "sad"} <= {v for _, v in everything}
    assert [v for _, v in engine.complete_mood("stu")] == ["study"]
    assert engine.complete_mood("ch")[0] == ("🌿 Chill/Acoustic", "chill")
    assert [v for _, v in engine.complete_mood("partyy")] == ["party"]
    hip = engine.complete_mood("hip")
    assert [v for _, v in hip] == ["rap"]  # hip hop / hip-hop / hiphop shown once
    assert len(engine.complete_mood("", 2)) == 2


# -- reports ----------------------------------------------------------------------------------


def test_cluster_report(engine: Engine) -> None:
    rep = engine.cluster_report(SEED)
    assert isinstance(rep, ClusterReport)
    assert rep.song.name == "La Java" and rep.mood == rep.song.mood
    assert rep.size == int(engine.model.sizes_[rep.song.cluster])
    assert rep.share == pytest.approx(rep.size / engine.n_songs)
    assert len(rep.comparison) == len(engine.model.features)
    assert rep.top_genres and all(isinstance(g, str) and n > 0 for g, n in rep.top_genres)
    assert rep.top_artists and all(isinstance(a, str) and n > 0 for a, n in rep.top_artists)
    assert engine.cluster_report(rep.song.index).song == rep.song
    assert engine.cluster_report(rep.song.id).song == rep.song


def test_moods_overview(engine: Engine) -> None:
    rows = engine.moods_overview()
    assert [r["key"] for r in rows] == [m.key for m in engine.moods]
    assert sum(r["size"] for r in rows) == engine.n_songs


# -- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "\x00" * 50,
    "a" * 10_000,
    "🎵" * 500,
    "\u202e\u200b",
    "'; DROP TABLE songs;--",
    "energy>",
    "tempo 1-2-3",
    "%s%n",
    "\\",
    "la java " * 2000,
    "9" * 400,
    "-1",
    None,
    12.5,
    -1,
    10**30,
    10**5000,
    b"la java",
    ["la java"],
    {"x": 1},
    True,
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_inputs_raise_only_engine_errors(engine: Engine, value: object) -> None:
    calls = [
        lambda: engine.find_song(value),  # type: ignore[arg-type]
        lambda: engine.recommend(value),  # type: ignore[arg-type]
        lambda: engine.recommend(SEED, where=value),  # type: ignore[arg-type]
        lambda: engine.recommend(
            SEED,
            value,
            exclude_ids=value,
            page=value,  # type: ignore[arg-type]
            per_artist=value,
        ),  # type: ignore[arg-type]
        lambda: engine.vibe(value),  # type: ignore[arg-type]
        lambda: engine.vibe(
            "chill",
            value,
            seed=value,  # type: ignore[arg-type]
            where=value,
            exclude_ids=value,
        ),  # type: ignore[arg-type]
        lambda: engine.resolve_mood(value),  # type: ignore[arg-type]
        lambda: engine.complete_mood(value, value),  # type: ignore[arg-type]
        lambda: engine.complete_song(value, value),  # type: ignore[arg-type]
        lambda: engine.search(value, value),  # type: ignore[arg-type]
        lambda: engine.cluster_report(value),  # type: ignore[arg-type]
        lambda: engine.song(value),  # type: ignore[arg-type]
        lambda: engine.song_by_id(value),  # type: ignore[arg-type]
    ]
    for call in calls:
        try:
            call()
        except EngineError as exc:
            # a refusal of the input, not the net under a crash (which is an EngineError too)
            assert not isinstance(exc, UnexpectedError), f"the engine crashed on {value!r}"
            assert isinstance(exc.message, str) and exc.message
            assert isinstance(exc.suggestions, tuple)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=120))
def test_fuzzed_text_raises_only_engine_errors(engine: Engine, text: str) -> None:
    for call in (
        lambda: engine.recommend(text),
        lambda: engine.vibe(text, seed=0),
        lambda: engine.complete_mood(text),
        lambda: engine.complete_song(text),
        lambda: engine.cluster_report(text),
        lambda: engine.recommend(SEED, where=text),
    ):
        try:
            call()
        except EngineError as exc:
            assert not isinstance(exc, UnexpectedError), f"the engine crashed on {text!r}"


def test_songs_are_ordinary_frozen_dataclasses(engine: Engine) -> None:
    """Songs are built without their __init__ for speed; they must still behave as Songs."""
    import dataclasses

    song = engine.song(17)
    twin = Song(**{f.name: getattr(song, f.name) for f in dataclasses.fields(Song)})
    assert song == twin and hash(song) == hash(twin) and repr(song) == repr(twin)
    assert song.mood.cluster == song.cluster and isinstance(song.cluster, int)
    assert song.year is None or isinstance(song.year, int)
    with pytest.raises(dataclasses.FrozenInstanceError):
        song.name = "changed"  # type: ignore[misc]
    assert set(song.features) == set(engine.recommender.features)


def test_a_crash_inside_the_engine_is_logged_and_told_apart_from_a_refusal(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(engine.recommender, "recommend", crash)
    with caplog.at_level("ERROR"), pytest.raises(UnexpectedError) as info:
        engine.recommend(SEED)
    assert info.value.message == "something went wrong on our side handling that request"
    assert "KeyError" in caplog.text  # the traceback is in the log, never in the answer
