"""The Discord client: wiring only — engine, history store, conversation, cogs, slash sync.

Command logic lives in :mod:`bot.conversation`; this module connects it to Discord.
The token is only ever handed to discord.py, never logged.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import aiohttp
import discord
from discord.ext import commands

from engine.service import Engine

from .cogs import EXTENSIONS, run_command
from .config import Settings
from .conversation import Conversation
from .errors import install_error_handlers
from .history_pg import PgHistoryStore
from .message_routing import EMPTY_REPLY_HINT, Route, route
from .ratelimit import RateLimiter
from .ratelimit_pg import PgRateLimiter
from .replies import Reply
from .startup import load_engine, open_store
from .store import Store
from .views import TalkButton, TalkSelect

logger = logging.getLogger(__name__)


class ClusterfyBot(commands.Bot):
    """Clusterfy on Discord.

    ``engine``, ``store`` and ``limiter`` may be injected (tests, embedding);
    ``sync_commands=False`` skips publishing slash commands, and ``intents`` overrides
    the default intents (tests: dpytest needs the members intent).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        store: Store | None = None,
        limiter: RateLimiter | None = None,
        sync_commands: bool = True,
        intents: discord.Intents | None = None,
    ) -> None:
        if intents is None:
            intents = discord.Intents.default()
            # prefix commands need to read message text; mentions, DMs and replies that ping
            # the bot arrive with their text either way (Discord's rule)
            intents.message_content = settings.message_content
        # Any: these reach AutoShardedBot through the MRO (ShardedClusterfyBot), a path the
        # type checker cannot follow from commands.Bot's signature.
        shard_options: dict[str, Any] = {}
        if isinstance(self, commands.AutoShardedBot):  # see create_bot
            shard_options = {
                "shard_count": settings.shard_count,
                "shard_ids": list(settings.shard_ids) if settings.shard_ids else None,
            }
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.prefix),
            intents=intents,
            help_command=None,  # ours is the help cog
            allowed_mentions=discord.AllowedMentions.none(),
            case_insensitive=True,
            strip_after_prefix=True,
            **shard_options,
        )
        self.settings = settings
        self.engine = engine
        self.store = store
        self.limiter = limiter
        self.sync_commands = sync_commands
        self.conversation: Conversation  # set in setup_hook

    async def setup_hook(self) -> None:
        """Load the model (off the loop), open the history, add cogs, sync slash commands."""
        if self.store is None:  # first: a bad database path fails before a model build
            self.store = await open_store(self.settings)
        if self.limiter is None and isinstance(self.store, PgHistoryStore):
            # Processes sharing a PostgreSQL history share the per-member rate limit too.
            self.limiter = PgRateLimiter(self.store)
        if self.engine is None:
            logger.info("loading the mood model (the first run builds it from the catalog)…")
            self.engine = await asyncio.to_thread(load_engine, self.settings, logger.info)
            # The model's millions of objects live as long as the bot: keep them out of
            # the garbage collector's scans, whose pauses would stall the event loop.
            gc.freeze()
        self.conversation = Conversation(
            self.engine, self.store, prefix=self.settings.prefix, limiter=self.limiter
        )
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        # critique buttons and menus keep working after a restart (their ids say what they do)
        self.add_dynamic_items(TalkButton, TalkSelect)
        install_error_handlers(self)
        if self.sync_commands:
            await self.sync_tree()

    async def process_commands(self, message: discord.Message, /) -> None:
        """Commands as discord.py runs them; mentions, DMs and replies to us as plain language.

        See :mod:`bot.message_routing` for which is which; the language path goes through
        the same gate and rendering as every command (:func:`bot.cogs.run_command`).
        """
        if message.author.bot:
            return
        ctx = await self.get_context(message)
        me = self.user
        mentioned_prefix = bool(ctx.prefix) and me is not None and str(me.id) in (ctx.prefix or "")
        reference = message.reference
        resolved = reference.resolved if reference is not None else None
        replies_to_bot = (
            me is not None and isinstance(resolved, discord.Message) and resolved.author.id == me.id
        )
        routing = route(
            message.content,
            prefix=ctx.prefix if ctx.valid or ctx.prefix else None,
            mentioned_prefix=mentioned_prefix,
            command_name=ctx.command.name if ctx.command is not None else None,
            invoked_with=ctx.invoked_with,
            is_dm=message.guild is None,
            replies_to_bot=replies_to_bot,
            mentions_bot=me is not None and me in message.mentions,
        )
        conversation = self.conversation
        if routing.route is Route.COMMAND:
            await self.invoke(ctx)
        elif routing.route is Route.EMPTY_REPLY:
            await run_command(ctx, conversation, lambda who: _hint(EMPTY_REPLY_HINT))
        elif routing.route is Route.TALK:
            await run_command(ctx, conversation, lambda who: conversation.ask(who, routing.text))
        elif routing.route is Route.TALK_OR_COMMAND:
            request = await asyncio.to_thread(conversation.engine.reader.read, routing.text)
            if request.intent == "unknown":
                await self.invoke(ctx)  # the unknown-command answer, as before
            else:
                await run_command(
                    ctx, conversation, lambda who: conversation.ask(who, routing.text, request=request)
                )

    async def sync_tree(self) -> None:
        """Publish slash commands: instantly to DEV_GUILD_ID, else globally (may take a while).

        A failed sync is logged, not fatal: prefix commands keep working.
        """
        guild_id = self.settings.dev_guild_id
        try:
            if guild_id:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                logger.info("synced %d slash commands to guild %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                logger.info(
                    "synced %d slash commands globally (they can take up to an hour "
                    "to appear; set DEV_GUILD_ID for instant updates while testing)",
                    len(synced),
                )
        except discord.Forbidden:
            logger.error(
                "could not sync slash commands to guild %s: invite the bot there with "
                "the applications.commands scope, or unset DEV_GUILD_ID",
                guild_id,
            )
        except discord.HTTPException as exc:
            logger.error("could not sync slash commands: %s %s", exc.status, exc.text)

    async def on_ready(self) -> None:
        user = self.user
        logger.info(
            "logged in as %s (id %s) in %d servers; prefix %s and slash commands ready",
            user,
            user.id if user else "?",
            len(self.guilds),
            self.settings.prefix,
        )
        if self.settings.sharded:
            logger.info(
                "running shards %s of %d",
                list(getattr(self, "shard_ids", None) or []) or "all",
                self.settings.shard_count,
            )
        if not self.intents.message_content:
            logger.warning(
                "the message content intent is off: prefix commands like %srecommend "
                "won't see any text; mentions, DMs, replies that ping the bot and slash "
                "commands work. Enable MESSAGE CONTENT INTENT in the Developer Portal → Bot "
                "(and MESSAGE_CONTENT_INTENT=on) for prefix commands.",
                self.settings.prefix,
            )

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self.store is not None:
                await self.store.close()


async def _hint(text: str) -> Reply:
    return Reply(text=text, error=True)


class ShardedClusterfyBot(ClusterfyBot, commands.AutoShardedBot):
    """Clusterfy over several gateway shards (discord.py's AutoShardedBot): SHARD_COUNT shards in
    total, of which this process runs SHARD_IDS (all of them when unset). Several processes,
    each with its own SHARD_IDS and one shared PostgreSQL history, serve one large bot."""


def create_bot(settings: Settings, **kwargs: Any) -> ClusterfyBot:
    """The bot ``settings`` ask for: sharded when SHARD_COUNT is set, else one plain connection."""
    cls = ShardedClusterfyBot if settings.sharded else ClusterfyBot
    return cls(settings, **kwargs)


def run_bot(settings: Settings) -> int:
    """Connect and serve until stopped; returns the process exit code."""

    async def serve() -> None:
        async with create_bot(settings) as bot:
            await bot.start(settings.token)

    try:
        asyncio.run(serve())
    except discord.LoginFailure:
        logger.error(
            "Discord rejected DISCORD_TOKEN; copy it again from the Developer Portal (Bot → Reset Token)"
        )
        return 1
    except discord.PrivilegedIntentsRequired:
        logger.error(
            "the message content intent is not enabled for this bot: enable MESSAGE "
            "CONTENT INTENT in the Developer Portal → Bot → Privileged Gateway Intents, or set "
            "MESSAGE_CONTENT_INTENT=off (mentions, DMs, replies and slash commands still work)"
        )
        return 1
    except (aiohttp.ClientError, OSError) as exc:  # no network, DNS, TLS, proxy
        logger.error(
            "cannot reach Discord (%s); check the network connection and try again", type(exc).__name__
        )
        return 1
    except KeyboardInterrupt:
        pass
    return 0
