"""Per-user history: requests, songs shown, and 👍/👎 feedback, kept in SQLite.

The bot uses this to avoid re-recommending songs a user has already seen or
disliked, to answer ``/history``, and to honour ``/forget`` (delete everything
about a user). It never imports discord so it can be tested and reused alone.

Durability choices: WAL journal with ``synchronous=NORMAL`` survives a crash of
the bot process (only an OS crash/power cut may lose the last commits), readers
never block the writer, and a busy timeout rides out a second process briefly
holding the lock. All writes go through one asyncio.Lock so concurrent
coroutines never interleave statements inside one another's transaction.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_RETRY_HINT = "point CLUSTERFY_DB at another file"

# Migration i takes the schema from version i to version i + 1. Append new steps;
# never edit a released one, because existing databases have already run it.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
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
)

# Every table holding user data, children first so forget() counts real deletions
# instead of relying on cascades. A test asserts this covers every table.
USER_TABLES: tuple[str, ...] = ("shown", "feedback", "playlists", "requests", "users")


class HistoryStoreError(RuntimeError):
    """The history database cannot be used; the message says what to do about it."""


@dataclass(frozen=True)
class HistoryEntry:
    """One past request of a user, with the song ids it showed in display order."""

    request_id: int
    command: str
    query: str
    song_id: str | None
    created_at: datetime  # always timezone-aware UTC
    shown: tuple[str, ...]


@dataclass(frozen=True)
class SavedPlaylist:
    """A playlist a user made: its title, kind (song/mood/foryou/journey) and song ids in order."""

    playlist_id: int
    title: str
    kind: str
    query: str
    song_ids: tuple[str, ...]
    created_at: datetime


def _now() -> str:
    """UTC timestamp as fixed-width ISO text: readable in the sqlite shell, sorts correctly."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _parse_time(text: str) -> datetime:
    stamp = datetime.fromisoformat(text)
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


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


class HistoryStore:
    """Async store of user history on a single aiosqlite connection.

    Create with ``await HistoryStore.open(path)`` (``":memory:"`` for tests) and
    close with ``await store.close()`` or ``async with``.
    """

    SCHEMA_VERSION: int = len(MIGRATIONS)

    def __init__(self, db: aiosqlite.Connection, label: str) -> None:
        """Private: use ``open()``, which validates, configures and migrates first."""
        self._db: aiosqlite.Connection | None = db
        self._label = label
        self._lock = asyncio.Lock()

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    async def open(cls, path: str | Path) -> HistoryStore:
        """Open (creating if needed) and migrate the database at ``path``.

        Raises HistoryStoreError, never a raw sqlite3 error, so the bot can print
        one actionable line at start-up instead of a traceback.
        """
        if str(path) == ":memory:":
            target, label, memory = ":memory:", ":memory:", True
        else:
            resolved = Path(path).expanduser()
            _check_path(resolved)
            target, label, memory = str(resolved), str(resolved), False
        try:
            db = await aiosqlite.connect(target, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
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
                    for statement in MIGRATIONS[target - 1]:
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

    async def __aenter__(self) -> HistoryStore:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    @asynccontextmanager
    async def _session(self, write: bool) -> AsyncIterator[aiosqlite.Connection]:
        """Serialise access: writes run in one IMMEDIATE transaction, and no other
        coroutine's statements can land inside it (they would share the connection)."""
        if self._db is None:
            raise HistoryStoreError(f"history database {self._label} is closed")
        db = self._db
        async with self._lock:
            try:
                if write:
                    await db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    if write:
                        await db.execute("COMMIT")
                except BaseException:
                    if write and db.in_transaction:
                        await db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise HistoryStoreError(f"history database {self._label}: {exc}") from exc

    @staticmethod
    async def _touch_user(db: aiosqlite.Connection, user_id: int, now: str) -> None:
        await db.execute(
            "INSERT INTO users (user_id, first_seen, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET last_seen = excluded.last_seen",
            (user_id, now, now),
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
        # SQLite stores UTF-8: a lone surrogate (possible in JSON or surrogateescape'd stdin)
        # would raise UnicodeEncodeError, so it is stored as "?" instead.
        query = query.encode("utf-8", "replace").decode("utf-8")
        now = _now()
        async with self._session(write=True) as db:
            await self._touch_user(db, user_id, now)
            if name:
                await db.execute(
                    "UPDATE users SET display_name = ? WHERE user_id = ?",
                    (name.encode("utf-8", "replace").decode("utf-8")[:100], user_id),
                )
            cur = await db.execute(
                "INSERT INTO requests "
                "(user_id, command, query_text, song_id, created_at, guild_id, channel_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, command, query, song_id, now, guild_id, channel_id),
            )
            request_id = cur.lastrowid
            await cur.close()
        assert request_id is not None
        return int(request_id)

    async def record_shown(self, request_id: int, user_id: int, song_ids: Sequence[str]) -> None:
        """Remember which songs a request displayed, in order, so they are not suggested again."""
        if not song_ids:
            return
        async with self._session(write=True) as db:
            async with db.execute(
                "SELECT 1 FROM requests WHERE id = ? AND user_id = ?", (request_id, user_id)
            ) as cur:
                if await cur.fetchone() is None:
                    raise ValueError(
                        f"request {request_id} does not exist or does not belong to user {user_id}"
                    )
            await db.executemany(
                "INSERT INTO shown (request_id, user_id, position, song_id) VALUES (?, ?, ?, ?)",
                [(request_id, user_id, pos, str(song)) for pos, song in enumerate(song_ids)],
            )

    async def record_feedback(self, user_id: int, song_id: str, value: int) -> None:
        """Store 👍 (+1) or 👎 (-1); one row per user and song, so a changed mind overwrites."""
        if isinstance(value, bool) or value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, got {value!r}")
        now = _now()
        async with self._session(write=True) as db:
            await self._touch_user(db, user_id, now)
            await db.execute(
                "INSERT INTO feedback (user_id, song_id, value, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(user_id, song_id) DO UPDATE SET "
                "value = excluded.value, updated_at = excluded.updated_at",
                (user_id, song_id, int(value), now),
            )

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user from every table in one transaction.

        Returns table -> rows deleted.
        """
        deleted: dict[str, int] = {}
        async with self._session(write=True) as db:
            for table in USER_TABLES:  # constant names, never user input
                cur = await db.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
                deleted[table] = max(cur.rowcount, 0)
                await cur.close()
        log.info("forgot user %s: %s", user_id, deleted)
        return deleted

    # -------------------------------------------------------------------- reads
    async def _column_set(self, sql: str, params: tuple[object, ...]) -> set[str]:
        async with self._session(write=False) as db:
            async with db.execute(sql, params) as cur:
                return {row[0] for row in await cur.fetchall()}

    async def shown_song_ids(self, user_id: int) -> set[str]:
        """Every song id ever shown to the user, to filter out repeats."""
        return await self._column_set("SELECT DISTINCT song_id FROM shown WHERE user_id = ?", (user_id,))

    async def disliked_song_ids(self, user_id: int) -> set[str]:
        """Songs whose latest feedback from the user is 👎, never to be recommended again."""
        return await self._column_set(
            "SELECT song_id FROM feedback WHERE user_id = ? AND value = -1", (user_id,)
        )

    async def feedback(self, user_id: int) -> dict[str, int]:
        """The user's current feedback: song id -> +1 or -1."""
        async with self._session(write=False) as db:
            async with db.execute("SELECT song_id, value FROM feedback WHERE user_id = ?", (user_id,)) as cur:
                return {song: int(value) for song, value in await cur.fetchall()}

    async def recent(self, user_id: int, limit: int = 10) -> list[HistoryEntry]:
        """The user's last ``limit`` requests, newest first.

        Ordered by id (insertion order), which is immune to clock jumps.
        """
        if limit <= 0:
            return []
        async with self._session(write=False) as db:
            async with db.execute(
                "SELECT id, command, query_text, song_id, created_at FROM requests "
                "WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                (user_id, limit),
            ) as cur:
                requests = list(await cur.fetchall())
            if not requests:
                return []
            shown: dict[int, list[str]] = {}
            async with db.execute(
                "SELECT request_id, song_id FROM shown WHERE user_id = ? AND request_id >= ? "
                "ORDER BY request_id, position",
                (user_id, requests[-1][0]),
            ) as cur:
                for request_id, song in await cur.fetchall():
                    shown.setdefault(request_id, []).append(song)
        return [
            HistoryEntry(rid, command, query, song, _parse_time(created), tuple(shown.get(rid, ())))
            for rid, command, query, song, created in requests
        ]

    # ------------------------------------------------------- taste and playlists
    async def ratings(self, user_id: int, limit: int = 1000) -> tuple[list[str], list[str]]:
        """The user's 👍 and 👎 song ids, each newest first (a taste profile weighs recent ones more)."""
        async with self._session(write=False) as db:
            async with db.execute(
                "SELECT song_id, value FROM feedback WHERE user_id = ? "
                "ORDER BY updated_at DESC, song_id LIMIT ?",
                (user_id, limit),
            ) as cur:
                rows = await cur.fetchall()
        return [s for s, v in rows if v > 0], [s for s, v in rows if v < 0]

    async def asked_song_ids(self, user_id: int, limit: int = 200) -> list[str]:
        """Songs the user asked about (recommend/cluster seeds), newest first, no repeats."""
        async with self._session(write=False) as db:
            async with db.execute(
                "SELECT song_id FROM requests WHERE user_id = ? AND song_id IS NOT NULL "
                "ORDER BY id DESC LIMIT ?",
                (user_id, limit * 4),
            ) as cur:
                rows = await cur.fetchall()
        return list(dict.fromkeys(r[0] for r in rows))[:limit]

    async def server_ratings(
        self, guild_id: int | None, exclude_user: int | None = None, limit: int = 200_000
    ) -> dict[int, tuple[list[str], list[str]]]:
        """Ratings of the members seen in a server (all users for ``None``, the console),
        as user -> (liked ids, disliked ids); members who opted out are left out."""
        where = (
            "user_id IN (SELECT DISTINCT user_id FROM requests WHERE guild_id = ?)"
            if guild_id is not None
            else "1 = 1"
        )
        params: tuple[object, ...] = (guild_id,) if guild_id is not None else ()
        out: dict[int, tuple[list[str], list[str]]] = {}
        async with self._session(write=False) as db:
            async with db.execute(
                f"SELECT user_id, song_id, value FROM feedback WHERE {where} "  # constant text only
                "AND user_id NOT IN (SELECT user_id FROM users WHERE private = 1) "
                "ORDER BY user_id, updated_at DESC LIMIT ?",
                (*params, limit),
            ) as cur:
                rows = await cur.fetchall()
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
        now = _now()
        clean = [str(s) for s in song_ids]
        if any("," in s for s in clean):
            raise ValueError("song ids must not contain commas")
        async with self._session(write=True) as db:
            await self._touch_user(db, user_id, now)
            cur = await db.execute(
                "INSERT INTO playlists (user_id, title, kind, query_text, song_ids, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    user_id,
                    title.encode("utf-8", "replace").decode("utf-8")[:200],
                    kind,
                    query.encode("utf-8", "replace").decode("utf-8")[:400],
                    ",".join(clean),
                    now,
                ),
            )
            playlist_id = cur.lastrowid
            await cur.close()
        assert playlist_id is not None
        return int(playlist_id)

    async def playlists(self, user_id: int, limit: int = 10) -> list[SavedPlaylist]:
        """The user's playlists, newest first."""
        if limit <= 0:
            return []
        async with self._session(write=False) as db:
            async with db.execute(
                "SELECT id, title, kind, query_text, song_ids, created_at FROM playlists "
                "WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                (user_id, limit),
            ) as cur:
                rows = await cur.fetchall()
        return [
            SavedPlaylist(int(i), t, k, q, tuple(x for x in ids.split(",") if x), _parse_time(c))
            for i, t, k, q, ids, c in rows
        ]

    async def set_private(self, user_id: int, private: bool) -> None:
        """Opt a user out of (or back into) taste comparisons and blends."""
        now = _now()
        async with self._session(write=True) as db:
            await self._touch_user(db, user_id, now)
            await db.execute("UPDATE users SET private = ? WHERE user_id = ?", (1 if private else 0, user_id))

    async def is_private(self, user_id: int) -> bool:
        async with self._session(write=False) as db:
            async with db.execute("SELECT private FROM users WHERE user_id = ?", (user_id,)) as cur:
                row = await cur.fetchone()
        return bool(row and row[0])

    async def find_user(self, text: str) -> int | None:
        """A user id from a numeric id or a display name seen before (case-insensitive)."""
        text = (text or "").strip().lstrip("@").strip()[:100].encode("utf-8", "replace").decode("utf-8")
        if not text:
            return None
        async with self._session(write=False) as db:
            if text.isascii() and text.isdigit() and len(text) <= 18:  # fits SQLite's INTEGER
                async with db.execute("SELECT user_id FROM users WHERE user_id = ?", (int(text),)) as cur:
                    row = await cur.fetchone()
                if row:
                    return int(row[0])
            async with db.execute(
                "SELECT user_id FROM users WHERE lower(display_name) = lower(?) "
                "ORDER BY last_seen DESC LIMIT 1",
                (text,),
            ) as cur:
                row = await cur.fetchone()
        return int(row[0]) if row else None

    async def display_name(self, user_id: int) -> str | None:
        async with self._session(write=False) as db:
            async with db.execute("SELECT display_name FROM users WHERE user_id = ?", (user_id,)) as cur:
                row = await cur.fetchone()
        return str(row[0]) if row and row[0] else None

    async def row_counts(self, user_id: int | None = None) -> dict[str, int]:
        """Rows per table, overall or for one user: lets tests and diagnostics prove forget() is complete."""
        counts: dict[str, int] = {}
        async with self._session(write=False) as db:
            for table in USER_TABLES:
                where, params = ("WHERE user_id = ?", (user_id,)) if user_id is not None else ("", ())
                async with db.execute(f"SELECT count(*) FROM {table} {where}", params) as cur:
                    row = await cur.fetchone()
                counts[table] = int(row[0]) if row else 0
        return counts

    async def integrity_ok(self) -> bool:
        """True if SQLite's integrity check passes and no foreign key dangles."""
        async with self._session(write=False) as db:
            async with db.execute("PRAGMA integrity_check") as cur:
                result = [row[0] for row in await cur.fetchall()]
            async with db.execute("PRAGMA foreign_key_check") as cur:
                dangling = list(await cur.fetchall())
        if result != ["ok"] or dangling:
            log.error(
                "history database %s failed integrity check: %s %s", self._label, result[:5], dangling[:5]
            )
            return False
        return True
