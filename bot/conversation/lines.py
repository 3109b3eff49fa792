"""Typed lines (the console, and anything line based): one line → the command it names → one reply.

The command table (:mod:`bot.commands`) drives it: the first word is looked up there, and
the row's ``reads`` says how the rest of the line becomes the arguments of
``Conversation.<name>`` (:meth:`TypedLines.run_typed`). A line may also answer the question
the member's last reply asked: a number picks a song, "yes" confirms ``forget``.
:func:`check_typed_forms` makes a table row without its method fail at import.
"""

from __future__ import annotations

import difflib
import inspect
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import assert_never

from engine.errors import EngineError

from ..commands import COMMAND_TABLE, CommandSpec, Reads, help_lines, lookup, takes
from ..replies import Card, Field, Reply, Requester, error_reply, escape
from .session import ConversationBase

#: Command names and aliases, from the one command table (bot.commands), for "did you mean".
COMMANDS: tuple[str, ...] = tuple(c.name for c in COMMAND_TABLE)
ALIASES: dict[str, str] = {alias: c.name for c in COMMAND_TABLE for alias in c.aliases}

#: A prefixed unknown word this close to a command name is a typo of it, not language.
CLOSE_COMMAND = 0.75

_TRAILING_INT = re.compile(r"^(?P<rest>.*\S)\s+(?P<n>[-+]?\d{1,30})$", re.DOTALL)


class TypedLines(ConversationBase, ABC):
    """``help``, and typed lines run through the command table."""

    # A pending question is answered by the feature that asked it.
    @abstractmethod
    async def choose(self, who: Requester, asked: Reply, value: str) -> Reply:
        """Continue the command that asked "which one did you mean?" (:class:`~.songs.Songs`)."""

    @abstractmethod
    async def ask(self, who: Requester, text: str, choice: str | None = None) -> Reply:
        """A message in plain language (:class:`~.talk.Talk`)."""

    @abstractmethod
    async def ask_or(
        self, who: Requester, text: str, otherwise: Reply | Callable[[], Awaitable[Reply]]
    ) -> Reply:
        """:meth:`ask`, or ``otherwise`` when the text reads as no request (:class:`~.talk.Talk`)."""

    @abstractmethod
    async def forget(self, who: Requester, confirmed: bool = False) -> Reply:
        """Delete what is stored about ``who`` once confirmed (:class:`~.history.History`)."""

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
        prefixed = text.startswith(self.prefix)
        if prefixed:
            text = text[len(self.prefix) :].lstrip()
        word, _, rest = text.partition(" ")
        command = lookup(word)
        if command is not None and takes(command, rest):
            return await self.run_typed(command, who, rest.strip())
        if command is not None:
            # "more like the second one": language; "like abc": the command's own answer
            return await self.ask_or(who, text, lambda: self.run_typed(command, who, rest.strip()))
        if command is None and prefixed:
            # "!recomend la java": a command misspelt, as ever; other prefixed words are
            # read as language, and answered as unknown commands when they mean nothing
            close = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
            hint = f"Did you mean {self.prefix}{close[0]}?" if close else f"Try {self.prefix}help."
            unknown = error_reply(f"Unknown command “{escape(word, 40)}”.", hint)
            if close and difflib.SequenceMatcher(None, word.lower(), close[0]).ratio() >= CLOSE_COMMAND:
                return unknown
            return await self.ask_or(who, text, unknown)
        return await self.ask(who, text)

    async def run_typed(self, command: CommandSpec, who: Requester, rest: str) -> Reply:
        """Run ``command`` on the rest of its typed line, read as its row of the table says."""
        method = getattr(self, command.name)
        args: tuple[object, ...]
        match command.reads:
            case Reads.SAME_FOR_EVERYONE:
                return method()
            case Reads.NOTHING:
                args = ()
            case Reads.TEXT:
                args = (rest,)
            case Reads.SONG_AND_COUNT:
                args = await self._run(self.split_count, rest)
            case Reads.WORDS_AND_COUNT:
                args = self.split_count(rest, titles=False)  # no title lookup: cheap
            case Reads.MEMBERS:
                args = (members_named(rest),)  # blend refuses more than it takes
            case _:
                assert_never(command.reads)
        return await method(who, *args)

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


def members_named(text: str) -> list[str]:
    """Members typed on one line: "ana, bo b" → ["ana", "bo b"]; no commas: "ana bo" → ["ana", "bo"]."""
    return [n for n in re.split(r"[,\s]+" if "," not in text else r"\s*,\s*", text) if n]


def check_typed_forms(conversation: type) -> None:
    """Fail unless every row of the command table runs from a typed line on ``conversation``.

    A row runs ``conversation.<name>``: a coroutine taking the requester first, or a plain
    method for a row that reads nothing and answers everyone alike (``help``).
    """
    wrong = []
    for row in COMMAND_TABLE:
        method = getattr(conversation, row.name, None)
        personal = row.reads is not Reads.SAME_FOR_EVERYONE
        if method is None or inspect.iscoroutinefunction(method) != personal:
            wrong.append(row.name)
    if wrong:
        raise RuntimeError(f"commands without a typed-line form on {conversation.__name__}: {wrong}")
