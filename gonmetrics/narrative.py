"""The figures in words: lookups, key figures with their change and status, and the
plain Dutch sentences of the Voortgang page.

Works on the export table (metrics.export_frame) and on its protected version
(privacy.protect) alike: a protected cell is shown as its text ("< 10") and never
enters a calculation, so no change, status or sentence can reveal it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from . import catalogue, fmt, privacy, quarters, targets
from .metrics import outlook
from .vocab import AREAS, CITY, CITY_LABEL

NO_PREVIOUS = "geen vorig kwartaal"
INCOMPLETE_PREVIOUS = "vorig kwartaal onvolledig"  # a delivery was missing: no fair comparison
OUTLOOK_LABEL = "indicatie, geen voorspelling"
NO_POINTS = pd.DataFrame({"metric": pd.Series(dtype=str), "peildatum": pd.Series(dtype=object),
                          "minimum": pd.Series(dtype=float)})  # no targets table: no targets


def area_label(gebied: str) -> str:
    return CITY_LABEL if gebied == CITY else AREAS[gebied]


def metric_label(metric: str) -> str:
    return catalogue.figure(metric).name


def short_label(metric: str) -> str:
    """The figure's label in charts and tables ('Alleen basis', 'Mediaan')."""
    return catalogue.figure(metric).short


def number(cell) -> float | None:
    """The cell as a number; None when it is empty or protected."""
    if cell is None or isinstance(cell, str) or pd.isna(cell):  # protected cells are text
        return None
    return float(cell)


def text(cell, metric: str) -> str:
    """The cell in Dutch: 12,5 % for a share, 1.234 for a count, 12 dagen; a protected cell as shown."""
    kind = catalogue.figure(metric).kind
    if kind == catalogue.COUNT:
        return privacy.display_count(cell)
    if kind == catalogue.DAYS:
        value = number(cell)
        if value is None:
            return privacy.display_count(cell)
        return fmt.number(value, 0 if value == int(value) else 1) + " dagen"
    return privacy.display_share(cell)


def count_text(cell) -> str:
    return privacy.display_count(cell)


def change_text(metric: str, delta: float) -> str:
    """A change in Dutch: shares in procentpunt, counts and days with a sign."""
    kind = catalogue.figure(metric).kind
    if kind in (catalogue.COUNT, catalogue.DAYS):
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        unit = " dagen" if kind == catalogue.DAYS else ""
        return f"{sign}{fmt.number(abs(delta), 0 if delta == int(delta) else 1)}{unit}"
    return fmt.points(delta)


@dataclass(frozen=True)
class KeyFigure:
    metric: str
    label: str
    text: str                 # the value in Dutch (or as protected)
    change: str               # "+2,3 procentpunt", NO_PREVIOUS, INCOMPLETE_PREVIOUS, "–"
    direction: int            # sign of the change; 0 when there is none
    target: float | None
    status: str | None        # targets.ON_TRACK / targets.BEHIND / None
    since: dt.date | None     # the quarter `change` compares with; None when it compares nothing

    @property
    def target_text(self) -> str | None:
        return None if self.target is None else fmt.percent(self.target)


class Figures:
    """The export table (possibly protected), indexed by (metric, gebied, peildatum), with
    what the pages show beside it: targets and year-end goals, status, the outlook."""

    def __init__(self, frame: pd.DataFrame, incomplete: frozenset = frozenset(), tag=None, points=NO_POINTS):
        """`incomplete`: quarters with a missing delivery (metrics.provisional_quarters);
        `tag`: what identifies these figures for a cache (e.g. database, data version);
        `points`: the targets table (metric, peildatum, minimum)."""
        self.frame = frame
        self.incomplete = incomplete
        self.tag = tag
        self.points = points
        self._made: dict = {}
        self._rows, self._series = {}, defaultdict(list)
        for r in frame.sort_values("peildatum", kind="stable").itertuples(index=False):
            self._rows[(r.metric, r.gebied, r.peildatum)] = r
            self._series[(r.metric, r.gebied)].append(r)
        self.quarters = sorted(frame.loc[frame["metric"] == "users", "peildatum"].unique())
        self.wij_quarters = sorted(frame.loc[frame["metric"] == "youth_mh_inflow", "peildatum"].unique())

    def row(self, metric: str, gebied: str, peildatum: dt.date):
        return self._rows.get((metric, gebied, peildatum))

    def cell(self, metric: str, gebied: str, peildatum: dt.date, column: str = "value"):
        row = self.row(metric, gebied, peildatum)
        return None if row is None else getattr(row, column)

    def value(self, metric: str, gebied: str, peildatum: dt.date) -> float | None:
        return number(self.cell(metric, gebied, peildatum))

    def target(self, metric: str, gebied: str, peildatum: dt.date) -> float | None:
        return number(self.cell(metric, gebied, peildatum, "target"))

    def text(self, metric: str, gebied: str, peildatum: dt.date) -> str:
        row = self.row(metric, gebied, peildatum)
        return "–" if row is None else text(row.value, metric)

    def series(self, metric: str, gebied: str) -> list:
        """The metric's rows for one area, oldest quarter first."""
        return self._series.get((metric, gebied), [])

    def key(self, metric: str, gebied: str, peildatum: dt.date) -> KeyFigure:
        value = self.value(metric, gebied, peildatum)
        target = self.target(metric, gebied, peildatum)
        before = quarters.previous_end(peildatum)
        old = self.value(metric, gebied, before)
        since = None
        if self.row(metric, gebied, before) is None:
            change, direction = NO_PREVIOUS, 0
        elif before in self.incomplete:
            change, direction = INCOMPLETE_PREVIOUS, 0
        elif value is None or old is None:
            change, direction = "–", 0
        else:
            delta = value - old
            change, direction, since = change_text(metric, delta), (delta > 1e-12) - (delta < -1e-12), before
        return KeyFigure(metric, metric_label(metric), self.text(metric, gebied, peildatum), change, direction,
                         target, targets.status(value, target), since)

    def protected(self, metric: str, gebied: str, peildatum: dt.date) -> bool:
        return privacy.is_protected(self.cell(metric, gebied, peildatum))

    # --- targets and outlook ---

    def target_at(self, metric: str, peildatum: dt.date) -> float | None:
        """The target in force in a quarter, also one without figures (a chart's target line)."""
        return targets.target_for(self.points, metric, peildatum)

    def year_end_goals(self, metric: str) -> list[tuple[dt.date, float]]:
        return targets.year_end_goals(self.points, metric)

    def year_end_goal(self, metric: str, peildatum: dt.date) -> tuple[dt.date, float] | None:
        """The first year-end goal on or after `peildatum`."""
        return next(((day, minimum) for day, minimum in self.year_end_goals(metric) if day >= peildatum), None)

    def goals(self) -> list[str]:
        """The metrics the targets table names, in the catalogue's order."""
        named = set(self.points["metric"])
        return [m for m in catalogue.ids() if m in named]

    def steering(self) -> list[str]:
        """The figures drawn as a line against their target: share_basis, share_mi."""
        return [f.id for f in catalogue.FIGURES if f.chart == catalogue.LINE and f.target]

    def outlook(self, gebied: str) -> dict:
        """metrics.outlook of share_basis in an area, on what these figures show (a protected
        value takes no part)."""
        return self.made(("outlook", gebied), lambda: outlook(numeric(self.frame), gebied, self.points))

    def made(self, key, make):
        """make(), once for these figures: charts and outlooks live as long as the figures."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]


def numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with protected cells as empty numbers: what a calculation such as
    metrics.outlook may see of a protected table."""
    return frame.assign(value=frame["value"].map(number).astype("float64"))


# --- sentences ----------------------------------------------------------------


def status_words(status: str | None) -> str:
    return {targets.ON_TRACK: "op koers", targets.BEHIND: "achter op de streefwaarde"}.get(status, "")


def basis_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    where = "In de stad als geheel" if gebied == CITY else f"In {area_label(gebied)}"
    users = figs.value("users", gebied, peildatum)
    if figs.protected("share_basis", gebied, peildatum) or figs.protected("users", gebied, peildatum):
        return (f"{where} zijn de aantallen op {fmt.date(peildatum)} te klein om het aandeel basisondersteuning "
                "te tonen.")
    if users == 0:
        return f"{where} waren er op {fmt.date(peildatum)} geen gebruikers."
    key = figs.key("share_basis", gebied, peildatum)
    sentence = f"{where} ontving op {fmt.date(peildatum)} {key.text} van de gebruikers alleen basisondersteuning"
    goal = figs.year_end_goal("share_basis", peildatum)
    if goal and goal[0] == peildatum:  # at the year end the quarter's target is the year's goal
        sentence += f"; het doel voor eind {goal[0].year} is {fmt.percent(goal[1], 0)}"
        return sentence + (f", dus {status_words(key.status)}." if key.status else ".")
    if key.status:
        sentence += f"; de streefwaarde voor dit kwartaal is {key.target_text}, dus {status_words(key.status)}"
    if goal:
        sentence += f"; het doel voor eind {goal[0].year} is {fmt.percent(goal[1], 0)}"
    return sentence + "."


def mi_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str | None:
    if figs.value("share_mi", gebied, peildatum) is None:  # empty or protected: nothing to say
        return None
    key = figs.key("share_mi", gebied, peildatum)
    where = "In de stad als geheel" if gebied == CITY else f"In {area_label(gebied)}"
    sentence = (f"{where} liep bij {key.text} van de gebruikers met basisondersteuning minstens één traject "
                "via een maatschappelijk initiatief")
    if key.status:
        sentence += f"; de streefwaarde is {key.target_text}, dus {status_words(key.status)}"
    return sentence + "."


def spread_sentence(figs: Figures, peildatum: dt.date) -> str | None:
    """How far apart the areas lie (privacy.protect hides the spread where it would give
    a hidden share away)."""
    spread = figs.value("spread_basis", CITY, peildatum)
    if spread is None:
        return None
    sentence = ("Tussen het gebied met het hoogste en het laagste aandeel basisondersteuning zit "
                f"{_points(spread)}")
    if (old := figs.value("spread_basis", CITY, quarters.previous_end(peildatum))) is not None:
        sentence += f" (vorig kwartaal {_points(old)})"
    return sentence + "."


def _points(distance: float) -> str:
    """A distance between two shares, without a sign: 8,2 procentpunt."""
    return f"{fmt.number(distance * 100, 1)}{fmt.NBSP}procentpunt"


def progress_sentences(figs: Figures, peildatum: dt.date) -> list[str]:
    """The Voortgang page in words: the city, each area, the initiatives and the spread."""
    sentences = []
    for gebied in (CITY, *AREAS):
        sentences.append(basis_sentence(figs, gebied, peildatum))
        if mi := mi_sentence(figs, gebied, peildatum):
            sentences.append(mi)
    if spread := spread_sentence(figs, peildatum):
        sentences.append(spread)
    return sentences


def outlook_sentence(result: dict) -> str:
    """metrics.outlook in words, always called an indication."""
    if result.get("slope") is None:
        return "Voor een vooruitblik zijn minstens twee kwartalen met een aandeel nodig."
    sentence = (f"Als de lijn van de laatste {len(result['basis'])} kwartalen doorzet, komt het aandeel "
                f"basisondersteuning eind {result['year_end'].year} op ongeveer {fmt.percent(result['projected'])} "
                f"({OUTLOOK_LABEL}).")
    for goal in result["targets"][:2]:
        when = (f"in {fmt.quarter(goal['reached'])} gehaald" if goal["reached"]
                else "in de komende jaren niet gehaald")
        sentence += (f" Het doel van {fmt.percent(goal['minimum'], 0)} voor eind {goal['peildatum'].year} "
                     f"wordt bij die lijn {when}.")
    return sentence
