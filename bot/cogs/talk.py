"""Plain language on Discord: ``/ask`` (and ``!ask``), mentions, DMs and replies to the bot.

``/ask`` is a hybrid command like the others. Mentions, DMs and replies reach the same
conversation from :meth:`ClusterfyBot.process_commands` (bot.client), which uses
:func:`bot.message_routing.route` to tell commands from sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import app_commands
from discord.ext import commands

from ..commands import spec
from . import ConversationCog, hybrid_command

if TYPE_CHECKING:
    from ..client import ClusterfyBot

#: Longest request ``/ask`` takes (the reader reads 400 characters; the rest is cut anyway).
MAX_ASK_CHARS = 1000


class Talk(ConversationCog):
    """Requests in people's words, refined turn by turn."""

    @hybrid_command(spec("ask"))
    @app_commands.describe(request="What you'd like to hear, e.g. something like In the End but calmer")
    async def ask(
        self, ctx: commands.Context[Any], *, request: app_commands.Range[str, 1, MAX_ASK_CHARS] = ""
    ) -> None:
        await self.run(ctx, lambda who: self.conversation.ask(who, request))


async def setup(bot: ClusterfyBot) -> None:
    await bot.add_cog(Talk(bot))
