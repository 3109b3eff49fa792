"""Privacy: ``history`` (what is stored about you) and ``forget`` (delete it, after confirming).

On slash commands both answers are ephemeral: they are about one user only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord.ext import commands

from ..commands import spec
from . import ConversationCog, hybrid_command

if TYPE_CHECKING:
    from ..client import ClusterfyBot


class History(ConversationCog):
    """What the bot remembers about a user, and how to erase it."""

    @hybrid_command(spec("history"))
    async def history(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, self.conversation.history, ephemeral=True)

    @hybrid_command(spec("forget"))
    async def forget(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, lambda who: self.conversation.forget(who, confirmed=False), ephemeral=True)


async def setup(bot: ClusterfyBot) -> None:
    await bot.add_cog(History(bot))
