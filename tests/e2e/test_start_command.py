"""The README's run command serves the dashboard: start it and fetch the health endpoint.
The demo is complete by the time the server answers, and a second start does not rebuild it."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from contextlib import contextmanager

import duckdb

from tests.e2e.conftest import PROJECT, free_port

DEMO_DELIVERIES = 65  # gonmetrics.demo: 16 quarters of 3 providers and WIJ, a redelivery, the area table


@contextmanager
def started(db, output):
    """`bash scripts/start.sh` on `db` until it answers healthy; its terminal output goes to `output`."""
    port = free_port()
    with open(output, "w") as terminal:
        process = subprocess.Popen(
            ["bash", "scripts/start.sh", f"--server.port={port}"], cwd=PROJECT,
            env={**os.environ, "GONMETRICS_DB": str(db)},
            stdout=terminal, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline, body = time.monotonic() + 180, b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body.strip() == b"ok", output.read_text()
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)


def deliveries(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM uploads").fetchone()[0]
    finally:
        con.close()


def test_start_script_serves_the_dashboard_on_a_complete_demo_and_builds_it_once(tmp_path):
    demo = tmp_path / "gon-demo.duckdb"
    with started(tmp_path / "gon.duckdb", tmp_path / "first.txt") as url:
        # Healthy means ready: the demo is in place, whole, before the first visitor comes.
        assert deliveries(demo) == DEMO_DELIVERIES
        # Local mode listens on loopback only (.streamlit/config.toml).
        with urllib.request.urlopen(f"{url}/", timeout=5) as r:
            assert b"<title>" in r.read().lower()
    first = (tmp_path / "first.txt").read_text()
    assert "De demodata (synthetische gegevens) worden opgebouwd in" in first
    assert "Demodata opgebouwd in" in first

    built = demo.stat()
    with started(tmp_path / "gon.duckdb", tmp_path / "second.txt"):
        assert "opgebouwd" not in (tmp_path / "second.txt").read_text()
        again = demo.stat()
        assert (again.st_ino, again.st_mtime_ns) == (built.st_ino, built.st_mtime_ns)
        assert deliveries(demo) == DEMO_DELIVERIES
    assert not (tmp_path / "gon.duckdb").exists()  # the real database is not even created by a start
