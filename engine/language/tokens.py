"""From a chat message to tokens: what Discord adds taken away, words folded, boundaries kept.

A message that mentions the bot carries ``<@123…>``; people add markdown, links, custom
emoji and punctuation. None of it is a song or a mood. Punctuation that separates
thoughts (``, ; . ! ?``, brackets, a cut filter) becomes a boundary token :data:`BREAK`,
so a title never runs across it. Words are folded (case, accents) token by token, so a
token can still be joined back into a title for the resolver.
"""

from __future__ import annotations

import re
from typing import Final

from ..text import fold

#: Longest text read; a longer message is cut (and the reply says so).
MAX_TEXT_CHARS: Final = 400
#: Most tokens read from one message.
MAX_TOKENS: Final = 80
#: A boundary between thoughts.
BREAK: Final = "|"

_MENTION = re.compile(
    r"<@[!&]?[0-9]+>|<#[0-9]+>|<a?:\w{1,32}:[0-9]+>|<t:[0-9]+(?::\w)?>|@(?:everyone|here)\b"
)
_NAMED_MENTION = re.compile(r"(?<!\w)@\w[\w.]{0,31}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|~~|\|\||```|`|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|^\s*>+\s?", re.MULTILINE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
#: Emoji that say something: a like, a dislike, thanks, a greeting.
EMOJI_WORDS: Final = {
    "👍": "fire",
    "❤️": "fire",
    "❤": "fire",
    "😍": "fire",
    "🔥": "fire",
    "💯": "fire",
    "🥰": "fire",
    "🙌": "fire",
    "👎": "trash",
    "🤮": "trash",
    "💩": "trash",
    "🙏": "thanks",
    "👋": "hi",
}
_EMOJI_WORD = re.compile("|".join(re.escape(e) for e in sorted(EMOJI_WORDS, key=len, reverse=True)))
_TOKEN = re.compile(r"#\s?[0-9]{1,3}\b|[^\W_]+(?:['’][^\W_]+)*|[&+/]|[,;.!?()\[\]{}:|]+", re.UNICODE)
_BREAKS = frozenset(",;.!?()[]{}:|")


def clean(text: object) -> tuple[str, bool]:
    """The message without mentions, links, markdown and control characters; and whether
    it was cut to :data:`MAX_TEXT_CHARS`."""
    if not isinstance(text, str):
        return "", False
    out = _CONTROL.sub(" ", text)
    out = _MENTION.sub(" ", out)
    out = _URL.sub(" ", out)
    out = _NAMED_MENTION.sub(" ", out)
    out = _MARKDOWN.sub(" ", out)
    out = _EMOJI_WORD.sub(lambda m: f" {EMOJI_WORDS[m.group(0)]} ", out)
    out = " ".join(out.split())
    truncated = len(out) > MAX_TEXT_CHARS
    if truncated:
        cut = out[:MAX_TEXT_CHARS]
        out = cut[: cut.rfind(" ")] if " " in cut[-20:] else cut
    return out, truncated


def tokenize(text: str) -> list[str]:
    """Folded word tokens and :data:`BREAK` tokens; ``#3`` stays ``#3``; ``&``/``+``/``/`` stay."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(text):
        if raw[0] == "#":
            tokens.append("#" + raw[1:].strip())
        elif raw[0] in _BREAKS:
            if tokens and tokens[-1] != BREAK:
                tokens.append(BREAK)
        elif raw in ("&", "+", "/"):
            tokens.append(raw)
        else:
            tokens.extend(fold(raw).split())
        if len(tokens) >= MAX_TOKENS:
            break
    while tokens and tokens[-1] == BREAK:
        tokens.pop()
    while tokens and tokens[0] == BREAK:
        tokens.pop(0)
    return _shorthand(tokens)[:MAX_TOKENS]


def _shorthand(tokens: list[str]) -> list[str]:
    """ "w/ guitar", "w/o vocals": chat shorthand for with / without."""
    out: list[str] = []
    k = 0
    while k < len(tokens):
        if tokens[k] == "w" and k + 1 < len(tokens) and tokens[k + 1] == "/":
            nxt = tokens[k + 2] if k + 2 < len(tokens) else ""
            if nxt == "o":
                out.append("without")
                k += 3
                continue
            out.append("with")
            k += 2
            continue
        out.append(tokens[k])
        k += 1
    return out


__all__ = ["BREAK", "EMOJI_WORDS", "MAX_TEXT_CHARS", "MAX_TOKENS", "clean", "tokenize"]
