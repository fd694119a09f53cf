"""The note's other questions (metrics.md sections 3-6), hand-worked: the transition of
existing users, access through WIJ, the choice of uitvoerders and the area context."""

from __future__ import annotations

import pandas as pd
import pytest
from metrics_helpers import (
    D, Q1, add_area_table, add_provider, add_wij, area_row, cell, export, new_store, registration, trajectory,
)

from gonmetrics.metrics import export_csv

B = D(2026, 12, 31)  # the default baseline quarter
BEFORE = D(2026, 9, 30)
BUURTZORG = "Stichting Buurtzorg"


def row(frame, metric, gebied, day):
    """(numerator, denominator, value) of one export row, None where empty."""
    r = cell(frame, metric, gebied, day)
    return tuple(None if pd.isna(x) else x for x in (r.numerator, r.denominator, r.value))


def rows_of(frame, metric):
    return frame[frame.metric == metric]


# --- transition (overgang) ----------------------------------------------------------


@pytest.fixture
def transition(tmp_path, monkeypatch):
    monkeypatch.delenv("GONMETRICS_BASELINE", raising=False)
    store = new_store(tmp_path)
    add_provider(store, 1, "Lentis", BEFORE, [trajectory("a", "west")])
    # at B: a and b in west, c and d in oost
    add_provider(store, 2, "Lentis", B, [
        trajectory("a", "west", uitvoerder=BUURTZORG),
        trajectory("b", "west"),  # no uitvoerder: Lentis itself
        trajectory("c", "oost"),
        trajectory("d", "oost"),
    ])
    # Q1: a moved to oost, still with Buurtzorg (spelled otherwise); b now with Humanitas; c with
    # "LENTIS " (= Lentis); d stopped; e is new
    add_provider(store, 3, "Lentis", Q1, [
        trajectory("a", "oost", uitvoerder=" stichting\u00a0 BUURTZORG\t"),
        trajectory("b", "west", uitvoerder="Humanitas"),
        trajectory("c", "oost", uitvoerder="LENTIS "),
        trajectory("e", "zuid"),
    ])
    return store


def test_a_client_who_moves_counts_in_the_baseline_area(transition):
    f = export(transition)
    assert row(f, "kept", "west", Q1) == (2, 2, 1.0)  # a (now in oost) and b
    assert row(f, "kept", "oost", Q1) == (1, 2, 0.5)  # c; d stopped
    assert row(f, "kept", "zuid", Q1) == (0, 0, None)  # e was no user at B: not in any denominator
    assert row(f, "kept", "stad", Q1) == (3, 4, 0.75)


def test_the_same_uitvoerder_in_another_spelling_and_area(transition):
    f = export(transition)
    assert row(f, "kept_same_uitvoerder", "west", Q1) == (1, 2, 0.5)  # a: Buurtzorg again; b: Lentis -> Humanitas
    assert row(f, "kept_same_uitvoerder", "oost", Q1) == (1, 1, 1.0)  # c: Lentis -> "LENTIS "
    assert row(f, "kept_same_uitvoerder", "centrum", Q1) == (0, 0, None)
    assert row(f, "kept_same_uitvoerder", "stad", Q1) == (2, 3, 2 / 3)


def test_no_transition_rows_up_to_the_baseline(transition):
    f = export(transition)
    for metric in ("kept", "kept_same_uitvoerder"):
        assert set(rows_of(f, metric).peildatum) == {Q1}
        assert len(rows_of(f, metric)) == 5  # every area and stad


def test_no_transition_rows_when_the_baseline_has_no_provider_figures(transition, monkeypatch):
    monkeypatch.setenv("GONMETRICS_BASELINE", "2026-06-30")  # before every delivery
    f = export(transition)
    assert rows_of(f, "kept").empty and rows_of(f, "kept_same_uitvoerder").empty


def test_the_baseline_is_a_setting(transition, monkeypatch):
    monkeypatch.setenv("GONMETRICS_BASELINE", "2026-09-30")  # only a, in west
    f = export(transition)
    assert set(rows_of(f, "kept").peildatum) == {B, Q1}
    assert row(f, "kept", "west", B) == (1, 1, 1.0)
    assert row(f, "kept_same_uitvoerder", "west", Q1) == (0, 1, 0.0)  # Lentis at the baseline, Buurtzorg now


# --- choice (keuze) -----------------------------------------------------------------


def test_uitvoerders_compared_without_case_and_spacing(tmp_path):
    store = new_store(tmp_path)
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("c1", "centrum", uitvoerder=BUURTZORG),
        trajectory("c2", "centrum", uitvoerder=" stichting\u00a0 BUURTZORG\t"),
        trajectory("c3", "centrum", uitvoerder=""),  # empty: the aanbieder
        trajectory("c4", "centrum"),
        trajectory("c5", "centrum", uitvoerder="LENTIS"),
    ])
    add_provider(store, 2, "Cosis", Q1, [
        trajectory("c6", "centrum"),
        trajectory("c7", "west", uitvoerder="Humanitas"),
        trajectory("c8", "west", uitvoerder="Humanitas", einddatum=D(2027, 1, 1)),  # not active
    ])
    f = export(store)
    assert row(f, "uitvoerders", "centrum", Q1) == (3, None, 3)  # Buurtzorg, Lentis, Cosis
    assert row(f, "uitvoerders", "west", Q1) == (1, None, 1)
    assert row(f, "uitvoerders", "oost", Q1) == (0, None, 0)
    assert row(f, "uitvoerders", "stad", Q1) == (4, None, 4)
    assert row(f, "share_other_uitvoerder", "centrum", Q1) == (2, 6, 2 / 6)  # c1 and c2
    assert row(f, "share_other_uitvoerder", "west", Q1) == (1, 1, 1.0)
    assert row(f, "share_other_uitvoerder", "oost", Q1) == (0, 0, None)
    assert row(f, "share_other_uitvoerder", "stad", Q1) == (3, 7, 3 / 7)


# --- access through WIJ (toegang) ---------------------------------------------------


def test_toeleiding_shares_add_up_and_open_ended_beschikkingen(tmp_path):
    store = new_store(tmp_path)
    day = D(2027, 2, 1)
    outcomes = (["basis"] * 2 + ["aanvullend"] * 4 + ["lichte_ondersteuning", "maatschappelijk_initiatief"]
                + ["anders"] * 2 + ["lopend"])
    durations = {2: "onbepaald", 3: "bepaald", 4: None, 5: ""}  # the four aanvullend ones
    rows = [registration(f"r{n}", "west", day, toeleiding=t, beschikking_duur=durations.get(n)) for n, t in enumerate(outcomes)]
    rows[0]["beschikking_duur"] = "onbepaald"  # a basis one: not in the figure at all
    rows.append(registration("z1", "zuid", day, toeleiding="aanvullend", beschikking_duur="onbepaald"))
    add_wij(store, 1, Q1, rows)
    f = export(store)
    expected = {"basis": 2, "aanvullend": 4, "lichte_ondersteuning": 1, "maatschappelijk_initiatief": 1,
                "anders": 2, "lopend": 1}
    for value, n in expected.items():
        assert row(f, f"toeleiding:{value}", "west", Q1) == (n, 11, n / 11)
    west = f[(f.metric.str.startswith("toeleiding:")) & (f.gebied == "west")]
    assert west.value.sum() == pytest.approx(1.0)
    assert row(f, "toeleiding:aanvullend", "stad", Q1) == (5, 12, 5 / 12)
    assert row(f, "toeleiding:basis", "oost", Q1) == (0, 0, None)
    # of the four aanvullend in west, two have a duration (empty ones do not count): one open-ended
    assert row(f, "beschikking_onbepaald", "west", Q1) == (1, 2, 0.5)
    assert row(f, "beschikking_onbepaald", "zuid", Q1) == (1, 1, 1.0)
    assert row(f, "beschikking_onbepaald", "stad", Q1) == (2, 3, 2 / 3)
    assert row(f, "beschikking_onbepaald", "centrum", Q1) == (0, 0, None)


# --- context (gebiedsgegevens) ------------------------------------------------------

Q1_2028 = D(2028, 3, 31)


@pytest.fixture
def context(tmp_path):
    store = new_store(tmp_path)
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("c1", "centrum", geboortejaar=1950),  # 77 at Q1: 75+
        trajectory("c2", "centrum"), trajectory("c3", "centrum"),
        trajectory("w1", "west"), trajectory("w2", "west"),
        trajectory("z1", "zuid", geboortejaar=1940),
    ])
    add_provider(store, 2, "Lentis", BEFORE, [trajectory("c1", "centrum")])  # 2026: no area table
    add_provider(store, 3, "Lentis", Q1_2028, [trajectory("c1", "centrum")])
    old = [area_row(2027, area, 9999, 999, "1.00") for area in ("centrum", "west", "oost", "zuid")]
    add_area_table(store, 10, old)
    add_area_table(store, 11, [  # re-delivered for 2027: this one counts
        area_row(2027, "centrum", 1000, 100, "4325000.50"),
        area_row(2027, "west", 2000, 50, "1000000.00"),
        area_row(2027, "oost", 1500, 20, "250000.25"),
        area_row(2027, "zuid", 1000, 30, "100000.00"),
    ])
    add_area_table(store, 12, [area_row(2028, area, 1000, 100, "10.00") for area in ("centrum", "west", "oost")])
    return store


def test_users_per_1000_inhabitants(context):
    f = export(context)
    assert row(f, "users_per_1000", "centrum", Q1) == (3, 1000, 3.0)
    assert row(f, "users_per_1000", "west", Q1) == (2, 2000, 1.0)
    assert row(f, "users_per_1000", "oost", Q1) == (0, 1500, 0.0)
    assert row(f, "users_per_1000", "stad", Q1) == (6, 5500, 6000 / 5500)  # the four areas' inhabitants summed
    assert row(f, "users75_per_1000", "centrum", Q1) == (1, 100, 10.0)
    assert row(f, "users75_per_1000", "zuid", Q1) == (1, 30, 1000 / 30)
    assert row(f, "users75_per_1000", "stad", Q1) == (2, 200, 10.0)


def test_lump_sum_per_user_keeps_the_cents(context):
    f = export(context)
    assert row(f, "lumpsum_per_user", "centrum", Q1) == (4325000.5, 3, pytest.approx(4325000.5 / 3))
    assert row(f, "lumpsum_per_user", "oost", Q1) == (250000.25, 0, None)  # no users: empty, not an error
    assert row(f, "lumpsum_per_user", "stad", Q1) == (5675000.75, 6, pytest.approx(5675000.75 / 6))
    text = export_csv(f)
    assert "lumpsum_per_user,centrum,2027-03-31,4325000.50,3,1441666.833333,\n" in text
    assert "users_per_1000,west,2027-03-31,2,2000,1.000000,\n" in text


def test_a_year_with_three_areas_has_no_city_row(context):
    f = export(context)
    for metric in ("users_per_1000", "users75_per_1000", "lumpsum_per_user"):
        assert set(f[(f.metric == metric) & (f.peildatum == Q1_2028)].gebied) == {"centrum", "west", "oost"}
        assert set(f[(f.metric == metric) & (f.peildatum == Q1)].gebied) == {"centrum", "west", "oost", "zuid", "stad"}
        assert rows_of(f, metric)[rows_of(f, metric).peildatum == BEFORE].empty  # 2026 has no area table


def test_rates_and_euros_in_dutch():
    from gonmetrics import narrative
    assert narrative.text(1000 / 30, "users75_per_1000") == "33,3"
    assert narrative.text(4325000.5 / 3, "lumpsum_per_user") == "€\u00a01.441.667"
    assert narrative.text("", "lumpsum_per_user") == "x"  # withheld with the users
    assert narrative.change_text("users_per_1000", -0.25) == "−0,2"
    assert narrative.change_text("lumpsum_per_user", 1250.4) == "+€\u00a01.250"
