"""The figures of shared/metrics.md on small hand-written deliveries.

Every expected number below is worked out by hand from metrics.md; the comments
show the working.
"""

import datetime as dt
import math

import pandas as pd
import pytest
from metrics_helpers import (
    D, Q1, Q2, Q3, Q4, add_area_table, add_provider, add_wij, area_row, cell, export, new_store, registration, trajectory,
)

from gonmetrics.definitions import figure_texts
from gonmetrics.metrics import (
    EXPORT_COLUMNS, delivery_status, export_csv, export_frame, outlook, provisional_quarters,
)

AREAS5 = ["centrum", "west", "oost", "zuid", "stad"]


def assert_figure(frame, metric, gebied, peildatum, numerator, denominator, value):
    row = cell(frame, metric, gebied, peildatum)
    assert (None if pd.isna(row.numerator) else int(row.numerator)) == numerator
    assert (None if pd.isna(row.denominator) else int(row.denominator)) == denominator
    if value is None:
        assert math.isnan(row.value)
    else:
        assert row.value == pytest.approx(value, abs=1e-12)


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)


def test_basis_aanvullend_and_a_client_in_two_areas(store):
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("c1", "centrum", "basis"),
        trajectory("c1", "centrum", "aanvullend"),   # c1: both kinds in centrum
        trajectory("c2", "centrum", "basis"),
        trajectory("c2", "west", "aanvullend"),      # c2: basis in centrum, aanvullend in west
        trajectory("c3", "west", "basis", mi="Wiershoeck"),
    ])
    f = export(store)
    # centrum: c1 (mixed), c2 (only basis here)
    assert_figure(f, "users", "centrum", Q1, 2, None, 2)
    assert_figure(f, "share_basis", "centrum", Q1, 1, 2, 0.5)
    assert_figure(f, "share_mixed", "centrum", Q1, 1, 2, 0.5)
    assert_figure(f, "share_mi", "centrum", Q1, 0, 2, 0.0)
    # west: c2 (only aanvullend here), c3 (basis via an initiative)
    assert_figure(f, "users", "west", Q1, 2, None, 2)
    assert_figure(f, "share_basis", "west", Q1, 1, 2, 0.5)
    assert_figure(f, "share_mixed", "west", Q1, 0, 2, 0.0)
    assert_figure(f, "share_mi", "west", Q1, 1, 1, 1.0)
    # stad: c2 counted once, with both its trajectories -> mixed, not only basis
    assert_figure(f, "users", "stad", Q1, 3, None, 3)
    assert_figure(f, "share_basis", "stad", Q1, 1, 3, 1 / 3)
    assert_figure(f, "share_mixed", "stad", Q1, 2, 3, 2 / 3)
    assert_figure(f, "share_mi", "stad", Q1, 1, 3, 1 / 3)


def test_area_without_users_has_zero_users_and_empty_shares(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    f = export(store)
    for area in ("west", "oost", "zuid"):
        assert_figure(f, "users", area, Q1, 0, None, 0)
        for metric in ("share_basis", "share_mixed", "share_mi", "age_group:35-49"):
            assert_figure(f, metric, area, Q1, 0, 0, None)


def test_zero_denominator_is_empty_but_zero_numerator_is_zero(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "oost", "aanvullend")])
    f = export(store)
    assert_figure(f, "share_basis", "oost", Q1, 0, 1, 0.0)   # 0 of 1 user: 0 %, not empty
    assert_figure(f, "share_mi", "oost", Q1, 0, 0, None)     # no basis users: empty, not 0 %


def test_active_at_peildatum(store):
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("ended", "zuid", startdatum=D(2026, 5, 1), einddatum=D(2027, 2, 15)),      # ended inside Q1
        trajectory("ends-on-q", "zuid", startdatum=D(2026, 5, 1), einddatum=Q1),              # active
        trajectory("starts-on-q", "zuid", startdatum=Q1),                                     # active
        trajectory("runs-on", "zuid", startdatum=D(2027, 1, 1), einddatum=D(2027, 4, 10)),    # active
        trajectory("day-before", "zuid", startdatum=D(2026, 5, 1), einddatum=D(2027, 3, 30)), # not active
    ])
    f = export(store)
    assert_figure(f, "users", "zuid", Q1, 3, None, 3)
    assert_figure(f, "users", "stad", Q1, 3, None, 3)


def test_only_the_current_redelivery_counts(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("old-1", "centrum"), trajectory("old-2", "centrum")])
    add_provider(store, 2, "Lentis", Q1, [trajectory("new-1", "centrum")])          # replaces upload 1
    add_provider(store, 3, "Lentis", Q1, [trajectory("x", "centrum")] * 5, current=False)  # e.g. after a restore
    add_provider(store, 4, "Cosis", Q1, [trajectory("cosis-1", "west")])
    f = export(store)
    assert_figure(f, "users", "centrum", Q1, 1, None, 1)
    assert_figure(f, "users", "west", Q1, 1, None, 1)
    assert_figure(f, "users", "stad", Q1, 2, None, 2)


def test_birth_year_tie_rule(store):
    add_provider(store, 1, "Lentis", Q1, [
        # c1: latest startdatum (2027-01-15, born 2001 -> 26) wins, also for its centrum row
        trajectory("c1", "centrum", startdatum=D(2026, 1, 1), geboortejaar=1990),
        trajectory("c1", "west", startdatum=D(2027, 1, 15), geboortejaar=2001),
        # c2: same startdatum -> highest geboortejaar 1953 (74), not 1952 (75)
        trajectory("c2", "centrum", startdatum=D(2026, 5, 1), geboortejaar=1952),
        trajectory("c2", "centrum", startdatum=D(2026, 5, 1), geboortejaar=1953),
    ])
    add_provider(store, 2, "Cosis", Q1, [
        # c3: latest startdatum wins even with the lower year: 1940 -> 87
        trajectory("c3", "centrum", startdatum=D(2027, 1, 1), geboortejaar=1940),
        trajectory("c3", "centrum", startdatum=D(2026, 1, 1), geboortejaar=2000),
        # c4: an inactive trajectory has no say: 1980 -> 47
        trajectory("c4", "centrum", startdatum=D(2026, 1, 1), geboortejaar=1980),
        trajectory("c4", "centrum", startdatum=D(2027, 1, 10), einddatum=D(2027, 1, 31), geboortejaar=2010),
    ])
    f = export(store)
    expected_centrum = {"0-17": 0, "18-26": 1, "27-34": 0, "35-49": 1, "50-64": 0, "65-74": 1, "75+": 1}
    for group, count in expected_centrum.items():
        assert_figure(f, f"age_group:{group}", "centrum", Q1, count, 4, count / 4)
        assert_figure(f, f"age_group:{group}", "stad", Q1, count, 4, count / 4)
    assert_figure(f, "age_group:18-26", "west", Q1, 1, 1, 1.0)


def test_age_group_boundaries(store):
    ages = [17, 18, 26, 27, 34, 35, 49, 50, 64, 65, 74, 75]
    add_provider(store, 1, "Lentis", Q1, [trajectory(f"age{a}", "zuid", geboortejaar=2027 - a) for a in ages])
    f = export(store)
    expected = {"0-17": 1, "18-26": 2, "27-34": 2, "35-49": 2, "50-64": 2, "65-74": 2, "75+": 1}
    for group, count in expected.items():
        assert_figure(f, f"age_group:{group}", "zuid", Q1, count, 12, count / 12)


def test_youth_inflow_counts_registrations(store):
    add_wij(store, 1, Q1, [
        registration("r1", "oost", D(2027, 1, 10), geboortejaar=2007, doelgroep="psychisch"),  # 20
        registration("r1", "oost", D(2027, 2, 20), geboortejaar=2007, doelgroep="psychisch"),  # again: counts twice
        registration("r2", "oost", D(2027, 2, 1), geboortejaar=2000, doelgroep="psychisch"),   # 27: too old
        registration("r3", "oost", D(2027, 2, 1), geboortejaar=2009, doelgroep="verstandelijk"),  # 18, other group
        registration("r4", "west", D(2027, 2, 1), geboortejaar=2001, doelgroep="psychisch"),   # 26
    ])
    f = export(store)
    assert_figure(f, "youth_mh_inflow", "oost", Q1, 2, None, 2)
    assert_figure(f, "youth_mh_inflow_share", "oost", Q1, 2, 4, 0.5)
    assert_figure(f, "youth_mh_inflow_share", "west", Q1, 1, 1, 1.0)
    assert_figure(f, "youth_mh_inflow", "stad", Q1, 3, None, 3)
    assert_figure(f, "youth_mh_inflow_share", "stad", Q1, 3, 5, 0.6)
    assert_figure(f, "youth_mh_inflow", "centrum", Q1, 0, None, 0)
    assert_figure(f, "youth_mh_inflow_share", "centrum", Q1, 0, 0, None)


def test_registration_on_the_last_day_of_a_quarter(store):
    add_wij(store, 1, Q1, [registration("r1", "zuid", Q1, geboortejaar=2009, doelgroep="psychisch")])  # 18 on 31-3
    add_wij(store, 2, Q2, [registration("r2", "zuid", D(2027, 4, 1))])
    f = export(store)
    assert_figure(f, "youth_mh_inflow_share", "zuid", Q1, 1, 1, 1.0)
    assert_figure(f, "youth_mh_inflow_share", "zuid", Q2, 0, 1, 0.0)


def test_rows_exist_per_kind_of_delivery(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    add_wij(store, 2, Q2, [registration("r1", "west", D(2027, 5, 1))])
    f = export(store)
    assert list(f.columns) == EXPORT_COLUMNS
    # Q1: 13 provider figures, 2 outlooks and the shift (the end of 2027 lies ahead) x 5 areas + spread
    # (stad only); no transition (the baseline quarter has no provider figures) and no context (no area
    # table); Q2: 12 WIJ figures x 5 areas (no provider figures, so no outlook and no shift)
    assert len(f[f.peildatum == Q1]) == 16 * 5 + 1
    assert len(f[f.peildatum == Q2]) == 12 * 5
    assert set(f[f.peildatum == Q2].metric) == {
        "youth_mh_inflow", "youth_mh_inflow_share", "wait_open", "wait_days_median", "wait_days_p80",
        *(f"toeleiding:{v}" for v in ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief",
                                      "anders", "lopend")), "beschikking_onbepaald"}
    assert not f.duplicated(["metric", "gebied", "peildatum"]).any()


def test_sorted_by_quarter_metric_and_area(store):
    add_provider(store, 1, "Lentis", Q2, [trajectory("c1", "centrum")])
    add_provider(store, 2, "Lentis", Q1, [trajectory("c1", "zuid")])
    add_wij(store, 3, Q1, [registration("r1", "west", D(2027, 2, 1))])
    f = export(store)
    assert list(f.peildatum.unique()) == [Q1, Q2]
    q1 = f[f.peildatum == Q1]
    assert list(q1.gebied[:5]) == AREAS5
    assert list(q1.metric.unique()) == [
        "users", "share_basis", "spread_basis", "outlook:share_basis", "shift_basis", "share_mixed", "share_mi", "outlook:share_mi",
        "age_group:0-17", "age_group:18-26", "age_group:27-34", "age_group:35-49", "age_group:50-64",
        "age_group:65-74", "age_group:75+",
        "uitvoerders", "share_other_uitvoerder",
        "youth_mh_inflow", "youth_mh_inflow_share", "wait_open", "wait_days_median", "wait_days_p80",
        *(f"toeleiding:{v}" for v in ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief",
                                      "anders", "lopend")), "beschikking_onbepaald",
    ]


def test_wait_days(store):
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("w1", "centrum", startdatum=D(2026, 12, 1)),   # before the registration: not its start
        trajectory("w1", "centrum", startdatum=D(2027, 2, 9)),    # 30 days after 10-1
        trajectory("w4", "west", startdatum=Q1),                  # same day: 0 days
        trajectory("w5", "west", startdatum=D(2027, 3, 1)),
    ])
    add_provider(store, 2, "Lentis", Q2, [
        trajectory("w1", "centrum", startdatum=D(2027, 2, 9)),    # the same trajectory again
        trajectory("w1", "centrum", startdatum=D(2027, 5, 1)),
    ])
    add_provider(store, 3, "Cosis", Q2, [trajectory("w2", "zuid", startdatum=D(2027, 5, 2))])  # 90 days, other area
    add_provider(store, 4, "Cosis", Q2, [trajectory("w3", "centrum", startdatum=D(2027, 4, 1))], current=False)
    add_wij(store, 5, Q1, [
        registration("w1", "centrum", D(2027, 1, 10), toeleiding="basis"),
        registration("w2", "centrum", D(2027, 2, 1), toeleiding="aanvullend"),
        registration("w3", "centrum", D(2027, 3, 1), toeleiding="basis"),  # only a superseded upload: open
        registration("w4", "west", Q1, toeleiding="basis"),
        registration("w5", "west", D(2027, 2, 1), toeleiding="anders"),   # not referred: left out
        registration("w6", "west", D(2027, 2, 1), toeleiding="lopend"),
    ])
    f = export(store)
    # centrum: waits [30, 90], one open of three
    assert_figure(f, "wait_days_median", "centrum", Q1, 2, None, 60.0)
    assert_figure(f, "wait_days_p80", "centrum", Q1, 2, None, 30 + 0.8 * 60)
    assert_figure(f, "wait_open", "centrum", Q1, 1, 3, 1 / 3)
    # west: waits [0]
    assert_figure(f, "wait_days_median", "west", Q1, 1, None, 0.0)
    assert_figure(f, "wait_days_p80", "west", Q1, 1, None, 0.0)
    assert_figure(f, "wait_open", "west", Q1, 0, 1, 0.0)
    # stad: waits [0, 30, 90]; p80 at position 0.8 * 2 = 1.6 -> 30 + 0.6 * 60
    assert_figure(f, "wait_days_median", "stad", Q1, 3, None, 30.0)
    assert_figure(f, "wait_days_p80", "stad", Q1, 3, None, 66.0)
    assert_figure(f, "wait_open", "stad", Q1, 1, 4, 0.25)
    # oost: nobody referred
    assert_figure(f, "wait_days_median", "oost", Q1, 0, None, None)
    assert_figure(f, "wait_open", "oost", Q1, 0, 0, None)


def test_spread_of_share_basis(store):
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("c1", "centrum"), *[trajectory(f"c{i}", "centrum", "aanvullend") for i in (2, 3, 4)],  # 1/4
        *[trajectory(f"w{i}", "west") for i in (1, 2, 3)], trajectory("w4", "west", "aanvullend"),      # 3/4
        trajectory("o1", "oost"), trajectory("o2", "oost", "aanvullend"),                              # 1/2
    ])                                                                                                 # zuid: none
    add_provider(store, 2, "Lentis", Q2, [trajectory("c1", "centrum")])  # only one area with a share
    f = export(store)
    assert_figure(f, "spread_basis", "stad", Q1, None, None, 0.75 - 0.25)
    assert_figure(f, "spread_basis", "stad", Q2, None, None, None)
    assert set(f[f.metric == "spread_basis"].gebied) == {"stad"}


def test_targets_on_area_and_city_rows(store):
    add_provider(store, 1, "Lentis", D(2026, 12, 31), [trajectory("c1", "centrum")])
    add_provider(store, 2, "Lentis", Q1, [trajectory("c1", "centrum")])
    f = export(store)
    for area in AREAS5:
        assert cell(f, "share_basis", area, Q1).target == 0.15  # the minimum of the end of 2027, all year
        assert cell(f, "share_mi", area, Q1).target == 0.15
        assert cell(f, "outlook:share_basis", area, Q1).target == 0.15
        assert math.isnan(cell(f, "share_basis", area, D(2026, 12, 31)).target)  # end 2027 is 4 quarters on
        assert math.isnan(cell(f, "share_mixed", area, Q1).target)
    assert math.isnan(cell(f, "users", "stad", Q1).target)


def test_csv(store):
    add_provider(store, 1, "Lentis", Q1, [
        trajectory("c1", "centrum"),
        trajectory("c2", "centrum", "aanvullend", startdatum=D(2027, 1, 5)),  # starts 4 days after registering
        trajectory("c3", "centrum", "aanvullend"),                            # started long before: no start
    ])
    add_wij(store, 2, Q1, [registration("c2", "centrum", D(2027, 1, 1), toeleiding="basis"),
                           registration("c3", "centrum", D(2027, 1, 1), toeleiding="basis"),
                           registration("c9", "centrum", D(2027, 1, 1), toeleiding="basis")])
    text = export_csv(export(store))
    lines = text.split("\n")
    assert lines[0] == "metric,gebied,peildatum,numerator,denominator,value,target"
    assert "users,centrum,2027-03-31,3,,3," in lines
    assert "share_basis,centrum,2027-03-31,1,3,0.333333,0.150000" in lines
    assert "share_basis,oost,2027-03-31,0,0,,0.150000" in lines
    assert "outlook:share_basis,centrum,2027-03-31,,,,0.150000" in lines  # one quarter: no line yet
    assert "spread_basis,stad,2027-03-31,,,," in lines
    assert "wait_open,centrum,2027-03-31,2,3,0.666667," in lines
    assert "wait_days_median,centrum,2027-03-31,1,,4.000000," in lines
    assert text.endswith("\n") and "\r" not in text
    assert text == export_csv(export(store))  # byte-identical for the same data


def test_csv_formats_by_hand_frame():
    frame = pd.DataFrame({
        "metric": ["users", "share_basis", "wait_days_p80"],
        "gebied": ["stad", "west", "oost"],
        "peildatum": [Q1, Q1, Q1],
        "numerator": pd.array([12, 1, 3], dtype="Int64"),
        "denominator": pd.array([None, 8, None], dtype="Int64"),
        "value": [12.0, 0.125, 17.6],
        "target": [float("nan"), 0.15, float("nan")],
    })
    assert export_csv(frame) == (
        "metric,gebied,peildatum,numerator,denominator,value,target\n"
        "users,stad,2027-03-31,12,,12,\n"
        "share_basis,west,2027-03-31,1,8,0.125000,0.150000\n"
        "wait_days_p80,oost,2027-03-31,3,,17.600000,\n"
    )


def test_every_figure_is_defined(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    add_wij(store, 2, Q1, [registration("c1", "centrum", D(2027, 1, 1))])
    add_provider(store, 3, "Lentis", D(2026, 12, 31), [trajectory("c1", "centrum")])  # the baseline quarter
    add_area_table(store, 4, [area_row(2027, "centrum", 60000, 4000, "4325000.50")])
    produced = set(export(store).metric)
    assert produced == set(figure_texts())
    for name, text in figure_texts().values():
        assert name and len(text) > 40


def test_empty_store_exports_nothing(store):
    with store.connect() as con:
        frame = export_frame(con)
        assert frame.empty and list(frame.columns) == EXPORT_COLUMNS
        assert delivery_status(con).empty
        assert provisional_quarters(con) == set()
    assert export_csv(frame) == "metric,gebied,peildatum,numerator,denominator,value,target\n"


# --- delivery status ---------------------------------------------------------


def test_delivery_status_with_a_missing_provider(store):
    for upload_id, name, quarter in [(1, "Lentis", Q1), (2, "Lentis", Q2), (3, "Lentis", Q3),
                                     (4, "Cosis", Q1), (5, "Arcus", Q2), (6, "Arcus", Q3)]:
        add_provider(store, upload_id, name, quarter, [trajectory("c1", "centrum")])
    add_wij(store, 7, Q1, [registration("r1", "west", D(2027, 2, 1))])
    add_wij(store, 8, Q3, [registration("r1", "west", D(2027, 8, 1))])
    with store.connect() as con:
        status = delivery_status(con)
        provisional = provisional_quarters(con)
    rows = [(r.peildatum, r.kind, r.aanbieder, r.delivered, r.missing) for r in status.itertuples()]
    assert rows == [
        (Q1, "aanbieder", "Arcus", False, False),
        (Q1, "aanbieder", "Cosis", True, False),
        (Q1, "aanbieder", "Lentis", True, False),
        (Q1, "wij", "WIJ Groningen", True, False),
        (Q2, "aanbieder", "Arcus", True, False),
        (Q2, "aanbieder", "Cosis", False, True),    # delivered Q1, not Q2
        (Q2, "aanbieder", "Lentis", True, False),
        (Q2, "wij", "WIJ Groningen", False, True),
        (Q3, "aanbieder", "Arcus", True, False),
        (Q3, "aanbieder", "Cosis", False, False),   # already missing the quarter before
        (Q3, "aanbieder", "Lentis", True, False),
        (Q3, "wij", "WIJ Groningen", True, False),
    ]
    assert provisional == {Q2}


def test_delivery_status_fills_a_quarter_nobody_delivered(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    add_provider(store, 2, "Lentis", Q3, [trajectory("c1", "centrum")])
    with store.connect() as con:
        status = delivery_status(con)
    assert list(status.peildatum) == [Q1, Q2, Q3]
    assert list(status.missing) == [False, True, False]


# --- outlook (metrics.md section 2), worked out by hand ----------------------


def deliver_shares(store, values: dict) -> None:
    """One delivery per quarter: in centrum `basis` of `users` users get basis only, the rest
    aanvullend; with 0 users the quarter's one client lives in west (centrum has no value)."""
    for n, (quarter, (basis, users)) in enumerate(values.items(), start=1):
        rows = ([trajectory(f"b{i}", "centrum") for i in range(basis)]
                + [trajectory(f"a{i}", "centrum", "aanvullend") for i in range(users - basis)])
        add_provider(store, n, "Lentis", quarter, rows or [trajectory("w", "west")])


def outlooks(store) -> dict:
    """peildatum -> (outlook of share_basis in centrum, its target); NaN stays NaN."""
    rows = outlook(export(store), "centrum")
    return {r.peildatum: (r.value, r.target) for r in rows.itertuples()}


def test_outlook_with_one_quarter_is_empty(store):
    deliver_shares(store, {Q1: (1, 10)})
    [(value, target)] = outlooks(store).values()
    assert math.isnan(value) and target == 0.15


def test_outlook_with_two_quarters(store):
    deliver_shares(store, {Q1: (1, 10), Q2: (2, 10)})
    # 10 % -> 20 %: +10 points a quarter, read two quarters on at the end of 2027: 40 %
    assert outlooks(store)[Q2] == (pytest.approx(0.4), 0.15)


def test_outlook_with_three_quarters(store):
    deliver_shares(store, {Q1: (1, 10), Q2: (2, 10), Q3: (2, 10)})
    # x -2, -1, 0; y .1, .2, .2: mean (-1, .5/3);
    # Sxy = (-1)(.1 - .5/3) + 0 + (1)(.2 - .5/3) = .1, Sxx = 2: slope .05; at x = 1: .5/3 + 2 x .05 = 4/15
    assert outlooks(store)[Q3][0] == pytest.approx(4 / 15)


def test_outlook_with_four_quarters_ignores_a_fifth(store):
    deliver_shares(store, {D(2026, 9, 30): (9, 10), D(2026, 12, 31): (1, 10), Q1: (1, 10), Q2: (2, 10),
                           Q3: (2, 10)})
    # x -3..0; y .1, .1, .2, .2: mean (-1.5, .15), Sxy .2, Sxx 5: slope .04; at x = 1: .15 + 2.5 x .04 = .25
    found = outlooks(store)
    assert found[Q3] == (pytest.approx(0.25), 0.15)
    assert D(2026, 12, 31) not in found  # the end of 2027 is four quarters away: no target, no outlook


def test_outlook_over_a_gap(store):
    deliver_shares(store, {Q1: (1, 10), Q2: (0, 0), Q3: (3, 10)})
    # Q2 has no value: the line runs through Q1 (10 %) and Q3 (30 %), +10 points a quarter; end 2027: 40 %
    found = outlooks(store)
    assert found[Q3][0] == pytest.approx(0.4)
    assert math.isnan(found[Q2][0])  # Q1 and an empty Q2: one value


def test_outlook_is_clipped_to_0_and_1(store):
    deliver_shares(store, {Q2: (5, 10), Q3: (9, 10)})
    assert outlooks(store)[Q3][0] == 1.0  # 90 % + 40 points = 130 %
    falling = new_store(store.path.parent / "falling")
    deliver_shares(falling, {Q2: (9, 10), Q3: (1, 10)})
    assert outlooks(falling)[Q3][0] == 0.0  # 10 % - 80 points


def test_outlook_none_at_the_year_end_then_read_at_the_next(store):
    deliver_shares(store, {Q3: (1, 10), Q4: (2, 10), D(2028, 3, 31): (3, 10)})
    found = outlooks(store)
    assert Q4 not in found  # the quarter is its own point: gehaald or niet gehaald, no outlook
    # 10, 20, 30 %: +10 points a quarter, read three quarters on at the end of 2028: 60 %, target 30 %
    assert found[D(2028, 3, 31)] == (pytest.approx(0.6), 0.30)


def test_outlook_of_share_mi(store):
    for n, (quarter, mi) in enumerate(((Q1, 1), (Q2, 2)), start=1):
        add_provider(store, n, "Lentis", quarter, [trajectory(f"m{i}", "oost", mi="Buurtkamer") for i in range(mi)]
                     + [trajectory(f"b{i}", "oost") for i in range(4 - mi)])
    row = cell(export(store), "outlook:share_mi", "oost", Q2)
    # 25 % -> 50 %: +25 points a quarter, two quarters on: 100 %
    assert (row.value, row.target) == (pytest.approx(1.0), 0.15)
    assert pd.isna(row.numerator) and pd.isna(row.denominator)


def test_metric_date_type_is_date(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    f = export(store)
    assert all(type(d) is dt.date for d in f.peildatum)


# --- required shift (shift_basis, metrics.md section 2), worked out by hand --------


def deliver_basis(store, quarter, gebied, basis, users, upload_id=1):
    """`basis` of `users` clients in `gebied` get basis only, the rest aanvullend."""
    add_provider(store, upload_id, "Lentis", quarter,
                 [trajectory(f"b{i}", gebied) for i in range(basis)]
                 + [trajectory(f"a{i}", gebied, "aanvullend") for i in range(users - basis)])


def test_shift_lands_exactly_on_a_whole_user(store):
    deliver_basis(store, Q1, "west", 150, 1380)
    row = cell(export(store), "shift_basis", "west", Q1)
    # 15 % of 1.380 is exactly 207 (as a float 0.15 x 1380 is 207.00000000000003: ceil would say 208);
    # 207 - 150 = 57 users over the 3 quarters to the end of 2027: 19 a quarter
    assert (row.numerator, row.denominator, row.value, row.target) == (57, 3, 19.0, 0.15)


def test_shift_with_no_users_and_with_the_minimum_reached(store):
    deliver_basis(store, Q4, "west", 300, 1000)
    f = export(store)
    west = cell(f, "shift_basis", "west", Q4)
    # the end of 2027 is Q itself: the next point is the end of 2028 (30 %), four quarters on; 300 of 1.000
    # already is 30 %: nothing needs to move
    assert (west.numerator, west.denominator, west.value, west.target) == (0, 4, 0.0, 0.30)
    centrum = cell(f, "shift_basis", "centrum", Q4)  # nobody in centrum
    assert pd.isna(centrum.numerator) and pd.isna(centrum.value)
    assert (centrum.denominator, centrum.target) == (4, 0.30)


def test_shift_rounds_up_to_a_whole_user(store):
    deliver_basis(store, Q2, "oost", 1, 7)
    row = cell(export(store), "shift_basis", "oost", Q2)
    # 15 % of 7 is 1,05: 2 basis users are needed, 1 more, over 2 quarters: 0,5 a quarter
    assert (row.numerator, row.denominator, row.value) == (1, 2, 0.5)
    assert len(export(store).query("metric == 'shift_basis'")) == 5  # every area and the city


def test_no_shift_without_a_point_within_four_quarters(store):
    deliver_basis(store, D(2026, 9, 30), "west", 1, 7)
    assert "shift_basis" not in set(export(store).metric)  # the end of 2027 is five quarters away
