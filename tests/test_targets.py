"""Targets (metrics.md version 2, section 2): the governing point, the status words and the
editable table, worked out by hand."""

import pandas as pd
import pytest
from metrics_helpers import D, Q1, add_provider, cell, export, new_store, trajectory

from gonmetrics.errors import GonError, InvalidTargets
from gonmetrics.store import Store
from gonmetrics.targets import governing_point, set_targets, status, target_for, target_table

DEFAULT = [  # metrics.md's default table: the note's year-end minimums, no starting points
    ("share_basis", D(2027, 12, 31), 0.15),
    ("share_basis", D(2028, 12, 31), 0.30),
    ("share_basis", D(2029, 12, 31), 0.50),
    ("share_basis", D(2030, 12, 31), 0.70),
    ("share_mi", D(2027, 12, 31), 0.15),
    ("share_mi", D(2028, 12, 31), 0.15),
    ("share_mi", D(2029, 12, 31), 0.15),
    ("share_mi", D(2030, 12, 31), 0.15),
]
V1 = [  # the version-1 default, with its invented starting points at the end of 2026
    ("share_basis", D(2026, 12, 31), 0.00), ("share_basis", D(2027, 12, 31), 0.15),
    ("share_basis", D(2028, 12, 31), 0.30), ("share_basis", D(2029, 12, 31), 0.50),
    ("share_basis", D(2030, 12, 31), 0.70), ("share_mi", D(2026, 12, 31), 0.15), ("share_mi", D(2030, 12, 31), 0.15),
]


@pytest.fixture
def store(tmp_path):
    return new_store(tmp_path)


@pytest.mark.parametrize("peildatum, expected", [
    (D(2026, 9, 30), None),       # 2027-12-31 is five quarters away: no target yet
    (D(2026, 12, 31), None),      # four quarters away: still none (Q+3 at most)
    (D(2027, 3, 31), 0.15),       # before the 2027 point: Q+3 is the point
    (D(2027, 9, 30), 0.15),
    (D(2027, 12, 31), 0.15),      # on the point
    (D(2028, 3, 31), 0.30),       # after it: the 2028 point governs, no line from 15 % to 30 %
    (D(2028, 12, 31), 0.30),
    (D(2029, 3, 31), 0.50),
    (D(2030, 6, 30), 0.70),
    (D(2030, 12, 31), 0.70),      # the last point itself
    (D(2031, 3, 31), None),       # after the last point
])
def test_share_basis_target_of_a_quarter(peildatum, expected):
    assert target_for(DEFAULT, "share_basis", peildatum) == expected


def test_share_mi_every_quarter_of_2027_to_2030():
    quarter_ends = [D(y, m, d) for y in range(2027, 2031) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
    assert [target_for(DEFAULT, "share_mi", q) for q in quarter_ends] == [0.15] * 16


@pytest.mark.parametrize("peildatum, expected", [
    (D(2026, 6, 30), None),                      # Q+3 = 2027-03-31: before the first point
    (D(2026, 9, 30), (D(2027, 6, 30), 0.1)),     # Q+3 is the first point
    (D(2027, 3, 31), (D(2027, 6, 30), 0.1)),     # the first point within reach, not the later one
    (D(2027, 6, 30), (D(2027, 6, 30), 0.1)),     # on a point
    (D(2027, 9, 30), (D(2027, 12, 31), 0.4)),    # after it: the next one
    (D(2028, 3, 31), None),
])
def test_governing_point_also_between_year_ends(peildatum, expected):
    points = [("share_mixed", D(2027, 12, 31), 0.4), ("share_mixed", D(2027, 6, 30), 0.1)]  # any order
    assert governing_point(points, "share_mixed", peildatum) == expected


def test_unknown_metric_and_timestamp_input():
    assert target_for(DEFAULT, "users", D(2027, 12, 31)) is None
    assert target_for(DEFAULT, "share_basis", pd.Timestamp("2027-06-30")) == 0.15


@pytest.mark.parametrize("value, target, outlook, at_point, expected", [
    (0.15, 0.15, None, True, "gehaald"),           # the year end, exactly on the minimum
    (0.2, 0.15, None, True, "gehaald"),
    (0.149, 0.15, None, True, "niet gehaald"),
    (0.10, 0.15, 0.90, True, "niet gehaald"),      # at the year end the value counts, not a line
    (0.10, 0.15, 0.15, False, "op koers"),         # before it: the outlook counts, not the value
    (0.20, 0.15, 0.14, False, "niet op koers"),
    (0.20, 0.15, None, False, "onbekend"),         # no outlook
    (0.20, 0.15, float("nan"), False, "onbekend"),
    (None, 0.15, 0.2, False, None),
    (float("nan"), 0.15, None, True, None),
    (0.3, None, 0.3, False, None),
    (0.3, float("nan"), None, True, None),
])
def test_status(value, target, outlook, at_point, expected):
    assert status(value, target, outlook, at_point) == expected


def test_default_table_from_the_store(store):
    with store.connect() as con:
        table = target_table(con)
    assert list(table.columns) == ["metric", "peildatum", "minimum"]
    assert sorted(table.itertuples(index=False, name=None)) == sorted(DEFAULT)
    assert store.get_meta("targets_version") == "2"
    assert _audit(store, "doelen versie 2") == []  # a new database has nothing to convert


def _as_version_1(store, rows) -> None:
    """The store as a database made before version 2: the given targets, no version mark."""
    with store.connect() as con:
        con.execute("DELETE FROM targets")
        con.executemany("INSERT INTO targets VALUES (?, ?, ?)", rows)
        con.execute("DELETE FROM meta WHERE key = 'targets_version'")


def _audit(store, action) -> list:
    with store.connect() as con:
        return con.execute("SELECT actor, detail FROM audit_log WHERE action = ?", [action]).fetchall()


def _table(store) -> list:
    with store.connect() as con:
        return sorted(target_table(con).itertuples(index=False, name=None))


def test_a_version_1_default_table_becomes_the_version_2_default_once(store):
    _as_version_1(store, V1)
    version = store.data_version()
    again = Store(store.path)
    assert _table(again) == sorted(DEFAULT)
    assert len(_audit(again, "doelen versie 2")) == 1
    assert again.data_version() == version + 1  # cached figures are recomputed
    Store(store.path)
    assert len(_audit(again, "doelen versie 2")) == 1  # once


def test_an_edited_version_1_table_loses_its_starting_points_only(store):
    _as_version_1(store, [("share_basis", D(2026, 12, 31), 0.05), ("share_basis", D(2027, 12, 31), 0.2),
                          ("share_mixed", D(2027, 6, 30), 0.3)])
    again = Store(store.path)
    assert _table(again) == [("share_basis", D(2027, 12, 31), 0.2), ("share_mixed", D(2027, 6, 30), 0.3)]
    assert _audit(again, "doelen versie 2") == [("systeem", "beginpunten van versie 1 verwijderd: share_basis")]


def test_a_point_at_the_end_of_2026_set_in_version_2_stays(store):
    with store.connect() as con:
        set_targets(con, pd.DataFrame({"metric": ["share_basis"], "peildatum": [D(2026, 12, 31)], "minimum": [0.1]}))
    Store(store.path)
    assert _table(store) == [("share_basis", D(2026, 12, 31), 0.1)]


def test_set_targets_replaces_the_table_and_the_export_follows(store):
    add_provider(store, 1, "Lentis", Q1, [trajectory("c1", "centrum")])
    new = pd.DataFrame({"metric": ["share_basis", "share_basis", "share_mixed"],
                        "peildatum": [D(2027, 12, 31), "2027-06-30", D(2027, 3, 31)],
                        "minimum": [0.2, 0.4, 0.5]})
    with store.connect() as con:
        set_targets(con, new)
        table = target_table(con)
    assert list(table.itertuples(index=False, name=None)) == [
        ("share_basis", D(2027, 6, 30), 0.4), ("share_basis", D(2027, 12, 31), 0.2),
        ("share_mixed", D(2027, 3, 31), 0.5)]
    f = export(store)
    assert cell(f, "share_basis", "zuid", Q1).target == 0.4    # the first point within reach: 30 June
    assert cell(f, "share_basis", "stad", Q1).target == 0.4
    assert pd.isna(cell(f, "share_mi", "stad", Q1).target)     # no longer any share_mi point
    assert cell(f, "share_mixed", "west", Q1).target == 0.5    # on its only point


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
