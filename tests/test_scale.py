"""Running at scale: the PostgreSQL and shard settings, the sharded bot, the container entry
script (Docker cannot run here, so the tests run the script the containers run) and the
documented compose file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import asyncpg
import discord
import pytest

from bot.client import ClusterfyBot, ShardedClusterfyBot, create_bot
from bot.config import ConfigError, settings_from_env

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "scripts" / "entrypoint.sh"
URL = "postgresql://clusterfy:s3cret-pw@db.example:5432/clusterfy"


# ------------------------------------------------------------------------ settings
def test_a_postgresql_url_selects_postgresql_and_its_password_stays_hidden() -> None:
    settings = settings_from_env({"CLUSTERFY_DB": URL})
    assert settings.history_target == URL
    assert "s3cret" not in repr(settings)
    assert settings_from_env({"CLUSTERFY_DB": "/tmp/h.db"}).history_target == Path("/tmp/h.db")


@pytest.mark.parametrize(
    "value, message",
    [
        ("mysql://u:s3cret-pw@h/db", "SQLite file path or a postgresql:// URL"),
        ("postgresql://u:s3cret-pw@h:notaport/db", "not a valid PostgreSQL URL"),
    ],
)
def test_bad_database_urls_are_named_without_the_password(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        settings_from_env({"CLUSTERFY_DB": value})
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "four"}, "SHARD_COUNT must be a whole number"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "0;1"}, "separated by commas"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,4"}, "numbered 0 to 3"),
        ({"SHARD_COUNT": "4", "SHARD_IDS": "1,1"}, "lists a shard twice"),
    ],
)
def test_bad_shard_settings_are_clear_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)


def test_shard_settings_make_an_auto_sharded_bot() -> None:
    bot = create_bot(settings_from_env({"SHARD_COUNT": "4", "SHARD_IDS": " 3, 1"}), sync_commands=False)
    assert isinstance(bot, ShardedClusterfyBot) and isinstance(bot, discord.AutoShardedClient)
    assert (bot.shard_count, bot.shard_ids) == (4, [1, 3])
    every = create_bot(settings_from_env({"SHARD_COUNT": "2"}), sync_commands=False)
    assert isinstance(every, discord.AutoShardedClient) and every.shard_count == 2 and every.shard_ids is None
    plain = create_bot(settings_from_env({}), sync_commands=False)
    assert type(plain) is ClusterfyBot and not isinstance(plain, discord.AutoShardedClient)


async def test_the_sharded_bot_sets_up_the_same_commands(engine) -> None:
    """The sharded class is the same bot: the same prefix and slash commands over one conversation.
    (dpytest cannot drive sharded clients; the commands themselves are tested on the plain class.)"""
    from bot.history import HistoryStore

    bots = [
        create_bot(
            settings_from_env(env),
            engine=engine,
            store=await HistoryStore.open(":memory:"),
            sync_commands=False,
        )
        for env in ({"SHARD_COUNT": "2", "SHARD_IDS": "1"}, {})
    ]
    try:
        for bot in bots:
            await bot._async_setup_hook()  # what login() does first
            await bot.setup_hook()
        sharded, plain = bots
        assert isinstance(sharded, discord.AutoShardedClient)
        assert sharded.conversation.store is sharded.store
        assert set(sharded.all_commands) == set(plain.all_commands) and "recommend" in sharded.all_commands
        names = lambda b: {c.name for c in b.tree.get_commands()}
        assert names(sharded) == names(plain) and "recommend" in names(sharded)
    finally:
        for bot in bots:
            await bot.close()


# ------------------------------------------------------------------------ entry script
def _entry(tmp_path: Path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHON": sys.executable,
        "DISCORD_TOKEN": "",
        "CLUSTERFY_CACHE_DIR": str(tmp_path / "cache"),
        **env,
    }
    return subprocess.run(
        [str(ENTRY), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=240,
    )


def test_entry_script_serves_on_postgresql_and_keeps_history(
    pg_url: str, tmp_path: Path, default_model_env: dict[str, str]
) -> None:
    first = _entry(tmp_path, "--console", stdin="!vibe chill 2\n", CLUSTERFY_DB=pg_url, **default_model_env)
    assert first.returncode == 0, first.stderr
    again = _entry(tmp_path, "--console", stdin="!history\n", CLUSTERFY_DB=pg_url, **default_model_env)
    assert again.returncode == 0, again.stderr
    assert "vibe" in again.stdout.lower() and "chill" in again.stdout.lower()

    async def count() -> int:
        con = await asyncpg.connect(pg_url)
        try:
            return await con.fetchval("SELECT count(*) FROM requests WHERE command = 'vibe'")
        finally:
            await con.close()

    import asyncio

    assert asyncio.run(count()) == 1


def test_entry_script_stops_on_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    url = f"postgresql://bot:s3cret-pw@/clusterfy?host={tmp_path}/none"
    done = _entry(tmp_path, CLUSTERFY_DB=url, CLUSTERFY_DB_WAIT="1")
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot connect" in errors[0]
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_entry_script_reports_bad_shard_settings(tmp_path: Path) -> None:
    done = _entry(tmp_path, SHARD_COUNT="2", SHARD_IDS="2")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: SHARD_IDS must be below SHARD_COUNT (2): shards are numbered 0 to 1"


def test_compose_runs_every_shard_exactly_once() -> None:
    """The documented deployment: each shard of SHARD_COUNT in exactly one bot service."""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    (count,) = re.findall(r'SHARD_COUNT: "(\d+)"', text)
    ids = [int(i) for group in re.findall(r'SHARD_IDS: "([\d,]+)"', text) for i in group.split(",")]
    assert sorted(ids) == list(range(int(count)))
    assert "CLUSTERFY_DB: postgresql://" in text
    assert "scripts/entrypoint.sh" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
