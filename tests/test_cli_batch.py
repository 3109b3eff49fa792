"""``python -m engine search --batch``: one query per stdin line, one JSON object per line.

Real subprocesses on the bundled catalog, as in tests/test_cli.py; one model is fitted
for this module and passed with ``--model``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import CATALOG, REPO, TIMEOUT, make_env, ok_json, run


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    return make_env(tmp_path_factory.mktemp("clusterfy-cache"))


@pytest.fixture(scope="module")
def model_path(env, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    ok_json(run(env, "fit", "--data", CATALOG, "--k", 4, "--model", path, "--json"))
    return path


def batch(
    env: dict[str, str], model_path: Path, data: bytes, *extra: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "engine", "search", "--batch", "--model", str(model_path), *extra],
        cwd=REPO,
        env=env,
        input=data,
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )


def answers(proc: subprocess.CompletedProcess[bytes]) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_one_answer_per_line_in_order_with_search_json_fields(env, model_path) -> None:
    lines = ["La Java", "la java by mistinguett", "le tango neurasthenique georgius", "en douce"]
    out = answers(batch(env, model_path, ("\n".join(lines) + "\n").encode()))
    assert [a["query"] for a in out] == lines
    single = ok_json(run(env, "search", "La Java", "--model", model_path, "--json"))
    assert set(out[0]) == set(single) and out[0]["matches"] == single["matches"]
    assert [a["matches"][0]["name"] for a in out] == [
        "La Java",
        "La Java",
        "Le Tango Neurasthénique",
        "En Douce",
    ]


def test_bad_lines_get_an_error_on_their_own_line(env, model_path) -> None:
    data = (
        b"\n".join(
            [
                b"La Java",
                b"",  # blank
                b"   ",  # only spaces
                b"a" * 100_000,  # very long
                b"la \x00java\x07",  # control characters
                b"\xff\xfe\x80junk",  # not UTF-8
                b"?!?!...",  # only punctuation
                b"zzqxjv wqpl",  # nothing close
                b"en douce\r",  # CRLF line end
            ]
        )
        + b"\n"
    )
    out = answers(batch(env, model_path, data))
    assert len(out) == 9
    assert out[0]["matches"][0]["name"] == "La Java" and out[8]["matches"][0]["name"] == "En Douce"
    for bad in out[1:8]:
        assert set(bad) >= {"query", "error"} and "matches" not in bad, bad
        assert len(bad["query"]) <= 200 and "\x00" not in bad["query"]
    assert "long" in out[3]["error"] and "control" in out[4]["error"] and "UTF-8" in out[5]["error"]


def test_last_line_without_newline_and_empty_input(env, model_path) -> None:
    assert [a["matches"][0]["name"] for a in answers(batch(env, model_path, b"La Java\nen douce"))] == [
        "La Java",
        "En Douce",
    ]
    assert answers(batch(env, model_path, b"")) == []


def test_batch_and_a_query_together_is_a_clear_error(env, model_path) -> None:
    proc = batch(env, model_path, b"La Java\n", "La Java")
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert b"either a query or --batch" in proc.stderr
