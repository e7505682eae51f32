"""Who may do what: roles, the permission table, sign-in settings and the person behind a token.

The bottom layer (no Streamlit, no store): `roles` (ROLES, PERMISSIONS, `allowed(role, action)`,
`widest`), `signin` (settings from data/access.toml, claims -> role and person, demo mode).
"""

from access.roles import ROLE_LABELS, ROLES, UnknownAction, allowed, label, roles_for, widest
from access.signin import (
    AccessConfigError,
    Person,
    Settings,
    demo_mode,
    demo_person,
    demo_role,
    load_settings,
    person_from_claims,
    role_from_claims,
    roles_from_claims,
)

__all__ = [
    "ROLES", "ROLE_LABELS", "UnknownAction", "allowed", "label", "roles_for", "widest",
    "AccessConfigError", "Person", "Settings", "demo_mode", "demo_person", "demo_role",
    "load_settings", "person_from_claims", "role_from_claims", "roles_from_claims",
]
