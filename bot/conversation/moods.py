"""Moods: ``vibe`` (songs for a mood, a mood word, a moment or a mix) and ``moods`` (every mood, charted)."""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

from engine.counts import BadCount, check_count
from engine.errors import EngineError, UnknownMoodError
from engine.results import VibeResult

from ..replies import Card, Choice, Field, FollowUp, Reply, Requester, error_reply, escape, truncate
from .charts import mood_map_chart, moods_chart
from .render import targets_line
from .session import ConversationBase


class Moods(ConversationBase, ABC):
    """Songs of a mood, new ones on every ask, and the catalog's moods."""

    @abstractmethod
    async def ask_or(
        self, who: Requester, text: str, otherwise: Reply | Callable[[], Awaitable[Reply]]
    ) -> Reply:
        """Plain language, else ``otherwise`` (:class:`~.talk.Talk`)."""

    async def vibe(self, who: Requester, mood: str, count: int | str | None = None, where: str = "") -> Reply:
        """Songs typical of a mood, new ones on every ask."""
        try:
            n = check_count(count)
        except BadCount as exc:
            return error_reply(f"{escape(exc)}.", f"Example: {self.prefix}vibe chill 3")
        word = (mood or "").strip()
        if not word:
            return await self.moods(who)
        exclude = await self._excluded(who)
        try:
            # Seeded from the user's history: variety comes from exclusions and the seed
            # moving with them, and a fresh user always gets the same, reproducible deal.
            seed = (who.id * 1_000_003 + len(exclude)) % 2**32
            liked, disliked = await self.store.ratings(who.id, limit=200)
            result: VibeResult = await self._run(
                self.engine.vibe,
                word,
                n,
                exclude_ids=exclude,
                where=where,
                seed=seed,
                liked_ids=liked,
                disliked_ids=disliked,
            )
        except UnknownMoodError as exc:
            # "!vibe like shape of you but sadder": no mood word, maybe a request in words
            said = word + (f" {n} songs" if count is not None else "") + (f" {where}" if where else "")
            return await self.ask_or(who, said, self._engine_error(exc, word))
        except EngineError as exc:
            return self._engine_error(exc, word)
        await self._remember(who, "vibe", word, None, [p.song.id for p in result.picks])
        return self._picks_reply(
            who,
            title=vibe_title(result),
            description=vibe_description(result) + targets_line(result.targets),
            picks=result.picks,
            follow_up=FollowUp(
                "vibe", word, n, where, run=functools.partial(self.vibe, mood=word, count=n, where=where)
            ),
            show_similarity=False,
        )

    async def moods(self, who: Requester) -> Reply:
        """Every mood with its size and a chart."""
        overview = self.engine.moods_overview()
        png = await self._run(moods_chart, self.engine)
        mood_map = await self._run(mood_map_chart, self.engine)
        fields = tuple(
            Field(
                f"{row['emoji']} {escape(row['label'])} — "
                f"{int(row['size']):,} songs ({float(row['share']):.0%})",
                f"{escape(row['description'], 400)}\nTry: {self.prefix}vibe {row['key']}",
            )
            for row in overview
        )
        card = Card(
            title="🎧 Moods in this catalog",
            description=f"{self.engine.n_songs:,} songs clustered by how they sound. "
            f"Mood words work too: {self.prefix}vibe sad, {self.prefix}vibe road trip, "
            f"{self.prefix}vibe chill acoustic (the map shows where each word sits).",
            fields=fields,
            image_png=png,
            image_name="moods.png",
            extra_images=(("mood_map.png", mood_map),) if mood_map else (),
        )
        return Reply(card=card)

    async def mood_choices(self, prefix: str) -> list[Choice]:
        """Autocomplete options for a mood argument: moods and mood words (≤ 25, within Discord's limits)."""
        pairs = await self._run(self.engine.complete_mood, (prefix or "")[:100], 25)
        return [Choice(label, value).fitted() for label, value in pairs[:25]]


def vibe_title(result: VibeResult) -> str:
    """ "🌿 Chill/Acoustic vibes" for a cluster; "😢 sad vibes · from Chill/Acoustic" for words."""
    m = result.mood
    if result.by_cluster:
        return f"{m.emoji} {escape(m.label)} vibes"
    more = f" +{len(result.sources) - 1}" if len(result.sources) > 1 else ""
    return truncate(
        f"{result.emoji or m.emoji} {escape(result.query, 80)} vibes · from {escape(m.label)}{more}", 256
    )


def vibe_description(result: VibeResult) -> str:
    """What the words mean in sound, and which moods the picks come from."""
    m = result.mood
    if result.by_cluster:
        closest = (
            ""
            if result.query in ("", m.label)
            else f"\nClosest to “{escape(result.query, 40)}”: {escape(result.meaning, 200)}."
        )
        return escape(m.description, 300) + closest
    lines = [f"Sounds like: {escape(result.meaning, 200)}."]
    if result.corrections:
        lines.append(
            "Read "
            + ", ".join(f"“{escape(a, 30)}” as {escape(b, 30)}" for a, b in result.corrections[:3])
            + "."
        )
    if result.ignored:
        lines.append("Left out: " + ", ".join(f"“{escape(w, 30)}”" for w in result.ignored[:3]) + ".")
    lines.append(
        "From "
        + ", ".join(f"{src.emoji} {escape(src.label)} ({count})" for src, count in result.sources)
        + "."
    )
    return "\n".join(lines)
