"""The shared filters' choices (loaded months, services, teams), read from the store.

Why a module of its own: ui.state needs the choices to validate the filters, and ui.data needs
ui.state for the role checks. Keeping this read below both (it imports only ui.db and metrics)
means neither imports the other's caller: no import cycle (import-linter keeps it so).
"""

from __future__ import annotations

import streamlit as st

from metrics import detail, engine
from ui import db
from ui.filters import FilterOptions

CACHE = dict(show_spinner=False, max_entries=512)


def filter_options(*, with_teams: bool) -> FilterOptions:
    """Loaded months, services and each service's teams (teams empty unless `with_teams`).
    Copied out of the cache once per page view (the sidebar, each filter check and each
    download's "about" lines ask again; read-only)."""
    key = (db.db_path(), db.data_version(), with_teams)
    return db.view_once(("filter_options", *key), lambda: _filter_options(*key))


def loaded_periods(path: str, version: str) -> tuple[str, ...]:
    """The loaded months ("YYYY-MM", oldest first) of the store at `path`, `version`."""
    return _filter_options(path, version, False).periods


def services(path: str, version: str) -> tuple[str, ...]:
    """The services (sorted) of the store at `path`, `version`."""
    return _filter_options(path, version, False).services


@st.cache_data(**CACHE)
def _filter_options(path: str, version: str, with_teams: bool) -> FilterOptions:
    pers, pairs = _read(path, version)
    services = tuple(sorted({s for s, _ in pairs}))
    teams: dict[str, tuple[str, ...]] = {}
    if with_teams:
        for s in services:
            teams[s] = tuple(sorted({t for sv, t in pairs if sv == s}))
    return FilterOptions(periods=pers, services=services, teams=teams)


@st.cache_data(**CACHE)
def _read(path: str, version: str) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """(loaded months "YYYY-MM", every (service, team) pair): one read per data version, whoever
    asks (with or without teams, the linked tables' list of services)."""
    with db.open_cursor() as cur:
        return tuple(p.strftime("%Y-%m") for p in engine.periods(cur)), detail.dimension_pairs(cur)
