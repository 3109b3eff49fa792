"""``python -m bot``: the Discord bot, or the console chat when no token is configured."""

from __future__ import annotations

import argparse
import logging
import sys

from .config import ConfigError, load_dotenv_file, settings_from_env
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
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        load_dotenv_file()
        settings = settings_from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    console = args.console or not settings.has_token
    # The console keeps stdout for the chat; the bot logs at the configured level.
    logging.getLogger().setLevel(
        logging.WARNING if console and settings.log_level == "INFO" else settings.log_level
    )
    try:
        if console:
            if not args.console:
                print(
                    "No DISCORD_TOKEN configured: starting the console chat "
                    "(set it in .env to run on Discord).",
                    file=sys.stderr,
                )
            from .console import run_console

            return run_console(settings, as_json=args.json)
        from .client import run_bot

        return run_bot(settings)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
