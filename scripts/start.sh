#!/usr/bin/env bash
# Install what is needed and start the dashboard (on the demo data when the
# database is empty). Local mode: listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The demo is built while the server starts, so that no visitor waits for it (only while
# the real database holds no delivery and the demo is not there yet).
.venv/bin/python -m gonmetrics demo --if-missing &
exec .venv/bin/streamlit run dashboard.py "$@"
