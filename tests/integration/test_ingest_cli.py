"""`python -m ingest`: exit codes 0 (loaded/replaced/unchanged), 1 (invalid), 2 (usage)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest.__main__ import main
from store import connect
from tests.unit.ingest_files import PERIOD, base_sheets, set_cell, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def _staff_count(db: Path) -> int:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT count(*) FROM staff").fetchall()[0][0]
    finally:
        con.close()


def test_load_then_unchanged_then_replaced(tmp_path: Path, tmp_db: Path, capsys) -> None:
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    assert main([str(path), "--period", PERIOD, "--db", str(tmp_db), "--loaded-by", "hr"]) == 0
    assert capsys.readouterr().out.startswith("loaded 2025-03 as load 1")
    assert main([str(path), "--period", PERIOD, "--db", str(tmp_db)]) == 0
    assert capsys.readouterr().out.startswith("unchanged")
    other = base_sheets()
    set_cell(other, "Staff", 2, "FTE", 0.5)
    path2 = write_xlsx(tmp_path / "march-fixed.xlsx", other)
    assert main([str(path2), "--period", PERIOD, "--db", str(tmp_db)]) == 0
    assert capsys.readouterr().out.startswith("replaced 2025-03 with load 2")
    con = connect(tmp_db, read_only=True)
    assert con.execute("SELECT loaded_by FROM loads ORDER BY load_id").fetchall()[0] == ("hr",)
    con.close()


def test_invalid_file_exits_1_with_the_full_report_on_stderr(tmp_path: Path, tmp_db: Path,
                                                            capsys) -> None:
    sheets = base_sheets()
    set_cell(sheets, "Staff", 3, "FTE", 1.7)
    set_cell(sheets, "Vacancies", 2, "Covered by agency FTE", 9)
    path = write_xlsx(tmp_path / "bad.xlsx", sheets)
    assert main([str(path), "--period", PERIOD, "--db", str(tmp_db)]) == 1
    err = capsys.readouterr().err
    assert "Staff row 3, FTE: 1.7 — must be more than 0 and at most 1" in err
    assert "Vacancies row 2, Covered by agency FTE: 9" in err
    assert "nothing was written" in err
    assert _staff_count(tmp_db) == 0


def test_hostile_file_exits_1_without_a_traceback(tmp_path: Path, tmp_db: Path, capsys) -> None:
    pdf = tmp_path / "x.xlsx"
    pdf.write_bytes(b"%PDF-1.5 ...")
    assert main([str(pdf), "--period", PERIOD, "--db", str(tmp_db)]) == 1
    err = capsys.readouterr().err
    assert "PDF" in err and "Traceback" not in err


def test_dry_run_writes_nothing(tmp_path: Path, tmp_db: Path, capsys) -> None:
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    assert main([str(path), "--period", PERIOD, "--db", str(tmp_db), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("dry run")
    assert _staff_count(tmp_db) == 0


@pytest.mark.parametrize("argv", [
    [],
    ["missing.xlsx", "--period", PERIOD],
    ["{file}"],
    ["{file}", "--period", "2025-13"],
    ["{file}", "--period", "March"],
    ["--template", "x.xlsx", "--period", PERIOD],
    ["--refresh", "{file}"],
    ["--refresh", "--period", PERIOD],
    ["--refresh", "--template", "x.xlsx"],
])
def test_usage_errors_exit_2(tmp_path: Path, tmp_db: Path, argv: list[str], capsys) -> None:
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    argv = [a.replace("{file}", str(path)) for a in argv] + ["--db", str(tmp_db)]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err
    assert _staff_count(tmp_db) == 0


def test_refresh_loads_nothing_and_names_who_asked(tmp_path: Path, tmp_db: Path, capsys) -> None:
    """`--refresh` (after installing a new version): one transaction, no rows changed, an audit
    entry naming the person; a store that does not exist is not created."""
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    assert main([str(path), "--period", PERIOD, "--db", str(tmp_db), "--loaded-by", "hr"]) == 0
    capsys.readouterr()
    assert main(["--refresh", "--db", str(tmp_db), "--loaded-by", "a.okafor"]) == 0
    assert "up to date with this version" in capsys.readouterr().out
    con = connect(tmp_db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM staff").fetchall()[0][0] == 4
        assert con.execute("SELECT count(*) FROM loads").fetchall()[0][0] == 1
        action, actor = con.execute("SELECT action, actor FROM audit ORDER BY id DESC LIMIT 1").fetchall()[0]
        assert (action, actor) == ("refresh", "a.okafor")
    finally:
        con.close()
    missing = tmp_path / "nowhere.duckdb"
    with pytest.raises(SystemExit) as info:
        main(["--refresh", "--db", str(missing)])
    assert info.value.code == 2 and "no store at" in capsys.readouterr().err
    assert not missing.exists()


def test_template_option_writes_the_workbook(tmp_path: Path, capsys) -> None:
    out = tmp_path / "t.xlsx"
    assert main(["--template", str(out)]) == 0
    assert "Instructions" in load_workbook(out).sheetnames


def test_db_defaults_to_workforce_db_env(tmp_path: Path, monkeypatch, capsys) -> None:
    db = tmp_path / "env.duckdb"
    monkeypatch.setenv("WORKFORCE_DB", str(db))
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    assert main([str(path), "--period", PERIOD]) == 0
    assert _staff_count(db) == 4


def test_real_subprocess_help_and_exit_codes(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = [sys.executable, "-m", "ingest"]
    helped = subprocess.run(run + ["--help"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert helped.returncode == 0
    for word in ("--period", "--db", "--dry-run", "python -m demo", "--template", "--refresh", "WORKFORCE_DB",
                 "exit codes", "unchanged"):
        assert word in helped.stdout
    db = tmp_path / "s.duckdb"
    bad = base_sheets()
    set_cell(bad, "Staff", 2, "Worker type", "Volunteer")
    proc = subprocess.run(run + [str(write_xlsx(tmp_path / "b.xlsx", bad)), "--period", PERIOD,
                                 "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Staff row 2, Worker type: Volunteer" in proc.stderr
    assert "Traceback" not in proc.stderr
