"""Take a screenshot of every dashboard page in real headless Chromium: ``python -m dashboard.screenshots``.

Starts the dashboard on a free localhost port, opens each page in Debian's ``chromium``
driven over the DevTools protocol (Streamlit draws its pages over a websocket after the
HTML has loaded, so a plain ``--screenshot`` catches a blank page), waits until the page
has stopped running and its charts are drawn, and writes ``docs/screenshots/<page>.png``.

    apt-get install chromium        # once, as root
    python -m dashboard.screenshots [--out docs/screenshots] [--catalog FILE]
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from dashboard.__main__ import ROOT, streamlit_command

logger = logging.getLogger("dashboard.screenshots")

#: (file name, URL path and query, window height): what each picture shows.
PAGES: tuple[tuple[str, str, int], ...] = (
    ("overview", "?elbow=1", 1960),
    ("moods", "moods", 1300),
    ("map", "map?song=la+java", 1250),
    ("recommend", "recommend?song=la+java", 1250),
    ("try-k", "try-k?k=6&fit=1", 1200),
    ("chat", "chat?say=something+like+in+the+end+but+calmer&say=sadder", 1700),
)
WIDTH = 1400
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-allow-origins=*",
)
#: True once Streamlit has finished the run and drawn every chart on the page.
READY_JS = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid="stMain"], [data-testid="stAppScrollToBottomContainer"]');
  if (!main || !main.querySelector('h1')) return false;
  if (document.querySelector('[data-testid="stSpinner"], [data-testid="stSkeleton"]')) return false;
  const charts = main.querySelectorAll('[data-testid="stVegaLiteChart"]');
  for (const c of charts) { if (!c.querySelector('canvas, svg')) return false; }
  return true;
})()"""


#: What a page that never got ready holds, for the error: its run state and test ids.
DEBUG_JS = """(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const ids = [...document.querySelectorAll('[data-testid]')].map(e => e.getAttribute('data-testid'));
  return JSON.stringify({state: app && app.getAttribute('data-test-script-state'), ids: [...new Set(ids)]});
})()"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def running(cmd: list[str], **kwargs: Any) -> Iterator[subprocess.Popen]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


class Tab:
    """The smallest DevTools client that navigates, evaluates and screenshots one tab."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=120))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, js: str) -> Any:
        return self.call("Runtime.evaluate", expression=js, returnByValue=True)["result"].get("value")


def shoot(out: Path, base: str, debug_port: int, pages: tuple[tuple[str, str, int], ...]) -> list[Path]:
    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/list"))
    ws_url = next(t for t in targets if t.get("type") == "page")["webSocketDebuggerUrl"]
    with connect(ws_url, max_size=64 * 2**20, open_timeout=20) as ws:
        return _shoot_pages(Tab(ws), out, base, pages)


def _shoot_pages(tab: Tab, out: Path, base: str, pages: tuple[tuple[str, str, int], ...]) -> list[Path]:
    written = []
    for name, path, height in pages:
        started = time.monotonic()
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        tab.call("Page.navigate", url=f"{base}/{path}")
        time.sleep(1.0)
        try:
            wait_for(lambda: tab.evaluate(READY_JS), 600, f"page {name} to finish")
        except TimeoutError:
            logger.error("page %s never got ready; it holds %s", name, tab.evaluate(DEBUG_JS))
            raise
        time.sleep(2.0)  # let charts finish their transitions and fonts settle
        wait_for(lambda: tab.evaluate(READY_JS), 120, f"page {name} to settle")
        png = base64.b64decode(tab.call("Page.captureScreenshot", format="png")["data"])
        target = out / f"{name}.png"
        target.write_bytes(png)
        logger.info("wrote %s (%d KB) in %.0f s", target, len(png) // 1024, time.monotonic() - started)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--catalog", help="catalog to show (default: the engine's default catalog)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--pages", nargs="*", help="only these pages (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not shutil.which(args.chromium):
        print("chromium not found; install it with: apt-get install chromium", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.catalog:
        env["CLUSTERFY_CATALOG"] = args.catalog
    port, debug_port = free_port(), free_port()
    with (
        running(streamlit_command(port), cwd=ROOT, env=env),
        tempfile.TemporaryDirectory(prefix="clusterfy-chromium-") as profile,
    ):
        wait_for(
            lambda: (
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok"
            ),
            60,
            "the dashboard to start",
        )
        cmd = [
            args.chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},1000",
            f"--remote-debugging-port={debug_port}",
            "about:blank",
        ]
        with running(cmd):
            wait_for(
                lambda: urllib.request.urlopen(f"http://127.0.0.1:{debug_port}/json/version", timeout=2),
                30,
                "chromium to start",
            )
            pages = tuple(p for p in PAGES if not args.pages or p[0] in args.pages)
            shoot(args.out, f"http://127.0.0.1:{port}", debug_port, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
