"""The console chat as a user runs it: a subprocess with piped input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_console(
    tmp_path: Path, text: str, *args: str, model: dict[str, str], **env: str
) -> subprocess.CompletedProcess:
    """The console on the default catalog, loading the session's model (``model``: the
    ``default_model_env`` fixture) rather than building it in every process."""
    environment = {
        **os.environ,
        "CLUSTERFY_CACHE_DIR": str(tmp_path / "cache"),
        "DISCORD_TOKEN": "",
        **model,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=text,
        text=True,
        capture_output=True,
        cwd=tmp_path,
        env=environment,
        timeout=240,
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory, default_model_env):
    tmp = tmp_path_factory.mktemp("console")
    lines = (
        "!recommend la java 3\n!vibe chill 2\nlike 1\nmore\n!cluster la java\n!moods\n"
        "!history\n!forget\nyes\n!help\nrecommend qqqqxxxzzz\n!bogus\n"
    )
    return run_console(tmp, lines, "--console", model=default_model_env), tmp


def test_console_answers_each_line_and_exits_zero(session):
    result, _ = session
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Songs like La Java" in out and out.count("% similar") >= 3
    assert "Chill/Acoustic vibes" in out
    assert "👍 Noted" in out
    assert "La Java → Chill/Acoustic" in out and "[chart: profile.png" in out
    assert "Moods in this catalog" in out
    assert "Your recent requests" in out
    assert "Done — deleted" in out
    assert "No song matches" in out and "Unknown command" in out
    assert "Traceback" not in result.stdout + result.stderr


def test_console_keeps_history_between_runs(session, default_model_env):
    _, tmp = session
    first = run_console(tmp, "recommend la java 2\n", "--console", model=default_model_env)
    second = run_console(tmp, "recommend la java 2\nhistory\n", "--console", model=default_model_env)
    picks = lambda out: re.findall(r"^- \d\. (.+)$", out, re.M)
    assert first.returncode == second.returncode == 0
    assert not set(picks(first.stdout)[:2]) & set(picks(second.stdout)[:2])
    assert second.stdout.count("recommend la java") >= 2


def test_playlist_files_are_saved_in_the_cache_not_the_working_folder(session, default_model_env):
    _, tmp = session  # the console runs in tmp, its cache is tmp/cache
    result = run_console(tmp, "!playlist la java 3\n", "--console", model=default_model_env)
    folder = tmp / "cache" / "playlists"
    assert result.returncode == 0, result.stderr
    assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".m3u"]
    assert f"Saved {folder}" in result.stdout and not (tmp / "playlists").exists()


def test_no_token_starts_the_console_without_the_flag(tmp_path, default_model_env):
    result = run_console(tmp_path, "!vibe party 1\n", model=default_model_env)
    assert result.returncode == 0
    assert "party vibes" in result.stdout  # a mood word (the bundled catalog has no party cluster)
    assert "starting the console chat" in result.stderr


def test_empty_input_exits_zero(tmp_path, default_model_env):
    result = run_console(tmp_path, "", "--console", model=default_model_env)
    assert result.returncode == 0 and result.stdout == ""


def test_console_json_prints_one_object_per_line(tmp_path, default_model_env):
    """``--json``: a conversation scripted and checked, one object per non-blank line."""
    import json

    lines = "something like in the end but calmer\n\n   \nsadder\n!recommend la java 2\nasdfgh qwerty\n"
    result = run_console(tmp_path, lines, "--console", "--json", model=default_model_env)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["input"] for r in records] == [
        "something like in the end but calmer",
        "sadder",
        "!recommend la java 2",
        "asdfgh qwerty",
    ]
    first, second, command, unknown = records
    assert first["understood"].startswith("Songs like In the End — calmer")
    assert first["subject"][0]["title"] == "In the End" and "energy" in first["subject"][0]["features"]
    assert len(first["picks"]) == 5 and first["error"] is None
    pick = first["picks"][0]
    assert {"id", "title", "artists", "year", "features"} <= set(pick) and len(pick["features"]) == 10
    assert "sadder" in second["understood"]
    mean = lambda r, f: sum(p["features"][f] for p in r["picks"]) / len(r["picks"])
    assert mean(second, "valence") < mean(first, "valence")
    assert (
        command["understood"] is None
        and command["subject"][0]["title"] == "La Java"
        and len(command["picks"]) == 2
    )
    assert unknown["picks"] == [] and unknown["error"].startswith("I couldn't read that")


def test_asking_who_sings_a_pick_shows_its_mood_card(tmp_path, default_model_env):
    """ "who sings #2" in plain words, as a member types it: the pick's card, not songs like it."""
    result = run_console(tmp_path, "songs like la java\nwho sings #2\n", "--console", model=default_model_env)
    assert result.returncode == 0, result.stderr
    listed, about = result.stdout.split("== ", 2)[1:]
    second = listed.split("\n- 2. ", 1)[1].split(" — ", 1)[0]
    assert f" {second} → " in about.split("\n", 1)[0]  # the card's title: the pick and its mood
    assert "How this song compares" in about and "[chart: profile.png" in about and "Songs like" not in about
