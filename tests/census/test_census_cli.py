"""python -m census: import, export and report from the command line, with their exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from store import connect

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "census", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_import_refuses_hostile_xml_and_writes_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x "y">]><Message>&x;</Message>')
    done = _run("--db", str(db), "import", str(bad))
    assert done.returncode == 1 and "not imported" in done.stderr
    assert "DTD or entities" in done.stderr and "Traceback" not in done.stderr
    con = connect(db)
    assert con.execute("SELECT count(*) FROM census_returns").fetchone()[0] == 0
    con.close()


def test_import_then_report_an_imported_year(tmp_path, reference_dir):
    db = tmp_path / "w.duckdb"
    sample = reference_dir / "csww-census" / "sample_social_work_workforce_2022.xml"
    done = _run("--db", str(db), "import", str(sample))
    assert done.returncode == 0, done.stderr
    assert "imported the 2022 census return (30 worker records" in done.stdout
    assert "GAP schema:" in done.stderr
    rep = _run("--db", str(db), "report", "--year", "2022", "--format", "json")
    assert rep.returncode == 0, rep.stderr
    got = json.loads(rep.stdout)
    assert got["source"] == "imported return" and got["year"] == 2022
    figures = {f["measure"]: f["census"] for f in got["figures"]}
    assert figures["agency_rate_fte"] is not None


def test_export_without_september_is_a_usage_error(tmp_path, monthly_db):
    done = _run("--db", str(monthly_db), "export", "--year", "2026", "--out",
                str(tmp_path / "r.xml"))
    assert done.returncode == 2 and "September 2026 is not loaded" in done.stderr
    assert not (tmp_path / "r.xml").exists()


def test_export_and_report_table(tmp_path, monthly_db):
    import shutil

    db = tmp_path / "workforce.duckdb"
    shutil.copy(monthly_db, db)  # the export records the produced return in the store
    out = tmp_path / "r.xml"
    done = _run("--db", str(db), "export", "--year", "2025", "--out", str(out))
    assert done.returncode == 0 and "valid against the 2025 schema" in done.stdout
    rep = _run("--db", str(db), "report", "--year", "2025", "--as-at", "2025-03")
    assert rep.returncode == 0 and "March 2025 stands in for 30 September 2025" in rep.stdout
