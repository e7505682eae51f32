"""Sign-in and the person behind a session: Streamlit's OIDC sign-in (`st.login`, `st.user`,
`st.logout`), the demo role picker, the idle timeout, and the audit trail naming people.

Why here: dashboard.py calls `gate()` before anything else. Until a person has signed in it draws
the sign-in page (the product's name and a button) and stops, so no menu is drawn and the store is
never opened. A signed-in person's role is the widest their ID token's role claim grants
(`access.signin`); none means the "no access" page. Demo mode (`WORKFORCE_DEMO=1`) has no sign-in:
a role picker instead, and it refuses a store that holds real loads.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import streamlit as st

import access
from access import Person
from access.signin import SessionClock

PRODUCT = "Children's Workforce Dashboard"
DEMO_ROLE_KEY = "demo_role"          # the demo role picker's widget key
_SIGN_IN_NOTED = "_auth_sign_in_noted"
_DENIED_NOTED = "_auth_no_role_noted"
_clock_lock = threading.Lock()


class NotSignedIn(PermissionError):
    """No one is signed in to this session (sign-in mode)."""


class NoAccess(PermissionError):
    """The signed-in person holds no role this dashboard knows."""


def _now() -> float:
    """Seconds since the epoch (tests move the clock by replacing this)."""
    return time.time()


_CLOCK = SessionClock()


def _clock() -> SessionClock:
    """One idle clock per server process, shared by every session (a module global, not
    st.cache_resource: clearing Streamlit's caches must not revive ended sign-ins)."""
    return _CLOCK


# --- who is here ---------------------------------------------------------------------------------


def demo_mode() -> bool:
    return access.demo_mode()


def signin_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (client id, provider, secrets)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def claims() -> dict[str, Any]:
    """The signed-in person's ID-token claims (empty when no one is signed in)."""
    info = st.user.to_dict()
    if info.get("is_logged_in") is not True:
        return {}
    return {k: v for k, v in info.items() if k != "tokens"}


def settings() -> access.Settings:
    return access.load_settings()


def current_person() -> Person:
    """Who is using this session: the demo user, or the signed-in person (NotSignedIn if none)."""
    if demo_mode():
        return access.demo_person()
    c = claims()
    if not c:
        raise NotSignedIn("Please sign in.")
    return access.person_from_claims(c)


def current_role() -> str:
    """The session's role: the demo picker's, or the widest the person's token grants.

    Outside demo mode `WORKFORCE_ROLE` grants nothing: no sign-in, no role (PermissionError).
    """
    if demo_mode():
        picked = st.session_state.get(DEMO_ROLE_KEY)
        return picked if picked in access.ROLES else access.demo_role()
    c = claims()
    if not c:
        raise NotSignedIn("Please sign in to see this dashboard.")
    role = access.role_from_claims(c, settings())
    if role is None:
        raise NoAccess("You have no access to this dashboard; ask your HR business partner.")
    return role


# --- the audit trail -----------------------------------------------------------------------------


def audit(action: str, *, role: str | None = None, detail: dict | None = None,
          person: Person | None = None) -> None:
    """Append one row naming the person (actor and subject id) and role; nothing else of the token.

    When a command-line load keeps the store busy past the page's wait, the entry goes to the
    store's audit spool instead (`store.spool_audit`; the next writer records it, in order, with
    this time). Raises StoreBusy only when neither could be written: the caller must then not go
    ahead, so no action a person takes here is left unaudited."""
    from store import AuditSpoolError, StoreBusy, record_audit, spool_audit, utc_now
    from ui import db

    who = person or current_person()
    if role is None:
        try:
            role = current_role()
        except PermissionError:
            role = None
    entry = dict(actor=who.actor, subject=who.subject, role=role, action=action, detail=detail,
                 at=utc_now())
    try:
        with db.write_lock:
            with db.open_cursor() as cur:
                record_audit(cur, **entry)
    except StoreBusy as busy:
        try:
            spool_audit(db.db_path(), **entry)
        except AuditSpoolError as exc:
            raise busy from exc


def audited(build, *, what: str, fmt: str):
    """Wrap a download's deferred `build()` so the export is audited when the file is made.

    The person and role are captured now (the file is built later, outside the script run)."""
    who, role = current_person(), current_role()

    def _build():
        data = build()
        audit("export", role=role, person=who, detail={"what": what, "format": fmt})
        return data

    return _build


# --- the gate ------------------------------------------------------------------------------------


def gate() -> str:
    """Decide who may see this run and return their role, or draw the right page and stop.

    Called by dashboard.py first (after set_page_config). Nothing here opens the store until a
    person with a role is signed in (or demo mode has been checked).
    """
    if demo_mode():
        return _demo_gate()
    if not signin_configured():
        st.title(PRODUCT)
        st.error("Sign-in is not set up on this server, so the dashboard cannot be shown. "
                 "The administrator should follow docs/DEPLOY.md (the [auth] section of "
                 ".streamlit/secrets.toml), or run the demo with WORKFORCE_DEMO=1.",
                 icon=":material/lock:")
        st.stop()
    c = claims()
    if not c:
        _sign_in_page()
    try:
        conf = settings()
    except access.AccessConfigError as exc:
        st.title(PRODUCT)
        st.error(f"The dashboard's access settings are not usable: {exc}", icon=":material/error:")
        st.stop()
    with _clock_lock:
        new, ended, before = _clock().is_new(c), _clock().is_ended(c), _clock().last(c)
        fresh = _clock().touch(c, now=_now(), timeout=conf.idle_timeout_seconds)
    person = access.person_from_claims(c)
    role = access.role_from_claims(c, conf)
    try:
        if not fresh and not ended:  # audited once, when this sign-in expires (not in other tabs)
            audit("sign-out", role=role, person=person, detail={"reason": "idle timeout"})
        if fresh and new and role is not None:
            audit("sign-in", role=role, person=person)
    except Exception:  # not even the spool took it: the next page view tries again
        with _clock_lock:
            _clock().restore(c, before)
        raise
    if not fresh:
        _expired_page(conf)
    if role is None:
        _no_access_page(person)
    return role


def _sign_in_page() -> None:
    """The product's name and a sign-in button: no menu, no figures, no store opened."""
    st.title(PRODUCT)
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()
    accessibility_statement()
    st.stop()


def accessibility_statement() -> None:
    """The accessibility statement, folded under the sign-in button: it must be reachable before
    anyone has signed in (the signed-in menu has it as a page)."""
    from ui import accessibility, org

    with st.expander("Accessibility statement"):
        try:
            st.markdown(accessibility.statement_markdown(org.load()))
        except org.OrgConfigError as exc:
            st.error(str(exc))


def _no_access_page(person: Person) -> None:
    if not st.session_state.get(_DENIED_NOTED):
        audit("denied", role=None, person=person, detail={"reason": "no recognised role"})
        st.session_state[_DENIED_NOTED] = True
    st.title(PRODUCT)
    st.warning(f"You are signed in as {person.actor}.\n\n"
               "You have no access to this dashboard; ask your HR business partner.",
               icon=":material/block:")
    sign_out_button(person=person, role=None)
    accessibility_statement()
    st.stop()


def _expired_page(conf: access.Settings) -> None:
    hours = conf.idle_timeout_minutes / 60
    span = f"{hours:g} hours" if hours >= 1 else f"{conf.idle_timeout_minutes:g} minutes"
    st.title(PRODUCT)
    st.info(f"Your session has ended after {span} without activity. Please sign in again.",
            icon=":material/timer_off:")
    if st.button("Sign in again", type="primary", icon=":material/login:"):
        st.login()
    accessibility_statement()
    st.stop()


def sign_out_button(*, person: Person | None = None, role: str | None = None) -> None:
    """Sign out (audited); shown in the sidebar of every page and on the no-access page."""
    if demo_mode():
        return
    if st.button("Sign out", icon=":material/logout:", key="sign_out"):
        c = claims()
        audit("sign-out", role=role, person=person or access.person_from_claims(c))
        with _clock_lock:
            _clock().end(c)
        st.logout()
        st.stop()


# --- demo mode -----------------------------------------------------------------------------------


DEMO_REFUSAL = (
    "Demo mode will not start on this store: it holds real loads (extracts loaded from files, not "
    "by the demo command), and demo mode has no sign-in. Run the dashboard with sign-in instead "
    "(bash scripts/serve.sh; docs/DEPLOY.md), or point WORKFORCE_DB at a demo store."
)


@st.cache_resource(show_spinner=False)
def _holds_real_loads(path: str) -> bool:
    """Checked once per server process and store: does the store hold any real load?"""
    from store import holds_real_loads
    from ui import db

    with db.open_cursor() as cur:
        return holds_real_loads(cur)


def _demo_gate() -> str:
    """Demo mode: refuse a store with real loads; the role picker's role (audited once)."""
    from ui import db

    try:
        role = current_role()
    except access.AccessConfigError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
    if _holds_real_loads(db.db_path()):
        st.title(PRODUCT)
        st.error(DEMO_REFUSAL, icon=":material/block:")
        st.stop()
    if not st.session_state.get(_SIGN_IN_NOTED):
        from store import StoreBusy

        try:
            audit("sign-in", role=role, detail={"mode": "demo"})
        except StoreBusy:  # a command-line load holds the store: note it on the next page view
            return role
        st.session_state[_SIGN_IN_NOTED] = True
    return role


def refuse_page_by_url(role: str, page_keys: list[str]) -> None:
    """A page this role may not open was asked for by its address: say so and audit it (once).

    Such a page is not registered for the role, so Streamlit never runs it and shows the default
    page; this only tells the person why and records the attempt."""
    from urllib.parse import urlparse

    url = st.context.url or ""
    key = urlparse(url).path.rstrip("/").rsplit("/", 1)[-1].replace("-", "_")
    if key not in page_keys or access.allowed(role, f"page:{key}"):
        return
    noted = st.session_state.setdefault("_auth_refused_urls", set())
    if key not in noted:
        audit("denied", role=role, detail={"action": f"page:{key}", "by": "address"})
        noted.add(key)
        st.error(f"That page is not available to the {role} role.", icon=":material/lock:")


def account_panel(role: str) -> None:
    """Sidebar: who is signed in and as what, sign-out; in demo mode the role picker instead."""
    if demo_mode():
        if DEMO_ROLE_KEY not in st.session_state:
            st.session_state[DEMO_ROLE_KEY] = role
        st.selectbox("Demo: view as", options=list(access.ROLES), format_func=access.label,
                     key=DEMO_ROLE_KEY,
                     help="Demo mode only: with sign-in, the role comes from the identity provider.")
        st.caption(f"Demo mode · viewing as **{access.label(role)}**")
        return
    person = current_person()
    held = access.roles_from_claims(claims(), settings())
    others = [access.label(r) for r in held if r != role]
    st.caption(f"Signed in as **{person.actor}** · role: **{access.label(role)}**"
               + (f" (the widest you hold; also {', '.join(others)})" if others else ""))
    sign_out_button(person=person, role=role)
