#!/usr/bin/env bash
# Install what is needed and start the dashboard (on the demo data when the
# database is empty). Local mode: listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run dashboard.py "$@"
