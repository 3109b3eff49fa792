"""Time and memory of the engine's heavy steps, next to the study's plain pipeline.

Run from the repository root::

    python -m benchmarks.bench_engine                       # bundled + 100k synthetic songs
    python -m benchmarks.bench_engine --sizes bundled,20000 --json > bench.json

For each catalog size it measures, each in a fresh child process (so one run's memory
and caches do not leak into the next, and imports are not timed):

* **engine** — ``load_catalog`` on a real CSV file (read + clean), ``MoodModel(4).fit``
  (scaler, K-Means n_init=10, quality figures, names, serving layout, PCA map, genre
  validation) and ``evaluate_k`` for k=2..10 (what ``n_clusters="auto"`` runs);
* **study** — the study notebook's way as a baseline: ``pandas.read_csv``, no cleaning,
  ``StandardScaler`` + ``KMeans(4, n_init=10)``; its "evaluate" is the same k=2..10
  loop of K-Means + silhouette + Davies–Bouldin, with the silhouette sampled exactly
  as the engine samples it (20,000 songs) so the two do the same work.

Synthetic catalogs come from :func:`benchmarks.synthetic.make_catalog` and are first
written to a temporary CSV in the study's 23-column layout, so loading is measured on a
real file. Silhouette and Davies–Bouldin are reported for k=4.

Memory is the **peak resident set size** (VmHWM in /proc/self/status) of the child
process during each step, reset before each step by writing 5 to
/proc/self/clear_refs; where that is not possible (not Linux) it falls back to
``resource.getrusage(RUSAGE_SELF).ru_maxrss``, the process-wide peak so far, and says
so. RSS includes the interpreter and imported libraries (reported as "base").

Each step's CPU seconds (all threads of the child) are reported beside its wall time:
when other work shares the machine (a load-average warning is printed), wall times
are pessimistic, and CPU seconds / usable CPUs is a fair estimate of the wall time on an
idle machine.

Goals (at 100,000 songs on 2 cores): fit under 10 s, evaluate k=2..10 under 60 s.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL_SIZE = 100_000
GOALS_S = {"fit": 10.0, "evaluate": 60.0}
K = 4
K_RANGE = range(2, 11)
N_INIT = 10
SEED = 42


# -- memory ---------------------------------------------------------------------------
class PeakRSS:
    """Peak resident memory of this process during a step, in MiB."""

    def __init__(self) -> None:
        self.method = "VmHWM reset per step (/proc/self/clear_refs)"
        if not self._reset():
            self.method = "getrusage ru_maxrss (process-wide peak, not reset per step)"

    @staticmethod
    def _reset() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            return True
        except OSError:
            return False

    @staticmethod
    def _status(field: str) -> float | None:
        try:
            with open("/proc/self/status") as fh:
                for line in fh:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) / 1024.0
        except OSError:
            pass
        return None

    def current(self) -> float:
        rss = self._status("VmRSS")
        return rss if rss is not None else self._maxrss()

    @staticmethod
    def _maxrss() -> float:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0 / 1024.0

    def start(self) -> None:
        self._reset()

    def peak(self) -> float:
        hwm = self._status("VmHWM")
        return hwm if hwm is not None else self._maxrss()


#: CPU seconds (all threads of the child) of each step, filled by :func:`_step`.
CPU_S: dict[str, float] = {}


def _step(mem: PeakRSS, fn, name: str = ""):
    """Run ``fn``: (value, wall seconds, peak RSS MiB); CPU seconds go to :data:`CPU_S`."""
    mem.start()
    c0, t0 = time.process_time(), time.perf_counter()
    value = fn()
    wall = round(time.perf_counter() - t0, 3)
    if name:
        CPU_S[name] = round(time.process_time() - c0, 2)
    return value, wall, round(mem.peak(), 1)


# -- the two pipelines (run in child processes) -------------------------------------------------
def run_engine(path: str) -> dict[str, object]:
    import numpy as np

    from engine.catalog import load_catalog
    from engine.evaluation import evaluate_k
    from engine.model import MoodModel

    mem = PeakRSS()
    base = round(mem.current(), 1)
    (songs, report), t_load, m_load = _step(mem, lambda: load_catalog(path), "load")

    marks: list[tuple[str, float]] = []

    def progress(msg: str) -> None:
        marks.append((msg, time.perf_counter()))

    t_fit0 = time.perf_counter()
    model, t_fit, m_fit = _step(
        mem, lambda: MoodModel(K, n_init=N_INIT, random_state=SEED).fit(songs, progress=progress), "fit"
    )
    breakdown = _fit_breakdown(marks, t_fit0, t_fit0 + t_fit)
    Z = model.scaler_.transform(songs[list(model.features)].to_numpy(dtype=np.float64))
    results, t_eval, m_eval = _step(
        mem, lambda: evaluate_k(Z, K_RANGE, n_init=N_INIT, random_state=SEED), "evaluate"
    )
    return {
        "rows_read": report.rows_read,
        "songs": len(songs),
        "load_s": t_load,
        "fit_s": t_fit,
        "evaluate_s": t_eval,
        "peak_mib": {"base": base, "load": m_load, "fit": m_fit, "evaluate": m_eval},
        "silhouette": round(model.metrics_.silhouette, 4),
        "davies_bouldin": round(model.metrics_.davies_bouldin, 4),
        "silhouette_sample": model.metrics_.silhouette_sample,
        "best_k_by_silhouette": max(results, key=lambda r: r.silhouette).k,
        "moods": sorted(m.label for m in model.moods_),
        "fit_breakdown_s": breakdown,
        "memory_method": mem.method,
        "cpu_s": dict(CPU_S),
    }


def _fit_breakdown(marks: list[tuple[str, float]], start: float, end: float) -> dict[str, float]:
    """Split fit time by the model's progress messages."""

    def at(prefix: str) -> float | None:
        return next((t for m, t in marks if m.startswith(prefix)), None)

    km, quality, pca = at("fitting K-Means"), at("silhouette"), at("computing the 2-D map")
    if km is None or quality is None or pca is None:
        return {}
    return {
        "scale": round(km - start, 3),
        "kmeans_and_quality": round(quality - km, 3),
        "names_and_layout": round(pca - quality, 3),
        "pca_and_validation": round(end - pca, 3),
    }


def run_study(path: str) -> dict[str, object]:
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import davies_bouldin_score, silhouette_score
    from sklearn.preprocessing import StandardScaler

    from engine.evaluation import SILHOUETTE_SAMPLE
    from engine.features import AUDIO_FEATURES

    mem = PeakRSS()
    base = round(mem.current(), 1)
    df, t_load, m_load = _step(mem, lambda: pd.read_csv(path), "load")

    def fit():
        X = StandardScaler().fit_transform(df[list(AUDIO_FEATURES)])
        return X, KMeans(n_clusters=K, n_init=N_INIT, random_state=SEED).fit(X)

    (X, km), t_fit, m_fit = _step(mem, fit, "fit")
    sample = min(len(X), SILHOUETTE_SAMPLE)

    def quality(labels):
        sil = silhouette_score(X, labels, sample_size=sample if sample < len(X) else None, random_state=SEED)
        return float(sil), float(davies_bouldin_score(X, labels))

    def evaluate():
        out = {}
        for k in K_RANGE:
            labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=SEED).fit(X).labels_
            out[k] = quality(labels)
        return out

    results, t_eval, m_eval = _step(mem, evaluate, "evaluate")
    sil, db = quality(km.labels_)
    return {
        "rows_read": len(df),
        "songs": len(df),
        "load_s": t_load,
        "fit_s": t_fit,
        "evaluate_s": t_eval,
        "peak_mib": {"base": base, "load": m_load, "fit": m_fit, "evaluate": m_eval},
        "silhouette": round(sil, 4),
        "davies_bouldin": round(db, 4),
        "silhouette_sample": sample,
        "best_k_by_silhouette": max(results, key=lambda k: results[k][0]),
        "memory_method": mem.method,
        "cpu_s": dict(CPU_S),
    }


def _in_child(fn, *args):
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


# -- driver ---------------------------------------------------------------------------------------
def _catalog_for(size: str, workdir: Path) -> tuple[str, Path, float | None]:
    """(label, CSV path, seconds to generate) for a --sizes entry."""
    from engine.paths import STUDY_SAMPLE_FILE

    if size == "bundled":
        return "bundled", STUDY_SAMPLE_FILE, None
    n = int(size.replace("_", "").replace("k", "000"))
    from benchmarks.synthetic import make_catalog, write_study_csv

    t0 = time.perf_counter()
    path = write_study_csv(make_catalog(n, seed=0), workdir / f"synthetic_{n}.csv")
    return f"{n:,} synthetic", path, round(time.perf_counter() - t0, 1)


def _threads() -> str:
    try:
        from threadpoolctl import threadpool_info

        pools = {f"{p['user_api']}:{p.get('internal_api')}": p["num_threads"] for p in threadpool_info()}
        return ", ".join(f"{k}={v}" for k, v in sorted(pools.items()))
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


def environment() -> dict[str, Any]:
    import numpy
    import pandas
    import sklearn

    cpus: int | None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    load: float | None
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {
        "python": platform.python_version(),
        "cpus_usable": cpus,
        "load_avg_1min_at_start": round(load, 2) if load is not None else None,
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "sklearn": sklearn.__version__,
        "thread_pools": _threads(),
        "k": K,
        "n_init": N_INIT,
        "k_range": [K_RANGE.start, K_RANGE.stop - 1],
    }


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def format_table(env: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    lines = [
        f"Clusterfy engine benchmark — Python {env['python']}, {env['cpus_usable']} CPU(s), "
        f"load avg {env['load_avg_1min_at_start']} -> {env.get('load_avg_1min_at_end')}, "
        f"threads: {env['thread_pools']}",
        f"k={K}, n_init={N_INIT}, evaluate k={K_RANGE.start}..{K_RANGE.stop - 1}; "
        f"memory: peak RSS per step, MiB ({rows[0]['engine']['memory_method'] if rows else ''})",
        "",
    ]
    busy = [
        v
        for v in (env.get("load_avg_1min_at_start"), env.get("load_avg_1min_at_end"))
        if v is not None and v > float(env["cpus_usable"] or 1)
    ]
    if busy:
        lines[-1:-1] = [
            f"WARNING: load average {max(busy):.1f} exceeds the {env['cpus_usable']} "
            "usable CPU(s): other work shared the machine, timings are pessimistic"
        ]
    head = (
        f"{'catalog':<18} {'pipeline':<7} {'rows':>8} {'songs':>8} {'load s':>8} {'fit s':>7} "
        f"{'eval s':>8} {'base':>6} {'load':>6} {'fit':>6} {'eval':>6} {'silh.':>6} {'DB':>6} "
        f"{'best k':>6}"
    )
    lines += [head, "-" * len(head)]
    for row in rows:
        for name in ("engine", "study"):
            r = row[name]
            m = r["peak_mib"]
            lines.append(
                f"{row['catalog']:<18} {name:<7} {r['rows_read']:>8,} {r['songs']:>8,} {r['load_s']:>8.2f} "
                f"{r['fit_s']:>7.2f} {r['evaluate_s']:>8.2f} {m['base']:>6.0f} {m['load']:>6.0f} "
                f"{m['fit']:>6.0f} {m['evaluate']:>6.0f} {r['silhouette']:>6.3f} {r['davies_bouldin']:>6.3f} "
                f"{r['best_k_by_silhouette']:>6}"
            )
        e, s = row["engine"], row["study"]
        lines.append(
            f"{'':<18} CPU seconds (all threads), engine: "
            + ", ".join(f"{k} {v:.1f}" for k, v in e["cpu_s"].items())
            + "; study: "
            + ", ".join(f"{k} {v:.1f}" for k, v in s["cpu_s"].items())
        )
        lines.append(
            f"{'':<18} {'ratio':<7} {'engine/study':>17} {_ratio(e['load_s'], s['load_s']):>8} "
            f"{_ratio(e['fit_s'], s['fit_s']):>7} {_ratio(e['evaluate_s'], s['evaluate_s']):>8}"
        )
        if e.get("fit_breakdown_s"):
            lines.append(
                f"{'':<18} engine fit breakdown (s): "
                + ", ".join(f"{k} {v:.2f}" for k, v in e["fit_breakdown_s"].items())
            )
        if row.get("generate_s") is not None:
            lines.append(
                f"{'':<18} (generating + writing the synthetic CSV took "
                f"{row['generate_s']:.1f} s, not timed above)"
            )
        for goal in row.get("goals", []):
            lines.append(
                f"{'':<18} goal: {goal['step']} under {goal['limit_s']:.0f} s at "
                f"{GOAL_SIZE:,} songs -> {goal['seconds']:.2f} s  {goal['verdict']}"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="bundled,100000",
        help="comma-separated catalogs: 'bundled' and/or song counts (default: %(default)s)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the results as JSON on stdout (the table then goes to stderr)",
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    for s in sizes:
        if s != "bundled" and not s.replace("_", "").replace("k", "").isdigit():
            parser.error(f"--sizes: {s!r} is neither 'bundled' nor a number of songs")
    log = sys.stderr
    env = environment()
    rows = []
    with tempfile.TemporaryDirectory(prefix="clusterfy-bench-") as tmp:
        for size in sizes:
            label, path, generated = _catalog_for(size, Path(tmp))
            print(f"[bench] {label}: engine ...", file=log, flush=True)
            engine = _in_child(run_engine, str(path))
            print(f"[bench] {label}: study baseline ...", file=log, flush=True)
            study = _in_child(run_study, str(path))
            row = {
                "catalog": label,
                "path": str(path) if size == "bundled" else None,
                "generate_s": generated,
                "engine": engine,
                "study": study,
                "ratio_engine_over_study": {
                    step: (round(engine[f"{step}_s"] / study[f"{step}_s"], 2) if study[f"{step}_s"] else None)
                    for step in ("load", "fit", "evaluate")
                },
            }
            if size != "bundled" and engine["songs"] >= GOAL_SIZE:
                row["goals"] = [
                    {
                        "step": step,
                        "limit_s": limit,
                        "seconds": engine[f"{step}_s"],
                        "verdict": "PASS" if engine[f"{step}_s"] < limit else "MISS",
                    }
                    for step, limit in GOALS_S.items()
                ]
            rows.append(row)
    try:
        env["load_avg_1min_at_end"] = round(os.getloadavg()[0], 2)
    except OSError:
        env["load_avg_1min_at_end"] = None
    table = format_table(env, rows)
    if args.json:
        print(table, file=log)
        json.dump({"environment": env, "results": rows}, sys.stdout, indent=2)
        print()
    else:
        print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
