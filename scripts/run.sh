#!/usr/bin/env bash
# Set up, seed the embedded store with demo data on first run, and start the dashboard in demo
# mode (no sign-in, a role picker, a banner on every page). For sign-in: scripts/serve.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB="${WORKFORCE_DB:-data/workforce.duckdb}"
if [ ! -f "$DB" ]; then
  echo "First run: building the demo store at $DB (36 monthly extracts, about a minute)..."
  .venv/bin/python -m demo --db "$DB"
fi
export WORKFORCE_DEMO=1
exec .venv/bin/python -m streamlit run serve.py --server.headless true "$@"
