"""The note's other questions on the pages (issue 12): Gebied's sections on the transition,
access through WIJ, choice and context, the council's figures on Voortgang and the lines
on Overzicht, driven through dashboard.py with AppTest for the aldermen (bestuur) and the
council (raad), on a tiny hand-made database and on the demo."""

from __future__ import annotations

import datetime as dt

import pytest

from gonmetrics import access
from gonmetrics.narrative import area_label
from gonmetrics.store import Store
from gonmetrics.vocab import AREAS
from tests.conftest import provider_csv, wij_csv
from tests.test_pages_dashboards import (app, chart_specs, demo_path, downloads, ingest,  # noqa: F401  (fixtures)
                                         open_tab, shown, shown_in_every_tab)

NBSP = "\u00a0"
B, Q1 = "2026-12-31", "2027-03-31"


def trajectory(peildatum: str, n: int, uitvoerder: str = "", born: int = 1980) -> str:
    return (f"Zorg BV;{peildatum};client-{n:04};west;{born};aanvullend;begeleiding;psychisch;2026-01-01;;;"
            f"{uitvoerder}")


# West, all at Zorg BV (an empty uitvoerder is Zorg BV itself); clients 1 and 2 born in 1945 (75+).
# Baseline K4 2026: clients 1-12; 1-3 at the subcontractor De Brug.
# K1 2027: 1-10 stay (11, 12 stop), 13-16 are new; 1-3 still at De Brug, 4 moved to Wiershoeck.
#   kept 10 of 12 = 83,3 %; at the same uitvoerder 9 of 10 (all but 4) = 90,0 %;
#   users 14; uitvoerders 3 (Zorg BV, De Brug, Wiershoeck); another uitvoerder than Zorg BV: 1-4, 4 of 14 = 28,6 %;
#   list: Zorg BV 10 (5-10, 13-16), De Brug 3, Wiershoeck 1.
def _who(n: int, quarter: str) -> str:
    if n <= 3:
        return "De Brug"
    return "Wiershoeck" if n == 4 and quarter == Q1 else ""


BASELINE = [trajectory(B, n, _who(n, B), 1945 if n <= 2 else 1980) for n in range(1, 13)]
QUARTER = [trajectory(Q1, n, _who(n, Q1), 1945 if n <= 2 else 1980) for n in (*range(1, 11), *range(13, 17))]
# WIJ K1 2027, west: 10 registrations: basis 2 (20,0 %), aanvullend 4 (40,0 %), one each (10,0 %) of lichte
# ondersteuning, maatschappelijk initiatief, anders and lopend; of the aanvullend ones 1 onbepaald, 2 bepaald
# and 1 without a duration: 1 of 3 open-ended = 33,3 %.
OUTCOMES = ["basis", "basis", "aanvullend", "aanvullend", "aanvullend", "aanvullend", "lichte_ondersteuning",
            "maatschappelijk_initiatief", "anders", "lopend"]
DURATIONS = {2: "onbepaald", 3: "bepaald", 4: "bepaald"}
REGISTRATIONS = [f"{Q1};client-{90 + n:04};west;1980;2027-02-01;overig;{outcome};"
                 f"{'Zorg BV' if outcome == 'aanvullend' else ''};{DURATIONS.get(n, '')}"
                 for n, outcome in enumerate(OUTCOMES)]
# Area table 2027: west 10.000 inhabitants, 1.000 of 75+, lump sum € 500.000 (the other areas 1 each: they
# make the city's row exist). West in K1 2027: 14 users -> 1,4 per 1.000; 2 of 75+ -> 2,0 per 1.000;
# 500.000 / 14 = 35.714,29 -> € 35.714.
AREA_TABLE = [("centrum", 1, 1, 1), ("west", 10_000, 1_000, 500_000), ("oost", 1, 1, 1), ("zuid", 1, 1, 1)]


def add_area_table(store: Store, year: int, rows) -> None:
    """The area table straight into the store (its loader is built elsewhere), as current for the year."""
    with store.connect() as con:
        con.execute("INSERT INTO uploads VALUES (900, 'gebied', NULL, ?, 'gebied.csv', 'sha900', 't', "
                    "TIMESTAMP '2027-01-01 12:00', ?, 'sha900.csv')", [dt.date(year, 12, 31), len(rows)])
        for n, (gebied, inwoners, oud, lumpsum) in enumerate(rows, start=2):
            con.execute("INSERT INTO area_rows VALUES (900, ?, ?, ?, ?, ?, ?)", [n, year, gebied, inwoners, oud, lumpsum])
        con.execute("INSERT INTO current_uploads VALUES ('gebied', ?, ?, 900)", [str(year), dt.date(year, 12, 31)])


@pytest.fixture
def users(monkeypatch, tmp_path):
    path = tmp_path / "users.toml"
    password = access.hash_password("pw")
    path.write_text(f'[users.wethouder]\nrole = "bestuur"\npassword_hash = "{password}"\n'
                    f'[users.raadslid]\nrole = "raad"\npassword_hash = "{password}"\n')
    monkeypatch.setenv("GONMETRICS_USERS", str(path))


def note_store(monkeypatch, tmp_path, area_table: bool) -> Store:
    monkeypatch.setenv("GONMETRICS_DB", str(tmp_path / "note.duckdb"))
    store = Store(tmp_path / "note.duckdb")
    if area_table:
        add_area_table(store, 2027, AREA_TABLE)
    ingest(store, provider_csv(*BASELINE), "zorg_k4_2026.csv")
    ingest(store, provider_csv(*QUARTER), "zorg_k1_2027.csv")
    ingest(store, wij_csv(*REGISTRATIONS), "wij_k1_2027.csv")
    return store


@pytest.fixture
def with_area_table(users, monkeypatch, tmp_path) -> Store:
    return note_store(monkeypatch, tmp_path, area_table=True)


def login(name: str, page: str | None = None, **query):
    from tests.test_pages_dashboards import login as sign_in, visit

    return visit(sign_in(name, "pw"), page, **query)


def headers(at) -> list[str]:
    return [h.value for h in at.header]


def table_with(at, first_column: str):
    return next(t.value for t in [*at.table, *at.dataframe] if list(t.value.columns)[0] == first_column)


# --- Gebied (bestuur) ----------------------------------------------------------------------


def test_gebied_shows_the_four_new_sections_for_the_aldermen(with_area_table, downloads):
    at = login("wethouder", "pages/gebied.py", gebied="west")
    assert at.selectbox[1].value == dt.date(2027, 3, 31)
    assert headers(open_tab(at, "Overgang"))[1:] == ["Overgang van bestaande gebruikers"]
    assert ("Van de 12 gebruikers in West in K4 2026, vóór de gebiedsondersteuningsnetwerken, hadden er op "
            "31-03-2027 10 "
            f"(83,3{NBSP}%) nog ondersteuning; 90,0{NBSP}% van hen bij dezelfde uitvoerder.") in shown(at)
    assert [c.key for c in at.get("plotly_chart")] == ["chart-overgang_west"]

    assert "Toegang via WIJ" in headers(open_tab(at, "WIJ"))
    assert (f"Uitkomst van de 10 aanmeldingen bij WIJ in West in K1 2027: 20,0{NBSP}% basis, 40,0{NBSP}% aanvullend, "
            f"10,0{NBSP}% lichte ondersteuning door WIJ, 10,0{NBSP}% maatschappelijk initiatief, 10,0{NBSP}% andere "
            f"hulp, 10,0{NBSP}% nog lopend. Van de beschikkingen voor aanvullende ondersteuning (met bekende duur) is "
            f"33,3{NBSP}% voor onbepaalde tijd.") in shown(at)
    # the outcome mix as stacked bars, six outcomes with their Dutch names
    mix = next(spec for spec in chart_specs(at) if any(t.get("name") == "nog lopend" for t in spec["data"]))
    assert [t["name"] for t in mix["data"] if t["type"] == "bar"] == [
        "basis", "aanvullend", "lichte ondersteuning door WIJ", "maatschappelijk initiatief", "andere hulp",
        "nog lopend"]

    assert headers(open_tab(at, "Keuze"))[1:] == ["Keuze"]
    assert (f"In West werkten op 31-03-2027 3 uitvoerders; 28,6{NBSP}% van de gebruikers had minstens één traject "
            "bij een andere uitvoerder dan de hoofdaanbieder.") in shown(at)
    # the aldermen see the small counts of the list of uitvoerders
    assert table_with(at, "Uitvoerder").values.tolist() == [["Zorg BV", "10"], ["De Brug", "3"], ["Wiershoeck", "1"]]
    listed = downloads["uitvoerders_west_K1_2027.csv"]().decode("utf-8-sig")
    assert listed == "Uitvoerder;Gebruikers\r\nZorg BV;10\r\nDe Brug;3\r\nWiershoeck;1\r\n"

    assert headers(open_tab(at, "Context"))[1:] == ["Gebied in context"]
    context = ("In West waren er op 31-03-2027 1,4 gebruikers per 1.000 inwoners, 2,0 gebruikers van 75 jaar of "
               f"ouder per 1.000 inwoners van 75 jaar of ouder en een lumpsum van €{NBSP}35.714 per gebruiker per "
               "jaar.")
    assert context in shown(at)
    assert [c.key for c in at.get("plotly_chart")] == [
        "chart-users_per_1000_west", "chart-users75_per_1000_west", "chart-lumpsum_per_user_west"]


def test_gebied_without_an_area_table_says_so_instead_of_failing(users, monkeypatch, tmp_path):
    note_store(monkeypatch, tmp_path, area_table=False)
    at = login("wethouder", "pages/gebied.py", gebied="west", onderdeel="Context")
    assert "Gebied in context" in headers(at)
    assert "Er zijn nog geen gebiedsgegevens voor 2027." in shown(at)
    assert not at.error


# --- Voortgang and Overzicht (raad: protected) ------------------------------------------------


def test_council_voortgang_shows_the_further_figures_protected(with_area_table, downloads):
    at = login("raadslid", "pages/voortgang.py", onderdeel="Meer cijfers")
    subheaders = [s.value for s in at.subheader]
    for heading in ("Instroom jongvolwassenen psychisch kwetsbaar", "Ouderen (75 jaar of ouder)",
                    "Wachttijd van aanmelding bij WIJ tot start", "Overgang van bestaande gebruikers",
                    "Toegang via WIJ", "Keuze"):
        assert heading in subheaders, heading
    # city first, the areas beside it; the 10 registrations are shown, each outcome of 1 to 4 is withheld
    access_table = table_with(at, "Cijfer")
    assert list(access_table.columns) == ["Cijfer", *map(area_label, ("stad", *AREAS))]
    toegang = next(t.value for t in at.table if "Uitkomst toeleiding: basis" in list(t.value.get("Cijfer", [])))
    assert toegang.set_index("Cijfer").loc["Uitkomst toeleiding: basis", "West"] == "x"
    # the uitvoerders of the city: 3 and 1 users are small numbers
    assert table_with(at, "Uitvoerder").values.tolist() == [["Zorg BV", "10"], ["De Brug", "< 10"],
                                                           ["Wiershoeck", "< 10"]]
    text = shown_in_every_tab(at)
    for secret in (f"83,3{NBSP}%", f"33,3{NBSP}%", f"20,0{NBSP}%"):
        assert secret not in text, secret
    report = downloads["voortgang_K1_2027.html"]().decode("utf-8")
    for heading in ("Overgang van bestaande gebruikers", "Toegang via WIJ", "Keuze", "Ouderen (75 jaar of ouder)"):
        assert f"<h2>{heading}</h2>" in report
    assert "<td>De Brug</td><td>&lt; 10</td>" in report
    for secret in (f"83,3{NBSP}%", f"33,3{NBSP}%", "<td>De Brug</td><td>3</td>"):
        assert secret not in report, secret


def test_overzicht_has_a_line_on_the_transition_and_the_lump_sum(with_area_table):
    at = login("wethouder")
    lines = [m.value for m in at.markdown]
    assert (f"Overgang bestaande gebruikers (sinds K4 2026): 83,3{NBSP}% nog in ondersteuning, 90,0{NBSP}% van "
            "hen bij dezelfde uitvoerder.") in lines
    assert f"Lumpsum per gebruiker: €{NBSP}35.714 per jaar (2027)." in lines
    # centrum has no users: no lump sum per user, and no baseline users either
    assert "Lumpsum per gebruiker: geen gebruikers." in lines


def test_council_overzicht_protects_the_transition(with_area_table):
    at = login("raadslid")
    lines = [m.value for m in at.markdown]
    assert "Overgang bestaande gebruikers: afgeschermd (kleine aantallen)." in lines  # 2 of the 12 stopped
    assert f"83,3{NBSP}%" not in shown(at)


# --- the demo ------------------------------------------------------------------------------------


def test_demo_gebied_and_voortgang_show_the_new_sections(demo_path, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.setenv("GONMETRICS_DB", str(demo_path))
    monkeypatch.setenv("GONMETRICS_USERS", str(tmp_path / "no-users.toml"))
    at = app("pages/gebied.py", gebied="oost")
    for tab, heading in (("Overgang", "Overgang van bestaande gebruikers"), ("WIJ", "Toegang via WIJ"),
                         ("Keuze", "Keuze"), ("Context", "Gebied in context")):
        assert heading in headers(open_tab(at, tab))
        assert not at.error
    at = app("pages/voortgang.py", onderdeel="Meer cijfers")
    assert {"Overgang van bestaande gebruikers", "Toegang via WIJ", "Keuze"} <= {s.value for s in at.subheader}
    assert not at.error
