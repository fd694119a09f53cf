"""Quarter arithmetic: every quarter is named by its peildatum, its last day.

The one place that knows how quarters are numbered, where they end, how they read
in Dutch ('K1 2027') and where the year ends; the rest of the package asks here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy's arrays only come from the demo; the command line's start does without it
    import numpy as np


def start_sql(day: str) -> str:
    """SQL: the first day of the quarter of the DATE expression `day` (validation, in DuckDB)."""
    return f"date_trunc('quarter', {day})::DATE"


def is_end_sql(day: str) -> str:
    """SQL: whether the DATE expression `day` is the last day of a quarter."""
    return f"({day} = last_day({day}) AND month({day}) IN (3, 6, 9, 12))"


def index(day: dt.date) -> int:
    """Consecutive quarters get consecutive numbers (the unit of target lines and outlooks)."""
    return day.year * 4 + (day.month - 1) // 3


def index_sql(day: str) -> str:
    """index() of a DATE expression, in SQL."""
    return f"(year({day}) * 4 + (month({day}) - 1) // 3)"


def end(number: int) -> dt.date:
    """The peildatum of the quarter numbered `number` by index()."""
    year, quarter = divmod(number, 4)
    return dt.date(year, 3 * quarter + 3, 30 if quarter in (1, 2) else 31)


def start(day: dt.date) -> dt.date:
    """The first day of the quarter that `day` falls in."""
    return dt.date(day.year, 3 * of_year(day) - 2, 1)


def of_year(day: dt.date) -> int:
    """1 to 4: which quarter of its year `day` falls in."""
    return (day.month - 1) // 3 + 1


def label(day: dt.date) -> str:
    """A quarter in Dutch: 'K3 2027'."""
    return f"K{of_year(day)} {day.year}"


def is_end(day: dt.date) -> bool:
    """Whether `day` is the last day of a quarter (a valid peildatum)."""
    return end(index(day)) == day


def is_year_end(day: dt.date) -> bool:
    return (day.month, day.day) == (12, 31)


def next_end(day: dt.date) -> dt.date:
    """The peildatum of the quarter after the one `day` falls in."""
    return end(index(day) + 1)


def previous_end(day: dt.date) -> dt.date:
    """The peildatum of the quarter before the one `day` falls in."""
    return end(index(day) - 1)


def year_end(day: dt.date) -> dt.date:
    """31 December of the year `day` falls in."""
    return dt.date(day.year, 12, 31)


def ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every peildatum from the quarter of `first` to that of `last`, both included."""
    return [end(number) for number in range(index(first), index(last) + 1)]


def days_to_end(days: np.ndarray) -> np.ndarray:
    """For a whole array of days (counted from 1970-01-01): the days from each to its quarter's last day."""
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    last = (month - month % 3 + 3).astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1
    return last - days
