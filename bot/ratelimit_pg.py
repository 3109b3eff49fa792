"""The per-user rate limit shared by every bot process that uses one PostgreSQL history.

With several processes (shards), a member can reach more than one of them (servers on
different shards, DMs on shard 0). An in-process :class:`~bot.ratelimit.RateLimiter` then
allows ``rate`` per process; this one keeps each member's sliding window in a PostgreSQL row,
so the limit holds across all of them.

One statement per check (``INSERT … ON CONFLICT DO UPDATE``) reads the member's window, drops
expired hits, admits or refuses, and decides the single "slow down" notice, all under the
row's lock: two processes checking the same member at once are serialised by the server and
never both take the last slot. Times are the server's clock, so processes on machines with
skewed clocks agree. If the database cannot be reached the check falls back to this process's
own window (logged) rather than refusing everybody or failing the command.

The table holds only the last window's request times per member; ``forget`` deletes its row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .history_pg import PgHistoryStore
from .ratelimit import RateLimiter, Verdict

log = logging.getLogger(__name__)

TABLE_SQL = """CREATE TABLE IF NOT EXISTS rate_windows (
    user_id        BIGINT PRIMARY KEY,
    hits           DOUBLE PRECISION[] NOT NULL,
    allowed        BOOLEAN NOT NULL,
    notify         BOOLEAN NOT NULL,
    notified_until DOUBLE PRECISION NOT NULL)"""

_NOW = "coalesce($2::float8, extract(epoch FROM statement_timestamp())::float8)"
_KEPT = f"ARRAY(SELECT h FROM unnest(rate_windows.hits) AS h WHERE h > {_NOW} - $3::float8 ORDER BY h)"
_FULL = f"cardinality({_KEPT}) >= $4::int"
_REFUSE_AND_NOTIFY = f"({_FULL} AND rate_windows.notified_until <= {_NOW})"
CHECK_SQL = f"""
INSERT INTO rate_windows AS rate_windows (user_id, hits, allowed, notify, notified_until)
VALUES ($1, ARRAY[{_NOW}], true, false, 0)
ON CONFLICT (user_id) DO UPDATE SET
    allowed = NOT {_FULL},
    notify = {_REFUSE_AND_NOTIFY},
    hits = CASE WHEN {_FULL} THEN {_KEPT} ELSE {_KEPT} || {_NOW} END,
    notified_until = CASE WHEN {_REFUSE_AND_NOTIFY} THEN ({_KEPT})[1] + $3::float8
                          ELSE rate_windows.notified_until END
RETURNING allowed, notify, hits[1] AS oldest, {_NOW} AS now"""


class PgRateLimiter(RateLimiter):
    """At most ``rate`` requests per ``per`` seconds per member, across every process on ``store``.

    ``clock`` is for tests (seconds, shared by the processes under test); None uses the
    server's clock. The synchronous :meth:`check` is this process's window only (the fallback).
    """

    def __init__(
        self,
        store: PgHistoryStore,
        rate: int = 5,
        per: float = 15.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if clock is None:
            super().__init__(rate, per)
        else:
            super().__init__(rate, per, clock=clock)
        self._store = store
        self._shared_clock = clock
        self._ready = False

    async def _ensure_table(self, con: Any) -> None:
        if not self._ready:
            async with con.transaction():
                await con.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('clusterfy.rate.' || current_schema()))"
                )
                await con.execute(TABLE_SQL)
            self._ready = True

    async def acheck(self, user_id: int) -> Verdict:
        """Record a request by ``user_id`` in the shared window and say whether to serve it."""
        now = self._shared_clock() if self._shared_clock else None
        try:
            async with self._store.driver.acquire() as con:
                await self._ensure_table(con)
                allowed, notify, oldest, server_now = await con.fetchrow(
                    CHECK_SQL, user_id, now, float(self.per), int(self.rate)
                )
        except Exception as exc:  # noqa: BLE001 - the limiter must never take a command down
            log.warning("shared rate limit unavailable, using this process's window: %s", exc)
            return self.check(user_id)
        if allowed:
            return Verdict(True)
        return Verdict(False, notify=bool(notify), retry_after=max(0.0, self.per - (server_now - oldest)))
