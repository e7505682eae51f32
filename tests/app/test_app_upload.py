"""AppTest over the Upload page for every role, and the upload behaviour on a real store copy.

Why these checks: only HR may load data (even a scrutiny member who types the page's URL must be
refused), a file with any error must load nothing, and a good file must reach every page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.e2e.workbooks import bad_workbook_bytes, latest_loaded, month_frames, next_month, workbook_bytes

from tests.app.conftest import run_as

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "upload.py")
DASHBOARD = str(ROOT / "dashboard.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def store(app_store: Path):
    """The shared app store (tests/app/conftest.py)."""
    return app_store


def counts(path: Path) -> dict[str, int]:
    """Rows in the ledger and every data table (the store's observable state)."""
    from ui import db

    assert Path(db.db_path()) == path.resolve(), "the app should be using the test's store"
    with db.open_cursor() as cur:
        out = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
               for t in ("loads", "staff", "leavers", "vacancies", "training", "survey")}
        out["active_sha"] = tuple(r[0] for r in cur.execute(
            "SELECT sha256 FROM loads WHERE active ORDER BY period").fetchall())
        return out


def run_page(role: str, monkeypatch: pytest.MonkeyPatch, *, path: str = PAGE) -> AppTest:
    return run_as(role, monkeypatch, path=path)


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.error] + [e.value for e in at.warning] + [e.value for e in at.info]
    parts += [e.value for e in at.success] + [e.value for e in at.header]
    return "\n".join(str(p) for p in parts)


# --- roles ---------------------------------------------------------------------------------


def test_hr_sees_the_upload_page_with_the_next_month_chosen(store, monkeypatch):
    at = run_page("hr", monkeypatch)
    assert at.title[0].value == "Upload a month"
    assert len(at.get("file_uploader")) == 1
    latest = latest_loaded(store)
    assert at.selectbox[0].value == next_month(latest)
    # the load history lists every demo month, newest first
    ledger = at.dataframe[0].value
    assert len(ledger) == counts(store)["loads"]
    assert "template" in texts(at).lower() or any("template" in b.label.lower() for b in at.get("download_button"))


@pytest.mark.parametrize("role", ["leadership", "scrutiny"])
def test_other_roles_are_refused_by_the_page_itself(store, monkeypatch, role):
    at = run_page(role, monkeypatch)
    assert f"not available to the {role} role" in texts(at)
    assert len(at.get("file_uploader")) == 0
    assert not at.title or at.title[0].value != "Upload a month"


def test_hr_reaches_upload_through_the_navigation(store, monkeypatch):
    at = run_page("hr", monkeypatch, path=DASHBOARD)
    at.switch_page("views/upload.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(t.value == "Upload a month" for t in at.title)
    assert len(at.get("file_uploader")) == 1


@pytest.mark.parametrize("role", ["leadership", "scrutiny"])
def test_other_roles_cannot_reach_upload_through_the_navigation(store, monkeypatch, role):
    at = run_page(role, monkeypatch, path=DASHBOARD)
    # the page is not registered in this role's navigation at all, so it has no URL to open
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/upload.py")
    at.run()
    assert len(at.get("file_uploader")) == 0
    assert all(t.value != "Upload a month" for t in at.title)


def test_the_write_path_refuses_other_roles_even_when_called_directly(store, monkeypatch):
    from ui import upload

    before = counts(store)
    period = next_month(latest_loaded(store))
    data = workbook_bytes(month_frames(period=period))
    monkeypatch.setenv("WORKFORCE_ROLE", "leadership")
    with pytest.raises(PermissionError):
        upload.confirm_upload(con=None, data=data, file_name="x.xlsx", period=period, loaded_by="leadership")
    assert counts(store) == before


# --- behaviour -------------------------------------------------------------------------------


def test_an_invalid_upload_shows_every_error_and_changes_nothing(store, monkeypatch):
    period = next_month(latest_loaded(store))
    data = bad_workbook_bytes(month_frames(period=period))
    before = counts(store)
    at = run_page("hr", monkeypatch)
    at.file_uploader[0].upload("broken.xlsx", data, XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = at.dataframe[0].value
    assert list(errors.columns) == ["Sheet", "Row", "Column", "Value", "Problem"]
    fte = errors[(errors["Sheet"] == "Staff") & (errors["Row"] == 6)]
    assert not fte.empty and "1.7" in fte["Value"].iloc[0]
    assert ((errors["Sheet"] == "Staff") & (errors["Row"] == 7)).any()  # the blank team
    assert "Nothing has been loaded" in texts(at)
    assert not any(b.key == "confirm_upload" for b in at.button)
    labels = [b.label for b in at.get("download_button")]
    assert "Download Excel" in labels  # the error list comes back as a workbook to work through
    assert counts(store) == before


def test_a_valid_upload_previews_then_loads_and_every_page_sees_it(store, monkeypatch):
    latest = latest_loaded(store)
    period = next_month(latest)
    data = workbook_bytes(month_frames(period=period))
    before = counts(store)
    at = run_page("hr", monkeypatch)
    at.file_uploader[0].upload(f"extract-{period}.xlsx", data, XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "What will change" in texts(at)
    movement = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert set(movement["Measure"]) >= {"Headcount (all staff)", "Agency share of social-worker FTE",
                                        "Leavers in the month", "Vacant FTE"}
    assert latest in movement.columns  # compared with the previous loaded month
    assert counts(store) == before     # previewing writes nothing
    confirm = next(b for b in at.button if b.key == "confirm_upload")
    confirm.click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = counts(store)
    assert after["loads"] == before["loads"] + 1
    assert after["staff"] > before["staff"]
    assert any(f"{period} loaded" in s.value for s in at.success)
    assert at.session_state["f_period"] == period  # every page now looks at the new month
    assert len(at.get("file_uploader")) == 1 and not at.file_uploader[0].value  # file dropped


def test_uploading_a_loaded_month_again_says_it_replaces_it(store, monkeypatch):
    latest = latest_loaded(store)
    data = workbook_bytes(month_frames(period=latest))
    at = run_page("hr", monkeypatch)
    at.selectbox[0].set_value(latest)
    at.run()
    at.file_uploader[0].upload(f"extract-{latest}.xlsx", data, XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"replaces the data already loaded for {latest}" in texts(at)


def test_a_file_that_is_not_a_workbook_is_refused_in_plain_english(store, monkeypatch):
    before = counts(store)
    at = run_page("hr", monkeypatch)
    at.file_uploader[0].upload("extract.xlsx", b"this is not a workbook", XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = at.dataframe[0].value
    assert errors["Sheet"].tolist() == ["(whole file)"]
    assert "not an Excel workbook" in errors["Problem"].iloc[0]
    assert not any(b.key == "confirm_upload" for b in at.button)
    assert counts(store) == before


def test_the_upload_widget_enforces_the_loaders_size_limit(store, monkeypatch):
    from ingest.reader import MAX_FILE_BYTES
    from ui import upload

    at = run_page("hr", monkeypatch)
    assert at.file_uploader[0].proto.max_upload_size_mb == MAX_FILE_BYTES // (1024 * 1024) == 20
    with pytest.raises(upload.UploadRefused, match="the most this page accepts is 20 MB"):
        upload.check_size(size=MAX_FILE_BYTES + 1)


def test_warnings_are_shown_apart_and_do_not_block_the_load(store, monkeypatch):
    period = next_month(latest_loaded(store))
    frames = month_frames(period=period)
    frames["Staff"] = frames["Staff"].assign(**{"Notes for HR": "x"})  # an unknown column
    at = run_page("hr", monkeypatch)
    at.file_uploader[0].upload("with-extra-column.xlsx", workbook_bytes(frames), XLSX)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("do not stop the load" in w.value for w in at.warning)
    warnings = at.dataframe[0].value
    assert list(warnings.columns) == ["Sheet", "Row", "Column", "Value", "Problem"]
    assert (warnings["Column"] == "Notes for HR").any()
    assert any(b.key == "confirm_upload" for b in at.button)  # still loadable
