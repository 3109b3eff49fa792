"""The conversation: every command's logic, once, for Discord, the console and any other front end.

Transports call these coroutines with a :class:`~bot.replies.Requester` and get a
:class:`~bot.replies.Reply` back; they only render it. Engine work runs in a worker
thread (``asyncio.to_thread``) so the event loop keeps serving other users, and every
answer is recorded in the history store so users get no repeats and can see or delete
what is stored about them. Nothing here imports discord.

One module per feature, as the cogs draw them, each a mixin over
:class:`~bot.conversation.session.ConversationBase` (the member's session, admission and
shared plumbing); :class:`Conversation` composes them into the one object front ends hold.
"""

from __future__ import annotations

from engine.counts import MAX_CHAT_COUNT, BadCount, check_count

from ..replies import Requester
from .friends import MAX_BLEND, Friends
from .history import History
from .lines import ALIASES, COMMANDS, TypedLines, check_typed_forms
from .listeners import DEFAULT_PLAYLIST, MAX_PLAYLIST, Listeners
from .moods import Moods
from .session import Session
from .songs import Songs
from .talk import Talk

#: The chat ceiling of the one count rule (engine.counts), under the name the cogs use.
MAX_COUNT = MAX_CHAT_COUNT


class Conversation(Talk, Songs, Moods, Listeners, Friends, History, TypedLines):
    """Command logic over an :class:`~engine.service.Engine` and a history store (SQLite or PostgreSQL).

    ``Conversation(engine, store, prefix="!", limiter=None)``; each command is a method
    named like its row of :data:`bot.commands.COMMAND_TABLE`.
    """


check_typed_forms(Conversation)  # a table row without its method fails at import

__all__ = [
    "ALIASES",
    "COMMANDS",
    "DEFAULT_PLAYLIST",
    "MAX_BLEND",
    "MAX_COUNT",
    "MAX_PLAYLIST",
    "BadCount",
    "Conversation",
    "Requester",
    "Session",
    "check_count",
    "check_typed_forms",
]
