"""Every hostile input (tests/hostile_inputs.py) through every command, on Discord and the console.

Discord path: real ClusterfyBot + cogs under dpytest (prefix commands, plus the slash
path for the commands that take text). Every outgoing message is captured where
discord.py builds its HTTP payload, so the checks see exactly what Discord would get:
limits, ``allowed_mentions``. Console path: ``Conversation.handle_line`` →
``render_text(reply.fitted())``, exactly as bot.console.run_console does it, plus one
real run of run_console over the whole corpus.

For every input: no exception escapes, the reply is short and says what to do, nothing
can ping, everything is within Discord's limits, and the history holds exactly the rows
the replies say were added (a request + shown rows only for a successful
recommend/vibe/cluster; errors add nothing).
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from bot.config import Settings
from bot.console import CONSOLE_USER, run_console
from bot.conversation import Conversation
from bot.history import HistoryStore
from bot.ratelimit import RateLimiter
from tests.discord_fakes import close_bot, make_bot, run_slash
from tests.hostile_inputs import (
    COMMANDS,
    HOSTILE_INPUTS,
    RAW,
    SHORT_ERROR,
    command_line,
    expected_after,
    limit_problems_payload,
    reply_problems,
    rows_problems,
    run_console_corpus,
    says_what_to_do,
    unescaped_pings,
)

#: Slash commands taking free text, and the option that gets the hostile text.
SLASH = (("recommend", "song"), ("cluster", "song"), ("vibe", "mood"), ("recommend", "filters"))
GENERIC = "Something went wrong"


def assert_no_failures(failures: list[tuple[str, str, str]], figure: str) -> None:
    if failures:
        shown = "\n".join(f"  [{name} / {command}] {problem}" for name, command, problem in failures[:40])
        raise AssertionError(f"{figure}\n{shown}")


# ----------------------------------------------------------------------- spies
class Outbox:
    """Every message payload discord.py builds (channel sends, edits, interaction replies)."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        self.mentions: list[discord.AllowedMentions | None] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import discord.abc
        import discord.http

        original = discord.http.handle_message_parameters

        def spy(*args: Any, **kwargs: Any):
            params = original(*args, **kwargs)
            payload = params.payload
            if payload is None and params.multipart:  # with files: JSON in a multipart field
                payload = json.loads(
                    next(p["value"] for p in params.multipart if p.get("name") == "payload_json")
                )
            self.payloads.append(dict(payload or {}))
            given = kwargs.get("allowed_mentions")
            previous = kwargs.get("previous_allowed_mentions")
            if given is discord.utils.MISSING or given is None:
                effective = previous
            else:
                effective = previous.merge(given) if previous is not None else given
            self.mentions.append(effective)
            return params

        monkeypatch.setattr(discord.abc, "handle_message_parameters", spy)

    def take(self) -> tuple[list[dict[str, Any]], list[discord.AllowedMentions | None]]:
        out = (self.payloads, self.mentions)
        self.payloads, self.mentions = [], []
        return out


class ReplySpy:
    """Records the Reply of the outermost Conversation call (``more`` calls ``recommend``)."""

    METHODS = {
        "recommend": "recommend",
        "vibe": "vibe",
        "cluster": "cluster",
        "more": "more",
        "rate": "like",
        "forget": "forget",
        "history": "history",
        "moods": "moods",
        "choose": "recommend",
        "link": "link",
        "foryou": "foryou",
        "playlist": "playlist",
        "blend": "blend",
        "taste": "taste",
        "privacy": "privacy",
        "ask": "ask",
    }

    def __init__(self, conversation: Conversation) -> None:
        self.calls: list[tuple[str, Any]] = []
        self._depth = 0
        for name, command in self.METHODS.items():
            setattr(conversation, name, self._wrap(getattr(conversation, name), command))

    def _wrap(self, method, command: str):
        async def wrapper(*args: Any, **kwargs: Any):
            self._depth += 1
            try:
                reply = await method(*args, **kwargs)
            finally:
                self._depth -= 1
            if self._depth == 0:
                self.calls.append((command, reply))
            return reply

        return wrapper

    def take(self) -> list[tuple[str, Any]]:
        out, self.calls = self.calls, []
        return out


def mention_problems(
    payloads: list[dict[str, Any]], mentions: list[discord.AllowedMentions | None]
) -> list[str]:
    out: list[str] = []
    for payload, allowed in zip(payloads, mentions):
        am = payload.get("allowed_mentions")
        if (
            am is None
            or am.get("parse") != []
            or am.get("users")
            or am.get("roles")
            or am.get("replied_user")
        ):
            out.append(f"allowed_mentions payload {am}")
        if allowed is None or allowed.everyone or allowed.users or allowed.roles:
            out.append(f"AllowedMentions {allowed!r}")
    return out


def payload_problems(payload: dict[str, Any]) -> list[str]:
    content = payload.get("content")
    embeds = payload.get("embeds") or []
    out = limit_problems_payload(content, embeds, payload.get("components"))
    texts = [content or ""]
    for e in embeds:
        texts += [e.get("title") or "", e.get("description") or "", (e.get("footer") or {}).get("text") or ""]
        texts += [f.get("name", "") + " " + f.get("value", "") for f in e.get("fields") or []]
    for t in texts:
        if pings := unescaped_pings(t):
            out.append(f"mention syntax reaches the message: {pings}")
    if content and GENERIC in content:
        out.append("generic failure reply")
    if content and content.startswith("⚠️"):
        if len(content) > SHORT_ERROR:
            out.append(f"error reply is {len(content)} characters")
        if not says_what_to_do(content):
            out.append(f"error reply does not say what to do: {content[:120]!r}")
    return out


def error_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    found = [f"{r.name}: {r.getMessage()[:200]}" for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    return found


def on_dpytest(text: str, member: discord.Member, channel: discord.abc.GuildChannel) -> str:
    """dpytest resolves user and channel mentions and crashes on unknown ids: point them at
    real ones (which makes them more dangerous, not less)."""
    return (
        text.replace("<@123456789012345678>", f"<@{member.id}>")
        .replace("<@!123456789012345678>", f"<@!{member.id}>")
        .replace("<#123456789012345678>", f"<#{channel.id}>")
        .replace("<@&123456789012345678>", f"<@&{member.guild.default_role.id}>")
    )


# ----------------------------------------------------------------------- fixtures
@pytest.fixture
async def hostile_bot(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # dpytest writes attachments to the working directory
    bot = await make_bot(engine, limiter=RateLimiter(rate=1_000_000, per=1.0))
    yield bot
    await close_bot(bot)


# ----------------------------------------------------------------------- Discord path
async def test_hostile_inputs_on_discord(hostile_bot, engine, monkeypatch, caplog, figures):
    caplog.set_level(logging.WARNING)
    bot = hostile_bot
    outbox = Outbox()
    outbox.install(monkeypatch)
    spy = ReplySpy(bot.conversation)
    store: HistoryStore = bot.store
    member = dpytest.get_config().members[0]
    channel = dpytest.get_config().channels[0]
    failures: list[tuple[str, str, str]] = []
    tried = 0

    for h in HOSTILE_INPUTS:
        start = await store.row_counts(member.id)
        want = dict(start)
        for command in (*COMMANDS, RAW):
            tried += 1
            line = command_line(command, on_dpytest(h.text, member, channel))
            problems: list[str] = []
            rating = command in ("like", "dislike")
            rated = await store.feedback(member.id) if rating else {}
            try:
                await dpytest.message(line)
            except commands.UserInputError:
                pass  # handled by the bot (it replied); dpytest re-raises every command error
            except commands.CommandNotFound:
                pass
            except Exception as exc:  # noqa: BLE001 - the failure being counted
                problems.append(f"exception escaped: {type(exc).__name__}: {str(exc)[:200]}")
            payloads, mentions = outbox.take()
            if command != RAW and len(payloads) != 1:
                problems.append(f"{len(payloads)} messages sent, expected exactly one reply")
            if command == RAW and len(payloads) > 1:
                problems.append(f"{len(payloads)} messages for one line")
            problems += mention_problems(payloads, mentions)
            for payload in payloads:
                problems += payload_problems(payload)
            problems += [f"logged: {e}" for e in error_logs(caplog)]
            new_ratings = set(await store.feedback(member.id)) - set(rated) if rating else set()
            for name, reply in spy.take():
                problems += [
                    p for p in reply_problems(reply, name, line) if not p.startswith("console output")
                ]
                want = expected_after(name, reply, want, had_rating=not new_ratings)
            failures += [(h.name, command, p) for p in problems]
        failures += [(h.name, "*", p) for p in await rows_problems(store, member.id, start, want)]
        await dpytest.empty_queue()

    # The slash path for the commands that take free text.
    slash_tried = 0
    for h in HOSTILE_INPUTS:
        for name, option in SLASH:
            slash_tried += 1
            before = await store.row_counts(member.id)
            options = {option: h.text[:6000]}
            if option == "filters":
                options["song"] = "la java"
            try:
                interaction = await run_slash(bot, name, **options)
            except Exception as exc:  # noqa: BLE001
                failures.append(
                    (h.name, f"/{name} {option}", f"exception escaped: {type(exc).__name__}: {exc}")
                )
                continue
            problems = [
                f"error: {type(e).__name__}"
                for e in interaction.errors
                if not isinstance(e, (commands.UserInputError, discord.app_commands.TransformerError))
            ]
            sent = interaction.all_sent()
            if len(sent) != 1 and not interaction.fake_response.deferred:
                problems.append(f"{len(sent)} interaction replies")
            for kwargs in sent:
                allowed = kwargs.get("allowed_mentions")
                if allowed is None or allowed.everyone or allowed.users or allowed.roles:
                    problems.append(f"AllowedMentions {allowed!r}")
                embeds = [kwargs["embed"].to_dict()] if kwargs.get("embed") else []
                embeds += [e.to_dict() for e in kwargs.get("embeds") or []]
                view = kwargs.get("view")
                components = view.to_components() if view is not None else []
                problems += payload_problems(
                    {"content": kwargs.get("content"), "embeds": embeds, "components": components}
                )
            problems += [f"logged: {e}" for e in error_logs(caplog)]
            want = before
            for called, reply in spy.take():
                want = expected_after(called, reply, want, had_rating=True)
            problems += await rows_problems(store, member.id, before, want)
            failures += [(h.name, f"/{name} {option}", p) for p in problems]

    assert await store.integrity_ok()
    figure = (
        f"hostile inputs on Discord: {len(HOSTILE_INPUTS)} inputs × {len(COMMANDS) + 1} prefix "
        f"commands = {tried} tries, + {slash_tried} slash tries; failures: {len(failures)}"
    )
    figures(figure)
    assert_no_failures(failures, figure)


# ----------------------------------------------------------------------- console path
async def test_hostile_inputs_on_console(engine, caplog, figures):
    caplog.set_level(logging.WARNING)
    store = await HistoryStore.open(":memory:")
    try:
        conversation = Conversation(engine, store, limiter=RateLimiter(rate=1_000_000, per=1.0))
        tried, failures = await run_console_corpus(conversation, store)
        failures += [("*", "*", f"logged: {e}") for e in error_logs(caplog)]
        assert await store.integrity_ok()
    finally:
        await store.close()
    figure = (
        f"hostile inputs on the console: {len(HOSTILE_INPUTS)} inputs × {len(COMMANDS) + 1} "
        f"commands = {tried} tries; failures: {len(failures)}"
    )
    figures(figure)
    assert_no_failures(failures, figure)


def test_run_console_survives_the_whole_corpus(engine, tmp_path: Path, monkeypatch, caplog) -> None:
    """The real console loop, fed every line at once: no crash, exit 0, nothing generic."""
    import bot.console

    # The session's engine instead of loading one again (start-up has its own tests).
    monkeypatch.setattr(bot.console, "load_engine", lambda settings, progress=None: engine)
    monkeypatch.setenv("CLUSTERFY_CACHE_DIR", str(tmp_path / "cache"))
    settings = Settings(db_path=tmp_path / "history.sqlite3")
    lines = [command_line(c, h.text) for h in HOSTILE_INPUTS for c in (*COMMANDS, RAW)]
    stdin = io.StringIO("\n".join(lines) + "\n")
    stdout = io.StringIO()
    caplog.set_level(logging.WARNING)
    assert run_console(settings, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert GENERIC not in out
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "\x00" not in out and "\x1b" not in out and "\u202e" not in out
    out.encode("utf-8")  # printable on a UTF-8 terminal
    assert CONSOLE_USER.id == 1
