"""``python -m bot``: the Discord bot, or the console chat when no token is configured."""

from __future__ import annotations

import argparse
import logging
import sys

from .command_line import run_command
from .config import Settings
from .startup import StartupError

logger = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Clusterfy: song recommendations by how they sound, on Discord or in a console.",
    )
    parser.add_argument(
        "--console", action="store_true", help="chat in this terminal instead of connecting to Discord"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="console: print one JSON object per input line (reply, understood, songs with features)",
    )
    args = parser.parse_args(argv)
    return run_command(
        lambda settings: _serve(settings, console_asked=args.console, as_json=args.json),
        failures=(StartupError,),
    )


def _serve(settings: Settings, *, console_asked: bool, as_json: bool = False) -> int:
    """The console when asked for or when no token is configured, else the Discord bot."""
    console = console_asked or not settings.has_token
    # The console keeps stdout for the chat; the bot logs at the configured level.
    logging.getLogger().setLevel(
        logging.WARNING if console and settings.log_level == "INFO" else settings.log_level
    )
    if console:
        if not console_asked:
            print(
                "No DISCORD_TOKEN configured: starting the console chat (set it in .env to run on Discord).",
                file=sys.stderr,
            )
        from .console import run_console

        return run_console(settings, as_json=as_json)
    from .client import run_bot

    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
