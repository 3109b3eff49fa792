"""Shared fixtures: one real model on the bundled catalog per test session (~2 s to fit),
the engine over it, an in-memory history store and a dpytest-driven bot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from engine.catalog import load_catalog
from engine.model import MoodModel
from engine.paths import BUNDLED_CATALOG


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
