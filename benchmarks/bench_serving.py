"""Cold start and memory per process with N bot processes at once, against a baseline commit.

What a sharded deployment pays per process: every process loads the model artifact and
builds an Engine. For each catalog size a synthetic catalog (benchmarks/synthetic.py) is
fitted and saved once per code tree, by that tree's own code (the baseline's artifact
format is the baseline's). Then, for each process count, that many fresh interpreters start
together in that tree; each reports its times -- the bot's imports, ``load_model``,
``Engine()``, a first recommendation -- and, once all are up (so pages they share are shared while
measuring), its own /proc/self/smaps_rollup: Rss, private (Private_Clean + Private_Dirty)
and Pss. "cold start" is load_model + Engine(); "ready" adds the interpreter's imports.

The baseline is another commit of this repository, checked out into a temporary git
worktree and run side by side with the working tree (``--baseline none`` skips it)::

    python -m benchmarks serving                              # 100k and 1M, 1/2/4 processes
    python -m benchmarks serving --sizes 20000 --procs 1 2    # a quick look
    python -m benchmarks serving --baseline 8d2fc9a --workdir /tmp/cf-serving
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

ROOT = Path(__file__).resolve().parent.parent
#: The last commit that rebuilt every serving array at start (the "before" of issue 13).
DEFAULT_BASELINE = "8d2fc9a"

#: Runs in a fresh interpreter in the tree being measured, so it may only use what both
#: trees have: the bot's modules, load_model, Engine, recommend.
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import bot.client, bot.conversation  # what a bot process imports before it loads the model
try:  # what serving loads: the served model (issue 24), else (older trees) the estimator
    from engine.storage.artifact import load_served as load
except ImportError:
    from engine.storage.artifact import load_model as load
from engine.service import Engine
t1 = time.perf_counter()
model = load(sys.argv[1])
t2 = time.perf_counter()
engine = Engine(model)
t3 = time.perf_counter()
engine.recommend(engine.recommender.ids[0])
t4 = time.perf_counter()
# then query speed on the served arrays, p50 in ms over 40 songs spread over the catalog
step = max(1, engine.n_songs // 40)
rows = list(range(0, engine.n_songs, step))[:40]
names = [engine.table.names[i] for i in rows]
ids = [engine.table.ids[i] for i in rows]
typos = [n[:2] + n[3:] if len(n) > 4 else n for n in names]
def p50(fn, xs):
    for x in xs[:5]:
        fn(x)
    times = []
    for x in xs:
        s = time.perf_counter(); fn(x); times.append(1000 * (time.perf_counter() - s))
    return sorted(times)[len(times) // 2]
query_ms = {"resolve_typo": p50(engine.search, typos),
            "autocomplete": p50(lambda q: engine.complete_song(q[:5]), names),
            "recommend": p50(lambda i: engine.recommend(i, 10), rows), "by_id": p50(engine.song_by_id, ids)}
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "engine_s": t3 - t2, "first_s": t4 - t3,
                  "first_at": time.time() - (time.perf_counter() - t4),
                  "cold_start_s": t3 - t1, "ready_s": t3 - t0, "query_ms": query_ms}), flush=True)
sys.stdin.readline()  # every process is up: measure now, while they share what they share
fields = {}
with open("/proc/self/smaps_rollup") as fh:
    for line in fh:
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
print(json.dumps({"rss_mb": fields["Rss"], "pss_mb": fields["Pss"],
                  "private_mb": fields["Private_Clean"] + fields["Private_Dirty"]}), flush=True)
sys.stdin.readline()
"""

PREPARE = r"""
import sys, time
from benchmarks.synthetic import make_catalog
from engine.storage.artifact import save_model
from engine.model import MoodModel
t = time.perf_counter()
save_model(MoodModel(n_clusters=4).fit(make_catalog(int(sys.argv[1]), seed=0), progress=lambda _m: None),
           sys.argv[2])
print(round(time.perf_counter() - t, 1))
"""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}


def prepare(tree: Path, size: int, workdir: Path) -> Path:
    """The artifact of ``size`` synthetic songs saved by ``tree``'s code (fitted once)."""
    path = workdir / f"{size}" / "model.joblib"
    if not path.with_name(path.name + ".sha256.json").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [sys.executable, "-c", PREPARE, str(size), str(path)],
            cwd=tree,
            env=_env(tree),
            capture_output=True,
            text=True,
            check=True,
        )
        _say(f"  fitted and saved {size:,} songs in {out.stdout.strip()} s ({tree})")
    return path


def run_group(tree: Path, path: Path, procs: int, cold: bool = False) -> list[dict[str, float]]:
    """Start ``procs`` serving processes in ``tree`` at once; their times and memory.

    ``cold``: the artifact's files, the tree's code and the interpreter's libraries are
    dropped from the page cache first (benchmarks.bench_fastpath.evict).
    """
    from .bench_fastpath import compile_tree, evict

    compile_tree(tree)
    if cold:
        evict([path.parent, tree / "engine", tree / "bot", Path(sys.prefix) / "lib"])
    cmd = [sys.executable, "-c", CHILD, str(path)]
    spawned = time.time()
    ps = [
        subprocess.Popen(
            cmd, cwd=tree, env=_env(tree), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(procs)
    ]
    try:
        rows = [json.loads(p.stdout.readline()) for p in ps]  # type: ignore[union-attr]
        for row in rows:  # process start (spawn) to its first answer, imports included
            row["start_to_first_s"] = row["first_at"] - spawned
        for p in ps:
            p.stdin.write("\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
        for p, row in zip(ps, rows):
            row.update(json.loads(p.stdout.readline()))  # type: ignore[union-attr]
        for p in ps:
            p.stdin.write("\n")  # type: ignore[union-attr]
            p.stdin.flush()  # type: ignore[union-attr]
            p.wait(timeout=60)
    finally:
        for p in ps:
            if p.poll() is None:
                p.kill()
    return rows


def baseline_tree(rev: str) -> Path:
    """A detached worktree of ``rev`` in a temporary folder."""
    tree = Path(tempfile.mkdtemp(prefix="cf-baseline-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True, capture_output=True
    )
    return tree


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks serving", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="commit to compare with, or 'none'")
    ap.add_argument("--workdir", type=Path, default=None, help="keep the artifacts here (default: temporary)")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    ap.add_argument(
        "--cache", choices=("warm", "cold", "both"), default="both", help="page cache before each start"
    )
    opts = ap.parse_args(argv)
    caches = ["warm", "cold"] if opts.cache == "both" else [opts.cache]
    workdir = opts.workdir or Path(tempfile.mkdtemp(prefix="cf-serving-"))
    trees: list[tuple[str, Path]] = []
    if opts.baseline.lower() != "none":
        trees.append((f"before ({opts.baseline})", baseline_tree(opts.baseline)))
    trees.append(("after (this tree)", ROOT))
    _say(f"load average at start: {os.getloadavg()}")
    results: list[dict[str, Any]] = []
    try:
        for size in opts.sizes:
            for label, tree in trees:
                path = prepare(tree, size, workdir / ("before" if tree != ROOT else "after"))
                for cache in caches:
                    if cache == "warm":  # warm means warm: an earlier cold run (of either
                        run_group(tree, path, 1)  # tree) evicted the shared virtualenv too
                    for procs in opts.procs:
                        rows = run_group(tree, path, procs, cold=cache == "cold")
                        results.append(
                            {
                                "songs": size,
                                "code": label,
                                "cache": cache,
                                "procs": procs,
                                "rows": rows,
                                "loadavg": os.getloadavg(),
                            }
                        )
                        _say(f"  {size:,} {label} x{procs} ({cache} cache): done")
    finally:
        for _label, tree in trees:
            if tree != ROOT:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True
                )
                shutil.rmtree(tree.parent, ignore_errors=True)
    print(
        "| songs | code | page cache | processes | cold start s (median, max) | ready s incl. imports | "
        "process start to first answer s | Rss MB | private MB | Pss MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        rows = r["rows"]
        cs = [x["cold_start_s"] for x in rows]
        print(
            f"| {r['songs']:,} | {r['code']} | {r['cache']} | {r['procs']} | "
            f"{statistics.median(cs):.2f}, {max(cs):.2f} | "
            f"{statistics.median(x['ready_s'] for x in rows):.2f} | "
            f"{statistics.median(x['start_to_first_s'] for x in rows):.2f} | "
            f"{statistics.mean(x['rss_mb'] for x in rows):.0f} | "
            f"{statistics.mean(x['private_mb'] for x in rows):.0f} | "
            f"{statistics.mean(x['pss_mb'] for x in rows):.0f} |"
        )
    print("\nquery p50 in ms, one process (40 songs spread over the catalog, after 5 warm-ups):\n")
    print("| songs | code | resolve a typo | autocomplete | recommend 10 | song by id |")
    print("|---|---|---|---|---|---|")
    for r in results:
        if r["procs"] == min(opts.procs) and r["cache"] == caches[0]:
            q = r["rows"][0]["query_ms"]
            print(
                f"| {r['songs']:,} | {r['code']} | {q['resolve_typo']:.2f} | {q['autocomplete']:.2f} | "
                f"{q['recommend']:.2f} | {q['by_id']:.3f} |"
            )
    # side by side: after / before at the same size and process count
    by_key = {
        (r["songs"], r["procs"], r["code"].startswith("before")): r
        for r in results
        if r["cache"] == caches[0]
    }
    ratios = []
    for (size, procs, before), r in sorted(by_key.items()):
        other = by_key.get((size, procs, True))
        if before or other is None:
            continue

        def med(rs: dict[str, Any], key: str) -> float:
            return statistics.median(x[key] for x in rs["rows"])

        ratios.append(
            f"| {size:,} | {procs} | {med(r, 'cold_start_s') / med(other, 'cold_start_s'):.3f} | "
            f"{med(r, 'private_mb') / med(other, 'private_mb'):.3f} | "
            f"{med(r, 'pss_mb') / med(other, 'pss_mb'):.3f} |"
        )
    if ratios:
        print("\nafter / before (median per process):\n")
        print("| songs | processes | cold start | private | Pss |")
        print("|---|---|---|---|---|")
        print("\n".join(ratios))
    _say(f"load average at end: {os.getloadavg()}")
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
