#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
ensure_venv
cd "$REPO"
"$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check .
