"""Plain language: a message in people's words → one turn of the member's conversation → a reply.

Every front end reaches the conversation here: a Discord mention, DM or reply, ``/ask``,
the critique buttons under a list, a console line that is not a command, the dashboard's
chat. The engine reads and answers (:meth:`engine.service.Engine.converse`: one parser,
one state machine); this module keeps each member's state per channel (in memory, and
in the history store so it survives a restart), records what was shown and rated, and
renders the turn: the understood line first, then the list with critique buttons, or a
short answer with phrasings to try.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from engine.dialogue import DialogueState, Turn
from engine.errors import EngineError
from engine.language import Request

from ..replies import (
    COLOR_OK,
    Action,
    Card,
    Choice,
    Field,
    FollowUp,
    Reply,
    Requester,
    error_reply,
    escape,
)
from .render import linked_label, listen_line, plain_label
from .session import ConversationBase

logger = logging.getLogger(__name__)

#: Conversations kept in memory (the store keeps them all); the oldest are dropped first.
MAX_DIALOGUES: Final = 10_000
#: Critique buttons under a list: (label, what pressing it types). The most asked-for moves
#: of a list: the two axes of mood (positivity, energy) and tempo, both ways.
CRITIQUE_ACTIONS: Final = (
    Action("Sadder", "sadder"),
    Action("Happier", "happier"),
    Action("Calmer", "calmer"),
    Action("More energy", "more energetic"),
    Action("Slower", "slower"),
    Action("Faster", "faster"),
)
#: What "help" adds about plain language.
HELP_TALK: Final = (
    "Just talk to me: “something like In the End but calmer”, “5 chill songs from the 90s”, "
    "then “sadder”, “a bit faster”, “the second one but slower”, “no more Drake”, "
    "“older stuff”, “deeper cuts”, “more”, “start over”."
)


def channel_key(who: Requester) -> int:
    """Where a conversation lives: the channel (0 in DMs without an id and the console)."""
    return int(who.channel_id or 0)


class Talk(ConversationBase):
    """Plain-language turns over the member's per-channel conversation state."""

    if TYPE_CHECKING:  # from the songs mixin (bot.conversation.songs), beside this one in Conversation

        async def cluster(self, who: Requester, song: str) -> Reply: ...

    async def dialogue_state(self, who: Requester) -> DialogueState:
        """``who``'s conversation in this channel: from memory, else the store, else a new one."""
        key = (who.id, channel_key(who))
        cache = self._dialogues
        state = cache.get(key)
        if state is None:
            saved = await self.store.dialogue_state(who.id, key[1])
            state = DialogueState.from_json(saved)
        cache[key] = state
        cache.move_to_end(key)
        while len(cache) > MAX_DIALOGUES:
            cache.popitem(last=False)
        return state

    async def _keep(self, who: Requester, state: DialogueState) -> None:
        key = (who.id, channel_key(who))
        self._dialogues[key] = state
        await self.store.save_dialogue_state(who.id, key[1], state.to_json())

    # -- one message --------------------------------------------------------------------------
    async def ask_or(
        self, who: Requester, text: str, otherwise: Reply | Callable[[], Awaitable[Reply]]
    ) -> Reply:
        """:meth:`ask`, unless the text reads as no request at all: then ``otherwise`` (a
        command's own answer, e.g. "Unknown command" or "Usage: !like <n>", is the better
        one for a stray word; a callable is only run then)."""
        request = await self._run(self.engine.reader.read, text)
        if request.intent == "unknown":
            return otherwise if isinstance(otherwise, Reply) else await otherwise()
        return await self.ask(who, text, request=request)

    async def ask(
        self, who: Requester, text: str, choice: str | None = None, *, request: Request | None = None
    ) -> Reply:
        """One plain-language message from ``who``, answered in their conversation."""
        if not isinstance(text, str) or not text.strip():
            return self._talk_help(who, greeting=True)
        state = self._after_commands(who, await self.dialogue_state(who))
        exclude = await self._excluded(who)
        liked, disliked = await self.store.ratings(who.id, limit=200)
        try:
            turn: Turn = await self._run(
                self.engine.converse,
                state,
                text,
                now=time.time(),
                exclude_ids=exclude,
                liked_ids=liked,
                disliked_ids=disliked,
                choice=choice,
                request=request,
            )
        except EngineError as exc:
            return self._engine_error(exc, text)
        for song_id, value in turn.ratings:
            await self.store.record_feedback(who.id, song_id, value)
        if turn.restart:
            self.session(who).picks, self.session(who).follow_up = (), None
        if turn.state != state:
            await self._keep(who, turn.state)
        if turn.kind == "list":
            seed = turn.subject[0] if turn.subject else None
            await self._remember(who, "ask", text, seed, [p.song.id for p in turn.picks])
            return self._list_reply(who, turn)
        if turn.kind == "ask":
            return self._which_reply(who, turn, text)
        if turn.text == "help":
            return self._talk_help(who)
        if turn.about is not None:  # "who sings #2": the song's mood card, as !cluster shows it
            return _with(await self.cluster(who, turn.about.id), understood=turn.understood)
        return self._say(turn)

    def _after_commands(self, who: Requester, state: DialogueState) -> DialogueState:
        """The conversation, moved onto the list a command showed since its last turn: after
        ``!recommend la java``, "sadder" means La Java sadder, "#2" its second pick."""
        session = self.session(who)
        shown = tuple(p.song_id for p in session.picks)
        follow = session.follow_up
        if not shown or shown == state.shown or follow is None or follow.command == "ask":
            return state
        seed = follow.subject if follow.command == "recommend" else None
        label = {"foryou": "songs for you"}.get(follow.command, follow.subject)
        return self.engine.dialogue.from_list(
            shown, label=label, seed_id=seed, now=time.time(), count=follow.count
        )

    # -- rendering ------------------------------------------------------------------------------
    def _list_reply(self, who: Requester, turn: Turn) -> Reply:
        subject = turn.subject
        if subject:
            head = " · ".join(linked_label(s) for s in subject[:3])
            emoji = subject[0].mood.emoji
            description = f"**{escape(turn.understood, 300)}**\nFrom **{head}**"
        else:
            emoji = turn.picks[0].song.mood.emoji if turn.picks else "🎵"
            description = f"**{escape(turn.understood, 300)}**"
        reply = self._picks_reply(
            who,
            title=f"{emoji} {_title(turn)}",
            description=description,
            picks=turn.picks,
            follow_up=FollowUp("ask", "more", len(turn.picks), run=functools.partial(self.ask, text="more")),
            show_similarity=False,
            subject=subject,
        )
        more_like = tuple(Action(f"More like #{i}", f"more like #{i}") for i in range(1, len(turn.picks) + 1))
        return _with(reply, understood=turn.understood, actions=CRITIQUE_ACTIONS + more_like)

    def _which_reply(self, who: Requester, turn: Turn, text: str) -> Reply:
        choices = tuple(
            Choice(label=plain_label(s.name, s.artist, s.year), value=s.id) for s in turn.candidates
        )
        reply = Reply(
            text=f"Several songs match “{escape(turn.asked, 80)}”. Which one did you mean?",
            choices=choices,
            choice_command="ask",
            on_choice=functools.partial(_continue_ask, self, text=text),
        )
        self.session(who).pending = reply
        return _with(reply, understood=turn.understood)

    def _say(self, turn: Turn) -> Reply:
        if turn.links:  # as the link command says it
            return _with(
                Reply(text=" · ".join(listen_line(s) for s in turn.links)), understood=turn.understood
            )
        text = escape(turn.text, 600)
        tries = " · ".join(f"“{escape(e, 80)}”" for e in turn.examples[:3])
        if turn.error:
            reply = error_reply(text, f"Try: {tries}" if tries else "")
        else:
            reply = Reply(text=text + (f"\nTry: {tries}" if tries else ""))
        return _with(reply, understood=turn.understood)

    def _talk_help(self, who: Requester, greeting: bool = False) -> Reply:
        lead = "Hi! 👋 " if greeting else ""
        return Reply(
            card=Card(
                title="🎵 Talk to Clusterfy",
                description=f"{lead}{HELP_TALK}",
                fields=(
                    Field(
                        "Commands work too",
                        f"`{self.prefix}help` lists them: `{self.prefix}recommend la java 3`, "
                        f"`{self.prefix}vibe chill`, `{self.prefix}foryou`…",
                    ),
                ),
                color=COLOR_OK,
            )
        )


async def _continue_ask(talk: Talk, who: Requester, song_id: str, *, text: str) -> Reply:
    """The menu's answer to "which one did you mean?": the same message, with the song chosen."""
    return await talk.ask(who, text, choice=song_id)


def _title(turn: Turn) -> str:
    state = turn.state
    if state.subject == "songs":
        return f"Songs like {state.label}"
    return f"{state.label[:1].upper()}{state.label[1:]} songs"


def _with(reply: Reply, *, understood: str = "", actions: tuple[Action, ...] = ()) -> Reply:
    return replace(reply, understood=understood, actions=actions)


__all__ = ["CRITIQUE_ACTIONS", "HELP_TALK", "Talk", "channel_key"]
