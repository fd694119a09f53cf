"""Small-number protection (issue "Access, privacy and robustness"): hand-worked frames,
then a property test on random frames shaped like the export, checked independently."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonmetrics import cli, privacy
from gonmetrics.errors import GonError
from gonmetrics.privacy import protect
from gonmetrics.settings import DEFAULT_MIN_COUNT, MIN_COUNT_ENV, min_count
from tests.conftest import ROW, provider_csv
from tests.test_validate import replace_field

COLUMNS = ["metric", "gebied", "peildatum", "numerator", "denominator", "value", "target"]
AREAS = ("centrum", "west", "oost", "zuid")
GEBIEDEN = (*AREAS, "stad")
AGES = ("0-17", "18-26", "27-34", "35-49", "50-64", "65-74", "75+")
Q1 = dt.date(2027, 3, 31)
Q2 = dt.date(2027, 6, 30)
NA = pd.NA


# --- building frames by hand ----------------------------------------------------------


def frame(rows) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=COLUMNS)
    return out.astype({"numerator": "Int64", "denominator": "Int64", "value": "float64", "target": "float64"})


def count(metric, gebied, n, day=Q1):
    return (metric, gebied, day, n, None, float(n), math.nan)


def share(metric, gebied, numerator, denominator, day=Q1, target=math.nan):
    value = numerator / denominator if denominator else math.nan
    return (metric, gebied, day, numerator, denominator, value, target)


def days(metric, gebied, started, value, day=Q1):
    return (metric, gebied, day, started, None, value, math.nan)


def users_and_ages(gebied, ages, day=Q1):
    users = sum(ages)
    return [count("users", gebied, users, day)] + [
        share(f"age_group:{label}", gebied, n, users, day) for label, n in zip(AGES, ages)
    ]


def column(out, name, metric=None):
    rows = out if metric is None else out[out["metric"] == metric]
    return [None if cell is NA or (isinstance(cell, float) and math.isnan(cell)) else cell for cell in rows[name]]


def age_column(out, name):
    return column(out[out["metric"].str.startswith("age_group:")], name)


# --- primary and secondary suppression, by hand --------------------------------------


def test_small_area_count_is_shown_as_below_ten_and_the_smallest_other_area_is_hidden():
    # west 8 < 10. Shown alone it would follow from 103 - 40 - 25 - 30, so the smallest
    # other area (oost, 25) is hidden as well: west + oost = 33, and west can be 1 to 9.
    f = frame([count("users", g, n) for g, n in zip(GEBIEDEN, (40, 8, 25, 30, 103))])
    out = protect(f)
    assert column(out, "numerator") == [40, "< 10", "x", 30, 103]
    assert column(out, "value") == [40.0, "< 10", "x", 30.0, 103.0]
    assert column(out, "denominator") == [None] * 5


def test_one_small_age_group_gets_a_partner():
    # 0-17 has 3: the smallest other non-zero group (18-26, 12) is hidden too, so
    # 50 - 15 - 20 = 15 is only the sum of the two. Their shares are not shown.
    out = protect(frame(users_and_ages("centrum", (3, 12, 15, 20, 0, 0, 0))))
    assert age_column(out, "numerator") == ["< 10", "x", 15, 20, 0, 0, 0]
    assert age_column(out, "denominator") == [50] * 7
    assert age_column(out, "value") == ["", "", 0.3, 0.4, 0.0, 0.0, 0.0]
    assert column(out, "numerator", "users") == [50]


def test_a_partner_that_would_pin_the_small_count_is_not_enough():
    # 1 + 10 = 11: a hidden count that is not '< 10' is 0 or at least 10, so the
    # first group would have to be 1. A third group (19) is hidden as well.
    out = protect(frame(users_and_ages("centrum", (1, 10, 19, 0, 0, 0, 0))))
    assert age_column(out, "numerator") == ["< 10", "x", "x", 0, 0, 0, 0]


def test_two_small_groups_that_can_only_be_one_each_get_a_third():
    # users 12 = 1 + 1 + 10: the two '< 10' would add up to 2, so both would be 1.
    out = protect(frame(users_and_ages("centrum", (1, 1, 10, 0, 0, 0, 0))))
    assert age_column(out, "numerator") == ["< 10", "< 10", "x", 0, 0, 0, 0]
    assert column(out, "numerator", "users") == [12]


def test_hidden_users_hide_the_whole_age_breakdown():
    out = protect(frame(users_and_ages("centrum", (0, 4, 0, 0, 0, 0, 2))))
    assert column(out, "numerator", "users") == ["< 10"]
    assert column(out, "value", "users") == ["< 10"]
    assert age_column(out, "numerator") == ["x", "< 10", "x", "x", "x", "x", "< 10"]
    assert age_column(out, "denominator") == ["< 10"] * 7
    assert age_column(out, "value") == [""] * 7


def test_share_with_denominator_below_threshold_is_not_shown():
    out = protect(frame([share("share_mi", "centrum", 6, 9)]))
    assert column(out, "numerator") == ["< 10"]
    assert column(out, "denominator") == ["< 10"]
    assert column(out, "value") == [""]


def test_share_with_small_numerator_is_not_shown():
    # 3 of 50: the share (6 %) times 50 would give the 3 back.
    out = protect(frame([share("share_mixed", "centrum", 3, 50)]))
    assert column(out, "numerator") == ["< 10"]
    assert column(out, "denominator") == [50]
    assert column(out, "value") == [""]


def test_zero_is_shown_and_an_empty_share_stays_empty():
    out = protect(frame([count("users", "centrum", 0), share("share_basis", "centrum", 0, 0)]))
    assert column(out, "numerator") == [0, 0]
    assert column(out, "denominator") == [None, 0]
    assert column(out, "value") == [0.0, None]
    assert not privacy.is_protected(out["value"].iloc[1])


def test_waiting_time_over_few_registrations_is_not_shown():
    # 5 started of 40 referred: the 35 still open would give the 5 away, so it is hidden;
    # the waiting times over 5 registrations are not shown, nor the share still open.
    f = frame([
        share("wait_open", "centrum", 35, 40),
        days("wait_days_median", "centrum", 5, 12.0),
        days("wait_days_p80", "centrum", 5, 20.0),
    ])
    out = protect(f)
    assert column(out, "numerator") == ["x", "< 10", "< 10"]
    assert column(out, "denominator") == [40, None, None]
    assert column(out, "value") == ["", "", ""]


def test_youth_inflow_count_and_share_carry_the_same_mark():
    inflow, registrations = (4, 15, 20, 30, 69), (40, 50, 60, 70, 220)
    f = frame(
        [count("youth_mh_inflow", g, n) for g, n in zip(GEBIEDEN, inflow)]
        + [share("youth_mh_inflow_share", g, n, d) for g, n, d in zip(GEBIEDEN, inflow, registrations)]
    )
    out = protect(f)
    assert column(out, "numerator", "youth_mh_inflow") == ["< 10", "x", 20, 30, 69]
    assert column(out, "numerator", "youth_mh_inflow_share") == ["< 10", "x", 20, 30, 69]
    assert column(out, "value", "youth_mh_inflow_share")[:2] == ["", ""]
    assert column(out, "denominator", "youth_mh_inflow_share") == [40, 50, 60, 70, 220]


def test_spread_between_areas_is_hidden_when_an_area_share_is():
    rows = [share("share_basis", g, n, d) for g, n, d in zip(GEBIEDEN, (3, 20, 30, 40, 93), (50, 60, 70, 80, 260))]
    rows.insert(5, ("spread_basis", "stad", Q1, None, None, 0.44, math.nan))
    out = protect(frame(rows))
    assert column(out, "numerator") == ["< 10", "x", 30, 40, 93, None]
    assert column(out, "value")[5] == ""
    assert column(out, "value")[4] == pytest.approx(93 / 260)


def test_a_chain_of_sums_is_closed_too():
    # Every row and column of areas x age groups below has two or three '< 10', yet
    # (centrum, 27-34) follows from the sums: add the users of centrum and west, take
    # off their shown groups and the city's 0-17 and 18-26 minus the shown cells of
    # those two columns. One more count must be hidden.
    base = {g: [40] * 7 for g in AREAS}
    base["centrum"][:3] = [5, 5, 5]
    base["west"][:2] = [5, 5]
    base["oost"][2:4] = [5, 5]
    base["zuid"][2:4] = [5, 5]
    base["stad"] = [sum(base[g][k] for g in AREAS) for k in range(7)]
    f = frame([row for g in GEBIEDEN for row in users_and_ages(g, base[g])])
    out = protect(f)
    assert out["numerator"].map(lambda cell: cell == "x").any()
    assert derivable(out, f) == []


# --- complements: denominator minus numerator counts people too -------------------------


def shown_small_complements(out, threshold=10):
    """Share rows whose shown numerator and denominator differ by 1 to threshold-1 (independent check)."""
    shares = out[~out["metric"].isin(["users", "youth_mh_inflow", "spread_basis"])]
    return [
        (row.metric, row.gebied, row.numerator, row.denominator)
        for row in shares.itertuples()
        if not isinstance(row.numerator, str) and not isinstance(row.denominator, str)
        and not pd.isna(row.numerator) and not pd.isna(row.denominator)
        and 0 < int(row.denominator) - int(row.numerator) < threshold
    ]


def test_23_of_25_basis_only_is_withheld_because_2_are_not():
    # West: 25 users, 23 basis only. "23 van 25" would show that 2 have aanvullende
    # ondersteuning, so the 23 is hidden ('x': 0 or at least 10) and so is the share.
    out = protect(frame([count("users", "west", 25), share("share_basis", "west", 23, 25)]))
    assert column(out, "numerator") == [25, "x"]
    assert column(out, "denominator") == [None, 25]
    assert column(out, "value") == [25.0, ""]
    assert shown_small_complements(out) == []


def test_15_youth_of_20_registrations_is_withheld_because_5_are_not():
    out = protect(frame([count("youth_mh_inflow", "west", 15), share("youth_mh_inflow_share", "west", 15, 20)]))
    assert column(out, "numerator") == ["x", "x"]
    assert column(out, "value") == ["x", ""]
    assert column(out, "denominator") == [None, 20]


def test_share_mi_26_of_30_is_withheld_because_4_are_not():
    out = protect(frame([share("share_mi", "west", 26, 30)]))
    assert column(out, "numerator") == ["x"]
    assert column(out, "denominator") == [30]
    assert column(out, "value") == [""]


def test_share_mixed_33_of_40_is_withheld_because_7_are_not():
    out = protect(frame([count("users", "west", 40), share("share_mixed", "west", 33, 40)]))
    assert column(out, "numerator") == [40, "x"]
    assert column(out, "value") == [40.0, ""]


def test_users_minus_users_with_basis_support_is_a_count_too():
    # 25 users, 23 of them with basis support (share_mi's denominator): 2 have only
    # aanvullende ondersteuning (charts.mix shows that share). The 23 is hidden, and with it
    # share_mi's value; share_mi's 12 is shown (25 - 12 = 13, 23 - 12 = 11).
    out = protect(frame([count("users", "west", 25), share("share_mi", "west", 12, 23)]))
    assert column(out, "numerator") == [25, 12]
    assert column(out, "denominator") == [None, "x"]
    assert column(out, "value") == [25.0, ""]


def test_the_rest_of_the_mix_chart_cannot_be_worked_out():
    # 25 users: 12 basis only, 10 mixed, so 3 with aanvullend only (1 - 48 % - 40 % in
    # charts.mix). The 22 with basis support is hidden (25 - 22 = 3), then the 10 mixed
    # (22 = 12 + 10 would give the 22 back): only the share basis only is left.
    out = protect(frame([count("users", "west", 25), share("share_basis", "west", 12, 25),
                         share("share_mixed", "west", 10, 25), share("share_mi", "west", 0, 22)]))
    assert column(out, "numerator") == [25, 12, "x", 0]
    assert column(out, "denominator") == [None, 25, 25, "x"]
    assert column(out, "value") == [25.0, 0.48, "", ""]


def test_an_age_group_of_almost_everyone_is_withheld():
    # 20 + 3 + 2 = 25: the two '< 10' could be 1..4 each, but 25 - 20 = 5 would say that
    # 5 users are not 0-17. The 20 is hidden too.
    out = protect(frame(users_and_ages("centrum", (20, 3, 2, 0, 0, 0, 0))))
    assert age_column(out, "numerator") == ["x", "< 10", "< 10", 0, 0, 0, 0]
    assert column(out, "numerator", "users") == [25]
    assert shown_small_complements(out) == []


@pytest.mark.parametrize("basis, value", [(15, 0.6), (25, 1.0), (0, 0.0)])
def test_a_complement_of_0_or_at_least_10_is_shown(basis, value):
    # 25 - 15 = 10 and 25 - 25 = 0 say nothing about a person: nothing more is hidden.
    out = protect(frame([count("users", "west", 25), share("share_basis", "west", basis, 25)]))
    assert column(out, "numerator") == [25, basis]
    assert column(out, "value") == [25.0, value]


def test_a_large_complement_does_not_hide_more_in_a_whole_quarter():
    # Every area 15 of 25 basis only, the city 60 of 100: complements 10 and 40, nothing hidden.
    rows = [count("users", g, 100 if g == "stad" else 25) for g in GEBIEDEN]
    rows += [share("share_basis", g, 60 if g == "stad" else 15, 100 if g == "stad" else 25) for g in GEBIEDEN]
    out = protect(frame(rows))
    assert not out["numerator"].map(privacy.is_protected).any()
    assert not out["value"].map(privacy.is_protected).any()


def test_public_export_hides_23_of_25_basis_only(tmp_path, monkeypatch, capsys):
    # West: 23 users with basis only (with an initiative), 2 with aanvullend only; no one
    # elsewhere, so the city equals west. Hidden in west and the city: the 23 basis only
    # (2 are not) and the 23 with basis support (2 have aanvullend only), so share_basis and
    # share_mi are not shown; share_mixed 0 of 25 and the age groups (all 35-49) are.
    monkeypatch.delenv(MIN_COUNT_ENV, raising=False)
    basis = [replace_field(ROW, 2, f"client-b{i:02d}") for i in range(23)]
    extra = [replace_field(replace_field(replace_field(ROW, 2, f"client-a{i:02d}"), 5, "aanvullend"), 10, "")
             for i in range(2)]
    (tmp_path / "q1.csv").write_bytes(provider_csv(*basis, *extra))
    db, public = tmp_path / "gon.duckdb", tmp_path / "public.csv"
    assert cli.main(["ingest", str(tmp_path / "q1.csv"), "--db", str(db)]) == 0
    assert cli.main(["export", "--db", str(db), "--public", "--out", str(public)]) == 0
    capsys.readouterr()
    out = pd.read_csv(public, dtype=str, keep_default_na=False)
    cells = {(r.metric, r.gebied): (r.numerator, r.denominator, r.value) for r in out.itertuples()}
    for g in ("west", "stad"):
        assert cells[("users", g)] == ("25", "", "25")
        assert cells[("share_basis", g)] == ("x", "25", "")
        assert cells[("share_mi", g)] == ("x", "x", "")
        assert cells[("share_mixed", g)] == ("0", "25", "0.000000")
        assert cells[("age_group:35-49", g)] == ("25", "25", "1.000000")
    assert not any("23" in cell for row in cells.values() for cell in row)
    # a count in the CSV is digits, a withheld one its mark; "" is no count at all
    as_cells = {c: out[c].map(lambda cell: int(cell) if cell.isdigit() else None if cell == "" else cell)
                for c in ("numerator", "denominator")}
    assert shown_small_complements(out.assign(**as_cells)) == []


# --- threshold, helpers, text, shape -----------------------------------------------------


def four_and_more():
    return frame([count("users", g, n) for g, n in zip(GEBIEDEN, (40, 4, 25, 30, 99))])


def test_threshold_as_argument():
    out = protect(four_and_more(), threshold=5)
    assert column(out, "numerator") == [40, "< 5", "x", 30, 99]
    assert column(protect(frame([count("users", "west", 8)]), threshold=5), "numerator") == [8]


def test_threshold_from_the_environment(monkeypatch):
    monkeypatch.setenv(MIN_COUNT_ENV, "5")
    assert min_count() == 5
    assert column(protect(four_and_more()), "numerator") == [40, "< 5", "x", 30, 99]
    assert "‘< 5’" in privacy.EXPLANATION_NL


def test_default_threshold(monkeypatch):
    monkeypatch.delenv(MIN_COUNT_ENV, raising=False)
    assert min_count() == DEFAULT_MIN_COUNT == 10
    assert "‘< 10’" in privacy.EXPLANATION_NL


@pytest.mark.parametrize("raw", ["tien", "0", "-3", "2.5"])
def test_a_bad_threshold_setting_is_refused(monkeypatch, raw):
    monkeypatch.setenv(MIN_COUNT_ENV, raw)
    with pytest.raises(GonError, match=MIN_COUNT_ENV):
        protect(four_and_more())


def test_same_columns_rows_order_and_index():
    f = four_and_more()
    f.index = [7, 3, 5, 1, 9]
    out = protect(f)
    assert list(out.columns) == COLUMNS
    assert list(out.index) == [7, 3, 5, 1, 9]
    kept = ["metric", "gebied", "peildatum", "target"]
    pd.testing.assert_frame_equal(out[kept], f[kept])
    assert {str(out[c].dtype) for c in ("numerator", "denominator", "value")} == {"object"}
    assert f["numerator"].dtype == "Int64"  # the input is left alone


@pytest.mark.parametrize(
    "cell, protected, as_count, as_share",
    [
        ("< 10", True, "< 10", "< 10"),
        ("x", True, "x", "x"),
        ("", True, "x", "x"),
        (1234, False, "1.234", None),
        (0.125, False, None, "12,5\u00a0%"),
        (NA, False, "–", "–"),
        (math.nan, False, "–", "–"),
    ],
)
def test_cell_helpers(cell, protected, as_count, as_share):
    assert privacy.is_protected(cell) is protected
    if as_count is not None:
        assert privacy.display_count(cell) == as_count
    if as_share is not None:
        assert privacy.display_share(cell) == as_share


# --- independent check: what can be worked out from a protected frame ---------------------


def quantity(metric, col, gebied, day):
    """The number a cell shows, named independently of the module."""
    if (metric, col) in {("users", "numerator"), ("users", "value"), ("share_basis", "denominator"),
                         ("share_mixed", "denominator")} or (metric.startswith("age_group:") and col == "denominator"):
        name = "users"
    elif metric in ("youth_mh_inflow", "youth_mh_inflow_share") and col in ("numerator", "value"):
        name = "youth"
    elif metric.startswith("wait_days_") and col == "numerator":
        name = "started"
    else:
        name = f"{metric}.{col}"
    return (name, gebied, day)


def quantities(out, original):
    """{quantity: (true count, hidden?)}; asserts that every cell of one quantity agrees."""
    found = {}
    for (_, row), (_, true) in zip(out.iterrows(), original.iterrows()):
        cols = ["numerator", "denominator"] + (["value"] if row.metric in ("users", "youth_mh_inflow") else [])
        for col in cols:
            if true[col] is NA or pd.isna(true[col]):
                continue
            key = quantity(row.metric, col, row.gebied, row.peildatum)
            entry = (int(true[col]), isinstance(row[col], str))
            assert found.setdefault(key, entry) == entry, key
    return found


def sums(found):
    """Every total = sum(parts) of the export, as (total, parts)."""
    days_ = {key[2] for key in found}
    names = {key[0] for key in found}
    result = []
    for day in days_:
        for g in GEBIEDEN:
            result.append((("users", g, day), [(f"age_group:{a}.numerator", g, day) for a in AGES]))
            result.append((("share_mi.denominator", g, day),
                           [("share_basis.numerator", g, day), ("share_mixed.numerator", g, day)]))
            result.append((("wait_open.denominator", g, day), [("wait_open.numerator", g, day), ("started", g, day)]))
        result += [((name, "stad", day), [(name, a, day) for a in AREAS]) for name in names]
    return [(total, parts) for total, parts in result if all(k in found for k in [total, *parts])]


def derivable(out, original):
    """Hidden quantities fixed by the sums together (linear algebra, independent of the module)."""
    found = quantities(out, original)
    return fixed(found, sums(found))


def fixed(found, relations):
    """The hidden quantities of found that the sums (total, parts) fix together."""
    hidden = [k for k, (_, h) in found.items() if h]
    if not hidden or not relations:
        return []
    position = {k: i for i, k in enumerate(hidden)}
    matrix = np.zeros((len(relations), len(hidden)))
    for r, (total, parts) in enumerate(relations):
        for k in parts:
            if k in position:
                matrix[r, position[k]] += 1
        if total in position:
            matrix[r, position[total]] -= 1
    _, singular, vt = np.linalg.svd(matrix)
    row_space = vt[: int((singular > singular.max(initial=0) * max(matrix.shape) * 1e-12).sum())]
    # hidden quantity i is fixed when its unit vector lies in the row space: projection of length 1
    return [k for i, k in enumerate(hidden) if abs((row_space[:, i] ** 2).sum() - 1) < 1e-6]


def pinned(out, original, threshold, limit=150):
    """Hidden parts of a sum with a shown total that the sum narrows to one value, knowing
    that '< T' is 1..T-1 and 'x' is 0 or >= T (brute force, small sums only)."""
    found = quantities(out, original)
    result = []
    for total, parts in sums(found):
        t_count, t_hidden = found[total]
        hidden = [k for k in parts if found[k][1]]
        rest = t_count - sum(found[k][0] for k in parts if not found[k][1])
        if t_hidden or not hidden or rest > limit:
            continue
        domains = {k: (range(1, threshold) if 0 < found[k][0] < threshold else [0, *range(threshold, rest + 1)])
                   for k in hidden}
        for k in hidden:
            reachable = {0}
            for other in hidden:
                if other != k:
                    reachable = {r + v for r in reachable for v in domains[other] if r + v <= rest}
            if sum(1 for v in domains[k] if rest - v in reachable) < 2:
                result.append(k)
    return result


# --- property test -------------------------------------------------------------------------

counts_ = st.one_of(st.just(0), st.integers(1, 12), st.integers(0, 200))


@st.composite
def area_facts(draw):
    ages = draw(st.lists(counts_, min_size=7, max_size=7))
    users = sum(ages)
    basis_only = min(draw(counts_), users)
    mixed = min(draw(counts_), users - basis_only)
    youth = draw(counts_)
    registrations = youth + draw(counts_)
    referred = min(draw(counts_), registrations)
    return {
        "ages": ages, "basis_only": basis_only, "mixed": mixed,
        "with_mi": min(draw(counts_), basis_only + mixed),
        "youth": youth, "registrations": registrations, "referred": referred,
        "started": min(draw(counts_), referred),
    }


def quarter_rows(facts, day):
    stad = {k: sum(facts[a][k] for a in AREAS) for k in facts["centrum"] if k != "ages"}
    stad["ages"] = [sum(facts[a]["ages"][i] for a in AREAS) for i in range(7)]
    facts = {**facts, "stad": stad}
    rows = []
    for g in GEBIEDEN:
        f = facts[g]
        users = sum(f["ages"])
        rows += [count("users", g, users, day), share("share_basis", g, f["basis_only"], users, day, target=0.0375)]
        if g == "stad":
            shares = [facts[a]["basis_only"] / sum(facts[a]["ages"]) for a in AREAS if sum(facts[a]["ages"])]
            spread = max(shares) - min(shares) if len(shares) > 1 else math.nan
            rows.append(("spread_basis", g, day, None, None, spread, math.nan))
        rows += [share("share_mixed", g, f["mixed"], users, day),
                 share("share_mi", g, f["with_mi"], f["basis_only"] + f["mixed"], day, target=0.15)]
        rows += users_and_ages(g, f["ages"], day)[1:]
        median = 10.0 + f["started"] if f["started"] else math.nan
        rows += [count("youth_mh_inflow", g, f["youth"], day),
                 share("youth_mh_inflow_share", g, f["youth"], f["registrations"], day),
                 share("wait_open", g, f["referred"] - f["started"], f["referred"], day),
                 days("wait_days_median", g, f["started"], median, day),
                 days("wait_days_p80", g, f["started"], median * 1.5, day)]
    return rows


@st.composite
def nearly_whole_area_facts(draw):
    """Facts whose parts are often just below their wholes: small complements."""
    small = st.integers(0, 12)
    ages = draw(st.lists(counts_, min_size=7, max_size=7))
    users = sum(ages)
    basis_only = max(users - draw(small), 0)
    mixed = min(draw(small), users - basis_only)
    registrations = draw(counts_)
    referred = max(registrations - draw(small), 0)
    return {
        "ages": ages, "basis_only": basis_only, "mixed": mixed,
        "with_mi": max(basis_only + mixed - draw(small), 0),
        "youth": max(registrations - draw(small), 0), "registrations": registrations, "referred": referred,
        "started": max(referred - draw(small), 0),
    }


@st.composite
def exports(draw, facts=area_facts):
    rows = []
    for day in (Q1, Q2)[: draw(st.integers(1, 2))]:
        rows += quarter_rows({a: draw(facts()) for a in AREAS}, day)
    return frame(rows), draw(st.sampled_from([5, 10]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(exports())
def test_nothing_small_is_shown_and_nothing_hidden_can_be_worked_out(case):
    original, threshold = case
    assert_protected(original, protect(original, threshold=threshold), threshold)


def assert_protected(original, out, threshold):
    assert list(out.columns) == COLUMNS and len(out) == len(original)
    shares = ~out["metric"].isin(["users", "youth_mh_inflow", "spread_basis"])
    for (_, row), (_, true) in zip(out.iterrows(), original.iterrows()):
        # (1) no shown count below the threshold other than 0
        for col in ("numerator", "denominator"):
            if not isinstance(row[col], str) and not pd.isna(true[col]):
                assert row[col] == true[col] and not 0 < row[col] < threshold
        # (2) a shown share or waiting time rests on shown counts of at least the threshold
        if shares[row.name] and not isinstance(row.value, str) and not pd.isna(row.value):
            assert not isinstance(row.numerator, str) and not 0 < row.numerator < threshold
            assert not isinstance(row.denominator, str)
            assert pd.isna(row.denominator) or row.denominator >= threshold
    # (3) no sum has exactly one hidden count, nothing follows from all sums together,
    # and no single sum narrows a hidden count down to one value
    found = quantities(out, original)
    for total, parts in sums(found):
        assert sum(found[k][1] for k in [total, *parts]) != 1, (total, parts)
    assert derivable(out, original) == []
    assert pinned(out, original, threshold) == []


# Nested counts of one area and quarter, (whole, part), named as in quantity(): a whole
# minus a part counts people too (a share's complement, or e.g. users with aanvullend only).
NESTED = (
    [("users", p) for p in ("share_basis.numerator", "share_mixed.numerator", "share_mi.denominator",
                            "share_mi.numerator", *(f"age_group:{a}.numerator" for a in AGES))]
    + [("share_mi.denominator", p) for p in ("share_basis.numerator", "share_mixed.numerator", "share_mi.numerator")]
    + [("youth_mh_inflow_share.denominator", p) for p in ("youth", "wait_open.denominator", "wait_open.numerator",
                                                          "started")]
    + [("wait_open.denominator", p) for p in ("wait_open.numerator", "started")]
)


def with_differences(found, threshold):
    """found plus, for every nested pair whose difference is 1 to threshold-1, that
    difference as a hidden quantity, and the sums whole = part + difference."""
    extra, relations = {}, []
    for name, g, day in found:
        for whole, part in NESTED:
            if whole == name and (part, g, day) in found:
                difference = found[(whole, g, day)][0] - found[(part, g, day)][0]
                if 0 < difference < threshold:
                    key = (f"{whole}-{part}", g, day)
                    extra[key] = (difference, True)
                    relations.append(((whole, g, day), [(part, g, day), key]))
    return {**found, **extra}, relations


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(exports(facts=nearly_whole_area_facts))
def test_no_small_complement_can_be_worked_out(case):
    original, threshold = case
    out = protect(original, threshold=threshold)
    # (4) no share shows a numerator and a denominator that differ by 1 to T-1 ...
    assert shown_small_complements(out, threshold) == []
    found = quantities(out, original)
    for whole, part in NESTED:  # ... and no two nested counts do
        for g in GEBIEDEN:
            for day in (Q1, Q2):
                pair = [found.get((name, g, day)) for name in (whole, part)]
                if None not in pair and not pair[0][1] and not pair[1][1]:
                    assert not 0 < pair[0][0] - pair[1][0] < threshold, (whole, part, g, day)
    # (5) no small difference follows from all sums together (linear algebra)
    everything, relations = with_differences(found, threshold)
    assert fixed(everything, sums(found) + relations) == []
    assert_protected(original, out, threshold)


# --- figures derived from share_basis: the outlook and the required shift ----------


def test_outlook_and_shift_follow_the_share_they_come_from(tmp_path):
    from tests.metrics_helpers import add_provider, export, new_store, trajectory

    store = new_store(tmp_path)
    for n, (quarter, west_users) in enumerate(((Q1, 5), (Q2, 20)), start=1):
        rows = [trajectory(f"w{i}", "west", "basis" if i % 2 else "aanvullend") for i in range(west_users)]
        rows += [trajectory(f"o{i}", "oost", "basis" if i % 4 else "aanvullend") for i in range(40)]
        add_provider(store, n, "Lentis", quarter, rows)
    out = protect(export(store), threshold=10).set_index(["metric", "gebied", "peildatum"])
    # west Q1: 5 users, withheld, so share_basis is not shown ...
    assert out.loc[("users", "west", Q1), "value"] == "< 10"
    assert out.loc[("share_basis", "west", Q1), "value"] == ""
    # ... nor the shift it needs (with the users it would give the basis users away); the quarters stay
    shift = out.loc[("shift_basis", "west", Q1)]
    assert (shift["numerator"], shift["value"], shift["denominator"]) == ("x", "", 3)
    # in Q2 west's share (10 of 20) is shown, but the outlook is fitted on Q1 too: withheld
    assert out.loc[("share_basis", "west", Q2), "value"] == 0.5
    assert out.loc[("outlook:share_basis", "west", Q2), "value"] == ""
    # its shift is shown: 15 % of 20 is 3, 10 are basis already
    assert (out.loc[("shift_basis", "west", Q2), "numerator"], out.loc[("shift_basis", "west", Q2), "value"]) == (0, 0.0)


# --- the note's figures (metrics.md sections 3-6) ---------------------------------------

B = dt.date(2026, 12, 31)  # the default baseline quarter
TOELEIDING = ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders", "lopend")


def test_a_small_toeleiding_outcome_gets_a_partner():
    # west: 25 registrations, 3 to basis, 22 to aanvullend: showing 22 of 25 would tell the 3
    rows = [share(f"toeleiding:{v}", "west", n, 25) for v, n in zip(TOELEIDING, (3, 22, 0, 0, 0, 0))]
    out = protect(frame(rows), 10)
    assert list(out["numerator"]) == ["< 10", "x", 0, 0, 0, 0]
    assert list(out["denominator"]) == [25] * 6
    assert list(out["value"])[:2] == ["", ""] and list(out["value"])[2:] == [0.0] * 4


def test_open_ended_beschikkingen_of_almost_all_are_withheld():
    # 14 of 16 stated aanvullend beschikkingen are open-ended: 2 are not
    out = protect(frame([share("beschikking_onbepaald", "oost", 14, 16)]), 10)
    assert (out["numerator"][0], out["denominator"][0], out["value"][0]) == ("x", 16, "")


def test_kept_of_almost_all_is_withheld_and_so_is_the_same_uitvoerder_share():
    # 23 of 25 users of the baseline are still in support: 2 stopped. kept (23) is also the
    # denominator of kept_same_uitvoerder, so that share goes too.
    out = protect(frame([share("kept", "zuid", 23, 25), share("kept_same_uitvoerder", "zuid", 12, 23)]), 10)
    assert list(out["numerator"]) == ["x", 12]
    assert list(out["denominator"]) == [25, "x"]
    assert list(out["value"]) == ["", ""]


def test_the_baseline_users_are_hidden_in_every_quarter_alike():
    # B: 40 users in centrum, 3 in west (small): the city (85) minus the others would tell the 3,
    # so one more area is hidden at B - oost's 12, the smallest. Q1's kept denominators are the
    # same numbers as the users at B and carry the same marks, also where Q1 itself has no sum
    # that would hide them (here: the areas of Q1 without the city; 85 - 40 - 12 - 30 = 3).
    users_b = {"centrum": 40, "west": 3, "oost": 12, "zuid": 30}
    kept_q1 = {"centrum": 30, "west": 3, "oost": 10, "zuid": 30}
    rows = [count("users", g, n, B) for g, n in users_b.items()] + [count("users", "stad", 85, B)]
    rows += [share("kept", g, kept_q1[g], n, Q1) for g, n in users_b.items()]
    out = protect(frame(rows), 10)
    at_b = out[out["peildatum"] == B].set_index("gebied")["numerator"]
    at_q1 = out[out["peildatum"] == Q1].set_index("gebied")["denominator"]
    assert at_b["west"] == "< 10" and at_q1["west"] == "< 10"
    assert at_b["oost"] == "x" and at_q1["oost"] == "x"
    assert at_b["centrum"] == 40 and at_q1["centrum"] == 40


def test_uitvoerders_inhabitants_and_lump_sums_are_never_protected():
    lumpsum = frame([share("lumpsum_per_user", "west", 0, 5)]).astype({"numerator": "Float64"})
    lumpsum.loc[0, ["numerator", "value"]] = [4325000.5, 865000.1]
    rows = frame([count("uitvoerders", "west", 3), share("users_per_1000", "west", 5, 8),
                  share("users75_per_1000", "oost", 12, 7)]).astype({"numerator": "Float64"})
    rows["value"] = [3.0, 625.0, 12 * 1000 / 7]  # per 1.000 inhabitants
    out = protect(pd.concat([rows, lumpsum], ignore_index=True), 10)
    assert list(out["numerator"]) == [3, "< 10", 12, 4325000.5]  # 3 organisations; 5 users is small
    assert list(out["denominator"])[1:] == [8, 7, "< 10"]  # 8 and 7 inhabitants are no small numbers
    assert list(out["value"]) == [3.0, "", 12 * 1000 / 7, ""]  # rates and euros follow the users
