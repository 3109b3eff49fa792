"""Load benchmark: many users at once through the bot's command path, in one event loop.

Each simulated user is a different :class:`bot.conversation.Requester` sending a
seeded mix of commands (recommend, vibe, cluster, more, like, history, moods, help)
exactly as the cogs run them: ``Conversation.admit`` then the command coroutine. The
history is a real SQLite file (WAL). While the load runs, a ticker task sleeping 1 ms
at a time records the longest event-loop stall, which shows whether any command blocks
the loop instead of doing its heavy work in a worker thread.

Printed: requests answered, reply latency p50/p99, history writes per second (write
transactions and rows), the max loop stall, and the per-user cooldown check (a user
hammering 100 commands against the default rate limiter). ``--hostile`` also runs the
hostile-input corpus through the console path and prints that figure.

    python -m benchmarks.bench_load [--users 100] [--per-user 20] [--hostile] [--json]

tests/test_load.py runs the same code and asserts correctness only (never timings).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import json
import logging
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python benchmarks/bench_load.py
    sys.path.insert(0, str(ROOT))

from bot.conversation import Conversation, Requester
from bot.history import HistoryStore
from bot.ratelimit import RateLimiter
from bot.store import Store


#: A rate limiter that never refuses: the correctness run must see every request served.
def generous_limiter() -> RateLimiter:
    return RateLimiter(rate=1_000_000, per=1.0)


# Command mix: (weight, kind). Rows are only written by recommend/vibe/cluster/more/like.
MIX = (
    (30, "recommend"),
    (20, "vibe"),
    (10, "cluster"),
    (15, "more"),
    (8, "like"),
    (7, "history"),
    (5, "moods"),
    (5, "help"),
    (4, "foryou"),
    (3, "playlist"),
)
#: Distinct songs users ask ``cluster`` about (each one's chart is drawn once, then cached).
CLUSTER_TITLES = 8


@dataclass
class LoadResult:
    users: int
    per_user: int
    requests: int = 0
    answered: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    elapsed_s: float = 0.0
    write_transactions: int = 0
    rows_written: int = 0
    max_stall_ms: float = 0.0
    max_gc_pause_ms: float = 0.0
    expected: dict[int, dict[str, int]] = field(default_factory=dict, repr=False)
    recorded: dict[int, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict, repr=False)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 99)

    @property
    def writes_per_s(self) -> float:
        return self.write_transactions / self.elapsed_s if self.elapsed_s else 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows_written / self.elapsed_s if self.elapsed_s else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "users": self.users,
            "commands_per_user": self.per_user,
            "requests": self.requests,
            "answered": self.answered,
            "refused": self.refused,
            "errors": len(self.errors),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "elapsed_s": round(self.elapsed_s, 3),
            "write_transactions": self.write_transactions,
            "rows_written": self.rows_written,
            "writes_per_s": round(self.writes_per_s, 1),
            "rows_per_s": round(self.rows_per_s, 1),
            "max_loop_stall_ms": round(self.max_stall_ms, 2),
            "max_gc_pause_ms": round(self.max_gc_pause_ms, 2),
        }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class StallMeter:
    """A task that sleeps 1 ms at a time; any longer gap is time the loop was blocked."""

    def __init__(self, tick: float = 0.001) -> None:
        self.tick = tick
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(self.tick)
            self.max_stall = max(self.max_stall, time.perf_counter() - t0 - self.tick)

    def __enter__(self) -> StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


class GcPauses:
    """The longest garbage-collection pause while active (it stops every thread)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._start = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.longest = max(self.longest, time.perf_counter() - self._start)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def count_writes(store: Store, result: LoadResult) -> None:
    """Count write transactions and rows by wrapping the store's write methods."""
    record_request, record_shown, record_feedback = (
        store.record_request,
        store.record_shown,
        store.record_feedback,
    )

    async def request(*args: Any, **kwargs: Any) -> int:
        rid = await record_request(*args, **kwargs)
        result.write_transactions += 1
        result.rows_written += 1
        return rid

    async def shown(request_id: int, user_id: int, song_ids: Any) -> None:
        await record_shown(request_id, user_id, song_ids)
        if song_ids:
            result.write_transactions += 1
            result.rows_written += len(song_ids)

    async def feedback(*args: Any, **kwargs: Any) -> None:
        await record_feedback(*args, **kwargs)
        result.write_transactions += 1
        result.rows_written += 1

    # wrapping the bound methods of this one instance is the point (mypy forbids it in general)
    store.record_request = request  # type: ignore[method-assign]
    store.record_shown = shown  # type: ignore[method-assign]
    store.record_feedback = feedback  # type: ignore[method-assign]


def seed_titles(engine: Any, n: int = 40, rng: random.Random | None = None) -> list[str]:
    """Titles that name exactly one song, so a recommend/cluster on them succeeds."""
    rng = rng or random.Random(0)
    names = list(dict.fromkeys(str(x) for x in engine.model.songs_["name"].tolist()))
    rng.shuffle(names)
    out: list[str] = []
    for name in names:
        if len(out) >= n:
            break
        if engine.search(name, limit=5).status == "exact":
            try:
                engine.find_song(name)
            except Exception:  # noqa: BLE001 - ambiguous or odd: just skip it
                continue
            out.append(name)
    return out


def user_script(
    conversation: Conversation,
    who: Requester,
    per_user: int,
    titles: list[str],
    moods: list[str],
    rng: random.Random,
) -> list[tuple[str, Callable[[], Awaitable[Any]]]]:
    """The seeded commands one user sends, as (command, coroutine factory)."""
    kinds = [k for w, k in MIX for _ in range(w)]
    script: list[tuple[str, Callable[[], Awaitable[Any]]]] = []
    for _ in range(per_user):
        kind = rng.choice(kinds)
        if kind == "recommend":
            title, n = rng.choice(titles), rng.randint(1, 5)
            script.append((kind, functools.partial(conversation.recommend, who, title, n)))
        elif kind == "vibe":
            mood, n = rng.choice(moods), rng.randint(1, 5)
            script.append((kind, functools.partial(conversation.vibe, who, mood, n)))
        elif kind == "cluster":
            title = rng.choice(titles[:CLUSTER_TITLES])  # charts are cached per song
            script.append((kind, functools.partial(conversation.cluster, who, title)))
        elif kind == "more":
            script.append((kind, lambda: conversation.more(who)))
        elif kind == "like":
            pick, value = rng.randint(1, 3), rng.choice((1, -1))
            script.append((kind, functools.partial(conversation.rate, who, pick, value)))
        elif kind == "history":
            script.append((kind, lambda: conversation.history(who)))
        elif kind == "foryou":
            n = rng.randint(1, 5)
            script.append((kind, functools.partial(conversation.foryou, who, n)))
        elif kind == "playlist":
            source, n = rng.choice([rng.choice(titles), rng.choice(moods), "foryou"]), rng.randint(5, 15)
            script.append((kind, functools.partial(conversation.playlist, who, source, n)))
        elif kind == "moods":
            script.append((kind, lambda: conversation.moods(who)))
        else:

            async def help_() -> Any:
                return conversation.help()

            script.append((kind, help_))
    return script


async def simulate(
    engine: Any,
    store: Store,
    *,
    users: int = 100,
    per_user: int = 20,
    limiter: RateLimiter | None = None,
    seed: int = 0,
    user_base: int = 500_000_000_000_000_000,
    warm: bool = True,
) -> LoadResult:
    """Run the load; every user is a task, all at once, in the running loop."""
    from tests.hostile_inputs import expected_after  # the one statement of the row rule

    conversation = Conversation(engine, store, limiter=limiter or generous_limiter())
    result = LoadResult(users=users, per_user=per_user)
    count_writes(store, result)
    titles = await asyncio.to_thread(seed_titles, engine)
    moods = [m.key for m in engine.moods]
    if warm:
        # A serving bot has drawn its charts long ago (they are cached per song): draw
        # them first, so the figures measure serving rather than a cold matplotlib.
        warm_user = Requester(id=user_base - 1, name="warm-up")
        for title in titles[:CLUSTER_TITLES]:
            await conversation.cluster(warm_user, title)
        await conversation.moods(warm_user)

    async def user(n: int) -> None:
        who = Requester(id=user_base + n, name=f"user{n}", guild_id=1, channel_id=2)
        rng = random.Random(seed * 1_000_003 + n)
        want = await store.row_counts(who.id)
        recorded: list[tuple[str, tuple[str, ...]]] = []
        for kind, make in user_script(conversation, who, per_user, titles, moods, rng):
            result.requests += 1
            t0 = time.perf_counter()
            verdict = conversation.admit(who)
            if not verdict.allowed:
                result.refused += 1
                continue
            rated = await store.feedback(who.id) if kind == "like" else {}
            try:
                reply = await make()
            except Exception as exc:  # noqa: BLE001 - counted, the test asserts none
                result.errors.append(f"user {n} {kind}: {type(exc).__name__}: {exc}")
                continue
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
            if reply is None:
                result.errors.append(f"user {n} {kind}: no reply")
                continue
            result.answered += 1
            if kind == "like":
                new = set(await store.feedback(who.id)) - set(rated)
                want = expected_after(kind, reply, want, had_rating=not new)
                continue
            before = want
            want = expected_after(kind, reply, want, had_rating=True)
            if want["requests"] > before["requests"]:
                command = kind if kind != "more" else "more"
                recorded.append((command, tuple(p.song_id for p in reply.picks)))
        result.expected[who.id] = want
        result.recorded[who.id] = recorded

    # Long-lived start-up objects (the catalog, indexes, a test session's fixtures) need
    # not be re-scanned by every full garbage collection: on a slow machine one such
    # pass over them stops every thread, the loop included, for a few hundred ms.
    # Long-running servers freeze them after start-up; so do we, for the run only.
    if warm:
        gc.collect()
        gc.freeze()
    pauses = GcPauses()
    t0 = time.perf_counter()
    try:
        with StallMeter() as meter, pauses:
            await asyncio.gather(*(user(n) for n in range(users)))
    finally:
        if warm:
            gc.unfreeze()
    result.elapsed_s = time.perf_counter() - t0
    result.max_stall_ms = meter.max_stall * 1000
    result.max_gc_pause_ms = pauses.longest * 1000
    return result


async def verify_rows(store: Store, result: LoadResult) -> list[str]:
    """Every user's rows are exactly what their replies added, in order, song by song."""
    problems: list[str] = []
    for user_id, want in result.expected.items():
        got = await store.row_counts(user_id)
        if got != want:
            problems.append(f"user {user_id}: rows {got}, expected {want}")
            continue
        entries = list(reversed(await store.recent(user_id, 10_000)))
        shown = [e.shown for e in entries]
        expected_shown = [ids for _, ids in result.recorded[user_id]]
        if shown != expected_shown:
            problems.append(f"user {user_id}: shown songs differ from what the replies listed")
    return problems


async def hammer(
    engine: Any,
    store: HistoryStore,
    *,
    commands: int = 100,
    limiter: RateLimiter | None = None,
    spread_s: float = 60.0,
    user_id: int = 42,
) -> tuple[int, int, int]:
    """One user sending ``commands`` commands over ``spread_s`` seconds of (fake) time.

    Counts what the bot would post, exactly as bot.cogs.run_command decides: an answer
    when admitted, one "slow down" notice when refused with ``notify``, else silence.
    Returns (messages posted, answers, notices).
    """
    clock = [0.0]
    limiter = limiter or RateLimiter(clock=lambda: clock[0])
    conversation = Conversation(engine, store, limiter=limiter)
    who = Requester(id=user_id, name="hammer")
    answers = notices = 0
    for i in range(commands):
        clock[0] = spread_s * i / commands
        verdict = conversation.admit(who)
        if verdict.allowed:
            conversation.help()
            answers += 1
        elif verdict.notify:
            conversation.slow_down(verdict)
            notices += 1
    return answers + notices, answers, notices


async def cooldown_under_load(
    engine: Any, store: HistoryStore, *, users: int = 100, per_user: int = 20
) -> tuple[int, int, int]:
    """All users at once against the default limiter: (max messages for one user, bound, refused)."""
    limiter = RateLimiter()
    conversation = Conversation(engine, store, limiter=limiter)
    posted: dict[int, int] = {}
    refused = 0

    async def user(n: int) -> None:
        nonlocal refused
        who = Requester(id=900_000 + n)
        for _ in range(per_user):
            verdict = conversation.admit(who)
            if verdict.allowed:
                await asyncio.sleep(0)
                conversation.help()
                posted[who.id] = posted.get(who.id, 0) + 1
            else:
                refused += 1
                if verdict.notify:
                    posted[who.id] = posted.get(who.id, 0) + 1

    await asyncio.gather(*(user(n) for n in range(users)))
    return max(posted.values()), limiter.max_messages_per_minute(), refused


def load_engine() -> Any:
    from engine.catalog import load_catalog
    from engine.model import MoodModel
    from engine.paths import STUDY_SAMPLE_FILE
    from engine.service import Engine

    songs, _ = load_catalog(STUDY_SAMPLE_FILE)
    return Engine(MoodModel(4).fit(songs))


async def run_all(users: int, per_user: int, hostile: bool) -> dict[str, Any]:
    engine = await asyncio.to_thread(load_engine)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = await HistoryStore.open(Path(tmp) / "history.sqlite3")
        try:
            result = await simulate(engine, store, users=users, per_user=per_user)
            problems = await verify_rows(store, result)
            out["load"] = result.summary() | {"row_problems": len(problems)}
            posted, answers, notices = await hammer(engine, store)
            bound = RateLimiter().max_messages_per_minute()
            out["cooldown"] = {
                "hammer_commands": 100,
                "messages_posted": posted,
                "answers": answers,
                "notices": notices,
                "bound_per_minute": bound,
            }
            worst, bound, refused = await cooldown_under_load(engine, store, users=users, per_user=per_user)
            out["cooldown_under_load"] = {
                "max_messages_one_user": worst,
                "bound_per_minute": bound,
                "refused": refused,
            }
            if hostile:
                from tests.hostile_inputs import HOSTILE_INPUTS, run_console_corpus

                conversation = Conversation(engine, store, limiter=generous_limiter())
                tried, failures = await run_console_corpus(conversation, store)
                out["hostile_console"] = {
                    "inputs": len(HOSTILE_INPUTS),
                    "tries": tried,
                    "failures": len(failures),
                }
        finally:
            await store.close()
    return out


def format_report(out: dict[str, Any]) -> str:
    load = out["load"]
    lines = [
        f"load: {load['users']} users × {load['commands_per_user']} commands = {load['requests']} "
        f"requests, {load['answered']} answered, {load['errors']} errors, "
        f"{load['row_problems']} history mismatches",
        f"reply latency: p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms "
        f"(wall {load['elapsed_s']:.2f} s)",
        f"history writes: {load['writes_per_s']:.0f} transactions/s, {load['rows_per_s']:.0f} rows/s "
        f"({load['write_transactions']} transactions, {load['rows_written']} rows)",
        f"max event-loop stall: {load['max_loop_stall_ms']:.1f} ms "
        f"(longest garbage-collection pause {load['max_gc_pause_ms']:.1f} ms)",
    ]
    c = out["cooldown"]
    lines.append(
        f"cooldown: one user hammering {c['hammer_commands']} commands over a minute got "
        f"{c['messages_posted']} messages ({c['answers']} answers + {c['notices']} notices); "
        f"bound {c['bound_per_minute']}/min"
    )
    u = out["cooldown_under_load"]
    lines.append(
        f"cooldown under load: at most {u['max_messages_one_user']} messages for any user "
        f"(bound {u['bound_per_minute']}/min), {u['refused']} requests refused"
    )
    if "hostile_console" in out:
        h = out["hostile_console"]
        lines.append(
            f"hostile inputs (console path): {h['inputs']} inputs, {h['tries']} tries, "
            f"{h['failures']} failures"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument(
        "--hostile", action="store_true", help="also run the hostile-input corpus through the console path"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.users < 1 or args.per_user < 1:
        parser.error("--users and --per-user must be at least 1")
    logging.basicConfig(level=logging.WARNING)
    out = asyncio.run(run_all(args.users, args.per_user, args.hostile))
    print(json.dumps(out, indent=2) if args.json else format_report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
