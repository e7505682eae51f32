"""The tracker export (Appendix-1 layout) and its CLI, checked cell by cell with openpyxl.

Why: officers send this workbook to members; it must hold every recommendation with the
executive's response and the actions, and no cell may run as a formula when opened.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
from openpyxl import load_workbook

from recommendations import service
from recommendations.export import TRACKER_COLUMNS, tracker_xlsx_bytes
from recommendations.model import Actor
from recommendations.seed import seed_if_empty
from tests.downloaded import head_row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2025, 4, 1)


def rows_of(data: bytes, sheet: str = "Recommendations") -> tuple[list, list[dict]]:
    ws = load_workbook(io.BytesIO(data))[sheet]
    top = head_row(ws)  # under the header block
    header = [c.value for c in ws[top]]
    out = []
    for row in ws.iter_rows(min_row=top + 1, values_only=True):
        out.append(dict(zip(header, row)))
    return header, out


def as_date(v):
    return v.date() if isinstance(v, datetime) else v


def test_export_holds_every_recommendation_and_action(tmp_db: Path):
    con = duckdb.connect(str(tmp_db))
    seed_if_empty(con)
    header, rows = rows_of(tracker_xlsx_bytes(con, today=TODAY))
    assert header == TRACKER_COLUMNS
    # 49 recommendations + the 80:20 commitment, one extra row for rec 3's second action
    assert len(rows) == 51
    ws_title = load_workbook(io.BytesIO(tracker_xlsx_bytes(con, today=TODAY)))["Recommendations"]["A1"].value
    assert ws_title.startswith("Recommendations made by Children and Young People Scrutiny Committee")
    june = [r for r in rows if as_date(r["Meeting date"]) == date(2024, 6, 13)]
    rec3 = [r for r in june if r["Rec."] == 3]
    assert [r["Owner"] for r in rec3] == ["Head of Learning and Organisational Development"] * 2
    assert sorted(as_date(r["Due date"]) for r in rec3) == [date(2024, 12, 31), date(2025, 3, 31)]
    assert {r["Overdue"] for r in rec3} == {"Overdue"}
    assert rec3[0]["Accepted/Rejected"] == "Partly accepted"
    assert rec3[0]["Response"].startswith("Accepted in part")
    rec1 = next(r for r in june if r["Rec."] == 1)
    assert (rec1["Action"], rec1["Progress"], rec1["Action status"], rec1["Overdue"]) == (
        "Measures of success added to the children’s workforce strategy", "Complete", "Complete", "No")
    rec7 = next(r for r in june if r["Rec."] == 7)
    assert rec7["Accepted/Rejected"] == "Rejected" and rec7["Action"] is None
    assert rec7["Recommendation"].startswith("Additional information required")
    rec4 = next(r for r in june if r["Rec."] == 4)
    assert "differ" in rec4["Note"]
    assert any(r["Rec."] == "Commitment" for r in june)
    responses = rows_of(tracker_xlsx_bytes(con, today=TODAY), "Responses")[1]
    assert len(responses) == 55  # 49 current + 6 from the executive response that Appendix 1 superseded
    assert sum(1 for r in responses if r["Current"] == "Superseded") == 6


def test_export_cells_cannot_run_as_formulas(tmp_db: Path):
    con = duckdb.connect(str(tmp_db))
    seed_if_empty(con)
    hr = Actor(name="HR officer", role="hr")
    rid = service.add_recommendation(con, actor=hr, meeting_date="2025-03-18", topic="=cmd|' /C calc'!A0",
                                     text='=HYPERLINK("http://evil.example","click")')
    service.record_response(con, actor=hr, rec_id=rid, category="Noted", text="+SUM(1,2)")
    service.add_action(con, actor=hr, rec_id=rid, description="@import", owner="-Owner", due_date="2025-06-30")
    ws = load_workbook(io.BytesIO(tracker_xlsx_bytes(con, today=TODAY)))["Recommendations"]
    top = head_row(ws)
    row = next(r for r in ws.iter_rows(min_row=top + 1) if isinstance(r[3].value, str) and "HYPERLINK" in r[3].value)
    cells = {ws.cell(row=top, column=c.column).value: c for c in row}
    assert cells["Recommendation"].value == "'" + '=HYPERLINK("http://evil.example","click")'
    assert cells["Topic"].value.startswith("'=")
    assert cells["Response"].value == "'+SUM(1,2)"
    assert cells["Action"].value == "'@import" and cells["Owner"].value == "'-Owner"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_cli_export_seeds_a_fresh_store(tmp_path: Path):
    db, out = tmp_path / "fresh.duckdb", tmp_path / "tracker.xlsx"
    proc = subprocess.run(
        [sys.executable, "-m", "recommendations", "export", "--db", str(db), "--out", str(out), "--today", "2025-04-01"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "seeded" in proc.stdout and "51 rows" in proc.stdout
    header, rows = rows_of(out.read_bytes())
    assert header == TRACKER_COLUMNS and len(rows) == 51
    assert sum(1 for r in rows if r["Overdue"] == "Overdue") == 3  # rec 3 (two actions) and rec 4
    # a second export does not seed again
    again = subprocess.run(
        [sys.executable, "-m", "recommendations", "export", "--db", str(db), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0 and "seeded" not in again.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM rec_recommendations").fetchone()[0] == 50


def test_cli_refuses_a_bad_output_name(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "recommendations", "export", "--db", str(tmp_path / "x.duckdb"), "--out", str(tmp_path / "t.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2 and "must name an .xlsx file" in proc.stderr
    assert not (tmp_path / "t.csv").exists()
