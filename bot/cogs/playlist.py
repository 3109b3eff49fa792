"""Playlists: ``playlist <song | mood | foryou | a -> b | last> [count]``.

The answer lists the songs with links and attaches them as ``.m3u`` and ``.csv``.
"""

from __future__ import annotations

from typing import Any

from discord import app_commands
from discord.ext import commands

from ..commands import spec
from ..conversation import MAX_PLAYLIST
from ..replies import Reply, Requester
from . import ConversationCog, hybrid_command, song_autocomplete


class Playlists(ConversationCog):
    """Smoothly ordered playlists from a song, a mood, your taste, or between two songs."""

    @hybrid_command(spec("playlist"))
    @app_commands.autocomplete(source=song_autocomplete)
    @app_commands.describe(
        source="A song, a mood, foryou, 'first song -> last song', or last",
        count=f"How many songs (2–{MAX_PLAYLIST}, default 15)",
    )
    async def playlist(
        self,
        ctx: commands.Context[Any],
        *,
        source: str,
        count: app_commands.Range[int, 2, MAX_PLAYLIST] | None = None,
    ) -> None:
        async def action(who: Requester) -> Reply:
            text, how_many = await self.typed_count(ctx, source, count)
            return await self.conversation.playlist(who, text, how_many)

        await self.run(ctx, action)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Playlists(bot))  # type: ignore[arg-type]
