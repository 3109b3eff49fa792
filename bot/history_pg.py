"""Per-user history in PostgreSQL, for several bot processes sharing one history.

Same public interface and behaviour as the SQLite :class:`bot.history.HistoryStore`
(same methods, :class:`HistoryEntry`, :class:`HistoryStoreError`, ``USER_TABLES``), chosen
with ``CLUSTERFY_DB=postgresql://…``. SQLite stays the embedded default; this is for bots that
run as several processes (shards) on one or more machines.

Why it is built this way:

- A connection pool, not one connection: PostgreSQL serialises concurrent writers itself, so
  coroutines (and processes) run their transactions side by side instead of queueing on a lock.
- Every write is one transaction that commits before the method returns, with the server's
  default ``synchronous_commit=on``: an acknowledged write survives the bot process being
  killed (and the server crashing).
- Versioned migrations in a ``schema_version`` table, each step in its own transaction under a
  transaction-scoped advisory lock, so processes starting at once migrate exactly once.
  The version is read before any write, so a database from a newer Clusterfy, or one holding
  someone else's tables, is refused and left untouched.
- Every value travels as a query parameter ($1, $2…); table names come from constants only.
- The URL's password never appears in a message or log: ``label`` is the URL without it.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .history import USER_TABLES, HistoryEntry, HistoryStoreError, SavedPlaylist

log = logging.getLogger(__name__)

POSTGRES_SCHEMES = ("postgresql", "postgres")
_RETRY_HINT = "check CLUSTERFY_DB and that the PostgreSQL server is running"
CONNECT_TIMEOUT_S = 10.0
COMMAND_TIMEOUT_S = 30.0

# Step i takes the schema from version i to i + 1, mirroring bot.history.MIGRATIONS step for
# step (a test keeps the counts equal), in PostgreSQL's types: 64-bit ids for Discord
# snowflakes, identity columns, timestamptz. Append new steps; never edit a released one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
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


def _text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor lone surrogates (SQLite holds both): store U+FFFD
    and "?" instead, so hostile input is recorded rather than refused."""
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "\ufffd")


def _wrap(exc: BaseException, label: str) -> HistoryStoreError:
    return HistoryStoreError(f"history database {label}: {type(exc).__name__}: {exc}")


def _db_errors() -> tuple[type[BaseException], ...]:
    import asyncpg

    return (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


class PgHistoryStore:
    """Async store of user history on an asyncpg connection pool.

    Create with ``await PgHistoryStore.open(url)`` and close with ``await store.close()``
    or ``async with``. Extra URL query parameters other than libpq's are PostgreSQL settings
    (``?search_path=clusterfy`` keeps the tables in their own schema).
    """

    SCHEMA_VERSION: int = len(MIGRATIONS)

    def __init__(self, pool: Any, label: str) -> None:
        """Private: use ``open()``, which connects, checks and migrates first."""
        self._pool: Any | None = pool
        self._label = label

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    async def open(cls, url: str, *, max_connections: int = 10) -> PgHistoryStore:
        """Connect to ``url`` and migrate; raises HistoryStoreError with one actionable line."""
        try:
            import asyncpg
        except ImportError:  # pragma: no cover - asyncpg is a dependency
            raise HistoryStoreError(
                "CLUSTERFY_DB is a PostgreSQL URL but asyncpg is not installed: pip install asyncpg"
            ) from None
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
        """Refuse, before any write, a newer schema or a schema full of someone else's tables."""
        version = await cls._version(con)
        if version is not None and version > cls.SCHEMA_VERSION:
            raise HistoryStoreError(
                f"history database {label} was written by a newer Clusterfy (schema v{version}, this "
                f"version knows up to v{cls.SCHEMA_VERSION}); upgrade or point CLUSTERFY_DB elsewhere"
            )
        if version is None:
            others = await con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
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
                    for statement in MIGRATIONS[target - 1]:
                        await con.execute(statement)
                    await con.execute("UPDATE schema_version SET version = $1", target)
                    log.info("history database %s migrated to schema v%d", label, target)

    async def close(self) -> None:
        """Close the pool (idempotent)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def __aenter__(self) -> PgHistoryStore:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def _session(self, write: bool) -> AsyncIterator[Any]:
        """A pooled connection; ``write`` wraps the block in one transaction (all or nothing)."""
        if self._pool is None:
            raise HistoryStoreError(f"history database {self._label} is closed")
        errors = _db_errors()
        try:
            async with self._pool.acquire() as con:
                if write:
                    async with con.transaction():
                        yield con
                else:
                    yield con
        except errors as exc:
            raise _wrap(exc, self._label) from exc

    @staticmethod
    async def _touch_user(con: Any, user_id: int, now: datetime) -> None:
        await con.execute(
            "INSERT INTO users (user_id, first_seen, last_seen) VALUES ($1, $2, $2) "
            "ON CONFLICT (user_id) DO UPDATE SET last_seen = excluded.last_seen",
            user_id,
            now,
        )

    # ------------------------------------------------------------------- writes
    async def record_request(
        self,
        user_id: int,
        command: str,
        query: str,
        song_id: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        name: str | None = None,
    ) -> int:
        """Log one command; the user upsert and the request row commit together. Returns the request id.

        ``name`` (the requester's display name) is kept so the console can find members by name.
        """
        now = datetime.now(UTC)
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            if name:
                await con.execute(
                    "UPDATE users SET display_name = $1 WHERE user_id = $2", _text(name)[:100], user_id
                )
            request_id = await con.fetchval(
                "INSERT INTO requests "
                "(user_id, command, query_text, song_id, created_at, guild_id, channel_id) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                user_id,
                _text(command),
                _text(query),
                None if song_id is None else _text(song_id),
                now,
                guild_id,
                channel_id,
            )
        return int(request_id)

    async def record_shown(self, request_id: int, user_id: int, song_ids: Sequence[str]) -> None:
        """Remember which songs a request displayed, in order, so they are not suggested again."""
        if not song_ids:
            return
        async with self._session(write=True) as con:
            if (
                await con.fetchval(
                    "SELECT 1 FROM requests WHERE id = $1 AND user_id = $2", request_id, user_id
                )
                is None
            ):
                raise ValueError(f"request {request_id} does not exist or does not belong to user {user_id}")
            await con.executemany(
                "INSERT INTO shown (request_id, user_id, position, song_id) VALUES ($1, $2, $3, $4)",
                [(request_id, user_id, pos, _text(str(song))) for pos, song in enumerate(song_ids)],
            )

    async def record_feedback(self, user_id: int, song_id: str, value: int) -> None:
        """Store 👍 (+1) or 👎 (-1); one row per user and song, so a changed mind overwrites."""
        if isinstance(value, bool) or value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, got {value!r}")
        now = datetime.now(UTC)
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            await con.execute(
                "INSERT INTO feedback (user_id, song_id, value, updated_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (user_id, song_id) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                user_id,
                _text(song_id),
                int(value),
                now,
            )

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user from every table in one transaction.

        Returns table -> rows deleted.
        """
        deleted: dict[str, int] = {}
        async with self._session(write=True) as con:
            for table in USER_TABLES:  # constant names, never user input
                status = await con.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
                deleted[table] = int(status.rsplit(" ", 1)[-1])  # "DELETE <n>"
            if await con.fetchval("SELECT to_regclass('rate_windows')") is not None:  # bot.ratelimit_pg
                await con.execute("DELETE FROM rate_windows WHERE user_id = $1", user_id)
        log.info("forgot user %s: %s", user_id, deleted)
        return deleted

    # -------------------------------------------------------------------- reads
    async def _column_set(self, sql: str, *params: object) -> set[str]:
        async with self._session(write=False) as con:
            return {row[0] for row in await con.fetch(sql, *params)}

    async def shown_song_ids(self, user_id: int) -> set[str]:
        """Every song id ever shown to the user, to filter out repeats."""
        return await self._column_set("SELECT DISTINCT song_id FROM shown WHERE user_id = $1", user_id)

    async def disliked_song_ids(self, user_id: int) -> set[str]:
        """Songs whose latest feedback from the user is 👎, never to be recommended again."""
        return await self._column_set(
            "SELECT song_id FROM feedback WHERE user_id = $1 AND value = -1", user_id
        )

    async def feedback(self, user_id: int) -> dict[str, int]:
        """The user's current feedback: song id -> +1 or -1."""
        async with self._session(write=False) as con:
            rows = await con.fetch("SELECT song_id, value FROM feedback WHERE user_id = $1", user_id)
        return {song: int(value) for song, value in rows}

    async def recent(self, user_id: int, limit: int = 10) -> list[HistoryEntry]:
        """The user's last ``limit`` requests, newest first (by id, immune to clock jumps)."""
        if limit <= 0:
            return []
        async with self._session(write=False) as con:
            # One snapshot for both reads, so a concurrent forget() cannot split them.
            async with con.transaction(isolation="repeatable_read", readonly=True):
                requests = await con.fetch(
                    "SELECT id, command, query_text, song_id, created_at FROM requests "
                    "WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                    user_id,
                    limit,
                )
                if not requests:
                    return []
                shown: dict[int, list[str]] = {}
                for request_id, song in await con.fetch(
                    "SELECT request_id, song_id FROM shown WHERE user_id = $1 AND request_id >= $2 "
                    "ORDER BY request_id, position",
                    user_id,
                    requests[-1][0],
                ):
                    shown.setdefault(request_id, []).append(song)
        return [
            HistoryEntry(rid, command, query, song, created.astimezone(UTC), tuple(shown.get(rid, ())))
            for rid, command, query, song, created in requests
        ]

    # ------------------------------------------------------- taste and playlists
    async def ratings(self, user_id: int, limit: int = 1000) -> tuple[list[str], list[str]]:
        """The user's 👍 and 👎 song ids, each newest first (a taste profile weighs recent ones more)."""
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT song_id, value FROM feedback WHERE user_id = $1 "
                "ORDER BY updated_at DESC, song_id LIMIT $2",
                user_id,
                max(limit, 0),
            )
        return [s for s, v in rows if v > 0], [s for s, v in rows if v < 0]

    async def asked_song_ids(self, user_id: int, limit: int = 200) -> list[str]:
        """Songs the user asked about (recommend/cluster seeds), newest first, no repeats."""
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT song_id FROM requests WHERE user_id = $1 AND song_id IS NOT NULL "
                "ORDER BY id DESC LIMIT $2",
                user_id,
                max(limit, 0) * 4,
            )
        return list(dict.fromkeys(r[0] for r in rows))[:limit]

    async def server_ratings(
        self, guild_id: int | None, exclude_user: int | None = None, limit: int = 200_000
    ) -> dict[int, tuple[list[str], list[str]]]:
        """Ratings of the members seen in a server (all users for ``None``, the console),
        as user -> (liked ids, disliked ids); members who opted out are left out."""
        out: dict[int, tuple[list[str], list[str]]] = {}
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT user_id, song_id, value FROM feedback "
                "WHERE ($1::bigint IS NULL OR user_id IN (SELECT user_id FROM requests WHERE guild_id = $1)) "
                "AND user_id NOT IN (SELECT user_id FROM users WHERE private) "
                "ORDER BY user_id, updated_at DESC LIMIT $2",
                guild_id,
                max(limit, 0),
            )
        for user, song, value in rows:
            if user == exclude_user:
                continue
            liked, disliked = out.setdefault(int(user), ([], []))
            (liked if value > 0 else disliked).append(song)
        return out

    async def save_playlist(
        self, user_id: int, title: str, kind: str, query: str, song_ids: Sequence[str]
    ) -> int:
        """Store a playlist (ids in order) so ``history`` lists it and ``playlist last`` shows it."""
        clean = [_text(str(s)) for s in song_ids]
        if any("," in s for s in clean):  # the SQLite store joins ids with commas: same rule on both
            raise ValueError("song ids must not contain commas")
        now = datetime.now(UTC)
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            playlist_id = await con.fetchval(
                "INSERT INTO playlists (user_id, title, kind, query_text, song_ids, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                user_id,
                _text(title)[:200],
                _text(kind),
                _text(query)[:400],
                clean,
                now,
            )
        return int(playlist_id)

    async def playlists(self, user_id: int, limit: int = 10) -> list[SavedPlaylist]:
        """The user's playlists, newest first."""
        if limit <= 0:
            return []
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT id, title, kind, query_text, song_ids, created_at FROM playlists "
                "WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                user_id,
                limit,
            )
        return [
            SavedPlaylist(int(i), t, k, q, tuple(x for x in ids if x), c.astimezone(UTC))
            for i, t, k, q, ids, c in rows
        ]

    async def set_private(self, user_id: int, private: bool) -> None:
        """Opt a user out of (or back into) taste comparisons and blends."""
        now = datetime.now(UTC)
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            await con.execute("UPDATE users SET private = $1 WHERE user_id = $2", bool(private), user_id)

    async def is_private(self, user_id: int) -> bool:
        async with self._session(write=False) as con:
            value = await con.fetchval("SELECT private FROM users WHERE user_id = $1", user_id)
        return bool(value)

    async def find_user(self, text: str) -> int | None:
        """A user id from a numeric id or a display name seen before (case-insensitive)."""
        text = _text((text or "").strip().lstrip("@").strip()[:100])
        if not text:
            return None
        async with self._session(write=False) as con:
            if text.isascii() and text.isdigit() and len(text) <= 18:  # fits BIGINT (as SQLite's INTEGER)
                found = await con.fetchval("SELECT user_id FROM users WHERE user_id = $1", int(text))
                if found is not None:
                    return int(found)
            found = await con.fetchval(
                "SELECT user_id FROM users WHERE lower(display_name) = lower($1) "
                "ORDER BY last_seen DESC LIMIT 1",
                text,
            )
        return int(found) if found is not None else None

    async def display_name(self, user_id: int) -> str | None:
        async with self._session(write=False) as con:
            value = await con.fetchval("SELECT display_name FROM users WHERE user_id = $1", user_id)
        return str(value) if value else None

    async def row_counts(self, user_id: int | None = None) -> dict[str, int]:
        """Rows per table, overall or for one user: lets tests and diagnostics prove forget() is complete."""
        counts: dict[str, int] = {}
        async with self._session(write=False) as con:
            for table in USER_TABLES:
                if user_id is None:
                    counts[table] = int(await con.fetchval(f"SELECT count(*) FROM {table}"))
                else:
                    counts[table] = int(
                        await con.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", user_id)
                    )
        return counts

    async def integrity_ok(self) -> bool:
        """True if the schema is at this version and no row points at a missing parent.

        PostgreSQL enforces the foreign keys itself; this double-checks them the way
        SQLite's ``foreign_key_check`` does, so both backends answer the same question.
        """
        async with self._session(write=False) as con:
            version = await self._version(con)
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
            log.error(
                "history database %s failed integrity check: schema v%s, %s dangling rows",
                self._label,
                version,
                dangling,
            )
            return False
        return True
