"""Songs: ``recommend``, ``cluster``, ``more``, ``like``/``dislike``, ``link``, and "which one did you mean?".

A title that matches several songs is answered with a question whose reply carries the
rest of the asking command (``Reply.on_choice``); :meth:`Songs.choose` runs it with the
song picked, for the select menu and a typed number alike.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from engine.counts import BadCount, check_count
from engine.errors import AmbiguousSongError, EngineError, NoMatchError
from engine.results import Recommendation, Song

from ..replies import (
    Card,
    Choice,
    ChoiceContinuation,
    Field,
    FollowUp,
    Reply,
    Requester,
    error_reply,
    escape,
    truncate,
)
from .charts import song_chart
from .render import linked_label, listen_line, markdown_label, plain_label, targets_line
from .session import ConversationBase


class Songs(ConversationBase, ABC):
    """Songs like a song, a song's mood, more of the same, and ratings and links of the picks."""

    async def recommend(
        self, who: Requester, song: str, count: int | str | None = None, where: str = ""
    ) -> Reply:
        """Songs that sound like ``song``, from its mood cluster, none shown to ``who`` before."""
        try:
            n = check_count(count)
        except BadCount as exc:
            return error_reply(f"{escape(exc)}.", f"Example: {self.prefix}recommend la java 3")
        query = (song or "").strip()
        if not query:
            return error_reply("Tell me a song to start from.", f"Example: {self.prefix}recommend la java")
        exclude = await self._excluded(who)
        liked, disliked = await self.store.ratings(who.id, limit=200)
        try:
            rec: Recommendation = await self._run(
                self.engine.recommend,
                query,
                n,
                exclude_ids=exclude,
                where=where,
                liked_ids=liked,
                disliked_ids=disliked,
            )
        except AmbiguousSongError as exc:
            return self._ask_which(
                who, exc, query, "recommend", functools.partial(self.recommend, count=n, where=where)
            )
        except NoMatchError as exc:
            # "!recommend like in the end but calmer": no such title, maybe a request in words
            said = query + (f" {n} songs" if count is not None else "") + (f" {where}" if where else "")
            return await self.ask_or(who, said, self._engine_error(exc, query))
        except EngineError as exc:
            return self._engine_error(exc, query)
        await self._remember(who, "recommend", query, rec.seed, [p.song.id for p in rec.picks])
        return self._picks_reply(
            who,
            title=f"{rec.seed.mood.emoji} Songs like {escape(rec.seed.name, 150)}",
            description=(
                f"**{linked_label(rec.seed)}** · mood **{escape(rec.seed.mood.label)}**"
                + targets_line(rec.targets)
            ),
            picks=rec.picks,
            subject=(rec.seed,),
            follow_up=FollowUp(
                "recommend",
                rec.seed.id,
                n,
                where,
                run=functools.partial(self.recommend, song=rec.seed.id, count=n, where=where),
            ),
        )

    async def cluster(self, who: Requester, song: str) -> Reply:
        """Which mood a song belongs to, how it compares, and a chart."""
        query = (song or "").strip()
        if not query:
            return error_reply("Tell me a song.", f"Example: {self.prefix}cluster la java")
        try:
            report = await self._run(self.engine.cluster_report, query)
        except AmbiguousSongError as exc:
            return self._ask_which(who, exc, query, "cluster", self.cluster)
        except EngineError as exc:
            return self._engine_error(exc, query)
        png = await self._run(song_chart, self.engine, report.song.index)
        await self._remember(who, "cluster", query, report.song, [])
        m = report.mood
        compare = "\n".join(escape(c.text, 120) for c in report.comparison[:4]) or "—"
        genres = ", ".join(f"{escape(g, 40)} ({n})" for g, n in report.top_genres[:5]) or "—"
        artists = ", ".join(f"{escape(a, 40)} ({n})" for a, n in report.top_artists[:5]) or "—"
        card = Card(
            title=truncate(f"{m.emoji} {report.song.name} → {m.label}", 256),
            description=f"**{linked_label(report.song)}**\n{escape(m.description, 400)}",
            fields=(
                Field("Cluster", f"#{m.cluster} · {report.size:,} songs ({report.share:.0%} of the catalog)"),
                Field("How this song compares", compare),
                Field("Top genres", genres),
                Field("Top artists", artists),
                Field(
                    "Try",
                    f"{self.prefix}vibe {m.key} · {self.prefix}recommend {escape(report.song.name, 60)}",
                ),
            ),
            image_png=png,
            image_name="profile.png",
        )
        self.session(who).pending = None
        return Reply(card=card)

    async def more(self, who: Requester, follow_up: FollowUp | None = None) -> Reply:
        """The next songs for a previous recommend, vibe or foryou (no repeats)."""
        follow_up = follow_up or self.session(who).follow_up
        if follow_up is None or follow_up.run is None:
            return error_reply(
                "There is nothing to continue yet.",
                f"Start with {self.prefix}recommend <song> or {self.prefix}vibe <mood>.",
            )
        return await follow_up.run(who)

    @abstractmethod
    async def ask_or(
        self, who: Requester, text: str, otherwise: Reply | Callable[[], Awaitable[Reply]]
    ) -> Reply:
        """Plain language, else ``otherwise`` (:class:`~.talk.Talk`)."""

    async def rate(self, who: Requester, pick: str | int, value: int) -> Reply:
        """Store 👍 (+1) or 👎 (-1) for a shown song (by id, or its number in the last list)."""
        song = self._song_for_rating(who, pick)
        if song is None:
            return error_reply(
                "I don't know which song you mean.", "Rate by its number in the last list, e.g. like 2."
            )
        await self.store.record_feedback(who.id, song.id, 1 if value > 0 else -1)
        if value > 0:
            return Reply(text=f"👍 Noted: you like **{markdown_label(song)}**.")
        return Reply(text=f"👎 Noted: I won't recommend **{markdown_label(song)}** to you again.")

    async def like(self, who: Requester, pick: str | int) -> Reply:
        """👍 a shown song: by its number in the last list, or by id."""
        return await self.rate(who, pick, +1)

    async def dislike(self, who: Requester, pick: str | int) -> Reply:
        """👎 a shown song (it never comes back): by its number in the last list, or by id."""
        return await self.rate(who, pick, -1)

    async def link(self, who: Requester, pick: str | int) -> Reply:
        """Where to listen to pick ``pick`` of the last list (the console shows no links inline)."""
        song = self._song_for_rating(who, pick)
        if song is None:
            refs = self.session(who).picks
            hint = (
                f"Pick a number from 1 to {len(refs)}, e.g. {self.prefix}link 1."
                if refs
                else f"Ask for songs first, e.g. {self.prefix}recommend la java, then {self.prefix}link 1."
            )
            return error_reply("I don't know which song you mean.", hint)
        return Reply(text=listen_line(song))

    def _song_for_rating(self, who: Requester, pick: str | int) -> Song | None:
        """The song ``pick`` names: its number in ``who``'s last list, or a song id (menus)."""
        text = str(pick).strip()
        if text.isdigit() and len(text) <= 3:
            refs = self.session(who).picks
            n = int(text)
            return self.engine.song_by_id(refs[n - 1].song_id) if 1 <= n <= len(refs) else None
        return self.engine.song_by_id(text[:100])

    def _ask_which(
        self, who: Requester, exc: AmbiguousSongError, query: str, command: str, then: ChoiceContinuation
    ) -> Reply:
        """Ask which song was meant; ``then`` is the rest of ``command``, run with the chosen id."""
        choices = tuple(
            Choice(
                label=plain_label(c.name, c.artist, c.year),
                value=c.id,
                description=f"match {c.score:.0f}%",
            )
            for c in exc.candidates[:25]
        )
        reply = Reply(
            text=f"Several songs match “{escape(query, 80)}”. Which one did you mean?",
            choices=choices,
            choice_command=command,
            on_choice=then,
        )
        self.session(who).pending = reply
        return reply

    async def choose(self, who: Requester, asked: Reply, value: str) -> Reply:
        """Answer a disambiguation question: continue the asking command with the chosen song id."""
        if asked.on_choice is None:
            return error_reply(
                "That question has expired.", f"Ask again, e.g. {self.prefix}recommend la java"
            )
        return await asked.on_choice(who, value)

    async def song_choices(self, prefix: str) -> list[Choice]:
        """Autocomplete options for a song argument (≤ 25, each within Discord's limits)."""
        pairs = await self._run(self.engine.complete_song, (prefix or "")[:100], 25)
        return [Choice(label, value).fitted() for label, value in pairs[:25]]
