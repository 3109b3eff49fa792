"""How well plain language is understood: intent and slot accuracy on a labelled corpus.

``python -m benchmarks language`` reads ``benchmarks/language/requests.jsonl`` — requests
written the way people type in Discord, labelled by hand, *apart from the parser* (its
author never reads them; see that folder's README) — through the engine's reader
(:class:`engine.language.RequestReader`) on the default catalog, and prints:

- intent accuracy, and per intent its recall and precision, and the confusion matrix
  (rows: the label, columns: what was read);
- per slot, the share of requests whose slot was read exactly (over all requests, and
  over those where the label or the reading has the slot), with the slots compared as
  sets: songs by the song they resolve to (title key and lead artist, so a remaster is
  the same song; an ambiguous title the label names without an artist counts as read when
  the song is among those the bot would ask about), critiques as (feature, direction,
  intensity), filters by field and bounds, artists folded.

``--file`` scores another corpus (``tests/data/language_dev.jsonl`` holds the examples the
parser was developed on); ``--errors`` lists the misread requests, for that development
set only: printing the held-out corpus's errors would make it a development set too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .language.check_corpus import FIELDS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "language" / "requests.jsonl"
#: The labelled slots, in the corpus's field order (its checker owns the schema).
SLOTS = tuple(FIELDS[FIELDS.index("songs") :])
_INTENSITY = {0.5: "bit", 1.0: "normal", 2.0: "much"}


def load(path: Path) -> list[dict[str, Any]]:
    """The labelled requests of a JSON-lines corpus."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


class Scorer:
    """Compares what the reader read with a label, slot by slot, over one engine."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._song_keys: dict[str, tuple[str, ...]] = {}

    # -- songs: the song a title names, as (title key, lead artist) ------------------------
    def _key_of(self, index: int) -> tuple[str, str]:
        from engine.text import fold, title_key

        table = self.engine.table
        return title_key(table.names[index]), fold(table.artists[index].split(", ")[0])

    def label_songs(self, songs: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
        """Each labelled song as the keys it may resolve to (one, or several when ambiguous)."""
        out = []
        for s in songs:
            query = s["title"] + (f" by {s['artist']}" if s.get("artist") else "")
            if query not in self._song_keys:
                res = self.engine.search(query, 10)
                if res.status == "exact" or (res.status == "fuzzy" and res.best is not None):
                    keys: tuple[Any, ...] = (self._key_of(res.best.index),)
                else:
                    keys = tuple(self._key_of(c.index) for c in res.candidates[:10])
                self._song_keys[query] = keys
            out.append(self._song_keys[query])
        return out

    def songs_match(self, request: Any, label: dict[str, Any]) -> bool:
        wanted = self.label_songs(label["songs"])
        read = [m for m in request.songs if m.kind in ("song", "ambiguous")]
        if len(read) != len(wanted):
            return False
        used: set[int] = set()
        for keys, spec in zip(wanted, label["songs"]):
            hit = None
            for k, m in enumerate(read):
                if k in used:
                    continue
                if m.kind == "song" and self._key_of(m.indices[0]) in keys:
                    hit = k
                elif m.kind == "ambiguous" and not spec.get("artist"):
                    if any(self._key_of(i) in keys for i in m.indices):
                        hit = k
                if hit is not None:
                    break
            if hit is None:
                return False
            used.add(hit)
        return True

    # -- every slot ---------------------------------------------------------------------------
    def read_slots(self, request: Any) -> dict[str, Any]:
        """The reading in the label's terms (for everything but songs)."""
        from engine.filters import parse_targets
        from engine.text import fold

        excluded = {fold(m.name) for m in request.exclude_artists}
        if request.exclude_this_artist:
            excluded.add("this")
        filters = set()
        for f in request.filters:
            filters |= {(t.field, t.low, t.high) for t in parse_targets(f)}
        return {
            "refs": sorted(map(str, request.refs + request.rated)),  # every pick pointed at
            "moods": sorted(request.moods),
            "not_moods": sorted(request.not_moods),
            "critiques": sorted(
                (
                    c.feature.replace("duration_ms", "duration"),
                    c.direction,
                    _INTENSITY.get(c.intensity, "normal"),
                )
                for c in request.critiques
            ),
            "exclude_artists": sorted(excluded),
            "count": request.count,
            "filters": filters,
            "feedback": request.feedback,
        }

    @staticmethod
    def label_slots(label: dict[str, Any]) -> dict[str, Any]:
        from engine.filters import parse_targets
        from engine.text import fold

        filters = set()
        for f in label["filters"]:
            filters |= {(t.field, t.low, t.high) for t in parse_targets(f)}
        fb = label.get("feedback")
        return {
            "refs": sorted(map(str, label["refs"])),
            "moods": sorted(label["moods"]),
            "not_moods": sorted(label["not_moods"]),
            "critiques": sorted((c["feature"], c["direction"], c["intensity"]) for c in label["critiques"]),
            "exclude_artists": sorted("this" if a == "this" else fold(a) for a in label["exclude_artists"]),
            "count": label["count"],
            "filters": filters,
            "feedback": fb["value"] if fb else None,
        }

    def score(self, request: Any, label: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
        """slot -> (read exactly, present in the label or the reading)."""
        read, want = self.read_slots(request), self.label_slots(label)
        out = {"intent": (request.intent == label["intent"], True)}
        out["songs"] = (self.songs_match(request, label), bool(label["songs"] or request.songs))
        for slot in SLOTS[1:]:
            out[slot] = (read[slot] == want[slot], bool(read[slot] or want[slot]))
        return out


def evaluate(engine: Any, rows: list[dict[str, Any]], *, errors: bool = False) -> dict[str, Any]:
    """Every figure of the report (see the module docstring)."""
    from engine.language import INTENTS

    scorer = Scorer(engine)
    reader = engine.reader
    per_slot: dict[str, list[tuple[bool, bool]]] = {s: [] for s in ("intent", *SLOTS)}
    confusion: Counter[tuple[str, str]] = Counter()
    times: list[float] = []
    wrong: list[dict[str, Any]] = []
    for row in rows:
        started = time.perf_counter()
        request = reader.read(row["text"])
        times.append((time.perf_counter() - started) * 1000)
        scores = scorer.score(request, row)
        confusion[(row["intent"], request.intent)] += 1
        for slot, value in scores.items():
            per_slot[slot].append(value)
        if errors and not all(ok for ok, _ in scores.values()):
            wrong.append(
                {
                    "id": row.get("id"),
                    "text": row["text"],
                    "read": request.intent,
                    "label": row["intent"],
                    "slots": [s for s, (ok, _) in scores.items() if not ok],
                }
            )
    n = len(rows)
    slots = {}
    for slot, values in per_slot.items():
        present = [ok for ok, here in values if here]
        slots[slot] = {
            "accuracy": sum(ok for ok, _ in values) / n if n else 0.0,
            "when_present": sum(present) / len(present) if present else None,
            "present": len(present),
        }
    intents = {}
    for intent in INTENTS:
        gold = sum(v for (g, _), v in confusion.items() if g == intent)
        read = sum(v for (_, r), v in confusion.items() if r == intent)
        hit = confusion[(intent, intent)]
        intents[intent] = {
            "n": gold,
            "recall": hit / gold if gold else None,
            "precision": hit / read if read else None,
        }
    return {
        "n": n,
        "intent_accuracy": slots["intent"]["accuracy"],
        "all_slots_exact": sum(all(per_slot[s][i][0] for s in per_slot) for i in range(n)) / n if n else 0.0,
        "intents": intents,
        "slots": {s: v for s, v in slots.items() if s != "intent"},
        "confusion": {f"{g} -> {r}": v for (g, r), v in sorted(confusion.items())},
        "read_ms_p50": statistics.median(times) if times else 0.0,
        "read_ms_p90": sorted(times)[int(0.9 * (len(times) - 1))] if times else 0.0,
        "errors": wrong,
    }


def report(result: dict[str, Any], source: str) -> str:
    from engine.language import INTENTS

    lines = [
        f"Language understanding on {result['n']} requests ({source})",
        f"intent accuracy {result['intent_accuracy']:.3f}; every slot exact {result['all_slots_exact']:.3f}; "
        f"reading p50 {result['read_ms_p50']:.2f} ms, p90 {result['read_ms_p90']:.2f} ms",
        "",
        f"{'intent':<11} {'n':>4} {'recall':>7} {'precision':>9}",
    ]
    for intent, v in result["intents"].items():
        rec = "—" if v["recall"] is None else f"{v['recall']:.3f}"
        pre = "—" if v["precision"] is None else f"{v['precision']:.3f}"
        lines.append(f"{intent:<11} {v['n']:>4} {rec:>7} {pre:>9}")
    lines += ["", f"{'slot':<16} {'accuracy':>8} {'when present':>13} {'present':>8}"]
    for slot, v in result["slots"].items():
        wp = "—" if v["when_present"] is None else f"{v['when_present']:.3f}"
        lines.append(f"{slot:<16} {v['accuracy']:>8.3f} {wp:>13} {v['present']:>8}")
    lines += [
        "",
        "confusion (rows: label, columns: read)",
        " " * 11 + "".join(f"{i[:6]:>7}" for i in INTENTS),
    ]
    matrix = {tuple(k.split(" -> ")): v for k, v in result["confusion"].items()}
    for g in INTENTS:
        lines.append(f"{g:<11}" + "".join(f"{matrix.get((g, r), 0) or '.':>7}" for r in INTENTS))
    for e in result["errors"]:
        wrong = ", ".join(e["slots"])
        lines.append(f"  #{e['id']}: {e['text']!r} read {e['read']} (label {e['label']}); wrong: {wrong}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks language", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--file", type=Path, default=CORPUS, help="labelled corpus (JSON lines)")
    parser.add_argument(
        "--catalog", default=None, help="catalog to read titles against (default: the default)"
    )
    parser.add_argument("--errors", action="store_true", help="list misread requests (development sets only)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(list(argv) if argv is not None else None)
    from engine.service import Engine

    engine = Engine.load(args.catalog, progress=lambda msg: print(msg, file=sys.stderr))
    rows = load(args.file)
    if (
        args.errors
        and args.file.resolve() == CORPUS.resolve()
        and not os.environ.get("CLUSTERFY_SHOW_HELD_OUT")
    ):
        print(
            "refusing --errors on the held-out corpus (set CLUSTERFY_SHOW_HELD_OUT=1 to override)",
            file=sys.stderr,
        )
        return 2
    result = evaluate(engine, rows, errors=args.errors)
    print(json.dumps(result, indent=1, default=str) if args.json else report(result, args.file.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
