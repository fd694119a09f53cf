"""The synthetic city: deterministic, every file within the contract, and the scenario visible.

The contract and scenario checks are written here from the documents (extract-format.md,
metrics.md) with plain pandas, independently of the package's reader, validator and metrics.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from gonmetrics.demo import Delivery, area_table, build_demo, generate, write_csv, write_files, write_xlsx
from gonmetrics.load import check
from gonmetrics.store import Store

QUARTERS = [
    dt.date(year, month, day)
    for year in range(2025, 2029)
    for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))
]
AREA_LABELS = {
    "centrum": "centrum", "west": "west", "oost": "oost", "zuid": "zuid",
    "centrum, oude wijken": "centrum", "oost en ten boer": "oost", "zuid en haren": "zuid",
}
SYNONYMS = {"basisondersteuning": "basis", "maatwerk": "aanvullend", "kortdurend verblijf": "kortdurend_verblijf"}
PROVIDER_COLUMNS = [
    "aanbieder", "peildatum", "client_id", "gebied", "geboortejaar", "ondersteuning", "product",
    "doelgroep", "startdatum", "einddatum", "maatschappelijk_initiatief", "uitvoerder",
]
PROVIDER_REQUIRED = PROVIDER_COLUMNS[:9]
WIJ_COLUMNS = [
    "peildatum", "client_id", "gebied", "geboortejaar", "aanmelddatum", "doelgroep", "toeleiding",
    "hoofdaanbieder", "beschikking_duur",
]
WIJ_REQUIRED = WIJ_COLUMNS[:7]
CATEGORIES = {
    "gebied": {"centrum", "west", "oost", "zuid"},
    "ondersteuning": {"basis", "aanvullend"},
    "product": {"begeleiding", "dagbesteding", "kortdurend_verblijf"},
    "doelgroep": {"psychisch", "verstandelijk", "lichamelijk", "ouderen", "overig"},
    "toeleiding": {"basis", "aanvullend", "lichte_ondersteuning", "maatschappelijk_initiatief", "anders", "lopend"},
    "beschikking_duur": {"bepaald", "onbepaald"},
}
# share_basis targets: 0 at 2026-12-31, 0.15 at 2027-12-31, 0.30 at 2028-12-31, linear per quarter.
TARGETS = {q: round(0.0375 * (i + 1), 4) for i, q in enumerate(QUARTERS[8:])}


# --- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deliveries():
    return generate()


@pytest.fixture(scope="module")
def frames(deliveries):
    """(delivery, DataFrame) pairs of the quarterly extracts; categories as plain text."""
    return [(d, d.table.to_pandas().astype({c: object for c in _text_columns(d.table)}))
            for d in deliveries if d.kind != "gebied"]


@pytest.fixture(scope="module")
def small_files(tmp_path_factory):
    """A small city written to files: the same styles as the demo, quick to read back."""
    small = generate(n_users=600, seed=7)
    return small, write_files(small, tmp_path_factory.mktemp("small"))


def _text_columns(table):
    return [f.name for f in table.schema if str(f.type).startswith(("dictionary", "string"))]


def _current(frames):
    """The latest provider extract per (aanbieder, peildatum), concatenated."""
    latest = {(d.aanbieder, d.peildatum): df for d, df in frames if d.kind == "aanbieder"}
    return pd.concat(latest.values(), ignore_index=True)


@pytest.fixture(scope="module")
def active(frames):
    """Trajectories active at their peildatum in the current provider extracts."""
    rows = _current(frames)
    return rows[(rows.startdatum <= rows.peildatum) & (rows.einddatum.isna() | (rows.einddatum >= rows.peildatum))]


@pytest.fixture(scope="module")
def users(active):
    """One row per (peildatum, gebied, client_id), with the metrics' ingredients."""
    grouped = active.assign(basis=active.ondersteuning == "basis", mi=active.maatschappelijk_initiatief.notna())
    return grouped.groupby(["peildatum", "gebied", "client_id"]).agg(
        all_basis=("basis", "all"), any_basis=("basis", "any"), any_mi=("mi", "any"),
        geboortejaar=("geboortejaar", "max"), n=("product", "size"),
    ).reset_index()


@pytest.fixture(scope="module")
def share_basis(users):
    return users.groupby(["peildatum", "gebied"]).all_basis.mean().unstack()


@pytest.fixture(scope="module")
def registrations(frames):
    return pd.concat([df for d, df in frames if d.kind == "wij"], ignore_index=True)


# --- determinism and speed --------------------------------------------------------------


def test_same_seed_gives_the_same_bytes(tmp_path, small_files):
    again = write_files(generate(n_users=600, seed=7), tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in small_files[1]]
    for first, second in zip(small_files[1], again):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_another_seed_gives_another_city(frames):
    other = generate(seed=1)
    assert not other[0].table.equals(frames[0][0].table)


def test_generation_scales():
    # How long it takes is a benchmark figure (bench.work.build records generated_s), not a test: a busy
    # machine must not fail the suite.
    big = generate(n_users=60_000)
    first = pd.concat([
        d.table.select(["client_id", "einddatum"]).to_pandas()
        for d in big if d.kind == "aanbieder" and d.peildatum == QUARTERS[0]
    ])
    assert 57_000 < first[first.einddatum.isna()].client_id.nunique() < 63_000


# --- every delivery within the contract --------------------------------------------------


def test_every_table_holds_the_contract_columns_and_values(frames):
    for delivery, df in frames:
        provider = delivery.kind == "aanbieder"
        assert list(df.columns) == (PROVIDER_COLUMNS if provider else WIJ_COLUMNS)
        required = PROVIDER_REQUIRED if provider else WIJ_REQUIRED
        assert df[required].notna().all().all(), delivery
        assert len(df) > 0
        assert set(df.peildatum) == {delivery.peildatum}
        assert delivery.peildatum in QUARTERS
        if provider:
            assert set(df.aanbieder) == {delivery.aanbieder}
        for column, allowed in CATEGORIES.items():
            if column in df:
                assert set(df[column].dropna()) <= allowed, (delivery, column)
        assert df.geboortejaar.between(1900, delivery.peildatum.year).all()
        assert not df.duplicated(required).any(), delivery


def test_client_ids_are_pseudonyms_never_nine_digits(frames):
    ids = pd.concat([df.client_id for _, df in frames]).unique()
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{8,64}", i) for i in ids)
    assert not any(re.fullmatch(r"\d{9}", i) for i in ids)


def test_provider_dates_fit_the_quarter(frames):
    for delivery, df in frames:
        if delivery.kind != "aanbieder":
            continue
        quarter_start = dt.date(delivery.peildatum.year, delivery.peildatum.month - 2, 1)
        assert (df.startdatum <= delivery.peildatum).all()
        ended = df.dropna(subset=["einddatum"])
        assert (ended.einddatum >= ended.startdatum).all()
        assert (ended.einddatum >= quarter_start).all()
        assert (ended.einddatum <= delivery.peildatum).all()  # an end is known once it has passed


def test_initiative_only_on_basis_and_beschikking_only_with_aanvullend(frames):
    for delivery, df in frames:
        if delivery.kind == "aanbieder":
            assert (df.ondersteuning[df.maatschappelijk_initiatief.notna()] == "basis").all()
        else:
            assert (df.toeleiding[df.beschikking_duur.notna()] == "aanvullend").all()
            referred = df.toeleiding.isin(["basis", "aanvullend"])
            assert df.hoofdaanbieder[referred].notna().all()
            assert df.hoofdaanbieder[~referred].isna().all()


def test_registrations_fall_inside_their_quarter(frames):
    for delivery, df in frames:
        if delivery.kind == "wij":
            quarter_start = dt.date(delivery.peildatum.year, delivery.peildatum.month - 2, 1)
            assert df.aanmelddatum.between(quarter_start, delivery.peildatum).all()


def test_a_trajectory_keeps_its_dates_across_quarters(frames):
    rows = _current(frames)
    rows = rows[rows.aanbieder != "Stichting De Stadsbrug"]  # its 2028-Q2 file is missing
    key = ["client_id", "gebied", "product", "startdatum"]
    quarter = rows.peildatum.map({q: i for i, q in enumerate(QUARTERS)})
    spans = rows.assign(q=quarter).groupby(key).agg(
        first=("q", "min"), last=("q", "max"), n=("q", "size"),
        ends=("einddatum", lambda s: s.dropna().nunique()),
        birth=("geboortejaar", "nunique"), doelgroep=("doelgroep", "nunique"),
    )
    assert (spans.n == spans["last"] - spans["first"] + 1).all()  # consecutive quarters
    assert (spans.ends <= 1).all() and (spans.birth == 1).all() and (spans.doelgroep == 1).all()
    assert (spans.n >= 4).mean() > 0.4  # many run for a year or more


# --- the files -------------------------------------------------------------------------


def test_files_are_named_and_ordered_for_loading(small_files):
    names = [p.name for p in small_files[1]]
    for name in names:
        assert re.fullmatch(r"20\d\d-Q[1-4]_(WIJ|[a-z-]+_[A-Za-z-]+(_correctie)?)\.(csv|xlsx)", name) or \
            name == "2025-2028_gebiedsgegevens.xlsx", name
    assert "2027-Q2_west_Cooperatie-Westkwartier.csv" in names
    assert names.index("2027-Q2_west_Cooperatie-Westkwartier_correctie.csv") > names.index(
        "2027-Q2_west_Cooperatie-Westkwartier.csv"
    )
    assert "2027-Q2_WIJ.xlsx" in names and "2025-Q2_WIJ.csv" in names


def test_files_show_the_tolerated_variations(small_files):
    raw = {p.name: p.read_bytes() for p in small_files[1]}
    csvs = {name: data for name, data in raw.items() if name.endswith(".csv")}
    bom_semicolon = [n for n, d in csvs.items() if d.startswith(b"\xef\xbb\xbf") and b";" in d.split(b"\n")[0]]
    assert len(bom_semicolon) > len(raw) / 2  # most files
    assert any(d.startswith(b'"') and b'","' in d for d in csvs.values())  # comma, quoted
    cp1252 = [n for n, d in csvs.items() if b"Co\xf6peratie" in d]
    assert 1 <= len(cp1252) <= 2 and all(b"\r\n" in csvs[n] for n in cp1252)
    assert any(n.endswith(".xlsx") for n in raw)
    text = b"".join(csvs.values())
    for variation in (b"Oost en Ten Boer", b"Client ID", b"maatwerk", b"basisondersteuning", b"31-03-2027"):
        assert variation in text, variation


def test_workbooks_have_a_title_an_empty_row_and_native_dates(small_files):
    for path in small_files[1]:
        if path.suffix != ".xlsx":
            continue
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(max_row=4, values_only=True))
        assert "synthetische demodata" in rows[0][0]
        assert all(v is None for v in rows[1])
        header = [str(v).lower() for v in rows[2]]
        if "jaar" in header:  # the area table: no dates
            continue
        assert {"client_id", "client id"} & set(header)
        assert isinstance(rows[3][header.index("peildatum")], dt.datetime)


def test_every_file_reads_back_as_its_table(small_files):
    for delivery, path in zip(*small_files):
        assert_frame_matches(_read_back(path), delivery.table.to_pandas(), path.name)


def _read_back(path) -> pd.DataFrame:
    """A delivery file as canonical text columns, read with plain pandas."""
    if path.suffix == ".xlsx":
        sheet = pd.read_excel(path, header=None, dtype=object)
        header = sheet.index[sheet.apply(lambda r: r.astype(str).str.lower().isin(["client_id", "client id", "jaar"]).any(), axis=1)][0]
        frame = sheet.iloc[header + 1:].set_axis(sheet.iloc[header], axis=1).dropna(how="all")
    else:
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if _is_utf8(data) else data.decode("cp1252")
        delimiter = ";" if ";" in text.splitlines()[0] else ","
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    frame.columns = ["_".join(str(c).strip().lower().split()) for c in frame.columns]
    return frame.apply(lambda column: column.map(_canonical))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _canonical(value):
    if value is None or value == "" or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    text = str(value).strip()
    if re.fullmatch(r"\d\d-\d\d-\d{4}", text):
        return f"{text[6:]}-{text[3:5]}-{text[:2]}"
    lower = text.lower()
    return AREA_LABELS.get(lower) or SYNONYMS.get(lower) or (lower if lower in _ALL_CATEGORIES else text)


_ALL_CATEGORIES = set().union(*CATEGORIES.values())


def assert_frame_matches(read: pd.DataFrame, expected: pd.DataFrame, name: str) -> None:
    assert list(read.columns) == list(expected.columns), name
    assert _text_rows(read) == _text_rows(expected), name


def _text_rows(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(None if pd.isna(v) else str(v) for v in row) for row in frame.itertuples(index=False)]


def test_every_file_is_accepted_by_the_package_reader(small_files):
    for path in small_files[1]:
        report = check(path.read_bytes(), path.name)
        assert report.status == "accepted", (path.name, report.errors[:3])
        assert report.warnings == [], path.name


def test_writers_take_their_options(tmp_path, deliveries):
    table = deliveries[0].table.slice(0, 5)
    write_csv(table, tmp_path / "a.csv", delimiter=",", encoding="cp1252", label_style=True)
    text = (tmp_path / "a.csv").read_bytes().decode("cp1252")
    assert text.startswith('"Aanbieder","Peildatum","Client ID"')  # a label holds the delimiter: quoted
    assert '"Centrum, Oude Wijken"' in text and "\r" not in text
    write_csv(table, tmp_path / "b.csv", encoding="utf-8", eol="\r\n")
    assert (tmp_path / "b.csv").read_bytes().startswith(b"aanbieder;peildatum;client_id;gebied")
    assert b"\r\n" in (tmp_path / "b.csv").read_bytes()
    write_xlsx(table, tmp_path / "a.xlsx")  # no title rows: the header on row 1
    assert next(openpyxl.load_workbook(tmp_path / "a.xlsx").worksheets[0].values)[2] == "client_id"


# --- the scenario ------------------------------------------------------------------------


def test_the_deliveries_present_missing_and_redelivered(deliveries):
    slots = [(d.kind, d.aanbieder, d.peildatum, d.redelivery) for d in deliveries]
    assert [s for s in slots if s[0] == "wij"] == [("wij", None, q, False) for q in QUARTERS]
    providers = {s[1] for s in slots if s[0] == "aanbieder"}
    assert len(providers) == 3
    missing = {(p, q) for p in providers for q in QUARTERS} - {(s[1], s[2]) for s in slots}
    assert missing == {("Stichting De Stadsbrug", dt.date(2028, 6, 30))}
    twice = [d for d in deliveries if (d.aanbieder, d.peildatum) == ("Coöperatie Westkwartier", dt.date(2027, 6, 30))]
    assert [d.redelivery for d in twice] == [False, True]
    assert deliveries.index(twice[1]) > deliveries.index(twice[0])
    assert twice[1].table.num_rows > twice[0].table.num_rows
    assert [(d.kind, d.peildatum) for d in deliveries if d.kind == "gebied"] == [("gebied", QUARTERS[-1])]
    assert len(deliveries) == 3 * 16 - 1 + 1 + 16 + 1


def test_one_provider_serves_two_areas(frames):
    areas = {}
    for delivery, df in frames:
        if delivery.kind == "aanbieder":
            areas.setdefault(delivery.aanbieder, set()).update(df.gebied)
    assert sorted(map(len, areas.values())) == [1, 1, 2]


def test_about_six_thousand_users_per_quarter(users):
    per_area = users.groupby(["peildatum", "gebied"]).size().unstack()
    city = users.groupby("peildatum").client_id.nunique()
    complete = [q for q in QUARTERS if q != dt.date(2028, 6, 30)]
    assert city[complete].between(5_500, 6_500).all()
    start = per_area.loc[QUARTERS[0]]
    assert start["oost"] > start["west"] > start["zuid"] * 0.95 and start["centrum"] > 1_200
    assert dt.date(2028, 6, 30) not in per_area["centrum"].dropna().index


def test_share_basis_starts_low(share_basis):
    assert share_basis.loc[QUARTERS[0]].between(0.02, 0.09).all()
    assert share_basis.loc[QUARTERS[:4]].stack().between(0.02, 0.10).all()


def test_west_is_ahead_of_every_target(share_basis):
    for quarter, target in TARGETS.items():
        assert share_basis.loc[quarter, "west"] >= target + 0.05, quarter


def test_oost_is_on_track_in_2027_and_falls_behind_in_2028(share_basis):
    assert share_basis.loc[dt.date(2027, 12, 31), "oost"] >= 0.15
    assert share_basis.loc[dt.date(2028, 12, 31), "oost"] < 0.30
    assert share_basis.loc[dt.date(2028, 12, 31), "oost"] < share_basis.loc[dt.date(2028, 12, 31), "west"] - 0.1


def test_share_basis_rises_at_different_speeds(share_basis):
    rise = share_basis.loc[dt.date(2028, 12, 31)] - share_basis.loc[dt.date(2025, 3, 31)]
    assert (rise > 0.15).all() and rise.max() - rise.min() > 0.1


def test_share_through_an_initiative(users):
    basis_users = users[users.any_basis & users.peildatum.isin(QUARTERS[8:])]
    share = basis_users.groupby(["peildatum", "gebied"]).any_mi.mean()
    assert share.between(0.10, 0.40).all()
    city = basis_users.groupby("peildatum").any_mi.mean()
    assert city.between(0.15, 0.30).all()


def test_initiatives_named_in_the_contract_are_used(active):
    used = set(active.maatschappelijk_initiatief.dropna())
    assert {"Wiershoeck", "Kringloop Plus", "Odensehuis", "Hamelhuys"} <= used
    assert len(used) >= 6


def test_two_trajectories_mixed_support_two_areas_and_subcontractors(users, active):
    at_end = users[users.peildatum == QUARTERS[-1]]
    assert 0.1 < (at_end.n >= 2).mean() < 0.5
    assert 0.01 < (at_end.n.ge(2) & at_end.any_basis & ~at_end.all_basis).mean() < 0.2
    two_areas = at_end.groupby("client_id").gebied.nunique()
    assert 5 <= (two_areas == 2).sum() <= 200


def test_ages_and_doelgroep(active, users):
    persons = users.drop_duplicates(["peildatum", "client_id"])
    age = pd.Series([q.year for q in persons.peildatum], index=persons.index) - persons.geboortejaar
    assert age.between(27, 64).mean() > 0.5
    old = age >= 75
    year = pd.Series([q.year for q in persons.peildatum], index=persons.index)
    assert old[year == 2028].mean() > old[year == 2025].mean() + 0.02
    rows_age = pd.Series([q.year for q in active.peildatum], index=active.index) - active.geboortejaar
    assert (rows_age[active.doelgroep == "ouderen"] >= 65).mean() > 0.8


def test_registrations_per_quarter_and_rising_young_adults(registrations):
    per_quarter = registrations.groupby("peildatum").size()
    assert per_quarter.between(600, 900).all()
    age = pd.Series([d.year for d in registrations.aanmelddatum]) - registrations.geboortejaar
    young = registrations[age.between(18, 26) & (registrations.doelgroep == "psychisch")]
    by_year = young.groupby([q.year for q in young.peildatum]).size()
    assert by_year[2028] > 1.5 * by_year[2025]
    assert set(registrations.toeleiding) == CATEGORIES["toeleiding"]


def test_referrals_are_followed_by_a_trajectory_after_a_wait(registrations, frames):
    starts = _current(frames).groupby("client_id").startdatum.min()
    referred = registrations[registrations.toeleiding.isin(["basis", "aanvullend"])]
    wait = (pd.to_datetime(referred.client_id.map(starts)) - pd.to_datetime(referred.aanmelddatum)).dt.days
    settled = referred.aanmelddatum <= dt.date(2028, 9, 30)
    followed = wait[settled].between(10, 90)
    assert 0.8 < followed.mean() < 1
    still_waiting = referred[~settled & wait.isna()]
    assert len(still_waiting) > 50


# --- uitvoerders, the transition from 2026, access through WIJ ------------------------------

BASELINE = dt.date(2026, 12, 31)


def _normalised(names: pd.Series) -> pd.Series:
    """metrics.md: compared case-insensitively, inner runs of whitespace as one space."""
    return names.str.casefold().str.split().str.join(" ")


@pytest.fixture(scope="module")
def carried(active):
    """Active trajectories with the organisation that carries them out (normalised)."""
    uitvoerder = _normalised(active.uitvoerder.fillna(active.aanbieder))
    return active.assign(uitvoerder=uitvoerder, other=uitvoerder != _normalised(active.aanbieder))


def test_most_trajectories_by_the_hoofdaanbieder_a_share_by_subcontractors(active, carried):
    assert active.uitvoerder.isna().mean() > 0.5  # mostly left empty
    written_self = active[active.uitvoerder.notna() & ~carried.other]
    assert (written_self.uitvoerder == written_self.aanbieder).any()
    assert (written_self.uitvoerder != written_self.aanbieder).any()  # another case or spacing
    share = carried.groupby(["peildatum", "gebied"]).other.mean().unstack()
    assert share.stack().dropna().between(0.10, 0.35).all()
    assert (share.mean().max() - share.mean().min()) > 0.05  # the areas differ
    subcontractors = carried[carried.other].groupby("gebied").uitvoerder.unique()
    assert subcontractors.map(len).between(2, 5).all()
    assert not set(subcontractors["centrum"]) & set(subcontractors["west"])


def _kept(carried, base: dt.date, later: dt.date) -> tuple[float, float]:
    """Of the users at `base`: the share still a user at `later`, and of those the share
    with an uitvoerder they had at `base` (metrics.md section 3, city-wide)."""
    before = carried[carried.peildatum == base].groupby("client_id").uitvoerder.agg(set)
    after = carried[carried.peildatum == later].groupby("client_id").uitvoerder.agg(set)
    kept = before.index.intersection(after.index)
    same = sum(bool(before[c] & after[c]) for c in kept)
    return len(kept) / len(before), same / len(kept)


def test_the_baseline_quarter_and_2026_have_every_provider_delivery(deliveries):
    for quarter in QUARTERS[4:8]:
        providers = {d.aanbieder for d in deliveries if d.kind == "aanbieder" and d.peildatum == quarter}
        assert len(providers) == 3, quarter
    assert QUARTERS[7] == BASELINE


def test_most_users_continue_in_2027_mostly_at_the_same_uitvoerder(carried):
    kept, same = _kept(carried, BASELINE, dt.date(2027, 3, 31))
    assert 0.70 <= kept <= 0.95
    assert 0.90 <= same < 1  # a few change uitvoerder
    usual_kept, _ = _kept(carried, dt.date(2026, 9, 30), BASELINE)
    assert usual_kept - kept > 0.02  # some stop with the old contract
    later_kept, later_same = _kept(carried, BASELINE, dt.date(2028, 12, 31))
    assert later_kept < kept and later_same < same  # clients move between uitvoerders over time
    newcomers = ~carried[carried.peildatum == dt.date(2027, 3, 31)].client_id.isin(
        carried[carried.peildatum == BASELINE].client_id
    )
    assert newcomers.mean() > 0.05


def test_every_toeleiding_outcome_and_more_to_basis(registrations):
    from_2027 = registrations[registrations.peildatum >= dt.date(2027, 1, 1)]
    per_quarter = from_2027.groupby("peildatum").toeleiding.agg(set)
    assert len(per_quarter) == 8
    assert all(outcomes == CATEGORIES["toeleiding"] for outcomes in per_quarter)
    to_basis = registrations.assign(basis=registrations.toeleiding == "basis").groupby(
        [q.year for q in registrations.peildatum]
    ).basis.mean()
    assert to_basis[2026] < to_basis[2027] < to_basis[2028]
    assert to_basis[2028] > to_basis[2026] + 0.1


def test_more_open_ended_beschikkingen_and_some_left_empty(registrations):
    aanvullend = registrations[registrations.toeleiding == "aanvullend"]
    year = pd.Series([q.year for q in aanvullend.peildatum], index=aanvullend.index)
    empty = aanvullend.beschikking_duur.isna().groupby(year).mean()
    assert empty.between(0.02, 0.25).all()
    filled = aanvullend.beschikking_duur.dropna()
    onbepaald = (filled == "onbepaald").groupby(year[filled.index]).mean()
    assert onbepaald[2026] < onbepaald[2027] < onbepaald[2028]
    assert onbepaald[2026] < 0.2 and onbepaald[2028] > 0.3


# --- the area table (gebiedsgegevens) ---------------------------------------------------------


@pytest.fixture(scope="module")
def areas():
    return area_table().to_pandas().astype({"gebied": object})


def test_area_table_one_row_per_year_and_area(areas):
    assert list(areas.columns) == ["jaar", "gebied", "inwoners", "inwoners_75plus", "lumpsum_euro"]
    assert len(areas) == 4 * 4 and not areas.duplicated(["jaar", "gebied"]).any()
    assert set(areas.jaar) == {2025, 2026, 2027, 2028}
    assert set(areas.gebied) == {"centrum", "west", "oost", "zuid"}  # never `stad`
    assert (areas.inwoners_75plus <= areas.inwoners).all() and (areas[["inwoners", "lumpsum_euro"]] > 0).all().all()


def test_area_table_sums_fit_the_municipality(areas):
    per_year = areas.groupby("jaar")[["inwoners", "inwoners_75plus", "lumpsum_euro"]].sum()
    assert per_year.inwoners.between(240_000, 250_000).all()
    assert per_year.loc[2025, "inwoners"] in range(242_000, 246_001)
    assert per_year.inwoners_75plus.between(14_000, 17_500).all()
    assert per_year.lumpsum_euro.between(17_000_000, 17_600_000).all()
    growth = per_year.loc[2028] / per_year.loc[2025]
    assert 1 < growth.inwoners < 1.03 and growth.inwoners_75plus > growth.inwoners + 0.02


def test_area_table_lump_sum_follows_need(areas):
    for _, year in areas.groupby("jaar"):
        year = year.set_index("gebied")
        assert year.lumpsum_euro.max() / year.lumpsum_euro.min() > 1.1  # not an equal split
        # centrum has the fewest users and the fewest 75+: the smallest share
        assert year.inwoners_75plus.idxmin() == "centrum" == year.lumpsum_euro.idxmin()


def test_area_table_written_as_a_workbook(tmp_path, areas):
    delivery = Delivery("gebied", None, dt.date(2028, 12, 31), area_table())
    [path] = write_files([delivery], tmp_path)
    assert path.name == "2025-2028_gebiedsgegevens.xlsx"
    sheet = pd.read_excel(path, header=None)
    header = sheet.index[sheet[0] == "jaar"][0]
    read = sheet.iloc[header + 1:].set_axis(sheet.iloc[header], axis=1).reset_index(drop=True)
    assert_frame_matches(read, areas, path.name)


# --- the demo database ---------------------------------------------------------------------


def test_build_demo_loads_every_file_and_marks_the_database(tmp_path):
    (tmp_path / "gon.duckdb.building").write_bytes(b"left by a build that was stopped")
    build_demo(tmp_path / "gon.duckdb")
    # Built beside its place and then moved there whole, archive included.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gon.duckdb", "gon.duckdb.archive", "gon.duckdb.lock"]
    store = Store(tmp_path / "gon.duckdb")
    assert store.get_meta("demo") == "true"
    history = store.history()
    assert len(history) == 65 and history.current.sum() == 64
    replaced = history[~history.current]
    assert list(replaced.file_name) == ["2027-Q2_west_Cooperatie-Westkwartier.csv"]
