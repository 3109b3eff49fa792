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


def test_no_token_starts_the_console_without_the_flag(tmp_path, default_model_env):
    result = run_console(tmp_path, "!vibe party 1\n", model=default_model_env)
    assert result.returncode == 0
    assert "party vibes" in result.stdout  # a mood word (the bundled catalog has no party cluster)
    assert "starting the console chat" in result.stderr


def test_empty_input_exits_zero(tmp_path, default_model_env):
    result = run_console(tmp_path, "", "--console", model=default_model_env)
    assert result.returncode == 0 and result.stdout == ""
