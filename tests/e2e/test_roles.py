"""Every role x page in a real browser, with local users (bcrypt) from a users file:
without a login only the login page renders; after login, a page of the role's menu
renders and any other page's URL, opened directly, shows nothing of the page and is
logged as a refused access."""

from __future__ import annotations

import re

import pytest

from gonmetrics import access
from gonmetrics.demo import build_demo
from gonmetrics.store import Store
from tests.e2e.conftest import Server, open_page, page_url, wait_idle

PASSWORD = "geheim-123"
USERS = {role: f"{role}-gebruiker" for role in access.ROLES}
REFUSED = "U heeft geen toegang tot deze pagina."


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    build_demo(folder / "gon.duckdb")
    users = folder / "users.toml"
    users.write_text("".join(f'[users.{name}]\nrole = "{role}"\npassword_hash = "{access.hash_password(PASSWORD)}"\n'
                             for role, name in USERS.items()), encoding="utf-8")
    server = Server(folder / "gon.duckdb", env={"GONMETRICS_USERS": str(users)})
    yield server, folder / "gon.duckdb"
    server.stop()


def log_in(page, name: str) -> None:
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    wait_idle(page)


@pytest.mark.parametrize("spec", access.PAGES, ids=lambda spec: spec.key)
def test_without_login_only_the_login_page_renders(secured, page, spec):
    server, _ = secured
    open_page(page, page_url(server, spec))
    page.get_by_label("Wachtwoord").wait_for()
    main = page.get_by_test_id("stMain").inner_text()
    assert spec.title not in main.replace("GON-monitor", "")
    assert page.locator(".st-key-menu").count() == 0 and page.get_by_test_id("stSidebarNav").count() == 0  # no menu


@pytest.mark.parametrize("role", list(access.ROLES))
@pytest.mark.parametrize("spec", access.PAGES, ids=lambda spec: spec.key)
def test_each_role_sees_its_pages_and_is_refused_the_others(secured, page, role, spec):
    server, db = secured
    open_page(page, page_url(server, spec))
    page.get_by_label("Gebruikersnaam").wait_for()
    log_in(page, USERS[role])
    page.locator(".st-key-menu a").last.wait_for()
    menu = page.locator(".st-key-menu a").all_inner_texts()
    assert menu == [p.title for p in access.pages_for(role)]
    heading = page.get_by_role("heading", name=spec.title, level=1)
    if access.allowed(role, spec.key):
        heading.wait_for()
        assert page.get_by_text(REFUSED).count() == 0
    else:
        page.get_by_text(REFUSED).wait_for()
        assert heading.count() == 0
        assert page.get_by_test_id("stPlotlyChart").count() == 0 and page.get_by_test_id("stMetric").count() == 0
        with Store(db).connect() as con:
            logged = con.execute("SELECT actor, detail FROM audit_log WHERE action = 'toegang geweigerd'").fetchall()
        assert (USERS[role], f"pagina {spec.key}") in logged


def _spec(key: str):
    return next(spec for spec in access.PAGES if spec.key == key)


NOTE_SECTIONS = ("Overgang van bestaande gebruikers", "Toegang via WIJ", "Keuze")
GEBIED_TABS = ("Overgang", "WIJ", "Keuze", "Context")  # where Gebied shows them


def test_an_alderman_sees_the_notes_other_questions_on_gebied(secured, page):
    server, _ = secured
    page.set_default_timeout(180_000)  # the longest page, on a machine that may be busy
    open_page(page, page_url(server, _spec("gebied")))
    log_in(page, USERS["bestuur"])
    for tab, heading in zip(GEBIED_TABS, (*NOTE_SECTIONS, "Gebied in context")):
        page.get_by_role("tab", name=tab, exact=True).click()  # only the open tab's content is sent
        page.get_by_role("heading", name=heading, exact=True).first.wait_for()
        assert page.locator("[data-testid='stException']").count() == 0


def test_the_council_sees_the_notes_other_questions_with_small_numbers_protected(secured, page):
    server, db = secured
    with Store(db).connect() as con:  # the unprotected figures: some outcome of WIJ access is 1-9 people
        last = con.execute("SELECT max(peildatum) FROM quarter_uploads WHERE kind = 'wij'").fetchone()[0]
        small = con.execute(
            "SELECT count(*) FROM current_registrations WHERE peildatum = ? GROUP BY gebied, toeleiding "
            "HAVING count(*) BETWEEN 1 AND 9", [last]).fetchall()
    assert small, "the demo should have a small outcome count in its last quarter"
    page.set_default_timeout(180_000)
    open_page(page, page_url(server, _spec("voortgang")))
    log_in(page, USERS["raad"])
    page.get_by_role("tab", name="Meer cijfers", exact=True).click()  # only the open tab's content is sent
    for heading in NOTE_SECTIONS:
        page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    access_table = page.locator("[data-testid='stTable']").filter(has_text="lichte ondersteuning").first
    withheld = access_table.locator("td").filter(has_text=re.compile(r"^x$"))  # a share of 1-9 people
    withheld.first.wait_for()  # the page may still be drawing its lower tables
    assert withheld.count() >= 1
