"""What every data function shares: the server-side role check and the cache key.

Why: every public data function checks the role on the server (PermissionError when it may not
see the figures, whatever the menu shows), and caches on (store path, data version, role,
arguments) so an upload refreshes every page and one role's figures are never served to another.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from metrics import catalogue, detail
from metrics.types import Metric
from ui import db, options
from ui.filters import FilterOptions, Filters
from ui.state import can_see_teams, check

CACHE = dict(show_spinner=False, max_entries=512)


BY_LABELS = {"service": "Service", "team": "Team", "role_group": "Job type"}


@dataclass(frozen=True)
class Ctx:
    path: str
    version: str
    role: str


def _ctx(action: str = "figures", *, filters: Filters | None = None, by: str | None = None) -> Ctx:
    """Role check first (PermissionError, `access.allowed(role, action)`), then the cache key parts."""
    role = check(action)
    if not can_see_teams(role) and ((filters is not None and filters.team) or by == "team"):
        raise PermissionError(f"Team figures are not available to the {role} role.")
    return Ctx(db.db_path(), db.data_version(), role)


def _fkey(filters: Filters) -> tuple:
    return (filters.period, filters.scope, filters.service, filters.team)


def _engine_filters(service: str | None, team: str | None) -> dict[str, list[str]] | None:
    out = {}
    if service:
        out["service"] = [service]
    if team:
        out["team"] = [team]
    return out or None


def metric(metric_id: str) -> Metric:
    """The catalogue entry (label, unit, direction, description) for a measure."""
    return catalogue.get(metric_id)


def filter_options() -> FilterOptions:
    """Loaded months, services and each service's teams (teams empty for roles without them)."""
    ctx = _ctx()
    return options.filter_options(with_teams=can_see_teams(ctx.role))


def load_info() -> dict | None:
    """Month end of the latest loaded month and who loaded what last (None when empty)."""
    ctx = _ctx()
    return _load_info(ctx.path, ctx.version)


@st.cache_data(**CACHE)
def _load_info(path: str, version: str) -> dict | None:
    with db.open_cursor() as cur:
        return detail.last_load(cur)
