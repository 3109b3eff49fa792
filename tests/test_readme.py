"""The README's promises, checked: its commands exist and its example conversation is exact."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    assert "python3 run.py          # chat" in README
    assert "python3 run.py test     # run the test suite" in README
    assert "python3 run.py test" in (ROOT / ".ci" / "run").read_text()


def test_example_conversation_works_exactly_as_shown(tmp_path, default_model_env):
    block = re.search(
        r"<!-- example:start -->\n```text\n(.*?)\n```\n<!-- example:end -->", README, re.S
    ).group(1)
    command, _, expected = block.partition("\n")
    typed = re.search(r"printf '(.*)' \| python3 run.py", command).group(1)
    # A fresh user on the default catalog (its model built once per session, not per process).
    env = {**os.environ, "CLUSTERFY_CACHE_DIR": str(tmp_path), "DISCORD_TOKEN": "", **default_model_env}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=typed.replace("\\n", "\n"),
        text=True,
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == expected
