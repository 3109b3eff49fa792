"""Shared fixtures: one real model on the bundled catalog per test session (~2 s to fit),
the engine over it, an in-memory history store and a dpytest-driven bot."""

from __future__ import annotations

import pytest

from engine.catalog import load_catalog
from engine.model import MoodModel
from engine.paths import BUNDLED_CATALOG


@pytest.fixture(scope="session")
def model() -> MoodModel:
    """MoodModel(k=4) fitted on the bundled 3,242-song catalog; treat as read-only."""
    songs, _ = load_catalog(BUNDLED_CATALOG)
    return MoodModel(4).fit(songs)


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
