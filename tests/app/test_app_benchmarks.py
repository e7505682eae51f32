"""AppTest over the Benchmarks page for every role, with the DfE's own published files.

Why: before import the page must say in plain English what to do (and who may do it); after
import every role sees the council beside its region, England and its statistical neighbours,
with our own 30 September figure marked; only HR and leadership may import.
"""

from __future__ import annotations

import base64
import re
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import run_as

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "benchmarks.py")
ROLES = ("hr", "leadership", "scrutiny")


@pytest.fixture
def store(app_store: Path):
    """The shared app store (tests/app/conftest.py)."""
    return app_store


@pytest.fixture
def dfe_files(reference_dir: Path) -> list[tuple[str, bytes]]:
    names = ("csww_indicators_2017_to_2025.csv", "sn_model_2025_wide.csv")
    return [(n, (reference_dir / "dfe" / n).read_bytes()) for n in names]


@pytest.fixture
def imported(store: Path, dfe_files, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store with the DfE indicators and the neighbour model imported (as HR would)."""
    from ui import benchmarks

    monkeypatch.setenv("WORKFORCE_ROLE", "hr")
    benchmarks.import_benchmarks(files=dfe_files, imported_by="hr")
    return store


def run(role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return run_as(role, monkeypatch, path=PAGE)


def _array(value: object) -> list:
    """Plotly sends numeric arrays base64-encoded ({'dtype', 'bdata'}); decode to a list."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value)


def figures(at: AppTest) -> list[dict]:
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    for fig in figs:
        for trace in fig["data"]:
            for axis in ("x", "y"):
                if axis in trace:
                    trace[axis] = _array(trace[axis])
    return figs


def imports_count() -> int:
    from ui import db

    with db.open_cursor() as cur:
        return cur.execute("SELECT count(*) FROM benchmark_imports").fetchone()[0]


@pytest.mark.parametrize("role", ROLES)
def test_not_imported_yet_says_what_to_do(store, monkeypatch, role):
    at = run(role, monkeypatch)
    info = " ".join(i.value for i in at.info)
    assert "have not been imported yet" in info
    assert not at.get("plotly_chart")
    if role == "scrutiny":
        assert "Ask HR or the leadership team" in info
        assert len(at.get("file_uploader")) == 0  # scrutiny members see figures only
    else:
        assert "import it below" in info
        assert len(at.get("file_uploader")) == 1


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_herefordshire_beside_region_england_and_neighbours(imported, monkeypatch, role):
    at = run(role, monkeypatch)
    figs = figures(at)
    assert len(figs) == 5
    agency = figs[0]
    names = [t["name"] for t in agency["data"]]
    assert names[:4] == ["Herefordshire", "West Midlands", "England", "Statistical neighbours (median)"]
    assert "Our own figure at 30 September" in names  # the demo has September month ends
    england = next(t for t in agency["data"] if t["name"] == "England")
    assert 2025 in england["x"]
    # DfE England 2025 agency rate is 13.0% (reference file), charted as published
    assert england["y"][england["x"].index(2025)] == pytest.approx(13.0)
    captions = " ".join(c.value for c in at.caption)
    assert "England 13.0%" in captions
    assert "Our own latest figure" in captions
    assert (len(at.get("file_uploader")) == 1) == (role != "scrutiny")
    table = at.dataframe[0].value
    row = table[(table["Indicator"].str.startswith("Agency worker rate")) & (table["Year (30 September)"] == 2025)]
    assert row["England"].iloc[0] == pytest.approx(13.0)
    assert "Our own figure" in table.columns and table["Our own figure"].notna().any()


def test_hr_imports_the_published_files_through_the_page(store, dfe_files, monkeypatch):
    at = run("hr", monkeypatch)
    at.file_uploader[0].set_value([(n, d, "text/csv") for n, d in dfe_files])
    at.run()
    at.button(key="bench_import").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Imported" in s.value for s in at.success)
    assert imports_count() == 2
    assert len(figures(at)) == 5


def test_a_wrong_file_imports_nothing_and_says_so(store, monkeypatch):
    at = run("leadership", monkeypatch)
    at.file_uploader[0].set_value([("staff.csv", b"employee_id,team\nE1,Alpha\n", "text/csv")])
    at.run()
    at.button(key="bench_import").click()
    at.run()
    assert any("Nothing was imported" in e.value for e in at.error)
    assert imports_count() == 0
    assert not at.get("plotly_chart")


def test_scrutiny_cannot_import_even_by_calling_the_function(store, dfe_files, monkeypatch):
    from ui import benchmarks

    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    with pytest.raises(PermissionError):
        benchmarks.import_benchmarks(files=dfe_files, imported_by="scrutiny")
    assert imports_count() == 0


def _dfe(reference_dir: Path) -> pd.DataFrame:
    return pd.read_csv(reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv", dtype=str,
                       keep_default_na=False)


def _published(raw: pd.DataFrame, *, code: str, indicator: str, year: int) -> float:
    row = raw[(raw["geographic_level"] == "Local authority") & (raw["old_la_code"] == code)
              & (raw["time_period"] == str(year))]
    return float(row[indicator].iloc[0])


def test_any_authority_can_be_chosen_home_then_neighbours_then_the_rest(imported, monkeypatch, reference_dir):
    raw = _dfe(reference_dir)
    all_codes = set(raw.loc[raw["geographic_level"] == "Local authority", "old_la_code"])
    sn = pd.read_csv(reference_dir / "dfe" / "sn_model_2025_wide.csv", dtype=str, encoding="utf-8-sig")
    sn_codes = sn.loc[sn["old_la_code"].str.strip() == "884",
                      [f"SN_{k}" for k in range(1, 11)]].iloc[0].str.strip().tolist()

    at = run("scrutiny", monkeypatch)
    box = at.selectbox(key="bench_la")
    labels = list(box.options)   # AppTest gives the labels shown: "Name (code…)…"
    codes = [re.search(r"\((\d{3}(?: / \d{3})*)", label).group(1) for label in labels]
    assert len(codes) == len(all_codes) == 156 and set(codes) == all_codes
    assert codes[0] == "884" and box.value == "884"
    assert labels[0] == "Herefordshire (884) — our council"
    assert codes[1:11] == sn_codes
    assert all(label.endswith("statistical neighbour") for label in labels[1:11])
    rest = labels[11:]
    names = [label.split(" (")[0] for label in rest]
    assert "Surrey (936)" in rest       # not a neighbour, still choosable
    assert "Dorset (835, to 2018)" in rest and "Dorset (838)" in rest  # reorganised council says so
    assert names == sorted(names, key=str.lower)   # the rest by the name people use


def test_choosing_shropshire_changes_the_figures_and_hides_our_stars(imported, monkeypatch, reference_dir):
    raw = _dfe(reference_dir)
    at = run("leadership", monkeypatch)
    home = figures(at)[0]["data"]
    assert home[0]["name"] == "Herefordshire"
    assert "Our own figure at 30 September" in [t["name"] for t in home]

    at.selectbox(key="bench_la").set_value("893")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    figs = figures(at)
    assert len(figs) == 5
    agency = figs[0]["data"]
    assert agency[0]["name"] == "Shropshire"
    shropshire_2025 = _published(raw, code="893", indicator="agency_rate_fte", year=2025)
    assert agency[0]["y"][agency[0]["x"].index(2025)] == pytest.approx(shropshire_2025)
    assert agency[0]["y"] != home[0]["y"]
    assert all("Our own" not in t["name"] for fig in figs for t in fig["data"])
    captions = " ".join(c.value for c in at.caption)
    assert "Our own latest figure" not in captions
    assert "appear only when Herefordshire is chosen" in captions
    table = at.dataframe[0].value
    assert "Our own figure" not in table.columns and "Shropshire" in table.columns
    row = table[table["Indicator"].str.startswith("Agency worker rate") & (table["Year (30 September)"] == 2025)]
    assert row["Shropshire"].iloc[0] == pytest.approx(round(shropshire_2025, 1))

    # a council outside the neighbour group works the same way; back home, the stars return
    at.selectbox(key="bench_la").set_value("936")
    at.run()
    assert not at.exception
    surrey = figures(at)[0]["data"][0]
    assert surrey["name"] == "Surrey"
    assert surrey["y"][surrey["x"].index(2025)] == pytest.approx(
        _published(raw, code="936", indicator="agency_rate_fte", year=2025))
    at.selectbox(key="bench_la").set_value("884")
    at.run()
    assert "Our own figure at 30 September" in [t["name"] for t in figures(at)[0]["data"]]


def _columns(frame_element) -> dict:
    """The column config Streamlit sends for a table: name -> {width, pinned, type options}."""
    return {k: v for k, v in json.loads(frame_element.proto.columns).items() if k != "_index"}


def test_the_benchmark_tables_have_widths_that_fit_and_read_well(imported, monkeypatch):
    """Like the measures tables (ui.layout.measure_columns): every column has a width, the
    indicator stays pinned, years show no thousands comma, figures one decimal; the imported
    files' times are UK time in words. Together the figures table fits at 1440 px (about 980 px)."""
    at = run("hr", monkeypatch)
    figures_table, imports = at.dataframe[0], at.dataframe[1]
    cols = _columns(figures_table)
    assert set(cols) == set(figures_table.value.columns)
    assert all(isinstance(c.get("width"), int) for c in cols.values()), cols
    assert sum(c["width"] for c in cols.values()) <= 980
    assert cols["Indicator"]["pinned"] is True
    assert cols["Year (30 September)"]["type_config"]["format"] == "%d"
    assert cols["Year (30 September)"]["label"] == "Year"  # short enough not to be cut on screen
    assert cols["Statistical neighbours (median)"]["label"] == "Neighbours' median"
    assert cols["England"]["type_config"]["format"] == "%.1f"
    assert cols["Herefordshire"]["type_config"]["format"] == "%.1f"  # named after the authority
    icols = _columns(imports)
    assert set(icols) == set(imports.value.columns) and all(isinstance(c.get("width"), int) for c in icols.values())
    assert all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d\d[ap]m", t) for t in imports.value["Imported at"])
