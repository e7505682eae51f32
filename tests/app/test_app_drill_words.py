"""The Workforce profile's drill in the words a councillor reads (issue 10), on the demo store
(36 months to October 2026). Scrutiny, October 2026, social workers, "Staff from ethnic minorities"
by service: the policy shows Safeguarding and Family Support (6.6%) and hides the other three
services (class and secondary suppression), and every service is hidden now or a year ago.
- The chart's caption names the one figure shown, not a "highest" and a "lowest" that are the same.
- "What changed since a year ago" says the figures are hidden, not that no year-ago month exists.
HR sees the exact figures and the year-on-year table for the same view."""

from __future__ import annotations

from tests.app.test_app_frame import make_app

PROFILE = "views/profile.py"
QUERY = {"period": "2026-10", "scope": "social_workers"}
NO_YEAR_AGO = "No figure for the same month a year earlier to compare with."


def _profile(monkeypatch, store, role):
    at = make_app(monkeypatch, db=store, role=role, query=QUERY)
    at.switch_page(PROFILE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at, [c.value for c in at.caption]


def test_scrutiny_reads_the_one_service_shown_and_why_no_change_is_shown(monkeypatch, app_store):
    _, captions = _profile(monkeypatch, app_store, "scrutiny")
    assert ("Staff from ethnic minorities by service: only Safeguarding and Family Support shown (6.6%). "
            "3 services not shown (c: hidden to protect individuals).") in captions, captions
    assert not any("highest" in c and "by service" in c for c in captions), captions
    assert ("The service figures are hidden (c) now or a year ago, to protect individuals, so no change "
            "can be shown.") in captions, captions
    assert NO_YEAR_AGO not in captions


def test_hr_reads_every_service_and_the_change_on_the_year(monkeypatch, app_store):
    at, captions = _profile(monkeypatch, app_store, "hr")
    by_service = [c for c in captions if c.startswith("Staff from ethnic minorities by service: highest ")]
    assert len(by_service) == 1 and "not shown" not in by_service[0], captions
    assert NO_YEAR_AGO not in captions and not any("now or a year ago, to protect" in c for c in captions)
    changed = [t for t in at.dataframe if "A year ago" in t.value.columns]
    assert changed and len(changed[0].value) == 4, [t.value.columns for t in at.dataframe]
