"""The national agency rules: configuration, checks, cost and the quarterly summary (issue 14).

Two layers live here (import-linter keeps them apart, see pyproject.toml):
- below metrics/: `agency.rules` (data/agency_rules.toml, validated), `agency.checks` (which rule
  each assignment breaks, on plain DataFrames) and `agency.costs` (the arithmetic of cost and the
  what-if). No SQL and no store access: metrics/agency.py reads the store and calls them.
- above metrics/: `agency.quarterly` (the quarterly summary workbook) and the CLI
  (`python -m agency`), which read figures through metrics/ and the disclosure policy.
Nothing here imports Streamlit.
"""
