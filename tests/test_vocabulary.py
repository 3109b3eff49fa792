"""Mood words (issue 15): every vocabulary word picks songs that move its way, on any model.

Directions are checked on the bundled catalog with the bot's k=4 model: the mean of each
word's 20 picks must sit on the side of the catalog mean its definition says, by at least
0.1 sd (the same rule as ``benchmarks/vibe_words.py``). Models with k = 2, 4, 6, 10 are
fitted once each (module scope) to show no word ever answers "no mood called".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.errors import NoResultsError, UnknownMoodError
from engine.filters import parse_targets, target_mask
from engine.model import MoodModel
from engine.moods import name_moods
from engine.service import Engine
from engine.words.mood_words import FILLER, MoodWords
from engine.words.vocabulary import VOCABULARY

WORDS = [w.word for w in VOCABULARY]
MARGIN_SD = 0.1


def test_vocabulary_is_large_and_unambiguous() -> None:
    assert len(VOCABULARY) >= 60
    forms = [f.lower() for w in VOCABULARY for f in (w.word, *w.aliases)]
    assert len(forms) == len(set(forms)), "a form that means two words"
    assert not set(forms) & FILLER, "a vocabulary form that the parser throws away"
    kinds = {w.kind for w in VOCABULARY}
    assert kinds == {"feeling", "situation", "style"}
    for w in VOCABULARY:
        assert w.directions, f"{w.word} says nothing checkable"
        # the Russell plane first: feelings always set valence or energy
        if w.kind == "feeling":
            assert {"valence", "energy"} & set(w.directions), w.word


@pytest.fixture(scope="module")
def picks_shift(engine: Engine, songs: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per word, the picks' mean minus the catalog mean, in catalog sd, per feature."""
    X = engine.model.songs_
    feats = list(engine.model.features)
    mean, sd = X[feats].mean(), X[feats].std(ddof=0)
    out = {}
    for w in VOCABULARY:
        idx = [p.song.index for p in engine.vibe(w.word, 20, seed=0).picks]
        assert len(idx) == 20, w.word
        out[w.word] = ((X.loc[idx, feats].mean() - mean) / sd).to_dict()
    return out


@pytest.mark.parametrize("word", WORDS)
def test_every_word_moves_its_way_on_the_bundled_catalog(word, picks_shift) -> None:
    entry = next(w for w in VOCABULARY if w.word == word)
    shift = picks_shift[word]
    wrong = {f: round(shift[f], 2) for f, d in entry.directions.items() if not d * shift[f] >= MARGIN_SD}
    assert not wrong, f"{word}: picks do not move {entry.directions} (shift in sd: {wrong})"


def test_the_issue_examples_move_as_it_says(picks_shift) -> None:
    assert picks_shift["sad"]["valence"] < 0 and picks_shift["sad"]["energy"] < 0
    assert picks_shift["happy"]["valence"] > 0
    assert picks_shift["calm"]["energy"] < 0 and picks_shift["sleep"]["energy"] < 0
    assert picks_shift["workout"]["energy"] > 0 and picks_shift["workout"]["tempo"] > 0
    assert picks_shift["study"]["speechiness"] < 0 and picks_shift["focus"]["speechiness"] < 0


# -- any model: k = 2, 4, 6, 10 -------------------------------------------------------------
@pytest.fixture(scope="module", params=[2, 4, 6, 10])
def engine_k(request, songs: pd.DataFrame) -> Engine:
    return Engine(MoodModel(request.param, n_init=3).fit(songs, progress=lambda _m: None))


def test_every_word_resolves_on_any_k(engine_k: Engine) -> None:
    for word in WORDS:
        res = engine_k.vibe(word, 3, seed=1)  # never UnknownMoodError ("no mood called")
        assert len(res.picks) == 3, word
        assert res.sources and sum(c for _, c in res.sources) == 3
        assert res.mood == res.sources[0][0]
        assert engine_k.resolve_mood(word) in engine_k.moods
    for m in engine_k.moods:  # a cluster's own names still select it
        for name in (m.label, m.key, m.emoji, str(m.cluster)):
            assert engine_k.resolve_mood(name) == m, name
            assert all(p.song.cluster == m.cluster for p in engine_k.vibe(name, 3, seed=2).picks)


@pytest.mark.parametrize("k", range(2, 13))
def test_cluster_names_are_unique_for_k_2_to_12(songs: pd.DataFrame, k: int) -> None:
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    from engine.features import AUDIO_FEATURES

    X = songs[list(AUDIO_FEATURES)].to_numpy(dtype=np.float64)
    Z = StandardScaler().fit_transform(X)
    km = KMeans(n_clusters=k, n_init=2, random_state=42).fit(Z)
    profiles = np.vstack([X[km.labels_ == c].mean(axis=0) for c in range(k)])
    moods = name_moods(km.cluster_centers_, AUDIO_FEATURES, profiles, X.mean(axis=0))
    for attr in ("label", "key", "emoji"):
        values = [getattr(m, attr).casefold() for m in moods]
        assert len(set(values)) == k, f"k={k}: repeated {attr}: {values}"
    # and every name reads back as its own cluster
    parser = MoodWords(moods)
    for m in moods:
        assert parser.parse(m.label).cluster == m and parser.parse(m.key).cluster == m


def test_near_duplicate_fallback_names_are_numbered() -> None:
    feats = ("danceability", "energy", "loudness")
    z = np.array([[0.1, 0.2, 0.1], [0.1, 0.25, 0.1], [0.1, 0.22, 0.12]])
    moods = name_moods(z, feats, z, np.zeros(3))
    assert len({m.label for m in moods}) == 3 and len({m.key for m in moods}) == 3


# -- parsing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sad but danceable", ["sad", "dance"]),
        ("chill acoustic music", None),  # the bundled model's Chill/Acoustic label: that cluster
        ("energetic rap", ["energetic", "rap"]),
        ("something to study to", ["study"]),
        ("songs for a road trip", ["road trip"]),
        ("rainy day", ["rainy day"]),
        ("hip-hop", ["rap"]),
        ("not sad", ["sad"]),
        ("happpy", ["happy"]),
        ("melancholik", ["melancholic"]),
        ("workuot", ["workout"]),
        ("late nite", ["late night"]),
    ],
)
def test_parse_combinations_filler_and_typos(engine: Engine, text: str, words) -> None:
    q = engine.parse_mood(text)
    if words is None:
        assert q.cluster is not None and not q.words
    else:
        assert [w.word for w, _ in q.words] == words
    if text == "not sad":
        assert q.words[0][1] and q.aims["valence"].how == "at_least"


@pytest.mark.parametrize("word", ["playing", "eating", "looking", "heading", "coming"])
def test_an_everyday_word_is_not_taken_for_a_mistyped_mood(engine: Engine, word: str) -> None:
    """At a ratio of 80, "playing" read as "partying", "eating" as "breathing", "looking" as
    "cooking": a word one or two letters from a mood word is often a word of its own."""
    mw = engine.mood_words
    assert not mw.read_words([word])[0]


def test_combination_takes_each_feature_from_the_word_that_cares_most(engine: Engine) -> None:
    q = engine.parse_mood("sad but danceable")
    assert q.aims["valence"].z < 0 and q.aims["energy"].z < 0 and q.aims["danceability"].z > 0
    res = engine.vibe("sad but danceable", 10, seed=3)
    X = engine.model.songs_
    picked = X.loc[[p.song.index for p in res.picks]]
    assert picked["valence"].mean() < X["valence"].mean()
    assert picked["danceability"].mean() > X["danceability"].mean()
    assert "danceability" in res.picks[0].reason and "positivity" in res.picks[0].reason


def test_word_picks_say_why_and_where_they_come_from(engine: Engine) -> None:
    res = engine.vibe("sad", 5, seed=1)
    assert res.query == "sad" and not res.by_cluster and "low positivity" in res.meaning
    for p in res.picks:
        assert p.reason.startswith(("low positivity", "low energy")) and "(" in p.reason
        assert 0 < p.score <= 1
    assert {m.cluster for m, _ in res.sources} == {p.song.cluster for p in res.picks}


def test_variety_exclusions_and_seeds(engine: Engine) -> None:
    a = engine.vibe("happy", 5, seed=1)
    assert [p.song.id for p in engine.vibe("happy", 5, seed=1).picks] == [p.song.id for p in a.picks]
    assert {p.song.id for p in engine.vibe("happy", 5, seed=2).picks} != {p.song.id for p in a.picks}
    shown = {p.song.id for p in a.picks}
    again = engine.vibe("happy", 5, seed=1, exclude_ids=shown)
    assert not shown & {p.song.id for p in again.picks}


def test_filters_with_words(engine: Engine) -> None:
    res = engine.vibe("sad tempo<100", 5, seed=0, where="energy<0.4")
    assert [t.field for t in res.targets] == ["tempo", "energy"]
    mask = target_mask(engine.model.songs_, parse_targets("tempo<100 energy<0.4"))
    assert all(mask[p.song.index] for p in res.picks)
    with pytest.raises(NoResultsError) as info:
        engine.vibe("sad", where="tempo 230-250")
    assert "widen" in info.value.message


@pytest.mark.parametrize("text", ["bananas", "xyzzy", "asdfgh qwerty"])
def test_unknown_words_get_the_closest_vocabulary_words(engine: Engine, text: str) -> None:
    with pytest.raises(UnknownMoodError) as info:
        engine.vibe(text)
    assert "no mood called" in info.value.message
    assert 1 <= len(info.value.suggestions) <= 5 and set(info.value.suggestions) <= set(WORDS)


def test_close_typo_is_suggested(engine: Engine) -> None:
    with pytest.raises(UnknownMoodError) as info:
        engine.vibe("meloncaly")  # too far for auto-correction, close enough to suggest
    assert "melancholic" in info.value.suggestions


def test_autocomplete_offers_words_and_moods(engine: Engine) -> None:
    for prefix in ("", "s", "ro", "sad but d", "hip", "xq"):
        choices = engine.complete_mood(prefix)
        assert len(choices) <= 25
        assert all(len(label) <= 100 and len(value) <= 100 for label, value in choices)
    assert "road trip" in [v for _, v in engine.complete_mood("ro")]
    more = engine.complete_mood("sad but d")  # the last word is completed, the rest kept
    assert more and all(
        label.startswith("sad but d") and value.startswith("sad but ") for label, value in more
    )
    assert ("sad but dance", "sad but dance") in more
    for _, value in engine.complete_mood("s"):  # every value is something vibe understands
        engine.parse_mood(value)
