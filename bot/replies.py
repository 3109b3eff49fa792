"""Transport-agnostic replies: what the bot says, before it is an embed or terminal text.

The conversation layer builds :class:`Reply` objects; the Discord layer turns them into
messages, embeds, files and views, and the console into plain text. Discord's limits
are enforced here, once, so no transport can post something Discord would reject.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MESSAGE_LIMIT = 2000
EMBED_TOTAL_LIMIT = 6000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
SELECT_OPTIONS_LIMIT = 25
OPTION_LABEL_LIMIT = 100
OPTION_VALUE_LIMIT = 100
OPTION_DESCRIPTION_LIMIT = 100

#: Brand colour for ordinary cards, and a red for errors.
COLOR_OK = 0x1DB954
COLOR_ERROR = 0xE74C3C

_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<-])")
_MENTION_LIKE = re.compile(r"@(everyone|here|[!&]?\d+)")
# Lone surrogates (\ud800-\udfff) too: they cannot be encoded, so printing one crashes a console.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


#: The one wording for a failure on our side (details go to the log, never to the user).
GENERIC_ERROR = "⚠️ Something went wrong on my side; try again."


def slow_down_text(retry_after: float) -> str:
    """The one "too many requests" wording: our rate limiter and discord.py's cooldowns."""
    return f"⚠️ Slow down a little — try again in {max(1, round(retry_after))} s."


def escape(text: object, limit: int | None = None) -> str:
    """User- or catalog-supplied text made inert: no markdown, no mention syntax.

    AllowedMentions.none() already stops pings; breaking the mention syntax too keeps
    ``@everyone`` from even *looking* like one. Invisible and control characters are
    dropped so a name cannot hide or reorder the text around it.
    """
    s = _INVISIBLE.sub("", str(text)).replace("\n", " ").replace("\r", " ")
    if limit is not None:
        s = truncate(s, limit)
    s = _MARKDOWN.sub(r"\\\1", s)
    return _MENTION_LIKE.sub("@\u200b\\1", s)


#: Text of the listen link in front of each pick; the console leaves it out (``link N`` there).
LISTEN_TEXT = "▶ Listen"
_MASKED_LINK = re.compile(r"(?<!\\)\[((?:[^\[\]\\]|\\.)*)\]\((https://[^\s()<>]+)\)")
_LISTEN_LINK = re.compile(r"(?<!\\)\[" + re.escape(LISTEN_TEXT) + r"\]\(https://[^\s()<>]+\)(?: · )?")
_BARE_LINK = re.compile(r"(?<!\\)<(https://[^\s<>]+)>")


def masked_link(text: str, url: str) -> str:
    """A markdown link ``[text](url)``: ``text`` must already be escaped, ``url`` must
    come from :func:`engine.links.listen_url` (percent-encoded, no brackets or spaces)."""
    return f"[{text}]({url})" if url.startswith("https://") else text


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when it had to be cut."""
    if limit <= 0:
        return ""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


@dataclass(frozen=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True)
class Card:
    """A rich block: an embed on Discord, an indented block in the console."""

    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""
    color: int = COLOR_OK
    image_png: bytes | None = None
    image_name: str = "chart.png"
    #: More charts, sent as attachments beside the embed: (file name, PNG bytes).
    extra_images: tuple[tuple[str, bytes], ...] = ()

    def fitted(self) -> Card:
        """A copy within every embed limit, cutting the least important text first."""
        fields = tuple(
            Field(
                truncate(f.name, FIELD_NAME_LIMIT) or "\u200b",
                truncate(f.value, FIELD_VALUE_LIMIT) or "\u200b",
                f.inline,
            )
            for f in self.fields[:EMBED_FIELDS_LIMIT]
        )
        card = replace(
            self,
            title=truncate(self.title, EMBED_TITLE_LIMIT),
            description=truncate(self.description, EMBED_DESCRIPTION_LIMIT),
            footer=truncate(self.footer, FOOTER_LIMIT),
            fields=fields,
        )
        while card.size() > EMBED_TOTAL_LIMIT and card.fields:
            card = replace(
                card,
                fields=card.fields[:-1],
                footer=truncate("Some entries were left out to fit Discord's limits.", FOOTER_LIMIT),
            )
        if card.size() > EMBED_TOTAL_LIMIT:
            room = EMBED_TOTAL_LIMIT - (card.size() - len(card.description))
            card = replace(card, description=truncate(card.description, max(room, 0)))
        return card

    def size(self) -> int:
        """Characters Discord counts toward the 6,000 embed total."""
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


@dataclass(frozen=True)
class Choice:
    """One option of a select menu (or a numbered line in the console)."""

    label: str
    value: str
    description: str = ""

    def fitted(self) -> Choice:
        return Choice(
            truncate(self.label, OPTION_LABEL_LIMIT) or "?",
            self.value[:OPTION_VALUE_LIMIT],
            truncate(self.description, OPTION_DESCRIPTION_LIMIT),
        )


@dataclass(frozen=True)
class Requester:
    """Who asked, and where (guild/channel are None in DMs and the console).

    Every reply is for one requester: continuations (``FollowUp.run``, ``Reply.on_choice``)
    are called with the member who clicked or typed, and the conversation keys its
    sessions, history and rate limit by ``id``.
    """

    id: int
    name: str = ""
    guild_id: int | None = None
    channel_id: int | None = None


@dataclass(frozen=True)
class PickRef:
    """A song shown in a reply that the user may rate (👍/👎) afterwards."""

    position: int  # 1-based, as shown
    song_id: str
    label: str


#: The rest of a command, stored on a reply and run later for the same user: "More like this"
#: (``FollowUp.run(who)``) and a chosen song (``Reply.on_choice(who, song_id)``). Bound
#: methods of the conversation with their arguments filled in, so nothing dispatches on strings.
Continuation = Callable[[Requester], Awaitable["Reply"]]
ChoiceContinuation = Callable[[Requester, str], Awaitable["Reply"]]


@dataclass(frozen=True)
class FollowUp:
    """What "More like this" continues: ``run`` re-runs the request (no repeats, by history).

    ``command``, ``subject``, ``count`` and ``where`` describe that request (logs, tests);
    they are never dispatched on.
    """

    command: str  # "recommend", "vibe" or "foryou"
    subject: str  # seed song id, or mood key
    count: int
    where: str = ""
    run: Continuation | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Action:
    """A button under a reply that does exactly what typing ``text`` does ("sadder",
    "more like #2"): on Discord a button, in the console a line of things to try."""

    label: str
    text: str


@dataclass(frozen=True)
class Reply:
    """Everything one answer consists of.

    ``choices`` asks the user to pick a song (``on_choice`` continues ``choice_command``
    with the chosen value); ``picks`` can be rated; ``follow_up`` powers "More like this";
    ``confirm`` asks for a confirmation before ``forget``. ``error`` replies are sent
    ephemerally to slash commands.
    """

    text: str = ""
    card: Card | None = None
    error: bool = False
    choices: tuple[Choice, ...] = ()
    choice_command: str = ""  # the command asking, for logs and tests; never dispatched on
    on_choice: ChoiceContinuation | None = field(default=None, compare=False, repr=False)
    picks: tuple[PickRef, ...] = ()
    follow_up: FollowUp | None = None
    confirm: str = ""  # the action awaiting confirmation, e.g. "forget"
    #: Files to attach (name, content): playlists as .m3u and .csv. The console writes them.
    attachments: tuple[tuple[str, bytes], ...] = ()
    #: Plain language: how the request was read, in one line ("" for commands).
    understood: str = ""
    #: Plain language: buttons that type for the member (critiques, "more like #2").
    actions: tuple[Action, ...] = ()
    #: The songs a list sounds like, and the picks' songs (for machine-readable output:
    #: ids, titles, artists, years and audio features). Engine ``Song`` objects.
    subject: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    songs: tuple[Any, ...] = field(default=(), compare=False, repr=False)

    def fitted(self) -> Reply:
        """A copy within Discord's message, embed and select-menu limits."""
        return replace(
            self,
            text=truncate(self.text, MESSAGE_LIMIT),
            card=self.card.fitted() if self.card else None,
            choices=tuple(c.fitted() for c in self.choices[:SELECT_OPTIONS_LIMIT]),
        )


def error_reply(message: str, hint: str = "") -> Reply:
    """A short error: what was wrong, and what to try (the message starts a sentence)."""
    message = message[:1].upper() + message[1:]
    text = f"⚠️ {message}" + (f"\n{hint}" if hint else "")
    return Reply(text=truncate(text, MESSAGE_LIMIT), error=True)


_UNESCAPE = re.compile(r"\\([\\*_~`|>#\[\]()<-])")


def render_text(reply: Reply) -> str:
    """Plain-text rendering for the console: same content, markdown removed."""
    parts: list[str] = []
    if reply.text:
        parts.append(plain_text(reply.text))
    if reply.card:
        card = reply.card
        parts.append(f"== {plain_text(card.title)} ==")
        if card.description:
            parts.append(plain_text(card.description))
        for f in card.fields:
            parts.append(f"- {plain_text(f.name)}")
            parts.extend(f"    {plain_text(line)}" for line in f.value.splitlines())
        if card.image_png:
            parts.append(f"[chart: {card.image_name} (an image on Discord)]")
        for name, _png in card.extra_images:
            parts.append(f"[chart: {name} (an image on Discord)]")
        if card.footer:
            parts.append(plain_text(card.footer))
    if reply.choices:
        parts.append("Which one? Reply with its number:")
        parts.extend(f"  {i}. {plain_text(c.label)}" for i, c in enumerate(reply.choices, 1))
    if reply.picks:
        parts.append("Rate a pick: like N / dislike N. More: more. Listen: link N")
    if reply.actions:
        parts.append("Or say: " + " · ".join(a.text for a in reply.actions[:7]))
    if reply.confirm:
        parts.append("Type yes to confirm, anything else to cancel.")
    for name, _ in reply.attachments:
        parts.append(f"[file: {name} (an attachment on Discord)]")
    return "\n".join(parts)


def plain_text(text: str) -> str:
    """Reply markdown as plain text (the console, the dashboard's tables): no escapes."""
    # Links read badly in a terminal: the listen link goes (``link N`` gives it), a
    # masked link keeps its text, and a bare <url> loses the brackets that stop previews.
    text = _LISTEN_LINK.sub("", text)
    text = _MASKED_LINK.sub(r"\1", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = _UNESCAPE.sub(r"\1", text)
    return text.replace("@\u200b", "@")
