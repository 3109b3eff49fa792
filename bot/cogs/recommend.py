"""Recommendations: ``recommend <song> [count]``, ``more``, ``like <n>``, ``dislike <n>``, ``link <n>``.

Hybrid commands: one definition serves ``!recommend`` and ``/recommend``. The song is
keyword-only, so the prefix form takes the rest of the line (a trailing number is
split off as the count by the conversation); discord.py stops parsing prefix
arguments after the first keyword-only parameter, so ``count`` and ``filters`` are
slash options only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import app_commands
from discord.ext import commands

from ..commands import spec
from ..conversation import MAX_COUNT
from ..replies import Reply, Requester
from . import ConversationCog, hybrid_command, song_autocomplete

if TYPE_CHECKING:
    from ..client import ClusterfyBot


class Recommend(ConversationCog):
    """Songs that sound like a song, and feedback on them."""

    @hybrid_command(spec("recommend"))
    @app_commands.autocomplete(song=song_autocomplete)
    @app_commands.describe(
        song="A song title, optionally with the artist",
        count=f"How many songs (1–{MAX_COUNT})",
        filters="Optional filters, e.g. energy>0.5 tempo 90-130",
    )
    async def recommend(
        self,
        ctx: commands.Context[Any],
        *,
        song: str,
        count: app_commands.Range[int, 1, MAX_COUNT] | None = None,
        filters: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        async def action(who: Requester) -> Reply:
            title, how_many = await self.typed_count(ctx, song, count)
            return await self.conversation.recommend(who, title, how_many, filters or "")

        await self.run(ctx, action)

    @hybrid_command(spec("more"))
    async def more(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, self.conversation.more)

    @hybrid_command(spec("like"))
    @app_commands.describe(number="The song's number in your last list")
    async def like(self, ctx: commands.Context[Any], number: commands.Range[int, 1, 25]) -> None:
        await self.run(ctx, lambda who: self.conversation.like(who, number))

    @hybrid_command(spec("dislike"))
    @app_commands.describe(number="The song's number in your last list")
    async def dislike(self, ctx: commands.Context[Any], number: commands.Range[int, 1, 25]) -> None:
        await self.run(ctx, lambda who: self.conversation.dislike(who, number))

    @hybrid_command(spec("link"))
    @app_commands.describe(number="The song's number in your last list")
    async def link(self, ctx: commands.Context[Any], number: commands.Range[int, 1, 25]) -> None:
        await self.run(ctx, lambda who: self.conversation.link(who, number), ephemeral=True)


async def setup(bot: ClusterfyBot) -> None:
    await bot.add_cog(Recommend(bot))
