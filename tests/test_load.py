"""Load and concurrency: 100 users × 20 commands at once through the command path.

Correctness only — every request answered, every history row present, per-user
cooldowns holding — plus a generous bound on event-loop stalls. Timings are printed
(and written to the session's tmp dir), never asserted: benchmarks/bench_load.py is the
place for figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_load import cooldown_under_load, format_report, hammer, simulate, verify_rows
from bot.history import HistoryStore
from bot.ratelimit import RateLimiter

USERS = 100
PER_USER = 20
#: "A few milliseconds" is the goal; this bound only catches work done on the loop.
MAX_STALL_MS = 250.0


@pytest.mark.slow
async def test_100_users_20_commands_each(engine, tmp_path: Path, figures) -> None:
    store = await HistoryStore.open(tmp_path / "history.sqlite3")
    try:
        result = await simulate(engine, store, users=USERS, per_user=PER_USER)
        problems = await verify_rows(store, result)
        assert await store.integrity_ok()
        posted, answers, notices = await hammer(engine, store, commands=100)
        worst, bound, refused = await cooldown_under_load(engine, store, users=USERS, per_user=PER_USER)
    finally:
        await store.close()
    summary = result.summary() | {"row_problems": len(problems)}
    out = {
        "load": summary,
        "cooldown": {
            "hammer_commands": 100,
            "messages_posted": posted,
            "answers": answers,
            "notices": notices,
            "bound_per_minute": RateLimiter().max_messages_per_minute(),
        },
        "cooldown_under_load": {
            "max_messages_one_user": worst,
            "bound_per_minute": bound,
            "refused": refused,
        },
    }
    figures(format_report(out))

    assert result.errors == []
    assert result.requests == USERS * PER_USER
    assert result.answered == USERS * PER_USER and result.refused == 0
    assert len(result.latencies_ms) == USERS * PER_USER
    assert problems == [], problems[:10]
    assert sum(w["requests"] for w in result.expected.values()) > USERS  # rows were written
    assert result.write_transactions > 0
    assert result.max_stall_ms < MAX_STALL_MS, f"event loop blocked for {result.max_stall_ms:.0f} ms"
    # Cooldowns: a hammering user is bounded, under load too.
    assert posted <= RateLimiter().max_messages_per_minute()
    assert answers >= 5 and notices >= 1
    assert worst <= bound
    assert worst <= RateLimiter().rate + 1  # all at once: one window's answers + one notice


async def test_hammering_user_is_bounded_at_any_pace(engine, tmp_path: Path) -> None:
    """100 commands at once, over 10 s, a minute or two: never more than the bound per minute."""
    store = await HistoryStore.open(":memory:")
    try:
        bound = RateLimiter().max_messages_per_minute()
        for spread in (0.0, 10.0, 60.0, 120.0):
            # hammer() runs the default limiter on a fake clock spanning ``spread`` seconds.
            posted, answers, notices = await hammer(engine, store, commands=100, spread_s=spread)
            minutes = max(1.0, spread / 60.0)
            assert posted <= bound * minutes, (spread, posted, bound)
            assert answers >= 1
    finally:
        await store.close()


async def test_refused_requests_write_nothing(engine) -> None:
    """A refused request never reaches the engine or the history."""
    from bot.conversation import Conversation, Requester

    store = await HistoryStore.open(":memory:")
    try:
        clock = [0.0]
        conversation = Conversation(
            engine, store, limiter=RateLimiter(rate=2, per=60.0, clock=lambda: clock[0])
        )
        who = Requester(id=7)
        served = 0
        for _ in range(10):
            verdict = conversation.admit(who)
            if verdict.allowed:
                reply = await conversation.vibe(who, "chill", 2)
                assert not reply.error
                served += 1
        assert served == 2
        counts = await store.row_counts(who.id)
        assert counts["requests"] == 2
    finally:
        await store.close()
