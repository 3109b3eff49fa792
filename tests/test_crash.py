"""Crashes: a history writer killed with SIGKILL mid-write, and Discord-side failures.

The kill test runs tests/helpers_kill_writer.py, which prints each request id only
after its rows have committed. After ``kill -9`` the database must open, pass
``PRAGMA integrity_check`` and hold every acknowledged write.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord_fakes import FakeInteraction, FakeMessage, http_error, slash_data

from bot.discord_io import send_reply
from bot.history import HistoryStore
from bot.replies import Card, Field, Reply
from bot.views import ConfirmView, PicksView

ROOT = Path(__file__).resolve().parent.parent
WRITER = Path(__file__).resolve().parent / "helpers_kill_writer.py"
KILLS = 5


def _run_and_kill(db: Path | str, user_id: int, acks_wanted: int) -> list[tuple[int, int, str, int]]:
    """Start a writer, read ``acks_wanted`` acknowledgements, SIGKILL it; return the acks."""
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), str(user_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    acks: list[tuple[int, int, str, int]] = []
    try:
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.strip() == "ready", (first, proc.stderr.read() if proc.poll() is not None else "")
        while len(acks) < acks_wanted:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"writer died early: {proc.wait()} {proc.stderr.read()[-2000:]}")
            word, rid, n, first_song, playlist_id = line.split()
            assert word == "ack"
            acks.append((int(rid), int(n), first_song, int(playlist_id)))
            assert time.monotonic() < deadline, "writer too slow"
        # The writer is mid-way through its next write now: kill it without warning.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    return acks


def _check_db(db: Path, acked: dict[int, tuple[int, int, str]]) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        ids = {row[0] for row in con.execute("SELECT id FROM requests")}
        missing = sorted(set(acked) - ids)
        assert not missing, f"{len(missing)} acknowledged requests lost, e.g. {missing[:5]}"
        shown = dict(con.execute("SELECT request_id, count(*) FROM shown GROUP BY request_id"))
        liked = {(u, s) for u, s in con.execute("SELECT user_id, song_id FROM feedback")}
        for rid, (user, n, first_song) in acked.items():
            assert shown.get(rid) == n, f"request {rid}: {shown.get(rid)} shown rows, acked {n}"
            assert (user, first_song) in liked, f"feedback of request {rid} lost"
    finally:
        con.close()


@pytest.mark.slow
async def test_sigkilled_writer_loses_no_acknowledged_write(tmp_path: Path, figures) -> None:
    db = tmp_path / "history.sqlite3"
    rng = random.Random(5)
    acked: dict[int, tuple[int, int, str]] = {}
    survived = 0
    for kill in range(KILLS):
        user = 1000 + kill
        playlists: dict[int, tuple[int, str]] = {}
        for rid, n, first_song, playlist_id in _run_and_kill(db, user, rng.randint(20, 120)):
            acked[rid] = (user, n, first_song)
            playlists[playlist_id] = (n, first_song)
        _check_db(db, acked)
        # The bot's own open path accepts the file after the crash and reports it sound.
        async with await HistoryStore.open(db) as store:
            assert await store.integrity_ok()
            counts = await store.row_counts(user)
            assert counts["requests"] >= sum(1 for u, _, _ in acked.values() if u == user)
            saved = {p.playlist_id: p.song_ids for p in await store.playlists(user, limit=100_000)}
            for playlist_id, (n, first_song) in playlists.items():
                assert playlist_id in saved, f"acknowledged playlist {playlist_id} lost"
                assert len(saved[playlist_id]) == n and saved[playlist_id][0] == first_song
        survived += 1
    figure = f"kills survived: {survived}/{KILLS}, acknowledged writes checked: {len(acked)}"
    figures(figure)
    assert survived == KILLS


# ------------------------------------------------------------------ Discord-side failures
#: What Discord answers when things go wrong: the bot must log them and carry on.
FAILURES = {
    "forbidden": lambda: http_error(discord.Forbidden, 403, "Missing Permissions"),
    "server-error": lambda: http_error(discord.HTTPException, 500, "Internal Server Error"),
    "rate-limited": lambda: http_error(discord.HTTPException, 429, "You are being rate limited"),
    "not-found": lambda: http_error(discord.NotFound, 404, "Unknown Channel"),
}
EXPIRED = lambda: http_error(discord.NotFound, 404, "Unknown interaction")


def warnings_from(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot")]


async def still_serves(bot) -> None:
    """A normal command right after the failure is answered as usual."""
    await dpytest.empty_queue()
    await dpytest.message("!vibe chill 2")
    message = dpytest.get_message()
    assert message.embeds and len(message.embeds[0].fields) == 2


@pytest.mark.parametrize("kind", FAILURES)
async def test_prefix_reply_failure_is_logged_and_the_bot_keeps_serving(bot, monkeypatch, caplog, kind):
    original = discord.abc.Messageable.send
    failing = [True]

    async def send(self, content=None, **kwargs):
        if failing[0]:
            raise FAILURES[kind]()
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", send)
    caplog.set_level(logging.INFO)
    await dpytest.message("!recommend la java 2")  # no exception reaches dpytest
    logged = warnings_from(caplog)
    assert logged, f"{kind}: nothing logged"
    assert any("recommend" in r.getMessage() for r in logged), [r.getMessage() for r in logged]
    failing[0] = False
    await still_serves(bot)


@pytest.mark.parametrize("kind", [*FAILURES, "expired"])
async def test_slash_reply_failure_is_logged_and_the_bot_keeps_serving(bot, caplog, kind):
    cfg = dpytest.get_config()
    interaction = FakeInteraction(
        cfg.members[0],
        client=bot,
        channel=cfg.channels[0],
        data=slash_data("vibe", mood="chill", count=2),
        type=discord.InteractionType.application_command,
        expired=kind == "expired",
    )
    interaction.fake_response.error = EXPIRED() if kind == "expired" else FAILURES[kind]()
    caplog.set_level(logging.INFO)
    await bot.tree._call(interaction)
    await dpytest.run_all_events()
    if kind == "expired":
        # discord.py answers an expired interaction in its channel instead: still served.
        message = dpytest.get_message()
        assert message.embeds and len(message.embeds[0].fields) == 2
    else:
        assert warnings_from(caplog), f"{kind}: nothing logged"
    await dpytest.empty_queue()
    # The next slash command is answered normally.
    again = FakeInteraction(
        cfg.members[0],
        client=bot,
        channel=cfg.channels[0],
        data=slash_data("vibe", mood="chill", count=2),
        type=discord.InteractionType.application_command,
    )
    await bot.tree._call(again)
    await dpytest.run_all_events()
    [payload] = again.all_sent()
    assert len(payload["embed"].fields) == 2
    await still_serves(bot)


@pytest.mark.parametrize("kind", [*FAILURES, "expired"])
async def test_send_reply_never_raises(bot, caplog, kind):
    user = dpytest.get_config().members[0]
    interaction = FakeInteraction(user, client=bot, channel=dpytest.get_config().channels[0])
    error = EXPIRED() if kind == "expired" else FAILURES[kind]()
    interaction.fake_response.error = error
    reply = Reply(card=Card(title="t", fields=(Field("n", "v"),)))
    caplog.set_level(logging.INFO)
    await send_reply(interaction, reply, bot.conversation)  # returns, whatever Discord said
    assert warnings_from(caplog)


async def _picks_view(bot, monkeypatch) -> tuple[PicksView, Any]:
    sent: list[dict[str, Any]] = []
    original = discord.abc.Messageable.send

    async def spy(self, content=None, **kwargs):
        sent.append(kwargs)
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", spy)
    await dpytest.message("!recommend la java 2")
    view = sent[-1]["view"]
    assert isinstance(view, PicksView)
    return view, dpytest.get_message()


async def test_a_timed_out_view_is_disabled_and_later_clicks_are_harmless(bot, monkeypatch, caplog):
    view, message = await _picks_view(bot, monkeypatch)
    # What discord.py does on timeout: stop the view (no more dispatch), then on_timeout.
    view.stop()
    await view.on_timeout()
    assert all(getattr(item, "disabled", True) for item in view.children)
    # A late click on the old message: no live view handles it, nothing raises.
    owner = dpytest.get_config().members[0]
    late = FakeInteraction(
        owner,
        client=bot,
        channel=message.channel,
        data={"custom_id": view.more_button.custom_id, "component_type": 2},
        expired=True,
    )
    late.fake_response.error = EXPIRED()

    async def expired_defer(**kwargs: Any) -> None:
        raise EXPIRED()

    late.fake_response.defer = expired_defer  # type: ignore[method-assign]
    bot._connection._view_store.dispatch_view(2, view.more_button.custom_id, late)
    await dpytest.run_all_events()
    # Even if the stale view object is driven directly, the expired interaction is handled.
    caplog.set_level(logging.INFO)
    await view._scheduled_task(view.more_button, late)
    assert warnings_from(caplog)
    await still_serves(bot)


async def test_a_timed_out_view_whose_message_is_gone(bot, monkeypatch, caplog):
    view, _ = await _picks_view(bot, monkeypatch)
    for kind in FAILURES:
        view.message = FakeMessage(edit_error=FAILURES[kind]())
        await view.on_timeout()  # logged at debug, never raised
    confirm = ConfirmView(bot.conversation, 1)
    confirm.message = FakeMessage(edit_error=EXPIRED())
    await confirm.on_timeout()
    await still_serves(bot)
