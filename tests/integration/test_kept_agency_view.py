"""The Agency rules page's first view kept whole per load (disclosure.compliance.keep_view,
store.frames): every view's summaries and spend sums, every month's decided compliance totals and
the latest month's tables by job type, worked out by the load from what it kept and read by the
page in one read. Kept == live (every cell, dtype, value type and reason, for each role), the page
reads the kept copy (one changed in the store is what it publishes), and none is read once
anything it was worked out from moved: a kept decision or an assignment edited in place, a load
that did not keep it. Real stores built through the real loader (the demo's 36 months)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from agency.rules import load_rules, rules_path
from disclosure import SUPPRESSED, compliance
from store import connect, frames
from tests.app.test_agency_protection import SAFEGUARDING, _as
from tests.integration.test_kept_compliance import _same_decision
from tests.integration.test_published_history import load_next_month_without

ROLES = ("hr", "leadership", "scrutiny")


def _view(path) -> compliance.KeptView | None:
    with connect(path, read_only=True) as con:
        return compliance.kept_view(con, load_rules(rules_path()))


def _latest(path) -> str:
    from metrics import agency as figures

    with connect(path, read_only=True) as con:
        return f"{max(figures.assignment_periods(con)):%Y-%m}"


def test_the_load_kept_the_view_and_it_is_the_live_decision(demo_db):
    view = _view(demo_db)
    assert view is not None, "the demo's last load kept no view of the Agency rules page"
    assert view.period == _latest(demo_db)
    with connect(demo_db, read_only=True) as con:
        sums, spend = compliance.kept_summaries(con, load_rules(rules_path()))
        shown = compliance.history_shown(con)
    assert list(view.sums) == list(sums) and list(view.spend) == list(spend)
    for k in sums:
        pd.testing.assert_frame_equal(view.sums[k], sums[k], check_exact=True, obj=str(k))
    for k in spend:
        pd.testing.assert_frame_equal(view.spend[k], spend[k], check_exact=True, obj=str(k))
    for role in ROLES:  # decided now, from nothing kept
        keys, live = compliance.every_month(sums, role, shown=shown)
        kept_keys, kept = view.every_month(role)
        assert kept_keys == keys and len({m for m, _ in keys}) == 36
        _same_decision(kept, live, f"{role}: every month's totals")
        totals = compliance.totals_rows(keys, live, view.period)[1]
        jobs = compliance.jobs_decided(sums, role, view.period, totals, shown=shown)
        kept_jobs = view.jobs_decided(role)
        assert list(kept_jobs) == list(jobs) and None in jobs and SAFEGUARDING in jobs
        for v in jobs:
            _same_decision(kept_jobs[v], jobs[v], f"{role}: {v}'s table by job type")
        # real decisions: small figures hidden, on screen only for the roles that see exact ones
        hidden = (kept.published == SUPPRESSED).sum().sum()
        assert hidden > 0 and kept.exact == (role != "scrutiny")
        assert ((kept.shown == SUPPRESSED).sum().sum() == hidden) == (role == "scrutiny")


def _page(period: str, service: str | None = None) -> list[pd.DataFrame]:
    """What the Agency rules page publishes of the compliance decisions: the summary, the tables by
    job type and by service, and the trend."""
    from ui.data import agency
    from ui.filters import Filters

    f = Filters(period=period, service=service)
    return [agency.summary(f).published, agency.by_group(f, by="job_type").published,
            agency.by_group(Filters(period=period), by="service").published, agency.trend(f).published]


def test_the_page_reads_the_kept_view(monkeypatch, copy_demo_db):
    store, period = copy_demo_db, _latest(copy_demo_db)
    _as(monkeypatch, store, "scrutiny")
    live = [_page(period), _page(period, SAFEGUARDING)]

    def refuse(*a, **k):
        raise AssertionError("worked out again, not read kept")

    _as(monkeypatch, store, "scrutiny")
    with monkeypatch.context() as m:  # nothing decided, applied or summarised on the view
        for name in ("_decide_totals", "disclose_with_totals", "_kept_totals", "_kept_jobs", "kept_summaries"):
            m.setattr(compliance, name, refuse)
        kept = [_page(period), _page(period, SAFEGUARDING)]
    for a, b in zip(sum(kept, []), sum(live, [])):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    summary = dict(zip(live[0][0]["Measure"], live[0][0]["Value"]))
    assert summary["Agency assignments"] != SUPPRESSED

    # the kept copy is what is published: the directorate's assignments at the month marked hidden
    with connect(store) as con:
        key, body = frames.bodies(con, compliance.VIEW_NAME)[compliance.VIEW_NAME]
        got = frames.loads_map(body)
        months = got["keys"]["month"].tolist()
        at = months.index(period)  # the month's first row: the directorate's
        assert got["keys"]["view"].iloc[at] is None
        pub = got["totals 1"]
        pub["Assignments"] = pub["Assignments"].astype(object)
        pub.iloc[at, list(pub.columns).index("Assignments")] = SUPPRESSED
        frames.write(con, compliance.VIEW_NAME, key, got)
    _as(monkeypatch, store, "scrutiny")
    assert dict(zip(*_page(period)[0][["Measure", "Value"]].T.values))["Agency assignments"] == SUPPRESSED
    # a body not as the load writes it (a part missing): not read, and no error
    with connect(store) as con:
        del got["keys"]
        frames.write(con, compliance.VIEW_NAME, key, got)
    assert _view(store) is None
    _as(monkeypatch, store, "scrutiny")
    for a, b in zip(_page(period), live[0]):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    # with none kept, the page works it out again: as live
    with connect(store) as con:
        frames.forget(con, compliance.VIEW_NAME)
    _as(monkeypatch, store, "scrutiny")
    for a, b in zip(_page(period), live[0]):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("change", ["a kept decision", "an assignment", "a load without the hook"])
def test_a_view_is_never_read_once_what_it_was_worked_out_from_moved(copy_demo_db, monkeypatch, change):
    store, latest = copy_demo_db, date.fromisoformat(_latest(copy_demo_db) + "-01")
    assert _view(store) is not None
    if change == "a load without the hook":
        load_next_month_without(store, compliance._view_after_load, monkeypatch)
        assert _view(store) is None
        return
    with connect(store) as con:
        if change == "a kept decision":  # the directorate's assignments at 2023-11 marked hidden
            row = con.execute("SELECT decision FROM kept_decisions WHERE kind = ? AND period = ?",
                              [compliance.KIND, date(2023, 11, 1)]).fetchone()
            decision = json.loads(row[0])
            decision["totals"]["cols"].setdefault("Assignments", ["object", {}])[1]["0"] = SUPPRESSED
            con.execute("UPDATE kept_decisions SET decision = ? WHERE kind = ? AND period = ?",
                        [json.dumps(decision), compliance.KIND, date(2023, 11, 1)])
        else:  # an assignment's references edited in place at the latest month
            con.execute("UPDATE agency_assignments SET references_received = 0 WHERE period = ? AND employee_id = "
                        "(SELECT min(employee_id) FROM agency_assignments WHERE period = ? AND references_received > 0)",
                        [latest, latest])
    assert _view(store) is None
    if change == "a kept decision":  # the page publishes the decision as it is kept now
        _as(monkeypatch, store, "scrutiny")
        trend = _page("2023-11")[3]
        assert trend["Assignments"].iloc[0] == SUPPRESSED
