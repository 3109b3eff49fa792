"""Per-user history: requests, songs shown, 👍/👎 feedback, playlists and privacy.

The bot uses this to avoid re-recommending songs a user has already seen or
disliked, to answer ``/history``, and to honour ``/forget`` (delete everything
about a user). It never imports discord so it can be tested and reused alone.

:class:`HistoryStore` holds every query and every rule once, for every database; a driver
(:mod:`bot._drivers`) makes them run on one: SQLite, the embedded default
(:class:`~bot._drivers.sqlite.SqliteDriver`), or PostgreSQL for several bot processes
sharing one history (:class:`~bot._drivers.postgres.PostgresDriver`, through
:class:`bot.history_pg.PgHistoryStore`). Connections, transactions, migrations and column
types are the driver's business; what a user can notice is decided here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from ._drivers.base import Connection, Driver, HistoryStoreError
from ._drivers.sqlite import MIGRATIONS, SqliteDriver

__all__ = [
    "MIGRATIONS",
    "USER_TABLES",
    "HistoryEntry",
    "HistoryStore",
    "HistoryStoreError",
    "SavedPlaylist",
]

log = logging.getLogger(__name__)

# Every table holding user data, children first so forget() counts real deletions
# instead of relying on cascades. A test asserts this covers every table.
USER_TABLES: tuple[str, ...] = ("shown", "feedback", "playlists", "conversations", "requests", "users")

# Tables another part of the bot may create, holding a row per user that is not history:
# bot.ratelimit_pg's shared rate windows. forget() deletes the user's row where one exists.
SERVICE_USER_TABLES: tuple[str, ...] = ("rate_windows",)


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


def _row_limit(limit: int) -> int:
    """The number of rows a ``limit`` argument asks for: a negative limit asks for none.

    Every limited read goes through here, so the answer is the same on every database:
    SQLite alone would read ``LIMIT -1`` as "no limit" and PostgreSQL would refuse it.
    """
    return max(limit, 0)


class HistoryStore:
    """Async store of user history over a :class:`~bot._drivers.base.Driver`.

    Create with ``await HistoryStore.open(path)`` (a SQLite file; ``":memory:"`` for tests),
    or :func:`bot.store.open_store`, which also takes a PostgreSQL URL; close with
    ``await store.close()`` or ``async with``.
    """

    #: The driver :meth:`open` uses; :class:`bot.history_pg.PgHistoryStore` picks PostgreSQL's.
    driver_class: ClassVar[type[Driver]] = SqliteDriver
    SCHEMA_VERSION: ClassVar[int] = SqliteDriver.SCHEMA_VERSION

    def __init__(self, driver: Driver) -> None:
        """Private: use ``open()``, which validates and migrates the database first."""
        self.driver = driver

    # ---------------------------------------------------------------- lifecycle
    @classmethod
    async def open(cls, target: str | Path, *, max_connections: int = 10) -> Self:
        """Open (creating if needed) and migrate the database ``target`` names.

        Raises HistoryStoreError, never a raw database error, so the bot can print
        one actionable line at start-up instead of a traceback.
        """
        return cls(await cls.driver_class.open(target, max_connections=max_connections))

    async def close(self) -> None:
        """Close the database connection(s); idempotent."""
        await self.driver.close()

    @property
    def closed(self) -> bool:
        return self.driver.closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _session(self, write: bool, snapshot: bool = False) -> AbstractAsyncContextManager[Connection]:
        """A connection; ``write``: one transaction, all or nothing; ``snapshot``: reads agree."""
        return self.driver.session(write=write, snapshot=snapshot)

    @staticmethod
    async def _touch_user(con: Connection, user_id: int, now: object) -> None:
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
        now = self.driver.now()
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            if name:
                await con.execute(
                    "UPDATE users SET display_name = $1 WHERE user_id = $2", name[:100], user_id
                )
            request_id = await con.insert(
                "INSERT INTO requests "
                "(user_id, command, query_text, song_id, created_at, guild_id, channel_id) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                user_id,
                command,
                query,
                song_id,
                now,
                guild_id,
                channel_id,
            )
        return request_id

    async def record_shown(self, request_id: int, user_id: int, song_ids: Sequence[str]) -> None:
        """Remember which songs a request displayed, in order, so they are not suggested again."""
        if not song_ids:
            return
        async with self._session(write=True) as con:
            owned = await con.fetchval(
                "SELECT 1 FROM requests WHERE id = $1 AND user_id = $2", request_id, user_id
            )
            if owned is None:
                raise ValueError(f"request {request_id} does not exist or does not belong to user {user_id}")
            await con.executemany(
                "INSERT INTO shown (request_id, user_id, position, song_id) VALUES ($1, $2, $3, $4)",
                [(request_id, user_id, pos, str(song)) for pos, song in enumerate(song_ids)],
            )

    async def record_feedback(self, user_id: int, song_id: str, value: int) -> None:
        """Store 👍 (+1) or 👎 (-1); one row per user and song, so a changed mind overwrites."""
        if isinstance(value, bool) or value not in (1, -1):
            raise ValueError(f"feedback value must be +1 or -1, got {value!r}")
        now = self.driver.now()
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            await con.execute(
                "INSERT INTO feedback (user_id, song_id, value, updated_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (user_id, song_id) DO UPDATE SET "
                "value = excluded.value, updated_at = excluded.updated_at",
                user_id,
                song_id,
                int(value),
                now,
            )

    async def save_dialogue_state(self, user_id: int, channel_id: int, state: str) -> None:
        """Keep a member's plain-language conversation in a channel (one row, overwritten:
        engine.dialogue.DialogueState as JSON), so it survives a restart."""
        now = self.driver.now()
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            await con.execute(
                "INSERT INTO conversations (user_id, channel_id, state, updated_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (user_id, channel_id) DO UPDATE SET "
                "state = excluded.state, updated_at = excluded.updated_at",
                user_id,
                int(channel_id),
                state,
                now,
            )

    async def dialogue_state(self, user_id: int, channel_id: int) -> str | None:
        """The conversation :meth:`save_dialogue_state` kept, or None (the state says when it expires)."""
        async with self._session(write=False) as con:
            value = await con.fetchval(
                "SELECT state FROM conversations WHERE user_id = $1 AND channel_id = $2",
                user_id,
                int(channel_id),
            )
        return None if value is None else str(value)

    async def forget(self, user_id: int) -> dict[str, int]:
        """Delete every row about the user from every table in one transaction.

        Returns table -> rows deleted (of USER_TABLES).
        """
        deleted: dict[str, int] = {}
        async with self._session(write=True) as con:
            for table in USER_TABLES:  # constant names, never user input
                deleted[table] = await con.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
            for table in SERVICE_USER_TABLES:
                if await con.table_exists(table):
                    await con.execute(f"DELETE FROM {table} WHERE user_id = $1", user_id)
        log.info("forgot user %s: %s", user_id, deleted)
        return deleted

    # -------------------------------------------------------------------- reads
    async def _column_set(self, sql: str, *args: object) -> set[str]:
        async with self._session(write=False) as con:
            return {row[0] for row in await con.fetch(sql, *args)}

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
        """The user's last ``limit`` requests, newest first.

        Ordered by id (insertion order), which is immune to clock jumps. Both reads see one
        snapshot, so a concurrent forget() cannot split them.
        """
        async with self._session(write=False, snapshot=True) as con:
            requests = await con.fetch(
                "SELECT id, command, query_text, song_id, created_at FROM requests "
                "WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                user_id,
                _row_limit(limit),
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
        when = self.driver.to_datetime
        return [
            HistoryEntry(rid, command, query, song, when(created), tuple(shown.get(rid, ())))
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
                _row_limit(limit),
            )
        return [s for s, v in rows if v > 0], [s for s, v in rows if v < 0]

    async def asked_song_ids(self, user_id: int, limit: int = 200) -> list[str]:
        """Songs the user asked about (recommend/cluster seeds), newest first, no repeats."""
        limit = _row_limit(limit)
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT song_id FROM requests WHERE user_id = $1 AND song_id IS NOT NULL "
                "ORDER BY id DESC LIMIT $2",
                user_id,
                limit * 4,
            )
        return list(dict.fromkeys(r[0] for r in rows))[:limit]

    async def server_ratings(
        self, guild_id: int | None, exclude_user: int | None = None, limit: int = 200_000
    ) -> dict[int, tuple[list[str], list[str]]]:
        """Ratings of the members seen in a server (all users for ``None``, the console),
        as user -> (liked ids, disliked ids); members who opted out are left out."""
        members, args = "", [_row_limit(limit)]
        if guild_id is not None:
            members = "user_id IN (SELECT user_id FROM requests WHERE guild_id = $2) AND "
            args.append(guild_id)
        out: dict[int, tuple[list[str], list[str]]] = {}
        async with self._session(write=False) as con:
            rows = await con.fetch(
                f"SELECT user_id, song_id, value FROM feedback WHERE {members}"  # constant text only
                "user_id NOT IN (SELECT user_id FROM users WHERE private) "
                "ORDER BY user_id, updated_at DESC LIMIT $1",
                *args,
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
        clean = [str(s) for s in song_ids]
        if any("," in s for s in clean):  # SQLite keeps them comma-joined: one rule for every database
            raise ValueError("song ids must not contain commas")
        now = self.driver.now()
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            playlist_id = await con.insert(
                "INSERT INTO playlists (user_id, title, kind, query_text, song_ids, created_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                user_id,
                title[:200],
                kind,
                query[:400],
                self.driver.to_id_list(clean),
                now,
            )
        return playlist_id

    async def playlists(self, user_id: int, limit: int = 10) -> list[SavedPlaylist]:
        """The user's playlists, newest first."""
        async with self._session(write=False) as con:
            rows = await con.fetch(
                "SELECT id, title, kind, query_text, song_ids, created_at FROM playlists "
                "WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
                user_id,
                _row_limit(limit),
            )
        ids, when = self.driver.from_id_list, self.driver.to_datetime
        return [SavedPlaylist(int(i), t, k, q, ids(s), when(c)) for i, t, k, q, s, c in rows]

    async def set_private(self, user_id: int, private: bool) -> None:
        """Opt a user out of (or back into) taste comparisons and blends."""
        now = self.driver.now()
        async with self._session(write=True) as con:
            await self._touch_user(con, user_id, now)
            await con.execute("UPDATE users SET private = $1 WHERE user_id = $2", bool(private), user_id)

    async def is_private(self, user_id: int) -> bool:
        async with self._session(write=False) as con:
            return bool(await con.fetchval("SELECT private FROM users WHERE user_id = $1", user_id))

    async def find_user(self, text: str) -> int | None:
        """A user id from a numeric id or a display name seen before (case-insensitive)."""
        text = (text or "").strip().lstrip("@").strip()[:100]
        if not text:
            return None
        async with self._session(write=False) as con:
            if text.isascii() and text.isdigit() and len(text) <= 18:  # fits a 64-bit id column
                found = await con.fetchval("SELECT user_id FROM users WHERE user_id = $1", int(text))
                if found is not None:
                    return int(found)
            found = await con.fetchval(
                "SELECT user_id FROM users WHERE lower(display_name) = lower($1) "
                "ORDER BY last_seen DESC LIMIT 1",
                text,
            )
        return None if found is None else int(found)

    async def display_name(self, user_id: int) -> str | None:
        async with self._session(write=False) as con:
            value = await con.fetchval("SELECT display_name FROM users WHERE user_id = $1", user_id)
        return str(value) if value else None

    async def row_counts(self, user_id: int | None = None) -> dict[str, int]:
        """Rows per table, overall or for one user: lets tests and diagnostics prove forget() is complete."""
        where, args = ("", ()) if user_id is None else ("WHERE user_id = $1", (user_id,))
        async with self._session(write=False) as con:
            return {
                table: int(await con.fetchval(f"SELECT count(*) FROM {table} {where}", *args))
                for table in USER_TABLES
            }

    async def integrity_ok(self) -> bool:
        """True if the database's own checks pass and no row points at a missing parent."""
        async with self._session(write=False) as con:
            problem = await self.driver.integrity_problem(con)
        if problem:
            log.error("history database %s failed integrity check: %s", self.driver.label, problem)
            return False
        return True
