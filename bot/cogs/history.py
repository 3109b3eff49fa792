"""Privacy: ``history`` (what is stored about you) and ``forget`` (delete it, after confirming).

On slash commands both answers are ephemeral: they are about one user only.
"""

from __future__ import annotations

from typing import Any

from discord.ext import commands

from . import ConversationCog


class History(ConversationCog):
    """What the bot remembers about a user, and how to erase it."""

    @commands.hybrid_command(name="history", description="Your recent requests and ratings.")
    async def history(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, self.conversation.history, ephemeral=True)

    @commands.hybrid_command(name="forget", description="Delete everything stored about you.")
    async def forget(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, lambda who: self.conversation.forget(who, confirmed=False),
                       ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(History(bot))  # type: ignore[arg-type]
