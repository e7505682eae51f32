"""`python -m metrics --suppress`: the command's csv/json are an export, so they can be suppressed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.integration.test_metrics_cli import run
from tests.integration.test_metrics_engine import build_store_a


@pytest.fixture
def db_a(tmp_db):
    build_store_a(tmp_db)
    return tmp_db


def test_suppress_hides_figures_resting_on_fewer_than_five_people(db_a):
    exact = run("--period", "2025-03", "--db", str(db_a), "--by", "team", "--scope", "all_staff")
    assert exact.returncode == 0, exact.stderr
    assert "--suppress" in exact.stderr  # a reminder that these are exact figures
    b_exact = json.loads(exact.stdout)["groups"]["B"]["metrics"]["agency_rate_fte"]
    assert b_exact["value"] == pytest.approx(1.8 / 3.2, abs=1e-6) and b_exact["base_count"] < 5

    out = run("--period", "2025-03", "--db", str(db_a), "--by", "team", "--scope", "all_staff", "--suppress")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    b = json.loads(out.stdout)["groups"]["B"]["metrics"]["agency_rate_fte"]
    assert b["value"] == "c" and b["numerator"] == "c" and b["denominator"] == "c" and b["base_count"] == "c"
    assert b["status"] == "grey" and b["change_on_year"] in ("c", None)
    assert b["target"] == 0.2  # the target is not about people


def test_suppressed_csv_carries_c_and_leaves_larger_figures_exact(db_a):
    # hand-worked: 6 social workers in all, 1.8 agency FTE of 4.7, so the overall figure is shown
    whole = run("--period", "2025-03", "--db", str(db_a), "--format", "csv", "--suppress",
                "--metric", "agency_rate_fte")
    assert whole.returncode == 0, whole.stderr
    (row,) = list(csv.DictReader(io.StringIO(whole.stdout)))
    assert float(row["value"]) == pytest.approx(1.8 / 4.7) and row["suppressed"] == "False"
    # by team: A has 3 social workers (e1 e2 e3), B has 3 (g1 g2 e4): both hidden
    out = run("--period", "2025-03", "--db", str(db_a), "--format", "csv", "--suppress", "--by", "team",
              "--metric", "agency_rate_fte")
    assert out.returncode == 0, out.stderr
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(out.stdout))}
    assert set(rows) == {"A", "B"}
    for r in rows.values():
        assert r["value"] == "c" and r["numerator"] == "c" and r["base_count"] == "c"
        assert r["status"] == "grey" and r["suppression"] == "primary"
    table = run("--period", "2025-03", "--db", str(db_a), "--format", "table", "--suppress", "--by", "team")
    assert table.returncode == 0 and " c " in table.stdout
