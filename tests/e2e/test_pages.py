"""Every page in a real browser on the demo data: it renders without an error, it is
saved as a screenshot (test-artifacts/page-<key>.png), and an axe-core audit finds no
critical or serious violation except the known ones inside Streamlit's own widgets,
which the Definities page names with their rule ids."""

from __future__ import annotations

import json

import pytest

from gonmetrics import access, desk
from tests.e2e.conftest import ARTIFACTS, open_page, page_url, screenshot

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
BLOCKING = {"critical", "serious"}
CHART = "[data-testid='stPlotlyChart'] .main-svg"
PAGES_WITH_CHARTS = {"overzicht", "gebied", "voortgang"}


# The text of every axis (tick labels and titles) that does not lie wholly inside its chart.
LABELS_OUTSIDE_THEIR_CHART = """() => {
  const outside = [];
  for (const chart of document.querySelectorAll("[data-testid='stPlotlyChart']")) {
    const svg = chart.querySelector('.main-svg');
    if (!svg) continue;
    const box = svg.getBoundingClientRect();
    for (const text of chart.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text')) {
      const b = text.getBoundingClientRect();
      if (b.width && (b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 ||
                      b.bottom > box.bottom + 1)) outside.push(text.textContent);
    }
  }
  return outside;
}"""


def axe_audit(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


@pytest.mark.parametrize("spec", access.PAGES, ids=lambda spec: spec.key)
def test_page_renders_is_saved_and_passes_axe(demo_server, page, spec):
    open_page(page, page_url(demo_server, spec))
    if spec.key in PAGES_WITH_CHARTS:
        page.wait_for_selector(CHART, state="visible")
        assert page.evaluate(LABELS_OUTSIDE_THEIR_CHART) == []  # every axis label whole, in its chart
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_role("heading", name=spec.title, level=1).wait_for()
    assert page.get_by_text("Demodata", exact=False).first.is_visible()  # the synthetic data says so
    assert page.evaluate("document.documentElement.lang") == "nl"  # read aloud as Dutch (WCAG 3.1.1)

    shot = screenshot(page, f"page-{spec.key}")
    assert shot.stat().st_size > 10_000

    violations = axe_audit(page)
    ARTIFACTS.mkdir(exist_ok=True)  # every finding, of any impact, for the record
    (ARTIFACTS / f"axe-{spec.key}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    unknown = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in blocking(violations)
               if v["id"] not in desk.KNOWN_AXE_FINDINGS]
    assert not unknown, "\n".join(unknown)


def test_the_known_findings_are_named_on_the_definities_page(demo_server, page):
    open_page(page, f"{demo_server.url}/definities")
    assert page.get_by_role("heading", name="Toegankelijkheid").is_visible()
    text = " ".join(page.locator("[data-testid='stMain']").inner_text().split())
    for issue in desk.known_accessibility_issues():  # includes every accepted axe rule id
        assert " ".join(issue.replace("`", "").split()) in text, issue


def test_the_area_is_kept_in_the_url(demo_server, page):
    open_page(page, f"{demo_server.url}/gebied?gebied=zuid")
    assert page.get_by_role("heading", name="Kerncijfers Zuid en Haren", exact=False).is_visible()
    assert "gebied=zuid" in page.url


def test_a_direct_link_as_the_first_visit_goes_through_the_frame(tmp_path, page):
    """Streamlit would run pages/<x>.py on its own for the first visitor after a start."""
    from gonmetrics.demo import build_demo
    from tests.e2e.conftest import Server

    build_demo(tmp_path / "gon.duckdb")
    server = Server(tmp_path / "gon.duckdb")
    try:
        open_page(page, f"{server.url}/voortgang")
        page.get_by_role("heading", name="Voortgang", level=1).wait_for()
        page.locator(".st-key-menu a").last.wait_for()
        menu = page.locator(".st-key-menu a").all_inner_texts()
        assert menu == [spec.title for spec in access.PAGES]
    finally:
        server.stop()


def test_tables_have_no_raw_download_of_streamlit_itself(demo_server, page):
    """The toolbar's "Download as CSV" writes cells raw (formulas included); the app's own
    downloads are the formula-safe way out (client.disableDataExport)."""
    open_page(page, f"{demo_server.url}/")
    table = page.locator("[data-testid='stDataFrame']").last
    table.scroll_into_view_if_needed()
    table.hover()
    page.get_by_role("button", name="Search").last.wait_for()  # the toolbar is shown
    assert page.get_by_role("button", name="Download as CSV").count() == 0
