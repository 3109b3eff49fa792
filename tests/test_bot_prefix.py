"""Every command end to end through the prefix path, with dpytest as the Discord backend.

dpytest records what the bot posts (content, embeds, attachments) but not components
or allowed_mentions, so a spy on ``Messageable.send`` captures those keyword arguments.
"""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands
from discord_fakes import close_bot, http_error, make_bot

from bot.conversation import Requester
from bot.ratelimit import RateLimiter
from bot.views import ChooseSongView, ConfirmView, PicksView

#: A title several artists share in data/single_genre_artists_sample.csv.
AMBIGUOUS_TITLE = "kruiisime"  # two artists about as popular (25 and 24)


def assert_no_pings(call: dict[str, Any]) -> None:
    mentions = call.get("allowed_mentions")
    assert isinstance(mentions, discord.AllowedMentions), call
    assert mentions.everyone is False and mentions.users is False and mentions.roles is False
    assert mentions.replied_user is False


async def ask(line: str) -> discord.Message:
    await dpytest.message(line)
    return dpytest.get_message()


def song_names(message: discord.Message) -> list[str]:
    return [f.name.split(". ", 1)[1] for f in message.embeds[0].fields]


async def test_recommend_posts_five_picks_with_feedback_view(bot, sends):
    message = await ask("!recommend la java")
    embed = message.embeds[0]
    assert "La Java" in embed.title
    assert len(embed.fields) == 5
    assert [f.name.split(".")[0] for f in embed.fields] == ["1", "2", "3", "4", "5"]
    assert not message.mentions and not message.role_mentions and not message.mention_everyone
    assert len(sends) == 1
    assert_no_pings(sends[0])
    view = sends[0]["view"]
    assert isinstance(view, PicksView)
    labels = [o.label for o in view.rate_select.options]
    assert len(labels) == 10 and labels[0].startswith("👍 1. ") and labels[1].startswith("👎 1. ")
    assert view.message is not None  # so it can disable itself on timeout
    await dpytest.empty_queue()


async def test_recommend_with_count(bot, sends):
    message = await ask("!recommend la java 3")
    assert len(message.embeds[0].fields) == 3
    assert_no_pings(sends[0])


async def test_aliases_and_case(bot):
    message = await ask("!REC la java 2")
    assert len(message.embeds[0].fields) == 2


async def test_mention_prefix(bot):
    message = await ask(f"<@{bot.user.id}> help")
    assert "Clusterfy" in message.embeds[0].title


async def test_ambiguous_title_offers_a_select_menu(bot, sends):
    message = await ask(f"!recommend {AMBIGUOUS_TITLE}")
    assert "Several songs match" in message.content
    view = sends[0]["view"]
    assert isinstance(view, ChooseSongView)
    options = view.choose_select.options
    assert 2 <= len(options) <= 25
    assert all(AMBIGUOUS_TITLE in o.label.lower() for o in options)
    assert all(len(o.label) <= 100 and len(o.value) <= 100 for o in options)
    assert_no_pings(sends[0])


async def test_no_match_is_a_short_error(bot, sends):
    message = await ask("!recommend qwxzvbnm")
    assert message.content.startswith("⚠️")
    assert "No song matches" in message.content
    assert not message.embeds
    assert sends[0].get("view") is None


async def test_bad_count_is_a_short_error(bot):
    message = await ask("!recommend la java 11")
    assert message.content.startswith("⚠️") and "between 1 and 10" in message.content


async def test_cluster_posts_embed_with_chart(bot, sends):
    message = await ask("!cluster la java")
    # dpytest drops the embed of a multipart (file) message; the spy has it.
    embed = sends[0]["embed"]
    assert "La Java" in embed.title
    assert [a.filename for a in message.attachments] == ["profile.png"]
    assert embed.image.url == "attachment://profile.png"
    assert_no_pings(sends[0])


async def test_vibe(bot, sends):
    message = await ask("!vibe chill")
    assert "Chill" in message.embeds[0].title
    assert len(message.embeds[0].fields) == 5
    assert isinstance(sends[0]["view"], PicksView)


async def test_vibe_with_count(bot):
    message = await ask("!vibe party 2")
    assert len(message.embeds[0].fields) == 2


async def test_unknown_vibe_lists_moods(bot, engine):
    message = await ask("!vibe nonsense")
    assert message.content.startswith("⚠️")
    assert all(mood.key in message.content for mood in engine.moods)


async def test_moods(bot, engine, sends):
    message = await ask("!moods")
    assert len(sends[0]["embed"].fields) == len(engine.moods)
    # issue 15: the valence x energy map of moods and words comes along (it was moods.png alone)
    assert [a.filename for a in message.attachments] == ["moods.png", "mood_map.png"]


async def test_history_after_a_request(bot):
    nothing = await ask("!history")
    assert "Nothing stored" in nothing.content
    await ask("!recommend la java 2")
    message = await ask("!history")
    assert any("recommend la java" in f.name for f in message.embeds[0].fields)


async def test_forget_asks_for_confirmation(bot, sends):
    await ask("!recommend la java 2")
    sends.clear()
    message = await ask("!forget")
    assert "cannot be undone" in message.content
    assert isinstance(sends[0]["view"], ConfirmView)
    assert (await bot.store.row_counts(dpytest.get_config().members[0].id))["requests"] == 1


async def test_help(bot):
    message = await ask("!help")
    embed = message.embeds[0]
    assert "Clusterfy" in embed.title
    assert any("recommend" in f.name for f in embed.fields)


async def test_more_gives_new_songs(bot):
    first = await ask("!recommend la java 3")
    more = await ask("!more")
    assert len(more.embeds[0].fields) == 3
    assert not set(song_names(first)) & set(song_names(more))


async def test_more_without_a_previous_request(bot):
    message = await ask("!more")
    assert message.content.startswith("⚠️") and "nothing to continue" in message.content


async def test_like_and_dislike_store_feedback(bot):
    user_id = dpytest.get_config().members[0].id
    await ask("!recommend la java 3")
    liked = await ask("!like 1")
    assert liked.content.startswith("👍")
    disliked = await ask("!dislike 2")
    assert disliked.content.startswith("👎")
    feedback = await bot.store.feedback(user_id)
    assert sorted(feedback.values()) == [-1, 1]
    disliked_id = next(song for song, value in feedback.items() if value < 0)
    session = bot.conversation.session(Requester(user_id))
    for line in ("!recommend la java 5", "!more", "!vibe chill 10", "!more"):
        later = await ask(line)
        assert later.embeds, later.content
        assert disliked_id not in {p.song_id for p in session.picks}
    assert disliked_id in await bot.store.disliked_song_ids(user_id)


async def test_like_without_picks_explains(bot):
    message = await ask("!like 1")
    assert message.content.startswith("⚠️")


async def test_unknown_command_suggests_the_closest(bot, sends):
    with pytest.raises(commands.CommandNotFound):
        await dpytest.message("!recomend la java")
    message = dpytest.get_message()
    assert "Unknown command" in message.content and "!recommend" in message.content
    assert_no_pings(sends[0])


async def test_prefix_noise_gets_no_reply(bot):
    with pytest.raises(commands.CommandNotFound):
        await dpytest.message("!!!")
    assert dpytest.verify().message().nothing()


async def test_missing_argument_shows_usage(bot):
    with pytest.raises(commands.MissingRequiredArgument):
        await dpytest.message("!recommend")
    message = dpytest.get_message()
    assert "Usage: !recommend <song> [count]" in message.content


# "!like abc" is no longer a rating typed wrong: anything but the command's own form (a
# number) is plain language ("like the last one but slower"), see test_talk_bot.py
@pytest.mark.parametrize("line", ["!like 0", "!dislike 999"])
async def test_bad_argument_shows_a_hint(bot, line):
    with pytest.raises(commands.BadArgument):
        await dpytest.message(line)
    message = dpytest.get_message()
    assert message.content.startswith("⚠️") and "Usage: !" in message.content


async def test_mentions_in_input_are_inert(bot, sends):
    message = await ask("!recommend @everyone <@&123456789012345678>")
    assert "@everyone" not in message.content and "<@&" not in message.content
    assert not message.mention_everyone and not message.role_mentions
    assert_no_pings(sends[0])


async def test_unexpected_error_is_generic_and_bot_keeps_serving(bot, monkeypatch, caplog):
    async def boom(who):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(bot.conversation, "moods", boom)
    with pytest.raises(commands.CommandInvokeError):
        await dpytest.message("!moods")
    message = dpytest.get_message()
    assert message.content == "⚠️ Something went wrong on my side; try again."
    assert "secret" not in message.content and "Traceback" not in message.content
    assert "command moods failed" in caplog.text
    assert "Clusterfy" in (await ask("!help")).embeds[0].title


async def test_rate_limit_notifies_once_then_stays_quiet(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    b = await make_bot(engine, limiter=RateLimiter(rate=2, per=60))
    try:
        for _ in range(2):
            assert "Clusterfy" in (await ask("!help")).embeds[0].title
        notice = await ask("!help")
        assert notice.content.startswith("⚠️ Slow down")
        await dpytest.message("!help")
        assert dpytest.verify().message().nothing()
    finally:
        await close_bot(b)


async def test_without_embed_links_the_reply_falls_back_to_plain_text(bot, monkeypatch, caplog):
    original = discord.abc.Messageable.send

    async def no_embeds(self, content=None, **kwargs):
        if kwargs.get("embed") is not None:
            raise http_error(discord.Forbidden, 403, "Missing Permissions")
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", no_embeds)
    message = await ask("!help")
    assert not message.embeds and "Clusterfy" in message.content
    assert "missing permissions" in caplog.text


async def test_when_nothing_can_be_sent_the_command_still_ends_quietly(bot, monkeypatch, caplog):
    async def forbidden(self, content=None, **kwargs):
        raise http_error(discord.Forbidden, 403, "Missing Permissions")

    monkeypatch.setattr(discord.abc.Messageable, "send", forbidden)
    await dpytest.message("!help")  # no exception reaches the command machinery
    assert dpytest.verify().message().nothing()
    assert "could not post even plain text" in caplog.text
