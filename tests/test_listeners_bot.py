"""The listener commands end to end: prefix (dpytest), slash (interaction fakes), console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord_fakes import run_slash

from bot.views import PicksView

ROOT = Path(__file__).resolve().parent.parent


async def ask(line: str, member: Any = 0) -> discord.Message:
    await dpytest.message(line, member=member)
    return dpytest.get_message()


def no_pings(call: dict[str, Any]) -> None:
    m = call["allowed_mentions"]
    assert (m.everyone, m.users, m.roles, m.replied_user) == (False, False, False, False)


# -- prefix --------------------------------------------------------------------------
async def test_foryou_starter_then_start_then_picks(bot, sends):
    first = await ask("!foryou 4")
    assert "don't know your taste" in first.embeds[0].description
    assert len(first.embeds[0].fields) == 4
    started = await ask("!foryou start la java, qqqzzzxx")
    assert "Counted as likes: La Java" in started.content and "Not found: qqqzzzxx" in started.content
    picks = started.embeds[0]
    assert all(f.value.endswith("because you liked La Java") for f in picks.fields)  # after the listen link
    assert isinstance(sends[-1]["view"], PicksView)
    no_pings(sends[-1])
    more = await ask("!more")
    assert not {f.name for f in more.embeds[0].fields} & {f.name for f in picks.fields}


async def test_foryou_bad_count(bot):
    message = await ask("!foryou 99")
    assert message.content.startswith("⚠️") and "between 1 and 10" in message.content


async def test_playlist_attaches_m3u_and_csv_and_history_lists_it(bot, sends):
    message = await ask("!playlist la java 8")
    assert sorted(a.filename.rsplit(".", 1)[1] for a in message.attachments) == ["csv", "m3u"]
    embed = sends[-1]["embed"]
    assert embed.title.startswith("🎶 Playlist") and embed.description.count("\n") == 7
    assert "https://open.spotify.com/track/" in embed.description
    no_pings(sends[-1])
    again = await ask("!playlist last")
    assert sends[-1]["embed"].description == embed.description and len(again.attachments) == 2
    await ask("!history")
    assert "Your playlists" in sends[-1]["embed"].fields[0].name


@pytest.mark.parametrize(
    "line, expected",
    [
        ("!playlist chill 51", "2 to 50"),
        ("!playlist la java -> ", "two songs"),
        ("!playlist qqqzzzxx", "No song matches"),
        ("!playlist foryou", "needs some 👍"),
        ("!playlist last", "no playlist yet"),
    ],
)
async def test_playlist_errors(bot, line, expected):
    message = await ask(line)
    assert message.content.startswith("⚠️") and expected in message.content


async def test_journey_playlist(bot, sends):
    await ask("!playlist la java -> jungle 6")
    lines = sends[-1]["embed"].description.splitlines()
    assert len(lines) == 6 and "La Java" in lines[0] and "Jungle" in lines[-1]


async def test_taste_blend_and_privacy_between_members(bot, sends):
    cfg = dpytest.get_config()
    me = cfg.members[0]
    friend = await dpytest.member_join(name="friend")
    await dpytest.run_all_events()
    no_ratings = await ask(f"!taste <@{friend.id}>")
    assert no_ratings.content.startswith("⚠️") and "no 👍 yet" in no_ratings.content
    await ask("!foryou start la java, le fado", member=me)
    await ask("!foryou start jungle, white gloves", member=friend)
    match = await ask(f"!taste <@{friend.id}>", member=me)
    assert "alike" in match.embeds[0].title and "friend" in match.embeds[0].title
    no_pings(sends[-1])
    blend = await ask(f"!blend <@{friend.id}>", member=me)
    assert blend.embeds[0].title.startswith("🫂 Blend")
    assert all(f.value.startswith("for ") for f in blend.embeds[0].fields)
    assert any("friend" in f.value for f in blend.embeds[0].fields)
    private = await ask("!privacy on", member=friend)
    assert private.content.startswith("🔒")
    refused = await ask(f"!taste <@{friend.id}>", member=me)
    assert "opted out" in refused.content
    refused = await ask(f"!blend <@{friend.id}>", member=me)
    assert "opted out" in refused.content
    await ask("!privacy off", member=friend)
    assert "alike" in (await ask(f"!taste <@{friend.id}>", member=me)).embeds[0].title


async def test_taste_with_yourself_and_bad_privacy_word(bot):
    me = dpytest.get_config().members[0]
    assert "That's you" in (await ask(f"!taste <@{me.id}>")).content
    assert "not on or off" in (await ask("!privacy maybe")).content


async def test_forget_removes_playlists_too(bot):
    await ask("!playlist chill 5")
    assert "playlists" in (await ask("!forget")).content


async def test_help_lists_the_new_commands(bot):
    fields = " ".join(f.name for f in (await ask("!help")).embeds[0].fields)
    for command in ("foryou", "playlist", "taste", "blend", "privacy"):
        assert command in fields


# -- slash -------------------------------------------------------------------------
def only(interaction) -> dict:
    sent = interaction.all_sent()
    assert len(sent) == 1, sent
    return sent[0]


async def test_slash_foryou_and_start(bot):
    starter = only(await run_slash(bot, "foryou", count="3"))
    assert len(starter["embed"].fields) == 3
    started = only(await run_slash(bot, "foryou", start="la java"))
    assert "La Java" in started["content"]
    assert all("because you liked" in f.value for f in started["embed"].fields)


async def test_slash_playlist_attaches_files(bot):
    payload = only(await run_slash(bot, "playlist", source="chill", count=6))
    assert sorted(f.filename.rsplit(".", 1)[1] for f in payload["files"]) == ["csv", "m3u"]
    assert payload["embed"].description.count("\n") == 5


async def test_slash_privacy_is_private(bot):
    payload = only(await run_slash(bot, "privacy", setting="on"))
    assert payload["ephemeral"] is True and payload["content"].startswith("🔒")
    payload = only(await run_slash(bot, "privacy"))
    assert "Privacy is on" in payload["content"]


# -- console -----------------------------------------------------------------------
def test_console_foryou_playlist_and_names(tmp_path, default_model_env):
    env = {
        **os.environ,
        **default_model_env,
        "CLUSTERFY_CACHE_DIR": str(tmp_path / "cache"),
        "DISCORD_TOKEN": "",
        "CLUSTERFY_EXPORT_DIR": str(tmp_path / "out"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    lines = (
        "!foryou 3\n!foryou start la java, le fado\n!playlist la java -> smells like teen spirit 6\n"
        "!taste @someone\n!blend nobody\n!privacy on\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--console"],
        input=lines,
        text=True,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Meanwhile, a mix of every mood" in out and "because you liked" in out
    assert "Playlist · La Java → Smells Like Teen Spirit" in out
    saved = sorted(p.suffix for p in (tmp_path / "out").iterdir())
    assert saved == [".csv", ".m3u"] and "Saved " in out
    assert out.count("no mentions offline") == 2
    assert "Privacy on" in out and "Traceback" not in out + result.stderr


# -- delivery failures -----------------------------------------------------------------
@pytest.mark.parametrize("status, cls", [(403, discord.Forbidden), (500, discord.HTTPException)])
async def test_playlist_delivery_failure_is_logged_and_the_bot_keeps_serving(
    bot, monkeypatch, caplog, status, cls
):
    from discord_fakes import http_error

    original = discord.abc.Messageable.send
    failing = [True]
    plain: list[str] = []

    async def send(self, content=None, **kwargs):
        if failing[0] and (kwargs.get("files") or kwargs.get("embed")):
            raise http_error(cls, status, "nope")
        if failing[0]:
            plain.append(str(content))
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", send)
    await dpytest.message("!playlist chill 5")
    assert any(r.levelname in ("WARNING", "ERROR") for r in caplog.records)
    if cls is discord.Forbidden:  # without Attach Files/Embed Links: the list as plain text
        assert plain and "Playlist" in plain[0] and "[file: " in plain[0]
    failing[0] = False
    await dpytest.empty_queue()
    again = await ask("!playlist last")
    assert len(again.attachments) == 2
