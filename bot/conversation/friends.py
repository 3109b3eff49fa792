"""Friends: ``taste`` (how alike two tastes are), ``blend`` (one list for up to five) and ``privacy``.

Members are Discord mentions on Discord, and names or ids of members the bot has seen in
the console. A member who opted out (``privacy on``) is never compared or blended.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from engine.errors import EngineError

from ..replies import Card, Field, Reply, Requester, error_reply, escape, truncate
from .render import markdown_label, pick_refs
from .session import ConversationBase

#: Members in one blend, the asker included.
MAX_BLEND = 5


class Friends(ConversationBase):
    """Compare tastes and blend them; opt out of both."""

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
        """``text`` names nobody the bot knows: say how to name a member here and on Discord."""
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
                truncate(f"{i}. {markdown_label(p.song)}", 256),
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
        refs = pick_refs(p.song for p, _ in picks)
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
