"""Roles and shared filters: one place decides the role; filters only keep values that exist."""

import pytest

from access import AccessConfigError
from ui import state


def test_demo_role_from_environment_default_and_invalid(monkeypatch):
    monkeypatch.delenv("WORKFORCE_ROLE", raising=False)
    assert state.current_role() == "leadership"
    monkeypatch.setenv("WORKFORCE_ROLE", " Scrutiny ")
    assert state.current_role() == "scrutiny"
    monkeypatch.setenv("WORKFORCE_ROLE", "superuser")
    with pytest.raises(AccessConfigError, match="hr, admin, leadership, scrutiny"):
        state.current_role()


def test_workforce_role_grants_nothing_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("WORKFORCE_DEMO")
    monkeypatch.setenv("WORKFORCE_ROLE", "hr")
    with pytest.raises(PermissionError):
        state.current_role()
    monkeypatch.setenv("WORKFORCE_DEMO", "true")  # only exactly "1" turns demo mode on
    with pytest.raises(PermissionError):
        state.current_role()


def test_page_access_keeps_scrutiny_out_of_upload_and_data_quality():
    assert state.pages_for("scrutiny") == [
        "overview", "themes", "agency", "agency_rules", "caseloads", "turnover", "profile",
        "benchmarks", "recommendations", "accessibility",
    ]
    assert "upload" in state.pages_for("hr") and "data_quality" in state.pages_for("hr")
    assert "upload" not in state.pages_for("leadership") and "upload" not in state.pages_for("admin")
    assert not state.can_see_teams("scrutiny") and state.can_see_teams("leadership")
    assert state.is_suppressed("scrutiny") and not state.is_suppressed("hr")
    assert not state.is_suppressed("admin") and state.can_see_teams("admin")


def test_check_refuses_and_audits_a_denied_action(monkeypatch):
    from ui import auth

    seen = []
    monkeypatch.setattr(auth, "audit", lambda action, **kw: seen.append((action, kw)))
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    with pytest.raises(PermissionError, match="scrutiny role"):
        state.check("load_data")
    assert seen == [("denied", {"role": "scrutiny", "detail": {"action": "load_data"}})]
    assert state.check("figures") == "scrutiny"
    assert len(seen) == 1  # an allowed action is not a denial


OPTIONS = state.FilterOptions(
    periods=("2026-08", "2026-09", "2026-10"),
    services=("Early Help", "Youth"),
    teams={"Early Help": ("Family Hubs",), "Youth": ("Youth Justice",)},
)


def test_validate_filters_keeps_known_values_and_drops_the_rest():
    f = state.validate_filters({"period": "2026-09", "scope": "all_staff", "service": "Youth",
                                "team": "Youth Justice"}, OPTIONS, role="leadership")
    assert f == state.Filters(period="2026-09", scope="all_staff", service="Youth", team="Youth Justice")
    assert f.engine_filters() == {"service": ["Youth"], "team": ["Youth Justice"]}
    assert f.describe() == "all staff in Youth Justice"
    bad = state.validate_filters({"period": "1999-01", "scope": "x", "service": "Nope",
                                  "team": "Family Hubs' OR 1=1"}, OPTIONS, role="hr")
    assert bad == state.Filters(period="2026-10", scope="social_workers", service=None, team=None)
    # a team outside the chosen service is dropped
    assert state.validate_filters({"service": "Youth", "team": "Family Hubs"}, OPTIONS, role="hr").team is None


def test_scrutiny_never_gets_a_team_filter():
    f = state.validate_filters({"service": "Youth", "team": "Youth Justice"}, OPTIONS, role="scrutiny")
    assert f.service == "Youth" and f.team is None


def test_period_label():
    assert state.period_label("2026-10") == "October 2026"
