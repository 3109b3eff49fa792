"""What a history store offers (:class:`Store`), and opening the one CLUSTERFY_DB names:
a SQLite file (default) or a PostgreSQL URL.

There is one store, :class:`bot.history.HistoryStore`, over a driver per database, so both
backends have the same methods and behaviour; the conversation and the cogs are typed
against :class:`Store` and never know which database they use.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, Self

from .history import HistoryEntry, HistoryStore, HistoryStoreError, SavedPlaylist
from .history_pg import PgHistoryStore, is_postgres_url

if TYPE_CHECKING:
    from .config import Settings

logger = logging.getLogger(__name__)


class Store(Protocol):
    """A user history: what the bot records and asks about its listeners.

    Writes commit before they return; ``forget`` removes everything about a user at once.
    Ids are Discord snowflakes (64-bit); times are timezone-aware UTC; a negative ``limit``
    means no rows.
    """

    @property
    def closed(self) -> bool: ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def record_request(
        self,
        user_id: int,
        command: str,
        query: str,
        song_id: str | None = None,
        guild_id: int | None = None,
        channel_id: int | None = None,
        name: str | None = None,
    ) -> int: ...

    async def record_shown(self, request_id: int, user_id: int, song_ids: Sequence[str]) -> None: ...

    async def record_feedback(self, user_id: int, song_id: str, value: int) -> None: ...

    async def save_dialogue_state(self, user_id: int, channel_id: int, state: str) -> None: ...

    async def dialogue_state(self, user_id: int, channel_id: int) -> str | None: ...

    async def forget(self, user_id: int) -> dict[str, int]: ...

    async def shown_song_ids(self, user_id: int) -> set[str]: ...

    async def disliked_song_ids(self, user_id: int) -> set[str]: ...

    async def feedback(self, user_id: int) -> dict[str, int]: ...

    async def recent(self, user_id: int, limit: int = 10) -> list[HistoryEntry]: ...

    async def ratings(self, user_id: int, limit: int = 1000) -> tuple[list[str], list[str]]: ...

    async def asked_song_ids(self, user_id: int, limit: int = 200) -> list[str]: ...

    async def server_ratings(
        self, guild_id: int | None, exclude_user: int | None = None, limit: int = 200_000
    ) -> dict[int, tuple[list[str], list[str]]]: ...

    async def save_playlist(
        self, user_id: int, title: str, kind: str, query: str, song_ids: Sequence[str]
    ) -> int: ...

    async def playlists(self, user_id: int, limit: int = 10) -> list[SavedPlaylist]: ...

    async def set_private(self, user_id: int, private: bool) -> None: ...

    async def is_private(self, user_id: int) -> bool: ...

    async def find_user(self, text: str) -> int | None: ...

    async def display_name(self, user_id: int) -> str | None: ...

    async def row_counts(self, user_id: int | None = None) -> dict[str, int]: ...

    async def integrity_ok(self) -> bool: ...


async def open_store(target: str | Path, *, max_connections: int = 10) -> Store:
    """``postgresql://…`` or ``postgres://…`` -> PostgreSQL; anything else is a SQLite path
    (``":memory:"`` for a throwaway one). Raises HistoryStoreError with one actionable line."""
    store_class = PgHistoryStore if is_postgres_url(target) else HistoryStore
    return await store_class.open(target, max_connections=max_connections)


async def wait_for_store(target: str | Path, timeout: float, *, interval: float = 1.0) -> None:
    """Open (and so migrate) the store, retrying while the server is not up yet.

    Containers start together: the bot may come up before PostgreSQL accepts connections.
    Raises the last HistoryStoreError once ``timeout`` seconds have passed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            store = await open_store(target, max_connections=1)
        except HistoryStoreError as exc:
            if loop.time() + interval > deadline or "cannot connect" not in str(exc):
                raise
            logger.warning("history database not reachable yet, retrying: %s", exc)
            await asyncio.sleep(interval)
        else:
            await store.close()
            return


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.store --wait SECONDS``: the container entry script's first step."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.store", description="Check that CLUSTERFY_DB can be opened; migrate it."
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="keep retrying this long while the database server is not reachable",
    )
    args = parser.parse_args(argv)
    from .command_line import run_command

    def migrate(settings: Settings) -> int:
        asyncio.run(wait_for_store(settings.history_target, args.wait))
        return 0

    return run_command(migrate, failures=(HistoryStoreError,))


if __name__ == "__main__":
    sys.exit(main())
