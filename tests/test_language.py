"""Plain language read as requests (engine.language), on the real default catalog.

The development examples (tests/data/language_dev.jsonl, written by the parser's author)
must all be read exactly; the held-out corpus (benchmarks/language/requests.jsonl) is only
scored by ``python -m benchmarks language``, never tuned against here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.language_eval import Scorer, evaluate, load

DEV = Path(__file__).resolve().parent / "data" / "language_dev.jsonl"


@pytest.fixture(scope="module")
def reader(default_engine):
    return default_engine.reader


def test_every_development_example_is_read_exactly(default_engine):
    result = evaluate(default_engine, load(DEV), errors=True)
    assert result["errors"] == [], result["errors"]
    assert result["intent_accuracy"] == 1.0


def test_the_scorer_can_fail(default_engine):
    """A reading that differs in one slot is scored wrong in that slot only."""
    row = load(DEV)[0]  # something like in the end but calmer
    request = default_engine.reader.read("something like in the end but happier")
    scores = Scorer(default_engine).score(request, row)
    assert scores["intent"][0] and scores["songs"][0] and not scores["critiques"][0]


@pytest.mark.parametrize(
    ("text", "asked", "rated", "value"),
    [
        ("not feeling #2, more like #4 but faster", (4,), (2,), -1),
        ("#2 is trash, give me more like #5", (5,), (2,), -1),
        ("love #1, more like it", (1,), (), 1),  # rated and asked: one pick
        ("more like #1 and #3", (1, 3), (), None),
    ],
)
def test_a_pick_only_rated_is_told_from_one_asked_like(reader, text, asked, rated, value):
    r = reader.read(text)
    assert (r.intent, r.refs, r.rated, r.feedback) == ("recommend", asked, rated, value)


def test_a_mention_and_markdown_are_not_part_of_the_request(reader):
    r = reader.read("<@123456789012345678> **something** `chill` pls @everyone")
    assert r.intent == "vibe" and r.moods == ("chill",) and not r.ignored


def test_a_sentence_names_a_song_and_a_change_of_it(reader):
    r = reader.read("something like In the End but a bit calmer")
    assert r.intent == "recommend"
    assert [m.kind for m in r.songs] == ["song"] and "In the End" in r.songs[0].name
    assert [(c.feature, c.direction, c.intensity) for c in r.critiques] == [("energy", -1, 0.5)]


def test_references_point_into_the_last_list(reader):
    assert reader.read("the second one but slower").refs == (2,)
    assert reader.read("#3").refs == (3,)
    assert reader.read("like the last one").refs == ("last",)
    assert reader.read("more like that one").refs == ("that",)


def test_words_that_are_not_understood_are_named(reader):
    r = reader.read("chill zxqv songs")
    assert r.intent == "vibe" and "zxqv" in r.ignored


@pytest.mark.parametrize(
    "text, intent",
    [
        ("what about #3 but with more energy", "recommend"),
        ("how about some jazz", "vibe"),
        ("ok how about mr brightside", "recommend"),
        ("what about sadder ones", "refine"),
    ],
)
def test_what_about_suggests_rather_than_asks(reader, text, intent):
    """ "what about X" was read as an off-topic question: its request was dropped or, when
    answered, every word it used was named back as ignored."""
    r = reader.read(text)
    assert r.intent == intent and not r.ignored


@pytest.mark.parametrize(
    "text",
    ["", " ", "🎵" * 500, "a" * 10_000, "<@1> " * 300, "\x00\u202e drop table", "#999", "like 0", "9" * 50],
)
def test_hostile_text_is_read_without_raising(reader, text):
    r = reader.read(text)
    assert r.intent in (
        "recommend",
        "vibe",
        "refine",
        "more",
        "feedback",
        "restart",
        "help",
        "smalltalk",
        "unknown",
    )
    assert len(r.text) <= 400


def test_a_long_message_is_cut_and_says_so(reader):
    r = reader.read("something chill " + "really " * 200)
    assert r.truncated and r.intent == "vibe"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("similar songs pls", "more"),
        ("something similar", "more"),
        ("anything from the 80s thats similar?", "refine"),
    ],
)
def test_similar_asks_for_more_of_the_list_and_is_not_ignored(reader, text, intent):
    """ "anything similar?" was not understood, and "similar" / "thats" were named back as
    ignored although the request was answered as asked."""
    r = reader.read(text)
    assert r.intent == intent and not r.ignored


@pytest.mark.parametrize("text", ["sumthing like hotel california", "smth like hotel california pls"])
def test_slang_for_something_is_not_named_back_as_ignored(reader, text):
    r = reader.read(text)
    assert r.intent == "recommend" and "Hotel California" in r.songs[0].name and not r.ignored


@pytest.mark.parametrize(
    "text, artist",
    [
        ("anything by nirvana", "Nirvana"),
        ("songs by nirvana", "Nirvana"),
        ("something by the weeknd", "The Weeknd"),
    ],
)
def test_by_an_artist_after_words_that_name_no_song_asks_for_the_artist(reader, text, artist):
    """ "anything by nirvana" was read as the song "Nirvana" (by Death In June)."""
    r = reader.read(text)
    assert r.intent == "recommend" and [(m.kind, m.name) for m in r.songs] == [("artist", artist)]


def test_a_title_said_with_its_artist_stays_the_song(reader):
    (song,) = reader.read("happy by pharrell").songs
    assert song.kind == "song" and song.name.startswith("Happy")


def test_an_artist_asked_away_with_words_after_the_name(reader):
    r = reader.read("not nirvana anymore pls")
    assert r.intent == "refine" and [m.name for m in r.exclude_artists] == ["Nirvana"] and not r.ignored


def test_a_question_about_a_pick_reads_no_mood_in_it(reader):
    """ "whats the tempo of #2" gave songs like #2 "but fast": "tempo" read as a mood word."""
    r = reader.read("whats the tempo of #2")
    assert r.refs == (2,) and r.moods == () and not r.critiques


def test_chat_shorthand_for_with_and_without(reader):
    assert reader.read("gimme somethin w/ guitar").moods == ("acoustic",)
    assert not reader.read("gimme somethin w/ guitar").ignored
    assert "vocals" in reader.read("songs w/o vocals").not_moods


def test_a_song_that_matches_nothing_suggests_titles_with_their_artists(reader):
    (m,) = reader.read("songs like billie jean by xyzq").songs
    assert m.kind == "unknown" and m.suggestions[0] == "Billie Jean — Michael Jackson"
    assert len(set(m.suggestions)) == len(m.suggestions)


@pytest.mark.parametrize(
    "text, feature, direction",
    [
        ("slwer", "tempo", -1),
        ("happyer", "valence", 1),
        ("more acustic", "acousticness", 1),
        ("less danceble", "danceability", -1),
    ],
)
def test_a_mistyped_change_is_still_a_change(reader, text, feature, direction):
    """ "less danceble" was read as the mood "dance" (the opposite), "happyer" as a new
    list of happy songs: a typo of a change dropped the list being changed."""
    r = reader.read(text)
    assert r.intent == "refine" and [(c.feature, c.direction) for c in r.critiques] == [(feature, direction)]


@pytest.mark.parametrize("text", ["flower", "master of puppets"])
def test_a_title_one_letter_from_a_change_stays_a_title(reader, text):
    r = reader.read(text)
    assert not r.critiques and r.songs and r.songs[0].kind == "song"


@pytest.mark.parametrize("text", ["more like those", "more like them", "like these but faster"])
def test_those_and_them_point_at_the_list_not_at_a_title(reader, text):
    """ "more like those" asked which "Those …" song was meant; "more like them" took the
    band Them."""
    assert reader.read(text).songs == ()


@pytest.mark.parametrize(
    "text, intent", [("hiii", "smalltalk"), ("heyyy", "smalltalk"), ("chilll songs", "vibe")]
)
def test_a_held_letter_is_read_as_the_word(reader, text, intent):
    r = reader.read(text)
    assert r.intent == intent and not r.ignored


@pytest.mark.parametrize(
    "text", ["surprise me", "idk, anything", "give me something random", "random songs pls"]
)
def test_leaving_the_choice_to_the_bot_is_a_surprise(reader, text):
    r = reader.read(text)
    assert r.intent == "vibe" and r.surprise and not r.songs


@pytest.mark.parametrize(
    "text, refs",
    [
        ("give me the spotify link for #1", (1,)),
        ("where can i listen to #2", (2,)),
        ("links for 1 and 3", (1, 3)),
    ],
)
def test_asking_where_to_listen_is_a_link_request(reader, text, refs):
    r = reader.read(text)
    assert r.link and r.refs == refs and not r.ignored


@pytest.mark.parametrize(
    "text, refs",
    [
        ("who sings #2", (2,)),
        ("what genre is #1", (1,)),
        ("tell me about the last one", ("last",)),
        ("whats the tempo of #3", (3,)),
        ("tell me more about the first one", (1,)),
        ("who sings this song", ("that",)),
        ("what genre is that", ("that",)),
        ("perfect. who is #3 by", (3,)),
        ("lol these are great. who sings the 2nd one", (2,)),
    ],
)
def test_asking_what_a_pick_is_is_an_about_request(reader, text, refs):
    """It used to answer with songs like the pick, listing "sings" or "genre" as ignored."""
    r = reader.read(text)
    assert r.about and r.refs == refs and not r.ignored and not r.songs
    assert r.feedback is None  # praise of the list in a sentence of its own rates no pick


@pytest.mark.parametrize(
    "text",
    [
        "what else is like #2",
        "what about #3 but slower",
        "which songs are similar to #1",
        "#2 but sadder",
        "who sings",
    ],
)
def test_a_question_asking_for_songs_is_not_about_a_pick(reader, text):
    assert not reader.read(text).about


def test_a_song_named_spotify_is_still_a_song(reader):
    assert not reader.read("songs like spotify").link


@pytest.mark.parametrize(
    "text, songs, moods",
    [
        ("ok last one, something like in the end but chill af", ["in the end"], ("chill",)),
        ("one last thing: songs like hello", ["hello"], ()),
        ("last one please, something sad", [], ("sad",)),
    ],
)
def test_one_last_request_is_not_the_last_song(reader, text, songs, moods):
    """ "ok last one, …" took the list's last song as a second seed (and "af" was ignored)."""
    r = reader.read(text)
    assert not r.refs and [m.text for m in r.songs] == songs and r.moods == moods and not r.ignored


@pytest.mark.parametrize("text", ["the last one, but slower", "more like the last one", "last one"])
def test_the_last_one_is_still_the_last_song(reader, text):
    assert reader.read(text).refs == ("last",)


@pytest.mark.parametrize(
    "text, moods",
    [
        ("im sad rn, cheer me up", ("happy",)),
        ("feeling down, need something to cheer me up", ("happy",)),
        ("im so hyped, calm me down", ("calm",)),
        ("studying, need something to cheer me up", ("happy", "study")),
        ("i'm happy today, give me party songs", ("happy", "party")),
    ],
)
def test_a_goal_outweighs_the_feeling_it_is_meant_to_change(reader, text, moods):
    """ "im sad rn, cheer me up" asked for sad and happy songs at once."""
    r = reader.read(text)
    assert r.moods == moods and not r.ignored


def test_a_goal_after_a_title_is_not_part_of_it(reader):
    r = reader.read("songs like in the end to cheer me up")
    assert [m.text for m in r.songs] == ["in the end"] and r.moods == ("happy",)


@pytest.mark.parametrize("text", ["songs like wake me up", "wake me up"])
def test_a_song_called_like_a_goal_is_still_the_song(reader, text):
    assert [m.text for m in reader.read(text).songs] == ["wake me up"]


def test_late_at_night_is_one_mood(reader):
    r = reader.read("studying late at night")
    assert r.moods == ("study", "late night") and not r.ignored


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("songs like blinding lights but less 80s", ("after 1989", "before 1980")),
        ("not from the 80s", ("after 1989", "before 1980")),
        ("rock but nothing from the seventies", ("after 1979", "before 1970")),
        ("nah not feeling the 80s stuff", ("after 1989", "before 1980")),
        ("tired of the 90s", ("after 1999", "before 1990")),
    ],
)
def test_a_decade_said_with_a_negation_is_said_back_not_applied(reader, text, bounds):
    """ "not from the 80s" was read as "year 1980-1989": the very songs asked to leave out."""
    r = reader.read(text)
    assert not r.filters and len(r.filter_problems) == 1
    assert all(b in r.filter_problems[0] for b in bounds)
    assert reader.read("songs from the 80s").filters == ("year 1980-1989",)


@pytest.mark.parametrize(
    "text, critique",
    [
        ("add some rap to it", "more rap"),
        ("add more energy", "more energetic"),
        ("add a bit of acoustic", "a bit more acoustic"),
    ],
)
def test_adding_something_to_the_list_is_a_critique(reader, text, critique):
    """ "add some rap to it" replaced the list with rap songs and ignored "add"."""
    r = reader.read(text)
    assert [c.describe() for c in r.critiques] == [critique] and not r.moods and not r.ignored


@pytest.mark.parametrize("text", ["not her, someone else", "someone else", "same vibe, different artist"])
def test_someone_else_means_another_artist(reader, text):
    """ "not her, someone else" asked which of five songs titled "Someone Else" was meant."""
    r = reader.read(text)
    assert r.exclude_this_artist and not r.songs


@pytest.mark.parametrize("text", ["songs like someone else", "is there someone else by the weeknd"])
def test_a_title_with_someone_else_is_still_a_title(reader, text):
    r = reader.read(text)
    assert not r.exclude_this_artist and len(r.songs) == 1


@pytest.mark.parametrize(
    "text, refs, feedback",
    [
        ("skip the first two", (1, 2), -1),
        ("i like the first 3", (1, 2, 3), 1),
        ("more like the first two", (1, 2), None),
    ],
)
def test_the_first_n_are_that_many_picks(reader, text, refs, feedback):
    """ "skip the first two" rated only #1 and ignored "two"."""
    r = reader.read(text)
    assert r.refs == refs and r.feedback == feedback and not r.ignored and not r.songs


def test_top_n_is_still_a_count(reader):
    r = reader.read("top 10 chill songs")
    assert r.count == 10 and not r.refs and r.moods == ("chill",)


def test_a_long_drive_is_a_road_trip(reader):
    r = reader.read("need music for a long drive tonight")
    assert r.moods == ("road trip",) and not r.ignored


@pytest.mark.parametrize("text", ["no edm though", "without sad songs tho"])
def test_a_mood_asked_away_with_a_tail_is_still_asked_away(reader, text):
    """ "no edm though" gave a list of electronic songs: the negation was lost."""
    r = reader.read(text)
    assert r.not_moods and not r.moods


@pytest.mark.parametrize("text", ["i want something with more bass", "bassier"])
def test_more_bass_is_louder_not_the_song_bass(reader, text):
    r = reader.read(text)
    assert [c.describe() for c in r.critiques] == ["louder"] and not r.songs


def test_a_title_with_bass_is_still_a_title(reader):
    assert [m.text for m in reader.read("songs like all about that bass").songs] == ["all about that bass"]


def test_put_on_is_a_request_word(reader):
    r = reader.read("put on something for cooking dinner")
    assert r.moods and not r.ignored


def test_r_for_are_is_not_ignored(reader):
    r = reader.read("these r nice but can u make them a lil more upbeat")
    assert r.critiques and not r.ignored
