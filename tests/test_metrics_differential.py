"""export_frame against a deliberately simple pure-Python reading of metrics.md.

Hypothesis writes small random deliveries (a few providers, 1-3 quarters, a handful
of clients in random areas, dates around the quarters, some re-deliveries); the
reference below recomputes every row with dicts and loops, no SQL, straight from
the text of metrics.md (and the extra figures documented in gonmetrics.definitions).
"""

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from metrics_helpers import area_row, insert_area_table, insert_upload, new_store, registration, trajectory

from gonmetrics.definitions import figure_texts
from gonmetrics.metrics import export_frame

D = dt.date
QUARTERS = [D(2026, 12, 31), D(2027, 3, 31), D(2027, 6, 30), D(2027, 9, 30), D(2027, 12, 31)]
PROVIDERS = ["Lentis", "Cosis", "Arcus"]
CLIENTS = [f"client{i:02d}" for i in range(8)]
AREAS = ["centrum", "west", "oost", "zuid"]
ALL_AREAS = AREAS + ["stad"]
BIRTH_YEARS = [1950, 1952, 1953, 1962, 1977, 1992, 2000, 2001, 2009, 2010]
AGE_GROUPS = [("0-17", 0, 17), ("18-26", 18, 26), ("27-34", 27, 34), ("35-49", 35, 49),
              ("50-64", 50, 64), ("65-74", 65, 74), ("75+", 75, 999)]
TOELEIDING = ["basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders", "lopend"]
ORDER = ["users", "share_basis", "spread_basis", "outlook:share_basis", "shift_basis", "share_mixed", "share_mi", "outlook:share_mi",
         *[f"age_group:{g}" for g, _, _ in AGE_GROUPS],
         "uitvoerders", "share_other_uitvoerder", "kept", "kept_same_uitvoerder",
         "users_per_1000", "users75_per_1000", "lumpsum_per_user",
         "youth_mh_inflow", "youth_mh_inflow_share", "wait_open", "wait_days_median", "wait_days_p80",
         *[f"toeleiding:{v}" for v in TOELEIDING], "beschikking_onbepaald"]
BASELINE = D(2026, 12, 31)  # the default of GONMETRICS_BASELINE
# Spellings of organisations: the same one in other case and spacing, the hoofdaanbieder itself, empty.
UITVOERDERS = [None, "", "Stichting Buurtzorg", " stichting\u00a0 BUURTZORG\t", "LENTIS", "lentis ", "Cosis", "Humanitas"]
TARGET_POINTS = {  # the default table of metrics.md (version 2)
    "share_basis": [(D(2027, 12, 31), 0.15), (D(2028, 12, 31), 0.30), (D(2029, 12, 31), 0.50),
                    (D(2030, 12, 31), 0.70)],
    "share_mi": [(D(y, 12, 31), 0.15) for y in (2027, 2028, 2029, 2030)],
}


def quarter_start(q: dt.date) -> dt.date:
    return D(q.year, q.month - 2, 1)


def near(q: dt.date) -> list[dt.date]:
    """A few dates in and just around quarter q: equal dates are likely on purpose."""
    start = quarter_start(q)
    return [start - dt.timedelta(days=1), start, start + dt.timedelta(days=20), q - dt.timedelta(days=1), q]


DATES = sorted({d for q in QUARTERS for d in near(q)} | {D(2025, 6, 1), D(2026, 1, 1)})

# --- random deliveries --------------------------------------------------------


@st.composite
def trajectories(draw, q):
    ondersteuning = draw(st.sampled_from(["basis", "aanvullend"]))
    return trajectory(
        draw(st.sampled_from(CLIENTS)), draw(st.sampled_from(AREAS)), ondersteuning,
        startdatum=draw(st.sampled_from([d for d in DATES if d <= q])),
        einddatum=draw(st.one_of(st.none(), st.sampled_from([d for d in DATES if d >= quarter_start(q)]))),
        geboortejaar=draw(st.sampled_from(BIRTH_YEARS)),
        mi=draw(st.sampled_from([None, "Wiershoeck"])) if ondersteuning == "basis" else None,
        uitvoerder=draw(st.sampled_from(UITVOERDERS)),
    )


@st.composite
def registrations(draw, q):
    return registration(
        draw(st.sampled_from(CLIENTS)), draw(st.sampled_from(AREAS)),
        draw(st.sampled_from([d for d in near(q) if d >= quarter_start(q)])),
        geboortejaar=draw(st.sampled_from(BIRTH_YEARS)),
        doelgroep=draw(st.sampled_from(["psychisch", "overig"])),
        toeleiding=draw(st.sampled_from(TOELEIDING)),
        beschikking_duur=draw(st.sampled_from([None, "bepaald", "onbepaald"])),
    )


@st.composite
def area_tables(draw, year):
    """One year's area table: some of the four areas (all four in most)."""
    areas = draw(st.sampled_from([AREAS, AREAS, AREAS[:3], AREAS[1:2]]))
    return [area_row(year, area, draw(st.integers(0, 5000)), draw(st.integers(0, 400)),
                     draw(st.sampled_from(["0.00", "1000.25", "250000.10", "17300000.35"])))
            for area in areas]


@st.composite
def slot_versions(draw, version):
    """The uploads of one delivery slot, in upload order; exactly one is current."""
    versions = draw(st.lists(version, min_size=1, max_size=3))
    current = draw(st.integers(0, len(versions) - 1))  # not always the newest: a restore
    return [(version, n == current) for n, version in enumerate(versions)]


@st.composite
def deliveries(draw):
    first = draw(st.integers(0, len(QUARTERS) - 1))
    quarters = QUARTERS[first:first + draw(st.integers(1, 3))]
    slots = {}
    for q in quarters:
        for name in draw(st.lists(st.sampled_from(PROVIDERS), unique=True, max_size=3)):
            slots[("aanbieder", name, q)] = draw(slot_versions(st.lists(trajectories(q), min_size=1, max_size=6)))
        if draw(st.booleans()):
            slots[("wij", None, q)] = draw(slot_versions(st.lists(registrations(q), min_size=1, max_size=6)))
    for year in sorted({q.year for q in quarters}):
        if draw(st.booleans()):
            slots[("gebied", None, D(year, 12, 31))] = draw(slot_versions(area_tables(year)))
    return slots


# --- the reference ------------------------------------------------------------


def ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def quantile(values, p):
    """Linear interpolation between the closest ranks (quantile_cont)."""
    xs = sorted(values)
    pos = (len(xs) - 1) * p
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (pos - lo) * (xs[hi] - xs[lo])


def number(d: dt.date) -> int:
    """Consecutive quarters, consecutive numbers."""
    return d.year * 4 + d.month // 3


def governing(metric, q):
    """The first point P of the table with Q <= P <= Q+3, or None."""
    return next(((d, m) for d, m in TARGET_POINTS.get(metric.removeprefix("outlook:"), [])
                 if 0 <= number(d) - number(q) <= 3), None)


def aimed_at(q):
    """The point P' the shift aims at: the first of share_basis with Q < P' <= Q+4, or None."""
    return next(((d, m) for d, m in TARGET_POINTS["share_basis"] if 1 <= number(d) - number(q) <= 4), None)


def reference_target(metric, q):
    point = aimed_at(q) if metric == "shift_basis" else governing(metric, q)
    return point and point[1]


def least_squares_at(points, x):
    """The least-squares line through (x, y) points, read at x."""
    mean_x = sum(p for p, _ in points) / len(points)
    mean_y = sum(v for _, v in points) / len(points)
    slope = (sum((p - mean_x) * (v - mean_y) for p, v in points)
             / sum((p - mean_x) ** 2 for p, _ in points))
    return mean_y + slope * (x - mean_x)


def shift_figures(counts, q, put):
    """counts: area -> (basis users, users) in q. Exact: Fraction of the minimum as written."""
    point = aimed_at(q)
    if point is None:
        return
    quarters = number(point[0]) - number(q)
    for area in ALL_AREAS:
        basis, users = counts[area]
        n = None
        if users:
            n = next(k for k in range(users + 1) if Fraction(basis + k, users) >= Fraction(str(point[1])))
        put("shift_basis", area, n, quarters, None if n is None else n / quarters)


def outlook_figures(values, q, put):
    """values: (metric, area, quarter) -> value of share_basis / share_mi."""
    for metric in ("share_basis", "share_mi"):
        point = governing(metric, q)
        if point is None or point[0] <= q:
            continue
        for area in ALL_AREAS:
            fitted = [(number(d), v) for (m, a, d), v in values.items()
                      if m == metric and a == area and 0 <= number(q) - number(d) <= 3 and v is not None]
            level = least_squares_at(fitted, number(point[0])) if len(fitted) >= 2 else None
            put(f"outlook:{metric}", area, None, None, level if level is None else min(1.0, max(0.0, level)))


def normal(name):
    """Case, surrounding and repeated whitespace (spaces, tabs, non-breaking spaces) do not count."""
    return " ".join((name or "").split()).lower()


def uitvoerder(r):
    return normal(r["uitvoerder"]) or normal(r["aanbieder"])


def active_at(current, q):
    """The active trajectories of quarter q, each with its aanbieder."""
    return [{**r, "aanbieder": name} for (kind, name, qq), rows in current.items() if kind == "aanbieder" and qq == q
            for r in rows if r["startdatum"] <= q and (r["einddatum"] is None or r["einddatum"] >= q)]


def transition_figures(current, q, put):
    """kept and kept_same_uitvoerder of a quarter after the baseline."""
    before = active_at(current, BASELINE)
    now = defaultdict(set)
    for r in active_at(current, q):
        now[r["client_id"]].add(uitvoerder(r))
    for area in ALL_AREAS:
        base = defaultdict(set)  # client of the area at B -> uitvoerders of its trajectories there
        for r in before:
            if area == "stad" or r["gebied"] == area:
                base[r["client_id"]].add(uitvoerder(r))
        kept = [c for c in base if c in now]
        same = sum(1 for c in kept if base[c] & now[c])
        put("kept", area, len(kept), len(base), ratio(len(kept), len(base)))
        put("kept_same_uitvoerder", area, same, len(kept), ratio(same, len(kept)))


def context_figures(current, q, users, users75, put):
    tables = [rows for (kind, _, d), rows in current.items() if kind == "gebied" and d.year == q.year]
    rows = {r["gebied"]: r for r in (tables[0] if tables else [])}
    if len(rows) == len(AREAS):
        rows["stad"] = {key: sum(r[key] for r in rows.values()) for key in ("inwoners", "inwoners_75plus")}
        rows["stad"]["lumpsum_euro"] = sum(Decimal(r["lumpsum_euro"]) for r in list(rows.values())[:4])
    for metric in ("users_per_1000", "users75_per_1000", "lumpsum_per_user"):
        for area in ALL_AREAS:
            if area not in rows:
                continue
            row = rows[area]
            if metric == "users_per_1000":
                put(metric, area, users[area], row["inwoners"], ratio(users[area] * 1000, row["inwoners"]))
            elif metric == "users75_per_1000":
                put(metric, area, users75[area], row["inwoners_75plus"],
                    ratio(users75[area] * 1000, row["inwoners_75plus"]))
            else:
                lumpsum = Decimal(row["lumpsum_euro"])
                put(metric, area, float(lumpsum), users[area], float(lumpsum / users[area]) if users[area] else None)


def provider_figures(current, q, put):
    active = active_at(current, q)
    born = {}
    for r in sorted(active, key=lambda r: (r["startdatum"], r["geboortejaar"])):
        born[r["client_id"]] = r["geboortejaar"]  # the last one sorted wins: latest start, then highest year
    share_basis, users_of, users75 = {}, {}, {}
    for area in ALL_AREAS:
        mine = defaultdict(list)
        for r in active:
            if area == "stad" or r["gebied"] == area:
                mine[r["client_id"]].append({r["ondersteuning"]: r["maatschappelijk_initiatief"]})
        kinds = {c: {k for row in rows for k in row} for c, rows in mine.items()}
        users = len(mine)
        only_basis = sum(1 for k in kinds.values() if k == {"basis"})
        mixed = sum(1 for k in kinds.values() if k == {"basis", "aanvullend"})
        with_basis = sum(1 for k in kinds.values() if "basis" in k)
        with_mi = sum(1 for rows in mine.values() if any(row.get("basis") for row in rows))
        put("users", area, users, None, users)
        users_of[area] = users
        put("share_basis", area, only_basis, users, ratio(only_basis, users))
        put("share_mixed", area, mixed, users, ratio(mixed, users))
        put("share_mi", area, with_mi, with_basis, ratio(with_mi, with_basis))
        for label, low, high in AGE_GROUPS:
            n = sum(1 for c in mine if low <= q.year - born[c] <= high)
            put(f"age_group:{label}", area, n, users, ratio(n, users))
        share_basis[area] = ratio(only_basis, users)
        users75[area] = sum(1 for c in mine if q.year - born[c] >= 75)
    values = [share_basis[a] for a in AREAS if share_basis[a] is not None]
    put("spread_basis", "stad", None, None, max(values) - min(values) if len(values) >= 2 else None)
    for area in ALL_AREAS:
        rows = [r for r in active if area == "stad" or r["gebied"] == area]
        organisations = {uitvoerder(r) for r in rows}
        other = {r["client_id"] for r in rows if uitvoerder(r) != normal(r["aanbieder"])}
        put("uitvoerders", area, len(organisations), None, len(organisations))
        put("share_other_uitvoerder", area, len(other), users_of[area], ratio(len(other), users_of[area]))
    if q > BASELINE and any(kind == "aanbieder" and d == BASELINE for kind, _, d in current):
        transition_figures(current, q, put)
    context_figures(current, q, users_of, users75, put)


def wij_figures(current, q, put):
    starts = [(r["client_id"], r["startdatum"])
              for (kind, _, _), rows in current.items() if kind == "aanbieder" for r in rows]
    for area in ALL_AREAS:
        mine = [r for r in current[("wij", None, q)] if area == "stad" or r["gebied"] == area]
        youth = sum(1 for r in mine
                    if r["doelgroep"] == "psychisch" and 18 <= r["aanmelddatum"].year - r["geboortejaar"] <= 26)
        referred = [r for r in mine if r["toeleiding"] in ("basis", "aanvullend")]
        waits = []
        for r in referred:
            later = [s for c, s in starts if c == r["client_id"] and s >= r["aanmelddatum"]]
            if later:
                waits.append((min(later) - r["aanmelddatum"]).days)
        open_ = len(referred) - len(waits)
        put("youth_mh_inflow", area, youth, None, youth)
        put("youth_mh_inflow_share", area, youth, len(mine), ratio(youth, len(mine)))
        put("wait_open", area, open_, len(referred), ratio(open_, len(referred)))
        put("wait_days_median", area, len(waits), None, quantile(waits, 0.5) if waits else None)
        put("wait_days_p80", area, len(waits), None, quantile(waits, 0.8) if waits else None)
        for value in TOELEIDING:
            n = sum(1 for r in mine if r["toeleiding"] == value)
            put(f"toeleiding:{value}", area, n, len(mine), ratio(n, len(mine)))
        stated = [r for r in mine if r["toeleiding"] == "aanvullend" and r["beschikking_duur"]]
        open_ended = sum(1 for r in stated if r["beschikking_duur"] == "onbepaald")
        put("beschikking_onbepaald", area, open_ended, len(stated), ratio(open_ended, len(stated)))


def reference(slots):
    current = {key: next(rows for rows, is_current in versions if is_current) for key, versions in slots.items()}
    rows = []
    for q in sorted({q for kind, _, q in current if kind != "gebied"}):
        def put(metric, area, numerator, denominator, value):
            rows.append((q, metric, area, numerator, denominator, value, reference_target(metric, q)))
        if any(kind == "aanbieder" and qq == q for kind, _, qq in current):
            provider_figures(current, q, put)
            outlook_figures({(r[1], r[2], r[0]): r[5] for r in rows}, q, put)
            shift_figures({r[2]: (r[3], r[4]) for r in rows if r[0] == q and r[1] == "share_basis"}, q, put)
        if ("wij", None, q) in current:
            wij_figures(current, q, put)
    return sorted(rows, key=lambda r: (r[0], ORDER.index(r[1]), ALL_AREAS.index(r[2])))


# --- the comparison -----------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return new_store(tmp_path_factory.mktemp("differential"))


def load(con, slots):
    """Replace the store's deliveries by `slots`, in one transaction (fast)."""
    con.execute("BEGIN")
    for table in ("trajectories", "registrations", "area_rows", "current_uploads", "uploads"):
        con.execute(f"DELETE FROM {table}")
    upload_id = 0
    for (kind, name, q), versions in slots.items():
        for rows, is_current in versions:
            upload_id += 1
            if kind == "gebied":
                insert_area_table(con, upload_id, rows, is_current)
            else:
                insert_upload(con, upload_id, kind, name, q, rows, is_current)
    con.execute("COMMIT")


def plain(x):
    """NA / NaN -> None, numbers as Python numbers."""
    return None if pd.isna(x) else x.item() if hasattr(x, "item") else x


def same(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is expected
    return math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-9)  # rel: euros per user run to millions


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slots=deliveries())
def test_export_matches_the_reference(store, slots):
    with store.connect() as con:
        load(con, slots)
        frame = export_frame(con)
    expected = reference(slots)
    actual = [
        (r.peildatum, r.metric, r.gebied, plain(r.numerator), plain(r.denominator), plain(r.value), plain(r.target))
        for r in frame.itertuples(index=False)
    ]
    assert [r[:5] for r in actual] == [r[:5] for r in expected]
    for got, want in zip(actual, expected):
        assert same(got[5], want[5]) and same(got[6], want[6]), (got, want)
    assert set(frame.metric) <= set(figure_texts())  # every figure the export can produce is defined
