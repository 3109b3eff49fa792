"""One place that turns command errors into short, friendly replies.

Users get a one-line hint (never a traceback); unexpected errors are logged with the
command, user and guild so they can be found, and the bot keeps serving. Prefix and
hybrid commands (including hybrid slash invocations, which discord.py reports as
command errors) go through :func:`on_command_error`; pure app-command failures
through the tree's ``on_error``.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .discord_io import NO_MENTIONS, requester_from_ctx, send_to_interaction
from .replies import GENERIC_ERROR, escape, slow_down_text

logger = logging.getLogger(__name__)

#: Kept under its old name for importers; the wording lives in replies.GENERIC_ERROR.
GENERIC = GENERIC_ERROR


def install_error_handlers(bot: commands.Bot) -> None:
    """Route app-command and prefix/hybrid command errors to the handlers below."""
    bot.tree.error(on_app_command_error)
    bot.add_listener(on_command_error, "on_command_error")


# -- slash (app) commands ------------------------------------------------------
def app_error_text(interaction: discord.Interaction, error: app_commands.AppCommandError) -> str:
    """The short message for an app-command error; logs the unexpected ones."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return slow_down_text(error.retry_after)
    if isinstance(error, app_commands.BotMissingPermissions):
        return "⚠️ I'm missing permissions here: " + ", ".join(error.missing_permissions) + "."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "⚠️ That command only works in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "⚠️ You can't use that command here."
    if isinstance(error, app_commands.TransformerError):
        return f"⚠️ “{escape(error.value, 80)}” is not a valid value for that option."
    if isinstance(error, app_commands.CommandNotFound):
        return "⚠️ That command isn't available any more; the command list is being refreshed."
    original = getattr(error, "original", error)
    name = interaction.command.qualified_name if interaction.command else "?"
    logger.error(
        "slash command /%s failed for user %s in guild %s",
        name,
        interaction.user.id,
        interaction.guild_id,
        exc_info=original,
    )
    return GENERIC


async def on_app_command_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
    """``CommandTree.on_error``: answer privately, through the response or a followup."""
    text = app_error_text(interaction, error)
    try:
        await send_to_interaction(interaction, hidden=True, content=text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        logger.warning("could not report an error to user %s: %s", interaction.user.id, exc)


# -- prefix and hybrid commands --------------------------------------------------
def unwrap(error: Exception) -> Exception:
    """The real cause behind discord.py's wrappers (invoke, hybrid, app invoke)."""
    while isinstance(
        error, (commands.CommandInvokeError, commands.HybridCommandError, app_commands.CommandInvokeError)
    ):
        inner = getattr(error, "original", None)
        if not isinstance(inner, Exception):
            break
        error = inner
    return error


def shown_prefix(ctx: commands.Context[Any]) -> str:
    """The prefix to show in hints: "/" for slash, the typed one (mentions made readable)."""
    if ctx.interaction is not None:
        return "/"
    try:
        return ctx.clean_prefix if ctx.prefix else _default_prefix(ctx)
    except AttributeError:  # clean_prefix needs our member object, which may be uncached
        return _default_prefix(ctx)


def _default_prefix(ctx: commands.Context[Any]) -> str:
    settings = getattr(ctx.bot, "settings", None)
    return getattr(settings, "prefix", "!")


def usage(ctx: commands.Context[Any]) -> str:
    command = ctx.command
    if command is None:
        return ""
    params = command.usage if command.usage is not None else command.signature
    return f"Usage: {shown_prefix(ctx)}{command.qualified_name} {params}".rstrip()


def did_you_mean(bot: commands.Bot, word: str) -> str | None:
    """The closest command name (aliases resolve to their command)."""
    names = {name: command.name for name, command in bot.all_commands.items()}
    close = difflib.get_close_matches(word.lower(), list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def command_error_text(ctx: commands.Context[Any], error: Exception) -> str | None:
    """The short message for a command error, or None to say nothing."""
    prefix = shown_prefix(ctx)
    if isinstance(error, commands.CommandNotFound):
        word = (ctx.invoked_with or "").strip()
        if not word or not word[0].isalpha():
            return None  # "!!!", "!?" and friends are chat, not commands
        guess = did_you_mean(ctx.bot, word)
        hint = f" Did you mean {prefix}{guess}?" if guess else ""
        return f"⚠️ Unknown command “{escape(word, 40)}”.{hint} Try {prefix}help."
    if isinstance(error, commands.MissingRequiredArgument):
        return f"⚠️ Missing <{escape(error.param.name, 40)}>. {usage(ctx)}"
    if isinstance(error, commands.RangeError):
        return f"⚠️ {escape(error.value, 20)} is out of range ({error.minimum}–{error.maximum}). {usage(ctx)}"
    if isinstance(error, (commands.BadArgument, commands.UserInputError)):
        param = ctx.current_parameter.name if ctx.current_parameter else "argument"
        return f"⚠️ That doesn't look right for <{escape(param, 40)}>. {usage(ctx)}"
    if isinstance(error, commands.CommandOnCooldown):
        return slow_down_text(error.retry_after)
    if isinstance(error, (commands.NoPrivateMessage, app_commands.NoPrivateMessage)):
        return "⚠️ That command only works in a server."
    if isinstance(error, (commands.CheckFailure, app_commands.CheckFailure)):
        return "⚠️ You can't use that command here."
    if isinstance(error, app_commands.TransformerError):
        return f"⚠️ “{escape(error.value, 80)}” is not a valid value for that option."
    if isinstance(error, commands.DisabledCommand):
        return None
    if isinstance(error, discord.Forbidden):
        logger.warning(
            "missing permissions while running %s in guild %s, channel %s: %s",
            ctx.command,
            ctx.guild.id if ctx.guild else None,
            ctx.channel.id if ctx.channel else None,
            error.text,
        )
        return None
    logger.error(
        "command %s failed for user %s in guild %s",
        ctx.command,
        ctx.author.id,
        ctx.guild.id if ctx.guild else None,
        exc_info=error,
    )
    return GENERIC


async def on_command_error(ctx: commands.Context[Any], error: commands.CommandError) -> None:
    """Listener for prefix and hybrid command errors."""
    cause = unwrap(error)
    text = command_error_text(ctx, cause)
    if text is None:
        return
    if isinstance(cause, commands.CommandNotFound):
        # Typos cost a request too, so a flood of unknown commands is still bounded.
        conversation = getattr(ctx.bot, "conversation", None)
        if conversation is not None and not (await conversation.admit_async(requester_from_ctx(ctx))).allowed:
            return
    try:
        await ctx.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        logger.warning(
            "could not report an error in channel %s: %s", ctx.channel.id if ctx.channel else None, exc
        )
