"""The history store on PostgreSQL, for several bot processes sharing one history.

:class:`PgHistoryStore` is :class:`bot.history.HistoryStore` (same methods, same behaviour,
same SQL) opened over :class:`~bot._drivers.postgres.PostgresDriver`, chosen with
``CLUSTERFY_DB=postgresql://…``. Its own class keeps "is this history shared between
processes?" a type question (:mod:`bot.client` shares the rate limit through it too).
"""

from __future__ import annotations

from typing import ClassVar

from ._drivers.base import Driver
from ._drivers.postgres import MIGRATIONS, SERVICE_TABLES, PostgresDriver, is_postgres_url, redact_url
from .history import HistoryStore

__all__ = ["MIGRATIONS", "SERVICE_TABLES", "PgHistoryStore", "is_postgres_url", "redact_url"]


class PgHistoryStore(HistoryStore):
    """Async store of user history on an asyncpg connection pool.

    Create with ``await PgHistoryStore.open(url, max_connections=10)``; extra URL query
    parameters other than libpq's are PostgreSQL settings (``?search_path=clusterfy`` keeps
    the tables in their own schema).
    """

    driver_class: ClassVar[type[Driver]] = PostgresDriver
    SCHEMA_VERSION: ClassVar[int] = PostgresDriver.SCHEMA_VERSION
    driver: PostgresDriver
