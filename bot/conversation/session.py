"""What every feature of the conversation stands on: the member's session and the shared plumbing.

:class:`ConversationBase` holds the engine, the history store and the rate limiter, and the
per-member :class:`Session` that "more", "like 2" and a pending question refer to. Its
helpers are the steps every command shares: run engine work off the event loop, skip what
the member was shown or rated 👎, record what was answered, word an engine error, and
answer with a card of numbered picks. The feature mixins (``songs``, ``moods``,
``listeners``, ``friends``, ``history``, ``lines``) build on it.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from engine.dialogue import DialogueState
from engine.errors import EngineError, NoMatchError
from engine.results import Pick, Song
from engine.service import Engine

from ..ratelimit import RateLimiter, Verdict
from ..replies import COLOR_OK, Card, FollowUp, PickRef, Reply, Requester, error_reply, escape, slow_down_text
from ..store import Store
from .render import pick_fields, pick_refs

#: Sessions kept in memory (last picks, pending choice); the oldest are forgotten first.
MAX_SESSIONS = 10_000

T = TypeVar("T")


@dataclass
class Session:
    """Per-user short-term state for text front ends: what "more" and "like 2" refer to."""

    picks: tuple[PickRef, ...] = ()
    follow_up: FollowUp | None = None
    pending: Reply | None = None  # a reply that asked a question (choices or confirm)


class ConversationBase:
    """Command logic's common ground over an :class:`Engine` and a history store (SQLite or PostgreSQL)."""

    def __init__(
        self, engine: Engine, store: Store, *, prefix: str = "!", limiter: RateLimiter | None = None
    ) -> None:
        self.engine = engine
        self.store = store
        self.prefix = prefix
        self.limiter = limiter or RateLimiter()
        self._sessions: OrderedDict[int, Session] = OrderedDict()
        #: Plain-language conversations by (member, channel), in front of the store (see talk).
        self._dialogues: OrderedDict[tuple[int, int], DialogueState] = OrderedDict()

    # -- admission -------------------------------------------------------------
    def admit(self, who: Requester) -> Verdict:
        """Rate-limit gate; transports call it before running a command."""
        return self.limiter.check(who.id)

    async def admit_async(self, who: Requester) -> Verdict:
        """The gate as transports use it: shared across processes when the limiter is (PostgreSQL)."""
        return await self.limiter.acheck(who.id)

    @staticmethod
    def slow_down(verdict: Verdict) -> Reply:
        """The notice for a refused request (same wording as discord.py's cooldowns)."""
        return Reply(text=slow_down_text(verdict.retry_after), error=True)

    # -- the member's session ----------------------------------------------------
    def session(self, who: Requester) -> Session:
        """``who``'s session, created on first use and kept as the most recently used."""
        s = self._sessions.pop(who.id, None) or Session()
        self._sessions[who.id] = s
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return s

    def drop_member(self, user_id: int) -> None:
        """Forget ``user_id``'s session and conversations held in memory (``forget``)."""
        self._sessions.pop(user_id, None)
        for key in [k for k in self._dialogues if k[0] == user_id]:
            del self._dialogues[key]

    # -- steps every command shares ---------------------------------------------
    async def _run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        """Run blocking engine work off the event loop."""
        return await asyncio.to_thread(functools.partial(fn, *args, **kwargs))

    async def _excluded(self, who: Requester) -> frozenset[str]:
        """Songs this user must not be shown again: already shown, or rated 👎."""
        shown = await self.store.shown_song_ids(who.id)
        disliked = await self.store.disliked_song_ids(who.id)
        return frozenset(shown | disliked)

    async def _remember(
        self, who: Requester, command: str, query: str, seed: Song | None, song_ids: list[str]
    ) -> None:
        """Record an answered request and the songs it showed.

        A query that is the seed's id (a menu choice, "More like this") is stored as the
        seed's title, which is what the user picked and what ``history`` should show.
        """
        if seed is not None and query == seed.id:
            query = seed.name
        request_id = await self.store.record_request(
            who.id,
            command,
            query,
            seed.id if seed else None,
            guild_id=who.guild_id,
            channel_id=who.channel_id,
            name=who.name or None,
        )
        if song_ids:
            await self.store.record_shown(request_id, who.id, song_ids)

    def _engine_error(self, exc: EngineError, what: str) -> Reply:
        """An engine error as a short answer: no match gets suggestions or a spelling hint."""
        if isinstance(exc, NoMatchError):
            hint = (
                "Did you mean: " + " · ".join(escape(s, 90) for s in exc.suggestions[:5])
                if exc.suggestions
                else f"Check the spelling or type part of the title, e.g. {self.prefix}recommend la java"
            )
            return error_reply(f"No song matches “{escape(what, 80)}”.", hint)
        hint = ("Try: " + ", ".join(escape(s, 90) for s in exc.suggestions[:5])) if exc.suggestions else ""
        return error_reply(escape(exc.message, 600), hint)

    def _picks_reply(
        self,
        who: Requester,
        *,
        title: str,
        description: str,
        picks: Sequence[Pick],
        follow_up: FollowUp,
        show_similarity: bool = True,
        subject: Sequence[Song] = (),
    ) -> Reply:
        """Card of numbered picks; remembers them so "like 2" and "more" work next."""
        refs = pick_refs(p.song for p in picks)
        card = Card(
            title=title,
            description=description,
            fields=pick_fields(picks, show_similarity=show_similarity),
            footer="Rate a pick with 👍/👎 · “More like this” for new songs",
            color=COLOR_OK,
        )
        s = self.session(who)
        s.picks, s.follow_up, s.pending = refs, follow_up, None
        return Reply(
            card=card,
            picks=refs,
            follow_up=follow_up,
            songs=tuple(p.song for p in picks),
            subject=tuple(subject),
        )
