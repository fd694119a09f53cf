"""Load: 20 simultaneous browser sessions on the real server while an analyst
uploads a file. Reports (prints) the 95th-percentile time until the first chart
is visible and the server's peak memory; asserts only that nothing failed.
Runs in CI; skip locally with GON_SKIP_LOAD=1."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

import pytest

from gonmetrics.store import Store
from tests.conftest import ROW, provider_csv
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, IDLE, Server
from tests.test_validate import replace_field

pytestmark = [pytest.mark.load,
              pytest.mark.skipif(os.environ.get("GON_SKIP_LOAD") == "1", reason="GON_SKIP_LOAD=1")]
VIEWERS = 20
CHART = "[data-testid='stPlotlyChart'] .main-svg"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def viewer(browser, url: str) -> float:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    start = time.monotonic()
    await page.goto(url, timeout=120_000)
    await page.wait_for_selector(CHART, state="visible", timeout=120_000)
    elapsed = time.monotonic() - start
    errors = await page.locator("[data-testid='stException']").count()
    await context.close()
    assert errors == 0
    return elapsed


async def analyst_upload(browser, url: str, file: Path) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    page.set_default_timeout(180_000)  # 21 sessions share two cores with the server
    await page.goto(f"{url}/aanleveren")
    await page.wait_for_selector(IDLE)
    await page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(file))
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await page.get_by_text("De goedgekeurde bestanden zijn verwerkt").wait_for()
    await context.close()


async def run_load(url: str, file: Path) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        results = await asyncio.gather(analyst_upload(browser, url, file), *(viewer(browser, url) for _ in range(VIEWERS)))
        await browser.close()
    return results[1:]


def load_synthetic_city(db: Path) -> None:
    """The demo's delivery files loaded as ordinary deliveries (a demo database would
    refuse the analyst's real upload)."""
    from gonmetrics.demo import generate, write_files

    store = Store(db)
    with tempfile.TemporaryDirectory() as folder:
        for path in write_files(generate(), Path(folder)):
            assert store.ingest(path.read_bytes(), path.name, user="test").accepted


def test_twenty_viewers_while_an_analyst_uploads(tmp_path):
    db = tmp_path / "gon.duckdb"
    load_synthetic_city(db)
    before = len(Store(db).history())
    upload = tmp_path / "extra.csv"
    upload.write_bytes(provider_csv(*(replace_field(replace_field(ROW, 0, "Nieuwe Zorg"), 2, f"load-{i:05d}")
                                      for i in range(500))))
    server = Server(db)
    try:
        started, cpu_before = time.monotonic(), cpu_seconds(server.process.pid)
        times = asyncio.run(run_load(server.url, upload))
        wall, cpu = time.monotonic() - started, cpu_seconds(server.process.pid) - cpu_before
        peak = peak_memory_mb(server.process.pid)
    finally:
        server.stop()
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"\n{VIEWERS} viewers: first chart visible after median {statistics.median(times):.2f} s, "
          f"p95 {p95:.2f} s, max {max(times):.2f} s; server peak memory {peak:.0f} MB; server CPU {cpu:.1f} s "
          f"of {wall:.1f} s on {os.cpu_count()} cores shared with the {VIEWERS + 1} browser sessions")
    assert len(times) == VIEWERS
    assert len(Store(db).history()) == before + 1  # the analyst's upload landed
