"""The SQLite driver: one aiosqlite connection to a local file (or ``":memory:"``).

Durability choices: WAL journal with ``synchronous=NORMAL`` survives a crash of the bot
process (only an OS crash/power cut may lose the last commits), readers never block the
writer, and a busy timeout rides out a second process briefly holding the lock. Every
session runs under one asyncio.Lock, because the coroutines share the connection: without
it one coroutine's statements could land inside another's transaction.

The schema version is SQLite's ``PRAGMA user_version``; each migration step runs in its own
``BEGIN IMMEDIATE`` transaction, which takes the file's write lock, so two processes opening
one file at once do not both migrate. Timestamps are ISO-8601 UTC text (readable in the
sqlite shell, sorting like the times they name); a playlist's song ids are one
comma-separated text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

import aiosqlite

from .base import Connection, Driver, HistoryStoreError, Migrations, Row

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_RETRY_HINT = "point CLUSTERFY_DB at another file"

# Migration i takes the schema from version i to version i + 1. Append new steps;
# never edit a released one, because existing databases have already run it.
MIGRATIONS: Migrations = (
    (  # v0 -> v1: the original schema.
        """CREATE TABLE users (
            user_id    INTEGER PRIMARY KEY,
            first_seen TEXT NOT NULL,
            last_seen  TEXT NOT NULL)""",
        """CREATE TABLE requests (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            command    TEXT NOT NULL,
            query_text TEXT NOT NULL,
            song_id    TEXT,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE shown (
            request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            song_id    TEXT NOT NULL,
            PRIMARY KEY (request_id, position))""",
        """CREATE TABLE feedback (
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            song_id    TEXT NOT NULL,
            value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, song_id))""",
    ),
    (  # v1 -> v2: where a request came from, and indexes for per-user lookups.
        "ALTER TABLE requests ADD COLUMN guild_id INTEGER",
        "ALTER TABLE requests ADD COLUMN channel_id INTEGER",
        "CREATE INDEX requests_by_user ON requests(user_id, id)",
        "CREATE INDEX shown_by_user ON shown(user_id, song_id)",
    ),
    (  # v2 -> v3: listeners' taste: a name to find members by, opting out, saved playlists.
        "ALTER TABLE users ADD COLUMN display_name TEXT",
        "ALTER TABLE users ADD COLUMN private INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE playlists (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            title      TEXT NOT NULL,
            kind       TEXT NOT NULL,
            query_text TEXT NOT NULL,
            song_ids   TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX playlists_by_user ON playlists(user_id, id)",
        "CREATE INDEX feedback_by_user_time ON feedback(user_id, updated_at)",
        "CREATE INDEX requests_by_guild ON requests(guild_id, user_id)",
    ),
    (  # v3 -> v4: plain-language conversations, one state per member and channel.
        """CREATE TABLE conversations (
            user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            channel_id INTEGER NOT NULL,
            state      TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, channel_id))""",
    ),
)

# A $n placeholder outside a quoted literal (the literal is matched first and kept).
_PLACEHOLDER = re.compile(r"'[^']*'|\$(\d+)")


@lru_cache(maxsize=512)
def _numbered_qmarks(sql: str) -> str:
    """``$n`` -> ``?n``: SQLite's own numbered placeholder, so a number may repeat as in PostgreSQL."""
    return _PLACEHOLDER.sub(lambda m: f"?{m.group(1)}" if m.group(1) else m.group(0), sql)


def storable_text(value: str) -> str:
    """SQLite stores UTF-8: a lone surrogate (possible in JSON or surrogateescape'd stdin)
    cannot be encoded, so it is stored as "?" instead."""
    return value.encode("utf-8", "replace").decode("utf-8")


def _bind(args: Sequence[object]) -> tuple[object, ...]:
    return tuple(storable_text(a) if isinstance(a, str) else a for a in args)


def _check_path(path: Path) -> None:
    """Fail early, with a one-line reason, on paths SQLite would reject cryptically.

    Nothing is written to an existing file here; only missing parent directories
    are created.
    """
    if path.is_dir():
        raise HistoryStoreError(f"history database path {path} is a directory, not a file; {_RETRY_HINT}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryStoreError(
            f"cannot create directory {path.parent} for the history database ({exc.strerror or exc}); "
            f"create it yourself or {_RETRY_HINT}"
        ) from exc
    if not os.access(path.parent, os.W_OK | os.X_OK):
        # WAL needs to create -wal and -shm files next to the database.
        raise HistoryStoreError(
            f"directory {path.parent} is not writable; fix its permissions or {_RETRY_HINT}"
        )
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            header = fh.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise HistoryStoreError(
            f"cannot read history database {path} ({exc.strerror or exc}); {_RETRY_HINT}"
        ) from exc
    if header and header != _SQLITE_MAGIC:  # an empty file is a valid, new database
        raise HistoryStoreError(f"{path} is not a SQLite database; move it aside or {_RETRY_HINT}")
    if not os.access(path, os.W_OK):
        raise HistoryStoreError(f"history database {path} is read-only; fix its permissions or {_RETRY_HINT}")


class SqliteConnection(Connection):
    """The driver's one aiosqlite connection, speaking the store's ``$n`` dialect.

    Each statement is one trip to aiosqlite's thread (the cost that dominates a store call):
    reads fetch every row in that trip, and writes read the row count or new id from the
    finished cursor without a second trip to close it.
    """

    def __init__(self, db: aiosqlite.Connection) -> None:
        #: The aiosqlite connection itself (for SQLite-only statements such as PRAGMAs).
        self.native = db

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        return list(await self.native.execute_fetchall(_numbered_qmarks(sql), _bind(args)))

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        rows = await self.fetch(sql, *args)  # the store's single-row reads: one trip, not three
        return rows[0] if rows else None

    async def execute(self, sql: str, *args: object) -> int:
        cur = await self.native.execute(_numbered_qmarks(sql), _bind(args))
        return max(cur.rowcount, 0)

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self.native.executemany(_numbered_qmarks(sql), [_bind(row) for row in rows])

    async def insert(self, sql: str, *args: object) -> int:
        cur = await self.native.execute(_numbered_qmarks(sql), _bind(args))
        row_id = cur.lastrowid
        assert row_id is not None
        return int(row_id)

    async def table_exists(self, name: str) -> bool:
        found = await self.fetchval("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", name)
        return found is not None


class SqliteDriver(Driver):
    """A SQLite history file, or ``":memory:"`` for a throwaway one (tests)."""

    MIGRATIONS = MIGRATIONS
    SCHEMA_VERSION = len(MIGRATIONS)

    def __init__(self, db: aiosqlite.Connection, label: str) -> None:
        """Private: use ``open()``, which validates, configures and migrates first."""
        super().__init__(label)
        self._db: aiosqlite.Connection | None = db
        self._connection = SqliteConnection(db)
        self._lock = asyncio.Lock()

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    async def open(cls, target: str | Path, *, max_connections: int = 10) -> Self:
        """Open (creating if needed) and migrate the database file ``target``.

        ``max_connections`` is ignored: SQLite has one writer at a time, so one connection
        serves every coroutine. Raises HistoryStoreError, never a raw sqlite3 error, so the
        bot can print one actionable line at start-up instead of a traceback.
        """
        if str(target) == ":memory:":
            path, label, memory = ":memory:", ":memory:", True
        else:
            resolved = Path(target).expanduser()
            _check_path(resolved)
            path, label, memory = str(resolved), str(resolved), False
        try:
            db = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise HistoryStoreError(f"cannot open history database {label} ({exc}); {_RETRY_HINT}") from exc
        try:
            await cls._configure(db, label, memory)
        except BaseException as exc:
            await db.close()
            if isinstance(exc, sqlite3.Error):
                raise HistoryStoreError(
                    f"cannot use history database {label} ({exc}); "
                    f"check the file and its directory, or {_RETRY_HINT}"
                ) from exc
            raise
        return cls(db, label)

    @classmethod
    async def _configure(cls, db: aiosqlite.Connection, label: str, memory: bool) -> None:
        """Check the version BEFORE any write, so a refused file is left byte-for-byte intact."""
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = await cls._user_version(db)
        if version > cls.SCHEMA_VERSION:
            raise HistoryStoreError(
                f"history database {label} was written by a newer Clusterfy (schema v{version}, this version "
                f"knows up to v{cls.SCHEMA_VERSION}); upgrade or point CLUSTERFY_DB at another file"
            )
        if version == 0:
            async with db.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") as cur:
                (objects,) = await cur.fetchone()  # type: ignore[misc]
            if objects:
                raise HistoryStoreError(
                    f"{label} is a SQLite database but not a Clusterfy history database; {_RETRY_HINT}"
                )
        if not memory:
            async with db.execute("PRAGMA journal_mode=WAL") as cur:
                (mode,) = await cur.fetchone()  # type: ignore[misc]
            if str(mode).lower() != "wal":
                log.warning("history database %s: WAL unavailable, journal_mode=%s", label, mode)
        await db.execute("PRAGMA synchronous=NORMAL")
        await db.execute("PRAGMA foreign_keys=ON")
        await cls._migrate(db, label)

    @staticmethod
    async def _user_version(db: aiosqlite.Connection) -> int:
        async with db.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    @classmethod
    async def _migrate(cls, db: aiosqlite.Connection, label: str) -> None:
        """Apply each pending step in its own transaction, re-reading the version under
        the write lock so two processes opening one file at once do not both migrate."""
        for target in range(1, cls.SCHEMA_VERSION + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                if await cls._user_version(db) < target:
                    for statement in cls.MIGRATIONS[target - 1]:
                        await db.execute(statement)
                    await db.execute(f"PRAGMA user_version = {target:d}")
                    log.info("history database %s migrated to schema v%d", label, target)
                await db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    await db.execute("ROLLBACK")
                raise

    async def close(self) -> None:
        """Close the connection (idempotent); aiosqlite's thread must stop for a clean exit."""
        if self._db is not None:
            db, self._db = self._db, None
            async with self._lock:
                await db.close()

    @property
    def closed(self) -> bool:
        return self._db is None

    @asynccontextmanager
    async def session(self, *, write: bool, snapshot: bool = False) -> AsyncIterator[SqliteConnection]:
        """Serialised on the lock; a write is one ``BEGIN IMMEDIATE`` transaction, a snapshot
        one deferred read transaction (so another process's commit cannot split its reads)."""
        if self._db is None:
            raise HistoryStoreError(f"history database {self.label} is closed")
        db = self._db
        begin = "BEGIN IMMEDIATE" if write else "BEGIN" if snapshot else None
        async with self._lock:
            try:
                if begin:
                    await db.execute(begin)
                try:
                    yield self._connection
                    if begin:
                        await db.execute("COMMIT")
                except BaseException:
                    if begin and db.in_transaction:
                        await db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise HistoryStoreError(f"history database {self.label}: {exc}") from exc

    async def integrity_problem(self, con: Connection) -> str | None:
        """SQLite's own page-level check, and every foreign key checked against its parent."""
        result = [row[0] for row in await con.fetch("PRAGMA integrity_check")]
        dangling = list(await con.fetch("PRAGMA foreign_key_check"))
        if result != ["ok"] or dangling:
            return f"{result[:5]} {dangling[:5]}"
        return None

    # -------------------------------------------------------- value conversions
    @staticmethod
    def now() -> str:
        """UTC timestamp as fixed-width ISO text: readable in the sqlite shell, sorts correctly."""
        return datetime.now(UTC).isoformat(timespec="microseconds")

    @staticmethod
    def to_datetime(value: Any) -> datetime:
        stamp = datetime.fromisoformat(value)
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)

    @staticmethod
    def to_id_list(song_ids: Sequence[str]) -> str:
        return ",".join(song_ids)

    @staticmethod
    def from_id_list(value: Any) -> tuple[str, ...]:
        return tuple(x for x in str(value).split(",") if x)
