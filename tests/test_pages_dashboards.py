"""Overzicht, Gebied and Voortgang driven through dashboard.py with AppTest (login frame
and menu included), on tiny hand-made databases and on the demo: what is shown, in Dutch,
and what the council may not see."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from plotly.offline import get_plotlyjs
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from gonmetrics import access, fmt
from gonmetrics.store import Store
from tests.conftest import provider_csv, wij_csv

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
Q1, Q2 = "2027-03-31", "2027-06-30"


def trajectory(peildatum: str, client: str, gebied: str, ondersteuning: str, aanbieder: str = "Zorg BV",
               mi: str = "") -> str:
    return (f"{aanbieder};{peildatum};client-{client};{gebied};1980;{ondersteuning};begeleiding;psychisch;"
            f"2026-01-01;;{mi};")


# West in Q1: 0001 basis via an initiative, 0002 basis, 0003 aanvullend, 0004 both.
#   users 4; share_basis 2/4 = 50,0 %; share_mi 1 of the 3 with basis = 33,3 %.
# Oost in Q1 (another provider): 0005 aanvullend only -> share_basis 0,0 %.
# Centrum and zuid: nobody.
WEST_Q1 = [trajectory(Q1, "0001", "west", "basis", mi="Wiershoeck"), trajectory(Q1, "0002", "west", "basis"),
           trajectory(Q1, "0003", "west", "aanvullend"), trajectory(Q1, "0004", "west", "basis"),
           trajectory(Q1, "0004", "west", "aanvullend")]
OOST_Q1 = [trajectory(Q1, "0005", "oost", "aanvullend", aanbieder="Hulp NV")]
# West in Q2: 0003 moved to basis -> 3/4 = 75,0 % (+25,0 procentpunt). Hulp NV does not deliver.
WEST_Q2 = [trajectory(Q2, "0001", "west", "basis", mi="Wiershoeck"), trajectory(Q2, "0002", "west", "basis"),
           trajectory(Q2, "0003", "west", "basis"), trajectory(Q2, "0004", "west", "basis"),
           trajectory(Q2, "0004", "west", "aanvullend")]
# WIJ Q1: two registrations in west, one of a 26-year-old with doelgroep psychisch.
WIJ_Q1 = ["2027-03-31;client-0001;west;2001;2027-02-14;psychisch;aanvullend;Zorg BV;bepaald",
          "2027-03-31;client-0009;west;1960;2027-02-20;ouderen;anders;;"]


def ingest(store: Store, data: bytes, name: str) -> None:
    report = store.ingest(data, name, user="t")
    assert report.status == "accepted", report.errors


@pytest.fixture
def use_db(monkeypatch, tmp_path):
    """Point the dashboard at a database; without a users file it runs in local mode (analist)."""
    monkeypatch.setenv("GONMETRICS_USERS", str(tmp_path / "no-users.toml"))

    def use(path) -> Store:
        monkeypatch.setenv("GONMETRICS_DB", str(path))
        return Store(path)
    return use


@pytest.fixture
def one_quarter(use_db, tmp_path) -> Store:
    store = use_db(tmp_path / "one.duckdb")
    ingest(store, provider_csv(*WEST_Q1), "zorg_q1.csv")
    ingest(store, provider_csv(*OOST_Q1), "hulp_q1.csv")
    ingest(store, wij_csv(*WIJ_Q1), "wij_q1.csv")
    return store


@pytest.fixture
def two_quarters(one_quarter) -> Store:
    ingest(one_quarter, provider_csv(*WEST_Q2), "zorg_q2.csv")
    return one_quarter


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    from gonmetrics.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture(scope="module")
def demo_figures(demo_path) -> pd.DataFrame:
    from gonmetrics.metrics import export_frame

    with Store(demo_path).connect() as con:
        return export_frame(con)


def app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.run()
    return visit(at, page, **query)


def visit(at: AppTest, page: str | None = None, **query) -> AppTest:
    """Switch a running app to a page (with query parameters) and run it; no exception."""
    if page:
        at.switch_page(page)
        for key, value in query.items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    """Every text the page shows, the tables' cells and the charts' specs, as one string."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [f"{m.label} | {m.value} | {m.delta}" for m in at.metric]
    parts += [t.value.to_csv() for t in [*at.table, *at.dataframe]]
    parts += [c.proto.spec for c in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def metric(at: AppTest, label: str, nth: int = 0):
    return [m for m in at.metric if m.label.startswith(label)][nth]


def initiatives(at: AppTest) -> pd.DataFrame:
    return next(t.value for t in at.dataframe if list(t.value.columns) == ["Initiatief", "Gebruikers"])


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


# --- Overzicht ---------------------------------------------------------------------------


def test_overzicht_one_quarter_shows_areas_status_and_no_previous_quarter(one_quarter):
    at = app()
    assert [t.value for t in at.title] == ["Overzicht"]
    assert at.selectbox[0].value == dt.date(2027, 3, 31)
    assert "De vier gebieden in K1 2027" in [h.value for h in at.header]
    assert [s.value for s in at.subheader] == ["Centrum, Oude Wijken", "West", "Oost en Ten Boer", "Zuid en Haren"]
    west, oost = metric(at, "Aandeel basisondersteuning", 0), metric(at, "Aandeel basisondersteuning", 1)
    assert (west.value, west.delta) == ("50,0\u00a0%", "geen vorig kwartaal")
    assert oost.value == "0,0\u00a0%"
    assert metric(at, "Aandeel basisgebruikers via maatschappelijk initiatief").value == "33,3\u00a0%"
    assert metric(at, "Aantal gebruikers").value == "4"
    statuses = [m.value for m in at.markdown if m.value.startswith(":material/")]
    # one quarter: no outlook yet, so before the year end the status is onbekend, against all of 2027's 15 %
    assert statuses == [":material/help: **onbekend**: streefwaarde eind 2027: 15\u00a0%"] * 3  # west 2x, oost
    assert [m.value for m in at.markdown].count("Geen gebruikers in dit kwartaal.") == 2  # centrum, zuid
    assert not at.warning  # nothing provisional, no demo
    assert "✔ geleverd" in at.dataframe[-1].value["Status"].tolist()


def test_overzicht_marks_a_quarter_with_a_missing_provider_as_provisional(two_quarters):
    at = app()
    assert at.selectbox[0].value == dt.date(2027, 6, 30)
    warning = at.warning[0].value
    assert "Voorlopige cijfers" in warning and "K2 2027" in warning and "Hulp NV" in warning
    west = metric(at, "Aandeel basisondersteuning")
    assert west.label == "Aandeel basisondersteuning (voorlopig)"
    assert (west.value, west.delta) == ("75,0\u00a0%", "+25,0\u00a0procentpunt")
    # west 50 % -> 75 %: the line reaches 100 % (clipped) by the end of 2027: op koers; share_mi 1/3 -> 1/4
    # falls 1/12 a quarter to 1/12 (8,3 %) at the year end: niet op koers
    statuses = [m.value for m in at.markdown if m.value.startswith(":material/")]
    assert statuses == [":material/trending_up: **op koers**: streefwaarde eind 2027: 15\u00a0%",
                        ":material/warning: **niet op koers**: streefwaarde eind 2027: 15\u00a0%"]
    delivery = at.dataframe[-1].value
    assert delivery.set_index("Leverancier").loc["Hulp NV", "Status"] == "✖ ontbreekt (vorig kwartaal wel geleverd)"
    # the earlier quarter is complete again
    at.selectbox[0].set_value(dt.date(2027, 3, 31)).run()
    assert not at.warning and metric(at, "Aandeel basisondersteuning").value == "50,0\u00a0%"


def test_overzicht_city_chart_is_dutch_and_accessible(one_quarter):
    at = app()
    chart = at.get("plotly_chart")[0]
    spec = json.loads(chart.proto.spec)
    assert spec["layout"]["separators"] == ",."
    # stad: 0001, 0002 only basis of 5 users -> 40,0 %
    hover = "Gemeente Groningen · K1 2027<br>Aandeel basisondersteuning: 40,0\u00a0% (2 van 5)"
    assert spec["data"][0]["customdata"] == [[hover]]
    summary = "Aandeel basisondersteuning in Gemeente Groningen: 40,0\u00a0% in K1 2027; streefwaarde"
    assert summary in chart.proto.alt
    assert any(c.value.startswith(summary) for c in at.caption)
    assert at.expander[0].label == "Gegevens als tabel"
    assert {b.label for b in at.get("download_button")} >= {"CSV downloaden", "XLSX downloaden"}


# --- Gebied ------------------------------------------------------------------------------


TAB = "onderdeel"  # the open tab of Gebied and Voortgang in the URL
TABS = ["Basisondersteuning", "Verschuiving", "Initiatieven", "Leeftijd", "WIJ", "Overgang", "Keuze", "Context",
        "Vergelijking"]  # Gebied's


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open a tab of the page as its link does (?onderdeel=<label>); only that tab's content is sent."""
    # AppTest keeps the URL's parameter over a change of session state, and ignores a parameter
    # naming the first tab (the browser drops it from the URL) once another tab is open: set both.
    at.query_params[TAB] = at.session_state[TAB] = label
    at.run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs if t.children] == [label]
    return at


def shown_in_every_tab(at: AppTest) -> str:
    """shown() of each tab of the page in turn: all that the page can show."""
    labels = [t.label for t in at.tabs]
    assert labels, "the page has no tabs"
    return "\n".join(shown(open_tab(at, label)) for label in labels)


def chart_keys(at: AppTest) -> list[str]:
    return [c.key for c in at.get("plotly_chart")]


def test_gebied_follows_the_url_and_shows_the_area(one_quarter):
    one_quarter.set_note("west", dt.date(2027, 3, 31), "Nieuwe werkwijze, zie [site](http://x)", "anna")
    at = app("pages/gebied.py", gebied="west")
    assert [t.value for t in at.title] == ["Gebied"]
    assert at.selectbox[0].value == "west"
    assert at.header[0].value == "Kerncijfers West, K1 2027"
    # shown as written, not as Markdown: no link
    [note] = [i.value for i in at.info if i.value.startswith("**Toelichting**")]
    assert r"**Toelichting**: Nieuwe werkwijze, zie \[site\]\(http\://x\)" in note
    assert metric(at, "Aandeel basisondersteuning").value == "50,0\u00a0%"
    assert metric(at, "Aandeel basis én aanvullend").value == "25,0\u00a0%"
    text = shown(at)
    assert ("Voor een vooruitblik naar eind 2027 zijn minstens twee kwartalen met een waarde nodig (status: "
            "onbekend).") in text
    open_tab(at, "Verschuiving")
    # 15 % of 4 users is 0,6: one basis user is enough, and west has two
    assert ("In West is 15\u00a0% alleen basisondersteuning voor eind 2027 al bereikt (bij een gelijk aantal "
            "gebruikers).") in shown(at)
    open_tab(at, "WIJ")
    assert metric(at, "Aanmeldingen jongvolwassenen (18–26)").value == "1"
    assert metric(at, "Aandeel van alle aanmeldingen").value == "50,0\u00a0%"
    open_tab(at, "Initiatieven")
    assert initiatives(at).values.tolist() == [["Wiershoeck", "1"]]


# The charts of each tab for west in K1 2027 of `one_quarter`: no baseline quarter (K4 2026), so no
# transition chart, and no area table, so no context charts; two steering metrics to compare.
TAB_CHARTS = {
    "Basisondersteuning": ["chart-share_basis_west"],
    "Verschuiving": ["chart-verschuiving_west", "chart-mix_west"],
    "Initiatieven": ["chart-share_mi_west"],
    "Leeftijd": ["chart-leeftijd_west"],
    "WIJ": ["chart-aanmeldingen_jongvolwassenen_west", "chart-wachttijd_west", "chart-toeleiding_west",
            "chart-beschikking_onbepaald_west"],
    "Overgang": [],
    "Keuze": ["chart-share_other_uitvoerder_west"],
    "Context": [],
    "Vergelijking": ["chart-share_basis_K1_2027", "chart-share_mi_K1_2027"],
}
TAB_HEADERS = {
    "Basisondersteuning": ["Aandeel basisondersteuning in de tijd"],
    "Verschuiving": ["Benodigde verschuiving", "Soort ondersteuning"],
    "Initiatieven": ["Maatschappelijke initiatieven"],
    "Leeftijd": ["Leeftijdsopbouw"],
    "WIJ": ["Aanmeldingen jongvolwassenen (18–26) psychisch kwetsbaar",
            "Wachttijd van aanmelding bij WIJ tot start", "Toegang via WIJ"],
    "Overgang": ["Overgang van bestaande gebruikers"], "Keuze": ["Keuze"], "Context": ["Gebied in context"],
    "Vergelijking": ["Vergelijking met de andere gebieden"],
}


def test_gebied_sends_only_the_open_tab_and_each_tab_has_its_sections(one_quarter):
    at = app("pages/gebied.py", gebied="west")
    # the first visit: the first tab is open, without a parameter in the URL, and nothing of the others is sent
    assert at.query_params.get(TAB) is None
    assert [t.label for t in at.tabs] == TABS
    assert [t.label for t in at.tabs if t.children] == ["Basisondersteuning"]
    assert chart_keys(at) == TAB_CHARTS["Basisondersteuning"]
    assert [h.value for h in at.header] == ["Kerncijfers West, K1 2027", "Aandeel basisondersteuning in de tijd"]
    for label in TABS:
        open_tab(at, label)
        assert at.header[0].value == "Kerncijfers West, K1 2027"  # the first screen stays above the tabs
        assert [h.value for h in at.header][1:] == TAB_HEADERS[label], label
        assert chart_keys(at) == TAB_CHARTS[label], label
    # twelve charts in all, as before the tabs: the trend, shift and mix, the initiatives' trend, the ages,
    # four of WIJ, another uitvoerder and the two comparisons
    assert sum(map(len, TAB_CHARTS.values())) == 12


def test_gebied_keeps_the_open_tab_when_the_area_changes(one_quarter):
    at = app("pages/gebied.py", gebied="oost", onderdeel="Keuze")
    assert [h.value for h in at.header] == ["Kerncijfers Oost en Ten Boer, K1 2027", "Keuze"]
    at.selectbox[0].set_value("west").run()
    assert [h.value for h in at.header] == ["Kerncijfers West, K1 2027", "Keuze"]
    assert at.subheader[-1].value == "Uitvoerders in West, K1 2027"
    assert (at.query_params["gebied"], at.query_params[TAB]) == ("west", "Keuze")


def test_gebied_opens_the_first_tab_for_an_unknown_one(one_quarter):
    at = app("pages/gebied.py", gebied="west", onderdeel="Grafieken")
    assert [t.label for t in at.tabs if t.children] == ["Basisondersteuning"]
    assert TAB not in at.query_params  # the stale parameter is dropped from the URL


def test_gebied_switches_area_and_keeps_it_in_the_url(one_quarter):
    at = app("pages/gebied.py", gebied="oost")
    assert at.header[0].value == "Kerncijfers Oost en Ten Boer, K1 2027"
    at.selectbox[0].set_value("west").run()
    assert at.header[0].value == "Kerncijfers West, K1 2027"
    assert at.query_params["gebied"] == "west"


def test_gebied_opens_on_the_first_area_for_an_unknown_link(one_quarter):
    at = app("pages/gebied.py", gebied="noord")
    assert at.selectbox[0].value == "centrum"
    assert at.header[0].value == "Kerncijfers Centrum, Oude Wijken, K1 2027"
    assert at.query_params["gebied"] == "centrum"


def test_gebied_remembers_the_area_and_the_tab_across_pages(one_quarter):
    at = app("pages/gebied.py", gebied="oost")
    at.selectbox[0].set_value("zuid").run()
    open_tab(at, "Keuze")
    at.switch_page("pages/overzicht.py")
    at.query_params.clear()  # the menu's links carry no ?gebied=
    at.run()
    assert [t.value for t in at.title] == ["Overzicht"]
    at.switch_page("pages/gebied.py").run()
    assert not at.exception
    assert at.selectbox[0].value == "zuid"
    assert [h.value for h in at.header] == ["Kerncijfers Zuid en Haren, K1 2027", "Keuze"]
    assert (at.query_params["gebied"], at.query_params[TAB]) == ("zuid", "Keuze")


def test_gebied_answers_the_first_questions_in_its_first_sentence(two_quarters):
    # West in K2: 3 of 4 users basis only (75,0 %), in K1 2 of 4 (50,0 %): 25,0 procentpunt more. The
    # line through 50 % and 75 % reaches 100 % (capped) by the end of 2027, above 15 %: op koers.
    at = app("pages/gebied.py", gebied="west")
    assert at.markdown[0].value == (
        "**In West ontving op 30-06-2027 75,0\u00a0% van de gebruikers alleen basisondersteuning; streefwaarde "
        "eind 2027: 15\u00a0%, status: op koers. Dat is 25,0\u00a0procentpunt meer dan in K1 2027.**")


def test_gebied_without_users_says_so(one_quarter):
    at = app("pages/gebied.py", gebied="zuid")
    assert not at.exception
    assert any("Geen gebruikers in Zuid en Haren in K1 2027" in i.value for i in at.info)
    assert metric(at, "Aandeel basisondersteuning").value == "–"
    open_tab(at, "Initiatieven")
    assert "In dit kwartaal liep geen basisondersteuning via een maatschappelijk initiatief." in shown(at)


def test_a_failure_becomes_a_dutch_message_not_a_traceback(one_quarter, monkeypatch):
    from pages import _ui

    def broken(con):
        raise RuntimeError("boom")
    monkeypatch.setattr(_ui, "export_frame", broken)
    at = app("pages/gebied.py", gebied="west")
    assert [e.value for e in at.error] == [
        "Deze pagina kon door een onverwachte fout niet worden getoond. Probeer het opnieuw; blijft het misgaan, "
        "meld het dan aan een analist."]
    assert "boom" not in shown(at)


# --- Voortgang ---------------------------------------------------------------------------


def test_voortgang_protects_small_numbers_for_everyone(one_quarter):
    at = app("pages/voortgang.py")
    assert "In West zijn de aantallen op 31-03-2027 te klein" in shown(at)
    text = shown_in_every_tab(at)
    for secret in ("50,0", "33,3", "(2 van 4)", "40,0"):
        assert secret not in text, secret
    assert at.get("download_button")[-1].label == "Rapport downloaden (afdrukbaar)"


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """file name -> the callable a download button runs when clicked (they are deferred)."""
    made = {}
    register = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)
    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return made


def test_voortgang_report_and_table_downloads_are_protected(one_quarter, downloads):
    app("pages/voortgang.py")
    report = downloads["voortgang_K1_2027.html"]().decode("utf-8").replace(get_plotlyjs(), "")  # the library
    assert '<html lang="nl">' in report and "In West zijn de aantallen op 31-03-2027 te klein" in report
    csv_text = downloads["share_basis_stad.csv"]().decode("utf-8-sig")
    assert csv_text.startswith("Kwartaal;Peildatum;Aandeel basisondersteuning;Teller;Noemer;Streefwaarde;Status")
    for text in (report, csv_text):
        for secret in ("50,0", "33,3", "40,0", "(2 van 5)"):
            assert secret not in text, secret


# --- the demo ------------------------------------------------------------------------------


def value(frame: pd.DataFrame, metric_id: str, gebied: str, peildatum: dt.date) -> float:
    return frame[(frame.metric == metric_id) & (frame.gebied == gebied) & (frame.peildatum == peildatum)].value.iloc[0]


def test_demo_overzicht_is_labelled_and_shows_the_latest_quarter(use_db, demo_path, demo_figures):
    use_db(demo_path)
    at = app()
    latest = max(demo_figures.peildatum)
    assert any("**Demodata**" in w.value for w in at.warning)
    assert at.selectbox[0].value == latest
    west = metric(at, "Aandeel basisondersteuning", 1)
    assert west.value == fmt.percent(value(demo_figures, "share_basis", "west", latest))


def test_the_demo_is_shown_beside_an_empty_real_database_until_its_first_upload(use_db, demo_path, tmp_path):
    # The demo lives in its own database beside the real one; a real upload never mixes with it.
    real = tmp_path / "gon.duckdb"
    shutil.copy(demo_path, tmp_path / "gon-demo.duckdb")  # as if built on an earlier visit
    use_db(real)
    at = app()
    assert any("**Demodata**" in w.value for w in at.warning)
    assert Store(real).is_empty()  # showing the demo put nothing into the real database

    ingest(Store(real), provider_csv(*WEST_Q1), "zorg_q1.csv")
    at = app()
    assert not any("Demodata" in w.value for w in at.warning)
    assert metric(at, "Aantal gebruikers").value == "4"  # west (the only area with users): 0001-0004
    assert at.selectbox[0].value == dt.date(2027, 3, 31)


def test_aanleveren_works_on_the_real_database_while_the_demo_is_shown(use_db, demo_path, tmp_path):
    real = tmp_path / "gon.duckdb"
    shutil.copy(demo_path, tmp_path / "gon-demo.duckdb")
    use_db(real)
    at = app("pages/aanleveren.py")
    assert any("demodata" in i.value and "echte database" in i.value for i in at.info)
    assert "Er is nog niets opgeslagen." in [i.value for i in at.info]  # the real history, not the demo's 64


def test_demo_missing_delivery_and_empty_area(use_db, demo_path):
    use_db(demo_path)
    at = app()
    at.selectbox[0].set_value(dt.date(2028, 6, 30)).run()
    assert not at.exception
    assert any("Stichting De Stadsbrug" in w.value and "Voorlopige cijfers" in w.value for w in at.warning)
    assert "Geen gebruikers in dit kwartaal." in [m.value for m in at.markdown]  # centrum


def test_demo_gebied_shows_outlook_and_comparison(use_db, demo_path, demo_figures):
    use_db(demo_path)
    at = app("pages/gebied.py", gebied="oost")
    at.selectbox[1].set_value(dt.date(2028, 9, 30)).run()  # before the year end: an outlook to it
    text = shown(at)
    assert "Als de lijn van de laatste kwartalen doorzet" in text and "(indicatie, geen voorspelling)" in text
    trend = chart_specs(at)[0]
    assert {"Streefwaarde", "Doel eind 2027: 15\u00a0%"} <= {t["name"] for t in trend["data"]}
    compare = chart_specs(open_tab(at, "Vergelijking"))[0]
    assert compare["data"][0].get("orientation") == "h"
    assert any(label.startswith("Oost en Ten Boer<br>(dit gebied)<br>") for label in compare["data"][0]["y"])
    [ages] = chart_specs(open_tab(at, "Leeftijd"))
    assert "75+ jaar" in [t["name"] for t in ages["data"]]
    assert len(initiatives(open_tab(at, "Initiatieven"))) == 5  # the five used most


@pytest.mark.parametrize("page", ["pages/overzicht.py", "pages/gebied.py", "pages/voortgang.py"])
@pytest.mark.parametrize("quarter", [dt.date(2028, 9, 30), dt.date(2028, 12, 31)])  # before and at a year end
def test_demo_pages_show_only_the_five_status_words(use_db, demo_path, page, quarter):
    use_db(demo_path)
    at = app(page)
    at.selectbox[1 if page == "pages/gebied.py" else 0].set_value(quarter).run()
    text = shown(at)
    assert "achter" not in text.lower()
    words = re.findall(r"\*\*([^*]+)\*\*: streefwaarde eind", text) + re.findall(r"status: ([a-z ]+)[.)]", text)
    assert words and set(words) <= {"gehaald", "niet gehaald", "op koers", "niet op koers", "onbekend"}
    year_end = {"gehaald", "niet gehaald"}
    assert (set(words) <= year_end) == (quarter.month == 12)


def test_demo_voortgang_in_words_and_as_report(use_db, demo_path, demo_figures, downloads):
    use_db(demo_path)
    at = app("pages/voortgang.py")
    latest = max(demo_figures.peildatum)
    share = fmt.percent(value(demo_figures, "share_basis", "west", latest))
    bullets = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert f"- In West ontving op {fmt.date(latest)} {share} van de gebruikers alleen basisondersteuning" in bullets
    # the first tab, the city: share_basis, share_mi and the shift; only that tab is sent, and the
    # tab beside it has two comparisons and share_basis over time
    assert [t.label for t in at.tabs] == ["Gemeente", "Gebieden", "Meer cijfers"]
    assert chart_keys(at) == ["chart-share_basis_stad", "chart-share_mi_stad", "chart-verschuiving_stad"]
    report = downloads[f"DEMODATA_voortgang_{fmt.quarter(latest).replace(' ', '_')}.html"]().decode("utf-8")
    assert "Demodata: dit rapport toont synthetische" in report and f"In West ontving op {fmt.date(latest)}" in report
    table = downloads["DEMODATA_share_basis_stad.csv"]().decode("utf-8-sig")
    assert table.startswith("# DEMODATA: synthetische gegevens, geen echte cijfers\r\n")
    # a table per chart, and the tables of the council's further figures (six groups, the uitvoerders):
    # the report holds every tab, whichever is open
    assert report.count("<figure>") == 6 and report.count("<caption>") == 6 + 6 + 1
    shown_quarter = fmt.quarter(latest).replace(" ", "_")
    assert chart_keys(open_tab(at, "Gebieden")) == [f"chart-share_basis_{shown_quarter}",
                                                    f"chart-share_mi_{shown_quarter}", "chart-share_basis_gebieden"]
    # the latest quarter is a year end: the minimums are gehaald or not, no outlook to that year end
    assert "streefwaarde eind 2028: 30\u00a0%, status: " in report and "(indicatie, geen voorspelling)" not in report


# --- the council -----------------------------------------------------------------------------


@pytest.fixture
def council(monkeypatch, tmp_path):
    users = tmp_path / "users.toml"
    users.write_text(f'[users.raadslid]\nrole = "raad"\npassword_hash = "{access.hash_password("pw")}"\n')
    monkeypatch.setenv("GONMETRICS_USERS", str(users))


def login(name: str = "raadslid", password: str = "pw") -> AppTest:
    at = AppTest.from_file(DASHBOARD, default_timeout=30)
    at.run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_council_sees_only_protected_figures(one_quarter, council):
    at = login()
    assert [t.value for t in at.title] == ["Overzicht"]
    assert metric(at, "Aantal gebruikers").value == "< 10"
    text = shown(at)
    for secret in ("50,0", "33,3", "40,0", "(2 van 5)", "| 4 |"):
        assert secret not in text, secret
    at.switch_page("pages/voortgang.py").run()
    assert not at.exception
    assert "te klein" in shown(at) and "50,0" not in shown_in_every_tab(at)


def test_council_has_no_gebied_page_and_its_guard_refuses(one_quarter, council):
    at = login()
    assert [link.proto.label for link in at.sidebar.get("page_link")] == ["Overzicht", "Voortgang", "Definities"]
    at.switch_page("pages/gebied.py").run()  # its URL, opened directly
    assert [e.value for e in at.error] == ["U heeft geen toegang tot deze pagina."]
    assert not at.get("plotly_chart") and not at.metric and not at.title


def test_a_database_held_too_long_by_another_process_gives_viewers_the_dutch_busy_message(one_quarter, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setenv("GONMETRICS_LOCK_WAIT", "1")
    holder = subprocess.Popen(  # another process that keeps DuckDB's file lock (say, a long rebuild)
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "time.sleep(120)", str(one_quarter.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        at = AppTest.from_file(DASHBOARD, default_timeout=30).run()
        assert not at.exception
        assert [e.value for e in at.error] == [
            "De database is bezet door een ander proces (bijvoorbeeld een lopende upload); na 1 seconde wachten "
            "is het niet gelukt. Probeer het zo opnieuw."]
    finally:
        holder.kill()
        holder.wait()


def test_local_mode_is_said_in_the_sidebar_beside_who_is_signed_in_not_above_the_figures(one_quarter):
    at = app()
    local = "**Lokale modus**"
    assert any(local in i.value for i in at.sidebar.info)
    assert not any(local in i.value for i in at.main.info)
