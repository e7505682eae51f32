"""The audit spool: an entry the dashboard could not write because another process held the store
is kept beside it (0600, one line each) and recorded by the next process that opens the store for
writing: in order, with its own time, exactly once, and a damaged line is recorded as damaged.

Busy stores are real: a second process holds DuckDB's lock (tests/integration/test_store_busy.py)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

import store
from tests.integration.test_store_busy import ROOT, hold


def audit_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute('SELECT "at", actor, actor_subject, role, action, entity, entity_id, detail '
                           "FROM audit ORDER BY id").fetchall()
    finally:
        con.close()
    return [(*r[:7], json.loads(r[7])) for r in rows]


def test_entries_kept_while_another_process_holds_the_store_are_recorded_in_order_once(tmp_db: Path) -> None:
    at = [datetime(2026, 3, 2, 9, 0, s) for s in (1, 2, 3)]
    holder = hold(tmp_db, 60)
    try:
        with pytest.raises(store.StoreBusy):
            store.connect(tmp_db, wait=0.2)
        ids = [
            store.spool_audit(tmp_db, actor="hr1@council.example", subject="hr1", role="hr",
                              action="sign-in", at=at[0]),
            store.spool_audit(tmp_db, actor="hr1@council.example", subject="hr1", role="hr",
                              action="export", detail={"what": "Headcount", "format": "csv"}, at=at[1]),
            store.spool_audit(tmp_db, actor="hr1@council.example", subject="hr1", role="hr",
                              action="sign-out", at=at[2]),
        ]
        spool = store.spool_path(tmp_db)
        assert spool.name == "workforce.duckdb.audit-spool" and spool.parent == tmp_db.parent
        assert stat.S_IMODE(spool.stat().st_mode) == 0o600
        lines = [json.loads(x) for x in spool.read_text().splitlines()]
        assert [x["action"] for x in lines] == ["sign-in", "export", "sign-out"]
        assert set(lines[0]) == {"at", "actor", "subject", "role", "action", "entity", "entity_id", "detail"}
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert audit_rows(tmp_db) == []  # nothing reached the store while it was held
    store.connect(tmp_db).close()  # the next writer records them
    rows = audit_rows(tmp_db)
    assert [r[:5] for r in rows] == [(at[0], "hr1@council.example", "hr1", "hr", "sign-in"),
                                     (at[1], "hr1@council.example", "hr1", "hr", "export"),
                                     (at[2], "hr1@council.example", "hr1", "hr", "sign-out")]
    assert [r[7]["spool"] for r in rows] == ids
    assert rows[1][7] == {"what": "Headcount", "format": "csv", "spool": ids[1]}
    assert not store.spool_path(tmp_db).exists()
    store.connect(tmp_db).close()
    assert len(audit_rows(tmp_db)) == 3  # exactly once


def test_the_holder_itself_records_the_spool_when_it_opens_the_store(tmp_db: Path) -> None:
    """'The next successful write' is whoever opens the store for writing next: a command-line
    load records the dashboard's kept entries before its own work."""
    store.spool_audit(tmp_db, actor="lead@council.example", role="leadership", action="denied",
                      detail={"action": "page:upload"})
    holder = hold(tmp_db, 0)
    holder.wait(timeout=30)
    assert [r[4] for r in audit_rows(tmp_db)] == ["denied"]
    assert not store.spool_path(tmp_db).exists()


def test_a_crash_between_the_copy_and_the_removal_records_nothing_twice(tmp_db: Path) -> None:
    store.spool_audit(tmp_db, actor="a@council.example", role="hr", action="sign-in")
    store.spool_audit(tmp_db, actor="b@council.example", role="hr", action="sign-in")
    kept = store.spool_path(tmp_db).read_bytes()
    store.connect(tmp_db).close()
    store.spool_path(tmp_db).write_bytes(kept)  # as if the process died after COMMIT, before unlink
    store.spool_audit(tmp_db, actor="c@council.example", role="hr", action="sign-in")
    store.connect(tmp_db).close()
    assert [r[1] for r in audit_rows(tmp_db)] == ["a@council.example", "b@council.example", "c@council.example"]
    assert not store.spool_path(tmp_db).exists()


def test_a_line_cut_short_is_recorded_as_damaged_not_dropped(tmp_db: Path) -> None:
    store.spool_audit(tmp_db, actor="a@council.example", role="hr", action="sign-in")
    with store.spool_path(tmp_db).open("a") as f:
        f.write('{"at": "2026-03-02T09:00:0')  # a write cut off by a power cut
    store.connect(tmp_db).close()
    rows = audit_rows(tmp_db)
    assert [r[4] for r in rows] == ["sign-in", "audit spool damaged"]
    assert rows[1][7]["line"] == 2 and rows[1][7]["text"] == '{"at": "2026-03-02T09:00:0'
    store.connect(tmp_db).close()
    assert len(audit_rows(tmp_db)) == 2


APPEND = """
import sys, store
for i in range(int(sys.argv[3])):
    store.spool_audit(sys.argv[1], actor=sys.argv[2], role="hr", action="export", detail={"n": i})
"""


def test_two_processes_spooling_at_once_lose_nothing(tmp_db: Path) -> None:
    holder = hold(tmp_db, 60)
    try:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        procs = [subprocess.Popen([sys.executable, "-c", APPEND, str(tmp_db), who, "40"], cwd=ROOT, env=env)
                 for who in ("p1", "p2")]
        assert [p.wait(timeout=60) for p in procs] == [0, 0]
    finally:
        holder.kill()
        holder.wait(timeout=10)
    store.connect(tmp_db).close()
    rows = audit_rows(tmp_db)
    for who in ("p1", "p2"):
        assert [r[7]["n"] for r in rows if r[1] == who] == list(range(40))  # each in its own order


def test_a_spool_that_cannot_be_written_is_a_named_error(tmp_path: Path) -> None:
    with pytest.raises(store.AuditSpoolError, match="could not keep the audit entry"):
        store.spool_audit(tmp_path / "no such folder" / "workforce.duckdb", actor="a", role="hr",
                          action="sign-in")
