"""The offline console: the same conversation as on Discord, rendered as text.

Reads one command per line (with or without the prefix) from standard input, prints
each reply, and exits 0 at the end of input, so it works interactively and in scripts:
``printf '!recommend la java\\n!vibe chill\\n' | python -m bot --console``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TextIO

from .config import Settings
from .conversation import Conversation
from .replies import GENERIC_ERROR, Reply, Requester, render_text
from .startup import load_engine, open_store

logger = logging.getLogger(__name__)

#: The console's single local user (Discord ids are far larger, so no clash in a shared DB).
CONSOLE_USER = Requester(id=1, name="console")


def run_console(settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run the chat until end of input; returns the process exit code."""
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
            if interactive:
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
                    out.write(GENERIC_ERROR + "\n\n")
                    continue
                if reply is not None:
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
