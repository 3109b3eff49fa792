"""History database drivers: one abstract :class:`Driver`, one subclass per database.

The idea is Red-DiscordBot's ``redbot/core/_drivers``: the store above
(:class:`bot.history.HistoryStore`) holds the behaviour and the SQL, once; a driver holds
only what differs between databases (connecting, transactions, migrations, placeholders,
new-row ids, column types). Adding a database means adding a driver, not a third store.
"""

from .base import Connection, Driver, HistoryStoreError, Migrations, Row
from .postgres import PostgresDriver, is_postgres_url, redact_url
from .sqlite import SqliteDriver

__all__ = [
    "Connection",
    "Driver",
    "HistoryStoreError",
    "Migrations",
    "PostgresDriver",
    "Row",
    "SqliteDriver",
    "is_postgres_url",
    "redact_url",
]
