"""Words that read right: one term per thing, Dutch numbers in the targets editor, a share
never rounded onto the other side of its minimum, and the Gebied page's first sentence."""

from __future__ import annotations

import datetime as dt

import pytest
from test_charts import POINTS, Q1, Q2, Q4, city, export, outlooks
from test_pages_desk import db, edit_targets, open_page, targets  # noqa: F401  (db is a fixture)

from gonmetrics import catalogue, charts, fmt, narrative
from gonmetrics.narrative import Figures
from gonmetrics.vocab import CITY_LABEL

NB = "\u00a0"


# --- a share next to its minimum -------------------------------------------------------


@pytest.mark.parametrize("share, target, shown", [
    (0.1496, 0.15, "14,96"),    # 15,0 would hide that it is below 15
    (0.14996, 0.15, "14,996"),  # 15,0 and 15,00 both would
    (0.1504, 0.15, "15,04"),    # 15,0 would hide that it is above
    (0.15, 0.15, "15,0"),       # exactly at the minimum: one decimal says so
    (207 / 1380, 0.15, "15,0"),  # 15 % worked out in floating point is still 15 %
    (0.148, 0.15, "14,8"),      # far enough below: one decimal, as everywhere
    (0.1226, 0.1227, "12,26"),  # 12,3 would even cross a minimum of 12,27
    (0.2, None, "20,0"),        # no minimum: one decimal
], ids=["just-below", "very-just-below", "just-above", "equal", "equal-float", "below", "crossing", "no-target"])
def test_a_share_keeps_its_side_of_the_minimum(share, target, shown):
    assert fmt.share_against(share, target) == f"{shown}{NB}%"


def test_an_empty_share_against_a_minimum_is_a_dash():
    assert fmt.share_against(None, 0.15) == "–"


@pytest.mark.parametrize("share, text", [(0.15, "0,15"), (0.125, "0,125"), (0.7, "0,7"), (1.0, "1"), (0.0, "0"),
                                         (0.1234, "0,1234")])
def test_the_targets_editor_writes_a_minimum_as_a_dutch_fraction_as_written(share, text):
    assert fmt.fraction(share) == text


@pytest.mark.parametrize("entered, number", [("0,15", 0.15), (" 0.2 ", 0.2), ("1", 1.0), (0.3, 0.3),
                                             ("vijftien", "vijftien")])
def test_what_is_typed_in_the_targets_editor_becomes_a_number_or_stays_as_typed(entered, number):
    assert fmt.from_dutch(entered) == number


# --- the same rounding in key figures and sentences ------------------------------------


def test_a_year_end_share_just_below_its_minimum_reads_below_it_everywhere():
    # west at the end of 2027: 374 of 2.500 users basis only = 14,96 %, minimum 15 %: niet gehaald
    figs = Figures(export(city(2500, 374, Q4)), points=POINTS)
    key = figs.key("share_basis", "west", Q4)
    assert (key.text, key.status) == (f"14,96{NB}%", "niet gehaald")
    assert narrative.basis_sentence(figs, "west", Q4) == (
        f"In West ontving op 31-12-2027 14,96{NB}% van de gebruikers alleen basisondersteuning; "
        f"streefwaarde eind 2027: 15{NB}%, status: niet gehaald.")
    trend = charts.trend(figs, "share_basis", "west")
    assert trend.data.iloc[-1]["Aandeel basisondersteuning"] == f"14,96{NB}%"  # the chart's table
    assert f"14,96{NB}%" in trend.fig.data[0].customdata[-1][0]  # and its hover
    compare = charts.compare(figs, "share_basis", Q4)
    assert compare.data.set_index("Gebied").loc["West", "Aandeel basisondersteuning"] == f"14,96{NB}%"


def test_a_share_without_a_minimum_keeps_one_decimal():
    # age groups have no minimum: 2.500 // 10 = 250 of 2.500 is 10 %
    figs = Figures(export(city(2500, 374, Q4)), points=POINTS)
    assert figs.text("age_group:18-26", "west", Q4) == f"10,0{NB}%"


# --- the first sentence of the Gebied page ---------------------------------------------


def test_the_headline_says_where_the_area_stands_whether_it_is_enough_and_what_changed():
    # west: 40 of 200 (20,0 %) in K1, 50 of 200 (25,0 %) in K2: 5,0 procentpunt more; the
    # outlook for the end of 2027 (35 %) is above 15 %: op koers
    figs = Figures(export(city(200, 40, Q1) | city(200, 50, Q2) | outlooks(Q2, 0.35)), points=POINTS)
    assert narrative.headline_sentence(figs, "west", Q2) == (
        f"In West ontving op 30-06-2027 25,0{NB}% van de gebruikers alleen basisondersteuning; streefwaarde eind "
        f"2027: 15{NB}%, status: op koers. Dat is 5,0{NB}procentpunt meer dan in K1 2027.")


def test_the_headline_says_a_fall_and_niet_op_koers():
    # west: 50 of 200 (25,0 %) in K1, 20 of 200 (10,0 %) in K2: 15,0 procentpunt less; outlook 5 %
    figs = Figures(export(city(200, 50, Q1) | city(200, 20, Q2) | outlooks(Q2, 0.05)), points=POINTS)
    assert narrative.headline_sentence(figs, "west", Q2).endswith(
        f"status: niet op koers. Dat is 15,0{NB}procentpunt minder dan in K1 2027.")


def test_the_headline_of_a_first_quarter_says_there_is_nothing_to_compare_with():
    figs = Figures(export(city(200, 40, Q1)), points=POINTS)
    assert narrative.headline_sentence(figs, "west", Q1).endswith(
        "Er is nog geen vorig kwartaal om mee te vergelijken.")


def test_the_headline_of_the_whole_municipality():
    # the other areas (and the whole) have 400 users, 100 basis only (25,0 %), in both quarters
    figs = Figures(export(city(200, 40, Q1) | city(200, 50, Q2)), points=POINTS)
    assert narrative.headline_sentence(figs, "stad", Q2).startswith(
        f"In de hele gemeente Groningen ontving op 30-06-2027 25,0{NB}% van de gebruikers")
    assert narrative.headline_sentence(figs, "stad", Q2).endswith("Dat is evenveel als in K1 2027.")


# --- one term per thing -----------------------------------------------------------------


def test_the_whole_is_gemeente_groningen():
    assert CITY_LABEL == "Gemeente Groningen"
    assert narrative.area_label("stad") == "Gemeente Groningen"


def test_figures_are_named_for_what_they_count():
    assert catalogue.figure("youth_mh_inflow").name == "Aanmeldingen jongvolwassenen (18–26) psychisch kwetsbaar"
    assert catalogue.figure("share_mi").name == "Aandeel basisgebruikers via maatschappelijk initiatief"


def test_the_figures_speak_of_gebruikers_and_the_whole_municipality():
    texts = " ".join(f"{f.name} {f.text}" for f in catalogue.FIGURES)
    for old in ("cliënt", "de stad", "Instroom", "instroom"):
        assert old not in texts


def test_ages_are_those_reached_in_the_year_of_the_peildatum():
    assert "in het jaar van de peildatum" in catalogue.figure("age_group:18-26").text
    assert "in het jaar van de aanmelddatum" in catalogue.figure("youth_mh_inflow").text


# --- the targets editor (Aanleveren) ---------------------------------------------------


def test_the_targets_editor_shows_and_takes_dutch_numbers(db):
    at = open_page()
    shown = at.data_editor[0].value
    row = shown.index[(shown["metric"] == "share_basis") & (shown["peildatum"] == dt.date(2027, 12, 31))][0]
    assert shown.loc[row, "minimum"] == "0,15"  # data/targets.csv: 0.15; never 0.1500
    at = edit_targets(at, edited_rows={int(row): {"minimum": "0,2"}})
    assert not at.error
    saved = targets(db)
    assert saved.loc[row, "minimum"] == 0.2


def test_a_minimum_that_is_no_number_is_named_and_nothing_changes(db):
    at = open_page()
    before = targets(db)
    at = edit_targets(at, edited_rows={0: {"minimum": "vijftien"}})
    assert any("'vijftien' is geen getal tussen 0 en 1" in e.value for e in at.error)
    assert targets(db).equals(before)
