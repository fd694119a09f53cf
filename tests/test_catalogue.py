"""The catalogue drives everything: a throw-away figure added to it in a fixture shows up
in the export, on the Definities page and in the small-number protection, without any
other module knowing about it."""

from __future__ import annotations

import pytest

from gonmetrics import catalogue
from gonmetrics.metrics import export_csv, export_frame, facts_fresh, refresh_all_facts
from gonmetrics.privacy import protect
from gonmetrics.vocab import KIND_PROVIDER
from tests.metrics_helpers import Q1, add_provider, cell, export, insert_upload, new_store, trajectory
from tests.test_pages_desk import db, open_page  # noqa: F401  (db is a fixture)

EXTRA = "share_aanvullend_only"


@pytest.fixture
def extra_figure(monkeypatch):
    """Users without any active basis trajectory in the area, as a share of all users."""
    measure = catalogue.Measure("aanvullend_only", KIND_PROVIDER, within=("users",),
                                total="(coalesce(sum(users), 0) - coalesce(sum(with_basis), 0))::BIGINT")
    figure = catalogue.Figure(EXTRA, catalogue.SHARE, "Aandeel alleen aanvullend",
                              "Het deel van de gebruikers zonder actief traject basisondersteuning in het gebied.",
                              numerator="aanvullend_only", denominator="users")
    monkeypatch.setattr(catalogue, "MEASURES", (*catalogue.MEASURES, measure))
    monkeypatch.setattr(catalogue, "FIGURES", (*catalogue.FIGURES, figure))


def test_a_new_figure_is_in_the_export(tmp_path, extra_figure):
    store = new_store(tmp_path)
    # west: 3 clients with only aanvullend, 9 with only basis; centrum: 1 client with both kinds
    rows = [trajectory(f"a{n}", "west", "aanvullend") for n in range(3)]
    rows += [trajectory(f"b{n}", "west", "basis") for n in range(9)]
    rows += [trajectory("m", "centrum", "basis"), trajectory("m", "centrum", "aanvullend")]
    add_provider(store, 1, "Zorg BV", Q1, rows)
    frame = export(store)
    west, centrum, oost, city = (cell(frame, EXTRA, g, Q1) for g in ("west", "centrum", "oost", "stad"))
    assert (west.numerator, west.denominator, west.value) == (3, 12, 0.25)
    assert (centrum.numerator, centrum.denominator, centrum.value) == (0, 1, 0.0)
    assert (oost.numerator, oost.denominator) == (0, 0) and oost.value != oost.value  # empty, not 0 %
    assert (city.numerator, city.denominator) == (3, 13)
    assert frame["metric"].iloc[-1] == EXTRA  # the catalogue's order is the export's order
    assert f"{EXTRA},west,2027-03-31,3,12,0.250000,\n" in export_csv(frame)


def test_a_new_figure_is_on_the_definities_page(db, extra_figure):  # noqa: F811
    at = open_page("pages/definities.py")
    assert "Aandeel alleen aanvullend" in [s.value for s in at.subheader]
    assert f"`{EXTRA}`" in " ".join(c.value for c in at.caption)
    assert any("zonder actief traject basisondersteuning" in m.value for m in at.markdown)


def test_a_new_figure_takes_part_in_the_protection(tmp_path, extra_figure):
    store = new_store(tmp_path)
    # west: 25 users, 22 of them only aanvullend; 22 is no small number, but 25 - 22 = 3 is:
    # showing both would tell that 3 users have basis, so the 22 is withheld ("x").
    rows = [trajectory(f"a{n}", "west", "aanvullend") for n in range(22)]
    rows += [trajectory(f"b{n}", "west", "basis") for n in range(3)]
    add_provider(store, 1, "Zorg BV", Q1, rows)
    frame = export(store)
    assert cell(frame, EXTRA, "west", Q1).numerator == 22
    west = cell(protect(frame, 10), EXTRA, "west", Q1)
    assert (west.numerator, west.denominator, west.value) == ("x", 25, "")


def test_a_new_stored_measure_reshapes_the_materialised_facts(tmp_path, monkeypatch):
    store = new_store(tmp_path)
    with store.connect() as con:  # facts made with today's catalogue
        store._in_transaction(con, lambda: refresh_all_facts(con))
    stored = catalogue.Measure("with_mi_again", KIND_PROVIDER, "count(*) FILTER (has_mi_basis)")
    figure = catalogue.Figure("mi_users", catalogue.COUNT, "Gebruikers via een initiatief", "Test.",
                              numerator="with_mi_again")
    monkeypatch.setattr(catalogue, "MEASURES", (*catalogue.MEASURES, stored))
    monkeypatch.setattr(catalogue, "FIGURES", (*catalogue.FIGURES, figure))
    with store.connect() as con:
        assert not facts_fresh(con)  # fact_cells lacks the new column: the export computes from scratch
    # two users in oost, one of them through an initiative; stored as an ingest stores it
    rows = [trajectory("c1", "oost", mi="Buurtkamer"), trajectory("c2", "oost")]
    with store.connect() as con:
        store._in_transaction(con, lambda: (insert_upload(con, 1, "aanbieder", "Zorg BV", Q1, rows, current=False),
                                            store._make_current(con, 1)))
        assert facts_fresh(con)
        assert cell(export_frame(con, materialised=True), "mi_users", "oost", Q1).numerator == 1


def test_the_notes_figures_are_in_the_catalogue_with_their_dutch_names():
    # metrics.md version 2, sections 3-6
    names = {
        "kept": "Bestaande gebruikers nog in ondersteuning",
        "beschikking_onbepaald": "Beschikkingen voor onbepaalde tijd",
        "uitvoerders": "Aantal uitvoerders",
        "share_other_uitvoerder": "Aandeel bij een andere uitvoerder dan de hoofdaanbieder",
        "users_per_1000": "Gebruikers per 1.000 inwoners",
        "users75_per_1000": "Gebruikers van 75+ per 1.000 inwoners van 75+",
        "lumpsum_per_user": "Lumpsum per gebruiker (euro per jaar)",
    }
    for metric, name in names.items():
        assert catalogue.figure(metric).name == name
    assert catalogue.figure("kept_same_uitvoerder").name.endswith("bij dezelfde uitvoerder")
    assert all(catalogue.figure(f"toeleiding:{v}").name.startswith("Uitkomst toeleiding")
               for v in ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders",
                         "lopend"))
    for metric in (*names, "kept_same_uitvoerder"):  # new texts speak of gebruikers and Gemeente Groningen
        assert "cliënt" not in catalogue.figure(metric).text and "de stad" not in catalogue.figure(metric).text


def test_the_notes_counts_of_people_are_related_for_the_protection():
    registrations = catalogue.measure("registrations")
    assert set(registrations.parts) == {f"toeleiding:{v}" for v in
                                        ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief",
                                         "anders", "lopend")}
    assert catalogue.measure("kept").within == ("baseline_users",)
    assert catalogue.measure("kept_same").within == ("kept",)
    assert catalogue.measure("onbepaald").within == ("aanvullend_duur",)
    assert catalogue.measure("other_uitvoerder").within == ("users",)
    assert catalogue.figure("users75_per_1000").numerator == "age:75+"  # the 75+ age group
    assert not any(catalogue.measure(m).people for m in ("uitvoerders", "inwoners", "inwoners_75plus", "lumpsum_euro"))


def test_the_notes_figures_are_no_steering_figures():
    # the note sets minimums for share_basis and share_mi only: the pages draw those as steering lines
    steering = [f.id for f in catalogue.FIGURES if f.chart == catalogue.LINE and f.target]
    assert steering == ["share_basis", "share_mi"]
