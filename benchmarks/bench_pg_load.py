"""Load benchmark on PostgreSQL: several bot processes sharing one history, and one of them
killed with SIGKILL mid-load.

Each worker process is a bot process without Discord: the engine (cached model of the bundled
catalog) and a :class:`bot.conversation.Conversation` over ``PgHistoryStore``, running
bench_load's seeded member scripts (``--users`` members x ``--per-user`` commands, all at once).
Workers print one line per history write *after* it committed (``req``, ``shown``, ``fb``):
those are the acknowledged writes. One worker is SIGKILLed once it has acknowledged
``--kill-at`` of its requests; the others must keep answering.

Checked afterwards, in the database:
- survivors: 0 errors, and every member's rows exactly what their replies added (no row lost
  or duplicated; bench_load.verify_rows);
- the killed worker: every acknowledged write present (request rows, all shown rows of each
  acknowledged list, the latest acknowledged feedback), at most the one in-flight request per
  member beyond them, and no request with a partial list of shown songs;
- the store's integrity check.

    python -m benchmarks.bench_pg_load [--processes 4] [--users 100] [--per-user 20] [--kill-at 0.4]
        [--url postgresql://...]   # default: $CLUSTERFY_TEST_PG_URL, else a throwaway server

Exit status 0 only when every check passes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVER_SCRIPT = ROOT / "scripts" / "pg_test_server.sh"
USER_BASE = 700_000_000_000_000_000  # Discord-sized ids; worker i uses USER_BASE + i * 1_000_000 + n


# ------------------------------------------------------------------------------ worker
async def _worker(url: str, index: int, users: int, per_user: int) -> None:
    from benchmarks.bench_load import simulate, verify_rows
    from bot.store import open_store
    from engine.paths import STUDY_SAMPLE_FILE
    from engine.service import Engine

    def emit(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    engine = await asyncio.to_thread(Engine.load, STUDY_SAMPLE_FILE, None, 4)
    store = await open_store(url)
    record_request, record_shown, record_feedback = (
        store.record_request,
        store.record_shown,
        store.record_feedback,
    )

    async def request(user_id: int, *args: Any, **kwargs: Any) -> int:
        rid = await record_request(user_id, *args, **kwargs)
        emit(f"req {user_id} {rid}")
        return rid

    async def shown(request_id: int, user_id: int, song_ids: Any) -> None:
        await record_shown(request_id, user_id, song_ids)
        if song_ids:
            emit(f"shown {user_id} {request_id} {len(song_ids)}")

    async def feedback(user_id: int, song_id: str, value: int) -> None:
        await record_feedback(user_id, song_id, value)
        emit(f"fb {user_id} {value} {song_id}")

    # wrapping the bound methods of this one instance is the point (mypy forbids it in general)
    store.record_request = request  # type: ignore[method-assign]
    store.record_shown = shown  # type: ignore[method-assign]
    store.record_feedback = feedback  # type: ignore[method-assign]
    emit("ready")
    try:
        result = await simulate(
            engine, store, users=users, per_user=per_user, seed=index, user_base=USER_BASE + index * 1_000_000
        )
        problems = await verify_rows(store, result)
        emit(
            "done "
            + json.dumps(
                result.summary()
                | {"row_problems": len(problems), "problems": problems[:3], "error_sample": result.errors[:3]}
            )
        )
    finally:
        await store.close()


# ------------------------------------------------------------------------------ parent
@dataclass
class Worker:
    index: int
    proc: subprocess.Popen[str]
    requests: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # user -> acked ids
    shown: dict[int, int] = field(default_factory=dict)  # request id -> acked shown count
    feedback: dict[tuple[int, str], int] = field(default_factory=dict)  # latest acked value
    summary: dict[str, Any] | None = None
    acks: int = 0
    acks_after_kill: int = 0
    killed: bool = False


def _pump(worker: Worker, lines: queue.Queue[tuple[int, str | None]]) -> None:
    assert worker.proc.stdout is not None
    for line in worker.proc.stdout:
        lines.put((worker.index, line.rstrip("\n")))
    lines.put((worker.index, None))


def _admin(url: str, sql: str) -> None:
    import asyncpg

    async def run() -> None:
        con = await asyncpg.connect(url)
        try:
            await con.execute(sql)
        finally:
            await con.close()

    asyncio.run(run())


def run_load(url: str, processes: int, users: int, per_user: int, kill_at: float) -> dict[str, Any]:
    """Run the workers against a fresh schema of ``url``; returns the figures and the checks."""
    from bot.store import open_store
    from engine.paths import STUDY_SAMPLE_FILE
    from engine.service import Engine

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    _admin(url, f"CREATE SCHEMA {schema}")
    bench_url = f"{url}{'&' if '?' in url else '?'}search_path={schema}"
    try:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "CLUSTERFY_CACHE_DIR": cache}
            os.environ["CLUSTERFY_CACHE_DIR"] = cache
            Engine.load(STUDY_SAMPLE_FILE, None, 4)  # build the model once; workers load the cache
            asyncio.run(_migrate(bench_url, open_store))
            return _drive(bench_url, env, processes, users, per_user, kill_at)
    finally:
        _admin(url, f"DROP SCHEMA {schema} CASCADE")


async def _migrate(url: str, open_store: Any) -> None:
    store = await open_store(url)
    await store.close()


def _drive(
    url: str, env: dict[str, str], processes: int, users: int, per_user: int, kill_at: float
) -> dict[str, Any]:
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
    workers: list[Worker] = []
    for i in range(processes):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.bench_pg_load",
                "--worker",
                str(i),
                "--url",
                url,
                "--users",
                str(users),
                "--per-user",
                str(per_user),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        workers.append(Worker(i, proc))
    for w in workers:
        threading.Thread(target=_pump, args=(w, lines), daemon=True).start()
    victim = workers[0] if kill_at > 0 and processes > 1 else None
    # bench_load's mix writes a request on about 3 commands in 4: kill at a share of that.
    kill_after = max(1, int(kill_at * users * per_user * 0.75)) if victim else 0
    kill_time: float | None = None
    open_streams = processes
    t0 = time.perf_counter()
    while open_streams:
        index, line = lines.get()
        w = workers[index]
        if line is None:
            open_streams -= 1
            continue
        word, _, rest = line.partition(" ")
        if word == "req":
            user, rid = map(int, rest.split())
            w.requests[user].add(rid)
        elif word == "shown":
            _, rid, n = map(int, rest.split())
            w.shown[rid] = n
        elif word == "fb":
            fb_user, value, song = rest.split(" ", 2)
            w.feedback[(int(fb_user), song)] = int(value)
        elif word == "done":
            w.summary = json.loads(rest)
            continue
        else:
            continue
        w.acks += 1
        if kill_time is not None and w is not victim:
            w.acks_after_kill += 1
        if w is victim and not w.killed and sum(map(len, w.requests.values())) >= kill_after:
            os.kill(w.proc.pid, signal.SIGKILL)
            w.killed, kill_time = True, time.perf_counter()
    for w in workers:
        w.proc.wait(timeout=600)
    elapsed = time.perf_counter() - t0
    return asyncio.run(_check(url, workers, victim, elapsed, kill_time, t0))


async def _check(
    url: str, workers: list[Worker], victim: Worker | None, elapsed: float, kill_time: float | None, t0: float
) -> dict[str, Any]:
    import asyncpg

    from bot.store import open_store

    out: dict[str, Any] = {"processes": len(workers), "elapsed_s": round(elapsed, 1), "workers": []}
    store = await open_store(url)
    con = await asyncpg.connect(url)
    try:
        out["integrity_ok"] = await store.integrity_ok()
        out["rows"] = await store.row_counts()
        for w in workers:
            stderr = w.proc.stderr.read() if w.proc.stderr else ""
            entry: dict[str, Any] = {
                "index": w.index,
                "returncode": w.proc.returncode,
                "acked_writes": w.acks,
            }
            if w is victim:
                entry.update(await _check_victim(con, w))
                entry["killed_at_s"] = round((kill_time or t0) - t0, 1)
            else:
                s = w.summary or {}
                entry.update(
                    {
                        "answered": s.get("answered", 0),
                        "requests": s.get("requests", 0),
                        "errors": s.get("errors", -1) if w.summary else "no summary",
                        "row_problems": s.get("row_problems", -1),
                        "p50_ms": s.get("p50_ms"),
                        "p99_ms": s.get("p99_ms"),
                        "acked_after_kill": w.acks_after_kill,
                    }
                )
                if not w.summary or s.get("errors") or s.get("row_problems"):
                    entry["detail"] = (s.get("error_sample"), s.get("problems"), stderr[-1500:])
            out["workers"].append(entry)
    finally:
        await con.close()
        await store.close()
    survivors = [e for e in out["workers"] if victim is None or e["index"] != victim.index]
    killed = [e for e in out["workers"] if victim is not None and e["index"] == victim.index]
    out["ok"] = bool(
        out["integrity_ok"]
        and all(e["returncode"] == 0 and e["errors"] == 0 and e["row_problems"] == 0 for e in survivors)
        and all(
            e["returncode"] == -signal.SIGKILL
            and not e["lost"]
            and not e["partial_lists"]
            and e["extra_requests_max"] <= 1
            for e in killed
        )
        and (victim is None or all(e["acked_after_kill"] > 0 for e in survivors))
    )
    return out


async def _check_victim(con: Any, w: Worker) -> dict[str, Any]:
    """Every acknowledged write of the killed process is in the database, nothing half-written."""
    users = list(w.requests)
    stored: dict[int, set[int]] = defaultdict(set)
    for user, rid in await con.fetch(
        "SELECT user_id, id FROM requests WHERE user_id = ANY($1::bigint[])", users
    ):
        stored[user].add(rid)
    counts = dict(
        await con.fetch(
            "SELECT request_id, count(*) FROM shown WHERE user_id = ANY($1::bigint[]) GROUP BY 1", users
        )
    )
    ratings = {
        (u, s): v
        for u, s, v in await con.fetch(
            "SELECT user_id, song_id, value FROM feedback WHERE user_id = ANY($1::bigint[])",
            [u for u, _ in w.feedback],
        )
    }
    lost = sum(len(ids - stored[u]) for u, ids in w.requests.items())
    lost += sum(1 for rid, n in w.shown.items() if counts.get(rid) != n)
    lost += sum(1 for key in w.feedback if key not in ratings)
    changed = sum(
        1 for key, v in w.feedback.items() if ratings.get(key, v) != v
    )  # only an unacked later 👍/👎
    # A list is written in one transaction: a request has all its shown rows or none.
    partial = sum(1 for rid, n in counts.items() if rid in w.shown and n != w.shown[rid])
    extra = max((len(stored[u] - ids) for u, ids in w.requests.items()), default=0)
    return {
        "acked_requests": sum(map(len, w.requests.values())),
        "acked_lists": len(w.shown),
        "acked_ratings": len(w.feedback),
        "lost": lost,
        "partial_lists": partial,
        "extra_requests_max": extra,
        "ratings_changed_unacked": changed,
    }


def format_report(out: dict[str, Any], users: int, per_user: int) -> str:
    lines = [
        f"PostgreSQL load: {out['processes']} processes x {users} members x {per_user} commands, "
        f"one shared history; wall {out['elapsed_s']} s; rows now {out['rows']}; "
        f"integrity {'ok' if out['integrity_ok'] else 'FAILED'}"
    ]
    for e in out["workers"]:
        if "lost" in e:
            lines.append(
                f"  process {e['index']}: SIGKILLed at {e['killed_at_s']} s after {e['acked_requests']} "
                f"acknowledged requests ({e['acked_writes']} acknowledged writes): {e['lost']} lost, "
                f"{e['partial_lists']} half-written lists, at most {e['extra_requests_max']} "
                f"in-flight request per member beyond the acknowledged"
            )
        else:
            lines.append(
                f"  process {e['index']}: {e['answered']}/{e['requests']} answered, {e['errors']} errors, "
                f"{e['row_problems']} members with lost/duplicated rows, p50 {e['p50_ms']} ms, "
                f"p99 {e['p99_ms']} ms, {e['acked_after_kill']} writes after the kill"
            )
            if "detail" in e:
                lines.append(f"    detail: {e['detail']}")
    lines.append("result: " + ("PASS" if out["ok"] else "FAIL"))
    return "\n".join(lines)


def _server_url() -> tuple[str, bool]:
    """$CLUSTERFY_TEST_PG_URL, else a throwaway server started here (and stopped after)."""
    url = os.environ.get("CLUSTERFY_TEST_PG_URL", "").strip()
    if url:
        return url, False
    done = subprocess.run([str(SERVER_SCRIPT), "start"], capture_output=True, text=True, check=True)
    return done.stdout.strip(), True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_pg_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.4,
        help="SIGKILL process 0 after this share of its requests (0: no kill)",
    )
    parser.add_argument(
        "--url", help="PostgreSQL server (default: $CLUSTERFY_TEST_PG_URL, else a throwaway one)"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.worker is not None:
        asyncio.run(_worker(args.url, args.worker, args.users, args.per_user))
        return 0
    if args.processes < 1 or args.users < 1 or args.per_user < 1 or not 0 <= args.kill_at < 1:
        parser.error("--processes, --users, --per-user must be at least 1 and --kill-at in [0, 1)")
    url, started = (args.url, False) if args.url else _server_url()
    try:
        out = run_load(url, args.processes, args.users, args.per_user, args.kill_at)
    finally:
        if started:
            subprocess.run([str(SERVER_SCRIPT), "stop"], check=False)
    print(json.dumps(out, indent=2) if args.json else format_report(out, args.users, args.per_user))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
