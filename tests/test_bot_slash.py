"""Slash commands, autocomplete, the tree error handler and reply delivery, with interaction fakes.

Slash invocations go through the real ``CommandTree._call`` → hybrid command pipeline;
only the Discord responses are faked (and recorded).
"""

from __future__ import annotations

import asyncio
import logging

import discord
import discord.ext.test as dpytest
import pytest
from discord import app_commands
from discord_fakes import (
    FakeInteraction,
    close_bot,
    http_error,
    make_bot,
    run_autocomplete,
    run_slash,
    slash_data,
)

import bot.cogs as cogs
from bot.discord_io import send_reply, to_embed, to_file
from bot.errors import GENERIC
from bot.ratelimit import RateLimiter
from bot.replies import Card, Field, Reply, error_reply
from bot.views import ConfirmView, PicksView

HOSTILE = [
    "x" * 10_000,
    "\x00\x01",
    "@everyone",
    "<@&123456789012345678>",
    "'; DROP TABLE x; --",
    "\u202eavaj al",
    "🎵" * 200,
    "   ",
    "{0.__class__}",
]


def only_message(interaction: FakeInteraction) -> dict:
    sent = interaction.all_sent()
    assert len(sent) == 1, sent
    return sent[0]


def assert_no_pings(payload: dict) -> None:
    mentions = payload["allowed_mentions"]
    assert (mentions.everyone, mentions.users, mentions.roles) == (False, False, False)


# -- commands -------------------------------------------------------------------
async def test_slash_recommend_with_count_and_filters(bot):
    interaction = await run_slash(bot, "recommend", song="la java", count=3, filters="energy<0.5")
    assert not interaction.errors
    payload = only_message(interaction)
    embed = payload["embed"]
    assert "La Java" in embed.title and len(embed.fields) == 3
    assert "Filters" in embed.description
    assert isinstance(payload["view"], PicksView)
    assert payload["ephemeral"] is False
    assert_no_pings(payload)


async def test_slash_recommend_defaults_to_five(bot):
    payload = only_message(await run_slash(bot, "recommend", song="la java"))
    assert len(payload["embed"].fields) == 5


async def test_slash_count_is_not_split_from_the_title(bot, monkeypatch):
    seen = {}

    async def recommend(who, song, count=None, where=""):
        seen.update(song=song, count=count, where=where)
        return Reply(text="ok")

    monkeypatch.setattr(bot.conversation, "recommend", recommend)
    await run_slash(bot, "recommend", song="summer of 69", count=2)
    assert seen == {"song": "summer of 69", "count": 2, "where": ""}


@pytest.mark.parametrize(
    "options",
    [
        {"song": "qwxzvbnm"},
        {"song": "la java", "filters": "energy>>2"},
        {"song": "la java", "count": 11},
    ],
)
async def test_slash_bad_input_is_an_ephemeral_error(bot, options):
    interaction = await run_slash(bot, "recommend", **options)
    payload = only_message(interaction)
    assert payload["ephemeral"] is True
    assert payload["content"].startswith("⚠️") and len(payload["content"]) < 600
    assert "embed" not in payload and "view" not in payload


async def test_slash_cluster_attaches_the_chart(bot):
    payload = only_message(await run_slash(bot, "cluster", song="la java"))
    assert payload["file"].filename == "profile.png"
    assert payload["embed"].image.url == "attachment://profile.png"


async def test_slash_vibe_moods_help(bot, engine):
    vibe = only_message(await run_slash(bot, "vibe", mood="chill", count=2))
    assert len(vibe["embed"].fields) == 2
    moods = only_message(await run_slash(bot, "moods"))
    assert len(moods["embed"].fields) == len(engine.moods)
    help_ = only_message(await run_slash(bot, "help"))
    assert "Clusterfy" in help_["embed"].title


async def test_slash_more_like_dislike(bot):
    first = only_message(await run_slash(bot, "recommend", song="la java", count=2))
    more = only_message(await run_slash(bot, "more"))
    names = lambda p: {f.name.split(". ", 1)[1] for f in p["embed"].fields}
    assert not names(first) & names(more)
    liked = only_message(await run_slash(bot, "like", number=1))
    assert liked["content"].startswith("👍")
    disliked = only_message(await run_slash(bot, "dislike", number=2))
    assert disliked["content"].startswith("👎")
    user_id = dpytest.get_config().members[0].id
    assert sorted((await bot.store.feedback(user_id)).values()) == [-1, 1]


async def test_slash_history_and_forget_are_private(bot):
    await run_slash(bot, "recommend", song="la java", count=2)
    history = only_message(await run_slash(bot, "history"))
    assert history["ephemeral"] is True
    forget = only_message(await run_slash(bot, "forget"))
    assert forget["ephemeral"] is True and isinstance(forget["view"], ConfirmView)


async def test_slow_commands_are_deferred_before_the_deadline(bot, monkeypatch):
    monkeypatch.setattr(cogs, "DEFER_AFTER", 0.01)
    original = bot.conversation.recommend

    async def slow(*args, **kwargs):
        await asyncio.sleep(0.1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(bot.conversation, "recommend", slow)
    interaction = await run_slash(bot, "recommend", song="la java", count=2)
    assert len(interaction.fake_response.deferred) == 1
    assert not interaction.fake_response.sent
    [followup] = interaction.fake_followup.sent
    assert len(followup["embed"].fields) == 2


async def test_rate_limited_slash_gets_a_private_notice_every_time(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    b = await make_bot(engine, limiter=RateLimiter(rate=1, per=60))
    try:
        assert "embed" in only_message(await run_slash(b, "help"))
        for _ in range(2):  # the second refusal has notify=False, but must still answer
            notice = only_message(await run_slash(b, "help"))
            assert notice["ephemeral"] is True and "Slow down" in notice["content"]
    finally:
        await close_bot(b)


async def test_unexpected_error_in_a_slash_command(bot, monkeypatch, caplog):
    async def boom(who):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(bot.conversation, "moods", boom)
    interaction = await run_slash(bot, "moods")
    payload = only_message(interaction)
    assert payload["content"] == GENERIC and payload["ephemeral"] is True
    assert "command moods failed" in caplog.text
    assert "embed" in only_message(await run_slash(bot, "help"))


async def test_error_after_defer_goes_to_a_followup(bot, monkeypatch):
    monkeypatch.setattr(cogs, "DEFER_AFTER", 0.01)

    async def slow_boom(who):
        await asyncio.sleep(0.1)
        raise RuntimeError("late failure")

    monkeypatch.setattr(bot.conversation, "moods", slow_boom)
    interaction = await run_slash(bot, "moods")
    assert interaction.fake_response.deferred
    assert [p["content"] for p in interaction.fake_followup.sent] == [GENERIC]


# -- autocomplete ---------------------------------------------------------------
def assert_valid_choices(choices) -> None:
    assert len(choices) <= 25
    for choice in choices:
        assert isinstance(choice, app_commands.Choice)
        assert 1 <= len(choice.name) <= 100 and 1 <= len(choice.value) <= 100


@pytest.mark.parametrize("typed", ["la", "", *HOSTILE])
async def test_song_autocomplete(bot, typed):
    choices = await run_autocomplete(bot, "recommend", "song", typed)
    assert_valid_choices(choices)
    if typed == "la":
        assert choices and all(c.name for c in choices)
    assert_valid_choices(await run_autocomplete(bot, "cluster", "song", typed))


async def test_every_song_option_offers_the_same_songs(bot):
    offered = [
        await run_autocomplete(bot, command, option, "la")
        for command, option in (("recommend", "song"), ("cluster", "song"), ("playlist", "source"))
    ]
    assert offered[0] and offered[0] == offered[1] == offered[2]


@pytest.mark.parametrize("typed", ["", "ch", *HOSTILE])
async def test_mood_autocomplete(bot, engine, typed):
    choices = await run_autocomplete(bot, "vibe", "mood", typed)
    assert_valid_choices(choices)
    if typed == "":
        # issue 15: the moods first, then vocabulary words (it offered the moods only)
        assert [c.value for c in choices][: len(engine.moods)] == [m.key for m in engine.moods]
        assert len(choices) == 25 and "sad" in {c.value for c in choices}


async def test_autocomplete_failure_shows_no_options(bot, monkeypatch):
    async def broken(prefix):
        raise RuntimeError("index gone")

    monkeypatch.setattr(bot.conversation, "song_choices", broken)
    assert await run_autocomplete(bot, "recommend", "song", "la") == []


# -- the tree error handler -------------------------------------------------------
def interaction_for(bot, *, done: bool) -> FakeInteraction:
    cfg = dpytest.get_config()
    return FakeInteraction(
        cfg.members[0],
        client=bot,
        channel=cfg.channels[0],
        type=discord.InteractionType.application_command,
        data=slash_data("recommend", song="x"),
        response_done=done,
    )


@pytest.mark.parametrize("done", [False, True])
async def test_tree_on_error_answers_privately(bot, done):
    interaction = interaction_for(bot, done=done)
    await bot.tree.on_error(interaction, app_commands.CheckFailure())
    sent = interaction.fake_followup.sent if done else interaction.fake_response.sent
    assert len(sent) == 1 and len(interaction.all_sent()) == 1
    assert sent[0]["ephemeral"] is True and sent[0]["content"].startswith("⚠️")
    assert_no_pings(sent[0])


async def test_tree_on_error_unexpected_is_logged_with_context(bot, caplog):
    interaction = interaction_for(bot, done=False)
    command = bot.tree.get_command("recommend")
    interaction._cs_command = command
    error = app_commands.CommandInvokeError(command, RuntimeError("boom"))
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await bot.tree.on_error(interaction, error)
    payload = only_message(interaction)
    assert payload["content"] == GENERIC and payload["ephemeral"] is True
    record = caplog.records[-1]
    assert "/recommend" in record.getMessage()
    assert str(interaction.user.id) in record.getMessage()
    assert str(interaction.guild_id) in record.getMessage()
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)


async def test_tree_on_error_transformer_and_cooldown(bot):
    interaction = interaction_for(bot, done=False)
    error = app_commands.TransformerError(
        "@everyone", discord.AppCommandOptionType.integer, app_commands.Transformer()
    )
    await bot.tree.on_error(interaction, error)
    text = only_message(interaction)["content"]
    assert "not a valid value" in text and "@everyone" not in text
    interaction = interaction_for(bot, done=True)
    cooldown = app_commands.CommandOnCooldown(app_commands.Cooldown(1, 10), 4.2)
    await bot.tree.on_error(interaction, cooldown)
    assert "Slow down" in only_message(interaction)["content"]


async def test_unknown_slash_command_goes_through_tree_on_error(bot):
    cfg = dpytest.get_config()
    interaction = FakeInteraction(
        cfg.members[0],
        client=bot,
        channel=cfg.channels[0],
        type=discord.InteractionType.application_command,
        data=slash_data("removed-command"),
    )
    bot.tree._from_interaction(interaction)  # what the gateway handler calls
    for _ in range(20):
        await asyncio.sleep(0)
    payload = only_message(interaction)
    assert payload["ephemeral"] is True and "isn't available" in payload["content"]


async def test_tree_on_error_survives_a_dead_interaction(bot):
    interaction = interaction_for(bot, done=False)
    interaction.fake_response.error = http_error()
    await bot.tree.on_error(interaction, app_commands.CheckFailure())  # no raise


# -- rendering and delivery --------------------------------------------------------
def test_to_embed_and_file():
    card = Card(
        title="t",
        description="d",
        fields=(Field("a", "b", True),),
        footer="f",
        image_png=b"\x89PNG",
        image_name="x.png",
    )
    embed = to_embed(card)
    assert (embed.title, embed.description, embed.footer.text) == ("t", "d", "f")
    assert embed.fields[0].inline is True and embed.image.url == "attachment://x.png"
    file = to_file(card)
    assert file.filename == "x.png" and file.fp.read() == b"\x89PNG"
    assert to_file(Card(title="no chart")) is None
    assert to_embed(Card(title="no chart")).image.url is None


async def test_send_reply_falls_back_to_plain_text_when_forbidden(bot):
    interaction = interaction_for(bot, done=False)
    interaction.fake_response.error = http_error(discord.Forbidden, 403, "Missing Permissions")
    reply = Reply(card=Card(title="Title", fields=(Field("n", "v"),)))
    await send_reply(interaction, reply, bot.conversation)
    payload = only_message(interaction)
    assert "Title" in payload["content"] and "embed" not in payload
    assert_no_pings(payload)


@pytest.mark.parametrize("error", [http_error(), http_error(discord.HTTPException, 500, "oops")])
async def test_send_reply_logs_delivery_failures(bot, error, caplog):
    interaction = interaction_for(bot, done=False)
    interaction.fake_response.error = error
    assert await send_reply(interaction, error_reply("x"), bot.conversation) is None
    assert caplog.records


async def test_send_reply_fits_oversized_replies(bot):
    interaction = interaction_for(bot, done=False)
    huge = Reply(
        text="y" * 5000,
        card=Card(title="t" * 400, fields=tuple(Field("n" * 300, "v" * 2000) for _ in range(40))),
    )
    await send_reply(interaction, huge, bot.conversation)
    payload = only_message(interaction)
    embed = payload["embed"]
    assert len(payload["content"]) <= 2000 and len(embed) <= 6000
    assert len(embed.fields) <= 25 and len(embed.title) <= 256


# -- the client: start-up wiring -----------------------------------------------------
TOKEN = "MTA" + "x" * 56


async def started(settings, engine, monkeypatch, *, sync: bool = True, **kwargs):
    """A ClusterfyBot after setup_hook, with the tree's Discord calls recorded."""
    from bot.client import ClusterfyBot

    calls: list[dict] = []

    async def fake_sync(*, guild=None):
        calls.append({"guild": guild})
        return []

    b = ClusterfyBot(settings, engine=engine, sync_commands=sync, **kwargs)
    monkeypatch.setattr(b.tree, "sync", fake_sync)
    await b._async_setup_hook()
    await b.setup_hook()
    b.sync_calls = calls  # type: ignore[attr-defined]
    return b


async def test_setup_hook_wires_everything_and_syncs_to_the_dev_guild(engine, tmp_path, monkeypatch, caplog):
    from bot.config import Settings

    caplog.set_level(logging.DEBUG)
    settings = Settings(token=TOKEN, dev_guild_id=4242, db_path=tmp_path / "h.sqlite3")
    b = await started(settings, engine, monkeypatch)
    try:
        assert [c["guild"].id for c in b.sync_calls] == [4242]
        guild_commands = {c.name for c in b.tree.get_commands(guild=discord.Object(4242))}
        assert {
            "recommend",
            "cluster",
            "vibe",
            "moods",
            "history",
            "forget",
            "help",
            "more",
            "like",
            "dislike",
        } <= guild_commands
        assert b.conversation.engine is engine and b.store is not None
        assert b.help_command is None
        assert b.allowed_mentions.everyone is False and b.allowed_mentions.roles is False
        assert b.intents.message_content is True
        assert (tmp_path / "h.sqlite3").exists()
    finally:
        await b.close()
    assert b.store.closed  # closed with the bot
    assert TOKEN not in caplog.text


async def test_sync_is_global_without_dev_guild_and_skipped_in_tests(engine, monkeypatch):
    from bot.config import Settings
    from bot.history import HistoryStore

    b = await started(Settings(), engine, monkeypatch, store=await HistoryStore.open(":memory:"))
    assert b.sync_calls == [{"guild": None}]
    await b.close()
    b = await started(Settings(), engine, monkeypatch, sync=False, store=await HistoryStore.open(":memory:"))
    assert b.sync_calls == []
    await b.close()


async def test_failed_sync_is_logged_not_fatal(engine, monkeypatch, caplog):
    from bot.client import ClusterfyBot
    from bot.config import Settings
    from bot.history import HistoryStore

    b = ClusterfyBot(Settings(dev_guild_id=1), engine=engine, store=await HistoryStore.open(":memory:"))

    async def forbidden(*, guild=None):
        raise http_error(discord.Forbidden, 403, "Missing Access")

    monkeypatch.setattr(b.tree, "sync", forbidden)
    await b._async_setup_hook()
    await b.setup_hook()
    assert "applications.commands" in caplog.text
    assert b.get_command("recommend") is not None
    await b.close()


async def test_setup_hook_loads_the_engine_off_the_loop(engine, tmp_path, monkeypatch, caplog):
    import threading

    import bot.client as client_module
    from bot.config import Settings

    seen = {}

    def fake_load(settings, progress):
        seen["thread"] = threading.current_thread()
        progress("building the model")
        return engine

    monkeypatch.setattr(client_module, "load_engine", fake_load)
    caplog.set_level(logging.INFO, logger="bot.client")
    b = await started(Settings(db_path=tmp_path / "h.sqlite3"), None, monkeypatch, sync=False)
    try:
        assert seen["thread"] is not threading.main_thread()
        assert b.engine is engine
        assert "building the model" in caplog.text
    finally:
        await b.close()


async def test_on_ready_warns_without_message_content(engine, monkeypatch, caplog):
    from bot.client import ClusterfyBot
    from bot.config import Settings
    from bot.history import HistoryStore

    b = ClusterfyBot(
        Settings(),
        engine=engine,
        store=await HistoryStore.open(":memory:"),
        intents=discord.Intents.default(),
        sync_commands=False,
    )
    await b._async_setup_hook()
    await b.on_ready()
    assert any(r.levelno == logging.WARNING and "Developer Portal" in r.getMessage() for r in caplog.records)
    await b.close()
