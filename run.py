#!/usr/bin/env python3
"""One entry point that needs nothing but Python 3.11: it installs, then runs.

    python3 run.py            # chat with Clusterfy (Discord if DISCORD_TOKEN is set, else the console)
    python3 run.py test       # run the test suite
    python3 run.py engine …   # the engine's command line (python -m engine …)
    python3 run.py bench      # the benchmarks and the quality report
    python3 run.py lint       # ruff (lint + format check) and mypy
    python3 run.py dashboard  # the web dashboard (Streamlit, installed on first use)

It creates ``.venv`` beside this file on first use and reinstalls only when
``pyproject.toml`` changed, so later runs start at once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".clusterfy-installed"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_installed() -> Path:
    # Kept on purpose: a friendly message for someone running run.py with an old Python.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"Clusterfy needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    python = venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        print("Creating .venv (first run only)…", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing Clusterfy and its dependencies into .venv…", file=sys.stderr, flush=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f"{ROOT}[test]",
        ],
        check=True,
    )
    STAMP.write_text(wanted)
    return python


#: Clusterfy's own packages, byte-compiled before each run (see compile_sources).
PACKAGES = ("engine", "bot", "clusterfy_cli", "dashboard", "benchmarks")


def compile_sources(python: Path) -> None:
    """Byte-compile Clusterfy's sources when their ``.pyc`` files are missing or stale.

    An editable install leaves them uncompiled, and where ``PYTHONDONTWRITEBYTECODE`` is
    set (Docker images, some CI machines) Python never writes them on import, so every
    start compiled ~150 modules again: ~0.2 s of a start that should take half a second.
    pip compiles what it installs for the same reason. Done in this process when it is
    the venv's Python version (the usual case: the venv was made from it), which costs
    a stat per file when nothing changed; skipped otherwise.
    """
    venv_version = ""
    cfg = VENV / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                venv_version = value.strip()
    if ".".join(map(str, sys.version_info[:3])) != venv_version:
        return
    import compileall

    for package in PACKAGES:
        if (ROOT / package).is_dir():
            compileall.compile_dir(ROOT / package, quiet=2, workers=1)


def ensure_extra(python: str, module: str, extra: str) -> None:
    """Install an optional extra (e.g. the dashboard's Streamlit) the first time it is needed."""
    if subprocess.run([python, "-c", f"import {module}"], capture_output=True).returncode == 0:
        return
    print(
        f"Installing the optional '{extra}' extra into .venv (first use only)…", file=sys.stderr, flush=True
    )
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f"{ROOT}[{extra}]"],
        check=True,
    )


#: ``run.py lint``: ruff (lint, then format check) and mypy, each with pyproject.toml's settings,
#: all three run even when one fails, so one pass shows everything to fix.
LINT = (
    "import subprocess, sys\n"
    "steps = (['ruff', 'check', '.'], ['ruff', 'format', '--check', '.'], ['mypy'])\n"
    "codes = [subprocess.call([sys.executable, '-m', *step]) for step in steps]\n"
    "sys.exit(max(codes))\n"
)


def main(argv: list[str]) -> int:
    python_path = ensure_installed()
    compile_sources(python_path)
    python = str(python_path)
    what, rest = (argv[0], argv[1:]) if argv else ("chat", [])
    commands = {
        "chat": [python, "-m", "bot", *rest],
        "console": [python, "-m", "bot", "--console", *rest],
        "test": [python, "-m", "pytest", *rest],
        "engine": [python, "-m", "engine", *rest],
        "bench": [python, "-m", "benchmarks", *rest],
        "dashboard": [python, "-m", "dashboard", *rest],
        "lint": [python, "-c", LINT, *rest],
    }
    if what not in commands:
        print(f"usage: python3 run.py [{'|'.join(commands)}] [args…]", file=sys.stderr)
        return 2
    if what == "dashboard":
        ensure_extra(python, "streamlit", "dashboard")
    try:
        return subprocess.call(commands[what], cwd=ROOT)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
