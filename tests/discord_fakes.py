"""Small Discord fakes for driving slash commands, autocomplete and views without a gateway.

:class:`FakeInteraction` subclasses :class:`discord.Interaction` (without its
constructor) so discord.py's own code paths accept it — ``bot.tree._call`` runs the
real hybrid slash pipeline on it — while ``response``/``followup`` only record what
the bot would have sent. :func:`make_bot` builds a dpytest-configured ClusterfyBot
over the session engine, for prefix and slash tests alike.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import discord
import discord.ext.test as dpytest
from discord.utils import MISSING

from bot.client import ClusterfyBot
from bot.config import Settings
from bot.history import HistoryStore
from bot.ratelimit import RateLimiter

_ids = itertools.count(1)


def snowflake() -> int:
    return discord.utils.time_snowflake(datetime.now(UTC)) + next(_ids)


def _clean(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in kwargs.items() if v is not MISSING}


def http_error(
    cls: type[discord.HTTPException] = discord.NotFound, status: int = 404, text: str = "Unknown Message"
) -> discord.HTTPException:
    return cls(SimpleNamespace(status=status, reason=text), text)


@dataclass
class FakeMessage:
    """What a send returns; records edits, or fails them with ``edit_error``."""

    content: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    edit_error: Exception | None = None
    id: int = field(default_factory=snowflake)

    async def edit(self, **kwargs: Any) -> FakeMessage:
        if self.edit_error is not None:
            raise self.edit_error
        self.edits.append(kwargs)
        return self

    async def delete(self, *, delay: float | None = None) -> None:
        pass


class FakeResponse:
    """Records InteractionResponse calls; enforces "respond only once" like Discord."""

    def __init__(self, parent: FakeInteraction, done: bool = False) -> None:
        self._parent = parent
        self._done = done
        self.sent: list[dict[str, Any]] = []
        self.deferred: list[dict[str, Any]] = []
        self.edited: list[dict[str, Any]] = []
        self.autocompleted: list[list[discord.app_commands.Choice[Any]]] = []
        self.error: Exception | None = None  # raised by the next send_message

    def is_done(self) -> bool:
        return self._done

    def _respond(self) -> None:
        if self._done:
            raise discord.InteractionResponded(self._parent)  # type: ignore[arg-type]
        self._done = True

    async def send_message(self, content: Any = None, **kwargs: Any) -> SimpleNamespace:
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        self._respond()
        self.sent.append(_clean({"content": content, **kwargs}))
        return SimpleNamespace(resource=None)

    async def defer(self, **kwargs: Any) -> None:
        self._respond()
        self.deferred.append(kwargs)

    async def edit_message(self, **kwargs: Any) -> None:
        self._respond()
        self.edited.append(kwargs)

    async def autocomplete(self, choices: list[Any]) -> None:
        self._respond()
        self.autocompleted.append(list(choices))


class FakeFollowup:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, content: Any = None, **kwargs: Any) -> FakeMessage:
        payload = _clean({"content": content, **kwargs})
        self.sent.append(payload)
        return FakeMessage(content=payload.get("content"), kwargs=payload)


class FakeInteraction(discord.Interaction):
    """An interaction whose answers are recorded instead of sent."""

    def __init__(
        self,
        user: Any,
        *,
        client: discord.Client | None = None,
        channel: Any = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        data: dict[str, Any] | None = None,
        type: discord.InteractionType = discord.InteractionType.component,
        response_done: bool = False,
        expired: bool = False,
    ) -> None:
        # discord.Interaction.__init__ needs a gateway payload; set its slots directly.
        self.id = snowflake()
        self.type = type
        self.data = data or {}
        self.application_id = 1
        self.message = None
        self.user = user
        self.token = "fake"
        self.version = 1
        self.locale = discord.Locale.american_english
        self.guild_locale = None
        self.extras = {}
        self.command_failed = False
        self.entitlement_sku_ids = []
        self.entitlements = []
        self.context = None
        self._integration_owners = {}
        self._permissions = 0
        self._app_permissions = 0
        self._state = client._connection if client is not None else None  # type: ignore[assignment]
        self._client = client  # type: ignore[assignment]
        self._session = None  # type: ignore[assignment]
        self._baton = MISSING
        self._original_response = None
        self.channel = channel
        guild = getattr(channel, "guild", None)
        self.guild_id = guild_id if guild_id is not None else (guild.id if guild else None)
        self._fake_channel_id = channel_id if channel_id is not None else getattr(channel, "id", None)
        self._cs_response = FakeResponse(self, done=response_done)  # type: ignore[assignment]
        self._cs_followup = FakeFollowup()  # type: ignore[assignment]
        self._cs_command = None
        self._expired = expired
        self.original = FakeMessage()
        self.errors: list[Exception] = []  # command errors seen while running it

    @property
    def channel_id(self) -> int | None:  # type: ignore[override]
        return self._fake_channel_id

    @property
    def fake_response(self) -> FakeResponse:
        return self._cs_response  # type: ignore[return-value]

    @property
    def fake_followup(self) -> FakeFollowup:
        return self._cs_followup  # type: ignore[return-value]

    def is_expired(self) -> bool:
        return self._expired

    async def original_response(self) -> FakeMessage:  # type: ignore[override]
        return self.original

    def all_sent(self) -> list[dict[str, Any]]:
        """Every message payload, response first then followups."""
        return [*self.fake_response.sent, *self.fake_followup.sent]


def slash_data(name: str, **options: Any) -> dict[str, Any]:
    """Application-command interaction data for ``/name option=value…`` (str/int options)."""
    opts = []
    for key, value in options.items():
        if value is None:
            continue
        opts.append({"name": key, "type": 4 if isinstance(value, int) else 3, "value": value})
    return {"type": 1, "name": name, "id": str(snowflake()), "options": opts}


def autocomplete_data(name: str, focused: str, value: str, **others: Any) -> dict[str, Any]:
    data = slash_data(name, **others)
    data["options"].append({"name": focused, "type": 3, "value": value, "focused": True})
    return data


async def make_bot(
    engine: Any, *, limiter: RateLimiter | None = None, store: HistoryStore | None = None
) -> ClusterfyBot:
    """A ClusterfyBot over ``engine`` with an in-memory history, configured for dpytest."""
    store = store or await HistoryStore.open(":memory:")
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True  # dpytest's fake members are only cached with this intent
    bot = ClusterfyBot(
        Settings(prefix="!"),
        engine=engine,
        store=store,
        limiter=limiter or RateLimiter(rate=10_000, per=1.0),
        sync_commands=False,
        intents=intents,
    )
    await bot._async_setup_hook()  # what login() would do: bind the loop
    await bot.setup_hook()
    dpytest.configure(bot)
    return bot


async def close_bot(bot: ClusterfyBot) -> None:
    await dpytest.empty_queue()
    bot.ws = None  # dpytest's fake websocket has no socket to close
    await bot.close()


async def run_slash(
    bot: ClusterfyBot, name: str, *, member: Any = None, channel: Any = None, **options: Any
) -> FakeInteraction:
    """Run ``/name`` through the real command tree (hybrid slash path) and wait for events."""
    cfg = dpytest.get_config()
    interaction = FakeInteraction(
        member or cfg.members[0],
        client=bot,
        channel=channel or cfg.channels[0],
        data=slash_data(name, **options),
        type=discord.InteractionType.application_command,
    )
    await bot.tree._call(interaction)
    await dpytest.run_all_events()
    # Hybrid slash errors are reported as command errors, which dpytest queues too.
    queue = dpytest.runner.error_queue
    while not queue.empty():
        interaction.errors.append(queue.get_nowait()[1])
    return interaction


async def run_autocomplete(
    bot: ClusterfyBot, name: str, focused: str, value: str, **others: Any
) -> list[discord.app_commands.Choice[Any]]:
    cfg = dpytest.get_config()
    interaction = FakeInteraction(
        cfg.members[0],
        client=bot,
        channel=cfg.channels[0],
        data=autocomplete_data(name, focused, value, **others),
        type=discord.InteractionType.autocomplete,
    )
    await bot.tree._call(interaction)
    sent = interaction.fake_response.autocompleted
    assert len(sent) == 1, "autocomplete must answer exactly once"
    return sent[0]
