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
from typing import NamedTuple

import pandas as pd

from . import catalogue, fmt, privacy, quarters, settings, targets
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


def text(cell, metric: str, target=None) -> str:
    """The cell in Dutch: 12,5 % for a share, 1.234 for a count, 12 dagen; a protected cell as shown.
    A share with its target (minimum) gets the decimals that keep it on its side of it (fmt.share_against)."""
    kind = catalogue.figure(metric).kind
    if kind == catalogue.COUNT:
        return privacy.display_count(cell)
    if kind == catalogue.SHIFT:  # users per quarter
        value = number(cell)
        return privacy.display_count(cell) if value is None else fmt.number(value, 1)
    if kind == catalogue.DAYS:
        value = number(cell)
        if value is None:
            return privacy.display_count(cell)
        return fmt.number(value, 0 if value == int(value) else 1) + " dagen"
    value = number(cell)
    if kind in (catalogue.RATE, catalogue.PER_USER):  # per 1.000 inhabitants; euros per user
        if value is None:
            return privacy.display_count(cell)
        return fmt.number(value, 1) if kind == catalogue.RATE else f"€{fmt.NBSP}{fmt.number(value)}"
    return privacy.display_share(cell) if value is None else fmt.share_against(value, number(target))


def count_text(cell) -> str:
    return privacy.display_count(cell)


def change_text(metric: str, delta: float) -> str:
    """A change in Dutch: shares in procentpunt, counts and days with a sign."""
    kind = catalogue.figure(metric).kind
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    if kind in (catalogue.COUNT, catalogue.DAYS):
        unit = " dagen" if kind == catalogue.DAYS else ""
        return f"{sign}{fmt.number(abs(delta), 0 if delta == int(delta) else 1)}{unit}"
    if kind == catalogue.RATE:
        return f"{sign}{fmt.number(abs(delta), 1)}"
    if kind == catalogue.PER_USER:
        return f"{sign}€{fmt.NBSP}{fmt.number(abs(delta))}"
    return fmt.points(delta)


@dataclass(frozen=True)
class KeyFigure:
    metric: str
    label: str
    text: str                 # the value in Dutch (or as protected)
    change: str               # "+2,3 procentpunt", NO_PREVIOUS, INCOMPLETE_PREVIOUS, "–"
    direction: int            # sign of the change; 0 when there is none
    target: float | None
    status: str | None        # one of targets.STATUS_WORDS, or None
    since: dt.date | None     # the quarter `change` compares with; None when it compares nothing
    goal: str | None = None   # the minimum that applies, in words (goal_text)


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
        return "–" if row is None else text(row.value, metric, row.target)

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
                         target, self.status(metric, gebied, peildatum), since,
                         goal_text(goal) if (goal := self.year_end_goal(metric, peildatum)) else None)

    def status(self, metric: str, gebied: str, peildatum: dt.date) -> str | None:
        """The status word of a figure in a quarter (targets.status), judged at the year end on
        the value, before it on the outlook row of the export."""
        ahead = self.outlook(metric, gebied, peildatum)
        return targets.status(self.value(metric, gebied, peildatum), self.target(metric, gebied, peildatum),
                              ahead and ahead[1], self.at_point(metric, peildatum))

    def at_point(self, metric: str, peildatum: dt.date) -> bool:
        """Whether the quarter is its own governing point (the year end the minimum applies to)."""
        point = targets.governing_point(self.points, metric, peildatum)
        return point is not None and point[0] == peildatum

    def protected(self, metric: str, gebied: str, peildatum: dt.date) -> bool:
        return privacy.is_protected(self.cell(metric, gebied, peildatum))

    # --- targets and outlook ---

    def year_end_goals(self, metric: str) -> list[tuple[dt.date, float]]:
        return targets.year_end_goals(self.points, metric)

    def year_end_goal(self, metric: str, peildatum: dt.date) -> tuple[dt.date, float] | None:
        """The governing point of the quarter: the year end whose minimum applies."""
        return targets.governing_point(self.points, metric, peildatum)

    def goals(self) -> list[str]:
        """The metrics the targets table names, in the catalogue's order."""
        named = set(self.points["metric"])
        return [m for m in catalogue.ids() if m in named]

    def steering(self) -> list[str]:
        """The figures drawn as a line against their target: share_basis, share_mi."""
        return [f.id for f in catalogue.FIGURES if f.chart == catalogue.LINE and f.target]

    def outlook(self, metric: str, gebied: str, peildatum: dt.date) -> tuple[dt.date, float] | None:
        """The export's outlook of a figure in a quarter, as (the year end it is read at, level);
        None where there is none (also where it is withheld)."""
        level = self.value(f"{catalogue.OUTLOOK}:{metric}", gebied, peildatum)
        goal = self.year_end_goal(metric, peildatum)
        return None if level is None or goal is None else (goal[0], level)

    def made(self, key, make):
        """make(), once for these figures: charts and outlooks live as long as the figures."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]


# --- sentences ----------------------------------------------------------------


def goal_text(goal: tuple[dt.date, float]) -> str:
    """A year-end minimum in words: 'streefwaarde eind 2027: 15 %'."""
    return f"streefwaarde eind {goal[0].year}: {fmt.minimum(goal[1])}"


def _where(gebied: str) -> str:
    return "In de hele gemeente Groningen" if gebied == CITY else f"In {area_label(gebied)}"


def _with_goal(sentence: str, figs: Figures, key: KeyFigure, gebied: str, peildatum: dt.date) -> str:
    """The sentence with the year's minimum and the status word, where there is one."""
    goal = figs.year_end_goal(key.metric, peildatum)
    if goal:
        sentence += f"; {goal_text(goal)}"
    if key.status:
        sentence += f", status: {key.status}"
    return sentence + "."


def basis_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    where = _where(gebied)
    users = figs.value("users", gebied, peildatum)
    if figs.protected("share_basis", gebied, peildatum) or figs.protected("users", gebied, peildatum):
        return (f"{where} zijn de aantallen op {fmt.date(peildatum)} te klein om het aandeel basisondersteuning "
                "te tonen.")
    if users == 0:
        return f"{where} waren er op {fmt.date(peildatum)} geen gebruikers."
    key = figs.key("share_basis", gebied, peildatum)
    sentence = f"{where} ontving op {fmt.date(peildatum)} {key.text} van de gebruikers alleen basisondersteuning"
    return _with_goal(sentence, figs, key, gebied, peildatum)


def headline_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """The top of the Gebied page in one go: where the area stands on share_basis, whether
    that is enough (the minimum and the status word) and what changed since the quarter before."""
    sentence = basis_sentence(figs, gebied, peildatum)
    key = figs.key("share_basis", gebied, peildatum)
    if key.since is not None:
        delta = figs.value("share_basis", gebied, peildatum) - figs.value("share_basis", gebied, key.since)
        if key.direction == 0:
            return f"{sentence} Dat is evenveel als in {fmt.quarter(key.since)}."
        more = "meer" if key.direction > 0 else "minder"
        return f"{sentence} Dat is {_points(abs(delta))} {more} dan in {fmt.quarter(key.since)}."
    if key.change == INCOMPLETE_PREVIOUS:
        return f"{sentence} Met het vorige kwartaal is niet te vergelijken: daarin ontbrak een levering."
    if key.change == NO_PREVIOUS:
        return f"{sentence} Er is nog geen vorig kwartaal om mee te vergelijken."
    return sentence


def mi_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str | None:
    if figs.value("share_mi", gebied, peildatum) is None:  # empty or protected: nothing to say
        return None
    key = figs.key("share_mi", gebied, peildatum)
    sentence = (f"{_where(gebied)} liep bij {key.text} van de gebruikers met basisondersteuning minstens één "
                "traject via een maatschappelijk initiatief")
    return _with_goal(sentence, figs, key, gebied, peildatum)


def shift_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str | None:
    """shift_basis in words a wethouder can repeat; None without one (no users, withheld)."""
    row = figs.row("shift_basis", gebied, peildatum)
    total, per_quarter = (None, None) if row is None else (number(row.numerator), number(row.value))
    if total is None or per_quarter is None:
        return None
    year = quarters.end(quarters.index(peildatum) + int(row.denominator)).year
    where = "in de hele gemeente Groningen" if gebied == CITY else f"in {area_label(gebied)}"
    minimum = fmt.minimum(row.target)
    if total == 0:
        return (f"{where[0].upper()}{where[1:]} is {minimum} alleen basisondersteuning voor eind {year} al bereikt "
                "(bij een gelijk aantal gebruikers).")
    how_many = (f"per kwartaal ongeveer {fmt.number(per_quarter)} gebruikers" if per_quarter >= 1
                else f"in totaal {fmt.number(total)} {'gebruiker' if total == 1 else 'gebruikers'}")
    return (f"Om eind {year} op {minimum} te komen, moeten er {where} tot dan {how_many} overgaan naar alleen "
            "basisondersteuning (bij een gelijk aantal gebruikers).")


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
        if shift := shift_sentence(figs, gebied, peildatum):
            sentences.append(shift)
        if mi := mi_sentence(figs, gebied, peildatum):
            sentences.append(mi)
    if spread := spread_sentence(figs, peildatum):
        sentences.append(spread)
    return sentences


def outlook_sentence(figs: Figures, metric: str, gebied: str, peildatum: dt.date) -> str | None:
    """The outlook of a quarter in words, always called an indication; None at the year end
    itself (the status then says gehaald or niet gehaald) or without a target."""
    goal = figs.year_end_goal(metric, peildatum)
    if goal is None or figs.at_point(metric, peildatum):
        return None
    ahead = figs.outlook(metric, gebied, peildatum)
    if ahead is None:
        return (f"Voor een vooruitblik naar eind {goal[0].year} zijn minstens twee kwartalen met een waarde "
                "nodig (status: onbekend).")
    return (f"Als de lijn van de laatste kwartalen doorzet, komt het {metric_label(metric).lower()} "
            f"eind {goal[0].year} op ongeveer {fmt.share_against(ahead[1], goal[1])} ({OUTLOOK_LABEL}); "
            f"{goal_text(goal)}, "
            f"status: {figs.status(metric, gebied, peildatum)}.")


# --- the note's other questions: transition, access, choice, context (metrics.md 3-6) ---

OUTCOME_WORDS = {  # outcome -> how the pages name it
    "basis": "basis", "aanvullend": "aanvullend", "lichte_ondersteuning": "lichte ondersteuning door WIJ",
    "maatschappelijk_initiatief": "maatschappelijk initiatief", "anders": "andere hulp", "lopend": "nog lopend",
}
TOELEIDING_METRICS = tuple(f"toeleiding:{outcome}" for outcome in OUTCOME_WORDS)
RATES = ("users_per_1000", "users75_per_1000")  # per 1.000 inhabitants
EUROS = ("lumpsum_per_user",)  # euros per user
HIDDEN_WORDS = "afgeschermd (kleine aantallen)"


def note_label(metric: str) -> str:
    """A figure's name in the tables; each toeleiding outcome by its own name."""
    outcome = metric.partition(":")[2]
    return f"Uitkomst toeleiding: {OUTCOME_WORDS[outcome]}" if metric in TOELEIDING_METRICS else metric_label(metric)


def no_context_sentence(gebied: str, peildatum: dt.date) -> str:
    if gebied == CITY:
        return f"Er zijn nog geen gebiedsgegevens voor {peildatum.year} van alle vier gebieden."
    return f"Er zijn nog geen gebiedsgegevens voor {peildatum.year}."


def _in(gebied: str) -> str:
    return "in de hele gemeente" if gebied == CITY else f"in {area_label(gebied)}"


def _baseline() -> str:
    """The baseline quarter of the transition figures (a setting), 'K4 2026'."""
    return fmt.quarter(settings.baseline())


def _kept_parts(figs: Figures, gebied: str, peildatum: dt.date):
    """(kept row, share kept, share of them at the same uitvoerder) in words; None without a row."""
    row = figs.row("kept", gebied, peildatum)
    if row is None:
        return None
    same = figs.row("kept_same_uitvoerder", gebied, peildatum)
    return row, _share_or_none(row.value), None if same is None else _share_or_none(same.value)


def _share_or_none(cell) -> str | None:
    return None if number(cell) is None else fmt.percent(number(cell))


def transition_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """kept and kept_same_uitvoerder in words."""
    parts = _kept_parts(figs, gebied, peildatum)
    if parts is None:
        return (f"Voor {fmt.quarter(peildatum)} zijn er geen cijfers over de overgang: die vergelijken de kwartalen "
                f"na {_baseline()} met {_baseline()}, en daarvoor moeten er cijfers van {_baseline()} zijn.")
    row, kept, same = parts
    if kept is None:
        if privacy.is_protected(row.value):
            return f"{_where(gebied)} zijn de aantallen te klein om de overgang van bestaande gebruikers te tonen."
        return f"{_where(gebied)} waren er in {_baseline()} geen gebruikers."
    sentence = (f"Van de {count_text(row.denominator)} gebruikers {_in(gebied)} in {_baseline()}, vóór de "
                f"gebiedsondersteuningsnetwerken, hadden er op {fmt.date(peildatum)} {count_text(row.numerator)} "
                f"({kept}) nog ondersteuning")
    return sentence + (f"; {same} van hen bij dezelfde uitvoerder." if same else ".")


def transition_line(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """The transition in one short line (Overzicht)."""
    parts = _kept_parts(figs, gebied, peildatum)
    if parts is None:
        return f"Overgang bestaande gebruikers: geen cijfers voor {fmt.quarter(peildatum)}."
    row, kept, same = parts
    if kept is None:
        hidden = privacy.is_protected(row.value)
        return f"Overgang bestaande gebruikers: {HIDDEN_WORDS if hidden else 'er waren geen bestaande gebruikers'}."
    return (f"Overgang bestaande gebruikers (sinds {_baseline()}): {kept} nog in ondersteuning"
            + (f", {same} van hen bij dezelfde uitvoerder." if same else "."))


def access_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """The toeleiding mix and the open-ended beschikkingen in words."""
    first = figs.row(TOELEIDING_METRICS[0], gebied, peildatum)
    if first is None:
        return f"Er is geen WIJ-extract voor {fmt.quarter(peildatum)}."
    if number(first.denominator) == 0:
        return f"{_where(gebied)} waren er in {fmt.quarter(peildatum)} geen aanmeldingen bij WIJ."
    shown = [f"{fmt.percent(v)} {OUTCOME_WORDS[m.partition(':')[2]]}" for m in TOELEIDING_METRICS
             if (v := figs.value(m, gebied, peildatum)) is not None]
    if not shown:
        return f"{_where(gebied)} zijn de aantallen aanmeldingen bij WIJ te klein om de uitkomsten te tonen."
    sentence = (f"Uitkomst van de {count_text(first.denominator)} aanmeldingen bij WIJ {_in(gebied)} in "
                f"{fmt.quarter(peildatum)}: {', '.join(shown)}")
    if len(shown) < len(TOELEIDING_METRICS):
        sentence += " (de andere uitkomsten zijn afgeschermd)"
    sentence += "."
    onbepaald = figs.row("beschikking_onbepaald", gebied, peildatum)
    if onbepaald is not None and (share := _share_or_none(onbepaald.value)):
        sentence += (f" Van de beschikkingen voor aanvullende ondersteuning (met bekende duur) is {share} voor "
                     "onbepaalde tijd.")
    return sentence


def choice_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """uitvoerders and share_other_uitvoerder in words."""
    count = figs.value("uitvoerders", gebied, peildatum)
    if count is None:
        return f"Voor {fmt.quarter(peildatum)} zijn er geen cijfers over uitvoerders."
    if count == 0:
        return f"{_where(gebied)} waren er op {fmt.date(peildatum)} geen gebruikers en dus geen uitvoerders."
    sentence = (f"{_where(gebied)} werkten op {fmt.date(peildatum)} {fmt.number(count)} "
                f"{'uitvoerder' if count == 1 else 'uitvoerders'}")
    if (other := _share_or_none(figs.cell("share_other_uitvoerder", gebied, peildatum))) is not None:
        sentence += (f"; {other} van de gebruikers had minstens één traject bij een andere uitvoerder dan de "
                     "hoofdaanbieder")
    return sentence + "."


def context_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """users_per_1000, users75_per_1000 and lumpsum_per_user in words."""
    if figs.row("users_per_1000", gebied, peildatum) is None:
        return no_context_sentence(gebied, peildatum)
    words = {"users_per_1000": "{} gebruikers per 1.000 inwoners",
             "users75_per_1000": "{} gebruikers van 75 jaar of ouder per 1.000 inwoners van 75 jaar of ouder",
             "lumpsum_per_user": "een lumpsum van {} per gebruiker per jaar"}
    shown = [phrase.format(text(figs.cell(m, gebied, peildatum), m)) for m, phrase in words.items()
             if figs.value(m, gebied, peildatum) is not None]
    if not shown:
        return f"{_where(gebied)} zijn de aantallen te klein om het gebied in context te tonen."
    listed = shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} en {shown[-1]}"
    return f"{_where(gebied)} waren er op {fmt.date(peildatum)} {listed}."


def lumpsum_line(figs: Figures, gebied: str, peildatum: dt.date) -> str:
    """The lump sum per user in one short line (Overzicht)."""
    row = figs.row("lumpsum_per_user", gebied, peildatum)
    if row is None:
        return f"Lumpsum per gebruiker: nog geen gebiedsgegevens voor {peildatum.year}."
    if number(row.value) is None:
        return f"Lumpsum per gebruiker: {HIDDEN_WORDS if privacy.is_protected(row.value) else 'geen gebruikers'}."
    return f"Lumpsum per gebruiker: {text(row.value, 'lumpsum_per_user')} per jaar ({peildatum.year})."


def side_by_side(figs: Figures, metrics, peildatum: dt.date) -> pd.DataFrame:
    """Figures of one quarter with the city first and the areas beside it, in Dutch (Voortgang)."""
    return pd.DataFrame({"Cijfer": [note_label(m) for m in metrics],
                         **{area_label(g): [text(row.value, m) if (row := figs.row(m, g, peildatum)) is not None
                                            else "–"
                                            for m in metrics] for g in (CITY, *AREAS)}})


def has_metric(figs: Figures, metric: str) -> bool:
    """Whether the figures hold any row of a metric (no area table loaded: no context figures)."""
    return bool((figs.frame["metric"] == metric).any())


def elderly_sentence(figs: Figures, gebied: str, peildatum: dt.date) -> str | None:
    """Says so when the 75+ rate is missing because the area table is not there; else None."""
    return None if figs.row("users75_per_1000", gebied, peildatum) else no_context_sentence(gebied, peildatum)


class CouncilGroup(NamedTuple):
    heading: str
    slug: str  # for file names
    metrics: tuple[str, ...]
    sentence: object = None  # (figs, gebied, peildatum) -> str | None, about the city


COUNCIL_GROUPS = (  # what Voortgang shows beyond the targets, city first and the areas beside it
    CouncilGroup("Instroom jongvolwassenen psychisch kwetsbaar", "jongvolwassenen",
                 ("youth_mh_inflow", "youth_mh_inflow_share")),
    CouncilGroup("Ouderen (75 jaar of ouder)", "ouderen", ("age_group:75+", "users75_per_1000"), elderly_sentence),
    CouncilGroup("Wachttijd van aanmelding bij WIJ tot start", "wachttijd",
                 ("wait_days_median", "wait_days_p80", "wait_open")),
    CouncilGroup("Overgang van bestaande gebruikers", "overgang", ("kept", "kept_same_uitvoerder"),
                 transition_sentence),
    CouncilGroup("Toegang via WIJ", "toegang", (*TOELEIDING_METRICS, "beschikking_onbepaald"), access_sentence),
    CouncilGroup("Keuze", "keuze", ("uitvoerders", "share_other_uitvoerder"), choice_sentence),
)
