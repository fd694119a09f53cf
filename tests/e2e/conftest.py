"""Browser tests: the real Streamlit server on a free loopback port, driven by
Playwright in Debian's headless Chromium. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# A phone, a common laptop and a full-HD screen: the heights of their first screen.
SCREEN_HEIGHTS = {390: 844, 1366: 768, 1920: 1080}
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def pytest_collection_modifyitems(items):
    # A conftest hook sees every collected item, not only this folder's.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run dashboard.py` in a subprocess, on its own database."""

    def __init__(self, db: Path, env: dict | None = None, port: int | None = None, args: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", f"--server.port={self.port}",
             "--server.headless=true", "--server.address=127.0.0.1", "--server.fileWatcherType=none", *args],
            cwd=PROJECT, env={**os.environ, "GONMETRICS_DB": str(db), **(env or {})},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, browser):
    """The dashboard on an empty database: it builds and shows the demo."""
    server = Server(tmp_path_factory.mktemp("demo") / "gon.duckdb")
    # The first visit builds the demo, which can take over a minute on a busy machine: done
    # once here with time to spare, so that no test's page load has to wait for it.
    first = browser.new_page()
    first.set_default_timeout(300_000)
    open_page(first, server.url)
    first.close()
    yield server
    server.stop()


@pytest.fixture
def page(browser, request):
    """A fresh browser tab, 1400 px wide unless a test parametrizes it (indirect) with a width."""
    width = getattr(request, "param", 1400)
    context = browser.new_context(viewport={"width": width, "height": SCREEN_HEIGHTS.get(width, 1000)},
                                  locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def page_url(server: Server, spec) -> str:
    """Where a page lives: the start page (Overzicht) at /, the others at /<key>."""
    return f"{server.url}/" if spec.key == "overzicht" else f"{server.url}/{spec.key}"


def open_page(page, url: str) -> None:
    """Go to a URL and wait until Streamlit finished running the script."""
    page.goto(url)
    wait_idle(page)


TAB = "[data-testid='stTab']"


def each_tab(page):
    """Open each tab of the page in turn by clicking it, as a reader does; yields its label
    (None, once, on a page without tabs). Only the open tab's content is in the page
    (Gebied's tabs are lazy), so a check of the whole page is made once per tab."""
    labels = page.locator(TAB).all_inner_texts()
    for n, label in enumerate(labels or [None]):
        if n:
            tab = page.get_by_role("tab", name=label, exact=True)
            tab.click()
            wait_idle(page)
            assert tab.get_attribute("aria-selected") == "true", label
        yield label


def wait_idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    page.wait_for_selector(IDLE)


# Streamlit scrolls inside its own container, so a "full page" screenshot would hold only the
# first screen: the window is made as tall as that container's content for the picture.
CONTENT_HEIGHT = """() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll(
  "[data-testid='stMain'], [data-testid='stAppViewContainer'], [data-testid='stSidebarContent']")].map(e => e.scrollHeight))"""


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    screen = page.viewport_size
    page.set_viewport_size({"width": screen["width"], "height": max(screen["height"], page.evaluate(CONTENT_HEIGHT))})
    page.wait_for_timeout(300)  # let the page lay out again at its full height
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(screen)
    return path


# Every text a reader needs in each Plotly chart under `root` (tick labels, axis titles,
# annotations, legend items, data labels), checked in the browser from the DOM's bounding
# boxes: it must lie wholly inside the chart's SVG, overlap no other such text, and
# annotations and legend items must stay off the plot area (the data). Returns one line
# per problem; [] means the charts fit. TOLERANCE px of slack for anti-aliased edges.
CHART_TEXT_PROBLEMS = """([root, tolerance]) => {
  const kinds = [
    ['tick', '.xtick text, .ytick text'], ['title', '.g-xtitle text, .g-ytitle text, .g-gtitle text'],
    ['annotation', '.annotation text'], ['legend', '.legend text.legendtext'],
    ['label', '.textpoint text, text.bartext'],
  ];
  const problems = [];
  const overlap = (a, b) => a.left < b.right - tolerance && b.left < a.right - tolerance &&
                            a.top < b.bottom - tolerance && b.top < a.bottom - tolerance;
  document.querySelectorAll(root).forEach((chart, n) => {
    const svg = chart.querySelector('.main-svg');
    const plot = chart.querySelector('.js-plotly-plot');
    if (!svg || !plot || !plot._fullLayout) { problems.push(`chart ${n}: not drawn`); return; }
    const box = svg.getBoundingClientRect();
    if (!box.width) return;  // not shown (a closed tab or expander)
    const size = plot._fullLayout._size;
    const area = {left: box.left + size.l, top: box.top + size.t, right: box.left + size.l + size.w,
                  bottom: box.top + size.t + size.h};
    const holder = chart.closest("[class*='st-key-chart-']");
    const name = holder ? [...holder.classList].find(c => c.startsWith('st-key-chart-')).slice(13) : `chart ${n}`;
    const items = [];
    for (const [kind, selector] of kinds) {
      for (const el of chart.querySelectorAll(selector)) {
        const b = el.getBoundingClientRect();
        if (!b.width || !el.textContent.trim()) continue;
        items.push({kind, text: el.textContent, b});
      }
    }
    for (const it of items) {
      const b = it.b;
      if (b.left < box.left - tolerance || b.right > box.right + tolerance || b.top < box.top - tolerance ||
          b.bottom > box.bottom + tolerance) problems.push(`${name}: ${it.kind} '${it.text}' sticks out of the chart`);
      if ((it.kind === 'annotation' || it.kind === 'legend') && overlap(b, area))
        problems.push(`${name}: ${it.kind} '${it.text}' lies on the plot area`);
    }
    for (let i = 0; i < items.length; i++)
      for (let j = i + 1; j < items.length; j++)
        if (overlap(items[i].b, items[j].b))
          problems.push(`${name}: ${items[i].kind} '${items[i].text}' overlaps ${items[j].kind} '${items[j].text}'`);
  });
  return problems;
}"""
TOLERANCE = 1.5
STREAMLIT_CHARTS = "[data-testid='stPlotlyChart']"


def chart_text_problems(page, root: str = STREAMLIT_CHARTS) -> list[str]:
    return page.evaluate(CHART_TEXT_PROBLEMS, [root, TOLERANCE])


def wait_for_charts(page, root: str = STREAMLIT_CHARTS) -> None:
    """Plotly's JavaScript comes on demand: wait until every chart has drawn its SVG."""
    drawn = "root => { const c = [...document.querySelectorAll(root)]; return c.length && c.every(x => x.querySelector('.main-svg')); }"
    page.wait_for_function(drawn, arg=root)
    page.wait_for_timeout(500)  # automargin redraws once after the first paint; later charts may still come
    page.wait_for_function(drawn, arg=root)
