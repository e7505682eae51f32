"""The loader against real DuckDB files: atomic replace, idempotence, nothing written on error,
no personal data stored, a SIGKILL mid-write loses nothing, the template round-trips."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from ingest import contract as C
from ingest.loader import ExtractRejected, load_file, load_frames
from store import DATA_TABLES, connect
from ingest.template import write_template
from tests.unit.ingest_files import PERIOD, base_sheets, set_cell, write_csv_zip, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in DATA_TABLES}


def test_first_load_writes_every_table_with_the_load_id(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    res = load_file(con=con, path=path, period=PERIOD, loaded_by="hr.officer")
    assert res.outcome == "loaded" and res.load_id is not None
    assert res.rows == {"staff": 4, "leavers": 1, "vacancies": 1, "training": 1, "survey": 1,
                        "agency_assignments": 0}
    assert _counts(con) == res.rows
    for table in DATA_TABLES:
        if not res.rows[table]:
            continue  # the optional Agency assignments sheet is not in this extract
        assert con.execute(f"SELECT DISTINCT load_id, period FROM {table}").fetchall() == [
            (res.load_id, date(2025, 3, 1))]
    ledger = con.execute(
        "SELECT file_name, sha256, period, rows_staff, rows_leavers, rows_vacancies, "
        "rows_training, rows_survey, loaded_by, outcome, active, warnings FROM loads").fetchall()
    assert len(ledger) == 1
    name, sha, period, *rows, who, outcome, active, warnings = ledger[0]
    assert (name, period, rows, who, outcome, active) == (
        "march.xlsx", date(2025, 3, 1), [4, 1, 1, 1, 1], "hr.officer", "loaded", True)
    assert sha == res.sha256 and len(sha) == 64
    assert json.loads(warnings) == []
    audit = con.execute('SELECT actor, action, detail FROM audit').fetchall()
    assert audit[0][:2] == ("hr.officer", "load")
    assert json.loads(audit[0][2])["load_id"] == res.load_id
    row = con.execute("SELECT fte, start_date, cases, age, ethnicity, qualified_social_worker "
                      "FROM staff WHERE employee_id = 'E002'").fetchall()
    assert row == [(0.8, date(2022, 9, 5), None, 55, "White", True)]
    con.close()


def test_reload_replaces_the_period_atomically(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    feb = base_sheets()
    set_cell(feb, "Leavers", 2, "Leave date", date(2025, 2, 10))
    set_cell(feb, "Training", 2, "Completed date", date(2025, 2, 10))
    set_cell(feb, "Staff", 4, "Start date", date(2025, 1, 2))
    set_cell(feb, "Staff", 3, "FTE", 0.7)  # a different month's staff (the same would be refused)
    first_feb = load_file(con=con, path=write_xlsx(tmp_path / "feb.xlsx", feb),
                          period="2025-02", loaded_by="t")
    v1 = load_file(con=con, path=write_xlsx(tmp_path / "m1.xlsx", base_sheets()),
                   period=PERIOD, loaded_by="t")
    fixed = base_sheets()
    del fixed["Staff"][4]  # one person fewer
    set_cell(fixed, "Staff", 2, "FTE", 0.6)
    v2 = load_file(con=con, path=write_xlsx(tmp_path / "m2.xlsx", fixed), period=PERIOD,
                   loaded_by="t")
    assert (v1.outcome, v2.outcome) == ("loaded", "replaced")
    march = con.execute("SELECT employee_id, fte, load_id FROM staff WHERE period = '2025-03-01' "
                        "ORDER BY employee_id").fetchall()
    assert march == [("A003", 1.0, v2.load_id), ("E001", 0.6, v2.load_id),
                     ("E002", 0.8, v2.load_id)]
    assert con.execute("SELECT count(*) FROM staff WHERE period = '2025-02-01' AND load_id = ?",
                       [first_feb.load_id]).fetchall() == [(4,)]
    ledger = con.execute("SELECT load_id, outcome, active FROM loads WHERE period = '2025-03-01' "
                         "ORDER BY load_id").fetchall()
    assert ledger == [(v1.load_id, "loaded", False), (v2.load_id, "replaced", True)]
    con.close()


def test_identical_file_twice_is_unchanged(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    path = write_xlsx(tmp_path / "march.xlsx", base_sheets())
    first = load_file(con=con, path=path, period=PERIOD, loaded_by="t")
    again = load_file(con=con, path=path, period=PERIOD, loaded_by="someone else")
    assert again.outcome == "unchanged" and again.load_id == first.load_id
    assert again.rows == first.rows
    assert con.execute("SELECT count(*) FROM loads").fetchall() == [(1,)]
    assert con.execute("SELECT count(*) FROM audit").fetchall() == [(1,)]
    assert _counts(con)["staff"] == 4
    con.close()


def test_file_with_any_error_writes_nothing(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    good = load_file(con=con, path=write_xlsx(tmp_path / "ok.xlsx", base_sheets()),
                     period=PERIOD, loaded_by="t")
    before = _counts(con)
    bad = base_sheets()
    set_cell(bad, "Staff", 5, "FTE", 1.5)
    with pytest.raises(ExtractRejected) as info:
        load_file(con=con, path=write_xlsx(tmp_path / "bad.xlsx", bad), period=PERIOD,
                  loaded_by="t")
    assert [(p.sheet, p.row, p.column) for p in info.value.problems
            if p.severity == "error"] == [("Staff", 5, "FTE")]
    assert "Staff row 5, FTE: 1.5" in info.value.report()
    assert _counts(con) == before
    assert con.execute("SELECT load_id, active FROM loads").fetchall() == [(good.load_id, True)]
    assert con.execute("SELECT count(*) FROM audit").fetchall() == [(1,)]
    con.close()


def test_dry_run_writes_nothing(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    res = load_file(con=con, path=write_xlsx(tmp_path / "m.xlsx", base_sheets()),
                    period=PERIOD, loaded_by="t", dry_run=True)
    assert res.outcome == "dry-run" and res.rows["staff"] == 4 and res.load_id is None
    assert _counts(con)["staff"] == 0
    assert con.execute("SELECT count(*) FROM loads").fetchall() == [(0,)]
    con.close()


def test_names_and_emails_are_never_stored(tmp_path: Path, tmp_db: Path) -> None:
    sheets = base_sheets()
    for sheet, rows in sheets.items():
        if "Employee ID" in rows[0]:
            rows[0] += ["Forename", "Surname", "E-mail"]
            for r in rows[1:]:
                r += ["Zebedee", "Quxworthy", "zq@council.example"]
    con = connect(tmp_db)
    res = load_file(con=con, path=write_xlsx(tmp_path / "names.xlsx", sheets), period=PERIOD,
                    loaded_by="t")
    dropped = {(w.sheet, w.column) for w in res.warnings if "never stored" in w.message}
    assert ("Staff", "Surname") in dropped and ("Leavers", "E-mail") in dropped
    dump = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
            [table]).fetchall()]
        assert not {"name", "surname", "forename", "email", "date_of_birth"} & set(cols)
        for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
            dump.extend(str(v) for v in row)
    text = " ".join(dump)
    assert "Zebedee" not in text and "Quxworthy" not in text and "council.example" not in text
    # the ledger keeps the warning (header only, never the values)
    assert "Surname" in con.execute("SELECT warnings FROM loads").fetchall()[0][0]
    con.close()


def test_zip_of_csvs_loads(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    res = load_file(con=con, path=write_csv_zip(tmp_path / "m.zip", base_sheets()),
                    period=PERIOD, loaded_by="t")
    assert res.outcome == "loaded" and _counts(con)["staff"] == 4
    con.close()


def test_load_frames_validates_and_is_idempotent(tmp_db: Path) -> None:
    import pandas as pd

    frames = {}
    for name, rows in base_sheets().items():
        sheet = C.SHEETS[name]
        by_label = {c.label: c.name for c in sheet.columns}
        frames[name] = pd.DataFrame(rows[1:], columns=[by_label[h] for h in rows[0]])
    con = connect(tmp_db)
    first = load_frames(con=con, frames=frames, period=PERIOD, loaded_by="demo",
                        file_name="frames")
    again = load_frames(con=con, frames=frames, period=PERIOD, loaded_by="demo",
                        file_name="frames")
    assert (first.outcome, again.outcome) == ("loaded", "unchanged")
    frames["Staff"].loc[0, "fte"] = 2.0
    with pytest.raises(ExtractRejected) as info:
        load_frames(con=con, frames=frames, period=PERIOD, loaded_by="demo", file_name="x")
    assert [(p.sheet, p.row, p.column) for p in info.value.problems] == [("Staff", 2, "fte")]
    con.close()


def test_concurrent_loads_from_threads_all_land(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    months = ["2024-10", "2024-11", "2024-12", "2025-01"]
    paths = {}
    for i, m in enumerate(months):
        sheets = base_sheets()
        set_cell(sheets, "Staff", 2, "FTE", 1 - i / 10)  # each month's own staff (not a repeat)
        y, mo = map(int, m.split("-"))
        set_cell(sheets, "Leavers", 2, "Leave date", date(y, mo, 14))
        set_cell(sheets, "Training", 2, "Completed date", date(y, mo, 12))
        set_cell(sheets, "Staff", 4, "Start date", date(2024, 1, 13))
        set_cell(sheets, "Staff", 5, "Start date", date(2024, 1, 13))
        paths[m] = write_xlsx(tmp_path / f"{m}.xlsx", sheets)
    errors: list[BaseException] = []

    def run(m: str) -> None:
        try:
            load_file(con=con, path=paths[m], period=m, loaded_by="t")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in months]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert con.execute("SELECT count(DISTINCT period), count(*) FROM staff").fetchall() == [
        (4, 16)]
    assert con.execute("SELECT count(*) FROM loads WHERE active").fetchall() == [(4,)]
    con.close()


def test_sigkill_mid_write_leaves_previous_data_intact(tmp_path: Path, tmp_db: Path) -> None:
    con = connect(tmp_db)
    old = load_file(con=con, path=write_xlsx(tmp_path / "old.xlsx", base_sheets()),
                    period=PERIOD, loaded_by="t")
    before = con.execute("SELECT * FROM staff ORDER BY employee_id").fetchall()
    con.close()

    new = base_sheets()
    set_cell(new, "Staff", 2, "FTE", 0.4)
    new_path = write_xlsx(tmp_path / "new.xlsx", new)
    env = dict(os.environ, WORKFORCE_INGEST_TEST_PAUSE="60", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(new_path), "--period", PERIOD, "--db", str(tmp_db)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    watchdog = threading.Timer(120, proc.kill)  # never hang the suite if the child stalls
    watchdog.start()
    try:
        line = proc.stdout.readline()  # printed after the DELETEs, inside the transaction
        assert line.strip() == "PAUSED-IN-TRANSACTION", proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    con = connect(tmp_db)
    assert con.execute("SELECT * FROM staff ORDER BY employee_id").fetchall() == before
    assert con.execute("SELECT load_id, active FROM loads").fetchall() == [(old.load_id, True)]
    assert _counts(con) == old.rows
    # and the store still takes the corrected file afterwards
    res = load_file(con=con, path=new_path, period=PERIOD, loaded_by="t")
    assert res.outcome == "replaced"
    assert con.execute("SELECT fte FROM staff WHERE employee_id = 'E001'").fetchall() == [(0.4,)]
    con.close()


def _fill_template(template: Path, frames: dict, out: Path) -> Path:
    wb = load_workbook(template)
    for sheet_name, frame in frames.items():
        sheet = C.SHEETS[sheet_name]
        ws = wb[sheet.name]
        labels = [c.value for c in ws[1]]
        name_of = {c.label: c.name for c in sheet.columns}
        for r, rec in enumerate(frame.to_dict("records"), start=2):
            for pos, label in enumerate(labels, start=1):
                value = rec.get(name_of[label])
                if value is None or value is pd_NA or (isinstance(value, float) and value != value):
                    continue
                if hasattr(value, "to_pydatetime"):
                    value = value.to_pydatetime().date()
                ws.cell(row=r, column=pos, value=value)
    wb.save(out)
    return out


try:
    import pandas as _pd

    pd_NA = _pd.NA
except ImportError:  # pragma: no cover
    pd_NA = None


def test_template_filled_with_the_demo_first_month_loads(tmp_path: Path, tmp_db: Path) -> None:
    demo = pytest.importorskip("demo")
    period, frames = demo.generate(months=1)[0]
    template = write_template(path=tmp_path / "template.xlsx")
    filled = _fill_template(template, frames, tmp_path / "filled.xlsx")
    con = connect(tmp_db)
    res = load_file(con=con, path=filled, period=period, loaded_by="t")
    assert res.outcome == "loaded", res
    for name, frame in frames.items():
        assert res.rows[C.SHEETS[name].table] == len(frame)
    assert _counts(con)["staff"] == len(frames["Staff"]) > 500
    assert not [w for w in res.warnings if "ignored" in w.message]
    con.close()


def test_validated_store_frames_can_be_loaded_again(tmp_path: Path) -> None:
    """The upload preview loads `Validation.frames` (keyed by table) into a scratch store."""
    from ingest.loader import validate_file
    from store import ensure_schema

    checked = validate_file(path=write_xlsx(tmp_path / "m.xlsx", base_sheets()), period=PERIOD)
    mem = duckdb.connect(":memory:")
    ensure_schema(mem)
    res = load_frames(con=mem, frames=checked.frames, period=PERIOD, loaded_by="preview",
                      file_name="preview", sha256=checked.sha256)
    assert res.outcome == "loaded" and res.warnings == []
    assert mem.execute("SELECT employee_id, age, cases FROM staff ORDER BY employee_id").fetchall() \
        == [("A003", 34, 22), ("E001", 39, 17), ("E002", 55, None), ("E004", None, 9)]
    mem.close()


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.8, 1.6, 2.4])
def test_sigkill_at_any_moment_leaves_old_or_new_never_a_mix(tmp_path: Path, tmp_db: Path,
                                                            delay: float) -> None:
    """No hook: kill a large load after `delay` seconds, wherever it happens to be."""
    import time as _time

    from bench.bench_ingest import write_extract

    con = connect(tmp_db)
    old = load_file(con=con, path=write_xlsx(tmp_path / "old.xlsx", base_sheets()),
                    period=PERIOD, loaded_by="t")
    con.close()
    big = write_extract(tmp_path / "big.xlsx", staff_rows=20_000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("WORKFORCE_INGEST_TEST_PAUSE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(big), "--period", PERIOD, "--db", str(tmp_db)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    _time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)

    con = connect(tmp_db)
    active = con.execute("SELECT load_id, rows_staff FROM loads WHERE active").fetchall()
    staff = con.execute("SELECT count(*), min(load_id), max(load_id) FROM staff").fetchall()[0]
    if active == [(old.load_id, 4)]:  # killed before COMMIT: the old month, untouched
        assert staff == (4, old.load_id, old.load_id)
    else:  # finished before the kill: the whole new month
        (new_id, rows), = active
        assert rows == 20_000 and staff == (20_000, new_id, new_id)
    con.close()
