"""The one command table: names, aliases, usage and help text of every command.

The cogs declare their hybrid commands from it (``hybrid_command(spec("recommend"))``), the
console dispatches typed lines through it (:meth:`bot.conversation.Conversation.handle_line`
calls ``Conversation.<name>`` with what the row ``reads``), "did you mean" suggests from it,
and ``help`` renders it. Adding a command means one row here, a method of the same name on
``Conversation`` (importing ``bot.conversation`` fails while one is missing), and a thin cog
command.

Help texts may contain ``{p}``, replaced by the prefix in use when the help is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Final


class Reads(Enum):
    """What a command reads from the rest of a typed line, the words after its name.

    A typed line runs ``Conversation.<name>``; each kind says with which arguments.
    """

    #: ``name(who)``: the words after the name are ignored.
    NOTHING = "nothing"
    #: ``name(who, rest)``: the rest as typed (a song, a pick number, a member, on/off…).
    TEXT = "text"
    #: ``name(who, text, count)``: a trailing number is the count, unless the whole rest
    #: names a song ("Summer of 69"), which takes a title lookup.
    SONG_AND_COUNT = "song and count"
    #: ``name(who, words, count)``: a trailing number is the count (no title lookup).
    WORDS_AND_COUNT = "words and count"
    #: ``name(who, names)``: members by name or id, separated by commas, else by spaces.
    MEMBERS = "members"
    #: ``name()``: nothing read, the same answer for everyone (``help``).
    SAME_FOR_EVERYONE = "same for everyone"


@dataclass(frozen=True)
class CommandSpec:
    """One command as users see it, on Discord and in the console."""

    name: str
    #: Other words that run it (prefix commands and the console; slash commands have none).
    aliases: tuple[str, ...] = ()
    #: Arguments shown in "Usage: !name …" hints; None when it takes none (discord.py shows the signature).
    usage: str | None = None
    #: One line: the slash command's description and the cog command's description.
    summary: str = ""
    #: Argument forms listed in ``help``, each rendered as ``{p}name form`` ("" is the bare name).
    help_forms: tuple[str, ...] = ("",)
    #: This command's part of its ``help`` line; None keeps it out of ``help``.
    help_text: str | None = None
    #: Commands sharing a group share one ``help`` line: forms and texts joined with " · ".
    help_group: str = ""
    #: What a typed line gives ``Conversation.<name>`` (the console; Discord parses its own options).
    reads: Reads = field(kw_only=True)

    def help_name(self, prefix: str) -> str:
        """The command's forms as listed in ``help``: "!foryou [count] · !foryou start a, b, c"."""
        return " · ".join(f"{prefix}{self.name} {form}".rstrip() for form in self.help_forms)


#: Every command, in the order ``help`` lists them.
COMMAND_TABLE: Final[tuple[CommandSpec, ...]] = (
    CommandSpec(
        "recommend",
        ("rec", "r", "similar"),
        "<song> [count]",
        "Songs that sound like a song you name.",
        ("<song> [count]",),
        "Songs that sound like it. `{p}recommend la java 3`, "
        "with filters: `{p}recommend la java energy>0.5 tempo 90-130`",
        reads=Reads.SONG_AND_COUNT,
    ),
    CommandSpec(
        "cluster",
        ("c",),
        "<song>",
        "Which mood a song belongs to, with a chart.",
        ("<song>",),
        "Its mood, how it compares, top genres. `{p}cluster la java`",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "vibe",
        ("mood", "v"),
        "<mood> [count]",
        "Songs of a mood: chill, energetic, sad…",
        ("<mood> [count]",),
        "Songs for a mood, a moment or a mix. `{p}vibe chill`, `{p}vibe study 3`, "
        "`{p}vibe sad but danceable`",
        reads=Reads.WORDS_AND_COUNT,
    ),
    CommandSpec(
        "moods",
        (),
        None,
        "All moods with their sizes and a chart.",
        ("",),
        "All moods with sizes and a chart.",
        reads=Reads.NOTHING,
    ),
    CommandSpec(
        "foryou",
        ("fy", "for-you"),
        "[count] | start <songs>",
        "Songs picked from your taste (your 👍/👎).",
        ("[count]", "start a, b, c"),
        "Picks from your 👍/👎, each saying which liked song it is close to · start from songs you name.",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "playlist",
        ("pl",),
        "<song|mood|foryou|a -> b|last> [count]",
        "A smooth playlist from a song, a mood, your taste or a -> b.",
        ("<song|mood|foryou|a -> b> [count]",),
        "A smooth playlist (default 15, up to 50) with .m3u/.csv files. "
        "`{p}playlist chill 20`, `{p}playlist la java -> jungle`, `{p}playlist last`",
        reads=Reads.SONG_AND_COUNT,
    ),
    CommandSpec(
        "taste",
        ("compare",),
        "@member",
        "How alike your taste is to another member's.",
        ("@member",),
        "How alike your tastes are",
        "friends",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "blend",
        (),
        "@a [@b …]",
        "One list in the middle of your tastes (up to 5 members).",
        ("@a @b",),
        "one list for up to 5 of you",
        "friends",
        reads=Reads.MEMBERS,
    ),
    CommandSpec(
        "privacy",
        (),
        "on|off",
        "Opt out of (on) or back into (off) taste comparisons.",
        ("on|off",),
        "opt out of both.",
        "friends",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "history",
        (),
        None,
        "Your recent requests and ratings.",
        ("",),
        "What you asked, were shown and made",
        "privacy",
        reads=Reads.NOTHING,
    ),
    CommandSpec(
        "forget",
        (),
        None,
        "Delete everything stored about you.",
        ("",),
        "delete all of it.",
        "privacy",
        reads=Reads.NOTHING,
    ),
    CommandSpec(
        "more",
        ("next",),
        None,
        "More new songs for your last recommend or vibe.",
        ("",),
        "New songs for your last request",
        "picks",
        reads=Reads.NOTHING,
    ),
    CommandSpec(
        "like",
        ("up",),
        "<number>",
        "👍 a song from your last list (by its number).",
        ("N",),
        "rate pick N (👎 songs never come back)",
        "picks",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "dislike",
        ("down",),
        "<number>",
        "👎 a song from your last list; it never comes back.",
        ("N",),
        "",
        "picks",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "link",
        ("listen",),
        "<number>",
        "Where to listen to a song from your last list.",
        ("N",),
        "where to listen to pick N.",
        "picks",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "ask",
        ("talk",),
        "<anything>",
        "Ask for music in your own words; refine the list turn by turn.",
        ("<anything>",),
        "Talk to me: `{p}ask something like In the End but calmer`, then `sadder`, "
        "`the second one but slower`, `no more Drake`, `start over` (or just mention me)",
        reads=Reads.TEXT,
    ),
    CommandSpec(
        "help",
        ("h", "commands"),
        None,
        "What Clusterfy can do, with examples.",
        reads=Reads.SAME_FOR_EVERYONE,
    ),
)

_BY_NAME: Final[dict[str, CommandSpec]] = {c.name: c for c in COMMAND_TABLE}
_BY_WORD: Final[dict[str, CommandSpec]] = {
    **{alias: c for c in COMMAND_TABLE for alias in c.aliases},
    **_BY_NAME,
}


def spec(name: str) -> CommandSpec:
    """The row of command ``name`` (a KeyError names a command missing from the table)."""
    return _BY_NAME[name]


#: Commands whose own form is a pick number ("like 2"); anything else after them is language.
_PICK_COMMANDS = frozenset(("like", "dislike", "link"))


def takes(command: CommandSpec, rest: str) -> bool:
    """Whether ``rest`` (the words after a command's name) is one of the command's own forms.

    Commands keep their exact forms — ``more``, ``like 2``, ``help`` — and a sentence that
    merely starts with a command word ("more like the second one", "like the last one but
    slower", "help me find something sad") is plain language instead. Commands that take
    free text (a song, a mood, members) take any rest.
    """
    rest = rest.strip()
    if command.reads in (Reads.NOTHING, Reads.SAME_FOR_EVERYONE):
        return not rest
    if command.name in _PICK_COMMANDS:
        return not rest or (rest.isdigit() and len(rest) <= 3)
    return True


def lookup(word: str) -> CommandSpec | None:
    """The command a typed word runs (its name or an alias, any case), or None."""
    return _BY_WORD.get(word.lower())


def help_lines(prefix: str) -> Iterator[tuple[str, str]]:
    """(forms, text) of each ``help`` line, in table order, grouped commands on one line."""
    rows = [c for c in COMMAND_TABLE if c.help_text is not None]
    i = 0
    while i < len(rows):
        group = [rows[i]]
        while (
            rows[i].help_group
            and i + len(group) < len(rows)
            and rows[i + len(group)].help_group == rows[i].help_group
        ):
            group.append(rows[i + len(group)])
        i += len(group)
        text = " · ".join(c.help_text for c in group if c.help_text)
        yield " · ".join(c.help_name(prefix) for c in group), text.replace("{p}", prefix)
