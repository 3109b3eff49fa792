"""Start the dashboard: ``python -m dashboard [--port N]`` (what ``python3 run.py dashboard`` runs).

Replaces itself (exec) with ``streamlit run dashboard/app.py``, headless on localhost only
(a dashboard with a "save the bot's model" button has no business listening on every
interface), after printing the address to open.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
ROOT = APP.parent.parent


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The ``streamlit run`` command line for the dashboard (also used by the screenshot script)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless",
        "true",
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "minimal",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 run.py dashboard", description="Clusterfy's web dashboard (Streamlit), on localhost."
    )
    env_port = os.environ.get("CLUSTERFY_DASHBOARD_PORT", "").strip()
    parser.add_argument(
        "--port",
        type=int,
        default=int(env_port) if env_port.isdigit() else 8501,
        help="port to listen on (default 8501, or CLUSTERFY_DASHBOARD_PORT)",
    )
    args = parser.parse_args(argv)
    if env_port and not env_port.isdigit():
        parser.error(f"CLUSTERFY_DASHBOARD_PORT must be a port number, got {env_port[:20]!r}")
    if not 1 <= args.port <= 65535:
        parser.error(f"--port must be 1..65535, got {args.port}")
    try:
        import streamlit  # noqa: F401
    except ImportError:
        print(
            "The dashboard needs Streamlit: pip install '.[dashboard]' "
            "(python3 run.py dashboard installs it for you).",
            file=sys.stderr,
        )
        return 1
    print(f"Clusterfy dashboard: http://localhost:{args.port}  (Ctrl-C stops it)", flush=True)
    command = streamlit_command(args.port)
    if os.name == "posix":
        # Become Streamlit (same process id): stopping this process stops the server, and no
        # orphaned server is left behind when a supervisor or test terminates the launcher.
        os.chdir(ROOT)
        os.execv(command[0], command)
    try:
        return subprocess.call(command, cwd=ROOT)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
