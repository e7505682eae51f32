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


def test_scrutiny_sees_every_large_figure_and_the_true_reason_for_each_c(monkeypatch, store):
    """Issue 10 (over-hiding on the Agency rules page), the demo at October 2026 (its latest
    month), the whole directorate. HR's exact summary: 27 assignments, 24 of 27 within the price
    cap (3 above it), 3 cap breaches not signed off, 3 under 3 years, 3 with short notice, 1
    reference incomplete, 4 cool-off breaches, 10 over 12 months, 3 project-team workers. To
    scrutiny the six counts of 1-4 are "c", and so are the share within the cap and the average
    above it (they give the 3 above the cap away): 8 figures, each fewer than 5 people (the
    caption says so); 27, 10 and the month's spend are shown. By service: Children in Care's 12
    assignments, all within the cap (12, 12, 12, 100.0%), are shown (before, they were hidden
    with Safeguarding's 12, though hiding one of the two protects SEND's 1 and Youth's 2: a
    secondary cell the protection did not need); the caption counts 6 cells hidden so that a
    small group cannot be worked out."""
    at = make_app(monkeypatch, db=store, role="hr")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    exact = dict(zip(_frames(at)[0]["Measure"], _frames(at)[0]["Value"].astype(str)))
    small = {"Within the price cap": "88.9%", "Cap breaches without full sign-off": "3",
             "Under 3 years' post-qualifying experience": "3", "Notice below the minimum": "3",
             "References incomplete": "1", "Cool-off breaches": "4", "Project-team workers": "3"}
    assert {m: exact[m] for m in small} == small
    assert exact["Agency assignments"] == "27" and exact["Assignments running more than 12 months"] == "10"

    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    frames = _frames(at)
    summary = dict(zip(frames[0]["Measure"], frames[0]["Value"].astype(str)))
    shown = {m: v for m, v in summary.items() if v != "c"}
    assert set(shown) == {"Agency assignments", "Assignments running more than 12 months", "Agency spend in the month"}
    assert shown["Agency assignments"] == "27" and shown["Assignments running more than 12 months"] == "10"
    assert shown["Agency spend in the month"] == exact["Agency spend in the month"]
    assert len(summary) - len(shown) == 8
    captions = [c.value for c in at.caption]
    assert "c: 8 figures fewer than 5 people." in captions
    by_service = next(f for f in frames if "Service" in f.columns).set_index("Service")
    cic = by_service.loc["Children in Care"]
    assert [str(cic[c]) for c in ("Assignments", "With a cap", "Within cap")] == ["12", "12", "12"]
    assert float(cic["Within cap (%)"]) == 100.0
    assert str(by_service.at["Safeguarding and Family Support", "Assignments"]) == "c"
    assert ("c: 24 figures fewer than 5 people; 6 figures hidden so that a small group cannot be worked out "
            "from the other figures.") in captions


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
