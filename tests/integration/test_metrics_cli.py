"""`python -m metrics` end to end, as a subprocess against a real store file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_metrics_engine import build_store_a, build_store_b

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db_a(tmp_db) -> Path:
    build_store_a(tmp_db)
    return tmp_db


def test_json_for_a_period(db_a):
    out = run("--period", "2025-03", "--db", str(db_a))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["period"] == "2025-03" and doc["scope"] == "social_workers"
    a = doc["metrics"]["agency_rate_fte"]
    # hand-worked in test_metrics_engine: 1.8 agency FTE of 4.7
    assert a["value"] == pytest.approx(1.8 / 4.7, abs=1e-6)
    assert a["numerator"] == pytest.approx(1.8) and a["denominator"] == pytest.approx(4.7)
    assert a["target"] == 0.2 and a["status"] == "red"
    assert a["theme"] == "A workforce that is agile and adaptable"
    assert a["months_covered"] is None
    t = doc["metrics"]["turnover_rate_fte_12m"]
    assert t["months_covered"] == 1 and t["partial"] is True
    assert doc["metrics"]["stability_index_12m"]["value"] is None  # JSON null, not NaN
    for block in doc["metrics"].values():
        assert {"value", "numerator", "denominator", "months_covered", "target", "status", "theme"} <= set(block)
        if block["unit"] == "rate" and block["value"] is not None:
            assert 0 <= block["value"] <= 1


def test_json_by_team_and_all_staff(db_a):
    out = run("--period", "2025-03", "--db", str(db_a), "--by", "team", "--scope", "all_staff")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["by"] == "team" and doc["scope"] == "all_staff"
    assert set(doc["groups"]) == {"A", "B"}
    # team B all staff: agency 1.8 / (1.8 + e4 0.4 + n1 1.0)
    assert doc["groups"]["B"]["metrics"]["agency_rate_fte"]["value"] == pytest.approx(1.8 / 3.2, abs=1e-6)


def test_history_csv_and_table(tmp_db):
    build_store_b(tmp_db)
    out = run("--history", "--db", str(tmp_db), "--format", "csv", "--metric", "turnover_rate_fte_12m")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["period"] for r in rows][:2] == ["2024-03", "2024-04"] and len(rows) == 13
    assert float(rows[-1]["value"]) == pytest.approx(3.0 / 4.5)  # see test_metrics_engine
    hist = json.loads(run("--history", "--period", "2024-05", "--db", str(tmp_db)).stdout)
    assert list(hist["periods"]) == ["2024-03", "2024-04", "2024-05"]
    table = run("--period", "2025-03", "--db", str(tmp_db), "--format", "table")
    assert table.returncode == 0 and "agency_rate_fte" in table.stdout


def test_bad_arguments_exit_2_with_a_clear_message(db_a, tmp_path):
    out = run("--period", "2023-01", "--db", str(db_a))
    assert out.returncode == 2 and "Loaded periods: 2025-03" in out.stderr
    out = run("--period", "2025-13", "--db", str(db_a))
    assert out.returncode == 2 and "YYYY-MM" in out.stderr
    out = run("--period", "2025-03", "--db", str(db_a), "--scope", "everyone")
    assert out.returncode == 2 and "invalid choice" in out.stderr
    out = run("--db", str(db_a))
    assert out.returncode == 2 and "--period" in out.stderr
    out = run("--period", "2025-03", "--db", str(tmp_path / "missing.duckdb"))
    assert out.returncode == 2 and "no workforce store" in out.stderr
    out = run("--period", "2025-03", "--db", str(db_a), "--metric", "nope")
    assert out.returncode == 2 and "Unknown metric" in out.stderr
