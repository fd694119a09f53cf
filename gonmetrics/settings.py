"""Every setting of the monitor: the environment variables, their defaults and limits.

Each is read when it is used, never at import, so that a change (a test, a restarted
page) takes effect without reloading modules. README "Where the data lives" and
"Users and roles" describe them for administrators.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .errors import GonError

PROJECT = Path(__file__).resolve().parent.parent

DB_ENV = "GONMETRICS_DB"
DEFAULT_DB = PROJECT / "data" / "gon.duckdb"
USERS_ENV = "GONMETRICS_USERS"
DEFAULT_USERS = PROJECT / "data" / "users.toml"
MIN_COUNT_ENV = "GONMETRICS_MIN_COUNT"
DEFAULT_MIN_COUNT = 10
LOCK_WAIT_ENV = "GONMETRICS_LOCK_WAIT"
DEFAULT_LOCK_WAIT = 30.0  # seconds
MAX_UPLOAD_ENV = "GONMETRICS_MAX_UPLOAD_MB"
DEFAULT_MAX_UPLOAD_MB = 50  # also .streamlit/config.toml server.maxUploadSize (checked by test_config)
CONTACT_ENV = "GONMETRICS_CONTACT"
BASELINE_ENV = "GONMETRICS_BASELINE"
DEFAULT_BASELINE = dt.date(2026, 12, 31)  # the last quarter before the GON (metrics.md section 3)
DEFAULT_CONTACT = "Vragen of fouten gezien? Mail de afdeling Onderzoek & Statistiek: onderzoek@groningen.nl"


def _raw(name: str) -> str:
    return os.environ.get(name, "").strip()


def db_path() -> Path:
    """The real database: GONMETRICS_DB, else the project's data/gon.duckdb."""
    return Path(_raw(DB_ENV) or DEFAULT_DB)


def users_path() -> Path:
    """The users file: GONMETRICS_USERS, else data/users.toml (which need not exist)."""
    return Path(_raw(USERS_ENV) or DEFAULT_USERS)


def min_count() -> int:
    """The smallest count of people that is shown: GONMETRICS_MIN_COUNT, else 10."""
    raw = _raw(MIN_COUNT_ENV)
    return checked_min_count(raw) if raw else DEFAULT_MIN_COUNT


def checked_min_count(value) -> int:
    """A threshold for small numbers as a whole number of 1 or more; GonError (Dutch) if not."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        raise GonError(
            f"De grens voor kleine aantallen ({MIN_COUNT_ENV}) moet een heel getal van 1 of meer zijn, "
            f"niet '{value}'."
        )
    return number


def lock_wait() -> float:
    """Seconds to wait for another process's lock on the database: GONMETRICS_LOCK_WAIT, else 30."""
    return float(_raw(LOCK_WAIT_ENV) or DEFAULT_LOCK_WAIT)


def max_upload_bytes() -> int:
    """The largest delivery accepted: GONMETRICS_MAX_UPLOAD_MB (may be fractional), else 50 MB."""
    return int(float(_raw(MAX_UPLOAD_ENV) or DEFAULT_MAX_UPLOAD_MB) * 1024 * 1024)


def contact() -> str:
    """Who users should ask (Definities page): GONMETRICS_CONTACT, else Onderzoek & Statistiek."""
    return _raw(CONTACT_ENV) or DEFAULT_CONTACT


def baseline() -> dt.date:
    """The baseline quarter B of the transition figures: GONMETRICS_BASELINE (an ISO date, the
    last day of a quarter), else 31-12-2026; GonError (Dutch) if it is not such a date."""
    raw = _raw(BASELINE_ENV)
    if not raw:
        return DEFAULT_BASELINE
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or (day + dt.timedelta(days=1)).day != 1 or day.month % 3:
        raise GonError(
            f"Het basiskwartaal ({BASELINE_ENV}) moet de laatste dag van een kwartaal zijn, als JJJJ-MM-DD "
            f"(bijvoorbeeld 2026-12-31), niet '{raw}'."
        )
    return day
