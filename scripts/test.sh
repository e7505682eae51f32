#!/usr/bin/env bash
# Set up (test tools and Debian's chromium included) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
