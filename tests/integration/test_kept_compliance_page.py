"""The Agency rules page's compliance tables kept whole per load (disclosure.compliance.keep_frames,
store.frames): every view's summaries and monthly spend, every month's decided totals and the
latest month's tables by job type, for roles with exact figures and for the others. Kept == what
the page works out (every column, dtype and cell type, for every role), the page reads the kept
ones (one changed in the store is what it shows), and nothing kept is read after a load that did
not keep it nor for another month. Real stores built through the real loader."""

from __future__ import annotations

import pandas as pd
import pytest

from access.roles import ROLES
from agency.rules import load_rules, rules_path
from disclosure import compliance
from store import connect, frames, loaded_periods
from tests.integration.kept_views import as_role
from tests.integration.test_published_history import load_next_month_without

SEP, NONE = "\x1f", "\x00"  # (the kept labels' parts, as disclosure.compliance writes them)


def _same(a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True, obj=what)
    assert {c: [type(v).__name__ for v in a[c]] for c in a} == {c: [type(v).__name__ for v in b[c]] for c in b}, what


def _same_disclosed(a, b, what: str) -> None:
    for part in ("shown", "published", "reasons"):
        _same(getattr(a, part), getattr(b, part), f"{what} {part}")
    assert (a.table, a.exact, a.period, a.note) == (b.table, b.exact, b.period, b.note), what


def test_the_kept_tables_are_what_the_page_works_out(demo_db):
    rules = load_rules(rules_path())
    with connect(demo_db, read_only=True) as con:
        period = loaded_periods(con)[-1].strftime("%Y-%m")
        page = compliance.kept_page(con, rules)
        assert page is not None and page.period == period  # the demo's last load kept it
        sums, spend = compliance.kept_summaries(con, rules)
        entries, shown = compliance.kept(con), compliance.history_shown(con)
    assert list(page.sums) == list(sums) and list(page.spend) == list(spend)
    for k, f in sums.items():
        _same(page.sums[k], f, f"summaries {k}")
    for k, f in spend.items():
        _same(page.spend[k], f, f"spend {k}")
    hidden = {}
    for role in ROLES:
        keys, decided = compliance.every_month(sums, role, entries=entries, shown=shown)
        got_keys, got = page.every(role)
        assert got_keys == keys
        _same_disclosed(got, decided, f"{role} every month")
        totals = compliance.totals_rows(keys, decided, period)[1]
        jobs = compliance.jobs_decided(sums, role, period, totals, entries=entries, shown=shown)
        kept_jobs = page.jobs(role, period)
        assert list(kept_jobs) == list(jobs) and len(jobs) >= 3  # the directorate and its services
        for view, d in jobs.items():
            _same_disclosed(kept_jobs[view], d, f"{role} jobs {view}")
        hidden[role] = sum(int((decided.published[c] == "c").sum()) for c in compliance.COUNT_COLUMNS)
        assert (decided.shown.equals(decided.published)) == (role == "scrutiny")
    # real decisions: cells hidden in the published totals, the same whoever asks
    assert set(ROLES) == {"hr", "admin", "leadership", "scrutiny"}  # every role sees the page
    assert hidden["hr"] > 0 and len(set(hidden.values())) == 1
    assert int(sums[(None, None)]["assignments"].iloc[-1]) > 0
    assert page.jobs("hr", "2020-01") is None  # another month: decided per view


def _agency_view(monkeypatch, role: str, period: str, *, kept: bool):
    """(the summary, the table by job type) the page shows `role` for the directorate at `period`,
    reading the kept tables or (kept=False) working them out."""
    from ui import db as ui_db
    from ui.data import agency as data
    from ui.filters import Filters

    with as_role(monkeypatch, role, data, "_kept_page", kept=kept), ui_db.page_view():
        f = Filters(period=period)
        return data.summary(f), data.by_group(f, by="job_type")


def test_the_page_reads_the_kept_tables_and_never_stale_ones(copy_demo_db, monkeypatch):
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    rules = load_rules(rules_path())
    with connect(copy_demo_db) as con:
        period = loaded_periods(con)[-1].strftime("%Y-%m")
        key, body = frames.bodies(con, compliance.FRAMES_PREFIX)[compliance.PAGE_NAME]
        assert key == compliance.page_key(con, rules)
        kept = frames.loads_map(body)
        # the directorate's table by job type for exact roles: its first row 1000 more assignments;
        # the directorate's summary: the latest month's assignments 1000 more
        jobs = kept[SEP.join(("jobs", "exact", NONE, "shown"))]
        was_jobs = int(jobs["Assignments"].iloc[0])
        jobs.iloc[0, list(jobs.columns).index("Assignments")] = was_jobs + 1000
        sums = kept[SEP.join(("sums", NONE, ""))]
        was_sum = int(sums["assignments"].iloc[-1])
        sums.iloc[-1, list(sums.columns).index("assignments")] = was_sum + 1000
        frames.write(con, compliance.PAGE_NAME, key, kept)

    def assignments(summary) -> str:
        return summary.shown.loc[summary.shown["Measure"] == "Agency assignments", "Value"].iloc[0]

    summary, by_job = _agency_view(monkeypatch, "hr", period, kept=True)
    assert int(by_job.shown["Assignments"].iloc[0]) == was_jobs + 1000  # the kept tables, read
    assert assignments(summary) == f"{was_sum + 1000:,}"
    summary, by_job = _agency_view(monkeypatch, "hr", period, kept=False)
    assert int(by_job.shown["Assignments"].iloc[0]) == was_jobs
    assert assignments(summary) == f"{was_sum:,}"
    # a load that did not keep them: nothing kept before it is read; the page works them out
    later = load_next_month_without(copy_demo_db, compliance._after_load, monkeypatch)
    with connect(copy_demo_db, read_only=True) as con:
        assert frames.bodies(con, compliance.FRAMES_PREFIX)  # (still there, under the old key)
        assert compliance.kept_page(con, rules) is None
    for at in (period, later):
        for role in ("hr", "scrutiny"):
            kept_view = _agency_view(monkeypatch, role, at, kept=True)
            live_view = _agency_view(monkeypatch, role, at, kept=False)
            for a, b in zip(kept_view, live_view):
                _same_disclosed(a, b, f"{role} {at}")


@pytest.mark.parametrize("role", ["hr", "scrutiny"])
def test_the_page_shows_what_it_worked_out(demo_db, monkeypatch, role):
    monkeypatch.setenv("WORKFORCE_DB", str(demo_db))
    with connect(demo_db, read_only=True) as con:
        period = loaded_periods(con)[-1].strftime("%Y-%m")
    kept_view = _agency_view(monkeypatch, role, period, kept=True)
    live_view = _agency_view(monkeypatch, role, period, kept=False)
    for a, b in zip(kept_view, live_view):
        _same_disclosed(a, b, role)
    assert len(kept_view[1].shown) >= 2


def test_a_new_load_keeps_its_own_month_never_the_old_one(copy_demo_db, monkeypatch):
    """A load of the next month (every load hook) keeps that month's tables; the old month's kept
    page is never what is read after it."""
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    rules = load_rules(rules_path())
    with connect(copy_demo_db, read_only=True) as con:
        before = compliance.kept_page(con, rules)
        old_key = compliance.page_key(con, rules)
    later = load_next_month_without(copy_demo_db, None, monkeypatch)  # (None: no hook left out)
    with connect(copy_demo_db, read_only=True) as con:
        assert compliance.page_key(con, rules) != old_key
        after = compliance.kept_page(con, rules)
        sums, _ = compliance.kept_summaries(con, rules)
    assert before is not None and after is not None
    assert before.period != later and after.period == later
    assert after.jobs("hr", before.period) is None  # the old month: decided per view
    assert len(after.sums[(None, None)]) == len(before.sums[(None, None)]) + 1  # one month more
    _same(after.sums[(None, None)], sums[(None, None)], "the new month's summaries")
    for role in ("hr", "scrutiny"):
        kept_view = _agency_view(monkeypatch, role, later, kept=True)
        live_view = _agency_view(monkeypatch, role, later, kept=False)
        for a, b in zip(kept_view, live_view):
            _same_disclosed(a, b, f"{role} {later}")
