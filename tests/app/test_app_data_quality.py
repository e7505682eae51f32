"""AppTest over the Data quality page for every role, on a real copy of the demo store.

Why: the ledger, completeness and movements are what HR checks before trusting a month, and
scrutiny members must not see files, users or row-level checks (even by the page's URL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

from store.periods import period_label
from tests.app.conftest import run_as

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "data_quality.py")
DASHBOARD = str(ROOT / "dashboard.py")


@pytest.fixture
def store(app_store: Path):
    """The shared app store (tests/app/conftest.py)."""
    return app_store


def run(role: str, monkeypatch: pytest.MonkeyPatch, *, path: str = PAGE) -> AppTest:
    return run_as(role, monkeypatch, path=path)


def frames_by_columns(at: AppTest) -> dict[str, object]:
    return {d.value.columns[1] if len(d.value.columns) > 1 else d.value.columns[0]: d.value
            for d in at.dataframe}


def loads_count() -> int:
    from ui import db

    with db.open_cursor() as cur:
        return cur.execute("SELECT count(*) FROM loads").fetchone()[0]


@pytest.mark.parametrize("role", ["hr", "leadership"])
def test_hr_and_leadership_see_every_section_with_real_figures(store, monkeypatch, role):
    at = run(role, monkeypatch)
    assert at.title[0].value == "Data quality"
    heads = [s.value for s in at.header]
    assert heads == ["Load ledger", "Completeness of optional columns", "Unusual movements",
                     "What each load touched"]
    ledger, completeness, movements, impact = (d.value for d in at.dataframe)
    assert len(ledger) == loads_count() == 36
    assert ledger["Month"].iloc[0] == period_label(latest_loaded(store))  # newest first, in words
    assert len(completeness) == 36
    assert completeness["Gender"].between(0, 100).all()
    assert (completeness["Cases"] < 100).all()  # not everyone holds cases
    assert {"Month", "Level", "Name", "Measure", "Change"} <= set(movements.columns)
    assert (movements["Change"].abs() > 20).all()
    assert set(movements["Level"]) <= {"Service", "Team", "Directorate"}
    assert "Leavers" in set(movements["Measure"])  # the demo has months whose leavers jump
    assert len(impact) == 36
    # months and times in UK words: no ISO month or timestamp, no "None"/"nan" anywhere
    import re

    for frame in (ledger, completeness, movements, impact):
        cells = frame.drop(columns=[c for c in ("SHA-256", "File", "File in use") if c in frame.columns])
        text = " ".join(str(v) for v in cells.to_numpy().ravel())
        assert not re.search(r"\b\d{4}-\d{2}\b", text), text[:200]
        assert not re.search(r"\b(None|nan|NaT)\b", text)
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d{2}[ap]m", ledger["Loaded at"].iloc[0])
    oldest = impact.iloc[-1]
    assert oldest["Rolling 12-month figures"].endswith(f"for {oldest['Month']} to " +
                                                       impact.iloc[-12]["Month"])


def test_scrutiny_is_refused_by_the_page_itself(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    assert any("not available to the scrutiny role" in e.value for e in at.error)
    assert len(at.dataframe) == 0


def test_scrutiny_has_no_data_quality_page_in_the_navigation(store, monkeypatch):
    at = run("scrutiny", monkeypatch, path=DASHBOARD)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/data_quality.py")


def test_the_data_functions_refuse_scrutiny_even_when_called_directly(store, monkeypatch):
    from ui import quality

    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    with pytest.raises(PermissionError):
        quality.quality_frame("ledger")


def test_a_new_load_shows_in_the_ledger_at_once(store, monkeypatch):
    from ui import db, upload

    at = run("hr", monkeypatch)
    assert len(at.dataframe[0].value) == 36
    period = next_month(latest_loaded(store))
    with db.open_cursor() as cur:
        upload.confirm_upload(con=cur, data=workbook_bytes(month_frames(period=period)),
                              file_name=f"extract-{period}.xlsx", period=period, loaded_by="hr")
    at.run()
    ledger = at.dataframe[0].value
    assert len(ledger) == 37 and ledger["Month"].iloc[0] == period_label(period)
    assert ledger["Loaded by"].iloc[0] == "hr"
