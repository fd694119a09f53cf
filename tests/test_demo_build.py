"""Building the demo database: once, whole or not at all, and a stopped build stops at once.

A small city (one year, 300 users) keeps these quick; test_demo.py builds the full demo."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gonmetrics import demo, load
from gonmetrics.store import Store

PROJECT = Path(__file__).resolve().parent.parent
SMALL = {"n_users": 300, "first": dt.date(2025, 3, 31), "last": dt.date(2025, 12, 31), "seed": 7}
SMALL_DELIVERIES = 4 * 4 + 1  # four quarters of three providers and WIJ, and the area table
CITY = demo.generate


@pytest.fixture
def small_city(monkeypatch):
    monkeypatch.setattr(demo, "generate", lambda: CITY(**SMALL))


def test_ensure_demo_builds_a_missing_demo_once(tmp_path, small_city):
    path = tmp_path / "gon-demo.duckdb"
    assert demo.ensure_demo(path) is True
    built = Store(path).history()
    assert len(built) == SMALL_DELIVERIES

    # A second start (or one that waited for another builder's lock) finds it and keeps it.
    assert demo.ensure_demo(path) is False
    assert Store(path).history().equals(built)


def test_a_stopped_build_leaves_nothing_in_place_and_checks_no_further_file(tmp_path, small_city, monkeypatch):
    storing = threading.Event()
    checked = []

    def check(data, name, **kwargs):
        if len(checked) >= 2:  # the files after the first two: only once the first is being stored
            storing.wait(60)
        checked.append(name)
        return real_check(data, name, **kwargs)

    def stopped(*args, **kwargs):  # ctrl-C while the first file is stored
        storing.set()
        raise KeyboardInterrupt

    real_check = load.check
    monkeypatch.setattr(load, "check", check)
    monkeypatch.setattr(Store, "ingest_checked", stopped)
    path = tmp_path / "gon-demo.duckdb"
    with pytest.raises(KeyboardInterrupt):
        demo.ensure_demo(path)
    assert not path.exists()
    # The files waiting to be checked were dropped, not checked after all.
    assert len(checked) < SMALL_DELIVERIES / 2

    monkeypatch.setattr(load, "check", real_check)
    monkeypatch.undo()  # Store.ingest_checked too
    monkeypatch.setattr(demo, "generate", lambda: CITY(**SMALL))
    assert demo.ensure_demo(path) is True  # the next start builds it whole
    assert len(Store(path).history()) == SMALL_DELIVERIES


def test_ctrl_c_during_the_demo_command_says_so_and_leaves_nothing_in_place(tmp_path):
    path = tmp_path / "gon-demo.duckdb"
    command = subprocess.Popen([sys.executable, "-m", "gonmetrics", "demo", "--db", str(path)], cwd=PROJECT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    staging = tmp_path / "gon-demo.duckdb.building"
    while not staging.exists() and command.poll() is None:
        time.sleep(0.05)
    command.send_signal(signal.SIGINT)  # while DuckDB stores a file, or while files are checked
    out, err = command.communicate(timeout=120)
    assert out.startswith("De demodata (synthetische gegevens) worden opgebouwd in")
    assert command.returncode == 130, err
    assert err == "Onderbroken: de demodata zijn niet opgebouwd; de volgende start bouwt ze opnieuw.\n"
    assert not path.exists()
