"""Every page in a real browser on the demo data, each of its tabs opened in turn (Gebied's
tabs send only the open tab's content): it renders without an error, it is saved as a
screenshot (test-artifacts/page-<key>[-<tab>]-<width>.png), every chart's text fits at 390,
1366 and 1920 px, and an axe-core audit finds no critical or serious violation except the
known ones inside Streamlit's own widgets, which the Definities page names with their rule ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gonmetrics import access, desk
from tests.e2e.conftest import (ARTIFACTS, STREAMLIT_CHARTS, TAB, chart_text_problems, each_tab, open_page, page_url,
                                 screenshot, wait_for_charts, wait_idle)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
BLOCKING = {"critical", "serious"}
PAGES_WITH_CHARTS = {"overzicht", "gebied", "voortgang"}
CHARTED = [spec for spec in access.PAGES if spec.key in PAGES_WITH_CHARTS]
PHONE, LAPTOP, FULL_HD = 390, 1366, 1920


def axe_audit(page) -> list[dict]:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}}).response["violations"]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def shown_tabs(page, server, spec):
    """Open a page and then each of its tabs; yields <key>[-<tab>] for each (the first tab, which
    the page opens with, without its name) once its charts are drawn and it is saved as
    test-artifacts/page-<key>[-<tab>]-<width>.png."""
    open_page(page, page_url(server, spec))
    for n, label in enumerate(each_tab(page)):
        if spec.key in PAGES_WITH_CHARTS and (n == 0 or page.locator(STREAMLIT_CHARTS).count()):
            wait_for_charts(page)  # the first tab has charts; Voortgang's last has only tables
        name = "-".join([spec.key, *([label.lower().replace(" ", "-")] if n else [])])
        assert screenshot(page, f"page-{name}-{page.viewport_size['width']}").stat().st_size > 10_000
        yield name


def assert_charts_fit(page) -> None:
    """Every text in every chart whole, inside its chart and clear of the others and of the data."""
    problems = chart_text_problems(page)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("page", [LAPTOP], indirect=True)
@pytest.mark.parametrize("spec", access.PAGES, ids=lambda spec: spec.key)
def test_page_renders_is_saved_and_passes_axe(demo_server, page, spec):
    for name in shown_tabs(page, demo_server, spec):
        assert_charts_fit(page)
        assert page.locator("[data-testid='stException']").count() == 0
        page.get_by_role("heading", name=spec.title, level=1).wait_for()
        assert page.get_by_text("Demodata", exact=False).first.is_visible()  # the synthetic data says so
        assert page.evaluate("document.documentElement.lang") == "nl"  # read aloud as Dutch (WCAG 3.1.1)

        violations = axe_audit(page)
        ARTIFACTS.mkdir(exist_ok=True)  # every finding, of any impact, for the record
        (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
        unknown = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in blocking(violations)
                   if v["id"] not in desk.KNOWN_AXE_FINDINGS]
        assert not unknown, f"{name}: " + "\n".join(unknown)


# Every page on a phone (saved as a screenshot too), the pages with charts on a full-HD screen.
OTHER_WIDTHS = ([pytest.param(spec, PHONE, id=f"{spec.key}-{PHONE}") for spec in access.PAGES] +
                [pytest.param(spec, FULL_HD, id=f"{spec.key}-{FULL_HD}") for spec in CHARTED])


@pytest.mark.parametrize(("spec", "page"), OTHER_WIDTHS, indirect=["page"])
def test_charts_fit_on_a_phone_and_a_wide_screen(demo_server, page, spec):
    for _ in shown_tabs(page, demo_server, spec):
        assert_charts_fit(page)
        assert page.locator("[data-testid='stException']").count() == 0


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


def test_the_open_tab_is_kept_in_the_url_beside_the_area(demo_server, page):
    open_page(page, f"{demo_server.url}/gebied?gebied=zuid&onderdeel=Keuze")  # a link to a section
    main = page.get_by_test_id("stMain")
    main.get_by_role("heading", name="Uitvoerders in Zuid en Haren", exact=False).wait_for()
    assert page.get_by_role("tab", name="Keuze", exact=True).get_attribute("aria-selected") == "true"
    assert main.get_by_role("heading", name="Aandeel basisondersteuning in de tijd").count() == 0  # not sent
    page.get_by_role("tab", name="Leeftijd", exact=True).click()
    main.get_by_role("heading", name="Leeftijdsopbouw").wait_for()
    wait_idle(page)
    assert page.url.endswith("/gebied?gebied=zuid&onderdeel=Leeftijd")
    assert main.get_by_role("heading", name="Keuze", exact=True).count() == 0


# Each tab's label whole (not cut off), and every tab reachable (the list scrolls sideways on a phone).
TAB_FITS = """tab => tab.scrollWidth <= tab.clientWidth + 1"""


@pytest.mark.parametrize("page", [PHONE, LAPTOP], indirect=True)
def test_tab_labels_are_whole_on_a_phone_and_a_laptop(demo_server, page):
    open_page(page, f"{demo_server.url}/gebied")
    tabs = page.locator(TAB)
    assert tabs.count() > 1
    for n in range(tabs.count()):
        tab = tabs.nth(n)
        assert tab.evaluate(TAB_FITS), tab.inner_text()
        tab.scroll_into_view_if_needed()
        assert tab.is_visible()
        box = tab.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= page.viewport_size["width"], tab.inner_text()


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


def test_the_checker_sees_a_chart_that_does_not_fit(tmp_path, page):
    """The test of the test: the same charts, drawn by plotly.js in a bare page as wide as a
    phone's chart, pass as built and fail once their margins are broken as on the old main
    (margin 0, no automargin) and their legend is laid over the plot."""
    import plotly
    import plotly.graph_objects as go
    import plotly.io as pio

    from gonmetrics import charts
    from tests.test_charts import Q3

    figs = sample_figures()
    built = [charts.compare(figs, "share_basis", Q3, "west").fig, charts.areas_trend(figs, "share_basis").fig,
             charts.trend(figs, "share_basis", "west", with_outlook=True).fig]  # the demo's charts have no outlook
    broken = [go.Figure(fig).update_layout(margin=dict(l=0, r=0, t=0, b=0, autoexpand=False), title_automargin=False,
                                          legend=dict(yref="paper", y=0.5))
              .update_xaxes(automargin=False).update_yaxes(automargin=False) for fig in built]
    script = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

    def problems(figures) -> list[str]:
        divs = "".join(f'<div data-testid="stPlotlyChart" style="width: 358px">'
                       f'{pio.to_html(fig, full_html=False, include_plotlyjs=False)}</div>' for fig in figures)
        html = tmp_path / "charts.html"
        html.write_text(f'<html><head><script src="{script.as_uri()}"></script></head><body>{divs}</body></html>',
                        encoding="utf-8")
        page.goto(html.as_uri())
        wait_for_charts(page)
        return chart_text_problems(page)

    assert problems(built) == []
    found = problems(broken)
    for chart in ("chart 0", "chart 1", "chart 2"):  # each broken chart is caught
        assert any(line.startswith(chart) for line in found), found
    assert any("sticks out of the chart" in line for line in found), found
    assert any("lies on the plot area" in line for line in found), found



def sample_figures():
    """The three quarters of tests/test_charts.py, outlooks included: small, hand-checked data."""
    from gonmetrics.narrative import Figures
    from tests.test_charts import POINTS, Q1, Q2, Q3, city, export, outlooks

    cells = city(200, 40, Q1, 10) | city(200, 50, Q2, 12) | city(200, 47, Q3, 14)
    return Figures(export(cells | outlooks(Q2, 0.35) | outlooks(Q3, 79 / 300)), points=POINTS)


def test_the_printable_report_draws_the_same_charts_and_they_fit(tmp_path, page):
    """The report shrinks every chart to an A4 width (680 px): its texts must still fit,
    the outlook's chart included (the demo's latest quarter is a year end, so it has none)."""
    from gonmetrics import charts, report_html
    from tests.test_charts import Q3

    figs = sample_figures()
    built = [("Trend", charts.trend(figs, "share_basis", "west", with_outlook=True)),
             ("Gebieden", charts.areas_trend(figs, "share_basis")),
             ("Vergelijking", charts.compare(figs, "share_mi", Q3, "west")),
             ("Soort", charts.mix(figs, "west")), ("Leeftijd", charts.ages(figs, "west"))]
    html = tmp_path / "rapport.html"
    html.write_text(report_html.render("Rapport", [], [report_html.Section("Grafieken", charts=built)]),
                    encoding="utf-8")
    page.goto(html.as_uri())
    wait_for_charts(page, "figure")
    assert page.locator("figure .js-plotly-plot").count() == len(built)
    problems = chart_text_problems(page, "figure")
    assert problems == [], "\n".join(problems)
