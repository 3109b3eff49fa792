"""Plain language on Discord: mentions, DMs, replies, sentences that start with a command word,
``/ask``, and the critique buttons — through dpytest (prefix and message paths) and the
interaction fakes (slash, buttons), on the session's catalog (the study sample)."""

from __future__ import annotations

from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord_fakes import FakeInteraction, run_slash

from bot.message_routing import EMPTY_REPLY_HINT, Route, route
from bot.views import NOT_YOURS_TALK, TalkButton, TalkSelect


async def said(text: str, **kwargs: Any) -> discord.Message:
    await dpytest.message(text, **kwargs)
    return dpytest.get_message()


def plain(text: str | None) -> str:
    """Embed text without Markdown escapes."""
    return (text or "").replace("\\", "")


async def second_member() -> discord.Member:
    cfg = dpytest.get_config()
    return cfg.members[1] if len(cfg.members) > 1 else await dpytest.member_join()


def names(message: discord.Message) -> list[str]:
    return [f.name.split(". ", 1)[1] for f in message.embeds[0].fields]


async def test_a_mention_is_read_as_plain_language(bot, sends):
    message = await said(f"<@{bot.user.id}> give me something chill")
    embed = message.embeds[0]
    assert embed.title.endswith("Chill songs") and "Chill songs" in plain(embed.description)
    assert len(embed.fields) == 5
    view = sends[-1]["view"]
    labels = [getattr(getattr(c, "item", c), "label", None) for c in view.children]
    assert {"Sadder", "Happier", "Calmer", "More energy", "Slower", "Faster"} <= set(labels)
    assert any(getattr(getattr(c, "item", c), "placeholder", "") == "More like #…" for c in view.children)
    assert sends[-1]["allowed_mentions"].everyone is False


async def test_a_sentence_starting_with_a_command_word_is_language(bot):
    first = await said("!recommend la java 3")
    second = await said("!more like the second one")
    assert names(second) and f"Songs like {names(first)[1].split(' — ')[0]}" in second.embeds[0].title
    slower = await said("!like the last one but slower")
    assert "slower" in plain(slower.embeds[0].description)
    assert (await said("!more")).embeds[0].fields  # the exact form is still the command


async def test_a_request_in_words_after_recommend_or_vibe_falls_back_to_language(bot):
    message = await said("!recommend like la java but calmer")
    assert "Songs like La Java" in message.embeds[0].title and "calmer" in plain(
        message.embeds[0].description
    )
    message = await said("!vibe like la java but sadder")
    assert "sadder" in plain(message.embeds[0].description)


async def test_critiques_refine_turn_by_turn_and_the_state_is_per_member(bot):
    await said(f"<@{bot.user.id}> something like la java")
    sadder = await said(f"<@{bot.user.id}> sadder")
    assert "Songs like La Java — sadder (positivity" in plain(sadder.embeds[0].description)
    other = await second_member()
    alone = await said(f"<@{bot.user.id}> sadder", member=other)
    assert alone.content.startswith("⚠️") and "Ask for songs first" in alone.content


async def test_a_dm_is_read_as_plain_language(bot):
    member = dpytest.get_config().members[0]
    dm = await member.create_dm()
    message = await said("something happy", channel=dm)
    assert message.embeds and "Happy songs" in message.embeds[0].title


async def test_text_that_means_nothing_gets_phrasings_not_silence(bot):
    message = await said(f"<@{bot.user.id}> asdfgh qwerty")
    assert message.content.startswith("⚠️") and "Try:" in message.content


async def test_a_mention_alone_gets_a_greeting_with_examples(bot):
    message = await said(f"<@{bot.user.id}>")
    text = message.content or message.embeds[0].description
    assert "Hi" in text and "calmer" in text


async def test_slash_ask_takes_the_same_text(bot):
    interaction = await run_slash(bot, "ask", request="something like la java but much faster")
    (payload,) = interaction.all_sent()
    embed = payload["embed"]
    assert "Songs like La Java" in embed.title and "much faster" in plain(embed.description)


def _press(bot, member, custom: discord.ui.Item[Any]) -> FakeInteraction:
    cfg = dpytest.get_config()
    return FakeInteraction(member, client=bot, channel=cfg.channels[0])


async def test_a_critique_button_does_what_typing_it_does(bot):
    owner = dpytest.get_config().members[0]
    first = await said(f"<@{bot.user.id}> songs like la java")
    button = TalkButton(owner.id, "sad", "Sadder")
    interaction = _press(bot, owner, button.item)
    await button.callback(interaction)
    (payload,) = interaction.fake_followup.sent
    assert "sadder (positivity" in plain(payload["embed"].description)
    assert not set(names(first)) & {f.name.split(". ", 1)[1] for f in payload["embed"].fields}


async def test_someone_elses_button_changes_nothing(bot):
    owner, other = dpytest.get_config().members[0], await second_member()
    await said(f"<@{bot.user.id}> songs like la java")
    state = await bot.conversation.dialogue_state(_requester(owner))
    button = TalkButton(owner.id, "fast", "Faster")
    interaction = _press(bot, other, button.item)
    await button.callback(interaction)
    (payload,) = interaction.fake_response.sent
    assert payload["ephemeral"] and payload["content"] == NOT_YOURS_TALK
    assert await bot.conversation.dialogue_state(_requester(owner)) == state


async def test_buttons_survive_a_restart_through_their_ids(bot):
    """A message's buttons outlive the bot process: discord.py rebuilds them from their ids."""
    owner = dpytest.get_config().members[0]
    button = TalkButton(owner.id, "calm", "Calmer")
    rebuilt = await TalkButton.from_custom_id(
        None, button.item, TalkButton.__discord_ui_compiled_template__.match(button.item.custom_id)
    )  # type: ignore[arg-type]
    assert (rebuilt.owner_id, rebuilt.key) == (owner.id, "calm")
    menu = TalkSelect(owner.id, 5)
    again = await TalkSelect.from_custom_id(
        None, menu.item, TalkSelect.__discord_ui_compiled_template__.match(menu.item.custom_id)
    )  # type: ignore[arg-type]
    assert again.owner_id == owner.id and len(again.item.options) == 5


async def test_an_expired_conversation_button_says_what_to_do(bot):
    owner = dpytest.get_config().members[0]
    button = TalkButton(owner.id, "slow", "Slower")  # no conversation yet (or expired)
    interaction = _press(bot, owner, button.item)
    await button.callback(interaction)
    (payload,) = interaction.fake_followup.sent
    assert payload["content"].startswith("⚠️") and "Ask for songs first" in payload["content"]


def _requester(member):
    from bot.replies import Requester

    cfg = dpytest.get_config()
    return Requester(member.id, member.name, guild_id=cfg.guilds[0].id, channel_id=cfg.channels[0].id)


# -- routing (pure) --------------------------------------------------------------------
BASE = {
    "prefix": None,
    "mentioned_prefix": False,
    "command_name": None,
    "invoked_with": None,
    "is_dm": False,
    "replies_to_bot": False,
    "mentions_bot": False,
}


def test_routing_of_every_way_in():
    assert route("hello all", **BASE).route is Route.IGNORE
    assert route("something chill", **{**BASE, "is_dm": True}) == route(
        "something chill", **{**BASE, "is_dm": True}
    )
    assert route("something chill", **{**BASE, "is_dm": True}).route is Route.TALK
    reply = route("sadder", **{**BASE, "replies_to_bot": True})
    assert reply.route is Route.TALK and reply.text == "sadder"
    # a reply with the ping off arrives without its text when the intent is off
    assert route("", **{**BASE, "replies_to_bot": True}).route is Route.EMPTY_REPLY
    assert EMPTY_REPLY_HINT.startswith("I can't read replies")
    mid = route("hey <@42> something chill", **{**BASE, "mentions_bot": True})
    assert mid.route is Route.TALK
    cmd = dict(BASE, prefix="!", command_name="more", invoked_with="more")
    assert route("!more", **cmd).route is Route.COMMAND
    assert route("!more like the second one", **cmd).route is Route.TALK_OR_COMMAND
    liked = dict(BASE, prefix="!", command_name="like", invoked_with="like")
    assert route("!like 2", **liked).route is Route.COMMAND
    assert (
        route("!recomend la java", **dict(BASE, prefix="!", invoked_with="recomend")).route is Route.COMMAND
    )
    assert route("!give me something sad", **dict(BASE, prefix="!", invoked_with="give")).route is (
        Route.TALK_OR_COMMAND
    )
    mention = dict(BASE, prefix="<@42> ", mentioned_prefix=True, invoked_with="give")
    talk = route("<@42> give me something sad", **mention)
    assert talk.route is Route.TALK and talk.text == "give me something sad"


def test_the_bot_can_run_without_the_message_content_intent():
    from bot.client import ClusterfyBot
    from bot.config import ConfigError, settings_from_env

    off = settings_from_env({"MESSAGE_CONTENT_INTENT": "off"})
    assert off.message_content is False and settings_from_env({}).message_content is True
    assert ClusterfyBot(off, sync_commands=False).intents.message_content is False
    with pytest.raises(ConfigError, match="on or off"):
        settings_from_env({"MESSAGE_CONTENT_INTENT": "maybe"})


async def test_a_link_asked_in_words_is_a_clickable_link_on_discord(bot):
    first = await said(f"<@{bot.user.id}> songs like la java")
    assert first.embeds[0].fields
    message = await said(f"<@{bot.user.id}> give me the spotify link for #1")
    assert "<https://open.spotify.com/" in message.content  # not escaped into plain text
    assert "\\<" not in message.content


async def test_who_sings_a_pick_shows_its_mood_card_on_discord(bot, sends):
    first = await said(f"<@{bot.user.id}> songs like la java")
    pick = names(first)[0]
    message = await said(f"<@{bot.user.id}> who sings #1")
    # dpytest drops the embed of a multipart (file) message; the spy has it.
    card = sends[-1]["embed"]
    assert "→" in card.title and card.title.split(" → ")[0].endswith(pick.split(" — ")[0])
    assert [f.name for f in card.fields][:2] == ["Cluster", "How this song compares"]
    assert [a.filename for a in message.attachments] == ["profile.png"]  # as !cluster sends it
