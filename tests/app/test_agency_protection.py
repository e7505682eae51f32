"""Issue 10: the Agency rules page's compliance tables are one decision across the directorate,
its services and job types (ui.data.agency through disclosure.disclose_with_totals), on the demo
store; and the per-month summaries (issue 9) are exactly each month's own.
"""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from disclosure import SUPPRESSED
from tests.app.test_app_frame import fresh_caches

CIC, SEND, SAFEGUARDING, YOUTH = "Children in Care", "SEND", "Safeguarding and Family Support", "Youth"
SERVICES = (CIC, SEND, SAFEGUARDING, YOUTH)


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    dst = tmp_path_factory.mktemp("agency-protection") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def _as(monkeypatch, store, role: str) -> None:
    from ui import db

    monkeypatch.setenv("WORKFORCE_DB", str(store))
    monkeypatch.setenv("WORKFORCE_ROLE", role)
    db.clear_caches()
    fresh_caches()


def _summary(period: str, service: str | None, *, shown: bool = False) -> dict[str, str]:
    from ui.data import agency
    from ui.filters import Filters

    d = agency.summary(Filters(period=period, service=service))
    frame = d.shown if shown else d.published
    return dict(zip(frame["Measure"], frame["Value"].astype(str)))


def test_a_services_hidden_count_no_longer_follows_from_another_services_summary(monkeypatch, store):
    """Hand-worked, demo 2023-11 (the first month with assignments), agency assignments whose
    references are incomplete: the directorate 7 (Children in Care 2, SEND 0, Safeguarding 5,
    Youth 0; no assignment off the Staff sheet). Before: the directorate's table by service hid
    Children in Care's 2 and Safeguarding's 5, but Safeguarding's own summary showed its 5 (each
    table was protected alone), so Children in Care's 2 = 7 - 0 - 5 - 0. Now the summaries, the
    tables by job type and the table by service are one decision: Safeguarding's summary hides
    its 5 too, so a reader knows only Children in Care + Safeguarding = 7 - 0 - 0 = 7, and
    Children in Care's figure lies anywhere in [0, 7] (it has 22 assignments): protected.
    Large groups stay shown: the directorate's 76 assignments, each service's (22, 5, 44, 5),
    45 social workers; HR sees the exact 2 and 5 on screen."""
    from ui.data import agency
    from ui.filters import Filters

    period = "2023-11"
    _as(monkeypatch, store, "scrutiny")
    whole = _summary(period, None)
    assert whole["References incomplete"] == "7" and whole["Agency assignments"] == "76"
    by_service = agency.by_group(Filters(period=period), by="service").published.set_index("Service")
    assert by_service["References incomplete"].astype(str).to_dict() == {
        CIC: SUPPRESSED, SEND: "0", SAFEGUARDING: SUPPRESSED, YOUTH: "0"}
    assert by_service["Assignments"].astype(str).to_dict() == {CIC: "22", SEND: "5", SAFEGUARDING: "44", YOUTH: "5"}
    own = {s: _summary(period, s) for s in SERVICES}
    assert own[SAFEGUARDING]["References incomplete"] == SUPPRESSED  # was "5": 7 - 5 gave CiC's 2
    assert own[CIC]["References incomplete"] == SUPPRESSED
    # every view publishes the same decision for the same figure
    for s in SERVICES:
        assert own[s]["References incomplete"] == str(by_service.at[s, "References incomplete"])
        assert own[s]["Agency assignments"] == str(by_service.at[s, "Assignments"])
    jobs = agency.by_group(Filters(period=period), by="job_type").published.set_index("Job type")
    assert str(jobs.at["Social worker", "Assignments"]) == "45"
    # the trend's month row is the same cells as the month's summary
    trend = agency.trend(Filters(period=period, service=SAFEGUARDING)).published
    row = trend[trend["Month"] == "Nov 2023"].iloc[0]
    assert str(row["References incomplete"]) == SUPPRESSED and str(row["Assignments"]) == "44"
    # HR and leadership still see exact figures on screen
    _as(monkeypatch, store, "hr")
    assert _summary(period, SAFEGUARDING, shown=True)["References incomplete"] == "5"
    assert _summary(period, CIC, shown=True)["References incomplete"] == "2"
    exact = agency.by_group(Filters(period=period), by="service").shown.set_index("Service")
    assert exact["References incomplete"].to_dict() == {CIC: 2, SEND: 0, SAFEGUARDING: 5, YOUTH: 0}


def test_the_summaries_of_every_month_are_each_months_own(monkeypatch, store):
    """Issue 9: the page's figures come from one summary of every month per view
    (`_summaries`), which must be exactly what summarising each month of each view alone gave."""
    from disclosure import compliance
    from metrics.agency import summarise
    from ui import db
    from ui.data import agency

    _as(monkeypatch, store, "hr")
    key = (db.db_path(), db.data_version(), agency._rules_version())
    sums = agency._summaries(*key)
    compared = 0
    for view in (None, *SERVICES):
        checked = agency._checked(*key, view, None)
        for period in agency.loaded_months():
            when = date.fromisoformat(period + "-01")
            month = checked[checked["period"] == when]
            for by in (None, "job_type", "service"):
                if by == "service" and view is not None:
                    continue
                alone = summarise(month, by=by).reset_index(drop=True)
                kept = compliance.in_month(sums.get((view, by), alone.iloc[0:0]), when)
                pd.testing.assert_frame_equal(kept, alone, check_dtype=False)
                # what the page shows (counts, share, £ above the cap, spend) exactly; FTE and
                # hours are sums of floats (another summation order differs in the 15th digit)
                shown = [c for c in alone.columns if c not in ("fte", "hours")]
                pd.testing.assert_frame_equal(kept[shown], alone[shown], check_dtype=False, check_exact=True)
                compared += 1
    assert compared == 36 * (3 + 2 * 4)


def test_the_page_publishes_the_decision_its_load_kept(monkeypatch, tmp_path, demo_db):
    """Issue 9: the Agency rules page reads each month's totals as the last load decided and kept
    them (disclosure.compliance, store.kept), not deciding them again on its first view: with the
    live decision made to fail, the summary, the table by service and the trend still come out,
    the same as decided live; and a kept cell altered in the store is what the page publishes."""
    import json

    from disclosure import compliance
    from ui.data import agency
    from ui.filters import Filters

    store = tmp_path / "workforce.duckdb"
    shutil.copy(demo_db, store)
    period = "2023-11"
    _as(monkeypatch, store, "scrutiny")
    live = (agency.summary(Filters(period=period, service=SAFEGUARDING)).published,
            agency.by_group(Filters(period=period), by="service").published,
            agency.trend(Filters(period=period, service=CIC)).published)

    def refuse(*a, **k):
        raise AssertionError("the totals were decided again")

    _as(monkeypatch, store, "scrutiny")
    with monkeypatch.context() as m:
        m.setattr(compliance, "_decide_totals", refuse)
        kept = (agency.summary(Filters(period=period, service=SAFEGUARDING)).published,
                agency.by_group(Filters(period=period), by="service").published,
                agency.trend(Filters(period=period, service=CIC)).published)
    for a, b in zip(kept, live):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert _summary(period, SAFEGUARDING)["Agency assignments"] == "44"

    # the store's kept cell is what is published: Safeguarding's 44 assignments marked hidden
    from store import connect

    con = connect(store)
    try:
        row = con.execute("SELECT decision FROM kept_decisions WHERE kind = ? AND period = ?",
                          [compliance.KIND, date(2023, 11, 1)]).fetchone()
        decision = json.loads(row[0])
        views = [None, *agency.by_group(Filters(period=period), by="service").published["Service"]]
        at = str(views.index(SAFEGUARDING))
        decision["totals"]["cols"].setdefault("Assignments", ["object", {}])[1][at] = SUPPRESSED
        con.execute("UPDATE kept_decisions SET decision = ? WHERE kind = ? AND period = ?",
                    [json.dumps(decision), compliance.KIND, date(2023, 11, 1)])
    finally:
        con.close()
    _as(monkeypatch, store, "scrutiny")
    assert _summary(period, SAFEGUARDING)["Agency assignments"] == SUPPRESSED


def test_the_page_publishes_the_tables_by_job_type_its_load_kept(monkeypatch, tmp_path, demo_db):
    """Issue 9: each month's tables by job type are decided by its load around the month's totals
    and kept (disclosure.compliance): with every live decision made to fail, the directorate's and
    a service's tables by job type of a month that needs linear programming (2024-10: ~1 s live)
    come out the same as decided live; a kept cell altered in the store is what the page
    publishes."""
    import json

    from disclosure import compliance
    from store import connect
    from ui.data import agency
    from ui.filters import Filters

    store = tmp_path / "workforce.duckdb"
    shutil.copy(demo_db, store)
    period, when = "2024-10", date(2024, 10, 1)

    def tables() -> list:
        return [agency.by_group(Filters(period=period, service=s), by="job_type").published for s in (None, CIC)]

    _as(monkeypatch, store, "scrutiny")
    live = tables()

    def refuse(*a, **k):
        raise AssertionError("decided again")

    _as(monkeypatch, store, "scrutiny")
    with monkeypatch.context() as m:
        m.setattr(compliance, "_decide_totals", refuse)
        m.setattr(compliance, "disclose_with_totals", refuse)
        kept = tables()
    for a, b in zip(kept, live):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    shown = [i for i, v in enumerate(live[0]["Assignments"]) if v != SUPPRESSED]
    assert shown, "the directorate's table by job type shows no count"
    at = shown[0]  # a count on show in the directorate's table

    con = connect(store)
    try:
        row = con.execute("SELECT decision FROM kept_decisions WHERE kind = ? AND period = ?",
                          [compliance.KIND, when]).fetchone()
        decision = json.loads(row[0])
        views = [None, *agency.by_group(Filters(period=period), by="service").published["Service"]]
        change = decision["jobs"]["changes"][views.index(None)]
        change["cols"].setdefault("Assignments", ["object", {}])[1][str(at)] = SUPPRESSED
        con.execute("UPDATE kept_decisions SET decision = ? WHERE kind = ? AND period = ?",
                    [json.dumps(decision), compliance.KIND, when])
    finally:
        con.close()
    _as(monkeypatch, store, "scrutiny")
    assert agency.by_group(Filters(period=period), by="job_type").published["Assignments"].iloc[at] == SUPPRESSED



# ------------------------------------------------------------------------------------------
# hand-worked: a directorate of 24 assignments, one large job type and two small ones

_SMALL_RULES_CAP = """
[[caps]]
region = "West Midlands"
job_type = "Senior social worker"
hourly_rate = 45.0
effective_from = 2024-10-31
"""


def _one_large_two_small(period: str, *, other: int = 0) -> dict[str, pd.DataFrame]:
    """Safeguarding's agency assignments in `period` (the directorate's only service), under the
    test rules (tests/integration/agency_fixtures.RULES_TOML: social worker cap £40/h, team
    manager £50/h, plus senior social worker £45/h): 19 social workers at £38 (within the cap),
    3 team managers (2 at £48, 1 at £55 with full sign-off: above the cap, not a breach to sign),
    2 senior social workers at £42. Everyone: qualified 2015 (10 years' experience), 4 weeks'
    notice, 2 references, started 6 Jan 2025 (not 12 months), no project team, not a leaver."""
    from tests.integration.agency_fixtures import ASSIGNMENT_COLS, LEAVER_COLS, STAFF_COLS

    staff = [["E001", "Safeguarding 1", SAFEGUARDING, "Social worker", "Y", "Permanent", 1.0, date(2019, 4, 1)]]
    rows = []

    def add(ref: str, job: str, role: str, rate: float, signed: str | None = None) -> None:
        staff.append([ref, "Safeguarding 1", SAFEGUARDING, role, "Y", "Agency", 1.0, date(2025, 1, 6)])
        rows.append([ref, f"SW{ref[1:]:0>6}", "Acme Social Care", job, rate, 150, date(2025, 1, 6), None, 4,
                     date(2015, 6, 1), None, 2, "N", date(2025, 1, 10) if signed else None, signed])

    for k in range(19):
        add(f"A{100 + k}", "Social worker", "Social worker", 38.0)
    add("A200", "Team manager", "Team manager", 48.0)
    add("A201", "Team manager", "Team manager", 48.0)
    add("A202", "Team manager", "Team manager", 55.0, "DCS and chief executive")
    add("A300", "Senior social worker", "Senior practitioner", 42.0)
    add("A301", "Senior social worker", "Senior practitioner", 42.0)
    for k in range(other):  # the "Other" job type: no price cap in the test rules
        add(f"A{400 + k}", "Other", "Other", 30.0)
    return {"Staff": pd.DataFrame(staff, columns=STAFF_COLS), "Leavers": pd.DataFrame([], columns=LEAVER_COLS),
            "Vacancies": pd.DataFrame(columns=["team", "service", "role_group", "qualified_social_worker",
                                               "vacant_fte", "covered_by_agency_fte"]),
            "Agency assignments": pd.DataFrame(rows, columns=ASSIGNMENT_COLS)}


def test_a_large_job_type_and_zeros_are_shown_and_each_hidden_figure_has_its_true_reason(monkeypatch, tmp_path):
    """Issue 10 (over-hiding and captions on the Agency rules page), hand-worked on a store of one
    month loaded through the real loader (`_one_large_two_small`). Directorate: 24 assignments,
    24 with a cap, 23 within it (the one above is a team manager's, signed off in full): no cap
    breach unsigned, nobody under 3 years, short notice, missing references, cool-off, long or
    project-team: those six summary figures are true zeros, shown ("nobody" identifies nobody).
    The share within the cap (23 of 24 = 95.8%) and the average above it give the 1 away: hidden,
    fewer than 5 people (primary). The count within the cap, 23, is hidden with it (24 - 23 = 1):
    not itself fewer than 5 people but hidden so that a small group cannot be worked out
    (secondary; it read "primary" before). By job type: social workers 19, 19 with a cap, 19
    within, 100.0%, and their zeros, all shown (19 of 19 gives nobody away); the team managers
    (3; 2 within) and senior social workers (2; 2 within) are fewer than 5: primary. HR sees the
    exact 23 on screen."""
    from ingest.loader import load_frames
    from store import connect
    from tests.integration.agency_fixtures import RULES_TOML, write_rules
    from ui.data import agency
    from ui.filters import Filters

    period = "2025-03"
    monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(write_rules(tmp_path / "rules.toml", RULES_TOML + _SMALL_RULES_CAP)))
    store = tmp_path / "workforce.duckdb"
    con = connect(store)
    try:
        load_frames(con=con, frames=_one_large_two_small(period), period=period, loaded_by="test",
                    file_name=f"{period}.xlsx")
    finally:
        con.close()

    _as(monkeypatch, store, "scrutiny")
    summary = agency.summary(Filters(period=period))
    got = dict(zip(summary.published["Measure"], summary.published["Value"].astype(str)))
    why = dict(zip(summary.published["Measure"], summary.reasons["Value"]))
    assert got["Agency assignments"] == "24"
    for zero in ("Cap breaches without full sign-off", "Under 3 years' post-qualifying experience",
                 "Notice below the minimum", "References incomplete", "Cool-off breaches",
                 "Assignments running more than 12 months", "Project-team workers"):
        assert got[zero] == "0", zero
    assert got["Agency spend in the month"] != SUPPRESSED
    assert {m: v for m, v in got.items() if v == SUPPRESSED} == {
        "Within the price cap": SUPPRESSED, "Average above the cap": SUPPRESSED}
    assert why["Within the price cap"] == why["Average above the cap"] == "primary"
    assert summary.caption(published=True) == "c: 2 figures fewer than 5 people."

    by_service = agency.by_group(Filters(period=period), by="service")
    row = by_service.published.set_index("Service").loc[SAFEGUARDING]
    reasons = by_service.reasons.set_index(by_service.published["Service"]).loc[SAFEGUARDING]
    assert (str(row["Assignments"]), str(row["With a cap"]), row["Within cap"]) == ("24", "24", SUPPRESSED)
    assert reasons["Within cap"] == "secondary"  # 23 people: hidden so that the 1 above cannot be worked out
    assert reasons["Within cap (%)"] == "primary"
    assert "1 figure hidden so that a small group cannot be worked out" in by_service.caption(published=True)

    jobs = agency.by_group(Filters(period=period), by="job_type")
    pub = jobs.published.set_index("Job type")
    why_jobs = jobs.reasons.set_index(jobs.published["Job type"])
    social = pub.loc["Social worker"]
    assert [str(social[c]) for c in ("Assignments", "With a cap", "Within cap", "Within cap (%)")] == \
        ["19", "19", "19", "100.0"]
    zeros = ["Cap breaches not signed off", "Under 3 years", "Notice below minimum", "References incomplete",
             "Cool-off breaches", "Over 12 months", "Project team"]
    assert (pub[zeros].astype(str) == "0").all().all()  # true zeros in every row
    for small in ("Team manager", "Senior social worker"):
        for c in ("Assignments", "With a cap", "Within cap", "Within cap (%)"):
            assert pub.at[small, c] == SUPPRESSED and why_jobs.at[small, c] == "primary", (small, c)

    _as(monkeypatch, store, "hr")
    exact = agency.by_group(Filters(period=period), by="service").shown.set_index("Service")
    assert exact.at[SAFEGUARDING, "Within cap"] == 23


def _store_with_one_other(monkeypatch, tmp_path, period: str):
    """A store of one month (`_one_large_two_small` plus one "Other" assignment) loaded through
    the real loader under the test rules with small caps (no cap for Other)."""
    from ingest.loader import load_frames
    from store import connect
    from tests.integration.agency_fixtures import RULES_TOML, write_rules

    monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(write_rules(tmp_path / "rules.toml", RULES_TOML + _SMALL_RULES_CAP)))
    store = tmp_path / "workforce.duckdb"
    con = connect(store)
    try:
        load_frames(con=con, frames=_one_large_two_small(period, other=1), period=period, loaded_by="test",
                    file_name=f"{period}.xlsx")
    finally:
        con.close()
    return store


def test_a_job_type_with_no_cap_shows_its_zeros_and_the_totals_keep_its_few_hidden(monkeypatch, tmp_path):
    """Issue 10, hand-worked on a store of one month loaded through the real loader
    (`_one_large_two_small` plus one "Other" assignment at £30/h; the test rules set no cap for
    Other). Directorate = Safeguarding: 25 assignments, 24 with a cap (19 social workers, 3 team
    managers, 2 senior social workers: every assignment of a job type with a cap has one), 23
    within it. Other has no price cap, so any reader knows its 0 with a cap and 0 within one:
    shown, with its share "z" (not applicable); before, they were hidden ("secondary") as if a
    reader did not know them. And because every assignment of a capped job type has a cap, the
    assignments without one (25 - 24 = 1) are exactly Other's: publishing 25 and 24 gave away the
    1 Other assignment that its own row hides (primary). Now the 24 with a cap is hidden in every
    table that shows it (by service, by month), the 25 still shown; social workers' 19 / 19 /
    19 / 100.0 stay shown."""
    from ui.data import agency
    from ui.filters import Filters

    period = "2025-03"
    store = _store_with_one_other(monkeypatch, tmp_path, period)

    _as(monkeypatch, store, "scrutiny")
    jobs = agency.by_group(Filters(period=period), by="job_type")
    pub = jobs.published.set_index("Job type")
    why = jobs.reasons.set_index(jobs.published["Job type"])
    assert [str(pub.at["Other", c]) for c in ("With a cap", "Within cap", "Within cap (%)")] == ["0", "0", "z"]
    assert pub.at["Other", "Assignments"] == SUPPRESSED and why.at["Other", "Assignments"] == "primary"
    assert [str(pub.at["Social worker", c]) for c in ("Assignments", "With a cap", "Within cap", "Within cap (%)")] == \
        ["19", "19", "19", "100.0"]

    summary = agency.summary(Filters(period=period))
    assert dict(zip(summary.published["Measure"], summary.published["Value"].astype(str)))["Agency assignments"] == "25"
    by_service = agency.by_group(Filters(period=period), by="service")
    row = by_service.published.set_index("Service").loc[SAFEGUARDING]
    reasons = by_service.reasons.set_index(by_service.published["Service"]).loc[SAFEGUARDING]
    assert str(row["Assignments"]) == "25"
    assert row["With a cap"] == SUPPRESSED and reasons["With a cap"] == "secondary"  # 25 - 24 = Other's 1
    for service in (None, SAFEGUARDING):
        trend = agency.trend(Filters(period=period, service=service)).published
        month = trend[trend["Month"] == "Mar 2025"].iloc[0]
        assert str(month["Assignments"]) == "25" and month["With a cap"] == SUPPRESSED, service

    _as(monkeypatch, store, "hr")
    exact = agency.by_group(Filters(period=period), by="service").shown.set_index("Service")
    assert (exact.at[SAFEGUARDING, "Assignments"], exact.at[SAFEGUARDING, "With a cap"]) == (25, 24)


def test_the_decision_knows_the_totals_the_measure_history_shows(monkeypatch, tmp_path):
    """The store of the test above (one month, Safeguarding the directorate's only service): the
    measure history, as its load kept it, shows the directorate's and Safeguarding's 25
    assignments (e.g. 0 of 25 cap breaches unsigned) but hides their 23 of 24 within the cap (the
    1 above it): `history_shown` reads exactly those (every population: the same figures here),
    and the page's decision is told them (the kept decision answers for them)."""
    from disclosure import compliance, history
    from store import connect
    from ui.data import agency
    from ui.filters import Filters

    period = "2025-03"
    store = _store_with_one_other(monkeypatch, tmp_path, period)
    con = connect(store)
    try:
        shown = compliance.history_shown(con)
        live = history.published(con, scope="all_staff")
    finally:
        con.close()
    for view in (None, SAFEGUARDING):
        assert shown[(period, view)]["Assignments"] == {25.0}
        assert "With a cap" not in shown[(period, view)] and "Within cap" not in shown[(period, view)]
    rate = live[(live["metric_id"] == "agency_within_cap_rate") & live["group"].isna()]
    assert rate["suppressed"].all()  # the history hides the 23 of 24 itself

    def refuse(*a, **k):
        raise AssertionError("decided again: the kept decision did not answer")

    _as(monkeypatch, store, "scrutiny")
    with monkeypatch.context() as m:
        m.setattr(compliance, "_decide_totals", refuse)
        row = agency.by_group(Filters(period=period), by="service").published.set_index("Service").loc[SAFEGUARDING]
    assert str(row["Assignments"]) == "25" and row["With a cap"] == SUPPRESSED
