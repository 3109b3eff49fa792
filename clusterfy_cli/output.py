"""How the command line prints: progress lines, JSON, plain-text tables.

Kept apart from the commands so that every command prints the same way: results on
stdout (one JSON object with ``--json``), progress on stderr, and tables that stay
aligned with East Asian titles and combining marks in them.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


class Output:
    """Where results, progress and errors go; knows whether we speak JSON."""

    def __init__(self, json_mode: bool, show_progress: bool = True) -> None:
        self.json = json_mode
        self.show_progress = show_progress
        self._start = time.monotonic()

    def progress(self, message: str) -> None:
        if not self.show_progress:
            return
        elapsed = time.monotonic() - self._start
        print(f"[{elapsed:5.1f}s] {message}", file=sys.stderr, flush=True)

    def emit(self, payload: dict[str, Any], text: Callable[[], list[str]]) -> None:
        if self.json:
            print(to_json(payload))
        else:
            for line in text():
                print(line)
        sys.stdout.flush()


def to_json(payload: Any) -> str:
    """One JSON line; non-ASCII kept as is when stdout speaks UTF-8."""
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    return json.dumps(jsonable(payload), ensure_ascii=encoding != "utf8", allow_nan=False)


def jsonable(value: Any) -> Any:
    """Plain JSON types from numpy scalars, dataclasses, paths, tuples; NaN becomes null."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item):
        try:
            return jsonable(item())
        except (TypeError, ValueError):
            pass
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def display_width(text: str) -> int:
    """Display width: East Asian wide characters take two columns, combining marks none."""
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def fit_to_width(text: str, width: int) -> str:
    """``text`` cut to ``width`` display columns (with an ellipsis) and padded to it."""
    text = re.sub(r"\s+", " ", str(text))
    if display_width(text) > width:
        out, used = [], 0
        for ch in text:
            w = display_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * (width - display_width(text))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    max_widths: dict[int, int] | None = None,
    right: Sequence[int] = (),
) -> list[str]:
    """A plain-text table; columns in ``right`` are right-aligned, widths capped per column."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    caps = max_widths or {}
    widths = [min(max(display_width(r[i]) for r in cells), caps.get(i, 60)) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, cell in enumerate(row):
            if i in right:
                cell = re.sub(r"\s+", " ", cell)
                parts.append(" " * max(0, widths[i] - display_width(cell)) + cell)
            else:
                parts.append(fit_to_width(cell, widths[i]))
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) as one space."""
    return re.sub(r"\s+", " ", str(text)).strip()
