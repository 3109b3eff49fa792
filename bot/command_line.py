"""What every ``python -m bot…`` command line does around its own work, written once.

``python -m bot`` (the bot or the console) and ``python -m bot.store`` (the container's
first step: wait for the database and migrate it) both log warnings to stderr in one
format, read ``.env`` and the environment into :class:`~bot.config.Settings`, and end a
failure the operator must fix as one ``error: …`` line, never a traceback, with a status
scripts can tell apart: 2 for a setting, 1 for what the command itself hit, 130 for Ctrl-C.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from .config import ConfigError, Settings, load_dotenv_file, settings_from_env

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def run_command(body: Callable[[Settings], int], *, failures: tuple[type[Exception], ...]) -> int:
    """Set up, then ``body(settings)``; its return value, or the status of how it failed.

    ``failures`` are the exceptions whose message is already the one line to show.
    """
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=LOG_FORMAT)
    try:
        load_dotenv_file()
        settings = settings_from_env()
    except ConfigError as exc:
        return _fail(exc, 2)
    try:
        return body(settings)
    except failures as exc:
        return _fail(exc, 1)
    except KeyboardInterrupt:
        return 130


def _fail(exc: Exception, status: int) -> int:
    print(f"error: {exc}", file=sys.stderr)
    return status
