"""Taste profiles, for-you picks, co-likes and feedback shaping on the real bundled catalog."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import NoResultsError
from engine.listeners.taste import TasteModel, collaborative


@pytest.fixture(scope="module")
def taste(engine) -> TasteModel:
    return engine._taste_model()


def genre_songs(engine, genre: str, limit: int = 40) -> list[int]:
    return [i for i, g in enumerate(engine.table.genres) if genre in g][:limit]


def test_profile_weighs_likes_over_asked_and_recent_over_old(engine, taste):
    chanson = genre_songs(engine, "vintage chanson", 30)
    p = taste.profile(chanson[:20], disliked=chanson[20:22], asked=chanson[22:25] + chanson[:2])
    weights = dict(zip(p.anchors.tolist(), p.weights.tolist()))
    assert weights[chanson[0]] > weights[chanson[19]]  # newest like weighs most
    assert weights[chanson[22]] < weights[chanson[19]]  # asked about: weak
    assert not set(chanson[20:22]) & set(p.anchors.tolist())  # a 👎 is never an anchor
    assert p.n_likes == 20 and p.n_asked == 3 and p.n_dislikes == 2
    assert p.mood_share.sum() == pytest.approx(1.0)


def test_a_rating_forty_ratings_older_weighs_half_as_much(engine, taste):
    """The recency rule: a member's taste follows what they liked lately."""
    by_mood = {c: np.flatnonzero(engine.model.labels_ == c).tolist() for c in range(len(engine.moods))}
    a, b = sorted(by_mood, key=lambda c: -len(by_mood[c]))[:2]
    liked = by_mood[b][:20] + by_mood[a][:21]  # newest first: mood b lately, mood a before that
    p = taste.profile(liked)
    weights = dict(zip(p.anchors.tolist(), p.weights.tolist()))
    assert weights[liked[40]] == pytest.approx(weights[liked[0]] / 2)
    assert p.mood_share[b] > p.mood_share[a]  # 20 recent likes outweigh 21 older ones


def test_foryou_never_shows_shown_disliked_or_rated_songs(engine):
    chanson = [engine.table.ids[i] for i in genre_songs(engine, "vintage chanson", 30)]
    first = engine.foryou(chanson[:8], 10, disliked_ids=chanson[8:10])
    shown = [p.song.id for p in first.picks]
    again = engine.foryou(chanson[:8], 10, disliked_ids=chanson[8:10], exclude_ids=shown)
    ids = {p.song.id for p in again.picks}
    assert len(again.picks) == 10
    assert not ids & set(shown) and not ids & set(chanson[:10])
    names = {(p.song.name.lower(), p.song.artist.lower()) for p in again.picks}
    assert len(names) == 10  # no copies of one song


def test_each_pick_says_which_liked_song_it_is_closest_to(engine):
    liked = [engine.table.ids[i] for i in genre_songs(engine, "vintage chanson", 5)]
    titles = {engine.table.names[engine.table.row_of_id[i]] for i in liked}
    result = engine.foryou(liked, 8)
    assert not result.starter
    for p in result.picks:
        assert p.reason.startswith("because you liked ")
        assert p.reason.removeprefix("because you liked ") in titles


def test_picks_span_moods_in_proportion_to_likes(engine):
    by_mood = {
        c: [engine.table.ids[i] for i in np.flatnonzero(engine.model.labels_ == c)[:40]]
        for c in range(len(engine.moods))
    }
    a, b = sorted(by_mood, key=lambda c: -len(by_mood[c]))[:2]
    liked = by_mood[a][:15] + by_mood[b][:5]  # 3 : 1
    moods = [p.song.cluster for p in engine.foryou(liked, 8).picks]
    assert moods.count(a) == 6 and moods.count(b) == 2


def test_no_history_gets_a_varied_starter_list(engine):
    result = engine.foryou([], 8)
    assert result.starter
    assert len({p.song.cluster for p in result.picks}) == len(engine.moods)
    assert len({p.song.artist for p in result.picks}) == 8


def test_co_likes_of_similar_members_come_first_and_say_so(engine):
    chanson = genre_songs(engine, "vintage chanson", 40)
    mine = [engine.table.ids[i] for i in chanson[:6]]
    # three members share my likes and also like two songs of my mood that audio alone
    # ranks last for me
    taste = engine._taste_model()
    mood = np.flatnonzero(engine.model.labels_ == engine.model.labels_[chanson[0]])
    audio_score, _ = taste.kernel_scores(taste.profile(chanson[:6]), mood)
    far = [engine.table.ids[i] for i in mood[np.argsort(audio_score)[:2]]]
    server = {m: (mine[:4] + far[:2], []) for m in ("a", "b", "c")}
    audio = engine.foryou(mine, 10)
    hybrid = engine.foryou(mine, 10, server=server)
    assert not {p.song.id for p in audio.picks} & set(far[:2])
    top = {p.song.id: p.reason for p in hybrid.picks}
    assert hybrid.hybrid and set(far[:2]) <= set(top)
    assert all(top[i].startswith("liked by members with your taste") for i in far[:2])


def test_evidence_grows_with_co_likes():
    _, little = collaborative([1, 2, 3], {"a": ([1, 9], [])})
    _, lots = collaborative([1, 2, 3], {m: ([1, 2, 3, 9], []) for m in "abcd"})
    assert 0 < little < lots < 1
    assert collaborative([], {"a": ([1], [])}) == ({}, 0.0)
    # a member who dislikes what I like is no evidence
    assert collaborative([1, 2], {"a": ([5], [1, 2])}) == ({}, 0.0)


def test_a_like_lifts_and_a_dislike_pushes_songs_close_to_it(engine):
    base = [p.song.id for p in engine.recommend("la java", 25).picks]
    ranked = lambda **kw: [p.song.id for p in engine.recommend("la java", 10, **kw).picks]
    plain = ranked()
    liked = ranked(liked_ids=[base[20]])
    assert liked != plain
    # songs close to the liked one moved up: one from below the plain top 10 that sounds more
    # like the liked song than most of them enters, and the list as a whole moves toward it
    near = engine._taste_model().similarity(
        [engine.table.row_of_id[base[20]]], [engine.table.row_of_id[i] for i in base[:25]]
    )[0]
    closeness_to_liked = dict(zip(base, near.tolist()))
    risen = [i for i in liked if i not in plain]
    assert risen and max(closeness_to_liked[i] for i in risen) > float(np.median(near[:10]))
    weights = 1.0 / np.arange(1, 11)
    assert np.average([closeness_to_liked[i] for i in liked], weights=weights) > np.average(
        [closeness_to_liked[i] for i in plain], weights=weights
    )
    # 👎 the top pick (the bot also excludes it): the songs that sound most like it sink
    disliked = ranked(disliked_ids=[plain[0]], exclude_ids=[plain[0]])
    unshaped = ranked(exclude_ids=[plain[0]])

    def closeness(ids: list[str]) -> float:  # to the 👎 song, higher places counting more
        sims = engine._taste_model().similarity(
            [engine.table.row_of_id[plain[0]]], [engine.table.row_of_id[i] for i in ids]
        )[0]
        return float(np.average(sims, weights=1.0 / np.arange(1, len(ids) + 1)))

    assert disliked != unshaped
    assert closeness(disliked) < closeness(unshaped)


def test_feedback_shapes_vibe_and_foryou(engine):
    plain = [p.song.id for p in engine.vibe("chill", 8, seed=3).picks]
    pushed = [p.song.id for p in engine.vibe("chill", 8, seed=3, disliked_ids=plain[:3]).picks]
    assert pushed != plain
    chanson = [engine.table.ids[i] for i in genre_songs(engine, "vintage chanson", 10)]
    before = [p.song.id for p in engine.foryou(chanson[:5], 10).picks]
    after = [p.song.id for p in engine.foryou(chanson[:5], 10, disliked_ids=before[:1]).picks]
    assert before[0] not in after and after != before[1:]


def test_seen_everything_is_a_clear_error(engine):
    liked = [engine.table.ids[0]]
    with pytest.raises(NoResultsError, match="seen them all"):
        engine.foryou(liked, 5, exclude_ids=engine.table.ids)


def test_taste_match_and_blend(engine):
    chanson = [engine.table.ids[i] for i in genre_songs(engine, "vintage chanson", 20)]
    kpop = [engine.table.ids[i] for i in genre_songs(engine, "hoerspiel", 20)]
    same = engine.taste_match((chanson[:10], []), (chanson[10:20], []))
    other = engine.taste_match((chanson[:10], []), (kpop[:10], []))
    assert same.score > other.score and 0 <= other.score <= 1
    assert same.bridges and same.shared_moods
    blend = engine.blend([(chanson[:10], []), (kpop[:10], [])], 10)
    members = {m for _, who in blend for m in who}
    assert members == {0, 1}  # both tastes are represented
    assert not {p.song.id for p, _ in blend} & set(chanson[:10] + kpop[:10])


def test_resolve_titles_counts_what_it_finds(engine):
    found, missing = engine.resolve_titles("la java, qqqzzzxx, jungle")
    assert [s.name for s in found] == ["La Java", "Jungle"]
    assert missing == ["qqqzzzxx"]


def test_a_song_only_asked_about_is_not_called_liked(engine):
    asked = [engine.table.ids[i] for i in genre_songs(engine, "vintage chanson", 3)]
    titles = {engine.table.names[engine.table.row_of_id[i]] for i in asked}
    result = engine.foryou((), 5, asked_ids=asked)
    assert not result.starter and result.picks
    for p in result.picks:
        assert not p.reason.startswith("because you liked")
        assert p.reason.removeprefix("close to ").removesuffix(", which you asked about") in titles
