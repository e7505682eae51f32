"""The Agency rules page and the cost beside the 80:20 ratio, in the real app on the demo store."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.app.test_app_frame import make_app

PAGE = "views/agency_rules.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    import shutil

    dst = tmp_path_factory.mktemp("agency-page") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def _tables(at) -> dict[str, object]:
    return {h.value: None for h in at.header}


def _frames(at) -> list:
    return [d.value for d in at.dataframe]


def test_leadership_sees_compliance_breaches_cost_and_the_quarterly_file(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    headers = [h.value for h in at.header]
    assert headers[:2] == ["Compliance summary", "Breaches and what to do"]
    frames = _frames(at)
    summary = frames[0]
    assert "Within the price cap" in set(summary["Measure"])
    assert summary.loc[summary["Measure"] == "Within the price cap", "Value"].iloc[0].endswith("%")
    breaches = frames[1]
    # assignments are named by reference only, each with what to do about it
    assert breaches["Agency reference"].str.fullmatch(r"AG\d{5}|E\d{6}").all()
    assert breaches["What to do"].str.len().gt(20).all()
    assert {"Cool-off breach", "Assignment over the maximum length"} <= set(breaches["Breach"])
    # the team tab exists for leadership; the what-if answers in a sentence
    assert "Team" in [t.label for t in at.tabs]
    assert any(re.search(r"saves about £[\d,]+", s.value) for s in at.success)
    # the quarterly summary download (plus two downloads per table)
    downloads = at.get("download_button")
    assert len(downloads) == len(at.dataframe) * 2 + 1
    # the caps shipped are examples, and the page says so
    assert any("EXAMPLES" in c.value for c in at.caption)


def test_scrutiny_sees_suppressed_aggregates_and_no_breach_list(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    headers = [h.value for h in at.header]
    assert "Breaches and what to do" not in headers and "Quarterly summary" not in headers
    assert "Team" not in [t.label for t in at.tabs]
    summary = _frames(at)[0]
    values = dict(zip(summary["Measure"], summary["Value"]))
    # the demo's latest month has 1-4 cool-off breaches and project-team workers: hidden
    assert values["Cool-off breaches"] == "c"
    assert values["Project-team workers"] == "c"
    assert values["Agency assignments"] != "c"
    for frame in _frames(at):
        assert "Agency reference" not in frame.columns
    assert len(at.get("download_button")) == len(at.dataframe) * 2


def test_the_quarterly_download_is_the_summary_workbook(monkeypatch, store):
    """The button's file is the quarterly workbook, built when clicked (not on every view)."""
    from agency import quarterly
    from tests.app.test_app_download_files import Recorder

    built = []
    real = quarterly.build
    monkeypatch.setattr(quarterly, "build", lambda *a, **kw: built.append(kw["quarter"]) or real(*a, **kw))
    files = Recorder(monkeypatch)
    at = make_app(monkeypatch, db=store, role="hr")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    quarter = next(s for s in at.selectbox if s.label == "Quarter (calendar)").value
    assert re.fullmatch(r"\d{4}-Q[1-4]", quarter)
    name = f"agency_summary_{quarter}.xlsx"
    assert callable(files.files[name]) and built == []  # drawn, not built
    wb = load_workbook(io.BytesIO(files.data(name)))
    assert built == [quarter]
    assert wb.sheetnames == ["About", "Usage and cost", "Cap compliance", "Cap breaches",
                             "Experience and notice"]
    assert quarter in str(wb["About"]["A1"].value) or any(
        quarter in str(c.value) for row in wb["About"].iter_rows() for c in row if c.value)


def test_the_8020_page_shows_cost_beside_the_ratio(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/agency.py").run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert "Agency spend this month" in labels
    assert any(label.startswith("Agency spend, last 12 months") for label in labels)
    spend = next(m for m in at.metric if m.label == "Agency spend this month")
    assert re.fullmatch(r"£[\d,]+", spend.value)
    assert "What agency cover costs" in [h.value for h in at.header]
    assert any("permanent share" in s.value for s in at.success)
