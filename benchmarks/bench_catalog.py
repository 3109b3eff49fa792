"""The default catalog's cost, side by side with the one it replaced, in one run.

Issue 21 made the default catalog the union of six files (about 70,000 songs) instead of
three (6,326 songs then). This script measures, for both catalogs on this machine in the
same run:

- **first start**: ``python -m bot --console`` on an empty cache, answering one
  ``!recommend`` (loading the catalog, fitting, saving the model, first answer), wall time
  and the process's peak memory;
- **later start**: the same with the model cached (median of three), which must stay
  under 3 s (:data:`LATER_START_GOAL_S`);
- **model build**, in this process: load and clean the catalog, fit k=4, build and save
  the serving arrays; the artifact's size on disk;
- **queries** on the loaded engine: a title with a typo (``Engine.search``), autocomplete
  (``Engine.complete_song``, 25 choices) and ``Engine.recommend`` (10 songs with reasons),
  p50 and p99 wall and CPU milliseconds over the same seeded queries
  (benchmarks/bench_recommend.py makes them), and the engine's resident memory.

The machine's load average is printed before and after: a busy machine inflates wall
times (CPU times hardly move). The install step of a first ``python3 run.py`` from a
fresh clone (creating .venv, pip) is not timed here: it needs the network and is the
same for both catalogs.

    python -m benchmarks.bench_catalog [--queries 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.paths import DEFAULT_CATALOG, PROJECT_ROOT, SMALL_UNION_FILES

from .bench_recommend import current_rss_mb, json_safe, make_queries, summarize, time_calls

#: What a later start (model cached) may take on this machine, in seconds.
LATER_START_GOAL_S = 3.0
#: The line a first answer is timed on.
FIRST_LINE = "!recommend la java 3\n"

#: A child that runs the console and reports its grandchild's peak memory (KiB) on stderr.
_MEASURED = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], input=sys.stdin.read(), text=True, capture_output=True)\n"
    "wall = time.perf_counter() - t\n"
    "sys.stdout.write(p.stdout)\n"
    "print(f'@@ {p.returncode} {wall:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}',"
    " file=sys.stderr)\n"
)


def catalogs() -> dict[str, str]:
    return {
        "default (6 files)": str(DEFAULT_CATALOG),
        "before issue 21 (3 files)": os.pathsep.join(str(p) for p in SMALL_UNION_FILES),
    }


def console_start(catalog: str, cache: Path) -> dict[str, Any]:
    """One console process answering FIRST_LINE: wall seconds, peak MB, whether it answered."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLUSTERFY_", "DISCORD_"))}
    env.update(
        CLUSTERFY_CATALOG=catalog,
        CLUSTERFY_CACHE_DIR=str(cache),
        DISCORD_TOKEN="",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, "-m", "bot", "--console"],
        input=FIRST_LINE,
        text=True,
        capture_output=True,
        env=env,
        cwd=cache.parent,
        timeout=900,
    )
    marks = [line.split() for line in proc.stderr.splitlines() if line.startswith("@@ ")]
    code, wall, kib = marks[-1][1:] if marks else ("?", "nan", "0")
    return {
        "seconds": float(wall),
        "peak_mb": int(kib) / 1024,
        "answered": code == "0" and "Songs like" in proc.stdout,
    }


def measure(name: str, catalog: str, n_queries: int, work: Path) -> dict[str, Any]:
    from engine.catalog import load_catalog
    from engine.model import MoodModel
    from engine.service import Engine
    from engine.storage.artifact import load_model, save_model

    say = lambda m: print(f"[{name}] {m}", file=sys.stderr, flush=True)  # noqa: E731
    cache = work / name.split()[0] / "cache"
    cache.mkdir(parents=True)
    say("first start (empty cache: build + first answer)")
    first = console_start(catalog, cache)
    say("later starts (model cached)")
    later = [console_start(catalog, cache) for _ in range(3)]
    artifact_mb = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 2**20

    say("model build in this process")
    t0 = time.perf_counter()
    songs, _ = load_catalog(catalog)
    t1 = time.perf_counter()
    model = MoodModel(4).fit(songs, progress=lambda _m: None)
    t2 = time.perf_counter()
    scratch = work / name.split()[0] / "build" / "model.joblib"
    save_model(model, scratch)
    t3 = time.perf_counter()
    del model

    say("queries on the loaded engine")
    rss0 = current_rss_mb()
    engine = Engine(load_model(scratch))
    rss1 = current_rss_mb()
    queries = make_queries(songs, engine.model, n_queries)
    ids = engine.table.ids
    ops = {
        "resolve a typo": time_calls(engine.search, queries.typo),
        "autocomplete (25)": time_calls(lambda p: engine.complete_song(p, 25), queries.prefix),
        "recommend 10": time_calls(lambda i: engine.recommend(ids[i], 10), queries.seeds),
    }
    return {
        "catalog": name,
        "songs": len(songs),
        "first_start_s": first["seconds"],
        "first_start_peak_mb": first["peak_mb"],
        "first_start_answered": first["answered"],
        "later_start_s": statistics.median(r["seconds"] for r in later),
        "later_start_runs_s": [r["seconds"] for r in later],
        "later_start_peak_mb": statistics.median(r["peak_mb"] for r in later),
        "later_start_answered": all(r["answered"] for r in later),
        "build_s": {"load catalog": t1 - t0, "fit k=4": t2 - t1, "serving arrays + save": t3 - t2},
        "artifact_mb": artifact_mb,
        "engine_rss_mb": None if rss0 is None or rss1 is None else rss1 - rss0,
        "queries": {op: summarize(times) for op, times in ops.items()},
    }


def format_report(result: dict[str, Any]) -> str:
    rows = result["catalogs"]
    width = 30
    head = f"{'':<34}" + "".join(f"{r['catalog']:>{width}}" for r in rows)
    lines = [f"load average before {result['load_before']}, after {result['load_after']}", head]

    def line(label: str, cells: list[str]) -> None:
        lines.append(f"{label:<34}" + "".join(f"{c:>{width}}" for c in cells))

    line("songs", [f"{r['songs']:,}" for r in rows])
    line("first start, s (build + answer)", [f"{r['first_start_s']:.1f}" for r in rows])
    line("  peak memory, MB", [f"{r['first_start_peak_mb']:.0f}" for r in rows])
    line(
        f"later start, s (goal < {LATER_START_GOAL_S:g})",
        [
            f"{r['later_start_s']:.2f} {'PASS' if r['later_start_s'] < LATER_START_GOAL_S else 'MISS'}"
            for r in rows
        ],
    )
    line("  peak memory, MB", [f"{r['later_start_peak_mb']:.0f}" for r in rows])
    for stage in rows[0]["build_s"]:
        line(f"build: {stage}, s", [f"{r['build_s'][stage]:.2f}" for r in rows])
    line("artifact on disk, MB", [f"{r['artifact_mb']:.1f}" for r in rows])
    line("engine resident memory, MB", [f"{r['engine_rss_mb']:.0f}" for r in rows])
    for op in rows[0]["queries"]:
        line(
            f"{op}: p50 / p99 ms",
            [f"{r['queries'][op]['p50_ms']:.2f} / {r['queries'][op]['p99_ms']:.2f}" for r in rows],
        )
        line(
            "  (CPU p50 ms)",
            [f"{r['queries'][op]['cpu_p50_ms']:.2f}" for r in rows],
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_catalog", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--queries", type=int, default=200, help="seeded queries per operation")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    load_before = [round(x, 2) for x in os.getloadavg()]
    work = Path(tempfile.mkdtemp(prefix="clusterfy-bench-catalog-"))
    try:
        rows = [measure(name, cat, max(10, args.queries), work) for name, cat in catalogs().items()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "catalogs": rows,
    }
    print(json.dumps(json_safe(result), indent=2) if args.json else format_report(result))
    return 0 if all(r["later_start_s"] < LATER_START_GOAL_S for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
