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

