"""The dashboard's audited actions never happen unaudited: a tracker edit, a pack's publication
and a load write their audit entry in the same transaction as the change, so an entry that cannot
be written (the disk fails, the store is held by another process) means no change at all. Nothing
of these is spooled: the person is told the store is busy and tries again.

(Sign-in, sign-out, denials and exports change nothing in the store; when it is busy their entry
goes to the spool: tests/app/test_app_signin.py and tests/integration/test_audit_spool.py.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

import store
from recommendations.model import Actor
from tests.integration.test_store_busy import hold

HR = Actor(name="hr1@council.example", role="hr", subject="hr1")


def _audit_fails(*args, **kwargs):
    raise duckdb.IOException("IO Error: could not write to the audit table (test: disk full)")


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                for t in ("audit", "rec_recommendations", "rec_actions", "rec_packs", "rec_pack_items", "loads", "staff")}
    finally:
        con.close()


def test_an_edit_a_publication_and_a_load_whose_audit_entry_fails_do_not_happen(copy_demo_db, monkeypatch, tmp_path):
    from ingest import loader
    from ingest.problems import ExtractRejected
    from metrics import engine
    from recommendations import packs, service
    from recommendations.seed import seed_if_empty
    from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

    con = store.connect(copy_demo_db)
    seed_if_empty(con)
    rec = int(con.execute("SELECT min(rec_id) FROM rec_recommendations").fetchone()[0])
    latest = engine.latest_period(con)
    con.close()
    period = next_month(latest_loaded(copy_demo_db))
    extract = tmp_path / f"workforce_{period}.xlsx"
    extract.write_bytes(workbook_bytes(month_frames(period=period)))
    before = counts(copy_demo_db)
    for module in (service, packs, loader):
        monkeypatch.setattr(module, "record_audit", _audit_fails)
    con = store.connect(copy_demo_db)
    try:
        with pytest.raises(duckdb.IOException):
            service.add_action(con, actor=HR, rec_id=rec, description="Review agency use", owner="Head of service",
                               due_date=date(2027, 1, 31), success_criteria="Agency below 20%")
        with pytest.raises(duckdb.IOException):
            packs.publish_pack(con, meeting_date=date(latest.year, latest.month, 20),
                               metric_ids=["agency_rate_fte"], published_by=HR)
        with pytest.raises(ExtractRejected, match="The store could not be written .*nothing was changed"):
            loader.load_file(con=con, path=extract, period=period, loaded_by=HR.name, role="hr", subject="hr1")
    finally:
        con.close()
    assert counts(copy_demo_db) == before
    monkeypatch.undo()  # the same three, with the audit working: each happens and is audited
    monkeypatch.setenv("WORKFORCE_TODAY", f"{next_month(period)}-01")
    con = store.connect(copy_demo_db)
    try:
        service.add_action(con, actor=HR, rec_id=rec, description="Review agency use", owner="Head of service",
                           due_date=date(2027, 1, 31), success_criteria="Agency below 20%")
        packs.publish_pack(con, meeting_date=date(latest.year, latest.month, 20),
                           metric_ids=["agency_rate_fte"], published_by=HR)
        loader.load_file(con=con, path=extract, period=period, loaded_by=HR.name, role="hr", subject="hr1")
        actions = [r[0] for r in con.execute("SELECT action FROM audit ORDER BY id DESC LIMIT 3").fetchall()]
    finally:
        con.close()
    assert actions == ["load", "publish pack", "add action"]


def test_a_tracker_edit_while_another_process_holds_the_store_is_refused_and_not_kept(copy_demo_db, monkeypatch):
    """The tracker's form, submitted during a command-line load: a plain message, no change, and
    nothing spooled (an edit is not an audit entry that can be recorded later)."""
    from recommendations.seed import seed_if_empty
    from ui import state, tracker

    con = store.connect(copy_demo_db)
    seed_if_empty(con)
    rec = int(con.execute("SELECT min(rec_id) FROM rec_recommendations").fetchone()[0])
    con.close()
    before = counts(copy_demo_db)
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_PAGE_WAIT", "0.3")
    monkeypatch.setattr(state, "check", lambda action: "hr")
    said = []
    monkeypatch.setattr(tracker.st, "error", lambda text, **kw: said.append(text))
    holder = hold(copy_demo_db, 60)
    try:
        tracker.write(tracker.service.add_action, success="Action added.", actor=HR, rec_id=rec,
                      description="Review agency use", owner="Head of service", due_date=None,
                      success_criteria="")
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert [s.replace("\\", "") for s in said] == ["the store is busy (being loaded by the test holder); try again"]
    assert not store.spool_path(copy_demo_db).exists()
    assert counts(copy_demo_db) == before
