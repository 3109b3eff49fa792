"""Bring up the engine and the history store from :class:`Settings`, for any transport.

Start-up failures (missing catalog, refused model, unusable database) become one
:class:`StartupError` line each, so the operator sees what to fix instead of a trace.
"""

from __future__ import annotations

import logging

from engine.fitted import Progress
from engine.paths import CatalogError
from engine.service import Engine
from engine.storage.artifact import ArtifactError

from .config import Settings
from .history import HistoryStoreError
from .store import Store
from .store import open_store as open_history

logger = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """Something the operator must fix before the bot can serve."""


def load_engine(settings: Settings, progress: Progress | None = None) -> Engine:
    """The engine for ``settings``: cached model, or built from the catalog on first run."""
    try:
        return Engine.load(settings.catalog, settings.model_path, settings.k, progress=progress)
    except (CatalogError, ArtifactError) as exc:
        raise StartupError(str(exc)) from None
    except (ValueError, OSError) as exc:
        raise StartupError(f"could not prepare the mood model: {exc}") from None


async def open_store(settings: Settings) -> Store:
    """The history CLUSTERFY_DB names (SQLite file or PostgreSQL URL), migrated and ready."""
    try:
        return await open_history(settings.history_target)
    except HistoryStoreError as exc:
        raise StartupError(str(exc)) from None
