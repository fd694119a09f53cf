"""The narrow queries beside the export: the uitvoerders of an area, hand-worked."""

from __future__ import annotations

import pandas as pd

from gonmetrics import details
from tests.metrics_helpers import D, Q1, add_provider, new_store, trajectory


def by(uitvoerder, *args, **kwargs) -> dict:
    return trajectory(*args, **kwargs) | {"uitvoerder": uitvoerder}


def listed(store, gebied: str) -> list[list]:
    with store.connect() as con:
        return details.uitvoerders(con, gebied, Q1).values.tolist()


def test_uitvoerders_are_normalised_named_by_their_commonest_spelling_and_count_users(tmp_path):
    store = new_store(tmp_path)
    add_provider(store, 1, "Zorg BV", Q1, [
        # 'De Brug' in three spellings that are one uitvoerder: c1 twice, c2 and c3 once -> 3 users;
        # 'De  Brug' (two spaces, with a NBSP variant) is delivered 3 times, 'de brug' once
        by("De  Brug", "c1", "west"), by("de brug", "c1", "west", ondersteuning="aanvullend"),
        by("De  Brug", "c2", "west"), by("De\u00a0 Brug", "c3", "west"), by("De  Brug", "c3", "west", product="dagbesteding"),
        # empty uitvoerder = the aanbieder itself; ' zorg bv ' is the same organisation: c4, c5
        by(None, "c4", "west"), by(" zorg bv ", "c5", "west"),
        # not active at Q1: ended before it, starts after it
        by("Oud Huis", "c6", "west", einddatum=D(2027, 3, 30)), by("Nieuw Huis", "c7", "west", startdatum=D(2027, 4, 1)),
        # another area: only in the city's list
        by("Oosterpoort", "c8", "oost"), by("De Brug", "c9", "oost"),
    ])
    # De Brug: spellings 'De  Brug' 3x (c1, c2, c3), 'de brug' 1x, 'De\u00a0 Brug' 1x -> 'De  Brug'
    # Zorg BV: 'Zorg BV' (empty uitvoerder, as the aanbieder is delivered) 1x, 'zorg bv' 1x -> tie, 'Zorg BV' first
    assert listed(store, "west") == [["De  Brug", 3], ["Zorg BV", 2]]
    # the city adds c9 to De Brug ('De Brug' once: 'De  Brug' stays the commonest) and Oosterpoort
    assert listed(store, "stad") == [["De  Brug", 4], ["Zorg BV", 2], ["Oosterpoort", 1]]
    assert listed(store, "zuid") == []


def test_a_user_counts_once_per_uitvoerder_but_with_each_of_her_uitvoerders(tmp_path):
    store = new_store(tmp_path)
    add_provider(store, 1, "Zorg BV", Q1, [by("A", "c1", "west"), by("A", "c1", "west", product="dagbesteding"),
                                           by("B", "c1", "west"), by("B", "c2", "west")])
    assert listed(store, "west") == [["B", 2], ["A", 1]]


def test_protect_users_marks_counts_from_one_to_nine():
    table = pd.DataFrame({"uitvoerder": ["A", "B", "C", "D"], "gebruikers": [12, 10, 9, 1]})
    protected = details.protect_users(table, threshold=10)
    assert protected["gebruikers"].tolist() == [12, 10, "< 10", "< 10"]
    # one hidden count: the users minus the shown counts would nearly give it, so the smallest
    # other count goes with it
    assert details.protect_users(table, threshold=2)["gebruikers"].tolist() == [12, 10, "x", "< 2"]
    nothing_small = pd.DataFrame({"uitvoerder": ["A", "B"], "gebruikers": [12, 10]})
    assert details.protect_users(nothing_small, threshold=10)["gebruikers"].tolist() == [12, 10]
