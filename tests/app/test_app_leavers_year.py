"""Turnover & retention's leavers tables say which year they are, on screen and in their files
(issue 10): the 12-month tables are published (to scrutiny, and in every file) for the year to 30
September only (disclosure.linked.published_month), so the heading above them names the period
each role sees (ui.data.leavers_period), and a file asked for another month says plainly which year
its leavers tables cover (ui.downloads.covering). Demo store: 36 months to October 2026.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.app.test_app_download_files import Recorder
from tests.app.test_app_frame import make_app
from tests.downloaded import header_of_csv, header_of_sheet

TURNOVER = "views/turnover.py"


def _turnover(monkeypatch, store, role: str, month: str):
    at = make_app(monkeypatch, db=store, role=role, query={"period": month, "scope": "all_staff"})
    at.switch_page(TURNOVER).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("role, month, heading", [
    ("scrutiny", "2026-08", "Why people left (year to 30 September 2025)"),
    ("scrutiny", "2026-10", "Why people left (year to 30 September 2026)"),
    ("scrutiny", "2025-08", "Why people left (year to 30 September: none published yet)"),  # 11 months only
    ("hr", "2026-08", "Why people left (last 12 months)"),  # exact on screen: August's own 12 months
    ("leadership", "2025-08", "Why people left (last 12 months)"),
])
def test_the_leavers_heading_names_the_period_each_role_sees(monkeypatch, app_store, role, month, heading):
    at = _turnover(monkeypatch, app_store, role, month)
    headers = [h.value for h in at.header]
    assert heading in headers, headers
    assert not any(h.startswith("Why people left") and h != heading for h in headers), headers


def test_an_hr_file_at_august_says_its_leavers_tables_are_the_year_to_september(monkeypatch, app_store):
    rec = Recorder(monkeypatch)
    _turnover(monkeypatch, app_store, "hr", "2026-08")
    for stem in ("leavers-by-reason", "length-of-service-at-leaving"):
        ws = load_workbook(io.BytesIO(rec.data(f"{stem}.xlsx")))["Data"]
        _, labels, _ = header_of_sheet(ws)
        assert labels["Month"] == ["August 2026"]  # the month asked
        assert labels["Figures cover"] == [
            "The year to 30 September 2025 (October 2024 to September 2025), not August 2026: these figures "
            "are published once a year."], labels
        _, labels, _ = header_of_csv(rec.data(f"{stem}.csv"))
        assert labels["Figures cover"][0].startswith("The year to 30 September 2025 (October 2024"), labels
    # a table of the month itself says nothing more
    _, labels, _ = header_of_csv(rec.data("early-leavers-year-to-30-september.csv"))
    assert "Figures cover" not in labels


def test_a_september_file_needs_no_word_on_its_year(monkeypatch, app_store):
    rec = Recorder(monkeypatch)
    _turnover(monkeypatch, app_store, "hr", "2026-09")  # the month asked is the year's September
    _, labels, _ = header_of_csv(rec.data("leavers-by-reason.csv"))
    assert labels["Month"] == ["September 2026"] and "Figures cover" not in labels
