"""Registration numbers never leave the HR-only tables except in the census return itself."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from store import connect

ROOT = Path(__file__).resolve().parents[2]
SWE = re.compile(r"SW9\d{5}", re.IGNORECASE)  # the numbers tests/census/monthly.py gives
RESTRICTED = {"staff_restricted", "census_items_restricted"}


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_numbers_only_in_the_restricted_tables(monthly_db):
    con = connect(monthly_db)
    tables = [t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables").fetchall()]
    assert RESTRICTED <= set(tables)
    for table in tables:
        text = " ".join(str(v) for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
                        for v in row)
        assert bool(SWE.search(text)) == (table == "staff_restricted"), table
    con.close()


def test_numbers_never_in_metrics_cli_or_packs(monthly_db, tmp_path):
    db = str(monthly_db)
    for fmt in ("json", "csv", "table"):
        out = _cli("-m", "metrics", "--period", "2025-09", "--db", db, "--format", fmt,
                   "--by", "team")
        assert not SWE.search(out)
    assert not SWE.search(_cli("-m", "metrics", "--period", "2025-09", "--db", db, "--history"))
    pack = tmp_path / "pack.xlsx"
    _cli("-m", "recommendations", "export", "--db", db, "--out", str(pack))
    with zipfile.ZipFile(pack) as zf:
        assert not any(SWE.search(zf.read(n).decode("utf-8", "ignore")) for n in zf.namelist())


def test_numbers_never_in_the_census_report(monthly_db):
    for fmt in ("json", "table"):
        out = _cli("-m", "census", "--db", str(monthly_db), "report", "--year", "2025",
                   "--format", fmt)
        assert "SWENo" in out and not SWE.search(out)


def test_numbers_are_in_the_return_itself(monthly_db, tmp_path):
    import shutil

    db = tmp_path / "workforce.duckdb"
    shutil.copy(monthly_db, db)  # the export records the produced return (figures, no numbers)
    out = tmp_path / "return.xml"
    _cli("-m", "census", "--db", str(db), "export", "--year", "2025", "--out", str(out))
    assert len(SWE.findall(out.read_text())) == 8
    con = connect(db)
    try:
        for table in ("census_produced", "census_produced_figures"):
            assert not SWE.search(con.execute(f"SELECT * FROM {table}").df().to_csv()), table
    finally:
        con.close()
