#!/usr/bin/env bash
# Install Ralph (the learning record store the xAPI tests use) into its own virtual environment,
# from the exact pins of requirements-ralph.lock. Never into .venv: its dependencies stay apart.
# Usage: scripts/ralph-venv.sh [VENV_DIR]   (default var/ralph-venv; RALPH_PYTHON picks Python)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-var/ralph-venv}"
python="${RALPH_PYTHON:-${PYTHON_BIN:-python3.11}}"
lock=requirements-ralph.lock
stamp="$venv/.installed-from-lock"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$lock" "$stamp"; then
  exit 0  # already installed from this very lock
fi
mkdir -p "$(dirname "$venv")"
test -x "$venv/bin/python" || "$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock"
cp "$lock" "$stamp"
