"""The per-member rate limit shared through PostgreSQL: several processes (here: several
stores, each with its own pool, as separate processes have) enforce one limit together."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.history_pg import PgHistoryStore
from bot.ratelimit import RateLimiter
from bot.ratelimit_pg import PgRateLimiter


@pytest.fixture
async def stores(pg_url: str):
    """Three stores on one schema: three bot processes sharing one PostgreSQL history."""
    opened = [await PgHistoryStore.open(pg_url, max_connections=4) for _ in range(3)]
    yield opened
    for s in opened:
        await s.close()


async def test_the_limit_holds_across_processes(stores) -> None:
    clock = [1000.0]
    limiters = [PgRateLimiter(s, rate=5, per=15.0, clock=lambda: clock[0]) for s in stores]
    verdicts = []
    for i in range(12):  # one member, spread over the three processes
        clock[0] = 1000.0 + i * 0.5
        verdicts.append(await limiters[i % 3].acheck(77))
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 7
    assert [v.notify for v in verdicts[5:]] == [True] + [False] * 6  # one notice, not one per process
    assert verdicts[5].retry_after == pytest.approx(15.0 - 2.5)
    clock[0] = 1015.0 + 0.01  # the first hit left the window: one slot frees up
    assert (await limiters[1].acheck(77)).allowed
    assert not (await limiters[2].acheck(77)).allowed
    assert (await limiters[0].acheck(78)).allowed  # another member has their own window


async def test_simultaneous_requests_never_share_the_last_slot(stores) -> None:
    limiters = [PgRateLimiter(s, rate=5, per=60.0) for s in stores]  # the server's clock
    verdicts = await asyncio.gather(*(limiters[i % 3].acheck(99) for i in range(40)))
    assert sum(v.allowed for v in verdicts) == 5
    assert sum(v.notify for v in verdicts) == 1


async def test_database_trouble_falls_back_to_this_process(stores, caplog) -> None:
    limiter = PgRateLimiter(stores[0], rate=2, per=60.0)
    assert (await limiter.acheck(5)).allowed
    await stores[0].close()
    with caplog.at_level(logging.WARNING, logger="bot.ratelimit_pg"):
        verdicts = [await limiter.acheck(5) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, False, False]  # still limited, never an error
    assert "this process's window" in caplog.text


async def test_forget_clears_the_members_window(stores) -> None:
    limiter = PgRateLimiter(stores[0], rate=1, per=60.0)
    assert (await limiter.acheck(5)).allowed
    assert not (await limiter.acheck(5)).allowed
    await stores[1].forget(5)
    assert (await limiter.acheck(5)).allowed


async def test_a_bot_on_postgresql_shares_its_limit(engine, pg_url: str) -> None:
    from bot.client import ClusterfyBot
    from bot.config import Settings
    from bot.history import HistoryStore

    pg = ClusterfyBot(Settings(), engine=engine, store=await PgHistoryStore.open(pg_url), sync_commands=False)
    lite = ClusterfyBot(
        Settings(), engine=engine, store=await HistoryStore.open(":memory:"), sync_commands=False
    )
    try:
        for bot in (pg, lite):
            await bot._async_setup_hook()
            await bot.setup_hook()
        assert isinstance(pg.conversation.limiter, PgRateLimiter)
        assert type(lite.conversation.limiter) is RateLimiter
    finally:
        for bot in (pg, lite):
            await bot.close()
