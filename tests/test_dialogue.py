"""Conversations on the engine (engine.dialogue): subjects, critiques that move lists the
way they say, references, exclusions, state that survives as JSON — on the real catalog."""

from __future__ import annotations

import numpy as np
import pytest

from engine.dialogue import STATE_TTL_S, DialogueState


def _talk(engine, lines, now=1000.0):
    state, shown, turns = None, set(), []
    for line in lines:
        turn = engine.converse(state, line, now=now, exclude_ids=shown)
        state = turn.state
        shown |= {p.song.id for p in turn.picks}
        turns.append(turn)
    return turns


def _mean(turn, feature):
    return float(np.mean([p.song.features[feature] for p in turn.picks]))


@pytest.mark.parametrize(
    ("said", "feature", "sign"),
    [
        ("sadder", "valence", -1),
        ("happier", "valence", 1),
        ("faster", "tempo", 1),
        ("slower", "tempo", -1),
        ("calmer", "energy", -1),
        ("more acoustic", "acousticness", 1),
        ("louder", "loudness", 1),
    ],
)
def test_a_critique_moves_the_next_list_its_way(default_engine, said, feature, sign):
    first, second = _talk(default_engine, ["songs like in the end", said])
    assert first.kind == second.kind == "list"
    assert sign * (_mean(second, feature) - _mean(first, feature)) > 0
    assert said.split()[-1][:4] in second.understood.lower()


def test_critiques_compound_over_turns(default_engine):
    a, b, c = _talk(default_engine, ["songs like shape of you", "faster", "even faster"])
    assert _mean(a, "tempo") < _mean(b, "tempo") < _mean(c, "tempo")
    assert "faster ×2" in c.understood or "much faster" in c.understood


def test_a_list_is_never_shown_twice(default_engine):
    turns = _talk(default_engine, ["something chill", "more", "more"])
    ids = [p.song.id for t in turns for p in t.picks]
    assert len(ids) == len(set(ids)) == 15


def test_references_make_the_shown_song_the_subject(default_engine):
    first, second = _talk(default_engine, ["something chill", "the second one but slower"])
    assert second.kind == "list" and second.subject[0].id == first.picks[1].song.id
    assert "slower" in second.understood


def test_no_more_an_artist_removes_their_songs(default_engine):
    first, second = _talk(default_engine, ["songs like in the end by linkin park", "no more linkin park"])
    assert all("Linkin Park" not in p.song.artist for p in second.picks)
    assert "no Linkin Park" in second.understood


def test_no_more_an_artist_keeps_the_list_songs_like_the_subject(default_engine):
    """Taking an artist out is not a new search: the list stays the song's own next page,
    minus that artist (it used to jump to an audio-only search and change style)."""
    first, second = _talk(
        default_engine, ["songs like runaway u & i dillon francis remix", "no more calvin harris"]
    )
    seed = first.subject[0]
    shown = {p.song.id for p in first.picks}
    banned = {
        default_engine.table.ids[i]
        for i, a in enumerate(default_engine.table.artists)
        if "Calvin Harris" in a
    }
    expected = default_engine.recommend(seed.id, len(second.picks), exclude_ids=shown | banned | {seed.id})
    assert [p.song.id for p in second.picks] == [p.song.id for p in expected.picks]
    assert all("Calvin Harris" not in p.song.artist for p in second.picks)


def test_not_this_artist_means_the_subjects(default_engine):
    _, second = _talk(default_engine, ["songs like in the end by linkin park", "not this artist"])
    assert all("Linkin Park" not in p.song.artist for p in second.picks)


def test_filters_said_in_words_apply(default_engine):
    _, second = _talk(default_engine, ["something happy", "from the 2000s"])
    assert second.picks and all(2000 <= (p.song.year or 0) <= 2009 for p in second.picks)


def test_a_critique_with_no_list_yet_says_what_to_do(default_engine):
    (turn,) = _talk(default_engine, ["sadder"])
    assert turn.kind == "say" and turn.error and "Ask for songs first" in turn.text and turn.examples


def test_a_reference_past_the_list_is_refused(default_engine):
    _, turn = _talk(default_engine, ["something chill", "more like #9"])
    assert turn.error and "no #9" in turn.text


def test_ratings_point_into_the_list(default_engine):
    first, turn = _talk(default_engine, ["something chill", "love the 2nd one"])
    assert turn.ratings == ((first.picks[1].song.id, 1),) and "👍" in turn.text


def test_a_pick_rated_beside_one_asked_like_is_rated_not_followed(default_engine):
    """Found talking to it: "not feeling #2, more like #4 but faster" made #2 a seed too."""
    first, turn = _talk(
        default_engine, ["songs like shape of you", "not feeling #2, more like #4 but faster"]
    )
    assert turn.kind == "list" and [s.id for s in turn.subject] == [first.picks[3].song.id]
    assert turn.ratings == ((first.picks[1].song.id, -1),)
    assert first.picks[1].song.id not in {p.song.id for p in turn.picks}


def test_start_over_forgets_the_subject(default_engine):
    _, reset, after = _talk(default_engine, ["something chill", "start over", "sadder"])
    assert reset.restart and not reset.state.active and after.error


def test_state_survives_as_json_and_expires(default_engine):
    first, _ = _talk(default_engine, ["songs like shape of you", "sadder"])
    saved = DialogueState.from_json(first.state.to_json())
    assert saved == first.state
    later = default_engine.converse(saved, "sadder", now=first.state.updated + 60)
    assert later.kind == "list"
    expired = default_engine.converse(saved, "sadder", now=first.state.updated + STATE_TTL_S + 1)
    assert expired.error
    assert DialogueState.from_json("{not json") == DialogueState()
    assert DialogueState.from_json('{"version": 99}') == DialogueState()


def test_unknown_text_gets_example_phrasings(default_engine):
    (turn,) = _talk(default_engine, ["asdfgh qwerty"])
    assert turn.kind == "say" and turn.error and len(turn.examples) >= 2


def test_a_shown_song_but_not_a_mood_keeps_the_song_and_drops_the_mood(default_engine):
    """ "more like the 1st but not lofi" after a lofi list answered "I don't know that mood":
    a mood negated as an exclusion was not passed on with the words."""
    first, second = _talk(default_engine, ["gimme lofi beats to study to", "more like the 1st but not lofi"])
    assert second.kind == "list" and not second.error
    assert second.subject[0].id == first.picks[0].song.id
    assert "not lofi" in second.understood


def test_praise_of_a_list_is_answered_like_thanks_and_a_greeting_like_one(default_engine):
    """ "lol these are great" after a list was greeted with "Hi! Ask me for music"."""
    _, praise = _talk(default_engine, ["songs like sicko mode", "lol these are great"])
    (hello,) = _talk(default_engine, ["hey good morning"])
    assert praise.kind == hello.kind == "say"
    assert "Glad you like them" in praise.text and "Hi!" in hello.text


def test_a_goodbye_is_answered_with_one(default_engine):
    (bye,) = _talk(default_engine, ["ok bye"])
    assert bye.kind == "say" and bye.text.startswith("Bye") and not bye.error


def test_an_artist_subject_is_answered_with_their_songs_own_neighbours(default_engine):
    """ "anything by nirvana" gave the songs nearest the mean of Nirvana's hits (Harry
    Belafonte, Barbara Mason); each hit's own list, in turns, is what people mean."""
    (turn,) = _talk(default_engine, ["anything by nirvana"])
    assert turn.kind == "list" and len(turn.picks) == 5
    seeds = [s.id for s in turn.subject]
    firsts = {default_engine.recommend(s, 5).picks[0].song.id for s in seeds}
    assert firsts & {p.song.id for p in turn.picks}  # some seed's best pick is on the list
    artists = [p.song.artist.split(", ")[0] for p in turn.picks]
    assert all(artists.count(a) <= 2 for a in artists)
    more = _talk(default_engine, ["anything by nirvana", "more"])[1]
    assert not {p.song.id for p in more.picks} & {p.song.id for p in turn.picks}


def test_a_mix_of_two_songs_takes_from_both_lists(default_engine):
    (turn,) = _talk(default_engine, ["mix of shape of you and in the end"])
    a, b = (turn.subject[0].id, turn.subject[1].id)
    own_a = {p.song.id for p in default_engine.recommend(a, 5).picks}
    own_b = {p.song.id for p in default_engine.recommend(b, 5).picks}
    got = {p.song.id for p in turn.picks}
    assert got & own_a and got & own_b


def test_n_of_those_deals_n_more_of_the_same(default_engine):
    first, more = _talk(default_engine, ["songs like in the end", "perfect, now give me 8 of those"])
    assert more.kind == "list" and len(more.picks) == 8
    assert more.subject == first.subject
    assert not {p.song.id for p in more.picks} & {p.song.id for p in first.picks}


def test_that_after_a_rating_means_the_rated_song(default_engine):
    """ "#2 is 🔥" then "more like that" followed #1 (the list's first song)."""
    first, _rated, that = _talk(default_engine, ["something chill", "#2 is 🔥", "more like that"])
    assert that.kind == "list" and that.subject[0].id == first.picks[1].song.id
    first, _rated, gone = _talk(default_engine, ["something chill", "#3 is trash", "not this artist"])
    assert first.picks[2].song.artist.split(", ")[0] in gone.understood


def test_a_title_with_its_artists_initials_is_found(default_engine):
    (turn,) = _talk(default_engine, ["sumthin like billie jean by mj"])
    assert turn.kind == "list" and turn.subject[0].artist == "Michael Jackson"


def test_surprise_me_deals_a_mood_and_another_on_the_next_ask(default_engine):
    """ "surprise me" and "random" found the songs titled "Surprise" and "Random"."""
    first, second, dated = _talk(default_engine, ["surprise me", "surprise me", "random songs from the 90s"])
    assert first.kind == second.kind == dated.kind == "list"
    assert first.understood.startswith("Surprise: ") and second.understood.startswith("Surprise: ")
    assert first.understood != second.understood  # never the mood just shown
    assert all(1990 <= p.song.year <= 1999 for p in dated.picks if p.song.year)


def test_a_link_asked_in_words_gives_where_to_listen(default_engine):
    """ "give me the spotify link for #1" answered with songs like #1."""
    first, link, two = _talk(
        default_engine, ["songs like blinding lights", "give me the spotify link for #1", "links for 2 and 3"]
    )
    assert link.kind == "say" and not link.error and first.picks[0].song.link in link.text
    assert two.kind == "say" and all(p.song.link in two.text for p in first.picks[1:3])
    (none,) = _talk(default_engine, ["give me the spotify link for #1"])
    assert none.error and "no list yet" in none.text


def test_who_sings_a_pick_says_what_it_is(default_engine):
    """ "who sings #2" answered with songs like #2 (and "sings" ignored)."""
    first, about, after = _talk(
        default_engine, ["songs like blinding lights", "who sings #2", "more like that"]
    )
    pick = first.picks[1].song
    assert about.kind == "say" and not about.error and about.about == pick
    assert pick.artist in about.text and pick.mood.label in about.text
    assert after.kind == "list" and after.subject == (pick,)  # "that" is the song asked about
    (none,) = _talk(default_engine, ["who sings #2"])
    assert none.error and "no list yet" in none.text


def test_a_filter_that_cannot_be_used_is_said_not_dropped(default_engine):
    """ "not from the 80s" gave 80s songs; "energy>5" was dropped without a word."""
    first, negated, typed = _talk(
        default_engine, ["songs like blinding lights", "not from the 80s", "songs like in the end energy>5"]
    )
    assert negated.kind == "say" and negated.error and "after 1989" in negated.text
    assert negated.state == first.state  # the list stays as it was
    assert typed.kind == "say" and typed.error and "energy>5" in typed.text


def test_a_mix_fills_the_count_asked_for(default_engine):
    (turn,) = _talk(default_engine, ["10 songs like shape of you and in the end"])
    assert turn.kind == "list" and len(turn.picks) == 10
    assert len({p.song.id for p in turn.picks}) == 10
