#!/usr/bin/env bash
# Install what the project needs into .venv (idempotent). With --test also the
# test tools and Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if [ "${1:-}" = "--test" ]; then
    .venv/bin/pip install --disable-pip-version-check -q -r requirements-dev.txt
    if [ ! -x /usr/bin/chromium ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get install -y -q chromium >/dev/null || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null; }
    fi
else
    .venv/bin/pip install --disable-pip-version-check -q -r requirements.txt
fi
