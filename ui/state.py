"""Who is looking (role) and what they are looking at (shared filters).

Why one module: the role decides which pages and figures a person may see, and the check must be
made on the server in every page and data function, not only by hiding menu items. Until sign-in
arrives the role comes from $WORKFORCE_ROLE; a signed-in user's role drops in at `current_role`.
The filters live in st.session_state (so they persist across pages) and are mirrored to the URL
(so a view can be shared as a link).
"""

from __future__ import annotations

import os

import streamlit as st

from ui import options
from ui.filters import ALL, SCOPE_LABELS, SCOPES, FilterOptions, Filters, period_label  # noqa: F401  (re-exported)

ROLES: tuple[str, ...] = ("hr", "leadership", "scrutiny")
DEFAULT_ROLE = "leadership"
ROLE_LABELS = {"hr": "HR", "leadership": "Leadership", "scrutiny": "Scrutiny member"}

# Page key -> roles that may open it. Scrutiny members see aggregates only: no upload, no data
# quality ledger (it lists files, users and row-level problems). Leadership reads everything but
# does not load data; HR (the data owner) gets every page.
ALL_ROLES = ROLES
PAGE_ACCESS: dict[str, tuple[str, ...]] = {
    "overview": ALL_ROLES,
    "themes": ALL_ROLES,
    "agency": ALL_ROLES,
    "caseloads": ALL_ROLES,
    "turnover": ALL_ROLES,
    "profile": ALL_ROLES,
    "benchmarks": ALL_ROLES,
    "recommendations": ALL_ROLES,
    "upload": ("hr",),
    "data_quality": ("hr", "leadership"),
}
# Roles that may see figures broken down by team (team figures rest on few people).
TEAM_ROLES: tuple[str, ...] = ("hr", "leadership")
# Roles whose figures pass through small-number suppression.
SUPPRESSED_ROLES: tuple[str, ...] = ("scrutiny",)

_KEYS = {"period": "f_period", "scope": "f_scope", "service": "f_service", "team": "f_team"}


class RoleError(ValueError):
    """The configured role is not one of ROLES."""


def current_role() -> str:
    """The role of the person using this session.

    The ONE place a role is decided: today $WORKFORCE_ROLE (default 'leadership'); when sign-in
    arrives, read the signed-in user's role (st.user) here and nothing else changes.
    """
    raw = os.environ.get("WORKFORCE_ROLE", "").strip().lower() or DEFAULT_ROLE
    if raw not in ROLES:
        raise RoleError(
            f"WORKFORCE_ROLE is {raw!r}, which is not a role this dashboard knows. "
            f"Set it to one of: {', '.join(ROLES)}."
        )
    return raw


def current_user() -> str:
    """Who is signed in, for the audit trail: $WORKFORCE_USER, else the role's label.

    Like `current_role`, the one place a signed-in user's name (st.user) drops in later.
    """
    return os.environ.get("WORKFORCE_USER", "").strip() or f"{ROLE_LABELS[current_role()]} user"


def record_sign_in() -> None:
    """Note once per browser session who opened the dashboard and as which role (audit trail)."""
    if st.session_state.get("_signed_in_recorded"):
        return
    from store import record_audit
    from ui import db

    with db.write_lock:
        with db.open_cursor() as cur:
            record_audit(cur, actor=current_user(), role=current_role(), action="sign-in")
    st.session_state["_signed_in_recorded"] = True


def allowed(*roles: str, role: str | None = None) -> bool:
    """True when `role` (default: the current role) is one of `roles`."""
    return (role or current_role()) in roles


def check_role(*roles: str) -> str:
    """Server-side check for data functions: raise PermissionError unless the role is allowed."""
    role = current_role()
    if role not in roles:
        raise PermissionError(f"This information is not available to the {role} role.")
    return role


def require_role(*roles: str) -> str:
    """Top-of-page guard: tell the reader and stop the script when the role may not see it."""
    role = current_role()
    if role not in roles:
        st.error(f"This page is not available to the {role} role.", icon=":material/lock:")
        st.stop()
    return role


def require_page(page_key: str) -> str:
    """`require_role` with the roles PAGE_ACCESS lists for `page_key`."""
    return require_role(*PAGE_ACCESS[page_key])


def pages_for(role: str) -> list[str]:
    """Page keys `role` may open, in PAGE_ACCESS order."""
    return [key for key, roles in PAGE_ACCESS.items() if role in roles]


def can_see_teams(role: str | None = None) -> bool:
    return allowed(*TEAM_ROLES, role=role)


def is_suppressed(role: str | None = None) -> bool:
    return allowed(*SUPPRESSED_ROLES, role=role)


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
    """Validate the shared filters, write them to session state and mirror them to the URL.

    Called by dashboard.py before the sidebar widgets are drawn (so it may set their values). On
    the first run of a session the URL wins (a shared link); afterwards session state does.
    """
    role = current_role()
    first = _KEYS["period"] not in st.session_state
    raw = _raw_from_url() if first else _raw_from_session()
    filters = validate_filters(raw, _options(), role=role)
    st.session_state[_KEYS["period"]] = filters.period
    st.session_state[_KEYS["scope"]] = filters.scope
    st.session_state[_KEYS["service"]] = filters.service or ALL
    st.session_state[_KEYS["team"]] = filters.team or ALL
    _mirror_to_url(filters)
    return filters


def _mirror_to_url(filters: Filters) -> None:
    wanted = {
        "period": filters.period,
        "scope": filters.scope,
        "service": filters.service,
        "team": filters.team,
    }
    for name, value in wanted.items():
        if value is None:
            if name in st.query_params:
                del st.query_params[name]
        elif st.query_params.get(name) != value:
            st.query_params[name] = value


def on_filter_change() -> None:
    """Widget callback: re-validate (a new service may drop the team) and update the URL."""
    filters = validate_filters(_raw_from_session(), _options(), role=current_role())
    st.session_state[_KEYS["team"]] = filters.team or ALL
    _mirror_to_url(filters)


def get_filters() -> Filters:
    """The shared filters for this session (initialised from the URL on first use)."""
    if _KEYS["period"] not in st.session_state:
        return sync_filters()
    filters = validate_filters(_raw_from_session(), _options(), role=current_role())
    return filters


def widget_key(name: str) -> str:
    """Session-state key of the sidebar widget for filter `name` (period/scope/service/team)."""
    return _KEYS[name]
