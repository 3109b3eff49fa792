"""Open the history store CLUSTERFY_DB names: a SQLite file (default) or a PostgreSQL URL.

Both backends have the same public methods and behaviour (see :mod:`bot.history` and
:mod:`bot.history_pg`), so the conversation and the cogs never know which one they use.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Union

from .history import HistoryStore, HistoryStoreError
from .history_pg import is_postgres_url

if TYPE_CHECKING:
    from .history_pg import PgHistoryStore

logger = logging.getLogger(__name__)

#: Either backend; annotate with this where code must accept both.
Store = Union[HistoryStore, "PgHistoryStore"]


async def open_store(target: str | Path, *, max_connections: int = 10) -> Store:
    """``postgresql://…`` or ``postgres://…`` -> PostgreSQL; anything else is a SQLite path
    (``":memory:"`` for a throwaway one). Raises HistoryStoreError with one actionable line."""
    if is_postgres_url(target):
        from .history_pg import PgHistoryStore

        return await PgHistoryStore.open(str(target), max_connections=max_connections)
    return await HistoryStore.open(target)


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
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from .config import ConfigError, load_dotenv_file, settings_from_env

    try:
        load_dotenv_file()
        settings = settings_from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(wait_for_store(settings.history_target, args.wait))
    except HistoryStoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
