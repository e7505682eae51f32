"""Who is looking (role) and what they are looking at (shared filters).

Why one module: the role decides which pages and figures a person may see, and the check is made
on the server in every page (`require`) and data function (`check`), not only by hiding menu
items. The role itself comes from `ui.auth` (the signed-in person's widest role, or the demo role
picker) and what it allows from `access.allowed(role, action)`, the one permission table.
The filters live in st.session_state (so they persist across pages) and are mirrored to the URL
(so a view can be shared as a link).
"""

from __future__ import annotations

import streamlit as st

from access import ROLE_LABELS, ROLES, allowed  # noqa: F401  (re-exported for pages)
from access.roles import PERMISSIONS
from ui import auth, options
from ui.filters import ALL, SCOPE_LABELS, SCOPES, FilterOptions, Filters, period_label  # noqa: F401  (re-exported)

_KEYS = {"period": "f_period", "scope": "f_scope", "service": "f_service", "team": "f_team"}

#: Every shared filter, in the sidebar's order.
FILTER_NAMES: tuple[str, ...] = tuple(_KEYS)
_WORKFORCE = FILTER_NAMES
#: The shared filters each page acts on (page key of dashboard.PAGES -> filter names), declared
#: once: the sidebar draws only these, and `get_filters` gives the page only these (the others at
#: their whole-directorate defaults), so a control is never shown where it does nothing. A page
#: left out uses none. The agency rules cover every agency assignment, so they have no People
#: choice; Benchmarks (published figures), Recommendations, Upload (its own month control), Data
#: quality and Census use no shared filter. tests/app/test_app_filters.py checks every page.
PAGE_FILTERS: dict[str, tuple[str, ...]] = {
    "overview": _WORKFORCE,
    "themes": _WORKFORCE,
    "agency": _WORKFORCE,
    "agency_rules": ("period", "service", "team"),
    "caseloads": _WORKFORCE,
    "turnover": _WORKFORCE,
    "profile": _WORKFORCE,
}
_PAGE = "_current_page"
_KEPT = "_filters_kept"


def current_role() -> str:
    """The role of the person using this session (PermissionError when there is none)."""
    return auth.current_role()


def current_person() -> auth.Person:
    """Who is using this session, as the audit trail names them."""
    return auth.current_person()


def check(action: str) -> str:
    """Server-side check for data functions: the role, or PermissionError (audited as denied)."""
    role = current_role()
    if not allowed(role, action):
        auth.audit("denied", role=role, detail={"action": action})
        raise PermissionError(f"This information is not available to the {role} role.")
    return role


def require(action: str) -> str:
    """Top-of-page guard: tell the reader and stop the script when the role may not do `action`."""
    role = current_role()
    if not allowed(role, action):
        auth.audit("denied", role=role, detail={"action": action})
        st.error(f"This page is not available to the {role} role.", icon=":material/lock:")
        st.stop()
    return role


def require_page(page_key: str) -> str:
    """`require` for the page `page_key` (action 'page:<key>'); `get_filters` then gives the page
    the filters PAGE_FILTERS declares for it."""
    set_page(page_key)
    return require(f"page:{page_key}")


def set_page(page_key: str) -> None:
    """Note which page this run draws (dashboard.py before the sidebar, each page's guard)."""
    st.session_state[_PAGE] = page_key


def page_filters(page_key: str | None = None) -> tuple[str, ...]:
    """The shared filters `page_key` (default: the page being drawn) acts on."""
    key = page_key if page_key is not None else st.session_state.get(_PAGE)
    return PAGE_FILTERS.get(key, ())


def pages_for(role: str) -> list[str]:
    """Page keys `role` may open, in the permission table's order."""
    return [a.removeprefix("page:") for a in PERMISSIONS if a.startswith("page:") and allowed(role, a)]


def can_see_teams(role: str | None = None) -> bool:
    return allowed(role or current_role(), "teams")


def is_suppressed(role: str | None = None) -> bool:
    """True when this role's figures pass small-number suppression ('c')."""
    return not allowed(role or current_role(), "exact_figures")


# --- Filters -----------------------------------------------------------------------------------


def validate_filters(raw: dict[str, str | None], options: FilterOptions, *, role: str) -> Filters:
    """Keep only values that exist in the loaded data; the scrutiny role never gets a team."""
    periods = options.periods
    period = raw.get("period")
    if period not in periods:
        period = periods[-1] if periods else None
    scope = raw.get("scope")
    if scope not in SCOPES:
        scope = "social_workers"
    service = raw.get("service")
    if service not in options.services:
        service = None
    team = raw.get("team")
    valid_teams = options.teams.get(service, ()) if service else tuple(
        t for ts in options.teams.values() for t in ts
    )
    if team not in valid_teams or not can_see_teams(role):
        team = None
    return Filters(period=period, scope=scope, service=service, team=team)


def _options() -> FilterOptions:
    return options.filter_options(with_teams=can_see_teams())


def _raw_from_session() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name, key in _KEYS.items():
        value = st.session_state.get(key)
        out[name] = None if value in (None, ALL) else value
    return out


def _raw_from_url() -> dict[str, str | None]:
    return {name: st.query_params.get(name) for name in _KEYS}


def sync_filters() -> Filters:
    """Validate the shared filters, write them to session state and mirror the page's to the URL.

    Called by dashboard.py before the sidebar widgets are drawn (so it may set their values). On
    the first run of a session the URL wins (a shared link); afterwards session state does. The
    choices are also kept apart from the widgets, so they survive a page that draws none
    (Streamlit forgets the value of a widget a run does not draw).
    """
    role = current_role()
    if _KEYS["period"] in st.session_state:
        raw = _raw_from_session()
    else:
        raw = st.session_state.get(_KEPT) or _raw_from_url()
    filters = validate_filters(raw, _options(), role=role)
    _keep(filters)
    st.session_state[_KEYS["period"]] = filters.period
    st.session_state[_KEYS["scope"]] = filters.scope
    st.session_state[_KEYS["service"]] = filters.service or ALL
    st.session_state[_KEYS["team"]] = filters.team or ALL
    _mirror_to_url(filters)
    return filters


def _keep(filters: Filters) -> None:
    st.session_state[_KEPT] = {"period": filters.period, "scope": filters.scope,
                               "service": filters.service, "team": filters.team}


def _mirror_to_url(filters: Filters) -> None:
    """The page's own filters go in the address (a shared link reopens the view); filters the
    page does not use are left out, so a link never suggests a choice that changes nothing."""
    used = page_filters()
    wanted = {
        "period": filters.period,
        "scope": filters.scope,
        "service": filters.service,
        "team": filters.team,
    }
    for name, value in wanted.items():
        if value is None or name not in used:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def on_filter_change() -> None:
    """Widget callback: re-validate (a new service may drop the team) and update the URL."""
    filters = validate_filters(_raw_from_session(), _options(), role=current_role())
    st.session_state[_KEYS["team"]] = filters.team or ALL
    _keep(filters)
    _mirror_to_url(filters)


def get_filters() -> Filters:
    """The shared filters this page acts on (PAGE_FILTERS), for this session (initialised from the
    URL on first use); a filter the page does not declare is at its whole-directorate default
    (no service or team; People: None, since such a page counts no population)."""
    if _KEYS["period"] not in st.session_state:
        filters = sync_filters()
    else:
        filters = validate_filters(_raw_from_session(), _options(), role=current_role())
    used = page_filters()
    return Filters(period=filters.period if "period" in used else None,
                   scope=filters.scope if "scope" in used else None,
                   service=filters.service if "service" in used else None,
                   team=filters.team if "team" in used else None)


def widget_key(name: str) -> str:
    """Session-state key of the sidebar widget for filter `name` (period/scope/service/team)."""
    return _KEYS[name]
