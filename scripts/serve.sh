#!/usr/bin/env bash
# Run the dashboard for real: everyone signs in with the council's identity provider (OpenID
# Connect) and sees what their role allows. Needs .streamlit/secrets.toml with an [auth] section
# (copy .streamlit/secrets.toml.example; docs/DEPLOY.md explains every line). Listens on
# 127.0.0.1:8501 for the TLS reverse proxy in front of it; extra arguments go to streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
SECRETS="${WORKFORCE_SECRETS:-.streamlit/secrets.toml}"
if ! grep -q '^\[auth' "$SECRETS" 2>/dev/null; then
  echo "No [auth] section in $SECRETS: sign-in is not set up." >&2
  echo "Copy .streamlit/secrets.toml.example to $SECRETS and fill it in (docs/DEPLOY.md)," >&2
  echo "or run the demo instead: bash scripts/run.sh" >&2
  exit 2
fi
unset WORKFORCE_DEMO   # sign-in mode: no role picker, WORKFORCE_ROLE grants nothing
exec .venv/bin/python -m streamlit run serve.py --server.headless true \
  --server.address "${WORKFORCE_ADDRESS:-127.0.0.1}" --secrets.files "$SECRETS" "$@"
