"""Browser rows of the benchmark: what a visitor waits for, in headless Chromium.

- page-first-chart: a warm server on a store; from opening a page's URL to its first drawn
  Plotly chart (Gebied, Voortgang), against the same for a tiny Streamlit page with one
  Plotly chart (bench/tiny_chart.py) served the same way;
- start-first-chart: `bash scripts/start.sh` on an empty database folder (what a fresh
  installation does: it builds the demo before the server starts); from the moment the
  server answers its health check to the first chart of the start page for a visitor who
  comes at once, against the tiny page's cold start (process start to its first chart).

Each server runs in a process group of its own and is stopped with it.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CHART = ".js-plotly-plot .main-svg"
SERVER_FLAGS = ("--server.headless=true", "--server.address=127.0.0.1", "--server.fileWatcherType=none")
TINY = ROOT / "bench" / "tiny_chart.py"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Wait for the health check; returns time.monotonic() of the first 'ok'."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return time.monotonic()
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not become healthy")


@contextmanager
def _server(command: list[str], env: dict, timeout: float = 600):
    """A server process (group); yields (url, process, the moment it answered healthy)."""
    port = _port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([*command, f"--server.port={port}", *SERVER_FLAGS], cwd=ROOT,
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        yield url, process, _healthy(url, process, timeout)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _streamlit(script: Path) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(script)]


@contextmanager
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _first_chart(browser, url: str, timeout_s: float = 300) -> float:
    """Seconds from opening `url` in a fresh tab to its first drawn chart."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        start = time.monotonic()
        page.goto(url)
        page.wait_for_selector(CHART, timeout=timeout_s * 1000)
        return time.monotonic() - start
    finally:
        context.close()


def _median(times: list[float]) -> float:
    return statistics.median(times)


def page_first_chart(db: str, pages: tuple[str, ...], reps: int) -> dict:
    """Pages of the dashboard on `db` and the tiny page, each on a warm server: the median of
    each page (`pages`: page -> median) and of the tiny page (`anchor_median`)."""
    medians = {}
    with _browser() as browser:
        with _server(_streamlit(ROOT / "dashboard.py"), {"GONMETRICS_DB": db}) as (url, _, _):
            for page in pages:
                _first_chart(browser, f"{url}/{page}")  # warms the server's caches
                medians[page] = _median([_first_chart(browser, f"{url}/{page}") for _ in range(reps)])
        with _server(_streamlit(TINY), {}) as (url, _, _):
            _first_chart(browser, url)
            anchor = [_first_chart(browser, url) for _ in range(reps)]
    return {"pages": medians, "anchor_median": _median(anchor)}


def start_first_chart(reps: int) -> dict:
    """`scripts/start.sh` on an empty database folder: healthy -> first chart of the start page
    for a visitor who comes at once (the median); the anchor is the tiny page's whole cold start.
    start.sh builds the demo before the server starts, so the time from its start to healthy
    (setup.sh, the demo build, Streamlit's start) is reported beside it: `healthy_median`."""
    times, to_healthy, anchor = [], [], []
    with _browser() as browser:
        for _ in range(reps):
            with tempfile.TemporaryDirectory(prefix="gon-start-") as folder:
                env = {"GONMETRICS_DB": str(Path(folder) / "gon.duckdb")}
                begin = time.monotonic()
                with _server(["bash", "scripts/start.sh"], env) as (url, _, healthy):
                    _first_chart(browser, url)
                    times.append(time.monotonic() - healthy)
                    to_healthy.append(healthy - begin)
            begin = time.monotonic()
            with _server(_streamlit(TINY), {}) as (url, _, _):
                _first_chart(browser, url)
                anchor.append(time.monotonic() - begin)
    print(f"start.sh: process start → healthy {_median(to_healthy):.1f} s (median; setup.sh, demo build, "
          "server start)", file=sys.stderr, flush=True)
    return {"median": _median(times), "anchor_median": _median(anchor), "healthy_median": _median(to_healthy)}
