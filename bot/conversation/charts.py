"""The charts replies attach, drawn off the event loop and cached; a failed chart is logged, never fatal.

A reply without its picture is still an answer, so every helper returns ``None`` when
drawing fails. Charts come from :mod:`engine.charts`, imported with the first one asked
for: matplotlib costs a bot ~0.7 s and tens of MB at every start, and many processes
never draw one.
"""

from __future__ import annotations

import functools
import logging
from types import ModuleType

from engine.service import Engine

logger = logging.getLogger(__name__)


def _charts() -> ModuleType:
    """engine.charts, imported on first use (see the module docstring)."""
    from engine import charts

    return charts


@functools.lru_cache(maxsize=256)
def song_chart(engine: Engine, index: int) -> bytes | None:
    """One song's audio profile against its mood (``cluster``)."""
    try:
        table = engine.table
        return _charts().song_profile_png(
            engine.model, index, title=f"{table.names[index]} — {table.artists[index]}"
        )
    except Exception:
        logger.exception("could not draw the profile chart of song %s", index)
        return None


@functools.lru_cache(maxsize=8)
def mood_map_chart(engine: Engine) -> bytes | None:
    """The moods and mood words on the valence × energy plane (``moods``)."""
    try:
        return _charts().mood_map_png(engine.model, engine.word_points())
    except Exception:
        logger.exception("could not draw the mood map")
        return None


def moods_chart(engine: Engine) -> bytes | None:
    """Every mood's audio profile (``moods``)."""
    try:
        return _charts().profile_png(engine.model)
    except Exception:
        logger.exception("could not draw the moods chart")
        return None
