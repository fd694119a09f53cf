"""The sentences of the note's other questions (metrics.md sections 3-6), on hand-made
export tables: the transition, access through WIJ, choice and the area in context."""

from __future__ import annotations

import pandas as pd
import pytest

from gonmetrics import narrative
from gonmetrics.metrics import EXPORT_COLUMNS
from gonmetrics.narrative import Figures
from gonmetrics.vocab import AREAS
from tests.test_charts import Q1, Q2

NBSP = "\u00a0"

# West in Q1 2027, by hand:
# - 50 users before the GON, 45 of them still users (90,0 %), 36 of those at the same uitvoerder (80,0 %);
# - 40 WIJ registrations: basis 8 (20,0 %), aanvullend 12 (30,0 %), lichte ondersteuning 4 (10,0 %),
#   maatschappelijk initiatief 2 (5,0 %), anders 6 (15,0 %), lopend 8 (20,0 %); of 12 beschikkingen
#   aanvullend with a duration 3 open-ended (25,0 %);
# - 48 users, 7 uitvoerders, 12 users with another uitvoerder than the hoofdaanbieder (25,0 %);
# - 12.000 inhabitants (48 users: 4,0 per 1.000), 2.000 of 75+ (9 users of 75+: 4,5 per 1.000),
#   lump sum 1.234.567,89 euro (/ 48 = 25.720,16: € 25.720).
MIX = {"basis": 8, "aanvullend": 12, "lichte_ondersteuning": 4, "maatschappelijk_initiatief": 2, "anders": 6,
       "lopend": 8}
WEST_Q1 = {
    ("users", "west", Q1): (48, None),
    ("kept", "west", Q1): (45, 50),
    ("kept_same_uitvoerder", "west", Q1): (36, 45),
    **{(f"toeleiding:{k}", "west", Q1): (n, 40) for k, n in MIX.items()},
    ("beschikking_onbepaald", "west", Q1): (3, 12),
    ("uitvoerders", "west", Q1): (7, None),
    ("share_other_uitvoerder", "west", Q1): (12, 48),
    ("users_per_1000", "west", Q1): (48, 12000, 4.0),
    ("users75_per_1000", "west", Q1): (9, 2000, 4.5),
    ("lumpsum_per_user", "west", Q1): (1234567.89, 48, 1234567.89 / 48),
}


def export(cells: dict) -> pd.DataFrame:
    """An export table from {(metric, gebied, day): (numerator, denominator[, value])}: value = the
    numerator (a count) or numerator / denominator unless given; no targets apply to these figures.
    The numerator is a float: lumpsum_per_user's is in euros, cents kept."""
    rows = [(m, g, d, num, den, given[0] if given else (num if den is None else (num / den if den else None)), None)
            for (m, g, d), (num, den, *given) in cells.items()]
    return pd.DataFrame(rows, columns=EXPORT_COLUMNS).astype(
        {"numerator": "Float64", "denominator": "Int64", "value": "float64", "target": "float64"})


@pytest.fixture
def figs() -> Figures:
    return Figures(export(WEST_Q1))


def protected(cells: dict, hidden: dict) -> Figures:
    """The figures with some cells as privacy.protect shows them: {(metric, gebied, day, column): mark}."""
    frame = export(cells).astype({"numerator": object, "denominator": object, "value": object})
    for (metric, gebied, day, column), mark in hidden.items():
        frame.loc[(frame.metric == metric) & (frame.gebied == gebied) & (frame.peildatum == day), column] = mark
    return Figures(frame)


def test_transition_sentence_and_line(figs):
    assert narrative.transition_sentence(figs, "west", Q1) == (
        "Van de 50 gebruikers in West in K4 2026, vóór de gebiedsondersteuningsnetwerken, hadden er op "
        "31-03-2027 45 "
        f"(90,0{NBSP}%) nog ondersteuning; 80,0{NBSP}% van hen bij dezelfde uitvoerder.")
    assert narrative.transition_line(figs, "west", Q1) == (
        f"Overgang bestaande gebruikers (sinds K4 2026): 90,0{NBSP}% nog in ondersteuning, 80,0{NBSP}% van hen "
        "bij dezelfde uitvoerder.")
    # no row (the baseline was not delivered, or the quarter is not after it)
    assert narrative.transition_line(figs, "west", Q2) == "Overgang bestaande gebruikers: geen cijfers voor K2 2027."
    assert narrative.transition_sentence(figs, "oost", Q1).startswith("Voor K1 2027 zijn er geen cijfers over de overgang")


def test_transition_protected_says_too_small_and_never_the_count():
    figs = protected(WEST_Q1, {("kept", "west", Q1, "numerator"): "< 10", ("kept", "west", Q1, "value"): "",
                               ("kept_same_uitvoerder", "west", Q1, "denominator"): "< 10",
                               ("kept_same_uitvoerder", "west", Q1, "value"): ""})
    assert narrative.transition_sentence(figs, "west", Q1) == (
        "In West zijn de aantallen te klein om de overgang van bestaande gebruikers te tonen.")
    assert narrative.transition_line(figs, "west", Q1) == "Overgang bestaande gebruikers: afgeschermd (kleine aantallen)."


def test_access_sentence_names_every_outcome_and_the_open_ended_beschikkingen(figs):
    assert narrative.access_sentence(figs, "west", Q1) == (
        f"Uitkomst van de 40 aanmeldingen bij WIJ in West in K1 2027: 20,0{NBSP}% basis, 30,0{NBSP}% aanvullend, "
        f"10,0{NBSP}% lichte ondersteuning door WIJ, 5,0{NBSP}% maatschappelijk initiatief, 15,0{NBSP}% andere "
        f"hulp, 20,0{NBSP}% nog lopend. Van de beschikkingen voor aanvullende ondersteuning (met bekende duur) is "
        f"25,0{NBSP}% voor onbepaalde tijd.")
    assert narrative.access_sentence(figs, "west", Q2) == "Er is geen WIJ-extract voor K2 2027."


def test_access_sentence_leaves_out_withheld_outcomes():
    figs = protected(WEST_Q1, {("toeleiding:maatschappelijk_initiatief", "west", Q1, "numerator"): "< 10",
                               ("toeleiding:maatschappelijk_initiatief", "west", Q1, "value"): "",
                               ("toeleiding:lichte_ondersteuning", "west", Q1, "value"): "",
                               ("beschikking_onbepaald", "west", Q1, "value"): ""})
    sentence = narrative.access_sentence(figs, "west", Q1)
    assert sentence == (
        f"Uitkomst van de 40 aanmeldingen bij WIJ in West in K1 2027: 20,0{NBSP}% basis, 30,0{NBSP}% aanvullend, "
        f"15,0{NBSP}% andere hulp, 20,0{NBSP}% nog lopend (de andere uitkomsten zijn afgeschermd).")


def test_choice_sentence(figs):
    assert narrative.choice_sentence(figs, "west", Q1) == (
        f"In West werkten op 31-03-2027 7 uitvoerders; 25,0{NBSP}% van de gebruikers had minstens één traject bij "
        "een andere uitvoerder dan de hoofdaanbieder.")
    no_users = Figures(export({("uitvoerders", "zuid", Q1): (0, None), ("share_other_uitvoerder", "zuid", Q1): (0, 0)}))
    assert narrative.choice_sentence(no_users, "zuid", Q1) == (
        "In Zuid en Haren waren er op 31-03-2027 geen gebruikers en dus geen uitvoerders.")


def test_context_sentence_and_lump_sum_line(figs):
    assert narrative.context_sentence(figs, "west", Q1) == (
        "In West waren er op 31-03-2027 4,0 gebruikers per 1.000 inwoners, 4,5 gebruikers van 75 jaar of ouder "
        f"per 1.000 inwoners van 75 jaar of ouder en een lumpsum van €{NBSP}25.720 per gebruiker per jaar.")
    assert narrative.lumpsum_line(figs, "west", Q1) == f"Lumpsum per gebruiker: €{NBSP}25.720 per jaar (2027)."


def test_without_an_area_table_the_sentences_say_so(figs):
    assert narrative.context_sentence(figs, "oost", Q1) == "Er zijn nog geen gebiedsgegevens voor 2027."
    # the city has no row when one of the four areas is missing that year
    assert narrative.context_sentence(figs, "stad", Q1) == (
        "Er zijn nog geen gebiedsgegevens voor 2027 van alle vier gebieden.")
    assert narrative.lumpsum_line(figs, "oost", Q1) == "Lumpsum per gebruiker: nog geen gebiedsgegevens voor 2027."


def test_context_with_withheld_users_shows_only_what_is_shown():
    figs = protected(WEST_Q1, {("users75_per_1000", "west", Q1, "numerator"): "< 10",
                               ("users75_per_1000", "west", Q1, "value"): ""})
    assert narrative.context_sentence(figs, "west", Q1) == (
        "In West waren er op 31-03-2027 4,0 gebruikers per 1.000 inwoners en een lumpsum van "
        f"€{NBSP}25.720 per gebruiker per jaar.")


def test_side_by_side_puts_the_city_first():
    figs = Figures(export({("toeleiding:basis", g, Q1): (n, 40) for g, n in (("west", 8), ("stad", 30))}))
    table = narrative.side_by_side(figs, ["toeleiding:basis"], Q1)
    assert list(table.columns) == ["Cijfer", *map(narrative.area_label, ("stad", *AREAS))]
    assert table.values.tolist() == [["Uitkomst toeleiding: basis", f"75,0{NBSP}%", "–", f"20,0{NBSP}%", "–", "–"]]
