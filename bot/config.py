"""Settings from the environment or a ``.env`` file, validated once at start-up.

Secrets come only from there and are never logged: :class:`Settings` hides the token
in its repr, and every error names the variable, never its value.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

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
    k: int | str = 4
    log_level: str = "INFO"

    @property
    def has_token(self) -> bool:
        return bool(self.token)


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
            stripped = stripped[len("export "):].lstrip()
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
        raise ConfigError("DISCORD_TOKEN does not look like a bot token; copy it again from the "
                          "Developer Portal (Bot → Reset Token)")
    model = get("CLUSTERFY_MODEL")
    db = get("CLUSTERFY_DB")
    return Settings(
        token=token,
        prefix=prefix,
        dev_guild_id=int(guild) if guild else None,
        catalog=default_catalog(e),
        model_path=Path(model).expanduser() if model else None,
        db_path=Path(db).expanduser() if db else cache_dir(e) / "history.sqlite3",
        k=k_text if k_text == "auto" else int(k_text),
        log_level=level,
    )
