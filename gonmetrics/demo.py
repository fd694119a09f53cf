"""A synthetic city, written as real delivery files: the demo data and the benchmark's load.

Everything here is invented: the providers, the initiatives other than the four the
contract names, the clients and their pseudonyms. The model, in short:

- A client in care has one *episode* (weeks to years). The clients in care when the first
  quarter starts form the stock; new episodes arrive at a constant rate that keeps the
  number of users about level. Ages (and with them the doelgroep) drift over the years
  towards more young adults and more people aged 75+.
- An episode has a main product and sometimes a second one (a few of those in another
  area). Each product runs as a chain of consecutive trajectories, one per indication
  period; at every new period the support becomes `basis` once the area's policy ramp
  has passed the client's own threshold, so basisondersteuning grows at the area's pace.
- Every new episode starts 10–90 days after a WIJ registration; other registrations end
  in light support, an initiative, other help, or are still open.
- Most trajectories are carried out by the hoofdaanbieder itself, a share per area by a
  local subcontractor; a client can change uitvoerder when a new indication period starts.
- The contract changes on 1 January 2027: some episodes end with the old contract, and
  more clients change uitvoerder in its first quarter. WIJ gives ever more open-ended
  beschikkingen from then on.
- `area_table` gives the inhabitants and the lump sum per area and year (not yet delivered).

Everything is drawn in whole arrays (one loop per quarter and provider, or per period of a
chain, at most), so the same code makes a national-scale load for the benchmark. Same seed,
same bytes.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import datetime as dt
import io
import itertools
import os
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter

from . import quarters
from .vocab import AREA_TABLE_COLUMNS, AREAS, KIND_AREA, KIND_PROVIDER, KIND_WIJ, PROVIDER_COLUMNS, WIJ_COLUMNS

# --- the scenario ------------------------------------------------------------------

AREA_CODES = tuple(AREAS)  # centrum, west, oost, zuid: the index of an area everywhere below
AREA_WEIGHTS = np.array([1400, 1500, 1700, 1400]) / 6000
STADSBRUG, WESTKWARTIER, ZUIDOOST = "Stichting De Stadsbrug", "Coöperatie Westkwartier", "Zorggroep Ommeland Zuidoost"
PROVIDERS = {STADSBRUG: ("centrum",), WESTKWARTIER: ("west",), ZUIDOOST: ("oost", "zuid")}  # -> areas served
PROVIDER_NAMES = tuple(PROVIDERS)
PROVIDER_OF_AREA = np.array(
    [next(i for i, areas in enumerate(PROVIDERS.values()) if code in areas) for code in AREA_CODES]
)
# Per area, small local organisations to which the hoofdaanbieder subcontracts (as many in
# every area), and the share of clients they carry, differing per area.
SUBCONTRACTORS = {
    "centrum": ("Stichting De Kopermolen", "Atelier De Drie Trappen", "Thuisbegeleiding Binnenstad BV"),
    "west": ("Buurtwerk Selwerd", "Werkplaats Westerhaven", "Stichting Rugwind"),
    "oost": ("Boerderij De Kluft", "Stichting Dorpskracht Ten Boer", "Werkplaats Lewenborg"),
    "zuid": ("Stichting Helpman Dichtbij", "Dagbesteding De Hondsrug", "Begeleiding Op Maat Haren"),
}
SUB_SHARE = np.array([0.20, 0.25, 0.15, 0.18])  # per area
# The hoofdaanbieder written out, as some systems do: its exact name or another case/spacing.
OWN_NAMES = {
    STADSBRUG: ("Stichting De Stadsbrug", "STICHTING DE STADSBRUG"),
    WESTKWARTIER: ("Coöperatie Westkwartier", "coöperatie westkwartier"),
    ZUIDOOST: ("Zorggroep Ommeland Zuidoost", "Zorggroep  Ommeland  Zuidoost"),
}
UITVOERDERS = tuple(name for names in (*OWN_NAMES.values(), *SUBCONTRACTORS.values()) for name in names)
OWN_INDEX = np.array([[UITVOERDERS.index(name) for name in OWN_NAMES[p]] for p in PROVIDER_NAMES])
SUB_INDEX = np.array([[UITVOERDERS.index(name) for name in SUBCONTRACTORS[a]] for a in AREA_CODES])
OWN_NAMED_RATE = 0.08  # of the trajectories the hoofdaanbieder carries out itself: name not left empty
# A client changes uitvoerder only when a new indication period starts: from the hoofdaanbieder
# to a subcontractor at a rate that keeps the area's share level, from a subcontractor (back to
# the hoofdaanbieder half the time) at SUB_LEAVE_RATE, and more often with the new contract.
SUB_LEAVE_RATE = 0.25
NEW_CONTRACT = (dt.date(2027, 1, 1), dt.date(2027, 3, 31))  # periods starting here: the contract change
NEW_CONTRACT_CHANGE = 2.5  # times the usual rate of changing uitvoerder
NEW_CONTRACT_STOP = 0.05  # of the episodes running at the end of 2026: ended with the old contract
INITIATIVES = (
    "Wiershoeck", "Kringloop Plus", "Odensehuis", "Hamelhuys",
    "Buurtkamer De Zeskant", "Tuinderij Zonnewende", "Ontmoetingscafé Één",
)
INITIATIVE_WEIGHTS = np.array([0.22, 0.2, 0.14, 0.16, 0.1, 0.1, 0.08])
INITIATIVE_RATE = np.array([0.22, 0.26, 0.2, 0.19])  # per area: share of clients whose basis runs through one

# Per area, the policy ramp: the share of clients whose indication period starting on a date
# is `basis` (linear between the points). West runs ahead all along, oost stalls from the end
# of 2027 on, centrum and zuid in between.
BASIS_RAMPS = {
    "centrum": ((dt.date(2025, 1, 1), 0.05), (dt.date(2026, 4, 1), 0.07), (dt.date(2028, 12, 31), 0.50)),
    "west": ((dt.date(2025, 1, 1), 0.06), (dt.date(2025, 10, 1), 0.09), (dt.date(2028, 12, 31), 0.66)),
    "oost": ((dt.date(2025, 1, 1), 0.04), (dt.date(2026, 1, 1), 0.06),
             (dt.date(2027, 9, 30), 0.27), (dt.date(2028, 12, 31), 0.27)),
    "zuid": ((dt.date(2025, 1, 1), 0.04), (dt.date(2026, 7, 1), 0.05), (dt.date(2028, 12, 31), 0.44)),
}

PRODUCTS = ("begeleiding", "dagbesteding", "kortdurend_verblijf")
PRODUCT_WEIGHTS = np.array([0.66, 0.27, 0.07])
SECOND_PRODUCT = np.array([1, 0, 0])  # begeleiding -> dagbesteding, the others -> begeleiding
SECOND_PRODUCT_RATE = 0.3
OTHER_AREA_RATE = 0.04  # of second products: given in another area
SAME_THRESHOLD_RATE = 0.75  # of second products: same basis threshold as the main product
KINDS = ("basis", "aanvullend")
DOELGROEPEN = ("psychisch", "verstandelijk", "lichamelijk", "ouderen", "overig")

# Episode length: a short and a long kind (days: a minimum plus an exponential tail).
MIN_DAYS = 30
SHORT_MEAN, LONG_MEAN, LONG_SHARE = 150, 1500, 0.5
MEAN_DAYS = MIN_DAYS + LONG_SHARE * LONG_MEAN + (1 - LONG_SHARE) * SHORT_MEAN
PERIOD_DAYS = (270, 900)  # one indication period (one trajectory row)
SECOND_START_DAYS = 120  # a second product starts up to this long after the main one
WAIT_DAYS = (10, 90)  # from WIJ registration to the start of support

# Age bands at the start of care, and doelgroep per band.
AGE_BANDS = ((18, 26), (27, 34), (35, 49), (50, 64), (65, 74), (75, 94))
AGE_MIX_START = np.array([0.07, 0.14, 0.27, 0.29, 0.13, 0.10])
AGE_MIX_END = np.array([0.20, 0.13, 0.21, 0.20, 0.11, 0.15])
TREND = (dt.date(2025, 1, 1), dt.date(2028, 12, 31))  # the age mix moves from start to end
DOELGROEP_BY_BAND = np.array([
    [0.60, 0.25, 0.07, 0.00, 0.08],
    [0.50, 0.25, 0.12, 0.00, 0.13],
    [0.48, 0.20, 0.17, 0.00, 0.15],
    [0.40, 0.15, 0.25, 0.05, 0.15],
    [0.15, 0.07, 0.20, 0.50, 0.08],
    [0.07, 0.03, 0.15, 0.70, 0.05],
])

# WIJ: outcomes (toeleiding); registrations that lead to no trajectory, per new episode.
TOELEIDING = ("basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders", "lopend")
BASIS, AANVULLEND, LOPEND = TOELEIDING.index("basis"), TOELEIDING.index("aanvullend"), TOELEIDING.index("lopend")
OTHER_REGISTRATIONS = 0.2
OTHER_OUTCOME_WEIGHTS = np.array([0.08, 0.06, 0.38, 0.22, 0.26, 0.0])  # `basis`/`aanvullend`: never followed
OPEN_DAYS, OPEN_RATE = 21, 0.5  # registered in the quarter's last weeks: often still `lopend`
BESCHIKKING_DUUR = ("bepaald", "onbepaald")
# Share `onbepaald` of the beschikkingen with an aanmelddatum on a date (linear between the
# points): WIJ gives longer, open-ended beschikkingen from the new contract on.
ONBEPAALD_RAMP = ((dt.date(2025, 1, 1), 0.08), (dt.date(2026, 12, 31), 0.12), (dt.date(2028, 12, 31), 0.55))
DUUR_EMPTY_RATE = 0.1  # of the `aanvullend` registrations: beschikking_duur not filled in

REDELIVERY = (WESTKWARTIER, dt.date(2027, 6, 30))  # first file incomplete, then corrected
REDELIVERY_DROP, REDELIVERY_OPEN_END = 0.04, 0.35
MISSING = (STADSBRUG, dt.date(2028, 6, 30))  # never delivered; not the latest quarter, whose change a first look shows

# The area table: inhabitants and inhabitants 75+ per area in 2025 (about 244,000 and 15,000
# in all), growing slowly, the 75+ faster; the city's lump sum divided over the areas by need:
# half by their share of the users, half by their share of the inhabitants 75+.
POPULATION_2025 = {
    "centrum": (70_500, 2_900), "west": (61_000, 3_700), "oost": (60_000, 4_000), "zuid": (52_500, 4_400),
}
GROWTH, GROWTH_75PLUS = 0.006, 0.035  # per year
LUMPSUM_EURO = 17_300_000  # per year
LUMPSUM_BY_USERS = 0.5

EPOCH = dt.date(1970, 1, 1)
XLSX_CREATED = dt.datetime(2026, 11, 1, 9, 0, 0)  # fixed, so a workbook's bytes depend on its data only


@dataclass(frozen=True)
class Delivery:
    """One delivery: its table holds the contract's columns with canonical values."""

    kind: str  # vocab.KIND_PROVIDER, KIND_WIJ or KIND_AREA
    aanbieder: str | None
    peildatum: dt.date
    table: pa.Table
    redelivery: bool = False


# --- generation ------------------------------------------------------------------------


def generate(
    n_users: int = 6000,
    first: dt.date = dt.date(2025, 3, 31),
    last: dt.date = dt.date(2028, 12, 31),
    seed: int = 2027,
) -> list[Delivery]:
    """Every delivery of the quarters `first`..`last` (quarter ends), in loading order."""
    for day in (first, last):
        if not quarters.is_end(day):
            raise ValueError(f"{day} is not the last day of a quarter")
    days = quarters.ends(first, last)
    rng = np.random.Generator(np.random.PCG64(seed))
    day0, day_end = _day(quarters.start(days[0])), _day(days[-1])
    episodes = _episodes(rng, n_users, day0, day_end)
    trajectories = _trajectories(rng, episodes, day0, day_end)
    registrations = _registrations(rng, episodes, day0, day_end)
    client_ids = _pseudonyms(rng, len(registrations["client"]) + len(episodes["area"]))
    areas = Delivery(KIND_AREA, None, last, area_table(first.year, last.year))
    return [*_deliveries(rng, days, trajectories, registrations, episodes, client_ids), areas]


def _day(day: dt.date) -> int:
    return (day - EPOCH).days


def _years(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _episodes(rng: np.random.Generator, n_users: int, day0: int, day_end: int) -> dict[str, np.ndarray]:
    """The stock in care on `day0` followed by the new episodes up to a wait after `day_end`."""
    n_new = rng.poisson(n_users / MEAN_DAYS * (day_end + WAIT_DAYS[1] - day0))
    # The stock is length-biased: a long episode is more likely to be running on day0.
    long_in_stock = LONG_SHARE * (MIN_DAYS + LONG_MEAN) / MEAN_DAYS
    mean = np.where(rng.random(n_users) < long_in_stock, MIN_DAYS + LONG_MEAN, MIN_DAYS + SHORT_MEAN)
    stock_start = day0 - rng.exponential(mean).astype(np.int64)
    stock_end = day0 + rng.exponential(mean).astype(np.int64)
    new_start = np.sort(rng.integers(day0, day_end + WAIT_DAYS[1] + 1, n_new))
    new_mean = np.where(rng.random(n_new) < LONG_SHARE, LONG_MEAN, SHORT_MEAN)
    new_end = new_start + MIN_DAYS + rng.exponential(new_mean).astype(np.int64)
    n = n_users + n_new
    start = np.concatenate([stock_start, new_start])
    end = np.concatenate([stock_end, new_end])
    old_contract = _day(NEW_CONTRACT[0]) - 1  # its last day
    if day0 <= old_contract:
        stops = (start <= old_contract) & (end > old_contract) & (rng.random(n) < NEW_CONTRACT_STOP)
        end = np.where(stops, old_contract, end)
    reference = np.concatenate([np.full(n_users, day0), new_start])  # the day the age is drawn for
    area = rng.choice(len(AREA_CODES), size=n, p=AREA_WEIGHTS).astype(np.int8)
    birth_year, doelgroep = _people(rng, reference)
    initiative = np.where(
        rng.random(n) < INITIATIVE_RATE[area],
        rng.choice(len(INITIATIVES), size=n, p=INITIATIVE_WEIGHTS),
        -1,
    ).astype(np.int8)
    return {
        "area": area, "start": start, "end": end,
        "new": np.arange(n) >= n_users, "birth_year": birth_year, "doelgroep": doelgroep,
        "threshold": rng.random(n), "initiative": initiative,
    }


def _people(rng: np.random.Generator, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Birth year and doelgroep of people who come into view on `days` (the age mix drifts)."""
    drift = np.clip((days - _day(TREND[0])) / (_day(TREND[1]) - _day(TREND[0])), 0, 1)
    late = rng.random(len(days)) < drift
    band = np.where(
        late,
        rng.choice(len(AGE_BANDS), size=len(days), p=AGE_MIX_END),
        rng.choice(len(AGE_BANDS), size=len(days), p=AGE_MIX_START),
    )
    low, high = np.array(AGE_BANDS).T
    age = low[band] + (rng.random(len(days)) * (high[band] - low[band] + 1)).astype(np.int64)
    doelgroep = np.empty(len(days), dtype=np.int8)
    for index, mix in enumerate(DOELGROEP_BY_BAND):
        members = band == index
        doelgroep[members] = rng.choice(len(DOELGROEPEN), size=members.sum(), p=mix)
    return (_years(days) - age).astype(np.int16), doelgroep


def _trajectories(rng: np.random.Generator, ep: dict, day0: int, day_end: int) -> dict[str, np.ndarray]:
    """One row per indication period of every product of every episode."""
    chains = _chains(rng, ep, day0)
    chain, start, end = _periods(rng, chains["start"], np.minimum(chains["end"], day_end + 1))
    area = chains["area"][chain]
    basis = chains["threshold"][chain] < _basis_ramp(area, start)
    episode = chains["episode"][chain]
    provider = PROVIDER_OF_AREA[area]
    return {
        "episode": episode, "area": area, "provider": provider,
        "product": chains["product"][chain], "basis": basis, "start": start, "end": end,
        "initiative": np.where(basis, ep["initiative"][episode], -1).astype(np.int8),
        "uitvoerder": _uitvoerder(rng, chain, area, provider, start),
    }


def _chains(rng: np.random.Generator, ep: dict, day0: int) -> dict[str, np.ndarray]:
    """The main product of every episode, then the second products: one chain each."""
    n = len(ep["area"])
    main_product = rng.choice(len(PRODUCTS), size=n, p=PRODUCT_WEIGHTS).astype(np.int8)
    second = np.flatnonzero(rng.random(n) < SECOND_PRODUCT_RATE)
    second_start = ep["start"][second] + rng.integers(0, SECOND_START_DAYS + 1, len(second))
    fits = second_start <= ep["end"][second]
    second, second_start = second[fits], second_start[fits]
    moved = rng.random(len(second)) < OTHER_AREA_RATE
    second_area = np.where(
        moved, (ep["area"][second] + rng.integers(1, len(AREA_CODES), len(second))) % len(AREA_CODES),
        ep["area"][second],
    ).astype(np.int8)
    second_threshold = np.where(
        rng.random(len(second)) < SAME_THRESHOLD_RATE, ep["threshold"][second], rng.random(len(second))
    )
    start = np.concatenate([ep["start"], second_start])
    # Periods that ended long before day0 are never seen: start the chain at most one period back.
    start = np.maximum(start, day0 - rng.integers(0, PERIOD_DAYS[1] + 1, len(start)))
    return {
        "episode": np.concatenate([np.arange(n), second]),
        "area": np.concatenate([ep["area"], second_area]),
        "product": np.concatenate([main_product, SECOND_PRODUCT[main_product[second]].astype(np.int8)]),
        "threshold": np.concatenate([ep["threshold"], second_threshold]),
        "start": start,
        "end": np.concatenate([ep["end"], ep["end"][second]]),
    }


def _periods(rng: np.random.Generator, start: np.ndarray, end: np.ndarray):
    """Cut every chain [start, end] into consecutive periods: (chain, period start, period end).
    A chain that starts after `end` (after the last quarter) has none."""
    most = np.maximum((end - start) // PERIOD_DAYS[0] + 1, 0)
    chain = np.repeat(np.arange(len(start)), most)
    length = rng.integers(PERIOD_DAYS[0], PERIOD_DAYS[1] + 1, len(chain))
    total = np.cumsum(length)
    first = np.repeat(np.cumsum(most) - most, most)  # index of the chain's first period
    period_start = start[chain] + total - length - (total[first] - length[first])
    keep = period_start <= end[chain]
    chain, period_start, length = chain[keep], period_start[keep], length[keep]
    return chain, period_start, np.minimum(period_start + length - 1, end[chain])


def _basis_ramp(area: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The area's share of `basis` for an indication period starting on `day`."""
    share = np.empty(len(day))
    for index, code in enumerate(AREA_CODES):
        members = area == index
        share[members] = _ramp(BASIS_RAMPS[code], day[members])
    return share


def _ramp(knots, day: np.ndarray) -> np.ndarray:
    """A share that moves linearly between (date, share) knots, level outside them."""
    return np.interp(day, [_day(d) for d, _ in knots], [p for _, p in knots])


def _uitvoerder(rng, chain, area, provider, start) -> np.ndarray:
    """Index into UITVOERDERS (-1 = empty) of every period; a chain's periods are consecutive rows.

    The first period gets a subcontractor at the area's share; each next one keeps the
    uitvoerder or changes it (see SUB_LEAVE_RATE): one loop step per period of the longest chain."""
    n, n_subs = len(chain), SUB_INDEX.shape[1]
    position = np.arange(n) - np.searchsorted(chain, chain)
    share = SUB_SHARE[area]
    new_contract = (start >= _day(NEW_CONTRACT[0])) & (start <= _day(NEW_CONTRACT[1]))
    leave = SUB_LEAVE_RATE * np.where(new_contract, NEW_CONTRACT_CHANGE, 1.0)
    to_sub = leave / 2 * share / (1 - share)  # balances the returns: the share stays level
    draw, back, step_over = rng.random(n), rng.random(n) < 0.5, rng.integers(1, n_subs, n)
    target = rng.integers(0, n_subs, n)  # the subcontractor a client goes to
    sub = np.where(rng.random(n) < share, target, -1)  # column of SUB_INDEX, -1 = the hoofdaanbieder
    for step in range(1, position.max(initial=0) + 1):
        rows = np.flatnonzero(position == step)
        before = sub[rows - 1]
        own = before < 0
        change = draw[rows] < np.where(own, to_sub[rows], leave[rows])
        after = np.where(own, target[rows], np.where(back[rows], -1, (before + step_over[rows]) % n_subs))
        sub[rows] = np.where(change, after, before)
    named = rng.random(n) < OWN_NAMED_RATE
    own_name = OWN_INDEX[provider, rng.integers(0, OWN_INDEX.shape[1], n)]
    return np.where(sub >= 0, SUB_INDEX[area, sub], np.where(named, own_name, -1)).astype(np.int8)


def _registrations(rng: np.random.Generator, ep: dict, day0: int, day_end: int) -> dict[str, np.ndarray]:
    """WIJ registrations: one before every new episode, plus those that lead to no trajectory.

    `client` indexes the episodes' clients first; the others get new clients after them.
    """
    new = np.flatnonzero(ep["new"])
    basis = ep["threshold"][new] < _basis_ramp(ep["area"][new], ep["start"][new])  # as its first period
    aanmeld = ep["start"][new] - rng.integers(WAIT_DAYS[0], WAIT_DAYS[1] + 1, len(new))
    outcome = np.where(basis, BASIS, AANVULLEND)
    n_other = rng.poisson(OTHER_REGISTRATIONS * len(new) * (day_end - day0) / (day_end + WAIT_DAYS[1] - day0))
    other_day = np.sort(rng.integers(day0, day_end + 1, n_other))
    other_birth, other_doelgroep = _people(rng, other_day)
    other_outcome = rng.choice(len(TOELEIDING), size=n_other, p=OTHER_OUTCOME_WEIGHTS)
    regs = {
        "client": np.concatenate([new, len(ep["area"]) + np.arange(n_other)]),
        "area": np.concatenate([ep["area"][new], rng.choice(len(AREA_CODES), size=n_other, p=AREA_WEIGHTS)]),
        "birth_year": np.concatenate([ep["birth_year"][new], other_birth]),
        "doelgroep": np.concatenate([ep["doelgroep"][new], other_doelgroep]),
        "aanmeld": np.concatenate([aanmeld, other_day]),
        "outcome": np.concatenate([outcome, other_outcome]),  # index into TOELEIDING
    }
    late = np.r_[np.zeros(len(new), bool), quarters.days_to_end(other_day) < OPEN_DAYS]
    regs["outcome"] = np.where(late & (rng.random(len(late)) < OPEN_RATE), LOPEND, regs["outcome"]).astype(np.int8)
    onbepaald = rng.random(len(late)) < _ramp(ONBEPAALD_RAMP, regs["aanmeld"])
    regs["duur"] = np.where(rng.random(len(late)) < DUUR_EMPTY_RATE, -1, onbepaald).astype(np.int8)
    order = np.argsort(regs["aanmeld"], kind="stable")
    return {name: values[order] for name, values in regs.items()}


def _pseudonyms(rng: np.random.Generator, n: int) -> pa.StringArray:
    """`GRN-` + 10 hex digits, distinct by construction (a keyed bijection on 40 bits)."""
    mask = np.uint64(2**40 - 1)
    multipliers = rng.integers(1, 2**39, 2, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    x = (np.arange(n, dtype=np.uint64) + rng.integers(0, 2**40, dtype=np.uint64)) & mask
    for multiplier in multipliers:
        x = (x * multiplier) & mask
        x ^= x >> np.uint64(19)
    shifts = np.arange(36, -1, -4, dtype=np.uint64)
    chars = np.empty((n, 14), dtype=np.uint8)
    chars[:, :4] = np.frombuffer(b"GRN-", dtype=np.uint8)
    chars[:, 4:] = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)[(x[:, None] >> shifts) & np.uint64(15)]
    offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * 14).tobytes())
    return pa.StringArray.from_buffers(n, offsets, pa.py_buffer(chars.tobytes()))


def area_table(first_year: int = 2025, last_year: int = 2028) -> pa.Table:
    """The area table (gebiedsgegevens) of the years: one row per year and area."""
    years = np.arange(first_year, last_year + 1)[:, None]
    base = np.array([POPULATION_2025[code] for code in AREA_CODES])
    inwoners = np.round(base[:, 0] * (1 + GROWTH) ** (years - 2025)).astype(np.int64)
    plus75 = np.round(base[:, 1] * (1 + GROWTH_75PLUS) ** (years - 2025)).astype(np.int64)
    need = LUMPSUM_BY_USERS * AREA_WEIGHTS + (1 - LUMPSUM_BY_USERS) * plus75 / plus75.sum(axis=1, keepdims=True)
    lumpsum = np.round(need * LUMPSUM_EURO).astype(np.int64)
    lumpsum[:, -1] = LUMPSUM_EURO - lumpsum[:, :-1].sum(axis=1)  # whole euros that add up
    columns = {
        "jaar": pa.array(np.repeat(years.ravel(), len(AREA_CODES))),
        "gebied": _labels(np.tile(np.arange(len(AREA_CODES)), len(years)), AREA_CODES),
        "inwoners": pa.array(inwoners.ravel()),
        "inwoners_75plus": pa.array(plus75.ravel()),
        "lumpsum_euro": pa.array(lumpsum.ravel()),
    }
    return pa.table({name: columns[name] for name in AREA_TABLE_COLUMNS})


# --- the deliveries -----------------------------------------------------------------


def _deliveries(rng, days, tr, regs, ep, client_ids) -> list[Delivery]:
    """Per quarter: the provider extracts (minus the missing one), the WIJ extract, a correction."""
    deliveries = []
    for quarter in days:
        corrections = []
        for index, name in enumerate(PROVIDER_NAMES):
            if (name, quarter) == MISSING:
                continue
            table = _provider_table(tr, ep, client_ids, index, quarter)
            if (name, quarter) == REDELIVERY:
                corrections.append(Delivery(KIND_PROVIDER, name, quarter, table, redelivery=True))
                table = _first_version(rng, table)
            deliveries.append(Delivery(KIND_PROVIDER, name, quarter, table))
        deliveries.append(Delivery(KIND_WIJ, None, quarter, _wij_table(regs, client_ids, quarter)))
        deliveries.extend(corrections)
    return deliveries


def _provider_table(tr: dict, ep: dict, client_ids: pa.StringArray, provider: int, quarter: dt.date) -> pa.Table:
    """Every trajectory of the provider active on at least one day of the quarter."""
    last, first = _day(quarter), _day(quarters.start(quarter))
    rows = np.flatnonzero((tr["provider"] == provider) & (tr["start"] <= last) & (tr["end"] >= first))
    end = tr["end"][rows]
    episode = tr["episode"][rows]
    columns = {
        "aanbieder": _labels(np.zeros(len(rows), np.int8), [PROVIDER_NAMES[provider]]),
        "peildatum": pa.repeat(pa.scalar(quarter, pa.date32()), len(rows)),
        "client_id": client_ids.take(episode),
        "gebied": _labels(tr["area"][rows], AREA_CODES),
        "geboortejaar": pa.array(ep["birth_year"][episode]),
        "ondersteuning": _labels((~tr["basis"][rows]).astype(np.int8), KINDS),
        "product": _labels(tr["product"][rows], PRODUCTS),
        "doelgroep": _labels(ep["doelgroep"][episode], DOELGROEPEN),
        "startdatum": _dates(tr["start"][rows]),
        "einddatum": _dates(end, missing=end > last),  # the end is known once it has passed
        "maatschappelijk_initiatief": _labels(tr["initiative"][rows], INITIATIVES),
        "uitvoerder": _labels(tr["uitvoerder"][rows], UITVOERDERS),
    }
    return pa.table({name: columns[name] for name in PROVIDER_COLUMNS})


def _first_version(rng: np.random.Generator, table: pa.Table) -> pa.Table:
    """The incomplete first delivery: some rows left out, some ends not yet registered."""
    keep = rng.random(table.num_rows) >= REDELIVERY_DROP
    forget_end = rng.random(table.num_rows) < REDELIVERY_OPEN_END
    end = table["einddatum"]
    table = table.set_column(
        table.schema.get_field_index("einddatum"), "einddatum",
        pc.if_else(pa.array(forget_end), pa.scalar(None, end.type), end),
    )
    return table.filter(pa.array(keep))


def _wij_table(regs: dict, client_ids: pa.StringArray, quarter: dt.date) -> pa.Table:
    """The quarter's registrations: `hoofdaanbieder` with a referral, `beschikking_duur` with `aanvullend`."""
    rows = np.flatnonzero((regs["aanmeld"] >= _day(quarters.start(quarter))) & (regs["aanmeld"] <= _day(quarter)))
    outcome = regs["outcome"][rows]
    referred = (outcome == BASIS) | (outcome == AANVULLEND)
    aanvullend = outcome == AANVULLEND
    columns = {
        "peildatum": pa.repeat(pa.scalar(quarter, pa.date32()), len(rows)),
        "client_id": client_ids.take(regs["client"][rows]),
        "gebied": _labels(regs["area"][rows], AREA_CODES),
        "geboortejaar": pa.array(regs["birth_year"][rows]),
        "aanmelddatum": _dates(regs["aanmeld"][rows]),
        "doelgroep": _labels(regs["doelgroep"][rows], DOELGROEPEN),
        "toeleiding": _labels(outcome, TOELEIDING),
        "hoofdaanbieder": _labels(np.where(referred, PROVIDER_OF_AREA[regs["area"][rows]], -1), PROVIDER_NAMES),
        "beschikking_duur": _labels(np.where(aanvullend, regs["duur"][rows], -1), BESCHIKKING_DUUR),
    }
    return pa.table({name: columns[name] for name in WIJ_COLUMNS})


def _labels(codes: np.ndarray, names) -> pa.DictionaryArray:
    """Category codes (-1 = empty) as a dictionary-encoded text column: small at any scale."""
    codes = np.asarray(codes, dtype=np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), pa.array(list(names), pa.string()))


def _dates(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(days.astype("datetime64[D]"), mask=missing)


# --- files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FileStyle:
    """How one supplier's system writes its files."""

    ext: str = "csv"
    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    label_style: bool = False
    quoted: bool = False
    eol: str = "\n"


_PLAIN = _FileStyle()
_WORKBOOK = _FileStyle(ext="xlsx")
_HANDMADE_WORKBOOK = _FileStyle(ext="xlsx", label_style=True)
_LEGACY = _FileStyle(encoding="cp1252", label_style=True, eol="\r\n")
_EXPORT = _FileStyle(delimiter=",", encoding="utf-8", label_style=True, quoted=True)


def _style(delivery: Delivery) -> _FileStyle:
    """Each supplier its own habits, changing when it changes systems."""
    year, quarter = delivery.peildatum.year, quarters.of_year(delivery.peildatum)
    if delivery.kind == KIND_WIJ:
        return _WORKBOOK if year >= 2027 else _PLAIN
    if delivery.kind == KIND_AREA:
        return _WORKBOOK  # kept by the municipality's analysts
    if delivery.aanbieder == STADSBRUG and year >= 2027:
        return _HANDMADE_WORKBOOK  # filled in by hand in Excel from the new contract on
    if delivery.aanbieder == WESTKWARTIER and (year, quarter) <= (2025, 2):
        return _LEGACY  # its old Windows system
    if delivery.aanbieder == ZUIDOOST and year >= 2027:
        return _EXPORT  # a case-management export
    return _PLAIN


def _file_name(delivery: Delivery, ext: str) -> str:
    """`2027-Q2_west_Cooperatie-Westkwartier.csv`, `2027-Q2_WIJ.xlsx`, `2025-2028_gebiedsgegevens.xlsx`."""
    quarter = f"{delivery.peildatum.year}-Q{quarters.of_year(delivery.peildatum)}"
    if delivery.kind == KIND_AREA:
        stem = f"{_years_of(delivery)}_gebiedsgegevens"
    elif delivery.kind == KIND_WIJ:
        stem = f"{quarter}_WIJ"
    else:
        ascii_name = unicodedata.normalize("NFKD", delivery.aanbieder).encode("ascii", "ignore").decode()
        stem = f"{quarter}_{'-'.join(PROVIDERS[delivery.aanbieder])}_{'-'.join(ascii_name.split())}"
    return f"{stem}{'_correctie' if delivery.redelivery else ''}.{ext}"


def write_files(deliveries: list[Delivery], folder: Path) -> list[Path]:
    """Write every delivery as its supplier would; the paths in loading order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [_write(delivery, folder) for delivery in deliveries]


def _write(delivery: Delivery, folder: Path) -> Path:
    style = _style(delivery)
    path = folder / _file_name(delivery, style.ext)
    if style.ext == "xlsx":
        write_xlsx(delivery.table, path, title_rows=[_title(delivery)], label_style=style.label_style)
    else:
        write_csv(delivery.table, path, delimiter=style.delimiter, encoding=style.encoding,
                  label_style=style.label_style, quoted=style.quoted, eol=style.eol)
    return path


def _years_of(delivery: Delivery) -> str:
    years = pc.min_max(delivery.table["jaar"])
    return f"{years['min']}-{years['max']}"


def _title(delivery: Delivery) -> str:
    if delivery.kind == KIND_AREA:
        return f"Gebiedsgegevens {_years_of(delivery)}: inwoners en lumpsum per gebied (synthetische demodata)"
    who = "WIJ Groningen, aanmeldingen Wmo" if delivery.kind == KIND_WIJ else f"Wmo-trajecten {delivery.aanbieder}"
    return f"{who}, peildatum {delivery.peildatum:%d-%m-%Y} (synthetische demodata)"


def write_csv(
    table: pa.Table,
    path: Path,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
    label_style: bool = False,
    quoted: bool = False,
    eol: str = "\n",
) -> Path:
    """A delivery as CSV. `label_style`: as typed by hand (area labels, Dutch dates,
    `Client ID`, `maatwerk`); `quoted`: every value in double quotes. Unquoted files fall
    back to quoting when a value holds the delimiter (`Centrum, Oude Wijken` with `,`)."""
    if label_style:
        table = _by_hand(_dutch_dates(table))
    try:
        data = _csv_bytes(table, delimiter, eol, "all_valid" if quoted else "none")
    except pa.ArrowInvalid:
        data = _csv_bytes(table, delimiter, eol, "needed")
    Path(path).write_bytes(_encode(data, encoding))
    return Path(path)


def _csv_bytes(table: pa.Table, delimiter: str, eol: str, quoting: str) -> bytes:
    buffer = io.BytesIO()
    options = pacsv.WriteOptions(delimiter=delimiter, eol=eol, quoting_style=quoting, quoting_header=quoting)
    pacsv.write_csv(table, buffer, options)
    return buffer.getvalue()


def _encode(utf8: bytes, encoding: str) -> bytes:
    name = codecs.lookup(encoding).name
    if name == "utf-8":
        return utf8
    if name == "utf-8-sig":
        return codecs.BOM_UTF8 + utf8
    return utf8.decode("utf-8").encode(encoding)


def write_xlsx(table: pa.Table, path: Path, *, title_rows=(), label_style: bool = False) -> Path:
    """A delivery as an Excel workbook: title rows, an empty row, the header, native date cells."""
    if label_style:
        table = _by_hand(table)
    workbook = xlsxwriter.Workbook(
        str(path), {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"created": XLSX_CREATED, "title": "Synthetische demodata GON-monitor"})
    sheet = workbook.add_worksheet("Aanlevering")
    bold = workbook.add_format({"bold": True})
    date_cell = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for row, title in enumerate(title_rows):
        sheet.write_string(row, 0, title, bold)
    header = len(title_rows) + 1 if title_rows else 0
    sheet.write_row(header, 0, table.column_names, bold)
    sheet.set_column(0, table.num_columns - 1, 20)
    for index, column in enumerate(table.columns):
        cell = date_cell if pa.types.is_date(column.type) else None
        sheet.write_column(header + 1, index, column.to_pylist(), cell)
    workbook.close()
    return Path(path)


_HEADERS_BY_HAND = {"client_id": "Client ID"}
_VALUES_BY_HAND = {
    "gebied": AREAS,
    "ondersteuning": {"basis": "basisondersteuning", "aanvullend": "maatwerk"},
    "product": {"begeleiding": "Begeleiding", "dagbesteding": "Dagbesteding",
                "kortdurend_verblijf": "Kortdurend verblijf"},
    "doelgroep": {name: name.capitalize() for name in DOELGROEPEN},
}


def _by_hand(table: pa.Table) -> pa.Table:
    """Area labels, category synonyms and headers such as `Client ID`, as people type them."""
    columns = [
        _relabel(column, _VALUES_BY_HAND[name]) if name in _VALUES_BY_HAND else column
        for name, column in zip(table.column_names, table.columns)
    ]
    names = [_HEADERS_BY_HAND.get(name, name.replace("_", " ").capitalize()) for name in table.column_names]
    return pa.table(columns, names=names)


def _relabel(column: pa.ChunkedArray, mapping: dict[str, str]) -> pa.Array:
    """Rename a text column's values (its dictionary only, so cheap at any size)."""
    array = column.combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    dictionary = [mapping.get(value, value) for value in array.dictionary.to_pylist()]
    return pa.DictionaryArray.from_arrays(array.indices, pa.array(dictionary, pa.string()))


def _dutch_dates(table: pa.Table) -> pa.Table:
    """Date columns as `31-03-2027` text."""
    for index, column in enumerate(table.columns):
        if pa.types.is_date(column.type):
            text = pc.strftime(column.cast(pa.timestamp("s")), format="%d-%m-%Y")
            table = table.set_column(index, table.column_names[index], text)
    return table


# --- the demo database -------------------------------------------------------------------


BUILD_WAIT = 600  # seconds a second builder waits for the first one (a build takes well under that)


def build_demo(db_path: Path) -> None:
    """Fill the database at `db_path` with the synthetic city, loaded file by file like real
    deliveries, and mark it as demo data (first, so it is never shown unlabelled).

    A missing database is built beside it and only then moved into place, so that whoever
    finds the file at `db_path` finds a complete demo (see `ensure_demo`); a build that is
    stopped leaves nothing there."""
    from .store import write_lock

    db_path = Path(db_path)
    with write_lock(db_path, BUILD_WAIT):  # one builder at a time, also between processes
        if db_path.exists():
            _fill(db_path)
        else:
            staging = db_path.with_name(db_path.name + ".building")
            _discard(staging)  # left behind by a build that was stopped
            _fill(staging)
            _publish(staging, db_path)


def ensure_demo(db_path: Path) -> bool:
    """Build the demo at `db_path` unless it is there already (also when another process,
    such as a second scripts/start.sh or a dashboard, was building it meanwhile). Returns
    whether it built it."""
    from .store import Store, write_lock

    db_path = Path(db_path)
    with write_lock(db_path, BUILD_WAIT):  # waits for a build under way
        if db_path.exists() and not Store(db_path).is_empty():
            return False
        build_demo(db_path)
        return True


CHECKERS = 2  # threads writing and checking files (DuckDB and Arrow release the GIL)


def _fill(db_path: Path) -> None:
    from .errors import GonError
    from .store import Store

    store = Store(db_path)
    with store.connect():  # one opening of the file for the whole build
        if not store.is_demo():
            if not store.is_empty():
                raise GonError(f"{db_path} bevat echte leveringen; de demodata worden daar nooit in geladen.")
            store.set_meta("demo", "true")
        pool = concurrent.futures.ThreadPoolExecutor(CHECKERS, thread_name_prefix="demo-check")
        with tempfile.TemporaryDirectory() as folder:
            try:
                # Each file is written and checked in the pool while the checked ones are stored
                # here in loading order, by the same path as an upload.
                checked = pool.map(_written_and_checked, generate(), itertools.repeat(Path(folder)))
                for data, report in checked:
                    if not report.accepted:
                        raise RuntimeError(f"Demo file {report.file} was refused: {report.errors[:3]}")
                    store.ingest_checked(data, report, user="demo", into_demo=True)
            finally:
                pool.shutdown(cancel_futures=True)  # a stopped build waits for no further file


def _written_and_checked(delivery: Delivery, folder: Path):
    """One delivery as its supplier writes it, read back and checked as an upload is."""
    from .load import check

    path = _write(delivery, folder)
    data = path.read_bytes()
    return data, check(data, path.name)


def _companions(db_path: Path) -> list[Path]:
    """The files DuckDB and the store keep beside a database."""
    return [db_path.with_name(db_path.name + suffix) for suffix in (".archive", ".wal", ".lock")]


def _discard(db_path: Path) -> None:
    for path in (db_path, *_companions(db_path)):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _publish(staging: Path, db_path: Path) -> None:
    """Move a built demo into place, its archive first and the database itself last."""
    stale_archive, wal = _companions(db_path)[:2]
    if stale_archive.exists():  # of a demo database deleted by hand: synthetic only
        shutil.rmtree(stale_archive)
    wal.unlink(missing_ok=True)
    for source, target in zip(_companions(staging)[:2], (stale_archive, wal)):
        if source.exists():
            os.replace(source, target)
    _companions(staging)[2].unlink(missing_ok=True)
    os.replace(staging, db_path)
