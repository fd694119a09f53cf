"""Targets (streefwaarden): the editable table, its interpolation and the on-track status.

metrics.md: between two points of a metric the target for a quarter lies on the
straight line between them, counted in quarters; there is no target on or before
the first point of a metric, nor after its last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from . import catalogue, quarters
from .errors import InvalidTargets

ON_TRACK = "op koers"
BEHIND = "achter"
# Interpolated targets carry float rounding (0.15 * 3 / 4); a value equal to the
# target on paper must not come out "achter".
_TOLERANCE = 1e-9

Points = pd.DataFrame | Iterable[tuple[str, dt.date, float]]


def target_table(con) -> pd.DataFrame:
    """The raw targets table: metric, peildatum (date), minimum."""
    frame = con.execute("SELECT metric, peildatum, minimum FROM targets ORDER BY metric, peildatum").df()
    frame["peildatum"] = frame["peildatum"].dt.date
    return frame


def metric_points(points: Points, metric: str) -> list[tuple[dt.date, float]]:
    """The (peildatum, minimum) points of one metric, in date order."""
    return sorted((_as_date(day), float(minimum)) for m, day, minimum in _rows(points) if m == metric)


def year_end_goals(points: Points, metric: str) -> list[tuple[dt.date, float]]:
    """The (peildatum, minimum) points of one metric that are goals: those at a year end,
    except the metric's first point, which is where its line starts (metrics.md)."""
    return [(day, minimum) for day, minimum in metric_points(points, metric)[1:] if quarters.is_year_end(day)]


def target_for(points: Points, metric: str, peildatum: dt.date) -> float | None:
    """The minimum in force for `metric` in the quarter ending `peildatum`, or None."""
    peildatum = _as_date(peildatum)
    line = metric_points(points, metric)
    for (day0, min0), (day1, min1) in zip(line, line[1:]):
        if day0 < peildatum <= day1:
            steps = quarters.index(day1) - quarters.index(day0)
            return min0 + (min1 - min0) * (quarters.index(peildatum) - quarters.index(day0)) / steps
    return None


def target_frame(points: Points, days: Iterable[dt.date]) -> pd.DataFrame:
    """metric, peildatum, target for every metric in `points` and every quarter that has one."""
    points = list(_rows(points))
    rows = [
        (metric, quarter, target)
        for metric in sorted({p[0] for p in points})
        for quarter in sorted(set(days))
        if (target := target_for(points, metric, quarter)) is not None
    ]
    return pd.DataFrame(rows, columns=["metric", "peildatum", "target"]).astype({"target": "float64"})


def status(value: float | None, target: float | None) -> str | None:
    """'op koers' at or above the target, 'achter' below it; None without a value or target."""
    if _missing(value) or _missing(target):
        return None
    return ON_TRACK if value >= target - _TOLERANCE else BEHIND


def set_targets(con, frame: pd.DataFrame) -> None:
    """Replace the whole targets table by `frame` (metric, peildatum, minimum). Run it inside
    the caller's transaction (Store.replace_targets), which also bumps the data version.

    Raises InvalidTargets (Dutch message listing every problem) before changing anything.
    """
    rows = _validated(frame)
    con.execute("DELETE FROM targets")
    con.executemany("INSERT INTO targets VALUES (?, ?, ?)", rows)  # never empty: _validated refuses that


def _validated(frame: pd.DataFrame) -> list[tuple[str, dt.date, float]]:
    missing = [c for c in ("metric", "peildatum", "minimum") if c not in frame.columns]
    if missing:
        raise InvalidTargets(f"De streefwaarden missen de kolom(men): {', '.join(missing)}.")
    if frame.empty:  # Store() would silently seed the defaults again into an empty table
        raise InvalidTargets("Een lege tabel met streefwaarden kan niet worden opgeslagen.")
    problems, rows, seen, allowed = [], [], set(), catalogue.with_target()
    for line, (metric, peildatum, minimum) in enumerate(
        frame[["metric", "peildatum", "minimum"]].itertuples(index=False), start=1
    ):
        where = f"regel {line}"
        if metric not in allowed:
            problems.append(f"{where}: '{metric}' is geen cijfer waarvoor een streefwaarde kan gelden")
        day = _parse_date(peildatum)
        if day is None or not quarters.is_end(day):
            problems.append(f"{where}: peildatum '{peildatum}' is niet de laatste dag van een kwartaal")
        value = _parse_share(minimum)
        if value is None:
            problems.append(f"{where}: minimum '{minimum}' is geen getal tussen 0 en 1")
        if day is not None and (metric, day) in seen:
            problems.append(f"{where}: {metric} op {day} staat er twee keer in")
        seen.add((metric, day))
        rows.append((metric, day, value))
    if problems:
        raise InvalidTargets("De streefwaarden zijn niet opgeslagen. " + "; ".join(problems) + ".")
    return rows


def _parse_date(value) -> dt.date | None:
    # Only unambiguous forms: a date object or ISO text (never guess 01-03 vs 03-01).
    if isinstance(value, dt.datetime):  # also pd.Timestamp
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _parse_share(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if 0.0 <= number <= 1.0 else None  # NaN fails both comparisons


def _rows(points: Points):
    if isinstance(points, pd.DataFrame):
        return points[["metric", "peildatum", "minimum"]].itertuples(index=False)
    return points


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _missing(x) -> bool:
    return x is None or bool(pd.isna(x))
