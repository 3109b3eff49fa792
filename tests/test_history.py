"""Tests for bot.history: schema, migrations, refusal of bad files, API round trips, concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot._drivers.sqlite import SqliteDriver
from bot.history import USER_TABLES, HistoryEntry, HistoryStore, HistoryStoreError

# The v1 schema exactly as released, copied (not imported) so the test keeps
# meaning "a database written by the old code" even if the module changes.
V1_SCHEMA = """
CREATE TABLE users (user_id INTEGER PRIMARY KEY, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    command TEXT NOT NULL, query_text TEXT NOT NULL, song_id TEXT, created_at TEXT NOT NULL);
CREATE TABLE shown (
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    position INTEGER NOT NULL, song_id TEXT NOT NULL, PRIMARY KEY (request_id, position));
CREATE TABLE feedback (
    user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    song_id TEXT NOT NULL, value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    updated_at TEXT NOT NULL, PRIMARY KEY (user_id, song_id));
PRAGMA user_version = 1;
"""


@pytest.fixture(params=["sqlite-file", "postgresql"])
async def file_store(request: pytest.FixtureRequest, tmp_path: Path):
    """A durable store: a SQLite file (WAL, real locking), or a fresh PostgreSQL schema."""
    from bot.store import open_store

    target = tmp_path / "history.db" if request.param == "sqlite-file" else request.getfixturevalue("pg_url")
    s = await open_store(target)
    yield s
    await s.close()


def _pragma(path: Path, name: str) -> object:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------ schema & open
async def test_schema_version_is_set(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    async with await HistoryStore.open(path) as s:
        assert s.SCHEMA_VERSION >= 2
        assert await s.integrity_ok()
    assert _pragma(path, "user_version") == HistoryStore.SCHEMA_VERSION


async def test_wal_mode_for_file_db(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    async with await HistoryStore.open(path) as s:
        await s.record_request(1, "recommend", "x")
        async with s._session(write=False) as db:  # the store's own connection settings
            for pragma, expected in (("journal_mode", "wal"), ("synchronous", 1), ("foreign_keys", 1)):
                assert await db.fetchval(f"PRAGMA {pragma}") == expected, pragma
            assert await db.fetchval("PRAGMA busy_timeout") > 0
    assert _pragma(path, "journal_mode") == "wal"  # persistent in the file


async def test_creates_missing_parent_dirs(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "h.db"
    async with await HistoryStore.open(path) as s:
        await s.record_request(1, "recommend", "x")
    assert path.is_file()


async def test_every_table_is_covered_by_forget() -> None:
    """Guard for future migrations: a new table with user data must join USER_TABLES."""
    async with await HistoryStore.open(":memory:") as s:
        async with s._session(write=False) as db:
            rows = await db.fetch(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            tables = {row[0] for row in rows}
            assert tables == set(USER_TABLES)
            for table in tables:
                assert "user_id" in {row[1] for row in await db.fetch(f"PRAGMA table_info({table})")}, table


async def test_migration_from_v1_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.executescript(V1_SCHEMA)
    con.execute("INSERT INTO users VALUES (7, '2024-01-01T00:00:00', '2024-01-02T00:00:00')")
    con.execute("INSERT INTO requests VALUES (1, 7, 'recommend', 'old query', 's1', '2024-01-02T00:00:00')")
    con.executemany("INSERT INTO shown VALUES (1, 7, ?, ?)", [(0, "a"), (1, "b")])
    con.execute("INSERT INTO feedback VALUES (7, 'a', -1, '2024-01-02T00:00:00')")
    con.commit()
    con.close()
    assert _pragma(path, "user_version") == 1

    async with await HistoryStore.open(path) as s:
        assert await s.row_counts() == {
            "shown": 2,
            "feedback": 1,
            "playlists": 0,
            "conversations": 0,
            "requests": 1,
            "users": 1,
        }
        (old,) = await s.recent(7)
        assert old == HistoryEntry(
            1, "recommend", "old query", "s1", datetime(2024, 1, 2, tzinfo=UTC), ("a", "b")
        )
        assert await s.disliked_song_ids(7) == {"a"}
        new_id = await s.record_request(7, "similar", "q", guild_id=10, channel_id=20)  # v2 columns work
        assert new_id > 1
        assert [e.request_id for e in await s.recent(7)] == [new_id, 1]
        assert await s.integrity_ok()
    assert _pragma(path, "user_version") == HistoryStore.SCHEMA_VERSION
    con = sqlite3.connect(path)
    assert con.execute("SELECT guild_id, channel_id FROM requests WHERE id = ?", (new_id,)).fetchone() == (
        10,
        20,
    )
    con.close()


async def test_future_version_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    future = HistoryStore.SCHEMA_VERSION + 5
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE something_new (x)")
    con.execute(f"PRAGMA user_version = {future}")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(HistoryStoreError) as err:
        await HistoryStore.open(path)
    message = str(err.value)
    assert f"schema v{future}" in message and f"up to v{HistoryStore.SCHEMA_VERSION}" in message
    assert "newer Clusterfy" in message and "CLUSTERFY_DB" in message
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


async def test_non_sqlite_file_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 50)
    before = path.read_bytes()
    with pytest.raises(HistoryStoreError, match="not a SQLite database") as err:
        await HistoryStore.open(path)
    assert "\n" not in str(err.value)
    assert path.read_bytes() == before


async def test_foreign_sqlite_db_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other_app.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (name TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(HistoryStoreError, match="not a Clusterfy history database"):
        await HistoryStore.open(path)
    assert path.read_bytes() == before


async def test_empty_file_is_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    async with await HistoryStore.open(path) as s:
        assert await s.row_counts() == dict.fromkeys(USER_TABLES, 0)


async def test_unwritable_directory_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a regular file where a directory should be")
    with pytest.raises(HistoryStoreError, match="cannot create directory") as err:
        await HistoryStore.open(blocker / "db.sqlite")
    assert "CLUSTERFY_DB" in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(HistoryStoreError):
        await HistoryStore.open(blocker / "deeper" / "db.sqlite")


async def test_directory_instead_of_file_refused(tmp_path: Path) -> None:
    with pytest.raises(HistoryStoreError, match="is a directory"):
        await HistoryStore.open(tmp_path)


async def test_raw_sqlite_errors_are_wrapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(SqliteDriver, "_migrate", classmethod(lambda cls, db, label: broken()))
    with pytest.raises(HistoryStoreError, match="disk I/O error"):
        await HistoryStore.open(tmp_path / "h.db")


# ------------------------------------------------------------------------- API
async def test_record_and_recent_round_trip(store: HistoryStore) -> None:
    start = datetime.now(UTC)
    first = await store.record_request(1, "recommend", "calm piano", song_id="s0", guild_id=5, channel_id=6)
    await store.record_shown(first, 1, ["c", "a", "b"])
    second = await store.record_request(1, "mood", "happy")
    await store.record_shown(second, 1, ["z"])
    third = await store.record_request(1, "search", "nothing shown")
    await store.record_request(2, "recommend", "someone else")

    entries = await store.recent(1)
    assert [e.request_id for e in entries] == [third, second, first]
    assert entries[2] == HistoryEntry(
        first, "recommend", "calm piano", "s0", entries[2].created_at, ("c", "a", "b")
    )
    assert entries[1].shown == ("z",) and entries[0].shown == ()
    for e in entries:
        assert e.created_at.tzinfo is not None and e.created_at.utcoffset() == timedelta(0)
        assert start - timedelta(seconds=1) <= e.created_at <= datetime.now(UTC)
    assert [e.request_id for e in await store.recent(1, limit=2)] == [third, second]
    assert await store.recent(1, limit=0) == []
    assert await store.recent(99) == []
    assert await store.shown_song_ids(1) == {"a", "b", "c", "z"}
    assert await store.shown_song_ids(2) == set()


async def test_a_negative_limit_means_no_rows_on_every_backend(store: HistoryStore) -> None:
    """SQLite alone reads ``LIMIT -1`` as "no limit": a negative limit must not list everything."""
    for song in ("s1", "s2"):
        rid = await store.record_request(1, "recommend", "x", song_id=song, guild_id=3)
        await store.record_shown(rid, 1, [song])
        await store.record_feedback(1, song, 1)
        await store.save_playlist(1, "p", "song", "x", [song])
    assert len(await store.recent(1, limit=1)) == 1  # the rows are there for a positive limit
    assert await store.ratings(1, limit=1) == (["s2"], [])
    assert await store.asked_song_ids(1, limit=1) == ["s2"]
    assert await store.server_ratings(3, limit=1) == {1: (["s2"], [])}
    assert len(await store.playlists(1, limit=1)) == 1
    for limit in (-1, -7):
        assert await store.recent(1, limit=limit) == []
        assert await store.ratings(1, limit=limit) == ([], [])
        assert await store.asked_song_ids(1, limit=limit) == []
        assert await store.server_ratings(3, limit=limit) == {}
        assert await store.server_ratings(None, limit=limit) == {}
        assert await store.playlists(1, limit=limit) == []


async def test_record_shown_rejects_foreign_request(store: HistoryStore) -> None:
    rid = await store.record_request(1, "recommend", "x")
    with pytest.raises(ValueError):
        await store.record_shown(rid, 2, ["a"])
    with pytest.raises(ValueError):
        await store.record_shown(rid + 100, 1, ["a"])
    assert (await store.row_counts())["shown"] == 0
    await store.record_shown(rid, 1, [])  # no-op, not an error


async def test_feedback_latest_wins(store: HistoryStore) -> None:
    await store.record_feedback(1, "a", 1)
    await store.record_feedback(1, "b", -1)
    await store.record_feedback(1, "a", -1)
    await store.record_feedback(1, "b", 1)
    await store.record_feedback(1, "c", -1)
    await store.record_feedback(2, "a", 1)
    assert await store.feedback(1) == {"a": -1, "b": 1, "c": -1}
    assert await store.disliked_song_ids(1) == {"a", "c"}
    assert await store.disliked_song_ids(2) == set()
    assert (await store.row_counts(1))["feedback"] == 3
    assert (await store.row_counts(1))["users"] == 1  # feedback alone registers the user
    for bad in (0, 2, -2, True):
        with pytest.raises(ValueError):
            await store.record_feedback(1, "a", bad)
    assert await store.feedback(1) == {"a": -1, "b": 1, "c": -1}


async def test_forget_removes_everything_about_user_only(file_store: HistoryStore) -> None:
    for user in (1, 2):
        for n in range(3):
            rid = await file_store.record_request(user, "recommend", f"q{n}", guild_id=9)
            await file_store.record_shown(rid, user, [f"s{n}", f"t{n}"])
        await file_store.record_feedback(user, "s0", -1)
        await file_store.record_feedback(user, "s1", 1)
        await file_store.save_playlist(user, "p", "mood", "chill", ["s0", "s1"])
        await file_store.save_dialogue_state(user, 5, '{"subject": "mood"}')
        await file_store.save_dialogue_state(user, 5, '{"subject": "songs"}')  # one row per channel
    expected = {"shown": 6, "feedback": 2, "playlists": 1, "conversations": 1, "requests": 3, "users": 1}
    assert await file_store.row_counts(1) == expected
    assert await file_store.row_counts(2) == expected
    assert await file_store.row_counts() == {k: 2 * v for k, v in expected.items()}

    assert await file_store.forget(1) == expected
    assert await file_store.row_counts(1) == dict.fromkeys(USER_TABLES, 0)
    assert await file_store.row_counts(2) == expected
    assert await file_store.row_counts() == expected
    assert await file_store.recent(1) == [] and await file_store.feedback(1) == {}
    assert await file_store.shown_song_ids(1) == set()
    assert len(await file_store.recent(2)) == 3
    assert await file_store.dialogue_state(1, 5) is None
    assert await file_store.dialogue_state(2, 5) == '{"subject": "songs"}'
    assert await file_store.forget(1) == dict.fromkeys(USER_TABLES, 0)
    assert await file_store.integrity_ok()


async def test_forget_does_not_reuse_request_ids(store: HistoryStore) -> None:
    rid = await store.record_request(1, "recommend", "x")
    await store.forget(1)
    assert await store.record_request(2, "recommend", "y") > rid


async def test_sql_injection_stored_verbatim(store: HistoryStore) -> None:
    nasty = "'; DROP TABLE requests; --"
    rid = await store.record_request(1, nasty, nasty, song_id=nasty)
    await store.record_shown(rid, 1, [nasty, 'x"); DELETE FROM shown; --'])
    await store.record_feedback(1, nasty, -1)
    (entry,) = await store.recent(1)
    assert (entry.command, entry.query, entry.song_id) == (nasty, nasty, nasty)
    assert entry.shown == (nasty, 'x"); DELETE FROM shown; --')
    assert await store.disliked_song_ids(1) == {nasty}
    assert await store.row_counts() == {
        "shown": 2,
        "feedback": 1,
        "playlists": 0,
        "conversations": 0,
        "requests": 1,
        "users": 1,
    }
    assert await store.integrity_ok()


async def test_concurrent_requests_all_recorded(file_store: HistoryStore) -> None:
    async def one(user: int, n: int) -> int:
        rid = await file_store.record_request(user, "recommend", f"u{user} n{n}", guild_id=1, channel_id=2)
        await file_store.record_shown(rid, user, [f"{user}-{n}-{k}" for k in range(5)])
        if n % 3 == 0:
            await file_store.record_feedback(user, f"{user}-{n}-0", -1 if n % 2 else 1)
        return rid

    jobs = [one(user, n) for n in range(10) for user in range(20)]
    ids = await asyncio.gather(*jobs)
    assert len(ids) == len(set(ids)) == 200
    assert await file_store.row_counts() == {
        "shown": 1000,
        "feedback": 80,
        "playlists": 0,
        "conversations": 0,
        "requests": 200,
        "users": 20,
    }
    for user in range(20):
        entries = await file_store.recent(user, limit=50)
        assert len(entries) == 10
        assert [e.request_id for e in entries] == sorted((e.request_id for e in entries), reverse=True)
        for e in entries:
            n = int(e.query.split("n")[-1])
            assert e.shown == tuple(f"{user}-{n}-{k}" for k in range(5))
    assert await file_store.integrity_ok()


async def test_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    async with await HistoryStore.open(path) as s:
        rid = await s.record_request(1, "recommend", "x")
        await s.record_shown(rid, 1, ["a"])
    async with await HistoryStore.open(path) as s:
        assert await s.shown_song_ids(1) == {"a"}
        assert await s.integrity_ok()


async def test_closed_store_raises_clear_error(tmp_path: Path) -> None:
    s = await HistoryStore.open(tmp_path / "h.db")
    await s.close()
    await s.close()  # idempotent
    with pytest.raises(HistoryStoreError, match="closed"):
        await s.recent(1)
