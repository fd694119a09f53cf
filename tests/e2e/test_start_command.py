"""The README's run command serves the dashboard: start it and fetch the health endpoint."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request

from tests.e2e.conftest import PROJECT, free_port


def test_start_script_serves_the_dashboard(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        ["bash", "scripts/start.sh", f"--server.port={port}"], cwd=PROJECT,
        env={**os.environ, "GONMETRICS_DB": str(tmp_path / "gon.duckdb")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline, body = time.monotonic() + 180, b""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert body.strip() == b"ok"
        # Local mode listens on loopback only (.streamlit/config.toml).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert b"<title>" in r.read().lower()
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
