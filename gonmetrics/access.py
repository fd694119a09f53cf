"""Who may see what: roles, the page table, and the users file.

One table (`PAGES`) says which role sees which page; the menu, the pages'
own guard and the tests all read it. Users come from a TOML file with
bcrypt-hashed passwords, or from OpenID Connect (st.login) with the role looked
up by e-mail address in the same file. Without a users file the dashboard runs
in local mode: loopback only, every visitor is an analyst.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import bcrypt

ANALIST, BESTUUR, RAAD = "analist", "bestuur", "raad"
ROLES = {
    ANALIST: "Analist (alles, inclusief aanleveren)",
    BESTUUR: "Bestuur (alle dashboards, geen aanleveringen)",
    RAAD: "Raad (overzicht, voortgang en definities; kleine aantallen afgeschermd)",
}
ALL = frozenset(ROLES)


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    script: str
    roles: frozenset


PAGES = (
    PageSpec("overzicht", "Overzicht", "pages/overzicht.py", ALL),
    PageSpec("gebied", "Gebied", "pages/gebied.py", frozenset({ANALIST, BESTUUR})),
    PageSpec("voortgang", "Voortgang", "pages/voortgang.py", ALL),
    PageSpec("aanleveren", "Aanleveren", "pages/aanleveren.py", frozenset({ANALIST})),
    PageSpec("definities", "Definities", "pages/definities.py", ALL),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def protected(self) -> bool:
        """Small numbers are protected for the council."""
        return self.role == RAAD


LOCAL_USER = User("lokaal", ANALIST)


def allowed(role: str, page_key: str) -> bool:
    return role in PAGE_BY_KEY[page_key].roles


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


def users_file() -> Path | None:
    """`GONMETRICS_USERS` if set, else `data/users.toml` if it exists."""
    configured = os.environ.get("GONMETRICS_USERS")
    path = Path(configured) if configured else Path(__file__).resolve().parent.parent / "data" / "users.toml"
    return path if path.exists() else None


def load_users(path: Path | None = None) -> dict[str, dict]:
    """{login name or e-mail: {"role": ..., "password_hash": ... (local users only)}}."""
    path = path or users_file()
    if path is None:
        return {}
    with path.open("rb") as f:
        users = tomllib.load(f).get("users", {})
    for name, entry in users.items():
        if entry.get("role") not in ROLES:
            raise ValueError(f"Gebruiker '{name}' in {path} heeft geen geldige rol ({', '.join(ROLES)}).")
    return users


def is_loopback(address: str | None) -> bool:
    """Whether a server address is reachable from this computer only (local mode needs it)."""
    return (address or "").strip().lower() in {"127.0.0.1", "localhost", "::1"}


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def authenticate(users: dict[str, dict], name: str, password: str) -> User | None:
    """A local user whose password matches, else None (same answer for unknown names)."""
    entry = users.get(name.strip())
    stored = (entry or {}).get("password_hash", "")
    # Always run one bcrypt check, so unknown names cost as much time as wrong passwords.
    ok = bcrypt.checkpw(password.encode("utf-8"), stored.encode("ascii") if stored else _DUMMY_HASH)
    return User(name.strip(), entry["role"]) if ok and entry and stored else None


def oidc_user(users: dict[str, dict], email: str | None) -> User | None:
    """The role of an identity-provider login, looked up by e-mail address."""
    entry = users.get((email or "").strip().lower())
    return User(email, entry["role"]) if entry else None


_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=4))
