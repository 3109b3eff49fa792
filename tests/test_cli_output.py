"""The CLI's printing helpers: tables stay aligned with wide titles, JSON stays valid."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from clusterfy_cli.output import display_width, jsonable, one_line, table, to_json


def test_table_columns_line_up_with_wide_and_combining_characters() -> None:
    rows = [["1", "すき", "Misato Watanabe"], ["2", "Cafe\u0301 society", "A"], ["3", "x" * 80, "B"]]
    lines = table(["#", "title", "artist"], rows, max_widths={1: 20})
    # the artist column starts at the same display column on every line
    starts = {
        display_width(line[: line.index(artist)]) for line, artist in zip(lines[2:], ("Misato", "A", "B"))
    }
    assert len(starts) == 1
    assert "…" in lines[4] and display_width("すき") == 4


def test_json_is_strict_and_plain() -> None:
    @dataclass
    class Point:
        x: float
        y: np.float32

    payload = {
        "nan": float("nan"),
        "int": np.int64(3),
        "point": Point(1.5, np.float32(2)),
        "tuple": (1, 2),
        "text": "La Java — Mistinguett",
    }
    assert jsonable(payload) == {
        "nan": None,
        "int": 3,
        "point": {"x": 1.5, "y": 2.0},
        "tuple": [1, 2],
        "text": "La Java — Mistinguett",
    }
    assert json.loads(to_json(payload))["nan"] is None
    assert one_line("a\n  b\tc ") == "a b c"
