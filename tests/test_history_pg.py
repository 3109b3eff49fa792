"""PostgreSQL history: what differs from SQLite (URLs, schema_version, refusals, server-side
concurrency, a killed writer) on a real server. The shared behaviour (round trips, forget,
injection, concurrency) runs on both backends through the ``store``/``file_store`` fixtures.

Needs CLUSTERFY_TEST_PG_URL (``scripts/pg_test_server.sh start``); see conftest.py.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import asyncpg
import pytest
from test_crash import _run_and_kill

from bot.history import MIGRATIONS as SQLITE_MIGRATIONS
from bot.history import USER_TABLES, HistoryEntry, HistoryStore, HistoryStoreError
from bot.history_pg import MIGRATIONS, SERVICE_TABLES, PgHistoryStore, redact_url
from bot.store import open_store


async def _sql(url: str, sql: str, *args: object) -> list[asyncpg.Record]:
    con = await asyncpg.connect(url)
    try:
        return await con.fetch(sql, *args)
    finally:
        await con.close()


async def _tables(url: str) -> set[str]:
    return {
        r[0] for r in await _sql(url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    }


def test_every_sqlite_migration_has_a_postgresql_step() -> None:
    """A new SQLite migration must be ported, or the two backends' schemas drift apart."""
    assert len(MIGRATIONS) == len(SQLITE_MIGRATIONS)
    assert PgHistoryStore.SCHEMA_VERSION == HistoryStore.SCHEMA_VERSION


async def test_open_picks_the_backend_from_the_target(pg_url: str, tmp_path) -> None:
    async with await open_store(pg_url) as pg, await open_store(tmp_path / "h.db") as lite:
        assert isinstance(pg, PgHistoryStore) and isinstance(lite, HistoryStore)
    assert (tmp_path / "h.db").is_file()


async def test_schema_version_and_every_table_covered_by_forget(pg_url: str) -> None:
    async with await PgHistoryStore.open(pg_url) as s:
        assert await s.integrity_ok()
    assert [r[0] for r in await _sql(pg_url, "SELECT version FROM schema_version")] == [
        PgHistoryStore.SCHEMA_VERSION
    ]
    assert set(USER_TABLES) < await _tables(pg_url) <= set(USER_TABLES) | set(SERVICE_TABLES)
    for table in USER_TABLES:
        columns = {
            r[0]
            for r in await _sql(
                pg_url,
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = $1",
                table,
            )
        }
        assert "user_id" in columns, table


async def test_migration_from_v1_keeps_rows(pg_url: str) -> None:
    con = await asyncpg.connect(pg_url)
    async with con.transaction():  # a database as the v1 code left it
        for statement in MIGRATIONS[0]:
            await con.execute(statement)
        await con.execute(
            "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1)"
        )
        when = datetime(2024, 1, 2, tzinfo=UTC)
        await con.execute("INSERT INTO users VALUES (7, $1, $1)", when)
        await con.execute(
            "INSERT INTO requests (user_id, command, query_text, song_id, created_at) "
            "VALUES (7, 'recommend', 'old query', 's1', $1)",
            when,
        )
        await con.execute("INSERT INTO shown VALUES (1, 7, 0, 'a'), (1, 7, 1, 'b')")
        await con.execute("INSERT INTO feedback VALUES (7, 'a', -1, $1)", when)
    await con.close()
    async with await PgHistoryStore.open(pg_url) as s:
        assert await s.row_counts() == {
            "shown": 2,
            "feedback": 1,
            "playlists": 0,
            "conversations": 0,
            "requests": 1,
            "users": 1,
        }
        assert await s.recent(7) == [HistoryEntry(1, "recommend", "old query", "s1", when, ("a", "b"))]
        new_id = await s.record_request(
            7, "similar", "q", guild_id=2**62, channel_id=20
        )  # v2 columns, big ids
        assert [e.request_id for e in await s.recent(7)] == [new_id, 1]
        assert await s.integrity_ok()
    assert (await _sql(pg_url, "SELECT guild_id FROM requests WHERE id = $1", new_id))[0][0] == 2**62
    assert (await _sql(pg_url, "SELECT version FROM schema_version"))[0][0] == PgHistoryStore.SCHEMA_VERSION


async def test_future_version_refused_and_untouched(pg_url: str) -> None:
    async with await PgHistoryStore.open(pg_url) as s:
        await s.record_request(1, "recommend", "x")
    await _sql(pg_url, "UPDATE schema_version SET version = 99")
    with pytest.raises(HistoryStoreError, match="newer Clusterfy.*v99"):
        await PgHistoryStore.open(pg_url)
    assert (await _sql(pg_url, "SELECT version FROM schema_version"))[0][0] == 99
    assert (await _sql(pg_url, "SELECT count(*) FROM requests"))[0][0] == 1


async def test_someone_elses_tables_refused_and_untouched(pg_url: str) -> None:
    await _sql(pg_url, "CREATE TABLE invoices (id INT)")
    with pytest.raises(HistoryStoreError, match="not Clusterfy's.*invoices"):
        await PgHistoryStore.open(pg_url)
    assert await _tables(pg_url) == {"invoices"}


async def test_processes_starting_at_once_migrate_once(pg_url: str) -> None:
    """Eight stores (as from several bot processes) open one empty schema together."""
    stores = await asyncio.gather(*(PgHistoryStore.open(pg_url, max_connections=2) for _ in range(8)))
    try:
        ids = await asyncio.gather(*(s.record_request(n, "recommend", "x") for n, s in enumerate(stores)))
        assert len(set(ids)) == 8
        assert (await _sql(pg_url, "SELECT count(*), max(version) FROM schema_version"))[0] == (
            1,
            PgHistoryStore.SCHEMA_VERSION,
        )
        assert await stores[0].row_counts() == {
            "shown": 0,
            "feedback": 0,
            "playlists": 0,
            "conversations": 0,
            "requests": 8,
            "users": 8,
        }
    finally:
        await asyncio.gather(*(s.close() for s in stores))


async def test_forget_is_all_or_nothing(pg_url: str) -> None:
    """If deleting any table fails, forget() removes nothing at all (one transaction)."""
    async with await PgHistoryStore.open(pg_url) as s:
        rid = await s.record_request(1, "recommend", "x")
        await s.record_shown(rid, 1, ["a", "b"])
        await s.record_feedback(1, "a", 1)
        await s.save_playlist(1, "Chill", "mood", "chill", ["a", "b"])
        await s.save_dialogue_state(1, 0, "{}")
        before = await s.row_counts(1)
        # users is deleted last: make that step fail after the other tables were emptied.
        await _sql(
            pg_url,
            "CREATE FUNCTION no_delete() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'deletes are blocked'; END$$",
        )
        await _sql(
            pg_url, "CREATE TRIGGER block BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION no_delete()"
        )
        with pytest.raises(HistoryStoreError, match="deletes are blocked"):
            await s.forget(1)
        assert (
            await s.row_counts(1)
            == before
            == {"shown": 2, "feedback": 1, "playlists": 1, "conversations": 1, "requests": 1, "users": 1}
        )
        assert [p.song_ids for p in await s.playlists(1)] == [("a", "b")]
        await _sql(pg_url, "DROP TRIGGER block ON users")
        assert await s.forget(1) == before
        assert await s.row_counts() == dict.fromkeys(USER_TABLES, 0)


async def test_text_postgresql_cannot_hold_is_stored_not_refused(pg_url: str) -> None:
    """NUL and lone surrogates (fine in SQLite) would make PostgreSQL reject the whole write."""
    async with await PgHistoryStore.open(pg_url) as s:
        rid = await s.record_request(1, "recommend", "a\x00b \udcff end", song_id="s\x00")
        await s.record_shown(rid, 1, ["x\x00y"])
        (entry,) = await s.recent(1)
        assert entry.query == "a\ufffdb ? end" and entry.song_id == "s\ufffd" and entry.shown == ("x\ufffdy",)


async def test_unreachable_server_is_one_line_without_the_password(tmp_path) -> None:
    url = f"postgresql://bot:hunter2secret@/clusterfy?host={tmp_path}/no-server-here"
    with pytest.raises(HistoryStoreError) as info:
        await open_store(url)
    message = str(info.value)
    assert "hunter2secret" not in message and "\n" not in message
    assert "cannot connect" in message and "PostgreSQL server is running" in message
    assert redact_url(url) == f"postgresql://bot:***@/clusterfy?host={tmp_path}/no-server-here"
    assert (
        redact_url("postgresql://db:5432/x?user=bot&password=hunter2&sslmode=require")
        == "postgresql://db:5432/x?user=bot&password=***&sslmode=require"
    )


async def test_missing_database_is_named(pg_server_url: str) -> None:
    url = pg_server_url.replace("/postgres?", "/no_such_db?")
    with pytest.raises(HistoryStoreError, match="does not exist; create it"):
        await open_store(url)


async def test_sigkilled_writer_loses_no_acknowledged_write(pg_url: str, figures) -> None:
    """The crash test's writer, on PostgreSQL: every write it acknowledged is there after kill -9."""
    rng = random.Random(7)
    acked: dict[int, tuple[int, int, str]] = {}
    playlists: dict[int, tuple[int, int, str]] = {}
    for kill in range(3):
        user = 2000 + kill
        for rid, n, first_song, playlist_id in _run_and_kill(pg_url, user, rng.randint(20, 80)):
            acked[rid] = (user, n, first_song)
            playlists[playlist_id] = (user, n, first_song)
    async with await PgHistoryStore.open(pg_url) as s:
        assert await s.integrity_ok()
        ids = {r[0] for r in await _sql(pg_url, "SELECT id FROM requests")}
        assert not set(acked) - ids
        shown = {r[0]: r[1] for r in await _sql(pg_url, "SELECT request_id, count(*) FROM shown GROUP BY 1")}
        for rid, (user, n, first_song) in acked.items():
            assert shown.get(rid) == n
            assert first_song in (await s.feedback(user))
        saved = {p.playlist_id: p.song_ids for u in range(2000, 2003) for p in await s.playlists(u, 100_000)}
        for playlist_id, (_, n, first_song) in playlists.items():
            assert len(saved[playlist_id]) == n and saved[playlist_id][0] == first_song
    figures(f"postgresql: kills survived 3/3, acknowledged writes checked: {len(acked)}")
