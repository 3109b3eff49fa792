"""Playlist co-occurrence (engine/cooccur.py): weights by hand, storage, and the blends in
Engine.recommend and Engine.foryou with the reasons that say so."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import cooccur
from engine.cooccur import CoOccurrence, blend_recommend, merge_collab, playlist_members
from engine.model import MoodModel
from engine.reasons import MAX_REASON_CHARS, in_playlists_with


def test_weights_by_hand():
    # playlist a: songs 0 1 2; playlist b: songs 1 2 3; song 4 in none
    co = CoOccurrence.from_songs([("a",), ("a", "b"), ("a", "b"), ("b",), ()])
    assert co.n_playlists == 2 and co.n_songs == 5
    idx, w = co.neighbours_of(1)
    assert idx.tolist() == [2, 0, 3]  # 2/sqrt(2*2) = 1, then 1/sqrt(2) twice, ties by index
    np.testing.assert_allclose(w, [1.0, 1 / math.sqrt(2), 1 / math.sqrt(2)], rtol=1e-6)
    assert co.neighbours_of(0)[0].tolist() == [1, 2]  # 0 and 3 share no playlist
    assert co.neighbours_of(4)[0].shape == (0,)
    assert co.scores([0]) == pytest.approx({1: 1.0, 2: 1.0})
    sc = co.scores([0, 3])  # 1 and 2: 1/sqrt2 from each seed; the seeds are left out
    assert set(sc) == {1, 2} and sc[1] == pytest.approx(1.0)
    assert co.ranked([1], 2) == [2, 0]
    assert co.strongest(0, [1, 3]) == 1 and co.strongest(4, [1]) == -1
    top1 = CoOccurrence.build(playlist_members([("a",), ("a", "b"), ("a", "b"), ("b",), ()]), 5, top_k=1)
    assert top1.neighbours_of(1)[0].tolist() == [2]


def test_members_keep_only_the_asked_playlists():
    members = playlist_members([("a",), ("a", "b"), ("b",)], keep={"b"})
    assert list(members) == ["b"] and members["b"].tolist() == [1, 2]


def test_arrays_round_trip():
    co = CoOccurrence.from_songs([("a",), ("a", "b"), ("a", "b"), ("b",)])
    back = CoOccurrence.from_arrays(co.arrays(), 4)
    assert back.scores([1]) == co.scores([1]) and back.n_playlists == 2
    with pytest.raises(ValueError):
        CoOccurrence.from_arrays(co.arrays(), 7)


def test_blend_and_merge():
    found = [(1, 0.9), (2, 0.8)]
    ranked = blend_recommend(found, {3: 1.0, 2: 0.5}, lambda extra: np.full(len(extra), 0.2), 1.0)
    assert [b.song for b in ranked] == [2, 3, 1]  # 1.3, 1.2, 0.9
    assert ranked[0].audio == pytest.approx(0.8) and ranked[0].share == pytest.approx(0.5 / 1.3)
    no_extra = blend_recommend(found, {3: 1.0}, lambda e: np.zeros(len(e)), 1.0, allowed=lambda i: i != 3)
    assert [b.song for b in no_extra] == [1, 2]
    merged, evidence, part = merge_collab({5: 1.0}, 0.5, {6: 1.0}, 0.25)
    assert evidence == 1.0 and part == {6: 0.25} and merged == pytest.approx({5: 0.5, 6: 0.25})
    assert merge_collab({5: 1.0}, 0.5, {}, 0.25) == ({5: 1.0}, 0.5, {})


def test_reason_wording_is_short():
    text = in_playlists_with("Shape of You", "same high energy " * 10)
    assert text.startswith("often in playlists with Shape of You · ") and len(text) <= MAX_REASON_CHARS


@pytest.fixture(scope="module")
def co_engine(model: MoodModel):
    """An engine of its own over the study sample, with made-up playlists of 40 songs."""
    from engine.service import Engine

    engine = Engine(model)
    n = engine.n_songs
    column: list[list[str]] = [[] for _ in range(n)]
    rng = np.random.default_rng(3)
    for j in range(20):
        for i in rng.choice(n, size=40, replace=False).tolist():
            column[i].append(f"p{j}")
    engine.cooc = CoOccurrence.from_songs([tuple(c) for c in column])
    return engine


def test_recommend_says_when_a_pick_comes_from_playlists(co_engine):
    seed = next(i for i in range(co_engine.n_songs) if co_engine.cooc.neighbours_of(i)[0].shape[0])
    rec = co_engine.recommend(seed, 10)
    picks = [p.song.index for p in rec.picks]
    assert seed not in picks and len(picks) == 10
    assert any(p.reason.startswith(f"often in playlists with {rec.seed.name}") for p in rec.picks)
    artists = [co_engine.recommender.artist_code_[i] for i in picks]
    assert max(artists.count(a) for a in artists) <= 2
    assert all(0.0 <= p.score <= 1.0 + 1e-6 for p in rec.picks)  # the audio similarity shown
    more = co_engine.recommend(seed, 10, page=1)
    assert not {p.song.index for p in more.picks} & set(picks)


def test_recommend_without_playlists_is_unchanged(co_engine, engine, monkeypatch: pytest.MonkeyPatch):
    seed = next(i for i in range(co_engine.n_songs) if co_engine.cooc.neighbours_of(i)[0].shape[0])
    monkeypatch.setattr(cooccur, "RECOMMEND_WEIGHT", 0.0)
    assert [p.song.index for p in co_engine.recommend(seed, 10).picks] == [
        p.song.index for p in engine.recommend(seed, 10).picks
    ]
    assert engine.cooc.empty  # the study sample has no playlists


def test_foryou_says_when_a_pick_comes_from_playlists(co_engine):
    liked = [i for i in range(co_engine.n_songs) if co_engine.cooc.neighbours_of(i)[0].shape[0]][:3]
    got = co_engine.foryou([co_engine.table.ids[i] for i in liked], 10)
    assert not got.hybrid  # playlists are not server members
    assert not {p.song.index for p in got.picks} & set(liked)
    assert any(p.reason.startswith("often in playlists with") for p in got.picks)


def test_feedback_on_the_blended_pool_keeps_the_rules(co_engine):
    seed = next(i for i in range(co_engine.n_songs) if co_engine.cooc.neighbours_of(i)[0].shape[0])
    plain = co_engine.recommend(seed, 10)
    disliked = plain.picks[0].song.id
    shaped = co_engine.recommend(seed, 10, disliked_ids=[disliked])
    picks = [p.song.index for p in shaped.picks]
    assert seed not in picks and len(picks) == len(set(picks)) == 10
    assert any(p.reason.startswith("often in playlists with") for p in shaped.picks)
