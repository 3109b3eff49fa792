"""Moods: ``cluster <song>``, ``vibe <mood> [count]``, ``moods``.

Like ``recommend``, the prefix form takes the rest of the line and splits a trailing
count off; ``count`` and ``filters`` are slash options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from discord import app_commands
from discord.ext import commands

from ..commands import spec
from ..conversation import MAX_COUNT
from ..replies import Reply, Requester
from . import ConversationCog, hybrid_command, mood_autocomplete, song_autocomplete

if TYPE_CHECKING:
    from ..client import ClusterfyBot


class Moods(ConversationCog):
    """Mood clusters: which mood a song is in, songs of a mood, all moods."""

    @hybrid_command(spec("cluster"))
    @app_commands.autocomplete(song=song_autocomplete)
    @app_commands.describe(song="A song title, optionally with the artist")
    async def cluster(self, ctx: commands.Context[Any], *, song: str) -> None:
        await self.run(ctx, lambda who: self.conversation.cluster(who, song))

    @hybrid_command(spec("vibe"))
    @app_commands.autocomplete(mood=mood_autocomplete)
    @app_commands.describe(
        mood="A mood, e.g. chill",
        count=f"How many songs (1–{MAX_COUNT})",
        filters="Optional filters, e.g. tempo 90-110",
    )
    async def vibe(
        self,
        ctx: commands.Context[Any],
        *,
        mood: str,
        count: app_commands.Range[int, 1, MAX_COUNT] | None = None,
        filters: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        async def action(who: Requester) -> Reply:
            word, how_many = await self.typed_count(ctx, mood, count, titles=False)
            return await self.conversation.vibe(who, word, how_many, filters or "")

        await self.run(ctx, action)

    @hybrid_command(spec("moods"))
    async def moods(self, ctx: commands.Context[Any]) -> None:
        await self.run(ctx, self.conversation.moods)


async def setup(bot: ClusterfyBot) -> None:
    await bot.add_cog(Moods(bot))
