"""Friends: ``taste @member``, ``blend @a @b …`` (up to 4 besides you), ``privacy on|off``.

Members are real mentions here (a Discord member converter); mentions are never pinged
(AllowedMentions.none in discord_io). ``privacy`` answers ephemerally on slash.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from ..commands import spec
from ..replies import Requester
from . import ConversationCog, hybrid_command


def _who(member: discord.abc.User) -> Requester:
    return Requester(id=member.id, name=getattr(member, "display_name", "") or member.name)


class Friends(ConversationCog):
    """Compare tastes and blend them; opt out of both."""

    @hybrid_command(spec("taste"))
    @app_commands.describe(member="The member to compare with")
    async def taste(self, ctx: commands.Context[Any], member: discord.Member) -> None:
        await self.run(ctx, lambda who: self.conversation.taste(who, _who(member)))

    @hybrid_command(spec("blend"))
    @app_commands.describe(a="A member", b="Another member", c="Another member", d="Another member")
    async def blend(
        self,
        ctx: commands.Context[Any],
        a: discord.Member,
        b: discord.Member | None = None,
        c: discord.Member | None = None,
        d: discord.Member | None = None,
    ) -> None:
        members = [_who(m) for m in (a, b, c, d) if m is not None]
        await self.run(ctx, lambda who: self.conversation.blend(who, members))

    @hybrid_command(spec("privacy"))
    @app_commands.describe(setting="on: nobody can compare or blend with you; off: they can")
    @app_commands.choices(
        setting=[app_commands.Choice(name="on", value="on"), app_commands.Choice(name="off", value="off")]
    )
    async def privacy(self, ctx: commands.Context[Any], setting: str | None = None) -> None:
        await self.run(ctx, lambda who: self.conversation.privacy(who, setting), ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Friends(bot))  # type: ignore[arg-type]
