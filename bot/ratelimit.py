"""Per-user rate limiting shared by every transport.

A sliding window per user bounds how many answers one person can make the bot post;
the first refused request gets one "slow down" notice and later ones in the same
window get nothing, so a flood cannot turn into a flood of notices either.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    notify: bool = False  # send a single "slow down" notice
    retry_after: float = 0.0


class RateLimiter:
    """At most ``rate`` requests per ``per`` seconds per user (sliding window)."""

    def __init__(self, rate: int = 5, per: float = 15.0, clock: Callable[[], float] = time.monotonic) -> None:
        if rate < 1 or per <= 0:
            raise ValueError("rate must be >= 1 and per > 0")
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._notified_until: dict[int, float] = {}

    def check(self, user_id: int) -> Verdict:
        """Record a request by ``user_id`` and say whether to serve it."""
        now = self._clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and now - hits[0] >= self.per:
            hits.popleft()
        if len(hits) < self.rate:
            hits.append(now)
            return Verdict(True)
        retry = self.per - (now - hits[0])
        if self._notified_until.get(user_id, 0.0) > now:
            return Verdict(False, notify=False, retry_after=retry)
        self._notified_until[user_id] = now + retry
        return Verdict(False, notify=True, retry_after=retry)

    async def acheck(self, user_id: int) -> Verdict:
        """:meth:`check` for async callers; a shared limiter (bot.ratelimit_pg) overrides it."""
        return self.check(user_id)

    def max_messages_per_minute(self) -> int:
        """Upper bound of messages one user can cause per minute (answers + notices)."""
        windows = math.ceil(60.0 / self.per) + 1  # a sliding minute touches this many windows
        return windows * (self.rate + 1)
