"""Start-up with bad files and settings, as an operator meets it: ``python -m bot``.

Each scenario runs the real process (``--console``, or no flag for the no-token case)
in its own tmp folder with ``CLUSTERFY_CACHE_DIR`` there. Every bad start must end with
one clear ``error:`` line and a non-zero exit (the console fallback for no token),
never a traceback, and must leave every existing file byte-for-byte as it was.

All scenarios start at once (module fixture) so the suite pays for one interpreter
start-up rather than one per scenario.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.storage.artifact import checksum_path, copy_artifact, save_model

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "data" / "single_genre_artists_sample.csv"
#: Variables the bot reads; each scenario starts from none of them being set.
BOT_VARS = (
    "DISCORD_TOKEN",
    "CLUSTERFY_CATALOG",
    "CLUSTERFY_MODEL",
    "CLUSTERFY_DB",
    "CLUSTERFY_K",
    "CLUSTERFY_CACHE_DIR",
    "LOG_LEVEL",
    "COMMAND_PREFIX",
    "DEV_GUILD_ID",
    "XDG_CACHE_HOME",
    "SHARD_COUNT",
    "SHARD_IDS",
)


@dataclass
class Scenario:
    name: str
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ("--console",)
    stdin: str = ""
    expect_code: int | None = None  # None: any non-zero
    expect_words: tuple[str, ...] = ()  # words the error line must contain (case-insensitive)
    console_fallback: bool = False
    #: Run ``bot.__main__.main()`` in this process instead of a subprocess: the same code
    #: path (same env, cwd, stdin; an escaping exception counts as a traceback) without
    #: paying ~4 s of interpreter and scikit-learn start-up again. One scenario per way a
    #: start can end runs as a real process: config error (exit 2), catalog, artifact and
    #: database errors (exit 1), and the no-token console fallback (exit 0).
    in_process: bool = False


def _sha(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every existing file under ``folder``: content hash and mtime."""
    return {str(p.relative_to(folder)): _sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def _env(tmp: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BOT_VARS}
    env.update(
        PYTHONPATH=str(ROOT),
        CLUSTERFY_CACHE_DIR=str(tmp / "cache"),
        CLUSTERFY_DB=str(tmp / "history.sqlite3"),
    )
    env.update(extra)
    return env


# ------------------------------------------------------------------ scenario builders
def no_catalog(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "no catalog file",
        {"CLUSTERFY_CATALOG": str(tmp / "missing.csv")},
        expect_code=1,
        expect_words=("catalog", "not found", "clusterfy_catalog"),
    )


def catalog_is_a_folder(tmp: Path, model: Path) -> Scenario:
    (tmp / "songs.csv").mkdir()
    return Scenario(
        "catalog path is a folder",
        {"CLUSTERFY_CATALOG": str(tmp / "songs.csv")},
        expect_code=1,
        expect_words=("folder",),
        in_process=True,
    )


def csv_missing_columns(tmp: Path, model: Path) -> Scenario:
    path = tmp / "songs.csv"
    path.write_text("name,artists,energy\nLa Java,Mistinguett,0.2\n", encoding="utf-8")
    return Scenario(
        "CSV missing columns",
        {"CLUSTERFY_CATALOG": str(path)},
        expect_code=1,
        expect_words=("missing required column",),
        in_process=True,
    )


def empty_csv(tmp: Path, model: Path) -> Scenario:
    path = tmp / "songs.csv"
    path.write_bytes(b"")
    return Scenario(
        "empty CSV", {"CLUSTERFY_CATALOG": str(path)}, expect_code=1, expect_words=("empty",), in_process=True
    )


def header_only_csv(tmp: Path, model: Path) -> Scenario:
    path = tmp / "songs.csv"
    path.write_text(CATALOG.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return Scenario(
        "CSV with a header and no songs",
        {"CLUSTERFY_CATALOG": str(path)},
        expect_code=1,
        expect_words=("no songs",),
        in_process=True,
    )


def binary_csv(tmp: Path, model: Path) -> Scenario:
    path = tmp / "songs.csv"
    path.write_bytes(bytes(range(256)) * 64)
    return Scenario(
        "binary file as the catalog",
        {"CLUSTERFY_CATALOG": str(path)},
        expect_code=1,
        expect_words=("catalog",),
        in_process=True,
    )


def _copy_model(model: Path, target: Path) -> Path:
    return copy_artifact(model, target)


def tampered_model(tmp: Path, model: Path) -> Scenario:
    path = _copy_model(model, tmp / "model.joblib")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return Scenario(
        "tampered model artifact",
        {"CLUSTERFY_MODEL": str(path)},
        expect_code=1,
        expect_words=("sha-256", "rebuild"),
    )


def corrupt_model_forged_record(tmp: Path, model: Path) -> Scenario:
    path = tmp / "model.joblib"
    path.write_bytes(b"not a pickle at all" * 100)
    record = json.loads(checksum_path(model).read_text())
    record["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    checksum_path(path).write_text(json.dumps(record))
    return Scenario(
        "corrupt model with a matching record",
        {"CLUSTERFY_MODEL": str(path)},
        expect_code=1,
        # a serving start never unpickles (engine.served): it refuses the forged record
        # because the arrays it names are not there, and says to rebuild
        expect_words=("refusing to load", "rebuild"),
        in_process=True,
    )


def model_without_record(tmp: Path, model: Path) -> Scenario:
    path = tmp / "model.joblib"
    path.write_bytes(model.read_bytes())
    return Scenario(
        "model without its checksum record",
        {"CLUSTERFY_MODEL": str(path)},
        expect_code=1,
        expect_words=("checksum",),
        in_process=True,
    )


def older_format_model(tmp: Path, model: Path) -> Scenario:
    path = _copy_model(model, tmp / "model.joblib")
    record = json.loads(checksum_path(path).read_text())
    record["format_version"] = 0
    checksum_path(path).write_text(json.dumps(record))
    return Scenario(
        "model artifact from an older format",
        {"CLUSTERFY_MODEL": str(path)},
        expect_code=1,
        expect_words=("format", "rebuild"),
        in_process=True,
    )


def tampered_cached_model(tmp: Path, model: Path) -> Scenario:
    """The cache, not an explicit path: a bad cached file is refused, not rebuilt over."""
    from engine.paths import catalog_fingerprint
    from engine.storage.format import FORMAT_VERSION

    cache = tmp / "cache"
    cache.mkdir()
    path = _copy_model(model, cache / f"model-{catalog_fingerprint(CATALOG)}-k4-v{FORMAT_VERSION}.joblib")
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00" * 16)
    # The cache key of the study sample alone (the default catalog is the bundled union).
    return Scenario(
        "tampered cached model",
        {"CLUSTERFY_CATALOG": str(CATALOG)},
        expect_code=1,
        expect_words=("sha-256",),
        in_process=True,
    )


def db_parent_is_a_file(tmp: Path, model: Path) -> Scenario:
    (tmp / "not-a-dir").write_text("I am a file\n")
    return Scenario(
        "unwritable database path (parent is a file)",
        {
            "CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib")),
            "CLUSTERFY_DB": str(tmp / "not-a-dir" / "history.sqlite3"),
        },
        expect_code=1,
        expect_words=("clusterfy_db",),
        in_process=True,
    )


def db_is_a_folder(tmp: Path, model: Path) -> Scenario:
    (tmp / "history.sqlite3").mkdir()
    (tmp / "history.sqlite3" / "keep.txt").write_text("keep me\n")
    return Scenario(
        "database path is a folder",
        {"CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib"))},
        expect_code=1,
        expect_words=("directory", "clusterfy_db"),
        in_process=True,
    )


def db_read_only_folder(tmp: Path, model: Path) -> Scenario:
    folder = tmp / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    return Scenario(
        "database in a read-only folder",
        {
            "CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib")),
            "CLUSTERFY_DB": str(folder / "history.sqlite3"),
        },
        expect_code=1,
        expect_words=("writable",),
        in_process=True,
    )


def db_future_schema(tmp: Path, model: Path) -> Scenario:
    path = tmp / "history.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (user_id INTEGER PRIMARY KEY)")
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    return Scenario(
        "database from a future schema version",
        {"CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib"))},
        expect_code=1,
        expect_words=("newer", "v99"),
    )


def db_not_sqlite(tmp: Path, model: Path) -> Scenario:
    (tmp / "history.sqlite3").write_text("these are my notes, not a database\n")
    return Scenario(
        "database file that is not SQLite",
        {"CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib"))},
        expect_code=1,
        expect_words=("not a sqlite",),
        in_process=True,
    )


def no_token(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "no token (no --console): console fallback",
        {"CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib"))},
        args=(),
        stdin="!help\n",
        console_fallback=True,
    )


def malformed_dotenv(tmp: Path, model: Path) -> Scenario:
    (tmp / ".env").write_text("# settings\nCLUSTERFY_K=4\nthis line is not a setting\n")
    return Scenario("malformed .env", {}, expect_code=2, expect_words=(".env", "line 3"))


def dotenv_not_utf8(tmp: Path, model: Path) -> Scenario:
    (tmp / ".env").write_bytes(b"DISCORD_TOKEN=\xff\xfe\xfa\n")
    return Scenario(".env that is not UTF-8", {}, expect_code=2, expect_words=(".env",), in_process=True)


def bad_k(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "CLUSTERFY_K out of range",
        {"CLUSTERFY_K": "1"},
        expect_code=2,
        expect_words=("clusterfy_k",),
        in_process=True,
    )


def bad_log_level(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "unknown LOG_LEVEL",
        {"LOG_LEVEL": "CHATTY"},
        expect_code=2,
        expect_words=("log_level",),
        in_process=True,
    )


def bad_token(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "malformed token",
        {"DISCORD_TOKEN": "not a token"},
        args=(),
        expect_code=2,
        expect_words=("discord_token",),
        in_process=True,
    )


def postgres_unreachable(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "PostgreSQL server not reachable",
        {
            "CLUSTERFY_MODEL": str(_copy_model(model, tmp / "model.joblib")),
            "CLUSTERFY_DB": f"postgresql://bot:pw-not-shown@/clusterfy?host={tmp}/no-server",
        },
        expect_code=1,
        expect_words=("cannot connect", "bot:***@", "server is running"),
        in_process=True,
    )


def db_url_unknown_scheme(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "CLUSTERFY_DB URL that is not PostgreSQL",
        {"CLUSTERFY_DB": "mysql://bot:pw@db/clusterfy"},
        expect_code=2,
        expect_words=("clusterfy_db", "postgresql://"),
        in_process=True,
    )


def bad_shard_ids(tmp: Path, model: Path) -> Scenario:
    return Scenario(
        "SHARD_IDS beyond SHARD_COUNT",
        {"SHARD_COUNT": "2", "SHARD_IDS": "0,2"},
        expect_code=2,
        expect_words=("shard_ids", "0 to 1"),
        in_process=True,
    )


SCENARIOS: tuple[Callable[[Path, Path], Scenario], ...] = (
    no_catalog,
    catalog_is_a_folder,
    csv_missing_columns,
    empty_csv,
    header_only_csv,
    binary_csv,
    tampered_model,
    corrupt_model_forged_record,
    model_without_record,
    older_format_model,
    tampered_cached_model,
    db_parent_is_a_file,
    db_is_a_folder,
    db_future_schema,
    db_not_sqlite,
    no_token,
    malformed_dotenv,
    dotenv_not_utf8,
    bad_k,
    bad_log_level,
    bad_token,
    postgres_unreachable,
    db_url_unknown_scheme,
    bad_shard_ids,
    # Root writes into read-only folders, so this one only means something for other users.
    *((db_read_only_folder,) if os.geteuid() != 0 else ()),
)


@dataclass
class Outcome:
    scenario: Scenario
    tmp: Path
    before: dict[str, tuple[str, int]]
    after: dict[str, tuple[str, int]]
    code: int
    stdout: str
    stderr: str
    seconds: float = 0.0


@pytest.fixture(scope="module")
def artifact(model, tmp_path_factory) -> Path:
    """A valid saved model, copied into scenarios that need start-up to get past the engine."""
    return save_model(model, tmp_path_factory.mktemp("artifact") / "model.joblib")


@pytest.fixture(scope="module")
def outcomes(artifact: Path, tmp_path_factory) -> dict[str, Outcome]:
    prepared = []
    for build in SCENARIOS:
        tmp = tmp_path_factory.mktemp(build.__name__)
        scenario = build(tmp, artifact)
        prepared.append((scenario, tmp, snapshot(tmp)))

    def run(item: tuple[Scenario, Path, dict[str, tuple[str, int]]]) -> Outcome:
        scenario, tmp, before = item
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *scenario.args],
            cwd=tmp,
            env=_env(tmp, scenario.env),
            input=scenario.stdin,
            text=True,
            capture_output=True,
            timeout=180,
        )
        after = snapshot(tmp)
        return Outcome(
            scenario,
            tmp,
            before,
            after,
            proc.returncode,
            proc.stdout,
            proc.stderr,
            time.perf_counter() - started,
        )

    results: dict[str, Outcome] = {}
    try:
        spawned = [(build, item) for build, item in zip(SCENARIOS, prepared) if not item[0].in_process]
        with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
            futures = {build.__name__: pool.submit(run, item) for build, item in spawned}
            for build, item in zip(SCENARIOS, prepared):
                if item[0].in_process:
                    results[build.__name__] = run_in_process(*item)
            results.update({name: f.result() for name, f in futures.items()})
    finally:
        for _, tmp, _ in prepared:
            if (tmp / "ro").exists():
                (tmp / "ro").chmod(0o755)
    return results


def run_in_process(scenario: Scenario, tmp: Path, before: dict[str, tuple[str, int]]) -> Outcome:
    """``python -m bot`` without a new interpreter: same env, cwd, stdin; output captured.

    A traceback here is an exception escaping main(), reported as its formatted text.
    """
    import contextlib
    import io
    import logging
    import traceback

    from bot.__main__ import main

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    started = time.perf_counter()
    try:
        os.environ.clear()
        os.environ.update(_env(tmp, scenario.env))
        os.chdir(tmp)
        sys.stdin = io.StringIO(scenario.stdin)
        root.handlers = [logging.StreamHandler(err)]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(scenario.args))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:  # noqa: BLE001 - what a user would see as a traceback
                err.write(traceback.format_exc())
                code = 1
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        root.handlers = saved_handlers
        root.setLevel(saved_level)
    return Outcome(
        scenario,
        tmp,
        before,
        snapshot(tmp),
        code,
        out.getvalue(),
        err.getvalue(),
        time.perf_counter() - started,
    )


@pytest.mark.slow
@pytest.mark.parametrize("builder", SCENARIOS, ids=[b.__name__ for b in SCENARIOS])
def test_bad_start_is_one_clear_line(builder, outcomes: dict[str, Outcome], request) -> None:
    o = outcomes[builder.__name__]
    s = o.scenario
    everything = o.stdout + o.stderr
    assert "Traceback" not in everything, everything[-3000:]
    if s.console_fallback:
        assert o.code == 0, o.stderr
        assert "No DISCORD_TOKEN configured" in o.stderr and "console" in o.stderr
        assert "Clusterfy" in o.stdout  # the console answered !help
        assert "error:" not in o.stderr
    else:
        errors = [line for line in o.stderr.splitlines() if line.startswith("error:")]
        assert o.code != 0 and (s.expect_code is None or o.code == s.expect_code), (o.code, o.stderr)
        assert len(errors) == 1, o.stderr
        line = errors[0]
        assert len(line) < 600, line
        for word in s.expect_words:
            assert word.lower() in line.lower(), (word, line)
        # Nothing but the error line and start-up progress (never a log record or a trace).
        others = [ln for ln in o.stderr.splitlines() if ln.strip() and not ln.startswith("error:")]
        assert not [ln for ln in others if " ERROR " in ln or " CRITICAL " in ln], others
        assert o.stdout == "", o.stdout
    changed = {name for name, sig in o.before.items() if o.after.get(name) != sig}
    assert not changed, f"existing files changed: {sorted(changed)}"


def test_every_scenario_ran(outcomes: dict[str, Outcome], figures) -> None:
    handled = [
        o
        for o in outcomes.values()
        if "Traceback" not in o.stdout + o.stderr
        and (
            (o.scenario.console_fallback and o.code == 0)
            or (
                not o.scenario.console_fallback
                and o.code != 0
                and sum(ln.startswith("error:") for ln in o.stderr.splitlines()) == 1
            )
        )
    ]
    line = (
        f"bad startups handled: {len(handled)}/{len(outcomes)} "
        f"({', '.join(f'{o.scenario.name} {o.seconds:.1f}s' for o in outcomes.values())})"
    )
    figures(line)
    assert len(outcomes) == len(SCENARIOS)
