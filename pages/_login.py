"""The login gate: local users (bcrypt) or OpenID Connect, or local mode."""

from __future__ import annotations

import streamlit as st

from gonmetrics import access
from pages import _ui


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def signed_in_user() -> access.User:
    """The current user; renders the login page and stops the run when there is none."""
    users = access.load_users()
    if not users:
        if not access.is_loopback(st.get_option("server.address")):
            # Local mode makes every visitor an analyst: never on an address others can reach.
            st.error("Er zijn geen gebruikers ingesteld, dus deze monitor draait in lokale modus. Dat mag alleen "
                     "op 127.0.0.1. Stel gebruikers in (zie README) of start de monitor zonder ander adres.")
            st.stop()
        return access.LOCAL_USER
    if _oidc_configured() and st.user.get("is_logged_in"):
        found = access.oidc_user(users, st.user.get("email"))
        if found:
            return found
        _ui.real_store().audit(str(st.user.get("email")), "toegang geweigerd", "inlog zonder rol")
        st.error("Uw account heeft (nog) geen rol in de GON monitor. Vraag een analist om u toe te voegen.")
        st.button("Uitloggen", on_click=st.logout)
        st.stop()
    current = st.session_state.get(_ui.USER_KEY)
    if current is not None and current != access.LOCAL_USER:
        return current
    # Every page known (none shown), so that the URL asked for is still the page after login.
    st.navigation(_ui.streamlit_pages(access.PAGES), position="hidden")
    _login_page(users)
    st.stop()


def _login_page(users: dict) -> None:
    st.title("GON monitor")
    st.write("Log in om de monitor van de gebiedsondersteuningsnetwerken te bekijken.")
    if _oidc_configured():
        st.button("Inloggen met uw gemeente-account", on_click=st.login, type="primary")
    with st.form("login"):
        name = st.text_input("Gebruikersnaam", autocomplete="username")
        password = st.text_input("Wachtwoord", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Inloggen")
    if submitted:
        found = access.authenticate(users, name, password)
        if found:
            st.session_state[_ui.USER_KEY] = found
            _ui.real_store().audit(found.name, "inloggen", "")
            st.rerun()
        _ui.real_store().audit(name.strip()[:64] or "(leeg)", "inloggen mislukt", "")
        st.error("Onbekende combinatie van gebruikersnaam en wachtwoord.")
