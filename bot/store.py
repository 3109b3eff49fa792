"""Open the history store CLUSTERFY_DB names: a SQLite file (default) or a PostgreSQL URL.

Both backends have the same public methods and behaviour (see :mod:`bot.history` and
:mod:`bot.history_pg`), so the conversation and the cogs never know which one they use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Union

from .history import HistoryStore
from .history_pg import is_postgres_url

if TYPE_CHECKING:
    from .history_pg import PgHistoryStore

#: Either backend; annotate with this where code must accept both.
Store = Union[HistoryStore, "PgHistoryStore"]


async def open_store(target: str | Path, *, max_connections: int = 10) -> Store:
    """``postgresql://…`` or ``postgres://…`` -> PostgreSQL; anything else is a SQLite path
    (``":memory:"`` for a throwaway one). Raises HistoryStoreError with one actionable line."""
    if is_postgres_url(target):
        from .history_pg import PgHistoryStore

        return await PgHistoryStore.open(str(target), max_connections=max_connections)
    return await HistoryStore.open(target)
