import datetime as dt

import numpy as np

from gonmetrics import quarters

D = dt.date


def test_consecutive_quarters_get_consecutive_numbers_across_a_year_end():
    assert quarters.index(D(2027, 12, 31)) + 1 == quarters.index(D(2028, 3, 31))
    assert quarters.index(D(2027, 5, 14)) == quarters.index(D(2027, 6, 30))


def test_end_start_and_label():
    assert [quarters.end(quarters.index(D(2027, 1, 1)) + k) for k in range(4)] == [
        D(2027, 3, 31), D(2027, 6, 30), D(2027, 9, 30), D(2027, 12, 31)]
    assert quarters.start(D(2027, 8, 15)) == D(2027, 7, 1)
    assert quarters.label(D(2027, 3, 31)) == "K1 2027"
    assert quarters.label(D(2028, 12, 31)) == "K4 2028"


def test_next_previous_and_year_end():
    assert quarters.next_end(D(2027, 12, 31)) == D(2028, 3, 31)
    assert quarters.previous_end(D(2028, 3, 31)) == D(2027, 12, 31)
    assert quarters.year_end(D(2027, 6, 30)) == D(2027, 12, 31)
    assert quarters.is_year_end(D(2027, 12, 31)) and not quarters.is_year_end(D(2027, 9, 30))


def test_only_the_last_day_of_a_quarter_is_a_peildatum():
    assert quarters.is_end(D(2027, 6, 30)) and quarters.is_end(D(2028, 3, 31))
    assert not quarters.is_end(D(2027, 6, 29)) and not quarters.is_end(D(2027, 5, 31))


def test_ends_lists_every_quarter_in_between():
    assert quarters.ends(D(2027, 9, 30), D(2028, 3, 31)) == [D(2027, 9, 30), D(2027, 12, 31), D(2028, 3, 31)]


def test_days_to_end_for_whole_arrays():
    epoch = D(1970, 1, 1)
    days = np.array([(D(2027, 3, 31) - epoch).days, (D(2027, 4, 1) - epoch).days, (D(2028, 2, 28) - epoch).days])
    # 31 March is its quarter's end; 1 April is 90 days before 30 June; 28 Feb 2028 (leap year) is 32 before 31 March
    assert quarters.days_to_end(days).tolist() == [0, 90, 32]
