"""Shared fixtures: one real model on the study sample per test session (~2 s to fit), the
engine over it, one model of the default catalog (about 70,000 songs, ~30 s to build, saved
once and loaded by every test and process that needs it), a history store and a
dpytest-driven bot; and the fast tier's list of slow tests (``pytest -m "not slow"`` skips
them, CI runs everything).

The store and the bot run once per history backend: SQLite (in memory) and PostgreSQL
(a fresh schema per test on the server named by CLUSTERFY_TEST_PG_URL; start one with
``scripts/pg_test_server.sh start``). Without that variable the PostgreSQL runs are
skipped locally, but in CI (CI=true) they fail, so a missing server cannot pass silently.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from engine.catalog import load_catalog
from engine.model import MoodModel
from engine.paths import DEFAULT_CATALOG, STUDY_SAMPLE_FILE
from engine.storage.model_cache import obtain_model

#: Modules whose tests drive subprocesses (CLI, console, bot start-up, crash recovery),
#: whole-corpus or load runs: each test costs seconds, so the fast tier leaves them out.
SLOW_MODULES = frozenset(
    {
        "test_benchmarks_smoke.py",
        "test_cli.py",
        "test_cli_batch.py",
        "test_console.py",
        "test_crash.py",
        "test_dialogue.py",  # conversations on the default catalog
        "test_language.py",  # the development examples name songs of the default catalog
        "test_hostile.py",
        "test_load.py",
        "test_readme.py",
        "test_startup.py",
    }
)
#: Single tests that fit extra models on the full catalog or start a process; and every test
#: that needs the default catalog's model (70,000 songs: ~15 s to build, once per session).
SLOW_TESTS = frozenset(
    {
        "test_catalog_union.py::test_the_default_union_answers_songs_people_know",
        "test_catalog_union.py::test_the_union_report_says_per_file_what_was_read_kept_and_dropped",
        "test_catalog_layouts.py::test_popularity_is_estimated_where_a_file_says_it_otherwise",
        "test_resolution_forms.py::test_songs_people_name_are_taken_on_the_default_catalog",
        "test_resolution_forms.py::test_a_real_tie_on_the_default_catalog_asks",
        "test_resolution_forms.py::test_famous_titles_held_out_take_or_offer_the_song_people_mean",
        "test_artifact.py::test_cache_is_keyed_by_catalog_content_and_k",
        "test_artifact.py::test_obtain_model_builds_once_then_loads_the_cache",
        "test_artifact.py::test_processes_sharing_a_cache_build_the_model_once",
        "test_catalog_union.py::test_evaluate_compares_the_union_with_each_file_at_k4",
        "test_charts.py::test_module_selects_agg_backend",
        "test_charts.py::test_write_report",
        "test_charts.py::test_write_report_without_evaluation_skips_k_chart",
        "test_commands.py::test_python_m_engine_and_the_front_end_are_the_same_program",
        "test_cpu_independence.py::test_ties_left_in_another_order_deal_the_same_on_the_default_catalog",
        "test_commands.py::test_the_engine_never_imports_the_command_line",
        "test_dashboard.py::test_the_bot_and_the_engine_never_import_the_dashboard",
        "test_dashboard.py::test_the_launcher_serves_on_localhost_and_prints_the_address",
        "test_listeners_bot.py::test_console_foryou_playlist_and_names",
        "test_model.py::test_fitting_is_deterministic",
        "test_model.py::test_genres_never_enter_the_model",
        "test_model.py::test_labels_unique_and_sensible_for_k",
        "test_model.py::test_naming_is_driven_by_centroids_not_cluster_numbers",
        "test_model.py::test_progress_messages_reach_the_caller",
        "test_security.py::test_a_swapped_cached_model_is_refused_not_run",
        "test_security.py::test_console_process_with_debug_logs_never_prints_the_token",
        "test_playlists_bench.py::test_the_real_split_and_the_shipped_signal",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tier: the lists above, and every Hypothesis property test (hundreds
    of examples each). A listed name that no longer exists is an error, not a silent
    promotion of a slow test into the fast tier."""
    modules: dict[str, object] = {}
    for item in items:
        module = item.path.name
        name = f"{module}::{getattr(item, 'originalname', item.name)}"
        modules.setdefault(module, getattr(item, "module", None))
        if (
            module in SLOW_MODULES
            or name in SLOW_TESTS
            or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
        ):
            item.add_marker(pytest.mark.slow)
    stale = sorted(
        n
        for n in SLOW_TESTS
        if (mod := modules.get(n.split("::")[0])) is not None and not hasattr(mod, n.split("::")[1])
    )
    if stale:
        raise pytest.UsageError(f"tests/conftest.py SLOW_TESTS names tests that do not exist: {stale}")


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """kwargs of every Messageable.send (prefix and plain-language replies go through it)."""
    import discord  # only the bot tests ask for it

    calls: list[dict[str, Any]] = []
    original = discord.abc.Messageable.send

    async def spy(self, content=None, **kwargs):
        calls.append({"content": content, **kwargs})
        return await original(self, content, **kwargs)

    monkeypatch.setattr(discord.abc.Messageable, "send", spy)
    return calls


@pytest.fixture(scope="session")
def songs() -> pd.DataFrame:
    """The study sample, loaded and cleaned (3,096 songs); treat as read-only."""
    table, _ = load_catalog(STUDY_SAMPLE_FILE)
    return table


@pytest.fixture(scope="session")
def model(songs: pd.DataFrame) -> MoodModel:
    """MoodModel(k=4) fitted on the study sample; treat as read-only."""
    return MoodModel(4).fit(songs, progress=lambda _msg: None)


@pytest.fixture(scope="session")
def default_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default catalog's model (the union of the six bundled files, k=4), built and saved
    once per session: tests that need the catalog users get share it, processes load the file."""
    path = tmp_path_factory.mktemp("default-model") / "default.joblib"
    obtain_model(DEFAULT_CATALOG, model_path=path, progress=lambda _msg: None)
    return path


@pytest.fixture(scope="session")
def default_model_env(default_model_path: Path) -> dict[str, str]:
    """Environment for a process on the default catalog: it loads the session's model
    (``CLUSTERFY_MODEL``: loaded, never overwritten) instead of fitting 70,000 songs again."""
    return {"CLUSTERFY_MODEL": str(default_model_path)}


@pytest.fixture(scope="session")
def default_engine(default_model_path: Path):
    """An Engine over :func:`default_model_path`; treat as read-only."""
    from engine.service import Engine

    return Engine.load(model_path=default_model_path, progress=lambda _msg: None)


@pytest.fixture
def figures(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Report a measured figure: printed whatever the capture mode, and appended to
    ``figures.txt`` in the session's temporary folder, so CI logs show the numbers."""
    base = Path(request.config._tmp_path_factory.getbasetemp())  # type: ignore[attr-defined]

    def report(text: str) -> None:
        with open(base / "figures.txt", "a", encoding="utf-8") as fh:
            fh.write(text + "\n")
        with capsys.disabled():
            print(f"\n{text}")

    return report


@pytest.fixture(scope="session")
def engine(model: MoodModel):
    """The service facade over :func:`model`; treat as read-only."""
    from engine.service import Engine  # imported here so other tests don't depend on it

    return Engine(model)


PG_URL_ENV = "CLUSTERFY_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


def _run_apart(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine on its own loop in a thread: usable from sync fixtures even while a test's
    event loop is running in this thread."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


async def _pg_execute(url: str, sql: str) -> None:
    import asyncpg

    con = await asyncpg.connect(url, timeout=10)
    try:
        await con.execute(sql)
    finally:
        await con.close()


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` (asyncpg passes unknown URL parameters as settings)."""
    return f"{url}{'&' if '?' in url else '?'}search_path={schema}"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The test PostgreSQL server's URL; skip without one locally, FAIL without one in CI."""
    url = os.environ.get(PG_URL_ENV, "").strip()
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not url:
        message = (
            f"{PG_URL_ENV} is not set; start a server with: "
            f"export {PG_URL_ENV}=$(scripts/pg_test_server.sh start)"
        )
        if in_ci:
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
    try:
        _run_apart(_pg_execute(url, "SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to reach it is the same verdict
        message = f"the PostgreSQL server in {PG_URL_ENV} is not reachable ({type(exc).__name__}: {exc})"
        if in_ci:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture
def pg_url(pg_server_url: str) -> Any:
    """A URL into a fresh, empty schema of the test server, dropped after the test."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    _run_apart(_pg_execute(pg_server_url, f"CREATE SCHEMA {schema}"))
    yield with_search_path(pg_server_url, schema)
    _run_apart(_pg_execute(pg_server_url, f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=BACKENDS)
def history_target(request: pytest.FixtureRequest) -> str:
    """Where a test's history lives: SQLite in memory, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return ":memory:"
    return request.getfixturevalue("pg_url")


@pytest.fixture
async def store(history_target: str):
    """An empty history store, once per backend."""
    from bot.store import open_store

    s = await open_store(history_target)
    yield s
    await s.close()


@pytest.fixture
async def bot(engine, tmp_path, monkeypatch, history_target: str):
    """A ClusterfyBot on the session engine, configured for dpytest (see discord_fakes),
    once per history backend."""
    from discord_fakes import close_bot, make_bot

    from bot.store import open_store

    monkeypatch.chdir(tmp_path)  # dpytest writes uploaded files to the working directory
    b = await make_bot(engine, store=await open_store(history_target))
    yield b
    await close_bot(b)
