"""Roles and what each may do: the one table every page, data function and menu asks.

Why here: the role decides which pages, figures and actions a person may use, and the check is
made on the server by pages (`ui.state.require`), data functions (`ui.state.check`), the menu
(dashboard.py) and the data layers (recommendations.service). They all ask `allowed(role,
action)`, so a permission is changed in one place. No Streamlit: the data layers use it too.

The roles are nested, widest first: HR (the data owner) may do everything; admin sees figures like
leadership and also manages imports; leadership reads everything but loads nothing; scrutiny
members see aggregates only, suppressed. A person holding several roles gets the widest.
"""

from __future__ import annotations

from collections.abc import Iterable

# Widest first: each role may do everything the roles after it may do (a test checks it).
ROLES: tuple[str, ...] = ("hr", "admin", "leadership", "scrutiny")
ROLE_LABELS: dict[str, str] = {
    "hr": "HR",
    "admin": "Administrator",
    "leadership": "Leadership",
    "scrutiny": "Scrutiny member",
}

_ALL = frozenset(ROLES)
_READERS = frozenset({"hr", "admin", "leadership"})   # exact figures, team breakdowns

# Action -> roles that may do it. Pages are "page:<key>" (the keys of dashboard.PAGES).
PERMISSIONS: dict[str, frozenset[str]] = {
    "page:overview": _ALL,
    "page:themes": _ALL,
    "page:agency": _ALL,
    "page:agency_rules": _ALL,         # scrutiny: aggregates only, suppressed, no breach list
    "page:caseloads": _ALL,
    "page:turnover": _ALL,
    "page:profile": _ALL,
    "page:benchmarks": _ALL,
    "page:recommendations": _ALL,
    "page:upload": frozenset({"hr"}),
    # the data quality ledger lists files, uploaders and row-level problems: not for scrutiny
    "page:data_quality": _READERS,
    # the CSWW return carries registration numbers and the readiness lists name workers
    "page:census": frozenset({"hr"}),
    "page:accessibility": _ALL,        # the accessibility statement (also shown before sign-in)
    "figures": _ALL,                   # aggregate figures (suppressed where `exact_figures` is not allowed)
    "exact_figures": _READERS,         # figures on screen without small-number suppression
    "teams": _READERS,                 # figures broken down by team (teams rest on few people)
    "load_data": frozenset({"hr"}),    # load a monthly extract
    "import_benchmarks": _READERS,     # import the published DfE/ONS files
    "edit_tracker": _READERS,          # recommendations tracker edits, meeting packs, its audit trail
}


class UnknownAction(KeyError):
    """An action no one has defined: a programming error, refused rather than allowed."""


def allowed(role: str | None, action: str) -> bool:
    """True when `role` may do `action`. No role (None) may do nothing; an unknown action raises."""
    try:
        roles = PERMISSIONS[action]
    except KeyError:
        raise UnknownAction(f"{action!r} is not an action in access.roles.PERMISSIONS") from None
    return role in roles


def roles_for(action: str) -> tuple[str, ...]:
    """The roles that may do `action`, widest first (for messages such as 'ask HR')."""
    return tuple(r for r in ROLES if allowed(r, action))


def widest(roles: Iterable[str]) -> str | None:
    """The widest of `roles` that this dashboard knows, or None when it knows none of them."""
    held = set(roles)
    return next((r for r in ROLES if r in held), None)


def label(role: str) -> str:
    """'hr' -> 'HR' (for the sidebar and messages)."""
    return ROLE_LABELS[role]
