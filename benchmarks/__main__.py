"""Run Clusterfy's benchmarks: ``python -m benchmarks [command] [args]`` (see USAGE).

Without a command, runs every benchmark with its defaults, one after the other: the
engine fit benchmark (``bench_engine.py``), the serving benchmark
(``bench_recommend.py``), the quality report (``quality.py``), the bot load test
(``bench_load.py``) and resolution quality per query form (``resolution.py``). With a
command, runs that one and passes the remaining arguments on
(``python -m benchmarks recommend --sizes bundled --json``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: command -> module under ``benchmarks`` whose ``main(argv)`` runs it.
COMMANDS: dict[str, str] = {
    "engine": "benchmarks.bench_engine",
    "recommend": "benchmarks.bench_recommend",
    "quality": "benchmarks.quality",
    "vibe_words": "benchmarks.vibe_words",
    "load": "benchmarks.bench_load",
    "pgload": "benchmarks.bench_pg_load",
    "foryou": "benchmarks.foryou_eval",
    "resolution": "benchmarks.resolution",
    "serving": "benchmarks.bench_serving",
    "language": "benchmarks.language_eval",
    "critiques": "benchmarks.critiques",
    "catalog": "benchmarks.bench_catalog",
    "playlists": "benchmarks.playlists",
    "fastpath": "benchmarks.bench_fastpath",
}
ALIASES = {
    "fit": "engine",
    "bench_engine": "engine",
    "serve": "recommend",
    "bench_recommend": "recommend",
    "foryou_eval": "foryou",
    "taste": "foryou",
    "resolve": "resolution",
    "continuation": "playlists",
    "words": "vibe_words",
    "vibe-words": "vibe_words",
}

USAGE = (
    "usage: python -m benchmarks"
    " [engine|recommend|quality|vibe_words|load|pgload|foryou|resolution|serving|fastpath|catalog"
    "|language|critiques|playlists]"
    " [args...]\n"
    "  (no command)  run every benchmark with its defaults\n"
    "  engine        model fit benchmark (benchmarks/bench_engine.py)\n"
    "  recommend     serving benchmark: resolve, autocomplete, recommend, vibe vs baselines\n"
    "  quality       recommendation quality on held-out rows of the real catalogs (CV-tuned weight)\n"
    "  vibe_words    does every mood word's picks move its way? (the default catalog and each file)\n"
    "  load          100 users x 20 commands through the bot's command path\n"
    "  pgload        4 processes x 100 users x 20 commands on one PostgreSQL history, one SIGKILLed\n"
    "  foryou        for you vs baselines, hybrid vs audio-only, playlist smoothness (and speed)\n"
    "  resolution    top-1 per query form (typos, any order, feat., ...) on held-out rows\n"
    "  serving       cold start and memory per process, 1/2/4 processes, 100k and 1M, vs a baseline commit\n"
    "  fastpath      issue 24: ready time, recommend, first word ask, talk and recall vs a baseline commit\n"
    "  catalog       the default catalog vs the 3-file one: first and later start, build, queries, memory\n"
    "  language      plain language: intent and slot accuracy on the held-out request corpus\n"
    "  critiques     every critique moves its way; simulated listeners reach a hidden target\n"
    "  playlists     playlist continuation judged by 438 real playlists (held-out half, CIs)\n"
    "  <command> --help for that command's options"
)


def _run(module: str, argv: Sequence[str]) -> int:
    """Call ``module.main(argv)``; argparse's SystemExit becomes the exit code."""
    try:
        code = importlib.import_module(module).main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    return code if isinstance(code, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if args:
        command = ALIASES.get(args[0], args[0])
        if command not in COMMANDS:
            print(f"unknown benchmark {args[0]!r}\n{USAGE}", file=sys.stderr)
            return 2
        return _run(COMMANDS[command], args[1:])
    status = 0
    for command, module in COMMANDS.items():
        print(f"== {command} ({module})", flush=True)
        status = max(status, _run(module, []))
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
