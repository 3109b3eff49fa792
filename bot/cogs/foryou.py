"""For you: ``foryou [count]`` and ``foryou start a, b, c``.

The prefix form takes the rest of the line, so ``!foryou start la java, despacito`` reaches
the conversation whole; the slash form has a ``count`` option and a ``start`` option.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.ext import commands

from ..commands import spec
from ..conversation import MAX_COUNT
from ..replies import Reply, Requester
from . import ConversationCog, hybrid_command


class ForYou(ConversationCog):
    """Picks from a member's own 👍/👎 and the songs they asked about."""

    @hybrid_command(spec("foryou"))
    @app_commands.describe(
        count=f"How many songs (1–{MAX_COUNT})",
        start="A few songs you like, separated by commas (counted as 👍)",
    )
    async def foryou(
        self,
        ctx: commands.Context[Any],
        *,
        count: str | None = None,
        start: app_commands.Range[str, 1, 400] | None = None,
    ) -> None:
        async def action(who: Requester) -> Reply:
            if start:
                return await self.conversation.foryou_start(who, start)
            return await self.conversation.foryou(who, count)

        await self.run(ctx, action)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(ForYou(bot))  # type: ignore[arg-type]
