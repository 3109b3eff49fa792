"""Command cogs, one feature per module; each command is a thin mapping onto the conversation.

:func:`run_command` is the one shape every command shares: identify the requester,
pass the rate-limit gate, run the conversation coroutine (acknowledging slash
interactions before Discord's 3-second deadline) and render the reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol, cast

import discord
from discord import app_commands
from discord.ext import commands

from ..commands import CommandSpec
from ..discord_io import requester_from_ctx, send_reply
from ..replies import Reply, Requester

if TYPE_CHECKING:
    from ..conversation import Conversation

logger = logging.getLogger(__name__)

#: Seconds to wait for an answer before deferring a slash command. Discord drops an
#: interaction not acknowledged within 3 s; answering directly when we are fast keeps
#: error replies ephemeral (after a public defer Discord ignores the ephemeral flag).
DEFER_AFTER = 1.5
EXTENSIONS = (
    "bot.cogs.recommend",
    "bot.cogs.moods",
    "bot.cogs.history",
    "bot.cogs.help",
    "bot.cogs.foryou",
    "bot.cogs.playlist",
    "bot.cogs.friends",
    "bot.cogs.talk",
)

Action = Callable[[Requester], Awaitable[Reply]]
CommandCallback = Callable[..., Coroutine[Any, Any, None]]
HybridDecorator = Callable[[CommandCallback], "commands.HybridCommand[Any, ..., None]"]


def hybrid_command(command: CommandSpec | str, **attrs: Any) -> HybridDecorator:
    """``commands.hybrid_command`` declared from its row of the command table, typed for mypy.

    Name, aliases, usage and description come from the :class:`~bot.commands.CommandSpec`
    (``attrs`` may add or override discord.py attributes), so the cogs, the console and
    ``help`` cannot drift apart. discord.py types the decorator over a union of ParamSpec
    callables that mypy cannot solve for a cog method (it infers ``Never`` and rejects every
    command); the object built at run time is exactly discord.py's.
    """
    if isinstance(command, CommandSpec):
        declared: dict[str, Any] = {"description": command.summary}
        if command.aliases:
            declared["aliases"] = list(command.aliases)
        if command.usage is not None:
            declared["usage"] = command.usage
        attrs = {**declared, **attrs}
        command = command.name
    return cast(HybridDecorator, commands.hybrid_command(command, **attrs))


class ConversationBot(Protocol):
    """All a cog needs of its bot (``bot.client.ClusterfyBot``, which loads the cogs): its conversation."""

    @property
    def conversation(self) -> Conversation: ...


class ConversationCog(commands.Cog):
    """Base for our cogs: access to the bot's conversation."""

    def __init__(self, bot: ConversationBot) -> None:
        self.bot = bot

    @property
    def conversation(self) -> Conversation:
        return self.bot.conversation

    async def run(self, ctx: commands.Context[Any], action: Action, *, ephemeral: bool | None = None) -> None:
        await run_command(ctx, self.conversation, action, ephemeral=ephemeral)

    async def typed_count(
        self, ctx: commands.Context[Any], text: str, count: int | None, *, titles: bool = True
    ) -> tuple[str, int | str | None]:
        """Prefix form: split "la java 3" into text and count (a title lookup, so off the
        event loop). Slash form: the count is its own option."""
        if ctx.interaction is not None:
            return text, count
        return await asyncio.to_thread(self.conversation.split_count, text, titles)


async def run_command(
    ctx: commands.Context[Any], conversation: Conversation, action: Action, *, ephemeral: bool | None = None
) -> None:
    """Gate, run and answer one command invocation (prefix or slash)."""
    who = requester_from_ctx(ctx)
    verdict = await conversation.admit_async(who)
    if not verdict.allowed:
        # Prefix: one notice per window, then silence. Slash: the interaction must be
        # answered anyway, and an ephemeral notice cannot flood the channel.
        if ctx.interaction is not None or verdict.notify:
            await send_reply(ctx, conversation.slow_down(verdict), conversation)
        return
    task = asyncio.ensure_future(action(who))
    if ctx.interaction is not None:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done and not ctx.interaction.response.is_done():
            await ctx.defer(ephemeral=bool(ephemeral))
    reply = await task
    await send_reply(ctx, reply, conversation, ephemeral=ephemeral)


# -- autocomplete: one callback per kind of argument, for every command that takes one -------
async def song_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Options for a song argument (``@app_commands.autocomplete(song=song_autocomplete)``)."""
    return await _choices(_conversation_of(interaction).song_choices, current)


async def mood_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Options for a mood argument: the catalog's moods and the mood words."""
    return await _choices(_conversation_of(interaction).mood_choices, current)


def _conversation_of(interaction: discord.Interaction) -> Conversation:
    """The conversation of the bot an interaction reached (the callbacks above are free functions)."""
    return cast(ConversationBot, interaction.client).conversation


async def _choices(
    source: Callable[[str], Awaitable[list[Any]]], current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete options; a failing lookup shows no options rather than an error."""
    try:
        options = await source((current or "")[:100])
    except Exception:
        logger.exception("autocomplete failed for %r", (current or "")[:100])
        return []
    return [app_commands.Choice(name=o.label[:100] or "?", value=o.value[:100]) for o in options[:25]]
