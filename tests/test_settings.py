"""Settings are read when used: a change of the environment after import takes effect."""

from pathlib import Path

import pytest

from gonmetrics import settings
from gonmetrics.errors import GonError


def test_every_setting_follows_the_environment_after_import(monkeypatch, tmp_path):
    monkeypatch.setenv("GONMETRICS_DB", str(tmp_path / "x.duckdb"))
    monkeypatch.setenv("GONMETRICS_USERS", str(tmp_path / "u.toml"))
    monkeypatch.setenv("GONMETRICS_MIN_COUNT", "5")
    monkeypatch.setenv("GONMETRICS_LOCK_WAIT", "1.5")
    monkeypatch.setenv("GONMETRICS_MAX_UPLOAD_MB", "0.5")
    monkeypatch.setenv("GONMETRICS_CONTACT", "Bel 14 050.")
    assert settings.db_path() == tmp_path / "x.duckdb"
    assert settings.users_path() == tmp_path / "u.toml"
    assert settings.min_count() == 5
    assert settings.lock_wait() == 1.5
    assert settings.max_upload_bytes() == 512 * 1024  # half of 1024 * 1024
    assert settings.contact() == "Bel 14 050."


def test_defaults(monkeypatch):
    for name in ("GONMETRICS_DB", "GONMETRICS_USERS", "GONMETRICS_MIN_COUNT", "GONMETRICS_LOCK_WAIT",
                 "GONMETRICS_MAX_UPLOAD_MB", "GONMETRICS_CONTACT"):
        monkeypatch.delenv(name, raising=False)
    project = Path(__file__).resolve().parent.parent
    assert settings.db_path() == project / "data" / "gon.duckdb"
    assert settings.users_path() == project / "data" / "users.toml"
    assert (settings.min_count(), settings.lock_wait(), settings.max_upload_bytes()) == (10, 30.0, 50 * 1024 * 1024)
    assert settings.contact().startswith("Vragen of fouten gezien?")


@pytest.mark.parametrize("raw", ["tien", "0", "-3", "2.5"])
def test_a_bad_threshold_is_refused_in_dutch(raw):
    with pytest.raises(GonError, match="GONMETRICS_MIN_COUNT"):
        settings.checked_min_count(raw)


def test_the_baseline_quarter_follows_the_environment(monkeypatch):
    import datetime as dt
    monkeypatch.delenv("GONMETRICS_BASELINE", raising=False)
    assert settings.baseline() == dt.date(2026, 12, 31)
    monkeypatch.setenv("GONMETRICS_BASELINE", "2027-06-30")
    assert settings.baseline() == dt.date(2027, 6, 30)


@pytest.mark.parametrize("raw", ["2027-06-29", "2027-05-31", "31-12-2026", "eind 2026"])
def test_a_baseline_that_is_no_quarter_end_is_refused_in_dutch(monkeypatch, raw):
    monkeypatch.setenv("GONMETRICS_BASELINE", raw)
    with pytest.raises(GonError, match="GONMETRICS_BASELINE"):
        settings.baseline()
