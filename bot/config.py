"""Settings from the environment or a ``.env`` file, validated once at start-up.

Secrets come only from there and are never logged: :class:`Settings` hides the token
in its repr, and every error names the variable, never its value.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from engine.paths import cache_dir, default_catalog

logger = logging.getLogger(__name__)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it and says what to do."""


@dataclass(frozen=True)
class Settings:
    token: str = field(default="", repr=False)
    prefix: str = "!"
    dev_guild_id: int | None = None
    catalog: Path = field(default_factory=default_catalog)
    model_path: Path | None = None
    db_path: Path = field(default_factory=lambda: cache_dir() / "history.sqlite3")
    # Where the console saves playlist files: outside any checkout, so a session never
    # rewrites tracked files.
    export_dir: Path = field(default_factory=lambda: cache_dir() / "playlists")
    k: int | str = 4
    log_level: str = "INFO"
    # A postgresql:// URL from CLUSTERFY_DB (it may hold a password, so never in the repr);
    # when set, history lives there and db_path is unused.
    db_url: str | None = field(default=None, repr=False)
    shard_count: int | None = None  # None: one unsharded connection
    shard_ids: tuple[int, ...] | None = None  # None: every shard of shard_count
    # The privileged Message Content intent: prefix commands need it; mentions, DMs, replies
    # that ping the bot and slash commands work without it (MESSAGE_CONTENT_INTENT=off).
    message_content: bool = True

    @property
    def has_token(self) -> bool:
        return bool(self.token)

    @property
    def history_target(self) -> str | Path:
        """What :func:`bot.store.open_store` opens: the PostgreSQL URL, else the SQLite file."""
        return self.db_url or self.db_path

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None


def load_dotenv_file(path: Path | None = None) -> None:
    """Read ``.env`` (current folder, if present) into the environment without overriding it.

    A malformed file is an error with its line number (python-dotenv only warns).
    """
    env_path = path or Path.cwd() / ".env"
    if not env_path.is_file():
        return
    try:
        lines = env_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {env_path}: {getattr(exc, 'strerror', None) or exc}") from None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        key, sep, _ = stripped.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"{env_path.name} line {number} is not KEY=value; fix or remove it")
    from dotenv import load_dotenv

    load_dotenv(env_path, override=False)


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from ``env`` (default: ``os.environ``), validating each value."""
    e = dict(os.environ if env is None else env)

    def get(name: str) -> str:
        return e.get(name, "").strip()

    prefix = get("COMMAND_PREFIX") or "!"
    if len(prefix) > 5 or any(ch.isspace() for ch in prefix):
        raise ConfigError("COMMAND_PREFIX must be 1–5 characters without spaces, e.g. !")
    guild = get("DEV_GUILD_ID")
    if guild and not guild.isdigit():
        raise ConfigError("DEV_GUILD_ID must be a server id (digits only); leave it empty to sync globally")
    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    k_text = get("CLUSTERFY_K") or "4"
    if k_text != "auto" and not (k_text.isdigit() and 2 <= int(k_text) <= 50):
        raise ConfigError("CLUSTERFY_K must be a whole number from 2 to 50, or auto")
    token = get("DISCORD_TOKEN")
    if token and (any(ch.isspace() for ch in token) or len(token) < 20):
        raise ConfigError(
            "DISCORD_TOKEN does not look like a bot token; copy it again from the "
            "Developer Portal (Bot → Reset Token)"
        )
    model = get("CLUSTERFY_MODEL")
    db = get("CLUSTERFY_DB")
    export = get("CLUSTERFY_EXPORT_DIR")
    db_url = _check_db_url(db) if "://" in db else None
    shard_count, shard_ids = _shards(get("SHARD_COUNT"), get("SHARD_IDS"))
    intent = (get("MESSAGE_CONTENT_INTENT") or "on").lower()
    if intent not in ("on", "off", "true", "false", "1", "0", "yes", "no"):
        raise ConfigError("MESSAGE_CONTENT_INTENT must be on or off")
    return Settings(
        token=token,
        prefix=prefix,
        dev_guild_id=int(guild) if guild else None,
        catalog=default_catalog(e),
        model_path=Path(model).expanduser() if model else None,
        db_path=Path(db).expanduser() if db and not db_url else cache_dir(e) / "history.sqlite3",
        export_dir=Path(export).expanduser() if export else cache_dir(e) / "playlists",
        k=k_text if k_text == "auto" else int(k_text),
        log_level=level,
        db_url=db_url,
        message_content=intent in ("on", "true", "1", "yes"),
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


def _check_db_url(url: str) -> str:
    """A CLUSTERFY_DB URL must be PostgreSQL's and well formed; errors never repeat it (password)."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in ("postgresql", "postgres"):
        raise ConfigError(
            "CLUSTERFY_DB must be a SQLite file path or a postgresql:// URL, "
            "e.g. postgresql://clusterfy:secret@localhost:5432/clusterfy"
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(
            "CLUSTERFY_DB is not a valid PostgreSQL URL (check the host and port), e.g. "
            "postgresql://clusterfy:secret@localhost:5432/clusterfy"
        ) from None
    if importlib.util.find_spec("asyncpg") is None:
        raise ConfigError(
            "CLUSTERFY_DB is a PostgreSQL URL but the asyncpg package is not installed; pip install asyncpg"
        )
    return url


def _shards(count_text: str, ids_text: str) -> tuple[int | None, tuple[int, ...] | None]:
    """SHARD_COUNT (total shards across every process) and SHARD_IDS (this process's share)."""
    if not count_text:
        if ids_text:
            raise ConfigError(
                "SHARD_IDS needs SHARD_COUNT (the total number of shards across all "
                "processes), e.g. SHARD_COUNT=4 SHARD_IDS=0,1"
            )
        return None, None
    if not count_text.isdigit() or not 1 <= int(count_text) <= 10_000:
        raise ConfigError(
            "SHARD_COUNT must be a whole number of shards from 1 to 10000 "
            "(Discord requires about one per 1,000 servers; at least one per 2,500)"
        )
    count = int(count_text)
    if not ids_text:
        return count, None
    items = [item.strip() for item in ids_text.split(",")]
    if not all(item.isdigit() for item in items):
        raise ConfigError("SHARD_IDS must be shard numbers separated by commas, e.g. 0,1")
    ids = tuple(int(item) for item in items)
    if any(i >= count for i in ids):
        raise ConfigError(
            f"SHARD_IDS must be below SHARD_COUNT ({count}): shards are numbered 0 to {count - 1}"
        )
    if len(set(ids)) != len(ids):
        raise ConfigError("SHARD_IDS lists a shard twice; list each shard once")
    return count, tuple(sorted(ids))
