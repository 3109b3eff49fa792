"""Run Clusterfy's benchmarks: ``python -m benchmarks [engine|recommend|quality] [args]``.

Without a command, runs every benchmark with its defaults, one after the other: the
engine fit benchmark (``benchmarks/bench_engine.py``, when present), the serving
benchmark (``benchmarks/bench_recommend.py``) and the quality report
(``benchmarks/quality.py``). With a command, runs that one and passes the remaining
arguments on (``python -m benchmarks recommend --sizes bundled --json``).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Sequence

#: command -> module under ``benchmarks`` whose ``main(argv)`` runs it.
COMMANDS: dict[str, str] = {
    "engine": "benchmarks.bench_engine",
    "recommend": "benchmarks.bench_recommend",
    "quality": "benchmarks.quality",
}
ALIASES = {"fit": "engine", "bench_engine": "engine", "serve": "recommend",
           "bench_recommend": "recommend"}

USAGE = (
    "usage: python -m benchmarks [engine|recommend|quality] [args...]\n"
    "  (no command)  run every benchmark with its defaults\n"
    "  engine        model fit benchmark (benchmarks/bench_engine.py)\n"
    "  recommend     serving benchmark: resolve, autocomplete, recommend, vibe vs baselines\n"
    "  quality       recommendation quality on the bundled catalog\n"
    "  <command> --help for that command's options"
)


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _entry(module: str) -> Callable[..., int | None]:
    return importlib.import_module(module).main


def _run(module: str, argv: Sequence[str]) -> int:
    """Call ``module.main`` with ``argv`` (or with sys.argv set, for a ``main()`` without one)."""
    entry = _entry(module)
    try:
        takes_argv = bool(inspect.signature(entry).parameters)
    except (TypeError, ValueError):
        takes_argv = True
    if takes_argv:
        code = entry(list(argv))
    else:
        saved = sys.argv
        sys.argv = [f"python -m {module}", *argv]
        try:
            code = entry()
        finally:
            sys.argv = saved
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
        module = COMMANDS[command]
        if not _available(module):
            print(f"the {command} benchmark ({module.replace('.', '/')}.py) is not available",
                  file=sys.stderr)
            return 2
        return _run(module, args[1:])

    status = 0
    for command, module in COMMANDS.items():
        if not _available(module):
            print(f"== {command}: skipped ({module.replace('.', '/')}.py not present)\n",
                  file=sys.stderr, flush=True)
            continue
        print(f"== {command} ({module})", flush=True)
        try:
            status = max(status, _run(module, []))
        except SystemExit as exc:  # argparse inside a benchmark
            code = exc.code if isinstance(exc.code, int) else 1
            status = max(status, code)
        print(flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
