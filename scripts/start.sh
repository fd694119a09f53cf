#!/usr/bin/env bash
# Install what is needed and start the dashboard (on the demo data when the
# database is empty). Local mode: listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The demo is built before the server starts, so that the first visitor sees the dashboard
# at once: only while the real database holds no delivery and the demo is not there yet
# (says so on the terminal, with how long it took). A build that is stopped (ctrl-C) leaves
# nothing in place and stops this script; the next start builds it again.
.venv/bin/python -m gonmetrics demo --if-missing
exec .venv/bin/streamlit run dashboard.py "$@"
