"""What every data function shares: the server-side role check and the cache key.

Why: every public data function checks the role on the server (PermissionError when it may not
see the figures, whatever the menu shows), and caches on (store path, data version, role,
arguments) so an upload refreshes every page and one role's figures are never served to another.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from metrics import catalogue, detail
from disclosure.linked import engine_filters
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
    """The engine's filters of one view (disclosure.linked builds the linked tables with them too)."""
    return engine_filters(service, team)


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


def extract_source(period: str | None) -> str:
    """Where a month's figures come from, for a download's header block: 'Monthly workforce
    extract for October 2026 (workforce_2026-10.xlsx), loaded by HR on 3 November 2026 at 9:12am
    (UK time)'. The loader's account is not named (a scrutiny member may download too)."""
    if not period:
        return "No monthly workforce extract is loaded yet."
    ctx = _ctx()
    return _extract_source(ctx.path, ctx.version, period)


@st.cache_data(**CACHE)
def _extract_source(path: str, version: str, period: str) -> str:
    from metrics.export import produced_words
    from store.periods import period_label

    with db.open_cursor() as cur:
        load = detail.period_load(cur, period=period)
    month = period_label(period)
    if load is None:
        return f"No monthly workforce extract is loaded for {month}."
    what = ("Demo data: an invented monthly workforce extract" if load["is_demo"]
            else "Monthly workforce extract")
    return (f"{what} for {month} ({load['file_name']}), loaded by HR on "
            f"{produced_words(load['loaded_at'])}")
