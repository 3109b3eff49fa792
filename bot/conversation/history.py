"""History: ``history`` (what is stored about a member) and ``forget`` (delete it, after confirming)."""

from __future__ import annotations

from ..replies import Card, Field, Reply, Requester, escape, masked_link, truncate
from .render import joined_within, linked_label
from .session import ConversationBase

#: Characters of linked song names in one history entry (a field holds 1,024 in all).
FIELD_NAMES_BUDGET = 900


class History(ConversationBase):
    """What the bot remembers about a member, and how to erase it."""

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
                joined_within(
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
        self.drop_member(who.id)
        total = sum(deleted.values())
        return Reply(text=f"🧹 Done — deleted {total} stored rows about you. You start fresh.")
