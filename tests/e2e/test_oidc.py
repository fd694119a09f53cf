"""The login a municipality uses: st.login against a real OpenID Connect provider
(oidc-provider-mock, on a free loopback port in this process), in Chromium. The role
comes from the users file by lower-case e-mail address; an account without a role is
refused and logged."""

from __future__ import annotations

import secrets

import pytest
from oidc_provider_mock import run_server_in_thread

from gonmetrics import access
from gonmetrics.store import Store
from tests.conftest import ROW, provider_csv
from tests.e2e.conftest import Server, free_port, open_page, screenshot, wait_idle

COUNCIL_EMAIL = "raadslid@groningen.nl"
NO_ROLE = "Uw account heeft (nog) geen rol"


@pytest.fixture(scope="module")
def provider():
    """The identity provider; it accepts any client id and secret, and Authlib accepts
    plain http on a loopback address. Its authorize page signs in whoever is typed in."""
    with run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, provider):
    """The dashboard with an [auth] section in a temporary secrets file (never the
    project's .streamlit/) and a users file that gives one e-mail address the role raad."""
    folder = tmp_path_factory.mktemp("oidc")
    db = folder / "gon.duckdb"
    Store(db).ingest(provider_csv(ROW), "q1.csv", user="test")  # one tiny delivery: no demo to build
    users = folder / "users.toml"
    users.write_text(f'[users."{COUNCIL_EMAIL}"]\nrole = "raad"\n', encoding="utf-8")
    port = free_port()
    auth = folder / "secrets.toml"
    auth.write_text(f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
                    f'cookie_secret = "{secrets.token_hex(32)}"\nclient_id = "gon-monitor"\n'
                    f'client_secret = "{secrets.token_hex(16)}"\n'
                    f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    server = Server(db, env={"GONMETRICS_USERS": str(users)}, port=port, args=(f"--secrets.files={auth}",))
    yield server, db
    server.stop()


def sign_in_at_provider(page, server, email: str) -> None:
    """From the login page to the provider's authorize page, as `email`, and back."""
    page.get_by_role("button", name="Inloggen met uw gemeente-account").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server.url}/**")
    wait_idle(page)


def logged(db, action: str) -> list[tuple]:
    with Store(db).connect() as con:
        return con.execute("SELECT actor, detail FROM audit_log WHERE action = ? ORDER BY logged_at",
                           [action]).fetchall()


def test_a_council_member_signs_in_sees_the_council_menu_and_signs_out(oidc_server, page):
    server, db = oidc_server
    open_page(page, server.url)
    screenshot(page, "oidc-1-login-page")
    sign_in_at_provider(page, server, COUNCIL_EMAIL)
    page.locator(".st-key-menu a").last.wait_for()
    screenshot(page, "oidc-2-signed-in-as-raad")
    assert page.locator(".st-key-menu a").all_inner_texts() == ["Overzicht", "Voortgang", "Definities"]
    assert [p.title for p in access.pages_for(access.RAAD)] == ["Overzicht", "Voortgang", "Definities"]
    assert page.get_by_role("heading", name="Overzicht", level=1).count() == 1
    assert COUNCIL_EMAIL in page.get_by_test_id("stSidebar").inner_text()

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_role("button", name="End session").click()  # the provider's own confirmation
    page.get_by_role("button", name="Inloggen met uw gemeente-account").wait_for()
    wait_idle(page)
    screenshot(page, "oidc-3-signed-out")
    assert page.locator(".st-key-menu a").count() == 0
    open_page(page, server.url)  # the session cookie is gone: no silent sign-in
    page.get_by_role("button", name="Inloggen met uw gemeente-account").wait_for()
    assert page.locator(".st-key-menu a").count() == 0
    assert logged(db, "inloggen") == [(COUNCIL_EMAIL, "OpenID Connect")]  # once, not per rerun


def test_an_account_without_a_role_is_refused_and_logged(oidc_server, page):
    server, db = oidc_server
    open_page(page, server.url)
    sign_in_at_provider(page, server, "Onbekend@Example.org")
    page.get_by_text(NO_ROLE).wait_for()
    screenshot(page, "oidc-4-no-role")
    assert page.locator(".st-key-menu a").count() == 0
    assert page.get_by_role("heading", name="Overzicht", level=1).count() == 0
    assert ("Onbekend@Example.org", "inlog zonder rol") in logged(db, "toegang geweigerd")
