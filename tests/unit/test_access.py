"""Roles, the permission table and the claims -> role rule (access/: no Streamlit, no store)."""

from __future__ import annotations

import pytest

from access import (
    ROLES,
    AccessConfigError,
    Person,
    allowed,
    load_settings,
    person_from_claims,
    role_from_claims,
    roles_from_claims,
    widest,
)
from access.roles import PERMISSIONS, UnknownAction
from access.signin import Settings, SessionClock, parse_settings


def test_roles_are_nested_widest_first():
    """Whatever a narrower role may do, every wider role may do too, so "widest wins" is safe."""
    for action in PERMISSIONS:
        for wider, narrower in zip(ROLES, ROLES[1:]):
            if allowed(narrower, action):
                assert allowed(wider, action), (action, wider, narrower)


def test_permission_table_by_role():
    assert allowed("hr", "page:upload") and allowed("hr", "load_data")
    for role in ("admin", "leadership", "scrutiny"):
        assert not allowed(role, "page:upload") and not allowed(role, "load_data")
    assert allowed("admin", "import_benchmarks") and allowed("admin", "page:data_quality")
    assert not allowed("scrutiny", "page:data_quality") and not allowed("scrutiny", "teams")
    assert not allowed("scrutiny", "exact_figures") and not allowed("scrutiny", "edit_tracker")
    assert allowed("scrutiny", "page:overview") and allowed("scrutiny", "figures")


def test_no_role_may_do_nothing_and_an_unknown_action_is_refused():
    assert not any(allowed(None, action) for action in PERMISSIONS)
    assert not allowed("superuser", "page:overview")
    with pytest.raises(UnknownAction):
        allowed("hr", "page:nonexistent")


def test_widest_role_wins():
    assert widest(["scrutiny", "hr"]) == "hr"
    assert widest(["leadership", "admin", "scrutiny"]) == "admin"
    assert widest(["scrutiny", "nonsense"]) == "scrutiny"
    assert widest([]) is None and widest(["nonsense"]) is None


def test_roles_from_the_default_roles_claim():
    s = Settings()
    assert role_from_claims({"sub": "1", "roles": ["scrutiny", "leadership"]}, s) == "leadership"
    assert role_from_claims({"sub": "1", "roles": "hr"}, s) == "hr"  # a single string value
    assert role_from_claims({"sub": "1", "roles": ["HR"]}, s) is None  # values match exactly
    assert role_from_claims({"sub": "1", "groups": ["hr"]}, s) is None  # another claim is ignored
    assert role_from_claims({"sub": "1"}, s) is None
    assert role_from_claims({"sub": "1", "roles": 7}, s) is None


def test_configured_groups_claim_and_mapping(tmp_path):
    path = tmp_path / "access.toml"
    path.write_text(
        'role_claim = "groups"\nidle_timeout_minutes = 30\n'
        '[roles]\n"0b6d-hr" = "hr"\n"c3f1-members" = "scrutiny"\n"Workforce.Admin" = "admin"\n'
    )
    s = load_settings(path)
    assert s.role_claim == "groups" and s.idle_timeout_seconds == 1800
    claims = {"sub": "x", "groups": ["c3f1-members", "unrelated", "Workforce.Admin"], "roles": ["hr"]}
    assert roles_from_claims(claims, s) == ["admin", "scrutiny"]
    assert role_from_claims(claims, s) == "admin"
    assert role_from_claims({"sub": "x", "groups": ["hr"]}, s) is None  # only mapped values count


@pytest.mark.parametrize("text, message", [
    ('[roles]\n"G1" = "superuser"\n', "roles are hr, admin, leadership, scrutiny"),
    ('idle_timeout_minutes = 0\n', "above 0"),
    ('role_claim = ""\n', "role_claim"),
    ('rolez = "x"\n', "unknown setting"),
    ('role_claim = "roles\n', "Could not read"),
])
def test_bad_settings_are_refused_with_a_reason(tmp_path, text, message):
    path = tmp_path / "access.toml"
    path.write_text(text)
    with pytest.raises(AccessConfigError, match=message):
        load_settings(path)


def test_shipped_settings_file_is_the_default(monkeypatch):
    monkeypatch.delenv("WORKFORCE_ACCESS", raising=False)
    s = load_settings()
    assert s == Settings()
    assert s.idle_timeout_minutes == 480
    monkeypatch.setenv("WORKFORCE_ACCESS", "/nonexistent/access.toml")
    with pytest.raises(AccessConfigError, match="does not exist"):
        load_settings()
    assert parse_settings({}) == Settings()


def test_person_is_email_or_preferred_username_and_subject_only():
    claims = {"sub": "abc-123", "email": "sam@council.gov.uk", "preferred_username": "sam.o",
              "name": "Sam Officer", "roles": ["hr"], "oid": "guid"}
    assert person_from_claims(claims) == Person(actor="sam@council.gov.uk", subject="abc-123")
    assert person_from_claims({"sub": "s2", "preferred_username": "sam.o@council.gov.uk"}) == \
        Person(actor="sam.o@council.gov.uk", subject="s2")
    assert person_from_claims({"sub": "s3"}) == Person(actor="subject s3", subject="s3")


def test_idle_clock_expires_after_the_timeout_and_stays_expired():
    clock = SessionClock()
    login = {"sub": "u1", "iat": 1000}
    assert clock.is_new(login)
    assert clock.touch(login, now=1010, timeout=60)
    assert not clock.is_new(login)
    assert clock.touch(login, now=1065, timeout=60)        # active: counted from the last view
    assert not clock.touch(login, now=1126, timeout=60)    # idle 61 s
    assert not clock.touch(login, now=1127, timeout=60)    # and it stays expired
    again = {"sub": "u1", "iat": 1130}                      # signing in again: a new token
    assert clock.touch(again, now=1131, timeout=60)


def test_idle_clock_counts_an_unseen_sign_in_from_its_token_issue_time():
    """A stale cookie (or a server restarted since) cannot skip the timeout."""
    clock = SessionClock()
    assert not clock.touch({"sub": "u2", "iat": 1000}, now=1000 + 9 * 3600, timeout=8 * 3600)
    clock.end(login := {"sub": "u3", "iat": 5000})
    assert not clock.touch(login, now=5001, timeout=60)    # signed out: not usable again


def test_the_idle_clock_can_be_put_back_when_an_audit_entry_could_not_be_written() -> None:
    from access.signin import SessionClock

    clock, token = SessionClock(), {"sub": "a", "iat": 1000}
    before = clock.last(token)
    assert before is None and clock.is_new(token)
    assert clock.touch(token, now=1010.0, timeout=60)
    clock.restore(token, before)  # the sign-in's entry was not written: it is new again
    assert clock.is_new(token)
    assert clock.touch(token, now=1020.0, timeout=60)
    seen = clock.last(token)
    assert not clock.touch(token, now=2000.0, timeout=60) and clock.is_ended(token)
    clock.restore(token, seen)  # the idle sign-out's entry was not written: expires again next view
    assert not clock.is_ended(token) and clock.last(token) == 1020.0
