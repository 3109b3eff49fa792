"""The console's ``--json`` form: one JSON object per input line, for scripts and checks.

``printf 'songs like la java\\nsadder\\n' | python -m bot --console --json`` prints one
object for each non-blank line: the reply as text, how a plain-language request was
understood, the songs the list sounds like and the picks, each with id, title, artists,
year and audio features, or the error. The same conversation as the text console, only
rendered for machines.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .replies import Reply, render_text


def song_record(song: Any) -> dict[str, Any]:
    """One engine ``Song`` as plain JSON values (features in file units)."""
    return {
        "id": song.id,
        "title": song.name,
        "artists": song.artist,
        "year": song.year,
        "popularity": None if song.popularity is None or math.isnan(song.popularity) else song.popularity,
        "mood": song.mood.label,
        "features": {k: float(v) for k, v in song.features.items()},
    }


def reply_record(line: str, reply: Reply | None = None, *, error: str | None = None) -> dict[str, Any]:
    """The object printed for one input ``line``: its reply, or the error when it failed."""
    if reply is None:
        return {
            "input": line.strip(),
            "reply": None,
            "understood": None,
            "subject": [],
            "picks": [],
            "choices": [],
            "error": error,
        }
    fitted = reply.fitted()
    text = render_text(fitted)
    return {
        "input": line.strip(),
        "reply": text,
        "understood": reply.understood or None,
        "subject": [song_record(s) for s in reply.subject],
        "picks": [song_record(s) for s in reply.songs],
        "choices": [{"label": c.label, "value": c.value} for c in fitted.choices],
        "error": text.splitlines()[0].removeprefix("⚠️ ") if reply.error and text else None,
    }


def dumps(record: dict[str, Any]) -> str:
    """One line of JSON (UTF-8 text, no ASCII escapes: titles are in every script)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


__all__ = ["dumps", "reply_record", "song_record"]
