"""Which messages are commands, which are requests in plain language, and which are none of ours.

Read as plain language: a message that mentions the bot, a DM, a reply to one of the bot's
messages. Commands keep their exact forms (``!more``, ``!like 2``, ``@Clusterfy
recommend la java``); a sentence that begins with a command word ("more like the second
one", "like the last one but slower") is language (:func:`bot.commands.takes`). A
prefixed word close to a command name stays an unknown command ("!recomend"), as before.

Without the privileged Message Content intent Discord still delivers the text of messages
that mention the bot (a reply that pings it counts) and of DMs; a reply with the ping
turned off arrives empty, which :data:`Route.EMPTY_REPLY` answers with a hint.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import Enum

from .commands import COMMAND_TABLE, lookup, takes

#: A prefixed unknown word at least this close to a command name is a typo of it.
CLOSE_COMMAND = 0.75
_COMMANDS = tuple(c.name for c in COMMAND_TABLE)
_LEADING_MENTION = re.compile(r"^(?:\s*<@!?[0-9]+>[\s,:]*)+")


class Route(Enum):
    """What to do with a message."""

    IGNORE = "ignore"  # not for us
    COMMAND = "command"  # discord.py runs it (a command, or an unknown command's error)
    TALK = "talk"  # plain language
    TALK_OR_COMMAND = "talk or command"  # language, else the unknown-command answer
    EMPTY_REPLY = "empty reply"  # a reply to us whose text we were not given


@dataclass(frozen=True)
class Routing:
    route: Route
    text: str = ""  # what the conversation reads (prefix and leading mentions removed)


def route(
    content: str,
    *,
    prefix: str | None,
    mentioned_prefix: bool,
    command_name: str | None,
    invoked_with: str | None,
    is_dm: bool,
    replies_to_bot: bool,
    mentions_bot: bool,
) -> Routing:
    """Decide for one message (pure: the bot passes what discord.py parsed).

    ``prefix`` is what discord.py matched (the command prefix or a mention), None when the
    message starts with neither; ``command_name`` is the command it found, None for none.
    """
    text = content or ""
    if prefix is not None:
        rest = text[len(prefix) :].lstrip()
        if command_name is not None:
            spec = lookup(command_name)
            after = rest[len(invoked_with or "") :].strip()
            if spec is None or takes(spec, after):
                return Routing(Route.COMMAND)
            # "more like the second one" is language; "like abc" stays the command's error
            return Routing(Route.TALK_OR_COMMAND, _unmentioned(rest))
        if mentioned_prefix:
            return Routing(Route.TALK, _unmentioned(rest))
        word = (invoked_with or rest.split(" ", 1)[0]).lower()
        close = difflib.get_close_matches(word, _COMMANDS, n=1, cutoff=CLOSE_COMMAND)
        if close or not rest:
            return Routing(Route.COMMAND)
        return Routing(Route.TALK_OR_COMMAND, rest)
    if is_dm or replies_to_bot or mentions_bot:
        stripped = _unmentioned(text)
        if not stripped.strip():
            return Routing(Route.EMPTY_REPLY if replies_to_bot and not text.strip() else Route.TALK, stripped)
        return Routing(Route.TALK, stripped)
    return Routing(Route.IGNORE)


def _unmentioned(text: str) -> str:
    """``text`` without the mentions it starts with ("<@123> <@!456>, hi" → "hi")."""
    return _LEADING_MENTION.sub("", text).strip()


#: What a reply to the bot that arrived without its text gets (no Message Content intent).
EMPTY_REPLY_HINT = (
    "I can't read replies that don't ping me. Mention me (@Clusterfy …), keep the reply ping on, or use /ask."
)

__all__ = ["CLOSE_COMMAND", "EMPTY_REPLY_HINT", "Route", "Routing", "route"]
