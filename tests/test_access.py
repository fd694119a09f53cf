"""Local login under misuse: the growing delay per user name and per address, equal
bcrypt cost for unknown names, long passwords, and what the audit log gets. The
expected delays are worked out by hand from the rule in access.LoginThrottle:
5 failures are free, then the next attempt waits 2 ** (failures - 5) s, at most 900 s."""

from __future__ import annotations

import functools
from pathlib import Path

import bcrypt
import pytest
from streamlit.testing.v1 import AppTest

from gonmetrics import access
from gonmetrics.store import Store

PROJECT = Path(__file__).resolve().parent.parent
UNKNOWN = "Onbekende combinatie van gebruikersnaam en wachtwoord."


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def throttle(clock) -> access.LoginThrottle:
    return access.LoginThrottle(clock=clock)


def fail(throttle, times: int, name: str = "anna", address: str | None = None) -> None:
    """Attempts that are let through (and then fail: nobody calls succeeded)."""
    for _ in range(times):
        assert throttle.admit(name, address) == 0


# --- the throttle -----------------------------------------------------------------------


def test_five_failures_are_free_then_the_next_attempt_waits(throttle, clock):
    fail(throttle, 5)
    assert throttle.admit("anna", None) == 1
    clock.now += 0.5
    assert throttle.admit("anna", None) == 1  # 0.5 s left, rounded up
    clock.now += 0.5
    assert throttle.admit("anna", None) == 0  # the 6th failure
    assert throttle.admit("anna", None) == 2


def test_the_delay_doubles_and_stops_at_fifteen_minutes(throttle, clock):
    fail(throttle, 5)
    for failures, wait in [(5, 1), (6, 2), (7, 4), (8, 8), (9, 16), (10, 32), (11, 64), (12, 128), (13, 256),
                           (14, 512), (15, 900), (16, 900), (17, 900)]:
        assert throttle.admit("anna", None) == wait, failures
        clock.now += wait - 0.25
        assert throttle.admit("anna", None) == 1, failures  # still waiting
        clock.now += 0.25
        assert throttle.admit("anna", None) == 0, failures


def six_failures(throttle, clock) -> None:
    """Five free failures and, a second later, the sixth: the next waits 2 s."""
    fail(throttle, 5)
    clock.now += 1
    fail(throttle, 1)


def test_refused_attempts_do_not_lengthen_the_wait(throttle, clock):
    six_failures(throttle, clock)
    for _ in range(20):
        assert throttle.admit("anna", None) == 2
    clock.now += 2
    assert throttle.admit("anna", None) == 0


def test_the_user_name_key_ignores_case_and_spaces(throttle):
    fail(throttle, 2, "Anna")
    fail(throttle, 3, " anna ")
    assert throttle.admit("ANNA", None) == 1
    assert throttle.admit("bert", None) == 0


def test_one_address_is_throttled_across_user_names(throttle, clock):
    for name in ("anna", "bert", "carla", "daan", "eva"):
        fail(throttle, 1, name, "203.0.113.7")
    assert throttle.admit("frank", "203.0.113.7") == 1
    assert throttle.admit("frank", "198.51.100.2") == 0  # another address, another user: free
    clock.now += 1
    assert throttle.admit("gerda", "203.0.113.7") == 0
    assert throttle.admit("hans", "203.0.113.7") == 2


def test_a_user_is_throttled_from_every_address(throttle):
    for n in range(5):
        fail(throttle, 1, "anna", f"198.51.100.{n}")
    assert throttle.admit("anna", "198.51.100.99") == 1


def test_a_success_clears_the_users_failures(throttle, clock):
    fail(throttle, 5)
    clock.now += 1
    assert throttle.admit("anna", None) == 0
    throttle.succeeded("anna", None)
    fail(throttle, 5)
    assert throttle.admit("anna", None) == 1


def test_successes_do_not_count_against_a_shared_address(throttle):
    for n in range(20):  # colleagues behind one gateway
        assert throttle.admit(f"collega{n}", "192.0.2.1") == 0
        throttle.succeeded(f"collega{n}", "192.0.2.1")
    fail(throttle, 5, "iemand", "192.0.2.1")
    assert throttle.admit("nog-iemand", "192.0.2.1") == 1


def test_failures_are_forgotten_fifteen_quiet_minutes_after_the_wait(throttle, clock):
    six_failures(throttle, clock)  # wait 2 s after the last failure
    clock.now += 2 + 15 * 60 - 1
    assert throttle.admit("anna", None) == 0  # remembered: the 7th failure
    assert throttle.admit("anna", None) == 4
    clock.now += 4 + 15 * 60
    fail(throttle, 5)  # forgotten: five free failures again
    assert throttle.admit("anna", None) == 1


def test_the_message_is_dutch_and_says_how_long():
    assert access.throttled_message(1) == "Te veel mislukte pogingen. Probeer het over 1 seconde opnieuw."
    assert access.throttled_message(900) == "Te veel mislukte pogingen. Probeer het over 900 seconden opnieuw."


# --- bcrypt: equal cost, long passwords --------------------------------------------------


@pytest.fixture
def checked_hashes(monkeypatch) -> list[bytes]:
    """The hashes authenticate hands to bcrypt.checkpw."""
    seen = []
    real = bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        seen.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(access.bcrypt, "checkpw", spy)
    return seen


def cost(hashed: bytes) -> int:
    return int(hashed.split(b"$")[2])  # $2b$<cost>$<salt and hash>


def test_unknown_names_cost_as_many_bcrypt_rounds_as_known_ones(checked_hashes):
    users = {"anna": {"role": access.RAAD, "password_hash": bcrypt.hashpw(b"juist", bcrypt.gensalt(5)).decode()},
             "jan@groningen.nl": {"role": access.RAAD}}  # an OpenID Connect user has no password
    assert access.authenticate(users, "anna", "fout") is None
    assert access.authenticate(users, "onbekend", "fout") is None
    assert access.authenticate(users, "jan@groningen.nl", "fout") is None
    assert [cost(h) for h in checked_hashes] == [5, 5, 5]


def test_without_stored_hashes_the_dummy_costs_as_much_as_a_new_hash(checked_hashes):
    assert access.authenticate({"jan@groningen.nl": {"role": access.RAAD}}, "onbekend", "fout") is None
    assert cost(checked_hashes[0]) == cost(access.hash_password("x").encode()) == 12


@pytest.mark.parametrize("password", ["x" * 100, "é" * 50], ids=["100 ascii bytes", "100 utf-8 bytes"])
def test_a_100_byte_password_hashes_and_verifies(password):
    assert len(password.encode("utf-8")) == 100
    users = {"anna": {"role": access.RAAD, "password_hash": access.hash_password(password)}}
    assert access.authenticate(users, "anna", password) == access.User("anna", access.RAAD)
    assert access.authenticate(users, "anna", "y" * 100) is None
    assert access.authenticate(users, "onbekend", password) is None


def test_bcrypt_reads_the_first_72_bytes_only():
    """Documented: what follows byte 72 makes no difference (as in bcrypt itself)."""
    users = {"anna": {"role": access.RAAD, "password_hash": access.hash_password("a" * 72 + "staart")}}
    assert access.authenticate(users, "anna", "a" * 72 + "iets anders") is not None
    assert access.authenticate(users, "anna", "a" * 71) is None


@pytest.mark.parametrize("stored", ["", "geheim", "$2b$12$te-kort"])
def test_the_users_file_refuses_a_malformed_hash(tmp_path, stored):
    users = tmp_path / "users.toml"
    users.write_text(f'[users.anna]\nrole = "raad"\npassword_hash = "{stored}"\n')
    with pytest.raises(ValueError, match="anna.*geen geldige password_hash"):
        access.load_users(users)


def test_the_users_file_takes_hashes_of_hash_password(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text(f'[users.anna]\nrole = "raad"\npassword_hash = "{access.hash_password("pw")}"\n'
                     '[users."jan@groningen.nl"]\nrole = "bestuur"\n')
    assert set(access.load_users(users)) == {"anna", "jan@groningen.nl"}


# --- the audit log's actor -----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "actor"), [
    ("anna", "anna"),
    ("  anna\n", "anna"),
    ("an\x1b[31mna\r\nINSERT", "an[31mnaINSERT"),
    ("\u202eanna\u200b", "anna"),  # bidi override and zero-width space
    ("a" * 100, "a" * 64),
    ("\x00\x07", "(leeg)"),
    ("", "(leeg)"),
])
def test_audit_names_have_no_control_characters_and_at_most_64(typed, actor):
    assert access.audit_name(typed) == actor


# --- the login page (AppTest) ---------------------------------------------------------------


@pytest.fixture
def login_db(tmp_path, monkeypatch) -> Path:
    """A users file with one local user, a database in tmp and a throttle on a frozen clock
    (AppTest runs take real time; the throttle must not see it)."""
    db = tmp_path / "gon.duckdb"
    users = tmp_path / "users.toml"
    users.write_text(f'[users.anna]\nrole = "raad"\n'
                     f'password_hash = "{bcrypt.hashpw(b"juist", bcrypt.gensalt(4)).decode()}"\n')
    monkeypatch.setenv("GONMETRICS_DB", str(db))
    monkeypatch.setenv("GONMETRICS_USERS", str(users))
    monkeypatch.setattr(access, "LoginThrottle", functools.partial(access.LoginThrottle, clock=Clock()))
    return db


def try_login(at: AppTest, name: str, password: str) -> list[str]:
    """The error texts after one attempt."""
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return [e.value for e in at.error]


def logged(db: Path) -> list[tuple]:
    with Store(db).connect() as con:
        return con.execute("SELECT actor, action FROM audit_log ORDER BY logged_at").fetchall()


def test_login_page_throttles_the_sixth_wrong_password_and_audits_all(login_db):
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30).run()
    for _ in range(5):
        assert try_login(at, "anna", "fout") == [UNKNOWN]
    assert try_login(at, "anna", "juist") == ["Te veel mislukte pogingen. Probeer het over 1 seconde opnieuw."]
    assert try_login(at, "onbekend\x1b", "fout") == [UNKNOWN]  # another name (same local address)
    assert logged(login_db) == [("anna", "inloggen mislukt")] * 5 + [("anna", "inloggen geweigerd"),
                                                                     ("onbekend", "inloggen mislukt")]


def test_login_page_caps_the_inputs(login_db):
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30)
    at.run()
    assert [t.max_chars for t in at.text_input] == [access.MAX_NAME_CHARS, access.MAX_PASSWORD_CHARS]


def test_login_page_a_100_byte_password_is_an_unknown_combination(login_db):
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=30).run()
    assert try_login(at, "anna", "x" * 100) == [UNKNOWN]
    assert logged(login_db) == [("anna", "inloggen mislukt")]


USERS = {"jan@groningen.nl": {"role": "raad"}}


@pytest.mark.parametrize("verified", [True, "true", None])
def test_an_identity_provider_login_gets_the_role_of_its_e_mail_address(verified):
    claims = {"email": " Jan@Groningen.nl", **({} if verified is None else {"email_verified": verified})}
    assert access.oidc_user(USERS, claims) == access.User(" Jan@Groningen.nl", "raad")


@pytest.mark.parametrize("verified", [False, "false"])
def test_an_unverified_e_mail_address_gets_no_role(verified):
    # Some providers let anyone enter an address; only a verified one may carry a role.
    assert access.oidc_user(USERS, {"email": "jan@groningen.nl", "email_verified": verified}) is None


def test_a_login_without_an_e_mail_address_gets_no_role():
    assert access.oidc_user(USERS, {"sub": "abc"}) is None
