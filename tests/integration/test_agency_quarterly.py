"""`python -m agency quarterly`: the workbook's contents against hand-worked figures, and its errors.

The store is the three-month fixture (agency_fixtures.py); 2025-Q1 has February and March loaded,
January not (so the file says it is partial).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from agency.quarterly import LAYOUT, TEMPLATE_NOTE, QuarterError, quarter_months
from tests.downloaded import table_rows
from tests.integration.agency_fixtures import build_store, write_rules

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("agency") / "workforce.duckdb")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agency", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


FEB, MAR = datetime(2025, 2, 1), datetime(2025, 3, 1)


def _table(ws) -> list[list]:
    """The sheet's rows from its column headings (under the header block) down."""
    return table_rows(ws)


def test_the_quarterly_workbook_holds_the_hand_worked_figures(store: Path, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules.toml")
    out = tmp_path / "agency_2025-Q1.xlsx"
    done = _run("quarterly", "--quarter", "2025-Q1", "--out", str(out), "--db", str(store),
                "--rules", str(rules))
    assert done.returncode == 0, done.stderr
    assert "months loaded: 2025-02, 2025-03" in done.stdout
    wb = load_workbook(out)
    assert wb.sheetnames == ["About"] + [s.sheet for s in LAYOUT]
    about = " ".join(str(r[0]) for r in _table(wb["About"]) if r[0])
    assert TEMPLATE_NOTE in about
    assert "NOT loaded: January 2025" in about and "partial" in about

    usage = _table(wb["Usage and cost"])
    assert usage[0] == [f.header for f in LAYOUT[0].fields]
    rows = {r[0]: r[1:] for r in usage[1:]}
    # social workers: Feb 140+70+140 h, £14,560; Mar 150+80+150 h, £15,790
    assert rows["Social worker"] == [3, 2.5, 730, 30350, round(30350 / 730, 2), 40]
    assert rows["Team manager"] == [1, 1, 310, 17050, 55, 50]
    assert rows["All job types"] == [4, 3.5, 1040, 47400, round(47400 / 1040, 2), None]

    cap = {r[0]: r[1:] for r in _table(wb["Cap compliance"])[1:]}
    assert cap["Social worker"] == [3, 2, round(2 / 3, 4), 0, 1, 5]
    assert cap["Team manager"] == [1, 0, 0, 1, 0, 5]
    assert cap["All job types"] == [4, 2, 0.5, 1, 1, 5]

    breaches = _table(wb["Cap breaches"])[1:]
    assert [(r[0], r[1], r[7], r[8]) for r in breaches] == [
        # months are dates shown as "February 2025" (the writer stores 'YYYY-MM' as a month)
        ("A003", FEB, None, "No"), ("A005", FEB, "DCS and chief executive", "Yes"),
        ("A003", MAR, None, "No"), ("A005", MAR, "DCS and chief executive", "Yes")]

    exp = {r[0]: r[1:] for r in _table(wb["Experience and notice"])[1:]}
    # assignments, under experience, notice, references, cool-off, project team, over 12 months
    assert exp["Social worker"] == [3, 1, 1, 1, 2, 0, 1]
    assert exp["Team manager"] == [1, 0, 0, 0, 0, 1, 0]


def test_the_shared_copy_is_suppressed_and_has_no_breach_list(store: Path, tmp_path: Path) -> None:
    rules = write_rules(tmp_path / "rules.toml")
    out = tmp_path / "shared.xlsx"
    done = _run("quarterly", "--quarter", "2025Q1", "--out", str(out), "--db", str(store),
                "--rules", str(rules), "--suppress")
    assert done.returncode == 0, done.stderr
    wb = load_workbook(out)
    assert "Cap breaches" not in wb.sheetnames
    usage = {r[0]: r[1:] for r in _table(wb["Usage and cost"])[1:]}
    assert usage["Social worker"][0] == "c" and usage["All job types"][0] == "c"  # 3 and 4 people
    assert usage["Social worker"][3] == 30350  # money is not a count of people


@pytest.mark.parametrize(("args", "message"), [
    (["--quarter", "2025-Q5"], "is not a quarter"),
    (["--quarter", "2024-Q2"], "No Agency assignments sheet is loaded for 2024-Q2"),
])
def test_mistakes_exit_2_with_a_message(store: Path, tmp_path: Path, args, message) -> None:
    rules = write_rules(tmp_path / "rules.toml")
    out = tmp_path / "x.xlsx"
    done = _run("quarterly", *args, "--out", str(out), "--db", str(store), "--rules", str(rules))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_bad_rules_file_is_named(tmp_path: Path) -> None:
    bad = write_rules(tmp_path / "bad.toml", "[council]\nregion = \"West Midlands\"\n[rules]\nmin_notice_weeks = -4\n")
    done = _run("check-rules", "--rules", str(bad))
    assert done.returncode == 2
    assert "min_notice_weeks must be a number at least 0" in done.stderr


def test_quarters_are_calendar_quarters() -> None:
    assert [m.month for m in quarter_months("2026-Q3")] == [7, 8, 9]
    with pytest.raises(QuarterError):
        quarter_months("Q3 2026")
