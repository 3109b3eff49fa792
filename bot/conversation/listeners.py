"""Listeners' own picks: ``foryou`` (from a member's 👍/👎), ``foryou start`` and ``playlist``.

Both read the member's taste from the history store: what they liked, disliked and asked
about. A playlist is saved there too, so ``playlist last`` and ``history`` can show it again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

from engine.counts import BadCount, check_count
from engine.errors import AmbiguousSongError, EngineError
from engine.results import Playlist, Song

from ..replies import Card, FollowUp, Reply, Requester, error_reply, escape, masked_link, truncate
from .render import markdown_label
from .session import ConversationBase

#: Playlist length: default and most (a Discord message lists 50 short lines comfortably).
DEFAULT_PLAYLIST = 15
MAX_PLAYLIST = 50


class Listeners(ConversationBase):
    """Picks and playlists from a member's taste, a song, a mood, or a journey between two songs."""

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
        note = "👍 Counted as likes: " + ", ".join(markdown_label(s) for s in songs)
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

    def _playlist_reply(
        self, title: str, kind: str, songs: Sequence[Song], files: dict[str, str], note: str
    ) -> Reply:
        """The playlist's card (linked lines, plain when links would not fit) with its files attached."""
        lines = [f"{i}. {markdown_label(s)}" for i, s in enumerate(songs, 1)]
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
        """``playlist last``: the member's last saved playlist again, with fresh files."""
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
        result = Playlist(title=p.title, kind=p.kind, query=p.query, songs=tuple(songs), mean_step=0.0)
        files = await self._run(self.engine.playlist_files, result)
        return self._playlist_reply(p.title, p.kind, songs, files, f"made {p.created_at:%Y-%m-%d %H:%M} UTC")
