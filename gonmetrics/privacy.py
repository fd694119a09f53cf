"""Small-number protection for the council's pages, their tooltips and downloads, and
`export --public`.

The rules, in plain words (threshold T, default 10, setting GONMETRICS_MIN_COUNT):

* A count from 1 to T-1 is shown as "< T". A count of 0 is shown as 0: it says
  nothing about a person, and a rule that hides zeros would hide every empty area.
* A figure computed from a hidden count - a share, a waiting time - is not shown
  (an empty cell; "x" on a page). So a share whose denominator is below T, or whose
  numerator is hidden, is never shown: share x denominator would give the numerator.
* Some counts add up, and a hidden count must not follow from the shown ones:
  the seven age groups make up an area's users; the four areas make up the city
  (taken as an exact sum for safety, although a client in two areas counts once in
  the city); basis-only plus mixed users make up the users with basis support
  (share_mi's denominator); open plus started registrations make up the referred
  ones (wait_open's denominator). Where a sum would give a hidden count away -
  exactly, or to a single value once you know that "< T" means 1 to T-1 and that any
  other hidden count is 0 or at least T - one more count is hidden as "x": the
  smallest non-zero part first, then the total, zeros last. This is repeated, also
  over all the sums of a quarter together (linear algebra), until nothing can be
  worked out. Only exact derivations are closed: bounds on a hidden count found by
  combining several sums can still be narrower than 1 to T-1.
* A share's complement counts people too: 23 of 25 basis-only users says that 2 are
  not. So does any other group within a group of the same area and quarter: users
  with aanvullend only (users minus those with basis support), users outside an age
  group, registrations other than the young adults' or not referred. Where such a
  difference is 1 to T-1 it takes part in the sums as a hidden '< T' that is never
  shown, so one more count is hidden (the part first) and the share is not shown. A
  difference of 0 or at least T may be known and hides nothing.
* When an area's users are hidden, its whole age breakdown is hidden too.
* Figures derived from share_basis follow it: its outlook is not shown where any value
  it is fitted on (the four quarters up to it) is not shown, and the required shift
  (numerator and value) not where share_basis of that area and quarter is not shown:
  with the users, the shift would give the basis users away. The shift's numerator is
  worked out from users and share_basis, so it is not protected as a count of its own;
  its denominator is a number of quarters.
* Every cell that holds a hidden number shows the same mark: `users` of an area is
  also the denominator of its age groups, share_basis and share_mixed; the users of the
  baseline quarter are also the denominator of `kept` in every later quarter.
* Organisations (`uitvoerders`), inhabitants and lump sums are no counts of people: never
  withheld. A rate per 1.000 inhabitants and the lump sum per user follow the users.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import catalogue, fmt, quarters, settings
from .metrics import OUTLOOK_QUARTERS
from .vocab import AREAS, CITY

SECONDARY = "x"  # a count hidden so that a small count cannot be worked out
HIDDEN = ""  # a share or waiting time that is not shown
_PRIMARY = re.compile(r"< \d+")
_TOLERANCE = 1e-9

Key = tuple  # (metric, column, gebied, peildatum): one number of the export
Spans = list  # a set of whole numbers as sorted, disjoint [(low, high), ...]; high may be inf

# The relations below come from the catalogue (catalogue.MEASURES and FIGURES), read when
# protect runs. A count of people is known by the first (metric, column) of the catalogue
# that shows it: users of an area is ("users", "numerator") wherever it appears.


def _cells_of_measures() -> dict:
    """(metric, column) -> the measure of people that cell shows (a count's value is its numerator)."""
    shown = {}
    for f in catalogue.FIGURES:
        columns = (("numerator", f.numerator), ("denominator", f.denominator))
        if f.kind == catalogue.COUNT:
            columns += (("value", f.numerator),)
        for column, name in columns:
            if name is not None and catalogue.measure(name).people:
                shown[(f.id, column)] = name
    return shown


def _first_cells() -> dict:
    """measure -> the first cell of the catalogue that shows it."""
    first = {}
    for cell, name in _cells_of_measures().items():
        first.setdefault(name, cell)
    return first


def _same_number() -> dict:
    """Cells that hold the same number as another cell: (metric, column) -> that cell."""
    first = _first_cells()
    return {cell: first[name] for cell, name in _cells_of_measures().items() if first[name] != cell}


def _breakdowns() -> tuple:
    """Within one area (or the city) and quarter: (total, parts, hide all parts whenever the
    total is hidden), for every measure made of parts."""
    first = _first_cells()
    return tuple((first[m.name], tuple(first[part] for part in parts), m.hide_parts and parts == m.parts)
                 for m in catalogue.MEASURES if m.name in first for parts in m.breakdowns
                 if all(part in first for part in parts))


def _nested() -> tuple:
    """Within one area (or the city) and quarter: (whole, part), a group of people and a
    group within it. whole - part counts people too (for a share: its complement) but is no
    cell of the export; where it is a cell already (wait_open's started ones, with_basis
    minus basis or mixed), the breakdowns hold it too."""
    first = _first_cells()
    wholes = [m.name for m in catalogue.MEASURES if any(m.name in other.within for other in catalogue.MEASURES)]
    return tuple((first[whole], first[part.name]) for whole in wholes for part in catalogue.MEASURES
                 if whole in part.within and whole in first and part.name in first)


class Relation(NamedTuple):
    """total = sum(parts), one quarter."""

    total: Key
    parts: tuple
    hide_with_total: bool = False

    @property
    def cells(self) -> tuple:
        return (self.total, *self.parts)


# --- texts -------------------------------------------------------------------------


def primary_mark(threshold: int) -> str:
    """How a count from 1 to threshold-1 is shown: '< 10'."""
    return f"< {threshold}"


def explanation_nl(threshold: int | None = None) -> str:
    """The rules in Dutch, for council members (Definities page, reports)."""
    t = settings.min_count() if threshold is None else settings.checked_min_count(threshold)
    return (
        "Niemand mag uit de cijfers een persoon kunnen herkennen. Daarom beschermt de monitor kleine aantallen "
        "op de pagina's voor de raad, in de tooltips, in de downloads en in de export voor publicatie. "
        f"Een aantal dat groter is dan 0 maar kleiner dan {t}, staat er als ‘< {t}’. Een 0 wordt wel getoond: "
        "die zegt niets over een persoon. Een aandeel of een wachttijd die uit zo'n klein of verborgen aantal is "
        "berekend, wordt niet getoond. Sommige aantallen tellen bij elkaar op: de vier gebieden samen vormen de "
        "stad en de leeftijdsgroepen samen alle gebruikers van een gebied. Zou je een verborgen aantal kunnen "
        "uitrekenen door getoonde cijfers van elkaar af te trekken, dan wordt ook een ander aantal verborgen, zo "
        "klein als mogelijk. Dat staat er als ‘x’, net als een aandeel dat niet getoond wordt (in een download is "
        "dat vak leeg). Ook het verschil tussen twee aantallen telt mensen (‘23 van de 25 gebruikers alleen "
        "basisondersteuning’ verraadt dat 2 gebruikers ook of alleen aanvullende ondersteuning hebben): is dat "
        f"verschil groter dan 0 maar kleiner dan {t}, dan wordt ook een aantal verborgen en het aandeel niet getoond. "
        "Is het aantal gebruikers van een gebied verborgen, dan ook de hele leeftijdsopbouw van "
        "dat gebied. Het aantal uitvoerders (organisaties), de inwoners en de lumpsum zijn geen aantallen "
        "personen en worden altijd getoond."
    )


def __getattr__(name: str):
    # EXPLANATION_NL follows the threshold in force when it is read.
    if name == "EXPLANATION_NL":
        return explanation_nl()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- cells for pages ----------------------------------------------------------------


def is_protected(cell) -> bool:
    """Whether a cell of a protected frame is withheld: '< 10', 'x' or an empty (hidden) figure."""
    return isinstance(cell, str) and (cell in (SECONDARY, HIDDEN) or _PRIMARY.fullmatch(cell) is not None)


def display_count(cell) -> str:
    """A count in Dutch (1.234), or its mark ('< 10', 'x'); '–' when there is none."""
    return (cell or SECONDARY) if is_protected(cell) else fmt.number(cell)


def display_share(cell) -> str:
    """A share in Dutch (12,5 %), or 'x' when it is not shown; '–' when there is none."""
    return (cell or SECONDARY) if is_protected(cell) else fmt.percent(cell)


# --- protect ------------------------------------------------------------------------


def protect(frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """The export frame (metrics.export_frame) with small numbers protected.

    Same columns, rows, order and index; numerator, denominator and value become object
    columns in which a withheld cell is '< T' (a count from 1 to T-1), 'x' (hidden so
    that no small count can be worked out) or '' (a share or waiting time not shown).
    Sums whose cells are not all in the frame are not checked: protect the whole table.
    """
    t = settings.min_count() if threshold is None else settings.checked_min_count(threshold)
    cells = _count_cells(frame)
    counts = dict(zip(cells["key"], cells["count"]))
    primary = set(cells.loc[(cells["count"] > 0) & (cells["count"] < t), "key"])
    complements = _small_complements(counts, t)  # hidden from the start, never shown
    every = {**counts, **complements}
    links = _baseline_links(counts)
    hidden, forced = set(primary), set()
    while True:  # a number shown in two quarters is hidden in both or in neither
        for day, relations in _relations(counts).items():
            quarter = relations + _complement_relations(complements, day)
            hidden |= _hide_quarter(quarter, every, primary | set(complements) | forced, t)
        more = {b for a, b in links if a in hidden and b not in hidden}
        if not more:
            break
        forced |= more
    marks = cells["key"].map(lambda key: primary_mark(t) if key in primary else SECONDARY if key in hidden else None)
    return _with_hidden_values(_with_marks(frame, cells.assign(mark=marks).dropna(subset=["mark"])))


def _count_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per count in the frame: row position, column, the number it shows (key), count."""
    base = frame[["metric", "gebied", "peildatum"]].reset_index(drop=True).assign(row=range(len(frame)))
    is_count = frame["metric"].isin(catalogue.ids_of(catalogue.COUNT)).to_numpy()
    counts_people = ~frame["metric"].isin(catalogue.ids_of(catalogue.SHIFT)).to_numpy()  # see the module text
    cells = pd.concat(
        [
            base[counts_people].assign(column="numerator", count=_floats(frame["numerator"])[counts_people]),
            base[counts_people].assign(column="denominator", count=_floats(frame["denominator"])[counts_people]),
            base[is_count].assign(column="value", count=_floats(frame["value"])[is_count]),
        ],
        ignore_index=True,
    ).dropna(subset=["count"])
    people = _cells_of_measures()  # organisations, inhabitants and euros are no counts of people
    cells = cells[[pair in people for pair in zip(cells["metric"], cells["column"])]]
    cells["count"] = cells["count"].astype("int64")
    same_number = _same_number()
    same = [same_number.get(pair, pair) for pair in zip(cells["metric"], cells["column"])]
    cells["key"] = [(*pair, gebied, day) for pair, gebied, day in zip(same, cells["gebied"], cells["peildatum"])]
    return cells


def _floats(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column).to_numpy(dtype="float64", na_value=np.nan)


def _small_complements(counts: dict, t: int) -> dict:
    """whole - part of each nested pair in the frame where it is 1 to t-1: a count that is
    never shown and must stay hidden like a '< t'. Key: ((whole, part), 'complement', gebied, day).

    A difference of 0 or at least t may be known, so it takes no part: taken as a hidden
    cell, a shown whole and part would give it away and one of them would be hidden for nothing."""
    result, nested = {}, _nested()
    for place in sorted({key[2:] for key in counts}):  # sorted: the same choices in every run
        for whole, part in nested:
            if (*whole, *place) in counts and (*part, *place) in counts:
                difference = counts[(*whole, *place)] - counts[(*part, *place)]
                if 0 < difference < t:
                    result[((whole, part), "complement", *place)] = difference
    return result


def _baseline_links(counts: dict) -> set:
    """Pairs (a, b) of cells in the frame that hold the same number in different quarters: a
    measure `at_baseline` (the transition's users of the baseline quarter, in each later
    quarter) and that measure in the baseline quarter; both ways round."""
    first, baseline, links = _first_cells(), settings.baseline(), set()
    for m in catalogue.MEASURES:
        if m.at_baseline and m.name in first and m.at_baseline in first:
            for metric, column, gebied, day in counts:
                if (metric, column) == first[m.name] and (*first[m.at_baseline], gebied, baseline) in counts:
                    pair = ((metric, column, gebied, day), (*first[m.at_baseline], gebied, baseline))
                    links |= {pair, pair[::-1]}
    return links


def _complement_relations(complements: dict, day) -> list:
    """whole = part + complement, for each small complement of the quarter."""
    relations = []
    for key in complements:
        (whole, part), _, gebied, quarter = key
        if quarter == day:
            relations.append(Relation((*whole, gebied, day), ((*part, gebied, day), key)))
    return relations


def _relations(counts: dict) -> dict:
    """peildatum -> every sum of that quarter whose cells are all in the frame."""
    by_quarter: dict = {}
    for metric, column, _, day in counts:
        by_quarter.setdefault(day, {})[(metric, column)] = None
    result, breakdowns = {}, _breakdowns()
    for day, numbers in by_quarter.items():
        within = [
            Relation((*total, gebied, day), tuple((*part, gebied, day) for part in parts), whole)
            for gebied in (*AREAS, CITY)
            for total, parts, whole in breakdowns
        ]
        across = [Relation((*number, CITY, day), tuple((*number, area, day) for area in AREAS)) for number in numbers]
        result[day] = [r for r in within + across if all(cell in counts for cell in r.cells)]
    return result


def _hide_quarter(relations: list, counts: dict, primary: set, t: int) -> set:
    """The hidden numbers of one quarter: the primary ones, the age breakdowns of hidden
    users, and one more at a time until no hidden number can be worked out."""
    hidden = set(primary)
    while True:
        for relation in relations:
            if relation.hide_with_total and relation.total in hidden:
                hidden.update(relation.parts)
        extra = _next_for_sums(relations, counts, hidden, t) or _next_for_system(relations, counts, hidden)
        if extra is None:
            return hidden
        hidden.add(extra)


def _next_for_sums(relations: list, counts: dict, hidden: set, t: int) -> Key | None:
    """A number to hide because some single sum gives a hidden number away; None if none does."""
    for relation in relations:
        if _gives_away(relation, counts, hidden, t):
            shown = [cell for cell in relation.cells if cell not in hidden]
            if shown:
                return min(shown, key=lambda cell: (counts[cell] == 0, cell == relation.total, counts[cell]))
    return None


def _gives_away(relation: Relation, counts: dict, hidden: set, t: int) -> bool:
    """Whether the sum narrows a hidden cell down to one value (or none: then the sum is
    not exact, and the attacker's value is still close), beyond what its mark says."""
    signed = [(cell, -1 if cell == relation.total else 1) for cell in relation.cells]
    unknown = [(cell, sign) for cell, sign in signed if cell in hidden]
    known = sum(sign * counts[cell] for cell, sign in signed if cell not in hidden)
    domains = [_domain(counts[cell], t) for cell, _ in unknown]
    for j, (_, sign) in enumerate(unknown):
        others = [(known, known)]
        for i, (_, other_sign) in enumerate(unknown):
            if i != j:
                others = _plus(others, _signed(domains[i], other_sign))
        feasible = _meet(domains[j], _signed(others, -sign))  # sign * value + others = 0
        if _size(feasible) < min(2, _size(domains[j])):
            return True
    return False


def _domain(count: int, t: int) -> Spans:
    """What a hidden cell's mark says: '< t' is 1 to t-1; 'x' is 0 or at least t."""
    return [(1, t - 1)] if 0 < count < t else [(0, 0), (t, math.inf)]


def _signed(spans: Spans, sign: int) -> Spans:
    return spans if sign > 0 else [(-high, -low) for low, high in reversed(spans)]


def _plus(a: Spans, b: Spans) -> Spans:
    return _merged([(a_low + b_low, a_high + b_high) for a_low, a_high in a for b_low, b_high in b])


def _meet(a: Spans, b: Spans) -> Spans:
    pairs = ((max(a_low, b_low), min(a_high, b_high)) for a_low, a_high in a for b_low, b_high in b)
    return _merged([(low, high) for low, high in pairs if low <= high])


def _merged(spans: Spans) -> Spans:
    result: Spans = []
    for low, high in sorted(spans):
        if result and low <= result[-1][1] + 1:
            result[-1] = (result[-1][0], max(result[-1][1], high))
        else:
            result.append((low, high))
    return result


def _size(spans: Spans) -> float:
    return sum(high - low + 1 for low, high in spans)


def _next_for_system(relations: list, counts: dict, hidden: set) -> Key | None:
    """A number to hide because all sums of the quarter together fix a hidden number
    (e.g. a chain of sums each with two hidden cells); None if none is fixed."""
    cells = list(dict.fromkeys(cell for relation in relations for cell in relation.cells))
    unknown = [i for i, cell in enumerate(cells) if cell in hidden]
    if not relations or not unknown:
        return None
    column = {cell: k for k, cell in enumerate(cells)}
    matrix = np.zeros((len(relations), len(cells)))
    for r, relation in enumerate(relations):
        matrix[r, [column[part] for part in relation.parts]] = 1
        matrix[r, column[relation.total]] = -1
    system = matrix[:, unknown]
    _, singular, vt = np.linalg.svd(system)
    free = vt[int((singular > _TOLERANCE).sum()):]  # rows span the hidden values' freedom
    for j in range(len(unknown)):
        if np.abs(free[:, j]).max(initial=0) < _TOLERANCE:  # hidden cell j is fixed
            weights = np.linalg.lstsq(system.T, np.eye(len(unknown))[j], rcond=None)[0]
            used = weights @ matrix  # the combination of sums that fixes it, over all cells
            shown = [cell for k, cell in enumerate(cells) if cell not in hidden and abs(used[k]) > _TOLERANCE]
            if shown:
                return min(shown, key=lambda cell: (counts[cell] == 0, counts[cell]))
    return None


def _with_marks(frame: pd.DataFrame, marked: pd.DataFrame) -> pd.DataFrame:
    """The frame with each marked count cell replaced by its mark (object columns)."""
    out = frame.copy()
    for column in ("numerator", "denominator", "value"):
        values = out[column].astype(object).to_numpy().copy()
        rows = marked[marked["column"] == column]
        values[rows["row"].to_numpy()] = rows["mark"].to_numpy()
        out[column] = pd.Series(values, index=out.index, dtype=object)
    return out


def _with_hidden_values(out: pd.DataFrame) -> pd.DataFrame:
    """Hide every share or waiting time whose numerator or denominator is withheld, and
    the spread of share_basis over the areas in a quarter where one of them is hidden."""
    withheld = out["numerator"].map(is_protected) | out["denominator"].map(is_protected)
    derived = withheld & ~out["metric"].isin(catalogue.ids_of(catalogue.COUNT))
    out.loc[derived, "value"] = HIDDEN
    for spread in catalogue.FIGURES:
        if spread.kind == catalogue.SPREAD:
            areas = (out["metric"] == spread.of) & (out["gebied"] != CITY)
            days = set(out.loc[areas & derived, "peildatum"])
            out.loc[(out["metric"] == spread.id) & out["peildatum"].isin(days), "value"] = HIDDEN
    hidden = set(zip(out.loc[derived, "metric"], out.loc[derived, "gebied"], out.loc[derived, "peildatum"]))
    for f in catalogue.outlooks():
        fitted_on_hidden = [
            any((f.of, gebied, quarters.end(quarters.index(day) - back)) in hidden for back in range(OUTLOOK_QUARTERS))
            for gebied, day in zip(out["gebied"], out["peildatum"])]
        out.loc[(out["metric"] == f.id).to_numpy() & np.array(fitted_on_hidden, dtype=bool), "value"] = HIDDEN
    for f in catalogue.shifts():
        from_hidden = [(f.of, gebied, day) in hidden for gebied, day in zip(out["gebied"], out["peildatum"])]
        rows = (out["metric"] == f.id).to_numpy() & np.array(from_hidden, dtype=bool)
        out.loc[rows, "numerator"] = SECONDARY
        out.loc[rows, "value"] = HIDDEN
    return out
