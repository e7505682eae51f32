"""The right month, once: unfinished months are refused, and last month's extract offered for
this month is caught unless HR confirms the staff did not change (and then the ledger says so).

Real files, a real store and the real command line; the clock is pinned with $WORKFORCE_TODAY.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.__main__ import main
from ingest.loader import ExtractRejected, load_file, validate_file
from store import connect
from tests.unit.ingest_files import base_sheets, set_cell, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def month_file(tmp_path: Path, name: str, changes: dict | None = None) -> Path:
    """The base extract with no leavers or training (so it suits any month), plus changes."""
    sheets = base_sheets()
    sheets["Leavers"] = sheets["Leavers"][:1]
    sheets["Training"] = sheets["Training"][:1]
    for (row, header), value in (changes or {}).items():
        set_cell(sheets, "Staff", row, header, value)
    return write_xlsx(tmp_path / name, sheets)


@pytest.fixture
def on_25_november_2026(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKFORCE_TODAY", "2026-11-25")


def test_a_month_that_has_not_ended_cannot_be_loaded(tmp_path: Path, tmp_db: Path,
                                                     on_25_november_2026: None) -> None:
    path = month_file(tmp_path, "nov.xlsx")
    result = validate_file(path=path, period="2026-11")
    [p] = result.errors
    assert "November 2026 has not ended yet (today is 25 November 2026)" in p.message
    assert "30 November 2026" in p.message
    assert validate_file(path=path, period="2026-10").ok


def test_last_months_file_offered_for_the_next_month_is_caught(
        tmp_path: Path, tmp_db: Path, on_25_november_2026: None) -> None:
    october = month_file(tmp_path, "october.xlsx")
    con = connect(tmp_db)
    try:
        load_file(con=con, path=october, period="2026-09", loaded_by="hr")
        with pytest.raises(ExtractRejected) as info:
            load_file(con=con, path=october, period="2026-10", loaded_by="hr")
        [p] = [p for p in info.value.problems if p.severity == "error"]
        assert p.message.startswith("this looks like the extract for 2026-09 again")
        assert "all 4 staff rows" in p.message
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 1
        # one changed FTE is a different month's extract: it loads
        changed = month_file(tmp_path, "october-real.xlsx", {(3, "FTE"): 0.6})
        assert load_file(con=con, path=changed, period="2026-10", loaded_by="hr").outcome == "loaded"
    finally:
        con.close()


def test_the_same_rows_in_another_order_are_still_the_same_extract(
        tmp_path: Path, tmp_db: Path) -> None:
    sheets = base_sheets()
    sheets["Leavers"] = sheets["Leavers"][:1]
    sheets["Training"] = sheets["Training"][:1]
    a = write_xlsx(tmp_path / "a.xlsx", sheets)
    sheets["Staff"] = sheets["Staff"][:1] + sheets["Staff"][:0:-1]
    b = write_xlsx(tmp_path / "b.xlsx", sheets)
    con = connect(tmp_db)
    try:
        load_file(con=con, path=a, period="2025-03", loaded_by="hr")
        result = validate_file(path=b, period="2025-04", con=con)
        assert result.errors[0].message.startswith("this looks like the extract for 2025-03")
    finally:
        con.close()


def test_the_cli_refuses_the_repeat_and_loads_it_with_the_flag(
        tmp_path: Path, tmp_db: Path, capsys, on_25_november_2026: None) -> None:
    path = month_file(tmp_path, "x.xlsx")
    db = ["--db", str(tmp_db), "--loaded-by", "hr"]
    assert main([str(path), "--period", "2026-09", *db]) == 0
    assert main([str(path), "--period", "2026-10", *db]) == 1
    assert "this looks like the extract for 2026-09 again" in capsys.readouterr().err
    assert main([str(path), "--period", "2026-10", "--confirm-same-staff", *db]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("loaded 2026-10")
    assert "identical to 2026-09's" in out.err
    con = connect(tmp_db, read_only=True)
    try:  # the ledger says which month the confirmed load repeats; other loads say none
        assert con.execute("SELECT strftime(period, '%Y-%m'), strftime(repeat_of, '%Y-%m') "
                           "FROM loads ORDER BY load_id").fetchall() == [("2026-09", None),
                                                                         ("2026-10", "2026-09")]
    finally:
        con.close()
    assert main([str(path), "--period", "2026-11", "--confirm-same-staff", *db]) == 1
    assert "has not ended yet" in capsys.readouterr().err


def test_the_cli_survives_a_crafted_workbook_and_exits_1(tmp_path: Path, tmp_db: Path) -> None:
    """The 8 KB workbook with one cell at XFD1048576 used to abort the CLI (exit 134)."""
    from tests.unit.test_ingest_bounded import last_cell

    path = last_cell(tmp_path, "XFD1048576")
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", str(path), "--period", "2025-03", "--db", str(tmp_db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, WORKFORCE_PARSE_MEMORY_MB="1024"))
    assert proc.returncode == 1, proc.stderr
    assert "reaches row 1,048,576, column XFD" in proc.stderr
    assert "Traceback" not in proc.stderr
    con = connect(tmp_db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 0
    finally:
        con.close()


def test_migration_40_adds_repeat_of_to_a_store_holding_loads(tmp_path: Path) -> None:
    """A store at the version before migration 40, with a load in it, gains the column (NULL)."""
    from datetime import date, datetime

    from store import migrations
    from tests.older_store import store_before

    path = tmp_path / "old.duckdb"
    con = store_before(path, 40)
    con.execute("INSERT INTO loads (load_id, period, file_name, sha256, rows_staff, rows_leavers, "
                "rows_vacancies, rows_training, rows_survey, loaded_by, loaded_at, outcome, warnings, "
                "active) VALUES (1, ?, 'a.xlsx', 'x', 4, 0, 0, 0, 0, 'hr', ?, 'loaded', '[]', true)",
                [date(2026, 9, 1), datetime(2026, 10, 2)])
    con.close()
    con = connect(path)  # migrates
    try:
        assert 40 in migrations.applied_ids(con)
        assert con.execute("SELECT load_id, repeat_of FROM loads").fetchall() == [(1, None)]
    finally:
        con.close()
