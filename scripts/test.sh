#!/usr/bin/env bash
# Set up (test tools and Debian's chromium included) and run the whole test suite, one worker per
# core (pytest-xdist; each test file stays on one worker, so a file's shared set-up is built once).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/lint-imports
if [[ -n "${CI:-}" && -z "${WORKFORCE_TEST_CACHE:-}" ]]; then
  # CI: the workers of this run share one demo store build, in a folder that goes with the run
  WORKFORCE_TEST_CACHE=$(mktemp -d)
  export WORKFORCE_TEST_CACHE
  trap 'rm -rf "$WORKFORCE_TEST_CACHE"' EXIT
fi
.venv/bin/python -m pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile "$@"
