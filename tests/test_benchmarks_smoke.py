"""Smoke tests of the benchmark scripts: they run and emit the documented JSON (the quality
benchmark has its own, tests/test_quality.py). No timing assertions (machines differ)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: ~20 s of subprocesses (a small serving benchmark).
pytestmark = pytest.mark.slow


def _run_json(args: list[str], tmp_path: Path, timeout: float = 600) -> dict:
    env = dict(os.environ)
    env["CLUSTERFY_CACHE_DIR"] = str(tmp_path / "cache")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-m", *args, "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _run_json(
        ["benchmarks.bench_recommend", "--sizes", "bundled", "--queries", "20"],
        tmp_path_factory.mktemp("bench"),
    )


def test_bench_json_has_every_operation(bench: dict) -> None:
    assert bench["queries"] == 20
    assert [c["catalog"] for c in bench["catalogs"]] == ["bundled"]
    cat = bench["catalogs"][0]
    assert cat["songs"] > 3000
    for key in (
        "fit_s",
        "save_s",
        "artifact_mb",
        "load_model_s",
        "engine_init_s",
        "cold_start_s",
        "peak_rss_mb",
        "difflib_queries",
    ):
        assert key in cat and cat[key] >= 0, key
    for op in ("resolve_exact", "resolve_typo", "autocomplete", "recommend", "vibe"):
        r = cat["ops"][op]
        for side in ("ours", "baseline"):
            assert r[side]["n"] > 0
            assert 0 <= r[side]["p50_ms"] <= r[side]["p99_ms"]
        assert r["baseline"]["name"]
        assert r["ratio_p50"] > 0
    assert cat["ops"]["resolve_exact"]["ours_found"] >= 0.9
    assert isinstance(bench["goals"], list)  # no goals at the bundled size
    assert bench["peak_rss_mb"] > 0
