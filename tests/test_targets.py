"""Targets: the interpolation of metrics.md, worked out by hand, and the editable table."""

import pandas as pd
import pytest
from metrics_helpers import D, Q1, add_provider, cell, export, new_store, trajectory

from gonmetrics.errors import GonError, InvalidTargets
from gonmetrics.targets import set_targets, status, target_for, target_table

DEFAULT = [
    ("share_basis", D(2026, 12, 31), 0.00),
    ("share_basis", D(2027, 12, 31), 0.15),
    ("share_basis", D(2028, 12, 31), 0.30),
    ("share_basis", D(2029, 12, 31), 0.50),
    ("share_basis", D(2030, 12, 31), 0.70),
    ("share_mi", D(2026, 12, 31), 0.15),
    ("share_mi", D(2030, 12, 31), 0.15),
]


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)


@pytest.mark.parametrize("peildatum, expected", [
    (D(2027, 3, 31), 0.0375),     # worked examples of metrics.md
    (D(2027, 6, 30), 0.075),
    (D(2027, 9, 30), 0.1125),
    (D(2027, 12, 31), 0.15),      # on a point
    (D(2028, 3, 31), 0.1875),
    (D(2028, 6, 30), 0.225),      # 0.15 + 2/4 x 0.15
    (D(2029, 3, 31), 0.35),       # 0.30 + 1/4 x 0.20
    (D(2029, 12, 31), 0.50),
    (D(2030, 12, 31), 0.70),      # the last point itself
])
def test_share_basis_line(peildatum, expected):
    assert target_for(DEFAULT, "share_basis", peildatum) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("peildatum", [D(2026, 9, 30), D(2026, 12, 31), D(2031, 3, 31), D(2035, 12, 31)])
def test_no_target_on_or_before_the_first_point_nor_after_the_last(peildatum):
    assert target_for(DEFAULT, "share_basis", peildatum) is None
    assert target_for(DEFAULT, "share_mi", peildatum) is None


def test_share_mi_every_quarter_of_2027_to_2030():
    quarter_ends = [D(y, m, d) for y in range(2027, 2031) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
    assert [target_for(DEFAULT, "share_mi", q) for q in quarter_ends] == [0.15] * 16


def test_counted_in_quarters_not_days():
    points = [("share_mixed", D(2027, 3, 31), 0.1), ("share_mixed", D(2027, 12, 31), 0.4)]
    # three quarters apart: +0.1 per quarter (by days it would be 0.1993 on 30 June)
    assert target_for(points, "share_mixed", D(2027, 6, 30)) == pytest.approx(0.2)
    assert target_for(points, "share_mixed", D(2027, 9, 30)) == pytest.approx(0.3)


def test_unknown_metric_and_timestamp_input():
    assert target_for(DEFAULT, "users", D(2027, 12, 31)) is None
    assert target_for(DEFAULT, "share_basis", pd.Timestamp("2027-06-30")) == pytest.approx(0.075)


def test_default_table_from_the_store(store):
    with store.connect() as con:
        table = target_table(con)
    assert list(table.columns) == ["metric", "peildatum", "minimum"]
    assert sorted(table.itertuples(index=False, name=None)) == sorted(DEFAULT)
    assert target_for(table, "share_basis", D(2027, 9, 30)) == pytest.approx(0.1125)


@pytest.mark.parametrize("value, target, expected", [
    (0.15, 0.15, "op koers"),                  # at the target
    (0.2, 0.15, "op koers"),
    (0.149, 0.15, "achter"),
    (9 / 80, target_for(DEFAULT, "share_basis", D(2027, 9, 30)), "op koers"),  # 0.1125 both, despite rounding
    (None, 0.15, None),
    (float("nan"), 0.15, None),
    (0.3, None, None),
    (0.3, float("nan"), None),
])
def test_status(value, target, expected):
    assert status(value, target) == expected


def test_set_targets_replaces_the_table_and_the_export_follows(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    new = pd.DataFrame({"metric": ["share_basis", "share_basis", "share_mixed"],
                        "peildatum": [D(2026, 12, 31), "2027-06-30", D(2027, 3, 31)],
                        "minimum": [0.2, 0.4, 0.5]})
    with store.connect() as con:
        set_targets(con, new)
        table = target_table(con)
    assert list(table.itertuples(index=False, name=None)) == [
        ("share_basis", D(2026, 12, 31), 0.2), ("share_basis", D(2027, 6, 30), 0.4),
        ("share_mixed", D(2027, 3, 31), 0.5)]
    f = export(store)
    assert cell(f, "share_basis", "zuid", Q1).target == pytest.approx(0.3)   # halfway 0.2 -> 0.4
    assert cell(f, "share_basis", "stad", Q1).target == pytest.approx(0.3)
    assert pd.isna(cell(f, "share_mi", "stad", Q1).target)                   # no longer any share_mi point
    assert pd.isna(cell(f, "share_mixed", "west", Q1).target)                # on its only (first) point


@pytest.mark.parametrize("metric, peildatum, minimum, words", [
    ("share_bassis", D(2027, 12, 31), 0.1, "share_bassis"),
    ("users", D(2027, 12, 31), 0.1, "users"),
    ("share_basis", D(2027, 12, 30), 0.1, "laatste dag van een kwartaal"),
    ("share_basis", "31-12-2027", 0.1, "laatste dag van een kwartaal"),
    ("share_basis", D(2027, 12, 31), 1.5, "tussen 0 en 1"),
    ("share_basis", D(2027, 12, 31), -0.1, "tussen 0 en 1"),
    ("share_basis", D(2027, 12, 31), float("nan"), "tussen 0 en 1"),
    ("share_basis", D(2027, 12, 31), "veel", "tussen 0 en 1"),
])
def test_set_targets_refuses_and_keeps_the_old_table(store, metric, peildatum, minimum, words):
    frame = pd.DataFrame({"metric": ["share_mi", metric], "peildatum": [D(2027, 12, 31), peildatum],
                          "minimum": [0.2, minimum]})
    with store.connect() as con:
        with pytest.raises(InvalidTargets) as err:
            set_targets(con, frame)
        assert sorted(target_table(con).itertuples(index=False, name=None)) == sorted(DEFAULT)
    assert isinstance(err.value, GonError)
    assert "regel 2" in str(err.value) and words in str(err.value)


def test_set_targets_refuses_duplicates_and_missing_columns(store):
    twice = pd.DataFrame({"metric": ["share_mi", "share_mi"], "peildatum": [D(2027, 12, 31)] * 2,
                          "minimum": [0.1, 0.2]})
    with store.connect() as con:
        with pytest.raises(InvalidTargets, match="twee keer"):
            set_targets(con, twice)
        with pytest.raises(InvalidTargets, match="minimum"):
            set_targets(con, pd.DataFrame({"metric": ["share_mi"], "peildatum": [D(2027, 12, 31)]}))
        assert len(target_table(con)) == len(DEFAULT)


def test_set_targets_refuses_an_empty_table(store):
    with store.connect() as con:
        with pytest.raises(InvalidTargets, match="lege tabel"):
            set_targets(con, pd.DataFrame({"metric": [], "peildatum": [], "minimum": []}))
        assert len(target_table(con)) == len(DEFAULT)
