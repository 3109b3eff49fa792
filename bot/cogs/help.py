"""``help``: the command list with examples (the built-in help command is disabled)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

from ..commands import spec
from ..replies import Reply, Requester
from . import ConversationCog, hybrid_command

if TYPE_CHECKING:
    from ..client import ClusterfyBot


class Help(ConversationCog):
    @hybrid_command(spec("help"))
    async def help_command(self, ctx: commands.Context[Any]) -> None:
        async def action(who: Requester) -> Reply:
            return self.conversation.help()

        await self.run(ctx, action)


async def setup(bot: ClusterfyBot) -> None:
    await bot.add_cog(Help(bot))
