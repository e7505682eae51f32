"""The HR census page on the real demo store, and census points on the trend pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.app.test_app_frame import make_app


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    dst = tmp_path_factory.mktemp("census_app") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def _open(monkeypatch, store, role: str):
    at = make_app(monkeypatch, db=store, role=role)
    at.switch_page("views/census.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_hr_sees_readiness_and_builds_a_valid_return(monkeypatch, store):
    at = _open(monkeypatch, store, "hr")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Errors (DfE would reject)"] == "0"
    assert int(metrics["Workers with gaps"]) > 0  # the demo leaves some items blank
    assert len(at.dataframe) >= 4
    text = " ".join(str(df.value.to_csv()) for df in at.dataframe)
    assert "SWENo" in text and not any(w.startswith("SW1") for w in text.split(","))
    at.button(key="census_build").click().run()
    assert not at.exception
    assert any("valid against the 2025 schema" in s.value for s in at.success)
    assert any(b.label.startswith("Download csww_") for b in at.get("download_button"))
    # the produced return's figures now stand on the trends as that year's 30 September
    at.switch_page("views/caseloads.py").run()
    assert not at.exception
    traces = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]
              if t.get("name") == "Census return, 30 September"]
    assert traces and "produced from the monthly loads" in json.dumps(traces[0])


@pytest.mark.parametrize("role", ["leadership", "scrutiny"])
def test_other_roles_cannot_open_the_census_page(monkeypatch, store, role):
    from streamlit.testing.v1 import AppTest

    at = make_app(monkeypatch, db=store, role=role)  # not in their menu...
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/census.py")
    root = Path(__file__).resolve().parents[2]
    page = AppTest.from_file(str(root / "views" / "census.py"), default_timeout=60)  # ...nor by URL
    page.run()
    assert page.error and "not available" in page.error[0].value
    assert not page.metric and not page.dataframe


def test_imported_return_appears_on_the_caseload_trend(monkeypatch, store, reference_dir,
                                                       tmp_path):
    from census import service
    from census.xmlio import to_xml
    from store import connect
    from tests.census.synthetic import build, published

    copy = tmp_path / "with_census.duckdb"
    shutil.copy(store, copy)
    pub = published(reference_dir, la_code="884", year=2024)
    xml = tmp_path / "h2024.xml"
    xml.write_bytes(to_xml(build(pub, year=2024, lea="884")))
    con = connect(copy)
    service.import_return(con, path=xml, imported_by="t")
    con.close()
    at = make_app(monkeypatch, db=copy, role="leadership")
    at.switch_page("views/caseloads.py").run()
    assert not at.exception
    specs = " ".join(str(c.proto.spec) for c in at.get("plotly_chart"))
    assert "Census return, 30 September" in specs
    # the chart's text alternative lists the point too (DfE's 2024 caseload for Herefordshire)
    caption = f"Census returns (30 September): 2024 {pub['caseload_fte']:.1f} cases per FTE"
    assert any(caption in c.value for c in at.caption), [c.value for c in at.caption]


def test_a_return_imported_from_the_command_line_reaches_a_running_dashboard(
        monkeypatch, demo_db, reference_dir, tmp_path):
    """The page has run (its figures cached); a return imported by another process then shows on
    the next run without a restart: the store's fingerprint counts census returns."""
    from census.__main__ import main
    from census.xmlio import to_xml
    from tests.census.synthetic import build, published

    copy = tmp_path / "running.duckdb"
    shutil.copy(demo_db, copy)  # no census return yet
    at = make_app(monkeypatch, db=copy, role="leadership")
    at.switch_page("views/caseloads.py").run()

    def census_traces():
        return [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]
                if t.get("name") == "Census return, 30 September"]

    assert not census_traces()
    xml = tmp_path / "h2023.xml"
    xml.write_bytes(to_xml(build(published(reference_dir, la_code="884", year=2023),
                                 year=2023, lea="884")))
    assert main(["--db", str(copy), "import", str(xml)]) == 0
    at.run()
    assert not at.exception
    assert census_traces()


def test_the_readiness_report_is_worked_out_once_per_data_version(monkeypatch, store):
    """A rerun of the page (any click) reuses the report: at 100x it takes seconds to work out."""
    import streamlit as st

    from census import report as R

    st.cache_data.clear()
    calls = []
    real = R.report

    def counting(*args, **kwargs):
        calls.append(kwargs.get("year"))
        return real(*args, **kwargs)

    monkeypatch.setattr(R, "report", counting)
    at = _open(monkeypatch, store, "hr")
    first = {m.label: m.value for m in at.metric}
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == first
    assert len(calls) == 1, calls


def test_on_a_very_large_store_the_readiness_report_waits_for_a_click(monkeypatch, store):
    """Above READINESS_AUTO_ROWS staff rows a month the page opens at once and says why the
    report waits; the button works it out (the same figures as on a store of usual size) and the
    session keeps it shown."""
    from ui import census

    usual = {m.label: m.value for m in _open(monkeypatch, store, "hr").metric}
    assert usual
    monkeypatch.setattr(census, "READINESS_AUTO_ROWS", 100)  # the demo has ~650 staff rows a month
    at = _open(monkeypatch, store, "hr")
    assert not at.metric and any("store is large" in m.value for m in at.markdown)
    button = next(b for b in at.button if b.label.startswith("Check readiness for "))
    button.click().run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric} == usual
    assert len(at.dataframe) >= 4
    at.run()  # any later click keeps it
    assert {m.label: m.value for m in at.metric} == usual


def test_readiness_tables_speak_plain_english_with_units(monkeypatch, store):
    """The figures carry a unit and DfE's rounding (no "0000000007" float tails); the
    completeness and gap tables have worded headings and a percentage, not a 0-1 share."""
    at = _open(monkeypatch, store, "hr")
    frames = {tuple(df.value.columns): df.value for df in at.dataframe}
    figures = next(f for cols, f in frames.items() if "Unit" in cols)
    agency = figures[figures["Figure"] == "Agency rate (FTE)"].iloc[0]
    assert agency["Unit"] == "%"
    for col in ("Census (this return)", "Dashboard (monthly)"):
        assert float(agency[col]) == round(float(agency[col]), 1)  # one decimal place, as DfE
    # the difference: its sign, one decimal and its unit (a rate's in percentage points), worked
    # out from the two figures beside it; a true minus sign; "—" where there is nothing to compare
    diff = float(agency["Census (this return)"]) - float(agency["Dashboard (monthly)"])
    sign = "" if round(abs(diff), 1) == 0 else ("+" if diff > 0 else "\u2212")
    assert agency["Difference (census minus dashboard)"] in (f"{sign}{abs(diff):.1f} points", "No difference")
    assert "-" not in "".join(figures["Difference (census minus dashboard)"])
    headcount = figures[figures["Figure"] == "Social workers in post (headcount)"].iloc[0]
    assert headcount["Unit"] == "people" and float(headcount["Census (this return)"]).is_integer()
    assert headcount["Difference (census minus dashboard)"] == "—"  # no monthly figure to compare
    # every unit reads whole at 1440 px ("cases per FTE" was cut to "cases pe"): each column has
    # a width, the Unit column's fits its longest unit (about 8 px a character, 16 px padding),
    # and everything up to the difference fits beside the sidebar (about 980 px)
    table = next(df for df in at.dataframe if "Unit" in df.value.columns)
    cols = {k: v for k, v in json.loads(table.proto.columns).items() if k != "_index"}
    assert set(cols) == set(figures.columns)
    assert all(isinstance(c.get("width"), int) for c in cols.values()), cols
    assert "cases per FTE" in set(figures["Unit"])
    assert cols["Unit"]["width"] >= 8 * max(len(u) for u in figures["Unit"]) + 16
    assert sum(c["width"] for name, c in cols.items() if name != "Why they can differ") <= 980
    assert cols["Figure"]["pinned"] is True
    items = next(f for cols, f in frames.items() if "Complete (%)" in cols)
    sex = items[items["Census element"] == "Sex"].iloc[0]
    # the demo's census year: 132 workers owe a sex code and 130 gave one: 130 / 132 = 98.5%
    assert (sex["Item"], int(sex["Expected (workers)"]), int(sex["Given"])) == ("Sex", 132, 130)
    assert float(sex["Complete (%)"]) == 98.5
    assert any("Number of gaps" in cols and "Worker (employee id)" in cols for cols in frames)
