"""The analyst's pages in Streamlit's AppTest: Aanleveren (report before storing,
confirm, history and restore, targets, toelichtingen, role guard) and Definities."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from gonmetrics import access, desk
from gonmetrics.definitions import figure_texts
from gonmetrics.store import Store
from gonmetrics.targets import target_table
from pages import _ui
from tests.conftest import PROVIDER_HEADER, ROW, provider_csv
from tests.test_validate import replace_field

PROJECT = Path(__file__).resolve().parent.parent
Q2_ROW = "Zorg BV;2027-06-30;client-0002;oost;1990;aanvullend;dagbesteding;ouderen;2027-04-01;;;"
MARKDOWN_ELEMENTS = ("markdown", "caption", "title", "header", "subheader", "success", "error", "warning", "info")


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    """A database with one tiny delivery (an empty one would get the demo data)."""
    path = tmp_path / "gon.duckdb"
    monkeypatch.setenv("GONMETRICS_DB", str(path))
    monkeypatch.setenv("GONMETRICS_USERS", str(tmp_path / "no-users.toml"))  # local mode: an analyst
    Store(path).ingest(provider_csv(ROW), "q1.csv", user="t")
    return path


def open_page(page: str = "pages/aanleveren.py") -> AppTest:
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader[0].set_value([(name, data, "text/csv") for name, data in files]).run()
    assert not at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception
    return at


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    """The first st.dataframe whose first column has this header."""
    return next(d.value for d in at.dataframe if d.value.columns[0] == first_column)


def markdown_texts(at: AppTest) -> list[str]:
    """The values of every element that Streamlit renders as Markdown."""
    return [e.value for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]


def rendered(at: AppTest) -> str:
    """Everything the page sends to the browser, as text: every element and every table cell."""
    parts = []

    def walk(node) -> None:
        if getattr(node, "proto", None) is not None:
            parts.append(str(node.proto))
        if isinstance(node, Dataframe):
            parts.append(node.value.to_csv())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return "\n".join(parts)


def history(path: Path) -> pd.DataFrame:
    return Store(path).history()


# --- loading files -------------------------------------------------------------------


def test_valid_file_is_reported_first_and_stored_only_on_confirm(db):
    at = upload(open_page(), ("q2.csv", provider_csv(ROW.replace("2027-03-31", "2027-06-30"), Q2_ROW)))
    facts = table(at, "Bestand").iloc[0]
    assert (facts["Bestand"], facts["Soort"], facts["Aanbieder"], facts["Periode"], facts["Regels"]) == (
        "q2.csv", "aanbiedersextract", "Zorg BV", "K2 2027 (30-06-2027)", 2)
    assert facts["Oordeel"].startswith("goedgekeurd")
    assert len(history(db)) == 1  # nothing stored yet

    click(at, "Opslaan")
    stored = history(db)
    assert len(stored) == 2 and stored["file_name"].iloc[0] == "q2.csv" and stored["uploaded_by"].iloc[0] == "lokaal"
    assert table(at, "Bestand")["Resultaat"].tolist() == ["opgeslagen als upload 2; eerste levering voor dit kwartaal"]
    assert not at.file_uploader[0].value  # the uploaded bytes are gone once stored
    assert "Opslaan" not in buttons(at)


def test_opslaan_stores_the_rows_the_preview_checked_without_checking_again(db, monkeypatch):
    import gonmetrics.load

    data = provider_csv(ROW.replace("2027-03-31", "2027-06-30"), Q2_ROW)
    at = upload(open_page(), ("q2.csv", data))
    checks = []
    real_check = gonmetrics.load.check

    def counted(*args, **kwargs):
        checks.append(args[1])
        return real_check(*args, **kwargs)

    monkeypatch.setattr(gonmetrics.load, "check", counted)
    monkeypatch.setattr(desk, "check", counted)
    click(at, "Opslaan")
    assert checks == []
    assert table(at, "Bestand")["Resultaat"].tolist() == ["opgeslagen als upload 2; eerste levering voor dit kwartaal"]
    with Store(db).connect() as con:
        stored = con.execute("SELECT * EXCLUDE (upload_id) FROM trajectories WHERE upload_id = 2 ORDER BY ALL").df()
    expected = Store(db.with_name("check.duckdb"))
    expected.ingest(data, "q2.csv", user="t")
    with expected.connect() as con:
        assert stored.equals(con.execute("SELECT * EXCLUDE (upload_id) FROM trajectories ORDER BY ALL").df())


def test_opslaan_checks_again_what_the_preview_kept_no_rows_of(db, monkeypatch):
    monkeypatch.setattr(desk, "KEPT_ROWS_BYTES", 0)  # no room: the preview keeps the report only
    at = upload(open_page(), ("q2.csv", provider_csv(ROW.replace("2027-03-31", "2027-06-30"))))
    click(at, "Opslaan")
    assert table(at, "Bestand")["Resultaat"].tolist() == ["opgeslagen als upload 2; eerste levering voor dit kwartaal"]
    assert len(history(db)) == 2


def test_a_file_that_could_not_be_stored_is_not_reported_as_processed(db, monkeypatch):
    from gonmetrics.errors import DatabaseBusy

    at = upload(open_page(), ("q2.csv", provider_csv(ROW.replace("2027-03-31", "2027-06-30"))))

    def busy(*args, **kwargs):
        raise DatabaseBusy("De database is bezet door een ander proces.")

    monkeypatch.setattr(Store, "ingest", busy)
    monkeypatch.setattr(Store, "ingest_checked", busy)
    click(at, "Opslaan")
    assert not at.success
    assert [e.value for e in at.error] == ["Niet elk goedgekeurd bestand is opgeslagen; zie de tabel."]
    assert table(at, "Bestand")["Resultaat"].tolist() == ["niet opgeslagen: De database is bezet door een ander proces."]
    assert len(history(db)) == 1


def test_extra_column_is_named_in_a_warning(db):
    at = upload(open_page(), ("extra.csv", provider_csv(Q2_ROW + ";geheim", header=PROVIDER_HEADER + ";Opmerking")))
    assert table(at, "Bestand")["Oordeel"].iloc[0].startswith("goedgekeurd")
    assert any("Opmerking" in w for w in table(at, "Waarschuwing")["Waarschuwing"])
    assert "Opslaan" in buttons(at)


def test_redelivery_names_the_replaced_upload_and_a_repeat_changes_nothing(db):
    newer = provider_csv(ROW, replace_field(ROW, 2, "client-0002"))
    at = click(upload(open_page(), ("q1-v2.csv", newer)), "Opslaan")
    assert table(at, "Bestand")["Resultaat"].tolist() == ["opgeslagen als upload 2; vervangt upload 1"]

    at = click(upload(at, ("q1-v2-again.csv", newer)), "Opslaan")
    assert table(at, "Bestand")["Resultaat"].tolist() == ["al eerder geladen (upload 2) — niets veranderd"]
    assert len(history(db)) == 2


def test_file_with_an_error_shows_row_and_column_and_cannot_be_stored(db):
    bad = provider_csv(replace_field(ROW, 2, "client-0002"), replace_field(ROW, 3, "Noord"))
    at = upload(open_page(), ("fout.csv", bad))
    assert table(at, "Bestand")["Oordeel"].iloc[0] == "geweigerd — niets opgeslagen"
    assert any("niets opgeslagen" in e.value for e in at.error)
    errors = table(at, "Regel")
    assert errors[["Regel", "Kolom"]].values.tolist() == [[3, "gebied"]]
    assert "Noord" in errors["Melding"].iloc[0]
    assert "Opslaan" not in buttons(at)
    assert len(history(db)) == 1


def test_in_a_mixed_batch_only_the_accepted_file_is_stored(db):
    good = provider_csv(Q2_ROW)
    bad = provider_csv(replace_field(ROW, 3, "Noord"))
    at = click(upload(open_page(), ("goed.csv", good), ("fout.csv", bad)), "Opslaan")
    assert history(db)["file_name"].tolist() == ["goed.csv", "q1.csv"]
    assert table(at, "Bestand")["Bestand"].tolist() == ["goed.csv"]


def test_large_file_shows_the_total_error_count(db):
    rows = [replace_field(replace_field(ROW, 2, f"client-{i:05d}"), 3, "Noord") for i in range(150)]
    at = upload(open_page(), ("groot.csv", provider_csv(*rows)))
    assert len(table(at, "Regel")) == 100
    assert any("In totaal 150 fouten" in c.value for c in at.caption)


@pytest.mark.parametrize("header, value", [
    ("", "123456782"),  # a BSN as client_id
    (";dossier", "111222333"),  # a BSN in an extra column
])
def test_bsn_like_value_is_refused_and_never_shown(db, header, value):
    row = replace_field(ROW, 2, value) if not header else ROW + ";" + value
    at = upload(open_page(), ("bsn.csv", provider_csv(row, header=PROVIDER_HEADER + header)))
    assert table(at, "Bestand")["Oordeel"].iloc[0] == "geweigerd — niets opgeslagen"
    assert any("burgerservicenummers" in w.value for w in at.warning)
    assert "Opslaan" not in buttons(at)
    assert value not in rendered(at)
    assert value not in str(at.session_state["aanleveren_reports"])
    assert len(history(db)) == 1


def test_a_file_name_with_markup_stays_literal_text(db):
    name = "<b>x</b>.csv"
    at = upload(open_page(), (name, provider_csv(Q2_ROW)))
    assert table(at, "Bestand")["Bestand"].iloc[0] == name  # a dataframe cell: never interpreted
    assert not any("<b>" in text for text in markdown_texts(at))

    at = click(at, "Opslaan")
    assert table(at, "Upload")["Bestand"].iloc[0] == name
    assert not any("<b>" in text for text in markdown_texts(at))


# --- history and restore ------------------------------------------------------


def test_restore_makes_an_earlier_upload_current_again(db):
    Store(db).ingest(provider_csv(ROW, replace_field(ROW, 2, "client-0002")), "q1-v2.csv", user="t")
    at = open_page()
    assert table(at, "Upload")[["Upload", "Status"]].values.tolist() == [[2, "actueel"], [1, "vervangen"]]
    picker = next(s for s in at.selectbox if s.label == "Eerdere versie")
    assert len(picker.options) == 1 and picker.options[0].startswith("Upload 1: Zorg BV, K1 2027, q1.csv (")
    picker.set_value(1).run()
    at = click(at, "Deze versie terugzetten")
    assert table(at, "Upload")[["Upload", "Status"]].values.tolist() == [[2, "vervangen"], [1, "actueel"]]
    assert any("Upload 1 is weer de actuele versie" in s.value for s in at.success)
    assert history(db).set_index("upload_id")["current"].to_dict() == {2: False, 1: True}


AREA_2025_2026 = ("jaar;gebied;inwoners;inwoners_75plus;lumpsum_euro\n2025;west;243.800;15.000;€ 4.325.000\n"
                  "2026;west;244.000;15.100;4400000,5\n").encode("utf-8")
AREA_2026 = "jaar;gebied;inwoners;inwoners_75plus;lumpsum_euro\n2026;West;245000;15200;4500000\n".encode("utf-8")


def test_an_area_table_is_reported_stored_shown_and_restored_per_year(db):
    at = open_page()
    assert any(i.value == "Er zijn nog geen gebiedsgegevens geladen." for i in at.info)
    at = upload(at, ("gebied.csv", AREA_2025_2026))
    facts = table(at, "Bestand").iloc[0]
    assert (facts["Soort"], facts["Aanbieder"], facts["Periode"], facts["Regels"]) == (
        "gebiedsgegevens", "Gebiedsgegevens", "2025–2026", 2)
    at = click(at, "Opslaan")
    assert table(at, "Bestand")["Resultaat"].tolist() == ["opgeslagen als upload 2; actueel voor 2025–2026"]
    assert table(at, "Jaar").values.tolist() == [
        ["2025", "West", "243.800", "15.000", "€ 4.325.000,00", 2],
        ["2026", "West", "244.000", "15.100", "€ 4.400.000,50", 2]]

    Store(db).ingest(AREA_2026, "gebied-2026.csv", user="t")
    at = open_page()
    assert table(at, "Upload")[["Upload", "Aanbieder", "Periode", "Status"]].values.tolist() == [
        [3, "Gebiedsgegevens", "2026", "actueel"], [2, "Gebiedsgegevens", "2025–2026", "actueel voor 2025"],
        [1, "Zorg BV", "K1 2027", "actueel"]]
    assert table(at, "Jaar")["Inwoners"].tolist() == ["243.800", "245.000"]
    picker = next(s for s in at.selectbox if s.label == "Eerdere versie")
    assert picker.options == [desk.restorable(history(db))[2]]
    picker.set_value(2).run()
    at = click(at, "Deze versie terugzetten")
    assert table(at, "Jaar")["Inwoners"].tolist() == ["243.800", "244.000"]


# --- targets ------------------------------------------------------------------


def targets(path: Path) -> pd.DataFrame:
    with Store(path).connect() as con:
        return target_table(con)


def edit_targets(at: AppTest, **state) -> AppTest:
    editor = at.data_editor[0]
    at.session_state[editor.key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **state}
    return click(at, "Streefwaarden opslaan")


def test_editing_a_target_changes_the_targets_table(db):
    at = open_page()
    before = targets(db)
    row = before.index[(before["metric"] == "share_basis") & (before["peildatum"] == dt.date(2027, 12, 31))][0]
    at = edit_targets(at, edited_rows={int(row): {"minimum": 0.2}})
    after = targets(db)
    assert after.loc[row, "minimum"] == 0.2
    assert after.drop(index=row).equals(before.drop(index=row))
    assert any("opgeslagen" in s.value for s in at.success)


@pytest.mark.parametrize("edit, problem", [
    ({"added_rows": [{"metric": "share_basis", "peildatum": "2027-12-31", "minimum": 0.2}]}, "twee keer"),
    ({"edited_rows": {0: {"minimum": 1.5}}}, "geen getal tussen 0 en 1"),
    ({"edited_rows": {0: {"metric": "<b>x</b>"}}}, "geen cijfer waarvoor een streefwaarde kan gelden"),
], ids=["duplicate", "above 1", "unknown metric"])
def test_an_invalid_target_gives_a_dutch_error_and_changes_nothing(db, edit, problem):
    at = open_page()
    before = targets(db)
    at = edit_targets(at, **edit)
    messages = [e.value for e in at.error]
    assert any("niet opgeslagen" in m and problem in m for m in messages), messages
    assert not any("<b>" in m for m in messages)  # input quoted in the message stays literal text
    assert targets(db).equals(before)


# --- toelichtingen --------------------------------------------------------------


def test_a_toelichting_is_saved_and_listed(db):
    at = open_page()
    next(s for s in at.selectbox if s.label == "Gebied").set_value("west").run()
    at.text_area[0].input("Late levering van Zorg BV.").run()
    at = click(at, "Toelichting opslaan")
    listed = table(at, "Gebied")
    assert listed[["Gebied", "Kwartaal", "Toelichting"]].values.tolist() == [
        ["West", "K1 2027", "Late levering van Zorg BV."]]
    notes = Store(db).notes()
    assert notes[["gebied", "text", "author"]].values.tolist() == [["west", "Late levering van Zorg BV.", "lokaal"]]


# --- roles ----------------------------------------------------------------------


@pytest.fixture
def users(tmp_path, monkeypatch, db) -> Path:
    path = tmp_path / "users.toml"
    path.write_text(f'[users.bea]\nrole = "bestuur"\npassword_hash = "{access.hash_password("pw")}"\n')
    monkeypatch.setenv("GONMETRICS_USERS", str(path))
    return path


def log_in(name: str, password: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30).run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return click(at, "Inloggen")


def menu(at: AppTest) -> list[str]:
    """The titles of the page links in the sidebar menu."""
    return [link.proto.label for link in at.sidebar.get("page_link")]


def refusals(path: Path) -> list[tuple[str, str]]:
    with Store(path).connect() as con:
        return con.execute("SELECT actor, detail FROM audit_log WHERE action = 'toegang geweigerd'").fetchall()


def test_bestuur_has_no_aanleveren_in_the_menu_and_the_page_refuses(db, users):
    at = log_in("bea", "pw")
    assert at.session_state[_ui.USER_KEY] == access.User("bea", access.BESTUUR)
    assert menu(at) == ["Overzicht", "Gebied", "Voortgang", "Definities"]
    at.switch_page("pages/definities.py").run()  # a page in bestuur's menu opens
    assert not at.exception and at.title[0].value == "Definities"

    at.switch_page("pages/aanleveren.py").run()  # a page outside the menu, asked for by its URL
    assert not at.exception
    assert [e.value for e in at.error] == ["U heeft geen toegang tot deze pagina."]
    assert not at.file_uploader and not at.title and not at.dataframe and not at.data_editor
    assert refusals(db) == [("bea", "pagina aanleveren")]


@pytest.mark.parametrize("role", [access.BESTUUR, access.RAAD])
def test_the_page_guards_itself_whatever_the_menu(db, role):
    page = AppTest.from_file(str(PROJECT / "pages" / "aanleveren.py"), default_timeout=30)
    page.session_state[_ui.USER_KEY] = access.User("iemand", role)
    page.run()
    assert not page.exception
    assert [e.value for e in page.error] == ["U heeft geen toegang tot deze pagina."]
    assert not page.file_uploader and not page.title and not page.button
    assert refusals(db) == [("iemand", "pagina aanleveren")]
    assert refusals(db) == [("iemand", "pagina aanleveren")]


# --- Definities -----------------------------------------------------------------


def test_delivery_matrix_marks_missing_deliveries():
    q1, q2 = dt.date(2027, 3, 31), dt.date(2027, 6, 30)
    status = pd.DataFrame({
        "peildatum": [q1, q1, q2, q2],
        "kind": ["aanbieder", "wij", "aanbieder", "wij"],
        "aanbieder": ["Zorg BV", "WIJ Groningen", "Zorg BV", "WIJ Groningen"],
        "delivered": [True, False, False, False],
        "missing": [False, False, True, False],
    })
    matrix = desk.delivery_matrix(status)
    assert list(matrix.columns) == ["Leverancier", "K1 2027", "K2 2027"]
    assert matrix.values.tolist() == [["Zorg BV", "geleverd", "ontbreekt"], ["WIJ Groningen", "–", "–"]]


def test_quarterly_targets_are_the_year_end_minimum_all_year():
    points = pd.DataFrame({"metric": ["share_basis", "share_basis"], "peildatum": [dt.date(2027, 12, 31),
                           dt.date(2028, 12, 31)], "minimum": [0.15, 0.125]})
    assert desk.quarterly_targets(points).values.tolist() == [
        ["K1 2027", "15\u00a0%"], ["K2 2027", "15\u00a0%"], ["K3 2027", "15\u00a0%"], ["K4 2027", "15\u00a0%"],
        ["K1 2028", "12,5\u00a0%"], ["K2 2028", "12,5\u00a0%"], ["K3 2028", "12,5\u00a0%"], ["K4 2028", "12,5\u00a0%"]]



def test_definities_lists_every_metric_and_the_accessibility_statement(db, monkeypatch):
    monkeypatch.setenv("GONMETRICS_CONTACT", "Vragen? Bel 14 050.")
    monkeypatch.setenv("GONMETRICS_MIN_COUNT", "5")
    at = open_page("pages/definities.py")
    captions = " ".join(c.value for c in at.caption)
    assert all(f"`{metric}`" in captions for metric in figure_texts())
    assert [s.value for s in at.subheader][:len(figure_texts())] == [name for name, _ in figure_texts().values()]
    headers = [h.value for h in at.header]
    assert {"Streefwaarden", "Status", "Vooruitblik", "Bronnen en leveringen", "Kleine aantallen", "Toegankelijkheid",
            "Contact"} <= set(headers)
    text = " ".join(m.value for m in at.markdown)
    assert "Engels als taal" not in text  # the page is served as Dutch now (dashboard.py): no longer a known issue
    assert "Drag and drop files here" in text
    assert "Vragen? Bel 14 050." in text
    assert "kleiner dan 5" in text and any("De grens staat nu op 5" in c.value for c in at.caption)
    status = table(at, "Leverancier")
    assert status.values.tolist() == [["Zorg BV", "geleverd"]] and list(status.columns) == ["Leverancier", "K1 2027"]
    assert "Aandeel basisondersteuning" in table(at, "Cijfer")["Cijfer"].tolist()


def test_local_mode_refuses_to_serve_beyond_loopback(db):
    from streamlit import config

    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30).run()
    finally:
        config.set_option("server.address", "127.0.0.1")
    assert not at.exception
    assert [e.value[:58] for e in at.error] == ["Er zijn geen gebruikers ingesteld, dus deze monitor draait"]
    assert not at.title and not at.metric and not at.sidebar.get("page_link")
    assert access.is_loopback("127.0.0.1") and access.is_loopback(" LOCALHOST ") and not access.is_loopback("")
