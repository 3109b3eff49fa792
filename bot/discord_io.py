"""Discord ↔ conversation mapping: who asked, and how a :class:`Reply` becomes a message.

This is the only place that knows how a reply is rendered on Discord (embed, chart
attachment, select menus and buttons), so every command, view and error path posts
the same way: fitted to Discord's limits, with mentions disabled, ephemeral errors on
slash commands, and delivery failures logged instead of crashing the command.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from .replies import MESSAGE_LIMIT, Card, Reply, Requester, render_text, truncate

if TYPE_CHECKING:
    from .conversation import Conversation
    from .views import OwnedView

logger = logging.getLogger(__name__)

#: No pings, ever: catalog and user text is echoed back and must not mention anyone.
NO_MENTIONS = discord.AllowedMentions.none()
#: Discord accepts at most 10 files on one message.
MAX_FILES_PER_MESSAGE = 10

Target = commands.Context[Any] | discord.Interaction


def to_embed(card: Card) -> discord.Embed:
    """The embed for a (fitted) card; its chart is referenced as an attachment."""
    embed = discord.Embed(title=card.title or None, description=card.description or None, color=card.color)
    for f in card.fields:
        embed.add_field(name=f.name, value=f.value, inline=f.inline)
    if card.footer:
        embed.set_footer(text=card.footer)
    if card.image_png:
        embed.set_image(url=f"attachment://{card.image_name}")
    return embed


def to_file(card: Card | None) -> discord.File | None:
    """The card's chart as an upload (``attachment://name`` in the embed points at it)."""
    if card is None or not card.image_png:
        return None
    return discord.File(io.BytesIO(card.image_png), filename=card.image_name)


def requester_from_interaction(interaction: discord.Interaction) -> Requester:
    user = interaction.user
    return Requester(
        id=user.id,
        name=getattr(user, "name", "") or "",
        guild_id=interaction.guild_id,
        channel_id=interaction.channel_id,
    )


def requester_from_ctx(ctx: commands.Context[Any]) -> Requester:
    """The requester of a prefix or hybrid invocation (slash ones come from the interaction)."""
    if ctx.interaction is not None:
        return requester_from_interaction(ctx.interaction)
    return Requester(
        id=ctx.author.id,
        name=ctx.author.name,
        guild_id=ctx.guild.id if ctx.guild else None,
        channel_id=ctx.channel.id if ctx.channel else None,
    )


def owner_of(target: Target) -> int:
    """The user a reply belongs to: a Context (prefix or hybrid) has an author, an interaction a user."""
    return target.author.id if isinstance(target, commands.Context) else target.user.id


def build_view(reply: Reply, conversation: Conversation, owner_id: int) -> OwnedView | None:
    """The interactive part of a reply: a question, rateable picks, or a confirmation."""
    from .views import ChooseSongView, ConfirmView, PicksView  # views import this module

    if reply.choices:
        return ChooseSongView(conversation, owner_id, reply)
    if reply.confirm:
        return ConfirmView(conversation, owner_id)
    if reply.picks:
        return PicksView(conversation, owner_id, reply)
    return None


def message_kwargs(reply: Reply) -> dict[str, Any]:
    """content/embed/file for a fitted reply, leaving out what it does not have.

    Unset keys are omitted rather than passed as ``None`` because the interaction
    APIs treat ``file=None`` as a file.
    """
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if reply.text:
        kwargs["content"] = reply.text
    uploads: list[discord.File] = []
    if reply.card is not None:
        kwargs["embed"] = to_embed(reply.card)
        card_file = to_file(reply.card)
        if card_file is not None:
            uploads.append(card_file)
        uploads += [discord.File(io.BytesIO(png), filename=name) for name, png in reply.card.extra_images]
    # playlists: .m3u and .csv
    uploads += [discord.File(io.BytesIO(data), filename=name) for name, data in reply.attachments]
    uploads = uploads[:MAX_FILES_PER_MESSAGE]
    if len(uploads) == 1:
        kwargs["file"] = uploads[0]
    elif uploads:
        kwargs["files"] = uploads
    if "content" not in kwargs and "embed" not in kwargs:
        kwargs["content"] = "…"  # Discord refuses an empty message
    return kwargs


async def send_reply(
    target: Target,
    reply: Reply,
    conversation: Conversation,
    *,
    ephemeral_errors: bool = True,
    ephemeral: bool | None = None,
) -> discord.Message | None:
    """Post ``reply`` to a command context or an interaction; never raises on delivery.

    ``ephemeral`` forces the visibility on interactions; by default only error replies
    are ephemeral (when ``ephemeral_errors``). Prefix messages are always public.
    Returns the sent message (None when it could not be sent).
    """
    reply = reply.fitted()
    hidden = ephemeral if ephemeral is not None else (reply.error and ephemeral_errors)
    view = build_view(reply, conversation, owner_of(target))
    kwargs = message_kwargs(reply)
    if view is not None:
        kwargs["view"] = view
    try:
        message = await _deliver(target, kwargs, hidden, fetch_message=view is not None)
    except discord.NotFound:
        logger.warning("could not answer %s: the interaction or channel is gone", _where(target))
        return None
    except discord.Forbidden:
        logger.warning("missing permissions to post a rich reply %s; trying plain text", _where(target))
        return await _send_plain(target, reply, hidden)
    except discord.HTTPException as exc:
        logger.error("Discord refused a reply %s: %s %s", _where(target), exc.status, exc.text)
        return None
    if view is not None:
        view.message = message  # so on_timeout can disable it
    return message


async def _deliver(
    target: Target, kwargs: dict[str, Any], hidden: bool, *, fetch_message: bool = False
) -> discord.Message | None:
    if not isinstance(target, commands.Context):
        return await send_to_interaction(target, hidden=hidden, fetch_message=fetch_message, **kwargs)
    # Context.send maps to the interaction for hybrid slash invocations; ephemeral is
    # ignored for prefix ones.
    return await target.send(ephemeral=hidden, **kwargs)


async def send_to_interaction(
    interaction: discord.Interaction, *, hidden: bool, fetch_message: bool = False, **kwargs: Any
) -> discord.Message | None:
    """First answer through the response, later ones (after a defer) as followups.

    The sent message is fetched only when asked (a view needs it to disable itself
    on timeout); otherwise that is one HTTP call saved.
    """
    if interaction.response.is_done():
        if fetch_message:
            return await interaction.followup.send(ephemeral=hidden, wait=True, **kwargs)
        await interaction.followup.send(ephemeral=hidden, wait=False, **kwargs)
        return None
    await interaction.response.send_message(ephemeral=hidden, **kwargs)
    if not fetch_message:
        return None
    try:
        return await interaction.original_response()
    except discord.HTTPException:
        return None


async def _send_plain(target: Target, reply: Reply, hidden: bool) -> discord.Message | None:
    """Fallback without embed/attachment/view, for channels where we lack Embed Links."""
    text = truncate(render_text(reply), MESSAGE_LIMIT)
    try:
        return await _deliver(target, {"content": text, "allowed_mentions": NO_MENTIONS}, hidden)
    except discord.HTTPException as exc:
        logger.warning("could not post even plain text %s: %s %s", _where(target), exc.status, exc.text)
        return None


def _where(target: Target) -> str:
    """Log context: who and where, without message contents."""
    if not isinstance(target, commands.Context):
        name = target.command.qualified_name if target.command else "component"
        return f"(/{name}, user {target.user.id}, guild {target.guild_id}, channel {target.channel_id})"
    name = target.command.qualified_name if target.command else "?"
    guild = target.guild.id if target.guild else None
    channel = target.channel.id if target.channel else None
    return f"({name}, user {target.author.id}, guild {guild}, channel {channel})"
