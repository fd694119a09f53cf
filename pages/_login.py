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
        found = access.oidc_user(users, st.user)
        if found:
            if st.session_state.get(_ui.USER_KEY) != found:  # once per browser session, not every rerun
                _ui.real_store().audit(access.audit_name(found.name), "inloggen", "OpenID Connect")
            return found
        _ui.real_store().audit(access.audit_name(str(st.user.get("email"))), "toegang geweigerd", "inlog zonder rol")
        st.error("Uw account heeft (nog) geen rol in de GON-monitor. Vraag een analist om u toe te voegen.")
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
    st.title("GON-monitor")
    st.write("Log in om de monitor van de gebiedsondersteuningsnetwerken te bekijken.")
    if _oidc_configured():
        st.button("Inloggen met uw gemeente-account", on_click=st.login, type="primary")
    with st.form("login"):
        name = st.text_input("Gebruikersnaam", autocomplete="username", max_chars=access.MAX_NAME_CHARS)
        password = st.text_input("Wachtwoord", type="password", autocomplete="current-password",
                                 max_chars=access.MAX_PASSWORD_CHARS)
        submitted = st.form_submit_button("Inloggen")
    if submitted:
        _attempt(users, name, password)


@st.cache_resource
def _throttle() -> access.LoginThrottle:
    """One per server process, shared by every browser session."""
    return access.LoginThrottle()


def _attempt(users: dict, name: str, password: str) -> None:
    """One login attempt: refused unchecked while throttled, else checked; each one audited."""
    actor, address = access.audit_name(name), st.context.ip_address
    detail = f"adres {address}" if address else ""
    wait = _throttle().admit(name, address)
    if wait:
        _ui.real_store().audit(actor, "inloggen geweigerd", ", ".join(filter(None, ["te veel mislukte pogingen", detail])))
        st.error(access.throttled_message(wait))
        return
    found = access.authenticate(users, name, password)
    if found:
        _throttle().succeeded(name, address)
        st.session_state[_ui.USER_KEY] = found
        _ui.real_store().audit(actor, "inloggen", detail)
        st.rerun()
    _ui.real_store().audit(actor, "inloggen mislukt", detail)
    st.error("Onbekende combinatie van gebruikersnaam en wachtwoord.")
