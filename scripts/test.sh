#!/usr/bin/env bash
# Install what is needed (including Debian's chromium) and run the full test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
