"""The conversation: every command's logic, once, for Discord and the console alike.

Transports call these coroutines with a :class:`Requester` and get a
:class:`~bot.replies.Reply` back; they only render it. Engine work runs in a worker
thread (``asyncio.to_thread``) so the event loop keeps serving other users, and every
answer is recorded in the history store so users get no repeats and can see or delete
what is stored about them.
"""

from __future__ import annotations

import asyncio
import difflib
import functools
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from types import ModuleType
from typing import TypeVar

from engine.counts import MAX_CHAT_COUNT, BadCount, check_count
from engine.errors import AmbiguousSongError, EngineError, NoMatchError
from engine.results import Recommendation, Song, VibeResult
from engine.service import Engine
from engine.song_table import song_label as format_label

from .commands import COMMAND_TABLE, help_lines, lookup, spec
from .ratelimit import RateLimiter, Verdict
from .replies import (
    COLOR_OK,
    LISTEN_TEXT,
    Card,
    Choice,
    ChoiceContinuation,
    Field,
    FollowUp,
    PickRef,
    Reply,
    error_reply,
    escape,
    masked_link,
    slow_down_text,
    truncate,
)
from .store import Store

logger = logging.getLogger(__name__)

#: The chat ceiling of the one count rule (engine.counts), under the name the cogs use.
MAX_COUNT = MAX_CHAT_COUNT
#: Characters of linked song names in one history entry (a field holds 1,024 in all).
FIELD_NAMES_BUDGET = 900
#: Sessions kept in memory (last picks, pending choice); the oldest are forgotten first.
MAX_SESSIONS = 10_000
#: Command names and aliases, from the one command table (bot.commands), for "did you mean".
COMMANDS: tuple[str, ...] = tuple(c.name for c in COMMAND_TABLE)
ALIASES: dict[str, str] = {alias: c.name for c in COMMAND_TABLE for alias in c.aliases}
#: Playlist length: default and most (a Discord message lists 50 short lines comfortably).
DEFAULT_PLAYLIST = 15
MAX_PLAYLIST = 50
#: Members in one blend, the asker included.
MAX_BLEND = 5

T = TypeVar("T")


@dataclass(frozen=True)
class Requester:
    """Who asked, and where (guild/channel are None in DMs and the console)."""

    id: int
    name: str = ""
    guild_id: int | None = None
    channel_id: int | None = None


@dataclass
class _Session:
    """Per-user short-term state for text front ends: what "more" and "like 2" refer to."""

    picks: tuple[PickRef, ...] = ()
    follow_up: FollowUp | None = None
    pending: Reply | None = None  # a reply that asked a question (choices or confirm)


_TRAILING_INT = re.compile(r"^(?P<rest>.*\S)\s+(?P<n>[-+]?\d{1,30})$", re.DOTALL)


class Conversation:
    """Command logic over an :class:`Engine` and a history store (SQLite or PostgreSQL)."""

    def __init__(
        self, engine: Engine, store: Store, *, prefix: str = "!", limiter: RateLimiter | None = None
    ) -> None:
        self.engine = engine
        self.store = store
        self.prefix = prefix
        self.limiter = limiter or RateLimiter()
        self._sessions: OrderedDict[int, _Session] = OrderedDict()

    # -- plumbing --------------------------------------------------------------
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

    def session(self, who: Requester) -> _Session:
        s = self._sessions.pop(who.id, None) or _Session()
        self._sessions[who.id] = s
        while len(self._sessions) > MAX_SESSIONS:
            self._sessions.popitem(last=False)
        return s

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
        if isinstance(exc, NoMatchError):
            hint = (
                "Did you mean: " + " · ".join(escape(s, 90) for s in exc.suggestions[:5])
                if exc.suggestions
                else f"Check the spelling or type part of the title, e.g. {self.prefix}recommend la java"
            )
            return error_reply(f"No song matches “{escape(what, 80)}”.", hint)
        hint = ("Try: " + ", ".join(escape(s, 90) for s in exc.suggestions[:5])) if exc.suggestions else ""
        return error_reply(escape(exc.message, 600), hint)

    def _ask_which(
        self, who: Requester, exc: AmbiguousSongError, query: str, command: str, then: ChoiceContinuation
    ) -> Reply:
        """Ask which song was meant; ``then`` is the rest of ``command``, run with the chosen id."""
        choices = tuple(
            Choice(
                label=_plain_song_label(c.name, c.artist, c.year),
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

    # -- commands --------------------------------------------------------------
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
        except EngineError as exc:
            return self._engine_error(exc, query)
        await self._remember(who, "recommend", query, rec.seed, [p.song.id for p in rec.picks])
        return self._picks_reply(
            who,
            title=f"{rec.seed.mood.emoji} Songs like {escape(rec.seed.name, 150)}",
            description=(
                f"**{linked_label(rec.seed)}** · mood **{escape(rec.seed.mood.label)}**"
                + _targets_line(rec.targets)
            ),
            picks=rec.picks,
            follow_up=FollowUp(
                "recommend",
                rec.seed.id,
                n,
                where,
                run=functools.partial(self.recommend, song=rec.seed.id, count=n, where=where),
            ),
        )

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
        except EngineError as exc:
            return self._engine_error(exc, word)
        await self._remember(who, "vibe", word, None, [p.song.id for p in result.picks])
        return self._picks_reply(
            who,
            title=_vibe_title(result),
            description=_vibe_description(result) + _targets_line(result.targets),
            picks=result.picks,
            follow_up=FollowUp(
                "vibe", word, n, where, run=functools.partial(self.vibe, mood=word, count=n, where=where)
            ),
            show_similarity=False,
        )

    async def more(self, who: Requester, follow_up: FollowUp | None = None) -> Reply:
        """The next songs for a previous recommend or vibe (no repeats)."""
        follow_up = follow_up or self.session(who).follow_up
        if follow_up is None or follow_up.run is None:
            return error_reply(
                "There is nothing to continue yet.",
                f"Start with {self.prefix}recommend <song> or {self.prefix}vibe <mood>.",
            )
        return await follow_up.run(who)

    def _picks_reply(
        self,
        who: Requester,
        *,
        title: str,
        description: str,
        picks,
        follow_up: FollowUp,
        show_similarity: bool = True,
    ) -> Reply:
        """Card of numbered picks; remembers them so "like 2" and "more" work next."""
        fields = tuple(
            Field(
                name=truncate(f"{i}. {song_label(p.song)}", 256),
                # the link first: if Discord's limits cut the value, they cut the reason
                value=truncate(
                    f"{masked_link(LISTEN_TEXT, p.song.link)} · "
                    + (f"{p.score:.0%} similar · " if show_similarity else "")
                    + escape(p.reason, 200),
                    1024,
                ),
            )
            for i, p in enumerate(picks, 1)
        )
        refs = tuple(
            PickRef(i, p.song.id, _plain_song_label(p.song.name, p.song.artist, p.song.year))
            for i, p in enumerate(picks, 1)
        )
        card = Card(
            title=title,
            description=description,
            fields=fields,
            footer="Rate a pick with 👍/👎 · “More like this” for new songs",
            color=COLOR_OK,
        )
        s = self.session(who)
        s.picks, s.follow_up, s.pending = refs, follow_up, None
        return Reply(card=card, picks=refs, follow_up=follow_up)

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
        png = await self._run(_song_chart, self.engine, report.song.index)
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

    async def moods(self, who: Requester) -> Reply:
        """Every mood with its size and a chart."""
        overview = self.engine.moods_overview()
        png = await self._run(_moods_chart, self.engine)
        mood_map = await self._run(_mood_map_chart, self.engine)
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

    async def history(self, who: Requester) -> Reply:
        """This user's recent requests and what they were shown."""
        entries = await self.store.recent(who.id, limit=10)
        ratings = await self.store.feedback(who.id)
        if not entries and not ratings and not await self.store.playlists(who.id, limit=1):
            return Reply(text=f"Nothing stored about you yet. Try {self.prefix}recommend <song>.")
        fields = []
        for e in entries:
            seed = self.engine.song_by_id(e.song_id) if e.song_id else None
            shown = [self.engine.song_by_id(i) for i in e.shown]
            names = (
                _joined_within(
                    [masked_link(escape(s.name, 40), s.link) for s in shown if s], FIELD_NAMES_BUDGET
                )
                or "—"
            )
            head = f"→ {linked_label(seed)}\n" if seed else ""
            fields.append(
                Field(
                    truncate(f"{self.prefix}{e.command} {escape(e.query, 200)}", 256),
                    truncate(f"{head}{names}\n{e.created_at:%Y-%m-%d %H:%M} UTC", 1024),
                )
            )
        saved = await self.store.playlists(who.id, limit=5)
        if saved:
            fields.insert(
                0,
                Field(
                    "Your playlists",
                    truncate(
                        "\n".join(
                            f"{p.created_at:%Y-%m-%d} · {escape(p.title, 60)} ({len(p.song_ids)} songs)"
                            for p in saved
                        )
                        + f"\nShow the last again: {self.prefix}playlist last",
                        1024,
                    ),
                ),
            )
        likes = sum(1 for v in ratings.values() if v > 0)
        card = Card(
            title="🕘 Your recent requests",
            fields=tuple(fields[:25]),
            description=f"👍 {likes} · 👎 {len(ratings) - likes} ratings stored.",
            footer=f"Delete everything stored about you with {self.prefix}forget",
        )
        return Reply(card=card)

    async def forget(self, who: Requester, confirmed: bool = False) -> Reply:
        """Delete every row about ``who`` — after an explicit confirmation."""
        if not confirmed:
            counts = await self.store.row_counts(who.id)
            reply = Reply(
                text=(
                    f"This deletes everything stored about you: {counts.get('requests', 0)} requests, "
                    f"{counts.get('shown', 0)} shown songs, {counts.get('feedback', 0)} ratings "
                    f"(your taste profile) and {counts.get('playlists', 0)} playlists. "
                    "It cannot be undone. Confirm?"
                ),
                confirm="forget",
            )
            self.session(who).pending = reply
            return reply
        deleted = await self.store.forget(who.id)
        self._sessions.pop(who.id, None)
        total = sum(deleted.values())
        return Reply(text=f"🧹 Done — deleted {total} stored rows about you. You start fresh.")

    async def rate(self, who: Requester, pick: str | int, value: int) -> Reply:
        """Store 👍 (+1) or 👎 (-1) for a shown song (by id, or its number in the last list)."""
        song = self._song_for_rating(who, pick)
        if song is None:
            return error_reply(
                "I don't know which song you mean.", "Rate by its number in the last list, e.g. like 2."
            )
        await self.store.record_feedback(who.id, song.id, 1 if value > 0 else -1)
        if value > 0:
            return Reply(text=f"👍 Noted: you like **{song_label(song)}**.")
        return Reply(text=f"👎 Noted: I won't recommend **{song_label(song)}** to you again.")

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
        # <url>: Discord shows no preview card for a bracketed link, so a channel stays readable.
        return Reply(text=f"🔗 **{song_label(song)}**: <{song.link}>")

    def _song_for_rating(self, who: Requester, pick: str | int) -> Song | None:
        text = str(pick).strip()
        if text.isdigit() and len(text) <= 3:
            refs = self.session(who).picks
            n = int(text)
            return self.engine.song_by_id(refs[n - 1].song_id) if 1 <= n <= len(refs) else None
        return self.engine.song_by_id(text[:100])

    def help(self) -> Reply:
        """Short, friendly command list with examples, rendered from the command table."""
        fields = (
            *(Field(name, text) for name, text in help_lines(self.prefix)),
            Field(
                "Filters",
                "energy, danceability, valence, acousticness, instrumentalness, "
                "speechiness, liveness, tempo, loudness, duration, year, popularity — "
                "`energy>0.7`, `tempo 90-110`, `year 1990-1999`.",
            ),
        )
        return Reply(
            card=Card(
                title="🎵 Clusterfy — songs that sound alike",
                description="I group songs into moods by how they sound "
                "(energy, tempo, acousticness…) and recommend within a mood. "
                "Slash commands work too: /recommend with autocomplete.",
                fields=fields,
            )
        )

    # -- listeners: for you, playlists, friends ----------------------------------
    async def _taste_inputs(self, user_id: int) -> tuple[list[str], list[str], list[str]]:
        """(liked, disliked, asked-about) song ids of a user, newest first."""
        liked, disliked = await self.store.ratings(user_id)
        asked = await self.store.asked_song_ids(user_id)
        return liked, disliked, asked

    async def foryou(self, who: Requester, count: int | str | None = None) -> Reply:
        """Picks from the member's taste (plus co-likes of the server); a starter list if new."""
        text = str(count).strip() if count is not None else ""
        if text.lower().startswith("start"):
            return await self.foryou_start(who, text[5:])
        try:
            n = check_count(count)
        except BadCount as exc:
            return error_reply(
                f"{escape(exc)}.",
                f"Example: {self.prefix}foryou 5 · {self.prefix}foryou start la java, despacito",
            )
        liked, disliked, asked = await self._taste_inputs(who.id)
        exclude = await self._excluded(who)
        server = await self.store.server_ratings(who.guild_id, exclude_user=who.id)
        try:
            result = await self._run(
                self.engine.foryou,
                liked,
                n,
                disliked_ids=disliked,
                asked_ids=asked,
                exclude_ids=exclude,
                server=server,
            )
        except EngineError as exc:
            return self._engine_error(exc, "foryou")
        await self._remember(who, "foryou", str(n), None, [p.song.id for p in result.picks])
        if result.starter:
            description = (
                "I don't know your taste yet. Rate songs with 👍/👎, or tell me a few you "
                f"like: `{self.prefix}foryou start la java, despacito`. Meanwhile, a mix "
                "of every mood:"
            )
        else:
            moods = ", ".join(
                f"{escape(m.label)} {share:.0%}"
                for m, share in sorted(
                    zip(self.engine.moods, result.profile.mood_share.tolist()), key=lambda t: -t[1]
                )
                if share > 0
            )
            description = (
                f"From your {result.profile.n_likes} 👍, {result.profile.n_dislikes} 👎 "
                f"and {result.profile.n_asked} songs you asked about · {moods}"
            )
            if result.hybrid:
                description += "\nAlso from what members with your taste liked."
        return self._picks_reply(
            who,
            title="✨ For you",
            description=description,
            picks=result.picks,
            follow_up=FollowUp("foryou", "", n, run=functools.partial(self.foryou, count=n)),
            show_similarity=False,
        )

    async def foryou_start(self, who: Requester, titles: str) -> Reply:
        """Count a few named songs as 👍, then answer with for-you picks."""
        text = (titles or "").strip()
        if not text:
            return error_reply(
                "Name a few songs you like, separated by commas.",
                f"Example: {self.prefix}foryou start la java, despacito",
            )
        songs, missing = await self._run(self.engine.resolve_titles, text, 10)
        for song in songs:
            await self.store.record_feedback(who.id, song.id, 1)
        if not songs:
            return error_reply(
                "None of those songs is in the catalog.",
                "Check the spelling, or separate titles with commas.",
            )
        reply = await self.foryou(who, None)
        note = "👍 Counted as likes: " + ", ".join(song_label(s) for s in songs)
        if missing:
            note += "\nNot found: " + ", ".join(escape(m, 60) for m in missing[:10])
        return replace(reply, text=truncate(note, 1500))

    async def playlist(self, who: Requester, text: str, count: int | str | None = None) -> Reply:
        """A smooth playlist from a song, a mood, ``foryou`` or ``a -> b``; ``last`` shows the last one."""
        query = (text or "").strip()
        if not query:
            return error_reply(
                "Say what the playlist starts from.",
                f"Examples: {self.prefix}playlist la java 20 · {self.prefix}playlist chill · "
                f"{self.prefix}playlist foryou · {self.prefix}playlist la java -> jungle 12",
            )
        if query.lower() == "last":
            return await self._last_playlist(who)
        n = DEFAULT_PLAYLIST
        if count is not None and str(count).strip():
            try:
                n = int(str(count).strip())
            except ValueError:
                n = -1
            if not 2 <= n <= MAX_PLAYLIST:
                return error_reply(
                    f"A playlist has 2 to {MAX_PLAYLIST} songs, not “{escape(count, 20)}”.",
                    f"Example: {self.prefix}playlist chill 20",
                )
        liked, disliked, asked = await self._taste_inputs(who.id)
        try:
            result = await self._run(
                self.engine.playlist, query, n, liked_ids=liked, disliked_ids=disliked, asked_ids=asked
            )
        except AmbiguousSongError as exc:
            first = exc.candidates[0] if exc.candidates else None
            hint = (
                (
                    f"Add the artist, e.g. {self.prefix}playlist {escape(first.name, 60)} by "
                    f"{escape(first.artist, 40)}"
                )
                if first
                else ""
            )
            return error_reply(escape(exc.message, 300), hint)
        except EngineError as exc:
            return self._engine_error(exc, query)
        files = await self._run(self.engine.playlist_files, result)
        await self.store.save_playlist(who.id, result.title, result.kind, query, [s.id for s in result.songs])
        await self._remember(who, "playlist", query, None, [])
        return self._playlist_reply(
            result.title,
            result.kind,
            result.songs,
            files,
            f"Mean step between songs: {result.mean_step:.2f} (feature distance; lower is smoother)",
        )

    def _playlist_reply(self, title: str, kind: str, songs, files: dict[str, str], note: str) -> Reply:
        lines = [f"{i}. {song_label(s)}" for i, s in enumerate(songs, 1)]
        linked = [
            f"{i}. {masked_link(escape(s.name, 60), s.link)} — {escape(s.artist, 40)}"
            for i, s in enumerate(songs, 1)
        ]
        body = "\n".join(linked)
        if len(body) > 3800:  # links are long: fall back to plain lines, the files keep the links
            body = "\n".join(truncate(line, 75) for line in lines)
        card = Card(
            title=truncate(f"🎶 Playlist · {title}", 256),
            description=truncate(body, 4000),
            footer=truncate(f"{len(songs)} songs · {kind} · {note} · .m3u and .csv attached", 2000),
        )
        attachments = tuple((name, text.encode("utf-8")) for name, text in files.items())
        return Reply(card=card, attachments=attachments)

    async def _last_playlist(self, who: Requester) -> Reply:
        saved = await self.store.playlists(who.id, limit=1)
        if not saved:
            return error_reply("You have no playlist yet.", f"Make one: {self.prefix}playlist chill")
        p = saved[0]
        songs = [s for s in (self.engine.song_by_id(i) for i in p.song_ids) if s is not None]
        if len(songs) < 2:
            return error_reply(
                "Your last playlist's songs are no longer in this catalog.",
                f"Make a new one: {self.prefix}playlist chill",
            )
        from engine.results import Playlist

        result = Playlist(title=p.title, kind=p.kind, query=p.query, songs=tuple(songs), mean_step=0.0)
        files = await self._run(self.engine.playlist_files, result)
        return self._playlist_reply(p.title, p.kind, songs, files, f"made {p.created_at:%Y-%m-%d %H:%M} UTC")

    async def _member(self, who: Requester, member: int | str | Requester) -> tuple[int | None, str]:
        """A member to compare with: a mention (Discord), or a name or id (console)."""
        if isinstance(member, Requester):
            return member.id, member.name or str(member.id)
        if isinstance(member, int) and not isinstance(member, bool) and 0 <= member < 2**63:
            return member, await self.store.display_name(member) or str(member)
        text = str(member or "").strip()
        m = re.fullmatch(r"<@!?(\d{1,18})>", text)  # 18 digits fit SQLite's INTEGER
        if m:
            uid = int(m.group(1))
            return uid, await self.store.display_name(uid) or text
        found = await self.store.find_user(text)
        return found, text

    def _no_member(self, text: str) -> Reply:
        hint = (
            "On Discord, mention them: @name. Here (no mentions offline) type the name or id of "
            "someone this bot has seen."
        )
        return error_reply(f"I don't know a member called “{escape(text, 60)}”.", hint)

    async def taste(self, who: Requester, member: int | str | Requester | None) -> Reply:
        """How alike the asker's taste is to another member's."""
        if member is None or (isinstance(member, str) and not member.strip()):
            return error_reply(
                "Whose taste should I compare with yours?", f"Example: {self.prefix}taste @friend"
            )
        uid, name = await self._member(who, member)
        if uid is None:
            return self._no_member(name)
        if uid == who.id:
            return error_reply("That's you! Compare with someone else.", f"{self.prefix}taste @friend")
        if await self.store.is_private(uid):
            return error_reply(f"{escape(name, 60)} has opted out of taste comparisons.")
        if await self.store.is_private(who.id):
            return error_reply(
                "You opted out of taste comparisons.", f"Opt back in with {self.prefix}privacy off"
            )
        mine, theirs = await self.store.ratings(who.id), await self.store.ratings(uid)
        if not mine[0]:
            return error_reply(
                "You have no 👍 yet, so there is no taste to compare.",
                f"Rate a few songs, or {self.prefix}foryou start la java, despacito",
            )
        if not theirs[0]:
            return error_reply(f"{escape(name, 60)} has no 👍 yet, so there is no taste to compare.")
        try:
            match = await self._run(self.engine.taste_match, mine, theirs)
        except EngineError as exc:
            return self._engine_error(exc, name)
        moods = ", ".join(f"{m.emoji} {escape(m.label)}" for m in match.shared_moods) or "none in common"
        bridges = "\n".join(f"{escape(a.name, 60)} ↔ {escape(b.name, 60)}" for a, b in match.bridges) or "—"
        card = Card(
            title=truncate(f"🤝 You and {name}: {match.score:.0%} alike", 256),
            fields=(
                Field("Moods you share", moods),
                Field("Songs that bridge you (yours ↔ theirs)", bridges),
            ),
            footer=f"Make a list for both: {self.prefix}blend @member",
        )
        return Reply(card=card)

    async def blend(self, who: Requester, members: Sequence[int | str | Requester]) -> Reply:
        """One list in the middle of up to five tastes (the asker's and up to four others)."""
        if not members:
            return error_reply(
                "Who should I blend your taste with?", f"Example: {self.prefix}blend @a @b (up to 4 members)"
            )
        if len(members) > MAX_BLEND - 1:
            return error_reply(
                f"A blend takes up to {MAX_BLEND - 1} members besides you.",
                f"Example: {self.prefix}blend @a @b",
            )
        if await self.store.is_private(who.id):
            return error_reply(
                "You opted out of taste comparisons.", f"Opt back in with {self.prefix}privacy off"
            )
        ids: list[int] = [who.id]
        names: list[str] = [who.name or "you"]
        refused: list[str] = []
        for m in members:
            uid, name = await self._member(who, m)
            if uid is None:
                return self._no_member(name)
            if uid in ids:
                continue
            if await self.store.is_private(uid):
                refused.append(f"{escape(name, 40)} has opted out")
                continue
            ids.append(uid)
            names.append(name)
        ratings = [await self.store.ratings(uid) for uid in ids]
        if not ratings[0][0]:
            return error_reply(
                "You have no 👍 yet, so there is no taste to blend.",
                f"Rate a few songs, or {self.prefix}foryou start la java, despacito",
            )
        keep = [i for i, r in enumerate(ratings) if r[0]]
        refused += [f"{escape(names[i], 40)} has no ratings" for i in range(len(ids)) if i not in keep]
        if len(keep) < 2:
            return error_reply(
                "Nobody to blend with: " + "; ".join(refused) + ".",
                "Only members who rated songs and did not opt out can be blended.",
            )
        exclude = await self._excluded(who)
        try:
            picks = await self._run(self.engine.blend, [ratings[i] for i in keep], 10, exclude_ids=exclude)
        except EngineError as exc:
            return self._engine_error(exc, "blend")
        if not picks:
            return error_reply("I found no songs between your tastes.", "Rate a few more songs.")
        kept_names = [names[i] for i in keep]
        fields = tuple(
            Field(
                truncate(f"{i}. {song_label(p.song)}", 256),
                truncate(
                    "for "
                    + " & ".join(escape(kept_names[k], 40) for k in who_from)
                    + " · "
                    + escape(p.reason, 200),
                    1024,
                ),
            )
            for i, (p, who_from) in enumerate(picks, 1)
        )
        refs = tuple(
            PickRef(i, p.song.id, _plain_song_label(p.song.name, p.song.artist, p.song.year))
            for i, (p, _) in enumerate(picks, 1)
        )
        await self._remember(
            who, "blend", ", ".join(kept_names[1:])[:200], None, [p.song.id for p, _ in picks]
        )
        s = self.session(who)
        s.picks, s.pending = refs, None
        card = Card(
            title=truncate("🫂 Blend: " + ", ".join(escape(n, 40) for n in kept_names), 256),
            description=("Not included: " + "; ".join(refused)) if refused else "",
            fields=fields,
            footer="Rate a pick with 👍/👎",
        )
        return Reply(card=card, picks=refs)

    async def privacy(self, who: Requester, setting: str | None = None) -> Reply:
        """Opt out of (``on``) or back into (``off``) taste comparisons and blends."""
        word = (setting or "").strip().lower()
        if word in {"on", "yes", "private", "true", "1"}:
            await self.store.set_private(who.id, True)
            return Reply(text="🔒 Privacy on: nobody can compare their taste with yours or blend with you.")
        if word in {"off", "no", "public", "false", "0"}:
            await self.store.set_private(who.id, False)
            return Reply(text="🔓 Privacy off: members can compare tastes and blend with you.")
        if word:
            return error_reply(f"“{escape(word, 20)}” is not on or off.", f"Example: {self.prefix}privacy on")
        state = "on (nobody can compare with you)" if await self.store.is_private(who.id) else "off"
        return Reply(text=f"Privacy is {state}. Change it with {self.prefix}privacy on / off.")

    # -- autocomplete ------------------------------------------------------------
    async def song_choices(self, prefix: str) -> list[Choice]:
        """Autocomplete options for a song argument (≤ 25, each within Discord's limits)."""
        pairs = await self._run(self.engine.complete_song, (prefix or "")[:100], 25)
        return [Choice(label, value).fitted() for label, value in pairs[:25]]

    async def mood_choices(self, prefix: str) -> list[Choice]:
        pairs = await self._run(self.engine.complete_mood, (prefix or "")[:100], 25)
        return [Choice(label, value).fitted() for label, value in pairs[:25]]

    # -- text front ends (console, and anything line based) ---------------------
    async def handle_line(self, who: Requester, line: str) -> Reply | None:
        """One typed line → one reply. ``None`` for a blank line."""
        text = (line or "").strip()
        if not text:
            return None
        session = self.session(who)
        pending, session.pending = session.pending, None
        if pending is not None and pending.confirm:
            if text.lower().lstrip(self.prefix) in {"yes", "y", "confirm"}:
                return await self.forget(who, confirmed=True)
            if not text.startswith(self.prefix):
                return Reply(text="Cancelled — nothing was deleted.")
        if pending is not None and pending.choices and text.isdigit() and len(text) <= 3:
            n = int(text)
            if not 1 <= n <= len(pending.choices):
                session.pending = pending
                return error_reply(f"Pick a number from 1 to {len(pending.choices)}.")
            return await self.choose(who, pending, pending.choices[n - 1].value)
        if text.startswith(self.prefix):
            text = text[len(self.prefix) :].lstrip()
        word, _, rest = text.partition(" ")
        command = lookup(word)
        if command is None:
            close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
            hint = f"Did you mean {self.prefix}{close[0]}?" if close else f"Try {self.prefix}help."
            return error_reply(f"Unknown command “{escape(word, 40)}”.", hint)
        return await _TYPED[command.name](self, who, rest.strip())

    async def choose(self, who: Requester, asked: Reply, value: str) -> Reply:
        """Answer a disambiguation question: continue the asking command with the chosen song id."""
        if asked.on_choice is None:
            return error_reply(
                "That question has expired.", f"Ask again, e.g. {self.prefix}recommend la java"
            )
        return await asked.on_choice(who, value)

    def split_count(self, text: str, titles: bool = True) -> tuple[str, str | None]:
        """Split a trailing count off typed arguments: "hey jude 3" → ("hey jude", "3").

        A trailing number that belongs to a title ("Summer of 69") is kept when the
        whole text names a song exactly.
        """
        m = _TRAILING_INT.match(text or "")
        if not m:
            return text, None
        if titles:
            try:
                if self.engine.search(text, limit=1).status == "exact":
                    return text, None
            except EngineError:
                pass
        return m.group("rest"), m.group("n")


# -- typed lines: how the rest of a line becomes each command's arguments ---------------
TypedCommand = Callable[[Conversation, Requester, str], Awaitable[Reply]]
#: Command name → its typed-line parser; every row of the command table has one (checked below).
_TYPED: dict[str, TypedCommand] = {}


def _typed(name: str) -> Callable[[TypedCommand], TypedCommand]:
    """Register the typed-line form of command ``name`` (which must be in the command table)."""
    command = spec(name)

    def register(fn: TypedCommand) -> TypedCommand:
        _TYPED[command.name] = fn
        return fn

    return register


@_typed("recommend")
async def _typed_recommend(conv: Conversation, who: Requester, rest: str) -> Reply:
    song, count = await conv._run(conv.split_count, rest)
    return await conv.recommend(who, song, count)


@_typed("vibe")
async def _typed_vibe(conv: Conversation, who: Requester, rest: str) -> Reply:
    mood, count = conv.split_count(rest, titles=False)  # no title lookup: cheap
    return await conv.vibe(who, mood, count)


@_typed("cluster")
async def _typed_cluster(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.cluster(who, rest)


@_typed("moods")
async def _typed_moods(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.moods(who)


@_typed("history")
async def _typed_history(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.history(who)


@_typed("forget")
async def _typed_forget(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.forget(who, confirmed=False)


@_typed("help")
async def _typed_help(conv: Conversation, who: Requester, rest: str) -> Reply:
    return conv.help()


@_typed("more")
async def _typed_more(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.more(who)


@_typed("like")
async def _typed_like(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.rate(who, rest, +1)


@_typed("dislike")
async def _typed_dislike(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.rate(who, rest, -1)


@_typed("link")
async def _typed_link(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.link(who, rest)


@_typed("foryou")
async def _typed_foryou(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.foryou(who, rest or None)


@_typed("playlist")
async def _typed_playlist(conv: Conversation, who: Requester, rest: str) -> Reply:
    text, count = await conv._run(conv.split_count, rest)
    return await conv.playlist(who, text, count)


@_typed("taste")
async def _typed_taste(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.taste(who, rest)


@_typed("blend")
async def _typed_blend(conv: Conversation, who: Requester, rest: str) -> Reply:
    names = [n for n in re.split(r"[,\s]+" if "," not in rest else r"\s*,\s*", rest) if n]
    return await conv.blend(who, names[:MAX_BLEND])


@_typed("privacy")
async def _typed_privacy(conv: Conversation, who: Requester, rest: str) -> Reply:
    return await conv.privacy(who, rest)


if set(_TYPED) != set(COMMANDS):  # a table row without a typed form, caught at import
    raise RuntimeError(f"commands without a typed-line form: {sorted(set(COMMANDS) - set(_TYPED))}")


def _vibe_title(result: VibeResult) -> str:
    """ "🌿 Chill/Acoustic vibes" for a cluster; "😢 sad vibes · from Chill/Acoustic" for words."""
    m = result.mood
    if result.by_cluster:
        return f"{m.emoji} {escape(m.label)} vibes"
    more = f" +{len(result.sources) - 1}" if len(result.sources) > 1 else ""
    return truncate(
        f"{result.emoji or m.emoji} {escape(result.query, 80)} vibes · from {escape(m.label)}{more}", 256
    )


def _vibe_description(result: VibeResult) -> str:
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


def song_label(song: Song | None) -> str:
    """Markdown-safe "Title — Artist (year)"."""
    if song is None:
        return "—"
    return format_label(escape(song.name, 120), escape(song.artist, 80), song.year or None)


def _joined_within(items: list[str], budget: int) -> str:
    """``items`` joined by commas, whole items only, within ``budget`` characters.

    Truncating the joined text could cut a link in half and show broken markdown.
    """
    out: list[str] = []
    used = 0
    for item in items:
        extra = len(item) + (2 if out else 0)
        if used + extra > budget:
            return ", ".join(out) + ", …"
        out.append(item)
        used += extra
    return ", ".join(out)


def linked_label(song: Song) -> str:
    """Markdown-safe "Title — Artist (year)" whose title links to where to listen."""
    return format_label(
        masked_link(escape(song.name, 120), song.link), escape(song.artist, 80), song.year or None
    )


def _plain_song_label(name: str, artist: str, year: int | None) -> str:
    """Plain "Title — Artist (year)" within Discord's 100 characters (select menus)."""
    return format_label(name, artist, year or None, limit=100)


def _targets_line(targets) -> str:
    return ("\nFilters: " + escape(", ".join(t.describe() for t in targets), 300)) if targets else ""


def _charts() -> ModuleType:
    """engine.charts, imported with the first chart asked for: matplotlib costs a bot ~0.7 s
    and tens of MB at every start, and many processes never draw one."""
    from engine import charts

    return charts


@functools.lru_cache(maxsize=256)
def _song_chart(engine: Engine, index: int) -> bytes | None:
    try:
        table = engine.table
        return _charts().song_profile_png(
            engine.model, index, title=f"{table.names[index]} — {table.artists[index]}"
        )
    except Exception:
        logger.exception("could not draw the profile chart of song %s", index)
        return None


@functools.lru_cache(maxsize=8)
def _mood_map_chart(engine: Engine) -> bytes | None:
    try:
        return _charts().mood_map_png(engine.model, engine.word_points())
    except Exception:
        logger.exception("could not draw the mood map")
        return None


def _moods_chart(engine: Engine) -> bytes | None:
    try:
        return _charts().profile_png(engine.model)
    except Exception:
        logger.exception("could not draw the moods chart")
        return None
