"""The offline console: the same conversation as on Discord, rendered as text.

Reads one line at a time from standard input — a command (with or without the prefix) or
a request in plain words — prints each reply, and exits 0 at the end of input, so it
works interactively and in scripts:
``printf '!recommend la java\\nsomething calmer\\n' | python -m bot --console``
(``--json`` prints one JSON object per line instead: bot.console_json).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TextIO

from .config import Settings
from .console_json import dumps, reply_record
from .conversation import Conversation
from .replies import GENERIC_ERROR, Reply, Requester, render_text
from .startup import load_engine, open_store

logger = logging.getLogger(__name__)

#: The console's single local user (Discord ids are far larger, so no clash in a shared DB).
CONSOLE_USER = Requester(id=1, name="console")


def run_console(
    settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None, *, as_json: bool = False
) -> int:
    """Run the chat until end of input; returns the process exit code.

    ``as_json``: one JSON object per non-blank input line instead of text (bot.console_json).
    """
    inp = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = inp.isatty()
    with asyncio.Runner() as runner:
        # The store first: a bad database path is reported before a model build, not after.
        store = runner.run(open_store(settings))
        try:
            # Building the model on first run takes seconds: say so on stderr, keep stdout for the chat.
            engine = load_engine(settings, progress=lambda msg: print(msg, file=sys.stderr, flush=True))
            conversation = Conversation(engine, store, prefix=settings.prefix)
            if interactive and not as_json:
                out.write(
                    f"Clusterfy console — {engine.n_songs:,} songs in "
                    f"{len(engine.moods)} moods. Type {settings.prefix}help, Ctrl-D to quit.\n"
                )
            while True:
                if interactive:
                    out.write("> ")
                    out.flush()
                line = inp.readline()
                if not line:
                    break
                try:
                    reply = runner.run(conversation.handle_line(CONSOLE_USER, line))
                except Exception:
                    logger.exception("command failed: %r", line[:200])
                    if as_json:
                        out.write(dumps(reply_record(line, error=GENERIC_ERROR)) + "\n")
                    else:
                        out.write(GENERIC_ERROR + "\n\n")
                    continue
                if reply is not None and as_json:
                    save_attachments(reply, settings.export_dir)
                    out.write(dumps(reply_record(line, reply)) + "\n")
                    out.flush()
                elif reply is not None:
                    text = render_text(reply.fitted())
                    saved = save_attachments(reply, settings.export_dir)
                    if saved:
                        text += "\n" + "\n".join(f"Saved {p}" for p in saved)
                    out.write(text + "\n\n")
                    out.flush()
        except KeyboardInterrupt:
            out.write("\n")
        finally:
            runner.run(store.close())
    return 0


def save_attachments(reply: Reply, folder: Path) -> list[Path]:
    """Write a reply's files (playlists) into ``folder`` (``Settings.export_dir``:
    ``$CLUSTERFY_EXPORT_DIR``, else the cache's ``playlists``), where the console user can
    open them. A failure is logged, not fatal."""
    if not reply.attachments:
        return []
    saved: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in reply.attachments:
            path = folder / Path(name).name  # names are built by the engine; never a path
            path.write_bytes(data)
            saved.append(path)
    except OSError as exc:
        logger.error("could not save the playlist files in %s: %s", folder, exc)
    return saved
