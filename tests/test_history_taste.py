"""History store v3: ratings by user, server-wide ratings, playlists, privacy, names;
migration forward from every earlier schema version without losing a row."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.history import MIGRATIONS, USER_TABLES, HistoryStore
from bot.history_pg import MIGRATIONS as PG_MIGRATIONS
from bot.history_pg import PgHistoryStore


def _database_at(path: Path, version: int) -> None:
    """A database written by the code of schema ``version`` (its migrations, applied
    as that code did), holding one user with a request, shown songs and ratings."""
    con = sqlite3.connect(path)
    for step in MIGRATIONS[:version]:
        for statement in step:
            con.execute(statement)
    con.execute(f"PRAGMA user_version = {version}")
    if version >= 1:
        con.execute(
            "INSERT INTO users (user_id, first_seen, last_seen) "
            "VALUES (7, '2024-01-01T00:00:00', '2024-01-02T00:00:00')"
        )
        con.execute(
            "INSERT INTO requests (id, user_id, command, query_text, song_id, created_at) "
            "VALUES (1, 7, 'recommend', 'la java', 's0', '2024-01-02T00:00:00')"
        )
        con.executemany("INSERT INTO shown VALUES (1, 7, ?, ?)", [(0, "a"), (1, "b")])
        con.executemany(
            "INSERT INTO feedback VALUES (7, ?, ?, ?)",
            [
                ("a", 1, "2024-01-02T00:00:00"),
                ("b", -1, "2024-01-03T00:00:00"),
                ("c", 1, "2024-01-04T00:00:00"),
            ],
        )
    con.commit()
    con.close()


@pytest.mark.parametrize("version", range(0, len(MIGRATIONS)))
async def test_migrates_forward_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.db"
    _database_at(path, version)
    async with await HistoryStore.open(path) as s:
        assert await s.integrity_ok()
        if version >= 1:
            assert await s.ratings(7) == (["c", "a"], ["b"])  # newest first
            assert await s.asked_song_ids(7) == ["s0"]
            assert await s.shown_song_ids(7) == {"a", "b"}
        assert await s.playlists(7) == []
        assert await s.is_private(7) is False
        await s.save_playlist(7, "Chill", "mood", "chill", ["a", "b"])
        await s.set_private(7, True)
        assert await s.is_private(7)
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == HistoryStore.SCHEMA_VERSION
    con.close()


async def _pg_database_at(url: str, version: int) -> None:
    """The PostgreSQL twin of ``_database_at``: schema ``version`` as its code left it, same rows."""
    import asyncpg

    con = await asyncpg.connect(url)
    try:
        async with con.transaction():
            for step in PG_MIGRATIONS[:version]:
                for statement in step:
                    await con.execute(statement)
            if version == 0:
                return  # an empty schema, as before the first start
            await con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            await con.execute("INSERT INTO schema_version VALUES ($1)", version)
            day = [datetime(2024, 1, d, tzinfo=UTC) for d in (1, 2, 3, 4)]
            await con.execute(
                "INSERT INTO users (user_id, first_seen, last_seen) VALUES (7, $1, $2)", day[0], day[1]
            )
            await con.execute(
                "INSERT INTO requests (user_id, command, query_text, song_id, created_at) "
                "VALUES (7, 'recommend', 'la java', 's0', $1)",
                day[1],
            )
            await con.execute("INSERT INTO shown VALUES (1, 7, 0, 'a'), (1, 7, 1, 'b')")
            await con.executemany(
                "INSERT INTO feedback VALUES (7, $1, $2, $3)",
                [("a", 1, day[1]), ("b", -1, day[2]), ("c", 1, day[3])],
            )
    finally:
        await con.close()


@pytest.mark.parametrize("version", range(0, len(PG_MIGRATIONS)))
async def test_postgresql_migrates_forward_from_every_earlier_version(pg_url: str, version: int) -> None:
    await _pg_database_at(pg_url, version)
    async with await PgHistoryStore.open(pg_url) as s:
        assert await s.integrity_ok()
        if version >= 1:
            assert await s.ratings(7) == (["c", "a"], ["b"])  # newest first
            assert await s.asked_song_ids(7) == ["s0"]
            assert await s.shown_song_ids(7) == {"a", "b"}
        assert await s.playlists(7) == []
        assert await s.is_private(7) is False
        await s.save_playlist(7, "Chill", "mood", "chill", ["a", "b"])
        await s.set_private(7, True)
        assert await s.is_private(7)
    async with await PgHistoryStore.open(pg_url) as s:  # reopening migrates nothing, keeps everything
        assert [p.title for p in await s.playlists(7)] == ["Chill"] and await s.is_private(7)


async def test_ratings_server_and_privacy(store) -> None:
    for user, name, guild in ((1, "Ann", 10), (2, "Bob", 10), (3, "Cy", 11), (4, "Dee", 10)):
        await store.record_request(user, "recommend", "x", guild_id=guild, name=name)
    await store.record_feedback(1, "a", 1)
    await store.record_feedback(2, "a", 1)
    await store.record_feedback(2, "z", -1)
    await store.record_feedback(3, "q", 1)
    await store.record_feedback(4, "d", 1)
    await store.set_private(4, True)
    assert await store.server_ratings(10, exclude_user=1) == {2: (["a"], ["z"])}  # Dee opted out
    assert set(await store.server_ratings(None)) == {1, 2, 3}
    assert await store.find_user("bob") == 2 and await store.find_user("@Ann") == 1
    assert await store.find_user("3") == 3 and await store.find_user("nobody") is None
    assert await store.display_name(2) == "Bob"


async def test_playlists_round_trip_and_forget_removes_them(store) -> None:
    first = await store.save_playlist(5, "Like La Java", "song", "la java", ["a", "b", "c"])
    second = await store.save_playlist(5, "A → B", "journey", "a -> b", ["x", "y"])
    saved = await store.playlists(5)
    assert [p.playlist_id for p in saved] == [second, first]
    assert saved[1].song_ids == ("a", "b", "c") and saved[0].kind == "journey"
    with pytest.raises(ValueError):
        await store.save_playlist(5, "t", "song", "q", ["a,b"])
    await store.record_feedback(5, "a", 1)
    deleted = await store.forget(5)
    assert deleted["playlists"] == 2 and deleted["feedback"] == 1
    assert await store.row_counts(5) == dict.fromkeys(USER_TABLES, 0)
    assert await store.ratings(5) == ([], [])


async def test_concurrent_playlist_saves_all_land(store) -> None:
    await asyncio.gather(*(store.save_playlist(9, f"p{i}", "mood", "chill", ["a"]) for i in range(20)))
    assert len(await store.playlists(9, limit=50)) == 20


async def test_ratings_newest_first_and_a_changed_mind_moves_a_song(store) -> None:
    for song, value in (("a", 1), ("b", -1), ("c", 1), ("a", -1)):  # "a" re-rated last: now a dislike
        await store.record_feedback(1, song, value)
    assert await store.ratings(1) == (["c"], ["a", "b"])
    assert await store.ratings(1, limit=2) == (["c"], ["a"])
    assert await store.ratings(404) == ([], [])


async def test_asked_songs_newest_first_without_repeats(store) -> None:
    for song in ("s1", None, "s2", "s1", "s3"):
        await store.record_request(1, "recommend", "q", song_id=song)
    assert await store.asked_song_ids(1) == ["s3", "s1", "s2"]
    assert await store.asked_song_ids(1, limit=2) == ["s3", "s1"]


async def test_opting_back_in_and_names_that_change_or_are_odd(store) -> None:
    await store.record_request(1, "recommend", "x", guild_id=10, name="Old name")
    await store.record_request(1, "recommend", "x", guild_id=10, name="Zoë")
    await store.record_request(2, "recommend", "x", guild_id=10, name="x\x00y \udcff")  # NUL, lone surrogate
    await store.record_feedback(1, "a", 1)
    await store.set_private(1, True)
    assert await store.server_ratings(10) == {}
    await store.set_private(1, False)
    assert await store.server_ratings(10) == {1: (["a"], [])}
    assert await store.find_user("zoë") == 1 and await store.find_user("old name") is None
    assert await store.display_name(2) is not None and await store.find_user("") is None
    assert await store.find_user("9" * 40) is None  # too long for an id: looked up as a name, not an overflow
    assert await store.display_name(404) is None and await store.is_private(404) is False
