"""Shared fixtures: one real model on the bundled catalog per test session (~2 s to fit),
the engine over it, an in-memory history store and a dpytest-driven bot; and the fast
tier's list of slow tests (``pytest -m "not slow"`` skips them, CI runs everything)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from engine.catalog import load_catalog
from engine.model import MoodModel
from engine.paths import BUNDLED_CATALOG

#: Modules whose tests drive subprocesses (CLI, console, bot start-up, crash recovery),
#: whole-corpus or load runs: each test costs seconds, so the fast tier leaves them out.
SLOW_MODULES = frozenset({
    "test_benchmarks_smoke.py", "test_cli.py", "test_console.py", "test_crash.py",
    "test_hostile.py", "test_load.py", "test_readme.py", "test_startup.py",
})
#: Single tests that fit extra models on the full catalog or start a process.
SLOW_TESTS = frozenset({
    "test_artifact.py::test_cache_is_keyed_by_catalog_content_and_k",
    "test_artifact.py::test_obtain_model_builds_once_then_loads_the_cache",
    "test_charts.py::test_module_selects_agg_backend",
    "test_model.py::test_fitting_is_deterministic",
    "test_model.py::test_genres_never_enter_the_model",
    "test_model.py::test_labels_unique_and_sensible_for_k",
    "test_model.py::test_naming_is_driven_by_centroids_not_cluster_numbers",
    "test_model.py::test_progress_messages_reach_the_caller",
    "test_security.py::test_a_swapped_cached_model_is_refused_not_run",
    "test_security.py::test_console_process_with_debug_logs_never_prints_the_token",
})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow tier: the lists above, and every Hypothesis property test (hundreds
    of examples each). A listed name that no longer exists is an error, not a silent
    promotion of a slow test into the fast tier."""
    modules: dict[str, object] = {}
    for item in items:
        module = item.path.name
        name = f"{module}::{getattr(item, 'originalname', item.name)}"
        modules.setdefault(module, getattr(item, "module", None))
        if (module in SLOW_MODULES or name in SLOW_TESTS
                or getattr(getattr(item, "obj", None), "is_hypothesis_test", False)):
            item.add_marker(pytest.mark.slow)
    stale = sorted(n for n in SLOW_TESTS
                   if (mod := modules.get(n.split("::")[0])) is not None
                   and not hasattr(mod, n.split("::")[1]))
    if stale:
        raise pytest.UsageError(f"tests/conftest.py SLOW_TESTS names tests that do not exist: {stale}")


@pytest.fixture(scope="session")
def songs() -> pd.DataFrame:
    """The bundled catalog, loaded and cleaned (3,242 songs); treat as read-only."""
    table, _ = load_catalog(BUNDLED_CATALOG)
    return table


@pytest.fixture(scope="session")
def model(songs: pd.DataFrame) -> MoodModel:
    """MoodModel(k=4) fitted on the bundled catalog; treat as read-only."""
    return MoodModel(4).fit(songs, progress=lambda _msg: None)


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


@pytest.fixture
async def store():
    """An empty in-memory history store."""
    from bot.history import HistoryStore

    s = await HistoryStore.open(":memory:")
    yield s
    await s.close()


@pytest.fixture
async def bot(engine, tmp_path, monkeypatch):
    """A ClusterfyBot on the session engine, configured for dpytest (see discord_fakes)."""
    from discord_fakes import close_bot, make_bot

    monkeypatch.chdir(tmp_path)  # dpytest writes uploaded files to the working directory
    b = await make_bot(engine)
    yield b
    await close_bot(b)
