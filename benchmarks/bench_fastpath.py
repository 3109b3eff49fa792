"""Issue 24's figures, this tree side by side with a baseline commit, in fresh processes.

For each catalog size a synthetic catalog (benchmarks/synthetic.py) is fitted and saved
once per code tree by that tree's own code (as ``benchmarks serving`` does). Then, per
tree and size, fresh interpreters are started and report:

- ``ready``: wall time from the parent starting the process to its first answers (a
  recommend and a mood-word ask), imports included; ``cold`` first evicts the artifact's
  files and the trees' and virtualenv's code from the page cache (``posix_fadvise``
  DONTNEED, no root needed), ``warm`` runs right after another start. Both trees are
  byte-compiled first (:func:`compile_tree`), as installed code is; the first start of
  an artifact checks its files' SHA-256 and later ones trust them (engine.storage.verified),
  so the artifact is loaded once before the starts measured;
- ``recommend``: ``Recommender.recommend(seed, 10)`` p50/p99 in ms over the seeds;
- ``vibe_first``: ``Engine.vibe(word, 10)`` with the word cache cleared before each ask;
- ``talk``: one plain-language critique turn (``Engine.converse``), as bench_recommend;
- ``heavy_modules``: which of scikit-learn, scipy, pandas, matplotlib the serving
  process imported.

Recall: the picks of both trees on the same ``--seeds`` seeds are compared: recall@10 is
the share of the baseline's picks (its exact ranking after the artist cap) that this tree
also gives, and ``same lists`` the share of identical lists (order and scores included).

Regression check: ``--check`` compares every after/before ratio with
``benchmarks/fastpath_reference.json`` (recorded by ``--record``) and exits 1 when one is
worse by more than the noise allowance (:data:`NOISE`), or when recall falls below
:data:`MIN_RECALL`.

    python -m benchmarks fastpath                          # 100k and 1M vs d3d7744
    python -m benchmarks fastpath --sizes 100000 --seeds 300 --check
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
#: The main this issue started from.
DEFAULT_BASELINE = "d3d7744"
REFERENCE = Path(__file__).with_name("fastpath_reference.json")
#: A ratio may be this much worse than the recorded one before the check fails: the
#: machine is shared and two cores wide, so repeated runs of the same code differ by
#: up to about a third on the sub-millisecond figures.
NOISE = 0.5
MIN_RECALL = 0.99
HEAVY = ("sklearn", "scipy", "pandas", "matplotlib")

#: Runs in a fresh interpreter in the tree measured (only APIs both trees have).
CHILD = r"""
import json, sys, time
import bot.client, bot.conversation
from engine.service import Engine
path, seeds_file, out_file = sys.argv[1:4]
engine = Engine.load(model_path=path)  # what the bot and the CLI do
engine.recommend(engine.recommender.ids[0])
engine.vibe("chill", 5)
ready_at = time.time()
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sklearn", "scipy", "pandas", "matplotlib"})
seeds = json.loads(open(seeds_file).read())
rec = engine.recommender
def pct(xs):
    xs = sorted(xs)
    return {"p50_ms": xs[len(xs) // 2], "p99_ms": xs[min(len(xs) - 1, int(0.99 * len(xs)))], "n": len(xs)}
for s in seeds[:20]:
    rec.recommend(s, 10)
times, picks = [], []
for s in seeds:
    t = time.perf_counter(); got = rec.recommend(s, 10); times.append(1000 * (time.perf_counter() - t))
    picks.append([[int(i), round(float(v), 6)] for i, v in got])
figures = {"recommend": pct(times)}
from engine.words.vocabulary import VOCABULARY
words = [w.word for w in VOCABULARY][:60]
search = engine.word_search
times = []
for w in words:
    search._cache.clear()
    t = time.perf_counter(); engine.vibe(w, 10); times.append(1000 * (time.perf_counter() - t))
figures["vibe_first"] = pct(times)
lines = ("sadder", "a bit faster", "much calmer", "more acoustic", "older stuff", "happier and slower")
now = time.time()
times = []
for k, s in enumerate(seeds[:200]):
    st = engine.dialogue.from_list([], label="", seed_id=engine.table.ids[s], now=now, count=10)
    t = time.perf_counter(); engine.converse(st, lines[k % len(lines)], now=now)
    times.append(1000 * (time.perf_counter() - t))
figures["talk"] = pct(times)
open(out_file, "w").write(json.dumps({"figures": figures, "picks": picks, "heavy_modules": heavy}))
print(json.dumps({"ready_at": ready_at}), flush=True)
"""

#: A start only: process start to first answers, nothing else.
READY_CHILD = r"""
import json, sys, time
import bot.client, bot.conversation
from engine.service import Engine
engine = Engine.load(model_path=sys.argv[1])  # what the bot and the CLI do
engine.recommend(engine.recommender.ids[0])
engine.vibe("chill", 5)
print(json.dumps({"ready_at": time.time()}), flush=True)
"""

PREPARE = r"""
import sys, time
from benchmarks.synthetic import make_catalog
from engine.storage.artifact import save_model
from engine.model import MoodModel
save_model(MoodModel(n_clusters=4).fit(make_catalog(int(sys.argv[1]), seed=0), progress=lambda _m: None),
           sys.argv[2])
"""


def _say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}


def prepare(tree: Path, size: int, workdir: Path) -> Path:
    """The artifact of ``size`` synthetic songs saved by ``tree``'s code (fitted once)."""
    path = workdir / str(size) / "model.joblib"
    if not path.with_name(path.name + ".sha256.json").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", PREPARE, str(size), str(path)], cwd=tree, env=_env(tree), check=True
        )
        _say(f"  fitted and saved {size:,} songs in {time.perf_counter() - t:.0f} s ({tree})")
    return path


def compile_tree(tree: Path) -> None:
    """Byte-compile ``tree``'s packages, as every deployment has them: pip compiles what
    it installs, the Dockerfile and ``run.py`` compile Clusterfy's sources. Without it,
    where ``PYTHONDONTWRITEBYTECODE`` is set (this machine, the bench's own children),
    every start would compile every module of either tree again."""
    dirs = [str(tree / d) for d in ("engine", "bot", "clusterfy_cli") if (tree / d).is_dir()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *dirs], check=True, capture_output=True)


def evict(paths: list[Path]) -> None:
    """Drop every file under ``paths`` from the page cache (best effort, no root needed)."""
    for top in paths:
        files = [top] if top.is_file() else [p for p in top.rglob("*") if p.is_file()]
        for f in files:
            try:
                fd = os.open(f, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def start(tree: Path, script: str, args: list[str]) -> tuple[float, dict[str, Any]]:
    """Run ``script`` in a fresh interpreter in ``tree``: seconds to its first answers."""
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=tree,
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    data = json.loads(line)
    return data["ready_at"] - t0, data


def measure(tree: Path, path: Path, seeds_file: Path, starts: int) -> dict[str, Any]:
    """One tree, one artifact: ready (cold, warm) and the per-query figures."""
    compile_tree(tree)
    code_dirs = [tree / "engine", tree / "bot", Path(sys.prefix) / "lib"]
    cold, warm = [], []
    start(tree, READY_CHILD, [str(path)])  # the first start after a fit: checks, then stamps
    for _ in range(starts):
        evict([path.parent, *code_dirs])
        cold.append(start(tree, READY_CHILD, [str(path)])[0])
        warm.append(start(tree, READY_CHILD, [str(path)])[0])
    out_file = seeds_file.with_name(f"out-{os.getpid()}-{time.time_ns()}.json")
    start(tree, CHILD, [str(path), str(seeds_file), str(out_file)])
    data = json.loads(out_file.read_text())
    out_file.unlink()
    data["ready_cold_s"] = statistics.median(cold)
    data["ready_warm_s"] = statistics.median(warm)
    return data


def recall(base: list[list[list[float]]], ours: list[list[list[float]]]) -> tuple[float, float]:
    """recall@10 of ``ours`` against ``base`` (by song), and the share of identical lists."""
    hit = total = same = 0
    for b, o in zip(base, ours):
        got = {int(i) for i, _ in o}
        hit += sum(int(i) in got for i, _ in b)
        total += len(b)
        same += b == o
    return (hit / total if total else 1.0), same / max(1, len(base))


def baseline_tree(rev: str) -> Path:
    tree = Path(tempfile.mkdtemp(prefix="cf-baseline-")) / "tree"
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(tree), rev], cwd=ROOT, check=True, capture_output=True
    )
    return tree


FIGURES = (
    ("ready_cold_s", "ready, page cache cold", "s"),
    ("ready_warm_s", "ready, page cache warm", "s"),
    ("recommend", "recommend p50", "ms"),
    ("vibe_first", "first ask of a word p50", "ms"),
    ("talk", "talk turn p50", "ms"),
)


def value(data: dict[str, Any], key: str) -> float:
    v = data[key] if key.startswith("ready") else data["figures"][key]["p50_ms"]
    return float(v)


def report(results: dict[str, Any]) -> list[str]:
    lines = [
        f"load average: start {results['loadavg_start']}, end {results['loadavg_end']}",
        "",
        "| songs | figure | before | after | after/before |",
        "|---|---|---|---|---|",
    ]
    for size, r in results["sizes"].items():
        for key, label, unit in FIGURES:
            b, a = value(r["before"], key), value(r["after"], key)
            lines.append(f"| {int(size):,} | {label} | {b:.3f} {unit} | {a:.3f} {unit} | {a / b:.3f} |")
        lines.append(
            f"| {int(size):,} | recall@10 vs before (same lists) | | {r['recall']:.4f} ({r['same']:.3f}) | |"
        )
        lines.append(
            f"| {int(size):,} | heavy modules imported | {', '.join(r['before']['heavy_modules']) or '-'} | "
            f"{', '.join(r['after']['heavy_modules']) or '-'} | |"
        )
    return lines


def check(results: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    """What got slower than the reference ratios by more than :data:`NOISE`, or lost recall."""
    problems = []
    for size, r in results["sizes"].items():
        if r["recall"] < MIN_RECALL:
            problems.append(f"{size}: recall@10 {r['recall']:.4f} < {MIN_RECALL}")
        ref = reference.get(size, {})
        for key, label, _unit in FIGURES:
            ratio = value(r["after"], key) / value(r["before"], key)
            if key in ref and ratio > ref[key] * (1 + NOISE):
                problems.append(f"{size}: {label} after/before {ratio:.3f} > {ref[key]:.3f} + noise")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks fastpath", description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--seeds", type=int, default=1000, help="recommend seeds (recall is over these)")
    ap.add_argument("--starts", type=int, default=3, help="cold and warm starts per tree and size")
    ap.add_argument("--baseline", default=DEFAULT_BASELINE)
    ap.add_argument("--workdir", type=Path, default=None, help="keep the artifacts here (default: temporary)")
    ap.add_argument("--json", type=Path, default=None, help="also write every figure here")
    ap.add_argument("--check", action="store_true", help="fail on a regression against the reference")
    ap.add_argument("--record", action="store_true", help="write this run's ratios as the reference")
    opts = ap.parse_args(argv)
    workdir = opts.workdir or Path(tempfile.mkdtemp(prefix="cf-fastpath-"))
    base = baseline_tree(opts.baseline)
    results: dict[str, Any] = {"loadavg_start": os.getloadavg(), "baseline": opts.baseline, "sizes": {}}
    try:
        import random

        for size in opts.sizes:
            seeds_file = workdir / f"seeds-{size}.json"
            seeds_file.parent.mkdir(parents=True, exist_ok=True)
            seeds_file.write_text(json.dumps(random.Random(24).sample(range(size), min(size, opts.seeds))))
            per: dict[str, Any] = {}
            for label, tree in (("before", base), ("after", ROOT)):
                path = prepare(tree, size, workdir / label)
                per[label] = measure(tree, path, seeds_file, opts.starts)
                _say(f"  {size:,} {label}: done (load {os.getloadavg()[0]:.2f})")
            per["recall"], per["same"] = recall(per["before"]["picks"], per["after"]["picks"])
            for label in ("before", "after"):
                per[label].pop("picks")
            results["sizes"][str(size)] = per
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
        shutil.rmtree(base.parent, ignore_errors=True)
    results["loadavg_end"] = os.getloadavg()
    print("\n".join(report(results)))
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if opts.record:
        ratios = {
            size: {key: value(r["after"], key) / value(r["before"], key) for key, _l, _u in FIGURES}
            for size, r in results["sizes"].items()
        }
        REFERENCE.write_text(json.dumps(ratios, indent=2) + "\n", encoding="utf-8")
    if opts.check:
        reference = json.loads(REFERENCE.read_text()) if REFERENCE.exists() else {}
        problems = check(results, reference)
        for p in problems:
            print(f"REGRESSION: {p}")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
