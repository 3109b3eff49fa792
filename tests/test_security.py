"""Security: the token stays secret, forget is complete, cooldowns bound a user, and only
artifacts whose recorded SHA-256 matches are ever unpickled."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import discord
import discord.ext.test as dpytest
import joblib
import pytest

from bot.config import ConfigError, Settings, load_dotenv_file, settings_from_env
from bot.conversation import Conversation, Requester
from bot.history import USER_TABLES, HistoryStore
from bot.ratelimit import RateLimiter
from bot.startup import StartupError, load_engine, open_store
from engine.paths import DEFAULT_CATALOG
from engine.storage.artifact import ArtifactError, checksum_path, load_model, save_model
from tests.discord_fakes import close_bot, make_bot

ROOT = Path(__file__).resolve().parent.parent
#: Shaped like a real bot token (three dot-separated parts) so every validation accepts it.
FAKE_TOKEN = "MTE5OTk5OTk5OTk5OTk5OTk5.GsEcRt.CanaryTokenForClusterfyTests_0123456789"
#: Any 12 consecutive characters of the token count as a leak.
FRAGMENTS = {FAKE_TOKEN[i : i + 12] for i in range(len(FAKE_TOKEN) - 11)}


def leaks(text: str) -> bool:
    return any(f in text for f in FRAGMENTS)


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for r in caplog.records:
        parts.append(r.getMessage())
        if r.exc_info:
            parts.append(logging.Formatter().formatException(r.exc_info))
        if r.exc_text:
            parts.append(r.exc_text)
    return "\n".join(parts) + caplog.text


# ----------------------------------------------------------------------------- token
def test_settings_never_show_the_token() -> None:
    settings = settings_from_env({"DISCORD_TOKEN": FAKE_TOKEN})
    assert settings.token == FAKE_TOKEN and settings.has_token
    for shown in (repr(settings), str(settings), f"{settings}", f"{settings!r}", format(settings)):
        assert not leaks(shown), shown


@pytest.mark.parametrize(
    "bad", [FAKE_TOKEN + " trailing words", FAKE_TOKEN[:15], FAKE_TOKEN.replace(".", " ")]
)
def test_config_errors_name_the_setting_not_its_value(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_env({"DISCORD_TOKEN": bad})
    assert "DISCORD_TOKEN" in str(info.value)
    assert not leaks(str(info.value)) and bad not in str(info.value)


def test_other_config_errors_do_not_carry_the_token() -> None:
    for extra in (
        {"LOG_LEVEL": "LOUD"},
        {"CLUSTERFY_K": "999"},
        {"DEV_GUILD_ID": "abc"},
        {"COMMAND_PREFIX": "too long prefix"},
    ):
        with pytest.raises(ConfigError) as info:
            settings_from_env({"DISCORD_TOKEN": FAKE_TOKEN, **extra})
        assert not leaks(str(info.value)) and not leaks(repr(info.value))


def test_dotenv_errors_and_loading_do_not_show_the_token(tmp_path: Path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("DISCORD_TOKEN", "placeholder")
    monkeypatch.delenv("DISCORD_TOKEN")  # restored (absent) after the test
    env = tmp_path / ".env"
    env.write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\nthis line is broken {FAKE_TOKEN}\n")
    with pytest.raises(ConfigError) as info:
        load_dotenv_file(env)
    assert not leaks(str(info.value))
    env.write_text(f"DISCORD_TOKEN={FAKE_TOKEN}\n")
    load_dotenv_file(env)
    settings = settings_from_env()
    assert settings.token == FAKE_TOKEN
    assert not leaks(repr(settings)) and not leaks(log_text(caplog))


def test_startup_failures_do_not_show_the_token(tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(
        token=FAKE_TOKEN,
        catalog=tmp_path / "missing.csv",
        model_path=tmp_path / "missing.joblib",
        db_path=tmp_path / "x" / "h.db",
    )
    with pytest.raises(StartupError) as info:
        load_engine(settings)
    assert not leaks(str(info.value))
    (tmp_path / "file").write_text("x")
    bad_db = Settings(token=FAKE_TOKEN, db_path=tmp_path / "file" / "h.db")
    import asyncio

    with pytest.raises(StartupError) as info:
        asyncio.run(open_store(bad_db))
    assert not leaks(str(info.value))
    assert not leaks(log_text(caplog))


@pytest.mark.parametrize(
    "failure",
    [
        lambda: discord.LoginFailure("Improper token has been passed."),
        lambda: aiohttp.ClientConnectionError("Cannot connect to host discord.com:443"),
        lambda: discord.PrivilegedIntentsRequired(None),
    ],
)
def test_run_bot_login_failures_do_not_show_the_token(failure, monkeypatch, caplog, engine) -> None:
    from bot import client

    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    async def start(self, token: str, *, reconnect: bool = True) -> None:
        seen.append(token)
        raise failure()

    monkeypatch.setattr(client.ClusterfyBot, "start", start)
    code = client.run_bot(Settings(token=FAKE_TOKEN))
    assert seen == [FAKE_TOKEN]  # the token reaches discord.py, and only discord.py
    assert code == 1
    assert not leaks(log_text(caplog))


async def test_replies_and_logs_on_discord_never_show_the_token(
    engine, tmp_path, monkeypatch, caplog
) -> None:
    """A bot configured with the token: normal replies, errors and a crash in a command."""
    from bot.client import ClusterfyBot

    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.DEBUG)
    store = await HistoryStore.open(":memory:")
    intents = discord.Intents.default()
    intents.message_content = intents.members = True  # as tests/discord_fakes.make_bot
    bot = ClusterfyBot(
        Settings(token=FAKE_TOKEN, prefix="!"),
        engine=engine,
        store=store,
        limiter=RateLimiter(rate=10_000, per=1.0),
        sync_commands=False,
        intents=intents,
    )
    await bot._async_setup_hook()
    await bot.setup_hook()
    dpytest.configure(bot)
    sent: list[str] = []
    original = discord.abc.Messageable.send

    async def spy(self, content=None, **kwargs):
        embed = kwargs.get("embed")
        sent.append(f"{content} {embed.to_dict() if embed else ''}")
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", spy)
    try:
        for line in (
            "!help",
            "!recommend la java 2",
            "!cluster qqqzzzxxx",
            "!history",
            "!recommend la java 0",
            "!bogus",
        ):
            try:
                await dpytest.message(line)
            except discord.ext.commands.CommandError:
                pass

        def boom(*args, **kwargs):
            raise RuntimeError("engine exploded")

        monkeypatch.setattr(engine, "vibe", boom)
        try:
            await dpytest.message("!vibe chill")
        except discord.ext.commands.CommandError:
            pass
    finally:
        await close_bot(bot)
    assert len(sent) >= 6
    assert not any(leaks(s) for s in sent)
    assert "engine exploded" in log_text(caplog)  # the crash was logged, with its traceback
    assert not leaks(log_text(caplog))


def test_console_process_with_debug_logs_never_prints_the_token(model, tmp_path: Path) -> None:
    model_path = save_model(model, tmp_path / "model.joblib")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLUSTERFY_", "DISCORD_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        DISCORD_TOKEN=FAKE_TOKEN,
        LOG_LEVEL="DEBUG",
        CLUSTERFY_CACHE_DIR=str(tmp_path / "cache"),
        CLUSTERFY_MODEL=str(model_path),
        CLUSTERFY_DB=str(tmp_path / "history.sqlite3"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--console"],
        cwd=tmp_path,
        env=env,
        input="!help\n!recommend la java 2\n!cluster qqqzzzxxx\n!history\n",
        text=True,
        capture_output=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Songs like La Java" in proc.stdout
    assert not leaks(proc.stdout) and not leaks(proc.stderr)
    assert not leaks((tmp_path / "history.sqlite3").read_bytes().decode("latin-1"))


# ----------------------------------------------------------------------------- forget
def _tables(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: sorted(con.execute(f"SELECT * FROM {n}").fetchall(), key=repr) for n in names}
    finally:
        con.close()


def _user_column(path: Path, table: str) -> int | None:
    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    finally:
        con.close()
    return cols.index("user_id") if "user_id" in cols else None


async def test_forget_removes_every_row_about_a_user_and_nothing_else(engine, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = await HistoryStore.open(path)
    conversation = Conversation(engine, store, limiter=RateLimiter(rate=10_000, per=1.0))
    alice, bob, carol = (
        Requester(i, name, guild_id=9, channel_id=10)
        for i, name in ((1001, "alice"), (1002, "bob"), (1003, "carol"))
    )
    try:
        for who, song in ((alice, "la java"), (bob, "en douce"), (carol, "la java")):
            assert not (await conversation.recommend(who, song, 3)).error
            assert not (await conversation.vibe(who, "chill", 2)).error
            assert not (await conversation.cluster(who, song)).error
            assert not (await conversation.rate(who, 1, +1)).error
            assert not (await conversation.rate(who, 2, -1)).error
            assert not (await conversation.playlist(who, song, 5)).error
            assert not (await conversation.ask(who, "something chill but sadder")).error
        before = _tables(path)
        assert set(before) >= set(USER_TABLES)
        for table, rows in before.items():
            column = _user_column(path, table)
            assert column is not None, f"table {table} has no user_id: review forget() for it"
            assert any(r[column] == alice.id for r in rows), f"alice has no rows in {table}"
        alice_rows = sum(
            1 for t, rows in before.items() for r in rows if r[_user_column(path, t)] == alice.id
        )

        asked = await conversation.handle_line(alice, "!forget")
        assert asked is not None and asked.confirm == "forget"
        assert _tables(path) == before  # asking deletes nothing
        done = await conversation.handle_line(alice, "yes")
        assert done is not None and str(alice_rows) in done.text

        after = _tables(path)
        for table, rows in after.items():
            column = _user_column(path, table)
            assert not [r for r in rows if r[column] == alice.id], table
            others = [r for r in before[table] if r[column] != alice.id]
            assert rows == others, f"{table}: other users' rows changed"
        assert await store.row_counts(alice.id) == dict.fromkeys(USER_TABLES, 0)
        assert await store.recent(alice.id) == [] and await store.feedback(alice.id) == {}
        assert conversation.session(alice).picks == ()  # nothing kept in memory either
        assert await store.integrity_ok()
        # Forgetting someone with no rows is fine and touches nothing.
        assert "deleted 0" in (await conversation.forget(Requester(4242), confirmed=True)).text
        assert _tables(path) == after
    finally:
        await store.close()


# ----------------------------------------------------------------------------- cooldowns
async def test_a_user_hammering_the_bot_gets_a_bounded_number_of_messages(
    engine, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    limiter = RateLimiter()
    bot = await make_bot(engine, limiter=limiter)
    try:
        cfg = dpytest.get_config()
        alice = cfg.members[0]
        bob = await dpytest.member_join(name="bob")
        posted = 0
        for i in range(100):
            line = ("!help", "!bogus", "!recommend la java 1", "!vibe chill 1")[i % 4]
            try:
                await dpytest.message(line, member=alice)
            except discord.ext.commands.CommandError:
                pass
            while not dpytest.runner.sent_queue.empty():
                dpytest.get_message()
                posted += 1
        bound = limiter.max_messages_per_minute()
        assert posted <= bound, (posted, bound)
        # One window's answers, plus at most one "slow down" notice.
        assert limiter.rate <= posted <= limiter.rate + 1
        # The cooldown is per user: someone else is served at once.
        await dpytest.message("!help", member=bob)
        assert dpytest.get_message().embeds
    finally:
        await close_bot(bot)


# ----------------------------------------------------------------------------- artifacts
class _Trap:
    """Unpickling this creates ``marker``: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _trap_file(path: Path, marker: Path) -> Path:
    joblib.dump({"format": "clusterfy-model", "format_version": 1, "model": _Trap(marker)}, path)
    return path


def test_the_trap_is_live(tmp_path: Path) -> None:
    """Control: loading the trap file without checks does run code, so the tests below mean something."""
    marker = tmp_path / "pwned"
    joblib.load(_trap_file(tmp_path / "trap.joblib", marker)).get("model").close()
    assert marker.exists()


@pytest.mark.parametrize("record", ["genuine", "missing", "older-format", "garbled"])
def test_only_artifacts_with_a_matching_sha256_are_unpickled(model, tmp_path: Path, record: str) -> None:
    genuine = save_model(model, tmp_path / "genuine.joblib")
    marker = tmp_path / "pwned"
    trap = _trap_file(tmp_path / "model.joblib", marker)
    if record == "genuine":  # the real model's record beside a swapped file
        checksum_path(trap).write_bytes(checksum_path(genuine).read_bytes())
    elif record == "older-format":
        checksum_path(trap).write_text(
            checksum_path(genuine).read_text().replace('"format_version": 1', '"format_version": 0')
        )
    elif record == "garbled":
        checksum_path(trap).write_bytes(b"\x00\xff not json")
    trap_bytes = trap.read_bytes()
    with pytest.raises(ArtifactError):
        load_model(trap)
    assert not marker.exists(), "the artifact was unpickled without a matching checksum"
    assert trap.read_bytes() == trap_bytes
    # The same through the start-up path the bot uses.
    with pytest.raises(StartupError):
        load_engine(Settings(model_path=trap))
    assert not marker.exists()
    assert load_model(genuine).n_clusters_ == model.n_clusters_  # the genuine one still loads


def test_a_swapped_cached_model_is_refused_not_run(model, tmp_path: Path, monkeypatch) -> None:
    from engine.paths import STUDY_SAMPLE_FILE, cached_model_path
    from engine.storage.model_cache import obtain_model

    monkeypatch.setenv("CLUSTERFY_CACHE_DIR", str(tmp_path / "cache"))
    cached = save_model(model, cached_model_path(STUDY_SAMPLE_FILE, 4))
    record = checksum_path(cached).read_bytes()
    marker = tmp_path / "pwned"
    _trap_file(cached, marker)
    checksum_path(cached).write_bytes(record)
    with pytest.raises(ArtifactError):
        obtain_model(STUDY_SAMPLE_FILE, None, 4)
    assert not marker.exists()


def test_settings_take_paths_from_the_environment_given(tmp_path: Path, monkeypatch) -> None:
    """Paths come from the environment handed in, not from whatever the process has."""
    monkeypatch.setenv("CLUSTERFY_CACHE_DIR", str(tmp_path / "process-cache"))
    monkeypatch.setenv("CLUSTERFY_CATALOG", str(tmp_path / "process.csv"))
    settings = settings_from_env(
        {
            "CLUSTERFY_CACHE_DIR": str(tmp_path / "given-cache"),
            "CLUSTERFY_CATALOG": str(tmp_path / "given.csv"),
        }
    )
    assert settings.db_path == tmp_path / "given-cache" / "history.sqlite3"
    assert settings.catalog == tmp_path / "given.csv"
    bare = settings_from_env({"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert bare.db_path == tmp_path / "xdg" / "clusterfy" / "history.sqlite3"
    assert bare.catalog == DEFAULT_CATALOG and (bare.catalog / "single_genre_artists_sample.csv").is_file()
