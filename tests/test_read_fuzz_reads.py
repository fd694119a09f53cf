"""The fuzz tests of test_read.py accept either outcome, 'read' or 'refused', for every
input, so a reader that refused everything would pass them. These pin the other side on
the same inputs: the fuzzers' starting files are read with the rows they hold (worked out
from the files), and so is every mutation that leaves a valid CSV."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gonmetrics.read import read_delivery
from tests.test_read import FUZZ, VALID_CSV, VALID_XLSX, mutate, outcome

LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def test_the_fuzzers_starting_files_are_read_whole():
    csv = read_delivery(VALID_CSV, "x.csv")  # header on line 1, three data lines
    assert csv.row_numbers.to_pylist() == [2, 3, 4]
    assert csv.table.column("client_id").to_pylist() == ["client-0001", "client-0002", "c-3"]
    assert csv.table.column("gebied").to_pylist() == ["west", "oost", "Café"]
    xlsx = read_delivery(VALID_XLSX, "x.xlsx")  # header on row 4, data on rows 5, 6 and 9
    assert xlsx.row_numbers.to_pylist() == [5, 6, 9]
    assert xlsx.table.column("client_id").to_pylist() == ["client-0001", "client-0002", "client-0003"]


@FUZZ
@given(kept=st.integers(1, 3), position=st.integers(0, 10**6), letter=st.sampled_from(list(LETTERS)))
def test_fuzz_mutations_that_keep_the_csv_valid_are_read(kept, position, letter):
    """Cut after a complete data line, and one ASCII letter of a value replaced by another."""
    lines = VALID_CSV.split(b"\r\n")
    data = b"\r\n".join(lines[:1 + kept]) + b"\r\n"
    letters = [i for i in range(len(lines[0]) + 2, len(data)) if data[i] in LETTERS]
    mutated = mutate(data, [(letters[position % len(letters)], letter)], None)
    assert outcome(mutated, "x.csv") == "read"
    assert read_delivery(mutated, "x.csv").row_numbers.to_pylist() == list(range(2, 2 + kept))
