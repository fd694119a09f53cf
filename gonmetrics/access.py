"""Who may see what: roles, the page table, and the users file.

One table (`PAGES`) says which role sees which page; the menu, the pages'
own guard and the tests all read it. Users come from a TOML file with
bcrypt-hashed passwords, or from OpenID Connect (st.login) with the role looked
up by e-mail address in the same file. Without a users file the dashboard runs
in local mode: loopback only, every visitor is an analyst.

Local login under misuse: `LoginThrottle` slows down guessing per user name and
per client address; unknown names cost the same bcrypt work as known ones; bcrypt
reads the first 72 bytes of a password only, so both `hash_password` and
`authenticate` cut the UTF-8 bytes there (a longer password works, its tail is
ignored) instead of failing.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import time
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from . import settings

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
    path = settings.users_path()
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
        if "password_hash" in entry and not _BCRYPT_HASH.fullmatch(entry["password_hash"]):
            # Checked here, because every login reads the costs of all hashes (see authenticate).
            raise ValueError(f"Gebruiker '{name}' in {path} heeft geen geldige password_hash (maak die met "
                             "hash_password, zie README).")
    return users


def is_loopback(address: str | None) -> bool:
    """Whether a server address is reachable from this computer only (local mode needs it)."""
    return (address or "").strip().lower() in {"127.0.0.1", "localhost", "::1"}


_BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
BCRYPT_BYTES = 72  # bcrypt reads no more; bcrypt 5 raises ValueError on longer input
DEFAULT_COST = 12  # bcrypt.gensalt()'s cost, used by hash_password
MAX_NAME_CHARS = 64  # the login form's name field and the audit log's actor
MAX_PASSWORD_CHARS = 256  # the login form's password field; only 72 bytes count


def _secret(password: str) -> bytes:
    """The password as bcrypt sees it: the first 72 bytes of its UTF-8, the same when
    hashing and when checking (a cut through a character is harmless: both cut alike)."""
    return password.encode("utf-8")[:BCRYPT_BYTES]


def hash_password(password: str) -> str:
    return bcrypt.hashpw(_secret(password), bcrypt.gensalt(DEFAULT_COST)).decode("ascii")


def authenticate(users: dict[str, dict], name: str, password: str) -> User | None:
    """A local user whose password matches, else None (same answer for unknown names)."""
    entry = users.get(name.strip())
    stored = (entry or {}).get("password_hash", "")
    # Always run one bcrypt check of the same cost, so unknown names take as long as wrong passwords.
    ok = bcrypt.checkpw(_secret(password), stored.encode("ascii") if stored else _dummy_hash(_stored_cost(users)))
    return User(name.strip(), entry["role"]) if ok and entry and stored else None


def _stored_cost(users: dict[str, dict]) -> int:
    """The highest bcrypt cost in the users file ($2b$<cost>$...), else that of hash_password."""
    costs = [int(e["password_hash"].split("$")[2]) for e in users.values() if e.get("password_hash")]
    return max(costs, default=DEFAULT_COST)


@functools.cache
def _dummy_hash(cost: int) -> bytes:
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(cost))


def audit_name(name: str) -> str:
    """A typed name as the audit log's actor: attacker-controlled, so without control or
    format characters (newlines, escapes, bidi overrides) and at most 64 characters."""
    printable = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    return printable[:MAX_NAME_CHARS] or "(leeg)"


def throttled_message(seconds: int) -> str:
    unit = "seconde" if seconds == 1 else "seconden"
    return f"Te veel mislukte pogingen. Probeer het over {seconds} {unit} opnieuw."


class LoginThrottle:
    """A growing delay after failed logins, per user name (lower-cased) and per client
    address. Five failures are free; then each next attempt must wait 2 ** (failures - 5)
    seconds after the last failure, at most 15 minutes, and is refused unchecked before
    that. A key's failures are forgotten 15 quiet minutes after its wait ended; a
    success clears the user name's. The state lives in this server process: a restart
    clears it (the audit log keeps every attempt).

    An admitted attempt counts as failed at once, until `succeeded` says otherwise: so
    parallel sessions cannot all slip through while bcrypt is still checking."""

    FREE_FAILURES = 5
    MAX_WAIT = 15 * 60
    FORGET_AFTER = 15 * 60

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, time of the last)
        self._lock = threading.Lock()  # every browser session runs in its own thread

    def admit(self, name: str, address: str | None) -> int:
        """0 if this attempt may check its password (and is counted as failed), else the
        whole seconds it must still wait."""
        keys = _keys(name, address)
        with self._lock:
            now = self._clock()
            self._forget(now)
            wait = max((self._wait(key, now) for key in keys), default=0)
            if wait:
                return wait
            for key in keys:
                count, _ = self._failures.get(key, (0, now))
                self._failures[key] = (count + 1, now)
            return 0

    def succeeded(self, name: str, address: str | None) -> None:
        """Undo the failure `admit` counted: the user name starts afresh; the address
        (perhaps a gateway shared with colleagues) loses this one failure only."""
        user_key, *address_key = _keys(name, address)
        with self._lock:
            self._failures.pop(user_key, None)
            for key in address_key:
                if key in self._failures:
                    count, last = self._failures[key]
                    self._failures[key] = (max(count - 1, 0), last)

    def _delay(self, count: int) -> float:
        return 0 if count < self.FREE_FAILURES else min(2 ** (count - self.FREE_FAILURES), self.MAX_WAIT)

    def _wait(self, key: str, now: float) -> int:
        count, last = self._failures.get(key, (0, now))
        return max(math.ceil(last + self._delay(count) - now), 0)

    def _forget(self, now: float) -> None:
        for key, (count, last) in list(self._failures.items()):
            if now >= last + self._delay(count) + self.FORGET_AFTER:
                del self._failures[key]


def _keys(name: str, address: str | None) -> list[str]:
    """The throttle's keys of an attempt: its user name, and its address when known
    (Streamlit gives none for a connection from this computer)."""
    return [f"naam:{audit_name(name).lower()}"] + ([f"adres:{address}"] if address else [])


def oidc_user(users: dict[str, dict], claims) -> User | None:
    """The role of an identity-provider login, looked up by its e-mail address. An address the
    provider says it has not verified (`email_verified` false) gets none: anyone could claim it.
    Providers that do not send the claim at all are trusted to have checked it."""
    if claims.get("email_verified") in (False, "false"):
        return None
    email = claims.get("email")
    entry = users.get((email or "").strip().lower())
    return User(email, entry["role"]) if entry else None

