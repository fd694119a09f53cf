"""An analyst uploads an extract through the real file input on Aanleveren, reads the
report, confirms, and sees the new quarter's figures on Gebied."""

from __future__ import annotations

from gonmetrics.store import Store
from tests.conftest import provider_csv
from tests.e2e.conftest import Server, open_page, screenshot, wait_idle

Q1, Q2 = "2027-03-31", "2027-06-30"


def rows(peildatum: str, aanbieder: str, gebied: str, basis: int, aanvullend: int) -> list[str]:
    kinds = ["basis"] * basis + ["aanvullend"] * aanvullend
    return [f"{aanbieder};{peildatum};{gebied}-{i:05d};{gebied};1970;{kind};begeleiding;overig;2026-10-01;;;"
            for i, kind in enumerate(kinds)]


def test_upload_confirm_and_see_it_on_gebied(tmp_path, page):
    db = tmp_path / "gon.duckdb"
    # Something is stored already, so the server does not build the demo.
    seed = Store(db).ingest(provider_csv(*rows(Q1, "Zorg BV", "west", 5, 15)), "west_q1.csv", user="seed")
    assert seed.accepted
    # Oost in K2 2027: 15 users, 6 of them only basis -> 40,0 %.
    upload = tmp_path / "oost_K2_2027.csv"
    upload.write_bytes(provider_csv(*rows(Q2, "Hulp NV", "oost", 6, 9)))

    server = Server(db)
    try:
        open_page(page, f"{server.url}/aanleveren")
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
        wait_idle(page)
        page.get_by_text("Goedgekeurd: dit bestand kan worden opgeslagen.").wait_for()
        screenshot(page, "upload-report")
        page.get_by_role("button", name="Opslaan", exact=True).click()
        page.get_by_text("De goedgekeurde bestanden zijn verwerkt").wait_for()
        wait_idle(page)

        open_page(page, f"{server.url}/gebied?gebied=oost")
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", state="visible")
        main = page.locator("[data-testid='stMain']")
        assert main.get_by_role("heading", name="Kerncijfers Oost en Ten Boer, K2 2027").is_visible()
        users = main.get_by_test_id("stMetric").filter(has_text="Aantal gebruikers")
        assert users.get_by_test_id("stMetricValue").inner_text() == "15"
        basis = main.get_by_test_id("stMetric").filter(has_text="Aandeel basisondersteuning")
        assert basis.get_by_test_id("stMetricValue").inner_text().replace("\u00a0", " ") == "40,0 %"
        screenshot(page, "upload-gebied")
    finally:
        server.stop()

    history = Store(db).history()
    assert list(history["file_name"]) == ["oost_K2_2027.csv", "west_q1.csv"]
    assert list(history["uploaded_by"]) == ["lokaal", "seed"]


def test_the_first_real_upload_replaces_the_demo_and_nothing_of_the_demo_remains(tmp_path, page):
    db = tmp_path / "gon.duckdb"
    upload = tmp_path / "oost_K2_2027.csv"
    upload.write_bytes(provider_csv(*rows(Q2, "Hulp NV", "oost", 6, 9)))
    server = Server(db)
    try:
        open_page(page, f"{server.url}/")  # the first visit builds the demo beside the real database
        main = page.locator("[data-testid='stMain']")
        main.get_by_text("Demodata", exact=False).first.wait_for()

        open_page(page, f"{server.url}/aanleveren")
        assert main.get_by_text("Hier werkt u altijd in de echte database", exact=False).is_visible()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
        wait_idle(page)
        page.get_by_role("button", name="Opslaan", exact=True).click()
        page.get_by_text("De goedgekeurde bestanden zijn verwerkt").wait_for()
        wait_idle(page)

        open_page(page, f"{server.url}/")
        users = main.get_by_test_id("stMetric").filter(has_text="Aantal gebruikers")
        users.first.wait_for()
        screenshot(page, "upload-replaces-demo")
        assert main.get_by_text("Demodata", exact=False).count() == 0
        assert main.get_by_role("heading", name="De vier gebieden in K2 2027").is_visible()
        assert users.get_by_test_id("stMetricValue").all_inner_texts() == ["15"]  # oost only: no demo figure
    finally:
        server.stop()
    assert len(Store(db).history()) == 1
