"""The conversation layer on the real bundled model: what a user of any transport sees."""

from __future__ import annotations

import pytest

from bot.conversation import MAX_COUNT, BadCount, Conversation, Requester, check_count
from bot.history import HistoryStore
from bot.ratelimit import RateLimiter
from bot.replies import render_text

ALICE = Requester(id=111, name="alice", guild_id=5, channel_id=6)
BOB = Requester(id=222, name="bob")


@pytest.fixture
async def conv(engine, tmp_path):
    store = await HistoryStore.open(tmp_path / "history.sqlite3")
    yield Conversation(engine, store)
    await store.close()


def pick_ids(reply) -> list[str]:
    return [p.song_id for p in reply.picks]


async def test_recommend_shows_seed_mood_and_numbered_picks(conv):
    reply = await conv.recommend(ALICE, "la java")
    assert not reply.error
    assert "La Java" in reply.card.title and "Chill/Acoustic" in reply.card.description
    assert len(reply.card.fields) == 5 and reply.card.fields[0].name.startswith("1. ")
    assert all("% similar" in f.value for f in reply.card.fields)
    assert reply.follow_up is not None and reply.follow_up.command == "recommend"


async def test_recommend_never_repeats_for_the_same_user_but_does_for_another(conv):
    first = pick_ids(await conv.recommend(ALICE, "la java", 5))
    second = pick_ids(await conv.recommend(ALICE, "la java", 5))
    assert not set(first) & set(second)
    assert pick_ids(await conv.recommend(BOB, "la java", 5)) == first


async def test_more_continues_the_last_request_with_new_songs(conv):
    first = await conv.handle_line(ALICE, "!recommend la java 3")
    more = await conv.handle_line(ALICE, "more")
    assert len(more.picks) == 3 and not set(pick_ids(first)) & set(pick_ids(more))
    assert "La Java" in more.card.title


async def test_dislike_excludes_the_song_forever_like_is_stored(conv):
    first = await conv.handle_line(ALICE, "!recommend la java 3")
    disliked = first.picks[0].song_id
    assert "won't recommend" in (await conv.handle_line(ALICE, "dislike 1")).text
    assert "like" in (await conv.handle_line(ALICE, "like 2")).text
    assert await conv.store.feedback(ALICE.id) == {disliked: -1, first.picks[1].song_id: 1}
    await conv.store.forget(ALICE.id)  # shown history gone, the 👎 must be re-added to matter
    await conv.store.record_feedback(ALICE.id, disliked, -1)
    again = await conv.recommend(ALICE, "la java", 10)
    assert disliked not in pick_ids(again)


async def test_rate_an_unknown_position_explains(conv):
    reply = await conv.handle_line(ALICE, "like 4")
    assert reply.error and "number in the last list" in reply.text


async def test_trailing_number_is_a_count_unless_it_belongs_to_the_title(conv, engine):
    assert conv.split_count("la java 3") == ("la java", "3")
    titled = next(n for n in engine.model.songs_["name"] if n.split()[-1].isdigit() and len(n) < 40)
    assert conv.split_count(titled) == (titled, None)


@pytest.mark.parametrize("count", [0, -2, MAX_COUNT + 1, "lots", "99999999999999999999"])
async def test_bad_counts_get_a_clear_answer(conv, count):
    reply = await conv.recommend(ALICE, "la java", count)
    assert reply.error and ("between 1 and" in reply.text or "not a number" in reply.text)
    assert await conv.store.row_counts(ALICE.id) == {
        "users": 0,
        "requests": 0,
        "shown": 0,
        "feedback": 0,
        "playlists": 0,
        "conversations": 0,
    }


def test_check_count_default_and_bounds():
    assert check_count(None) == 5 and check_count("3") == 3
    with pytest.raises(BadCount):
        check_count(MAX_COUNT + 1)


async def test_no_match_suggests_what_to_try(conv):
    reply = await conv.recommend(ALICE, "la jaav")  # close typo still resolves
    assert not reply.error
    reply = await conv.recommend(ALICE, "qqqqxxxzzz")
    assert reply.error and "No song matches" in reply.text and "spelling" in reply.text


async def test_ambiguous_title_asks_with_choices_then_number_answers(conv, engine):
    songs = engine.model.songs_
    dup = songs.groupby("name")["artist_key"].nunique()
    # a title several artists share about equally (a clearly most popular one is taken)
    title = next(t for t in dup[dup > 1].index if t.replace(" ", "").isalpha() and engine.search(t).ambiguous)
    asked = await conv.handle_line(ALICE, f"!recommend {title}")
    assert len(asked.choices) >= 2 and asked.choice_command == "recommend"
    assert "Which one?" in render_text(asked)
    answered = await conv.handle_line(ALICE, "2")
    assert answered.card is not None and not answered.error
    assert answered.follow_up.subject == asked.choices[1].value


async def test_vibe_by_synonym_gives_new_songs_each_time(conv):
    first = await conv.handle_line(ALICE, "!vibe study 4")
    second = await conv.handle_line(ALICE, "!vibe study 4")
    assert "Instrumental/Focus" in first.card.title and len(first.picks) == 4
    assert not set(pick_ids(first)) & set(pick_ids(second))


async def test_unknown_mood_lists_the_moods(conv):
    reply = await conv.vibe(ALICE, "bananas")
    assert reply.error and all(m in reply.text for m in ("chill", "party", "focus", "rap"))


async def test_cluster_explains_the_mood_with_a_chart(conv):
    reply = await conv.cluster(ALICE, "la java")
    names = [f.name for f in reply.card.fields]
    assert "Chill/Acoustic" in reply.card.title
    assert {"Cluster", "How this song compares", "Top genres", "Top artists"} <= set(names)
    assert reply.card.image_png.startswith(b"\x89PNG")


async def test_moods_lists_every_cluster_with_sizes_and_chart(conv, engine):
    reply = await conv.moods(ALICE)
    assert len(reply.card.fields) == len(engine.moods)
    assert (
        sum(int(f.name.split("— ")[1].split(" songs")[0].replace(",", "")) for f in reply.card.fields)
        == engine.n_songs
    )
    assert reply.card.image_png.startswith(b"\x89PNG")


async def test_history_then_forget_with_confirmation(conv):
    await conv.handle_line(ALICE, "!recommend la java 2")
    history = await conv.handle_line(ALICE, "!history")
    assert "recommend la java" in history.card.fields[0].name
    asked = await conv.handle_line(ALICE, "!forget")
    assert asked.confirm == "forget" and "cannot be undone" in asked.text
    cancelled = await conv.handle_line(ALICE, "no")
    assert "nothing was deleted" in cancelled.text
    assert (await conv.store.row_counts(ALICE.id))["requests"] == 1
    await conv.handle_line(ALICE, "!forget")
    done = await conv.handle_line(ALICE, "yes")
    assert "deleted" in done.text
    assert sum((await conv.store.row_counts(ALICE.id)).values()) == 0


async def test_unknown_command_suggests_the_close_one(conv):
    reply = await conv.handle_line(ALICE, "!recomend la java")
    assert reply.error and "!recommend" in reply.text


async def test_rate_limiter_bounds_answers_and_sends_one_notice():
    clock = [0.0]
    limiter = RateLimiter(rate=3, per=10, clock=lambda: clock[0])
    verdicts = [limiter.check(1) for _ in range(10)]
    assert sum(v.allowed for v in verdicts) == 3
    assert sum(v.notify for v in verdicts) == 1
    clock[0] = 10.5
    assert limiter.check(1).allowed and limiter.check(2).allowed


async def test_history_shows_titles_for_menu_choices_and_more(conv):
    first = await conv.handle_line(ALICE, "!recommend la java 2")
    await conv.handle_line(ALICE, "more")
    history = await conv.history(ALICE)
    names = [f.name for f in history.card.fields]
    assert names[0] == "!recommend La Java" and names[1] == "!recommend la java"
    assert first.follow_up.subject not in "".join(names)
