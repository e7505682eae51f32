"""Who is signing in: the dashboard's sign-in settings, the person and the role an ID token gives.

Why here (and without Streamlit): the mapping from identity-provider claims to roles is a rule an
information-security officer reviews, so it is plain code with plain tests; `ui.auth` only feeds
it `st.user`. Settings live in `data/access.toml` (or the file `$WORKFORCE_ACCESS` names):

    role_claim = "roles"            # the ID-token claim holding the person's roles or groups
    idle_timeout_minutes = 480      # a session idle this long asks the person to sign in again
    [roles]                         # claim value -> dashboard role
    "Workforce.HR" = "hr"

Demo mode (`WORKFORCE_DEMO=1`) is the only way to run without sign-in; `WORKFORCE_ROLE` then
picks the starting role and grants nothing outside demo mode.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from access.roles import ROLES, widest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = PROJECT_ROOT / "data" / "access.toml"
SETTINGS_ENV = "WORKFORCE_ACCESS"
DEMO_ENV = "WORKFORCE_DEMO"
DEMO_ROLE_ENV = "WORKFORCE_ROLE"
DEMO_USER_ENV = "WORKFORCE_USER"
DEFAULT_DEMO_ROLE = "leadership"
DEFAULT_CLAIM = "roles"
DEFAULT_IDLE_MINUTES = 480.0


class AccessConfigError(ValueError):
    """The access settings (or $WORKFORCE_ROLE in demo mode) cannot be used; the message says why."""


@dataclass(frozen=True)
class Settings:
    """Sign-in settings: which claim names the roles, what its values mean, the idle timeout."""

    role_claim: str = DEFAULT_CLAIM
    # claim value -> role; by default the role names themselves (Entra ID app role values)
    role_values: Mapping[str, str] = field(default_factory=lambda: {r: r for r in ROLES})
    idle_timeout_minutes: float = DEFAULT_IDLE_MINUTES

    @property
    def idle_timeout_seconds(self) -> float:
        return self.idle_timeout_minutes * 60.0


def settings_path() -> Path:
    """`$WORKFORCE_ACCESS` if set, else data/access.toml."""
    env = os.environ.get(SETTINGS_ENV, "").strip()
    return Path(env) if env else DEFAULT_SETTINGS


def load_settings(path: Path | None = None) -> Settings:
    """Read and check the settings file; a missing file means the defaults."""
    path = path or settings_path()
    if not path.is_file():
        if os.environ.get(SETTINGS_ENV, "").strip():
            raise AccessConfigError(f"{SETTINGS_ENV} names {path}, which does not exist.")
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccessConfigError(f"Could not read the access settings in {path}: {exc}") from exc
    return parse_settings(raw, source=str(path))


def parse_settings(raw: Mapping[str, object], *, source: str = "access settings") -> Settings:
    """Settings from a parsed TOML table, refusing anything it does not understand."""
    unknown = set(raw) - {"role_claim", "idle_timeout_minutes", "roles"}
    if unknown:
        raise AccessConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}.")
    claim = raw.get("role_claim", DEFAULT_CLAIM)
    if not isinstance(claim, str) or not claim.strip():
        raise AccessConfigError(f"{source}: role_claim must name a claim, e.g. \"roles\" or \"groups\".")
    idle = raw.get("idle_timeout_minutes", DEFAULT_IDLE_MINUTES)
    if isinstance(idle, bool) or not isinstance(idle, int | float) or not idle > 0:
        raise AccessConfigError(f"{source}: idle_timeout_minutes must be a number of minutes above 0.")
    values = raw.get("roles", {r: r for r in ROLES})
    if not isinstance(values, Mapping) or not values:
        raise AccessConfigError(f"{source}: [roles] must map claim values to roles.")
    for value, role in values.items():
        if role not in ROLES:
            raise AccessConfigError(
                f"{source}: [roles] maps {value!r} to {role!r}; roles are {', '.join(ROLES)}."
            )
    return Settings(role_claim=claim.strip(), role_values=dict(values), idle_timeout_minutes=float(idle))


def _claim_values(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple | set | frozenset):
        return [v for v in value if isinstance(v, str)]
    return []


def roles_from_claims(claims: Mapping[str, object], settings: Settings) -> list[str]:
    """Every dashboard role the token's role claim grants (unknown values are ignored)."""
    held = _claim_values(claims.get(settings.role_claim))
    return [r for r in ROLES if any(settings.role_values.get(v) == r for v in held)]


def role_from_claims(claims: Mapping[str, object], settings: Settings) -> str | None:
    """The widest role the token grants, or None (no access)."""
    return widest(roles_from_claims(claims, settings))


@dataclass(frozen=True)
class Person:
    """Who is using the dashboard, as the audit trail records them: nothing else of the token."""

    actor: str                 # email, else preferred_username (Entra ID: the UPN)
    subject: str | None        # the ID token's `sub` (None in demo mode)


def person_from_claims(claims: Mapping[str, object]) -> Person:
    """The person named by an ID token: email or preferred username, and the subject id."""
    sub = claims.get("sub")
    subject = str(sub) if sub not in (None, "") else None
    for key in ("email", "preferred_username"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            return Person(actor=value.strip(), subject=subject)
    return Person(actor=f"subject {subject}" if subject else "unknown", subject=subject)


def demo_mode() -> bool:
    """True only when `WORKFORCE_DEMO=1` (scripts/run.sh sets it): no sign-in, a role picker."""
    return os.environ.get(DEMO_ENV, "").strip() == "1"


def demo_role() -> str:
    """The starting role in demo mode: `$WORKFORCE_ROLE`, default leadership."""
    raw = os.environ.get(DEMO_ROLE_ENV, "").strip().lower() or DEFAULT_DEMO_ROLE
    if raw not in ROLES:
        raise AccessConfigError(
            f"{DEMO_ROLE_ENV} is {raw!r}, which is not a role this dashboard knows. "
            f"Set it to one of: {', '.join(ROLES)}."
        )
    return raw


def demo_person() -> Person:
    """The demo user named in the audit trail: `$WORKFORCE_USER`, else 'demo user'."""
    name = os.environ.get(DEMO_USER_ENV, "").strip()
    return Person(actor=name or "demo user", subject=None)


class SessionClock:
    """Idle timeout for signed-in sessions, kept per sign-in (subject + the token's issue time).

    A sign-in is "last active" at its last page view seen by this server, or, if this server has
    never seen it (a browser tab opened later, or a server restarted since), at the time its ID
    token was issued. Idle longer than the timeout, it stays expired until the person signs in
    again (a new token, a new issue time): a second tab with the same cookie cannot revive it.
    Not thread-safe on its own: the caller holds a lock.
    """

    EXPIRED = float("-inf")

    def __init__(self) -> None:
        self._last: dict[tuple[str, str], float] = {}

    @staticmethod
    def key(claims: Mapping[str, object]) -> tuple[str, str]:
        return (str(claims.get("sub") or ""), str(claims.get("iat") or ""))

    def is_new(self, claims: Mapping[str, object]) -> bool:
        """True when this sign-in has not been seen by this server yet."""
        return self.key(claims) not in self._last

    def is_ended(self, claims: Mapping[str, object]) -> bool:
        """True when this sign-in has already expired or been signed out."""
        return self._last.get(self.key(claims)) == self.EXPIRED

    def touch(self, claims: Mapping[str, object], *, now: float, timeout: float) -> bool:
        """Record activity now; False (and expired for good) when idle longer than `timeout`."""
        key = self.key(claims)
        last = self._last.get(key)
        if last is None:
            iat = claims.get("iat")
            last = float(iat) if isinstance(iat, int | float) and not isinstance(iat, bool) else now
        if last == self.EXPIRED or now - last > timeout:
            self._last[key] = self.EXPIRED
            return False
        self._last[key] = now
        return True

    def last(self, claims: Mapping[str, object]) -> float | None:
        """What this clock holds for the sign-in (None: never seen), for `restore`."""
        return self._last.get(self.key(claims))

    def restore(self, claims: Mapping[str, object], last: float | None) -> None:
        """Put back what `last` returned: a sign-in, or an idle expiry, whose audit entry could not
        be written is seen again by the next page view (so it is audited then, not never)."""
        if last is None:
            self._last.pop(self.key(claims), None)
        else:
            self._last[self.key(claims)] = last

    def end(self, claims: Mapping[str, object]) -> None:
        """Sign-out: this sign-in may not be used again."""
        self._last[self.key(claims)] = self.EXPIRED
