"""What a history database driver is: the seam between :mod:`bot.history` and one database.

:class:`bot.history.HistoryStore` writes every query and every rule once, in one SQL
dialect: PostgreSQL's numbered placeholders (``$1``, ``$2``…, a number may repeat). A driver
makes that run on its database: it opens and migrates the database (each keeps its own
steps, in its own column types), hands out a :class:`Connection` per session with the
right transaction around it, and converts the few values whose column types differ
(timestamps, song-id lists). Everything else about a backend stays inside its driver.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Self

#: One result row: a tuple (aiosqlite) or an asyncpg Record; both unpack and index.
Row = Sequence[Any]

#: Schema migrations: step i takes a database from version i to i + 1.
Migrations = tuple[tuple[str, ...], ...]


class HistoryStoreError(RuntimeError):
    """The history database cannot be used; the message says what to do about it."""


class Connection(ABC):
    """One session's connection. SQL uses ``$n`` placeholders; values are always parameters.

    Every ``str`` parameter is first made storable by the driver (text the database would
    refuse, such as a lone surrogate, is replaced), so hostile input is recorded, not refused.
    """

    @abstractmethod
    async def fetch(self, sql: str, *args: object) -> list[Row]:
        """Every row of a query."""

    @abstractmethod
    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        """The first row of a query, or None."""

    async def fetchval(self, sql: str, *args: object) -> Any:
        """The first column of the first row, or None when there is no row."""
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    @abstractmethod
    async def execute(self, sql: str, *args: object) -> int:
        """Run one statement; the number of rows it changed (0 when not a DML statement)."""

    @abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        """Run one statement once per parameter row."""

    @abstractmethod
    async def insert(self, sql: str, *args: object) -> int:
        """Run an ``INSERT`` of one row into a table with an ``id`` key; the new row's id."""

    @abstractmethod
    async def table_exists(self, name: str) -> bool:
        """Whether ``name`` is a table in the store's schema."""


class Driver(ABC):
    """An open history database: its sessions, its migrations and its value conversions.

    Create with ``await Driver.open(target)``, which validates, migrates and raises
    :class:`HistoryStoreError` (one actionable line, never a raw database error).
    """

    #: This backend's schema steps, in its column types; never edit a released step.
    MIGRATIONS: ClassVar[Migrations]
    #: ``len(MIGRATIONS)``: the version a database has after :meth:`open`.
    SCHEMA_VERSION: ClassVar[int]

    def __init__(self, label: str) -> None:
        #: The database's name for messages and logs (never a password).
        self.label = label

    @classmethod
    @abstractmethod
    async def open(cls, target: str | Path, *, max_connections: int = 10) -> Self:
        """Connect to ``target``, refuse what is not (or not yet) a Clusterfy history, migrate."""

    @abstractmethod
    def session(self, *, write: bool, snapshot: bool = False) -> AbstractAsyncContextManager[Connection]:
        """A connection for one block of statements.

        ``write``: the block is one transaction, committed when it ends and rolled back
        (entirely) when it raises. ``snapshot``: every read in the block sees the same
        committed state. Database errors leave the block as :class:`HistoryStoreError`;
        a closed driver raises it at once.
        """

    @abstractmethod
    async def close(self) -> None:
        """Release the connection(s); idempotent."""

    @property
    @abstractmethod
    def closed(self) -> bool:
        """True once :meth:`close` has run."""

    @abstractmethod
    async def integrity_problem(self, con: Connection) -> str | None:
        """What is wrong with the stored data (a dangling reference, a damaged file…), or None."""

    # -------------------------------------------------------- value conversions
    @staticmethod
    @abstractmethod
    def now() -> object:
        """The current time as the timestamp columns store it (always UTC)."""

    @staticmethod
    @abstractmethod
    def to_datetime(value: Any) -> datetime:
        """A timestamp column's value as a timezone-aware UTC datetime."""

    @staticmethod
    @abstractmethod
    def to_id_list(song_ids: Sequence[str]) -> object:
        """Song ids, in order, as the ``playlists.song_ids`` column stores them (none holds a comma)."""

    @staticmethod
    @abstractmethod
    def from_id_list(value: Any) -> tuple[str, ...]:
        """A ``playlists.song_ids`` value back as song ids, in order."""
