"""The PostgreSQL driver: an asyncpg pool, for several bot processes sharing one history.

Chosen with ``CLUSTERFY_DB=postgresql://…``; SQLite stays the embedded default. This is for
bots that run as several processes (shards) on one or more machines.

Why it is built this way:

- A connection pool, not one connection: PostgreSQL serialises concurrent writers itself, so
  coroutines (and processes) run their transactions side by side instead of queueing on a lock.
- Every write is one transaction that commits before the store's method returns, with the
  server's default ``synchronous_commit=on``: an acknowledged write survives the bot process
  being killed (and the server crashing).
- Versioned migrations in a ``schema_version`` table, each step in its own transaction under a
  transaction-scoped advisory lock, so processes starting at once migrate exactly once.
  The version is read before any write, so a database from a newer Clusterfy, or one holding
  someone else's tables, is refused and left untouched.
- Native types: 64-bit ids for Discord snowflakes, identity columns, ``timestamptz``, ``TEXT[]``
  for a playlist's song ids.
- The URL's password never appears in a message or log: ``label`` is the URL without it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

from .base import Connection, Driver, HistoryStoreError, Migrations, Row

log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql", "postgres")
_RETRY_HINT = "check CLUSTERFY_DB and that the PostgreSQL server is running"
CONNECT_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 30.0

# Step i takes the schema from version i to i + 1, mirroring the SQLite driver's MIGRATIONS step
# for step (a test keeps the counts equal), in PostgreSQL's types: 64-bit ids for Discord
# snowflakes, identity columns, timestamptz. Append new steps; never edit a released one.
MIGRATIONS: Migrations = (
    (  # v0 -> v1: the original schema.
        """CREATE TABLE users (
            user_id    BIGINT PRIMARY KEY,
            first_seen TIMESTAMPTZ NOT NULL,
            last_seen  TIMESTAMPTZ NOT NULL)""",
        """CREATE TABLE requests (
            id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id    BIGINT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            command    TEXT NOT NULL,
            query_text TEXT NOT NULL,
            song_id    TEXT,
            created_at TIMESTAMPTZ NOT NULL)""",
        """CREATE TABLE shown (
            request_id BIGINT NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
            user_id    BIGINT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            song_id    TEXT NOT NULL,
            PRIMARY KEY (request_id, position))""",
        """CREATE TABLE feedback (
            user_id    BIGINT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            song_id    TEXT NOT NULL,
            value      SMALLINT NOT NULL CHECK (value IN (-1, 1)),
            updated_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (user_id, song_id))""",
    ),
    (  # v1 -> v2: where a request came from, and indexes for per-user lookups.
        "ALTER TABLE requests ADD COLUMN guild_id BIGINT",
        "ALTER TABLE requests ADD COLUMN channel_id BIGINT",
        "CREATE INDEX requests_by_user ON requests(user_id, id)",
        "CREATE INDEX shown_by_user ON shown(user_id, song_id)",
    ),
    (  # v2 -> v3: listeners' taste: a name to find members by, opting out, saved playlists.
        "ALTER TABLE users ADD COLUMN display_name TEXT",
        "ALTER TABLE users ADD COLUMN private BOOLEAN NOT NULL DEFAULT false",
        """CREATE TABLE playlists (
            id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id    BIGINT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            title      TEXT NOT NULL,
            kind       TEXT NOT NULL,
            query_text TEXT NOT NULL,
            song_ids   TEXT[] NOT NULL,
            created_at TIMESTAMPTZ NOT NULL)""",
        "CREATE INDEX playlists_by_user ON playlists(user_id, id)",
        "CREATE INDEX feedback_by_user_time ON feedback(user_id, updated_at)",
        "CREATE INDEX requests_by_guild ON requests(guild_id, user_id)",
    ),
    (  # v3 -> v4: plain-language conversations, one state per member and channel.
        """CREATE TABLE conversations (
            user_id    BIGINT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
            channel_id BIGINT NOT NULL,
            state      TEXT NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            PRIMARY KEY (user_id, channel_id))""",
    ),
)

# Tables the store itself owns besides USER_TABLES (no user data, so forget() leaves them).
# rate_windows (bot.ratelimit_pg) holds only the last seconds' request times; forget() clears it too.
SERVICE_TABLES: tuple[str, ...] = ("schema_version", "rate_windows")

_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('clusterfy.history.' || current_schema()))"


def is_postgres_url(target: object) -> bool:
    """True when a CLUSTERFY_DB value names a PostgreSQL server rather than a SQLite file."""
    return (
        isinstance(target, str) and target.split("://", 1)[0].lower() in POSTGRES_SCHEMES and "://" in target
    )


def redact_url(url: str) -> str:
    """The URL without its password, safe for logs and error messages."""
    try:
        parts = urlsplit(url)
        # libpq also takes the password as a query parameter (?password=…).
        query = re.sub(r"(?i)(^|&)(password)=[^&]*", r"\1\2=***", parts.query)
        parts = parts._replace(query=query)
        if parts.password is not None:
            host = parts.hostname or ""
            netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
            parts = parts._replace(netloc=netloc)
        return urlunsplit(parts)
    except ValueError:
        return "the PostgreSQL URL in CLUSTERFY_DB"


def storable_text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor lone surrogates (SQLite holds both): store U+FFFD
    and "?" instead, so hostile input is recorded rather than refused."""
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _bind(args: Sequence[object]) -> list[object]:
    return [storable_text(a) if isinstance(a, str) else a for a in args]


def _wrap(exc: BaseException, label: str) -> HistoryStoreError:
    return HistoryStoreError(f"history database {label}: {type(exc).__name__}: {exc}")


def _db_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


class PostgresConnection(Connection):
    """A pooled asyncpg connection; the store's ``$n`` SQL is already PostgreSQL's own."""

    def __init__(self, con: Any) -> None:
        #: The asyncpg connection itself.
        self.native = con

    async def fetch(self, sql: str, *args: object) -> list[Row]:
        return list(await self.native.fetch(sql, *_bind(args)))

    async def fetchrow(self, sql: str, *args: object) -> Row | None:
        row: Row | None = await self.native.fetchrow(sql, *_bind(args))
        return row

    async def fetchval(self, sql: str, *args: object) -> Any:
        return await self.native.fetchval(sql, *_bind(args))

    async def execute(self, sql: str, *args: object) -> int:
        status = str(await self.native.execute(sql, *_bind(args)))  # e.g. "DELETE 3", "INSERT 0 1"
        count = status.rsplit(" ", 1)[-1]
        return int(count) if count.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        await self.native.executemany(sql, [_bind(row) for row in rows])

    async def insert(self, sql: str, *args: object) -> int:
        return int(await self.native.fetchval(f"{sql} RETURNING id", *_bind(args)))

    async def table_exists(self, name: str) -> bool:
        return await self.native.fetchval("SELECT to_regclass($1::text)", name) is not None


class PostgresDriver(Driver):
    """A PostgreSQL history reached by URL. Extra URL query parameters other than libpq's are
    PostgreSQL settings (``?search_path=clusterfy`` keeps the tables in their own schema)."""

    MIGRATIONS = MIGRATIONS
    SCHEMA_VERSION = len(MIGRATIONS)

    def __init__(self, pool: Any, label: str) -> None:
        """Private: use ``open()``, which connects, checks and migrates first."""
        super().__init__(label)
        self._pool: Any | None = pool

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    async def open(cls, target: str | Path, *, max_connections: int = 10) -> Self:
        """Connect to the URL ``target`` and migrate; raises HistoryStoreError with one actionable line."""
        try:
            import asyncpg
        except ImportError:  # pragma: no cover - asyncpg is a dependency
            raise HistoryStoreError(
                "CLUSTERFY_DB is a PostgreSQL URL but asyncpg is not installed: pip install asyncpg"
            ) from None
        url = str(target)
        label = redact_url(url)
        connect_errors: tuple[type[BaseException], ...] = (*_db_errors(), ValueError)
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=max_connections,
                timeout=CONNECT_TIMEOUT_S,
                command_timeout=COMMAND_TIMEOUT_S,
            )
        except (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError) as exc:
            raise HistoryStoreError(
                f"PostgreSQL refused the login for {label} ({type(exc).__name__}); "
                "check the user and password in CLUSTERFY_DB"
            ) from None
        except asyncpg.InvalidCatalogNameError:
            raise HistoryStoreError(
                f"the database in {label} does not exist; create it (createdb) or fix CLUSTERFY_DB"
            ) from None
        except connect_errors as exc:
            raise HistoryStoreError(
                f"cannot connect to history database {label} ({type(exc).__name__}: {exc}); {_RETRY_HINT}"
            ) from None
        try:
            async with pool.acquire() as con:
                await cls._check(con, label)
                await cls._migrate(con, label)
        except BaseException as exc:
            await pool.close()
            if isinstance(exc, _db_errors()):
                raise HistoryStoreError(
                    f"cannot use history database {label} ({type(exc).__name__}: {exc}); {_RETRY_HINT}"
                ) from None
            raise
        return cls(pool, label)

    @staticmethod
    async def _version(con: Any) -> int | None:
        """The schema version, or None when this schema has no ``schema_version`` table."""
        # A plain catalog query, not to_regclass(): it reads with the statement's snapshot, so
        # after the advisory lock it sees a table another process has just committed.
        if (
            await con.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename = 'schema_version'"
            )
            == 0
        ):
            return None
        return int(await con.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))

    @classmethod
    async def _check(cls, con: Any, label: str) -> None:
        """Refuse, before any write, a newer schema or a schema full of someone else's tables.

        Both reads see one snapshot: another process migrating meanwhile must not look like
        someone else's tables (no ``schema_version`` at the first read, tables at the second).
        """
        async with con.transaction(isolation="repeatable_read", readonly=True):
            version = await cls._version(con)
            others = await con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        if version is not None and version > cls.SCHEMA_VERSION:
            raise HistoryStoreError(
                f"history database {label} was written by a newer Clusterfy (schema v{version}, this "
                f"version knows up to v{cls.SCHEMA_VERSION}); upgrade or point CLUSTERFY_DB elsewhere"
            )
        if version is None:
            if others:
                raise HistoryStoreError(
                    f"{label} already holds tables that are not Clusterfy's (e.g. {others[0][0]!r}); "
                    "use an empty database or schema (?search_path=clusterfy)"
                )

    @classmethod
    async def _migrate(cls, con: Any, label: str) -> None:
        """Each pending step in its own transaction, under an advisory lock, re-reading the version."""
        for target in range(1, cls.SCHEMA_VERSION + 1):
            async with con.transaction():
                await con.execute(_LOCK_SQL)
                version = await cls._version(con)
                if version is None:
                    await con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                    await con.execute("INSERT INTO schema_version (version) VALUES (0)")
                    version = 0
                if version < target:
                    for statement in cls.MIGRATIONS[target - 1]:
                        await con.execute(statement)
                    await con.execute("UPDATE schema_version SET version = $1", target)
                    log.info("history database %s migrated to schema v%d", label, target)

    async def close(self) -> None:
        """Close the pool (idempotent)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def closed(self) -> bool:
        return self._pool is None

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Any]:
        """A pooled asyncpg connection as it is (for PostgreSQL-only SQL such as
        :mod:`bot.ratelimit_pg`'s); database errors leave it as HistoryStoreError."""
        if self._pool is None:
            raise HistoryStoreError(f"history database {self.label} is closed")
        try:
            async with self._pool.acquire() as con:
                yield con
        except _db_errors() as exc:
            raise _wrap(exc, self.label) from exc

    @asynccontextmanager
    async def session(self, *, write: bool, snapshot: bool = False) -> AsyncIterator[PostgresConnection]:
        """A pooled connection; a write is one transaction (all or nothing), a snapshot one
        read-only repeatable-read transaction (so a concurrent forget() cannot split its reads)."""
        async with self.acquire() as con:
            block: AbstractAsyncContextManager[Any] = (
                con.transaction()
                if write
                else con.transaction(isolation="repeatable_read", readonly=True)
                if snapshot
                else nullcontext()
            )
            async with block:
                yield PostgresConnection(con)

    async def integrity_problem(self, con: Connection) -> str | None:
        """The schema at this version, and no row pointing at a missing parent.

        PostgreSQL enforces the foreign keys itself; this double-checks them the way
        SQLite's ``foreign_key_check`` does, so both backends answer the same question.
        """
        assert isinstance(con, PostgresConnection)
        version = await self._version(con.native)
        dangling = await con.fetchval(
            "SELECT (SELECT count(*) FROM shown s LEFT JOIN requests r ON r.id = s.request_id "
            "        WHERE r.id IS NULL)"
            " + (SELECT count(*) FROM requests q LEFT JOIN users u ON u.user_id = q.user_id "
            "        WHERE u.user_id IS NULL)"
            " + (SELECT count(*) FROM feedback f LEFT JOIN users u ON u.user_id = f.user_id "
            "        WHERE u.user_id IS NULL)"
            " + (SELECT count(*) FROM playlists p LEFT JOIN users u ON u.user_id = p.user_id "
            "        WHERE u.user_id IS NULL)"
        )
        if version != self.SCHEMA_VERSION or dangling:
            return f"schema v{version}, {dangling} dangling rows"
        return None

    # -------------------------------------------------------- value conversions
    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def to_datetime(value: Any) -> datetime:
        stamp: datetime = value
        return stamp.astimezone(UTC)

    @staticmethod
    def to_id_list(song_ids: Sequence[str]) -> list[str]:
        return [storable_text(s) for s in song_ids]

    @staticmethod
    def from_id_list(value: Any) -> tuple[str, ...]:
        return tuple(x for x in value if x)
