"""Subprocess for tests/test_crash.py: records history as fast as it can until it is killed.

    python tests/helpers_kill_writer.py DB_PATH_OR_POSTGRESQL_URL USER_ID

Each iteration records what a successful recommend records (a request row, then its
shown rows) plus a 👍, exactly as the conversation layer does, then saves those songs
as a playlist (what ``!playlist`` stores), and only after all of it has committed
prints ``ack <request_id> <n_shown> <first_song> <playlist_id>`` and flushes stdout. The parent
kills this process with SIGKILL at some point and then checks that every acknowledged
write is in the database.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store import open_store


async def main(db_path: str, user_id: int) -> None:
    store = await open_store(db_path)
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        shown = [f"song-{user_id}-{i}-{p}" for p in range(1 + i % 5)]
        request_id = await store.record_request(
            user_id, "recommend", f"query {i} '; DROP TABLE x; --", f"seed-{i}", guild_id=1, channel_id=2
        )
        await store.record_shown(request_id, user_id, shown)
        await store.record_feedback(user_id, shown[0], 1 if i % 2 else -1)
        playlist_id = await store.save_playlist(user_id, f"playlist {i}", "song", f"query {i}", shown)
        sys.stdout.write(f"ack {request_id} {len(shown)} {shown[0]} {playlist_id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
