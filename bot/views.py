"""Buttons and select menus under replies: a thin mapping onto the conversation.

Every view belongs to the user whose command produced it (others get a private
"belongs to someone else"), goes through the same rate limiter as typed commands,
and greys itself out when it times out so nobody clicks a dead control.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord

from .discord_io import requester_from_interaction, send_reply, send_to_interaction
from .replies import (
    GENERIC_ERROR,
    OPTION_VALUE_LIMIT,
    SELECT_OPTIONS_LIMIT,
    PickRef,
    Reply,
    Requester,
    truncate,
)

if TYPE_CHECKING:
    from .conversation import Conversation

logger = logging.getLogger(__name__)

#: Seconds a menu stays usable after its last use.
VIEW_TIMEOUT = 180.0
NOT_YOURS = "This menu belongs to someone else — run the command yourself to get your own."


def as_select(item: object) -> discord.ui.Select[Any]:
    """A ``@discord.ui.select`` attribute as the Select it is at run time.

    discord.py types the decorated attribute so that mypy sees its ``options`` as
    ``Never``; this narrows it, checking the type instead of silencing the checker.
    """
    if not isinstance(item, discord.ui.Select):
        raise TypeError(f"expected a Select, got {type(item).__name__}")
    return item


class OwnedView(discord.ui.View):
    """A view only its owner may use, that disables itself on timeout."""

    def __init__(
        self, conversation: Conversation, owner_id: int, *, timeout: float | None = VIEW_TIMEOUT
    ) -> None:
        super().__init__(timeout=timeout)
        self.conversation = conversation
        self.owner_id = owner_id
        self.message: discord.Message | None = None  # set by send_reply once posted

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await send_to_interaction(
            interaction, hidden=True, content=NOT_YOURS, allowed_mentions=discord.AllowedMentions.none()
        )
        return False

    async def admit(self, interaction: discord.Interaction) -> Requester | None:
        """The requester, or None (after a private notice) when they are rate limited."""
        who = requester_from_interaction(interaction)
        verdict = await self.conversation.admit_async(who)
        if verdict.allowed:
            return who
        # An interaction must be answered; the notice is private, so it cannot flood.
        await send_reply(interaction, self.conversation.slow_down(verdict), self.conversation, ephemeral=True)
        return None

    def disable_all(self) -> None:
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True

    async def close_with(self, interaction: discord.Interaction, **edit: Any) -> None:
        """Answer a click by greying this view out (one-shot menus)."""
        self.stop()
        self.disable_all()
        await interaction.response.edit_message(view=self, **edit)

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is None:
            return
        try:
            await self.message.edit(view=self)
        except discord.HTTPException as exc:  # deleted message, expired token, lost access
            logger.debug("could not disable an expired %s: %s", type(self).__name__, exc)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        logger.error(
            "%s item %r failed for user %s in guild %s, channel %s",
            type(self).__name__,
            getattr(item, "custom_id", item),
            interaction.user.id,
            interaction.guild_id,
            interaction.channel_id,
            exc_info=error,
        )
        try:
            await send_to_interaction(
                interaction,
                hidden=True,
                content=GENERIC_ERROR,
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException:
            pass


def rate_options(picks: tuple[PickRef, ...]) -> list[discord.SelectOption]:
    """👍/👎 options for each pick, within Discord's option count and length limits."""
    options: list[discord.SelectOption] = []
    for pick in picks:
        for sign, emoji in (("+1", "👍"), ("-1", "👎")):
            value = f"{sign}:{pick.song_id}"
            if len(value) > OPTION_VALUE_LIMIT or len(options) >= SELECT_OPTIONS_LIMIT:
                continue
            options.append(
                discord.SelectOption(
                    label=truncate(f"{emoji} {pick.position}. {pick.label}", 100), value=value
                )
            )
    return options


def parse_rating(value: str) -> tuple[str, int]:
    """ "+1:<song id>" → (song id, +1)."""
    sign, _, song_id = value.partition(":")
    return song_id, (1 if sign == "+1" else -1)


class PicksView(OwnedView):
    """Under a list of songs: "More like this", a 👍/👎 menu for each pick, and — under a
    plain-language list — critique buttons and a "More like #…" menu (:class:`TalkButton`)."""

    def __init__(
        self, conversation: Conversation, owner_id: int, reply: Reply, *, timeout: float | None = VIEW_TIMEOUT
    ) -> None:
        super().__init__(conversation, owner_id, timeout=timeout)
        self.follow_up = reply.follow_up
        self.more_button.disabled = reply.follow_up is None
        options = rate_options(reply.picks)
        if options:
            as_select(self.rate_select).options = options
        else:
            self.remove_item(self.rate_select)
        buttons = [a for a in reply.actions if a.text in TALK_KEYS]
        for i, action in enumerate(buttons[:TALK_BUTTONS]):
            self.add_item(TalkButton(owner_id, TALK_KEYS[action.text], action.label, row=2 + i // 5))
        more_like = [a for a in reply.actions if a.text.startswith("more like #")]
        if more_like:
            self.add_item(TalkSelect(owner_id, len(more_like)))

    @discord.ui.button(label="More like this", emoji="🔁", style=discord.ButtonStyle.primary, row=0)
    async def more_button(
        self, interaction: discord.Interaction, button: discord.ui.Button[PicksView]
    ) -> None:
        who = await self.admit(interaction)
        if who is None:
            return
        await interaction.response.defer()  # engine work may outlast the 3-second window
        reply = await self.conversation.more(who, self.follow_up)
        await send_reply(interaction, reply, self.conversation)

    @discord.ui.select(placeholder="Rate a pick 👍/👎", min_values=1, max_values=1, row=1)
    async def rate_select(
        self, interaction: discord.Interaction, select: discord.ui.Select[PicksView]
    ) -> None:
        who = await self.admit(interaction)
        if who is None:
            return
        song_id, value = parse_rating(select.values[0])
        reply = await self.conversation.rate(who, song_id, value)
        await send_reply(interaction, reply, self.conversation, ephemeral=True)


#: Critique buttons: what pressing one types, and the short key its custom id carries.
TALK_KEYS: dict[str, str] = {
    "sadder": "sad",
    "happier": "happy",
    "calmer": "calm",
    "more energetic": "energy",
    "slower": "slow",
    "faster": "fast",
}
_TALK_TEXT = {key: text for text, key in TALK_KEYS.items()}
#: Critique buttons under one list (two rows of five at most; rows 0-1 hold the rest).
TALK_BUTTONS = 6


async def _talk(interaction: discord.Interaction, owner_id: int, text: str) -> None:
    """A press or a pick that types ``text`` for its owner: the same turn as typing it."""
    if interaction.user.id != owner_id:
        await send_to_interaction(
            interaction, hidden=True, content=NOT_YOURS_TALK, allowed_mentions=discord.AllowedMentions.none()
        )
        return
    conversation: Conversation | None = getattr(interaction.client, "conversation", None)
    if conversation is None:
        return
    who = requester_from_interaction(interaction)
    verdict = await conversation.admit_async(who)
    if not verdict.allowed:
        await send_reply(interaction, conversation.slow_down(verdict), conversation, ephemeral=True)
        return
    await interaction.response.defer()  # a turn may outlast Discord's 3 seconds
    reply = await conversation.ask(who, text)
    await send_reply(interaction, reply, conversation)


NOT_YOURS_TALK = (
    "These buttons change someone else's list — ask me yourself (mention me or /ask) to get your own."
)


class TalkButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cf:t:(?P<owner>[0-9]+):(?P<key>[a-z]+)"
):
    """A critique button ("Sadder", "Faster"…). Its custom id holds its owner and what it types,
    so it still works after a restart (the conversation itself is kept in the history store);
    anyone else pressing it gets a private note and changes nothing."""

    def __init__(self, owner_id: int, key: str, label: str, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, custom_id=f"cf:t:{owner_id}:{key}", row=row
            )
        )
        self.owner_id = owner_id
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TalkButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(int(match["owner"]), match["key"], label or match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        text = _TALK_TEXT.get(self.key)
        if text is not None:
            await _talk(interaction, self.owner_id, text)


class TalkSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"cf:m:(?P<owner>[0-9]+)"):
    """ "More like #…": a menu of the list's positions; picking one types "more like #N"."""

    def __init__(self, owner_id: int, n: int = 10) -> None:
        options = [
            discord.SelectOption(label=f"More like #{i}", value=str(i)) for i in range(1, max(1, n) + 1)
        ]
        super().__init__(
            discord.ui.Select(
                placeholder="More like #…",
                custom_id=f"cf:m:{owner_id}",
                options=options[:SELECT_OPTIONS_LIMIT],
                row=4,
            )
        )
        self.owner_id = owner_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> TalkSelect:
        return cls(int(match["owner"]), len(item.options) if isinstance(item, discord.ui.Select) else 10)

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        if values and values[0].isdigit():
            await _talk(interaction, self.owner_id, f"more like #{int(values[0])}")


class ChooseSongView(OwnedView):
    """ "Which one did you mean?": a select of candidate songs that re-runs the command."""

    def __init__(
        self, conversation: Conversation, owner_id: int, reply: Reply, *, timeout: float | None = VIEW_TIMEOUT
    ) -> None:
        super().__init__(conversation, owner_id, timeout=timeout)
        self.reply = reply
        fitted = reply.fitted().choices
        as_select(self.choose_select).options = [
            discord.SelectOption(label=c.label, value=c.value, description=c.description or None)
            for c in fitted[:SELECT_OPTIONS_LIMIT]
        ]

    @discord.ui.select(placeholder="Pick the song you meant", min_values=1, max_values=1)
    async def choose_select(
        self, interaction: discord.Interaction, select: discord.ui.Select[ChooseSongView]
    ) -> None:
        who = await self.admit(interaction)
        if who is None:
            return
        await self.close_with(interaction)
        result = await self.conversation.choose(who, self.reply, select.values[0])
        await send_reply(interaction, result, self.conversation)


class ConfirmView(OwnedView):
    """Confirm/Cancel before ``forget`` deletes everything stored about the user."""

    @discord.ui.button(label="Delete my data", emoji="🧹", style=discord.ButtonStyle.danger)
    async def confirm_button(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        who = await self.admit(interaction)
        if who is None:
            return
        await self.close_with(interaction)
        reply = await self.conversation.forget(who, confirmed=True)
        await send_reply(interaction, reply, self.conversation)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel_button(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        await self.close_with(interaction, content="Cancelled — nothing was deleted.")
