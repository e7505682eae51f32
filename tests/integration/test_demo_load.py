"""The demo goes through the same validator and loader HR uses, with zero errors, every month.

Real files: workbooks written to temporary folders, real DuckDB stores (the session's
`demo_db` fixture is built by the demo command, `python -m demo --db PATH`, which calls
`build_demo_db`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook

from ingest import loader
from demo import DemoError, DemoRefused, build_demo_db, default_end_period, generate, write_workbooks

END = "2026-10"


def test_every_month_validates_with_zero_errors():
    for period, frames in generate(end_period=END):
        result = loader.validate_frames(frames=frames, period=period)
        assert result.errors == [], f"{period}:\n" + "\n".join(map(str, result.errors[:20]))
        assert result.warnings == [], f"{period}:\n" + "\n".join(map(str, result.warnings[:20]))


def test_workbooks_have_the_contract_sheets_and_real_excel_dates(tmp_path: Path):
    files = write_workbooks(out_dir=tmp_path, months=3, end_period=END)
    assert [p for p, _ in files] == ["2026-08", "2026-09", "2026-10"]
    generated = dict(generate(months=3, end_period=END))
    for period, path in files:
        assert path.name == f"workforce_{period}.xlsx" and path.parent == tmp_path
        wb = load_workbook(path, read_only=True)
        assert wb.sheetnames == ["Staff", "Leavers", "Vacancies", "Training", "Survey",
                                 "Agency assignments"]
        rows = list(wb["Staff"].iter_rows(min_row=1, max_row=3))
        header = [c.value for c in rows[0]]
        assert header[:8] == ["employee_id", "team", "service", "role_group",
                              "qualified_social_worker", "worker_type", "fte", "start_date"]
        start = rows[1][header.index("start_date")]
        assert start.is_date and start.value.year > 1990   # a real Excel date, not text
        n_rows = sum(1 for _ in wb["Staff"].iter_rows(min_row=2, values_only=True))
        assert n_rows == len(generated[period]["Staff"])
        wb.close()
        # every date cell round-trips (not just the first): read back as HR's files are read
        back = pd.read_excel(path, sheet_name=None, engine="calamine")
        for sheet, cols in {"Staff": ["start_date", "date_of_birth"],
                            "Leavers": ["leave_date", "start_date"],
                            "Training": ["completed_date"],
                            "Agency assignments": ["start_date", "date_qualified"]}.items():
            for col in cols:
                got = pd.to_datetime(back[sheet][col]).astype("datetime64[s]")
                want = generated[period][sheet][col].astype("datetime64[s]")
                pd.testing.assert_series_equal(got, want, check_names=False)
        result = loader.validate_file(path=path, period=period)
        assert result.errors == [], "\n".join(map(str, result.errors[:20]))
        assert result.rows["staff"] == len(generated[period]["Staff"])
        assert result.rows["leavers"] == len(generated[period]["Leavers"])
        assert result.rows["agency_assignments"] == len(generated[period]["Agency assignments"]) > 0


def test_workbooks_are_byte_identical_between_runs(tmp_path: Path):
    a = write_workbooks(out_dir=tmp_path / "a", months=2, end_period=END)
    b = write_workbooks(out_dir=tmp_path / "b", months=2, end_period=END)
    for (_, x), (_, y) in zip(a, b):
        assert hashlib.sha256(x.read_bytes()).digest() == hashlib.sha256(y.read_bytes()).digest()


def test_demo_db_holds_36_active_loads_through_the_loader(demo_db: Path):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        loads = con.execute(
            "SELECT strftime(period, '%Y-%m') AS p, file_name, rows_staff, loaded_by, outcome "
            "FROM loads WHERE active ORDER BY period").fetchall()
        total, active = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE active) FROM loads").fetchone()
        staff_counts = dict(con.execute(
            "SELECT strftime(period, '%Y-%m'), count(*) FROM staff "
            "WHERE load_id IN (SELECT load_id FROM loads WHERE active) GROUP BY 1").fetchall())
        latest_share = con.execute(
            "SELECT sum(fte) FILTER (WHERE worker_type = 'Agency') / sum(fte) FROM staff "
            "WHERE qualified_social_worker AND period = (SELECT max(period) FROM staff)"
        ).fetchone()[0]
        ages = con.execute("SELECT min(age), max(age) FROM staff").fetchone()
    finally:
        con.close()
    assert total == active == 36
    periods = [row[0] for row in loads]
    assert len(set(periods)) == 36 and periods[-1] == default_end_period()
    assert all(row[3] == "demo" and row[4] == "loaded" for row in loads)
    assert all(row[1] == f"workforce_{row[0]}.xlsx" for row in loads)
    generated = {p: len(f["Staff"]) for p, f in generate()}
    assert {row[0]: row[2] for row in loads} == generated == staff_counts
    assert abs(latest_share - 0.18) <= 0.04
    assert 22 <= ages[0] and ages[1] <= 67


@pytest.mark.slow
def test_rebuilding_the_demo_is_unchanged(copy_demo_db: Path):
    # the same seed and window give byte-identical workbooks, so the loader sees the same files
    results = build_demo_db(db_path=copy_demo_db)
    assert [r.outcome for r in results] == ["unchanged"] * 36
    con = duckdb.connect(str(copy_demo_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads WHERE active").fetchone()[0] == 36
    finally:
        con.close()


def test_build_demo_db_returns_load_results(tmp_db: Path):
    results = build_demo_db(db_path=tmp_db, months=2, end_period=END, scale=0.2)
    assert [r.period for r in results] == ["2026-09", "2026-10"]
    assert [r.outcome for r in results] == ["loaded", "loaded"]
    assert all(r.load_id and r.rows["staff"] > 100 for r in results)
    with pytest.raises(DemoError):  # a bad window is refused before anything is written
        build_demo_db(db_path=tmp_db, months=2, end_period="2026-13")
    con = duckdb.connect(str(tmp_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads").fetchone()[0] == 2
    finally:
        con.close()


def test_conversions_in_the_store_match_the_generated_frames(demo_db: Path):
    # the loaded store reports each conversion once, in the month worked out from the frames
    from metrics import detail, engine

    parts = []
    for period, frames in generate():
        s = frames["Staff"]
        parts.append(s[s["qualified_social_worker"] == "Y"].assign(month=pd.Period(period, "M")))
    sw = pd.concat(parts, ignore_index=True)
    employed = sw[sw["worker_type"] != "Agency"]
    flagged = (employed[employed["converted_from_agency"] == "Y"]
               .groupby("employee_id")["start_date"].min().dt.to_period("M"))
    first_agency = sw[sw["worker_type"] == "Agency"].groupby("employee_id")["month"].min()
    later = employed[employed["employee_id"].isin(first_agency.index)]
    reused = later[later["month"] > later["employee_id"].map(first_agency)].groupby(
        "employee_id")["month"].min()
    expected = pd.concat([flagged, reused]).groupby(level=0).min().value_counts()
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        got = detail.conversions_by_month(con, scope="social_workers")
        latest = engine.compute(con, period=engine.latest_period(con), scope="social_workers",
                                metric_ids=["agency_conversions_12m"])
    finally:
        con.close()
    got = {pd.Period(p, "M"): int(n) for p, n in zip(got["period"], got["conversions"]) if n}
    assert got == {p: int(n) for p, n in expected.items()}
    assert sum(got.values()) >= 20
    # the 12-month measure counts those still in post: a few, never none, in the latest year
    assert 2 <= float(latest["value"].iloc[0]) <= 6


@pytest.mark.slow
def test_demo_command_builds_the_demo_store_marked_demo(demo_command) -> None:
    """`python -m demo --db PATH` into an empty path: the session's demo store is built by it
    (tests/conftest.py `demo_command`, so the suite builds the 36 months once, not twice)."""
    from store import connect, holds_real_loads, is_demo_store

    db, code, printed = demo_command
    assert code == 0
    assert f"demo store built at {db}" in printed
    con = connect(db, read_only=True)
    try:
        periods, loaded_by = con.execute(
            "SELECT count(DISTINCT period), any_value(loaded_by) FROM loads WHERE active"
        ).fetchall()[0]
        assert periods == 36 and loaded_by == "demo"
        assert con.execute("SELECT bool_and(is_demo) FROM loads").fetchall() == [(True,)]
        assert is_demo_store(con) and not holds_real_loads(con)
        assert con.execute("SELECT count(*) FROM staff").fetchall()[0][0] > 36 * 500
    finally:
        con.close()


def test_demo_refuses_a_store_holding_real_loads_and_changes_nothing(tmp_path: Path, tmp_db: Path, capsys) -> None:
    from demo.__main__ import main
    from ingest.loader import load_file
    from store import connect
    from tests.unit.ingest_files import PERIOD, base_sheets, write_xlsx

    con = connect(tmp_db)
    try:
        load_file(con=con, path=write_xlsx(tmp_path / "real.xlsx", base_sheets()), period=PERIOD,
                  loaded_by="hr.officer")
        before = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                  for t in ("loads", "staff", "audit")}
    finally:
        con.close()
    assert main(["--db", str(tmp_db), "--months", "2", "--end", "2025-05"]) == 1
    err = capsys.readouterr().err
    assert "holds real loads" in err and "nothing was changed" in err
    con = connect(tmp_db, read_only=True)
    try:
        assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("loads", "staff", "audit")} == before
    finally:
        con.close()
    with pytest.raises(DemoRefused):
        build_demo_db(db_path=tmp_db, months=2, end_period="2025-05")
