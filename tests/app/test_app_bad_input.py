"""AppTest over the Upload page and the sidebar for the second bad-input review.

The page checks a file once (not on every rerun), never proposes an unfinished month, catches last
month's staff rows offered for the next month (HR may confirm, and the ledger records it), and
shows file names as typed; the sidebar names who loaded data only to HR and leadership.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.app.conftest import query, run_as
from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "upload.py")
DASHBOARD = str(ROOT / "dashboard.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_page_checks_a_file_once_not_on_every_rerun(app_store, monkeypatch):
    from ui import upload

    calls: list[str] = []
    real = upload.validate_upload

    def counted(**kw):
        calls.append(kw["file_name"])
        return real(**kw)

    monkeypatch.setattr(upload, "validate_upload", counted)
    period = next_month(latest_loaded(app_store))
    at = run_as("hr", monkeypatch, path=PAGE)
    at.file_uploader[0].upload(f"extract-{period}.xlsx", workbook_bytes(month_frames(period=period)),
                               XLSX)
    at.run()
    at.run()  # any click reruns the page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(b.key == "confirm_upload" for b in at.button)
    assert calls == [f"extract-{period}.xlsx"]


def test_the_page_never_proposes_a_month_that_has_not_ended(app_store, monkeypatch):
    latest = latest_loaded(app_store)  # e.g. 2026-10, loaded; today falls in the month after
    coming = next_month(latest)
    monkeypatch.setenv("WORKFORCE_TODAY", f"{coming}-25")
    at = run_as("hr", monkeypatch, path=PAGE)
    box = at.selectbox[0]
    assert box.value == latest and coming not in box.options
    opens = pd.Timestamp(f"{next_month(coming)}-01")
    assert any(f"{opens:%-d %B %Y}" in i.value and "next month to load" in i.value for i in at.info)


def _repeat_of_latest(store: Path) -> tuple[str, bytes]:
    """Next month's workbook whose Staff sheet is the latest loaded month's staff, row for row."""
    latest = latest_loaded(store)
    period = next_month(latest)
    frames = month_frames(period=period)
    cols = ("employee_id", "team", "service", "role_group", "qualified_social_worker", "worker_type",
            "fte", "start_date", "cases", "absence_days", "gender", "ethnicity", "age",
            "disability", "lives_in_county", "converted_from_agency")
    rows = query(f"SELECT {', '.join(cols)} FROM staff WHERE period = ?::DATE",  # noqa: S608
                 [f"{latest}-01"])
    staff = pd.DataFrame(rows, columns=list(cols))
    for flag in ("qualified_social_worker", "lives_in_county", "converted_from_agency"):
        staff[flag] = staff[flag].map({True: "Y", False: "N"})
    frames["Staff"] = staff
    return period, workbook_bytes(frames)


def test_last_months_staff_for_next_month_needs_hr_to_confirm_and_is_recorded(app_store, monkeypatch):
    latest = latest_loaded(app_store)
    period, data = _repeat_of_latest(app_store)
    loads = query("SELECT count(*) FROM loads")[0][0]
    at = run_as("hr", monkeypatch, path=PAGE)
    at.file_uploader[0].upload(f"extract-{period}.xlsx", data, XLSX)
    at.run()
    problems = at.dataframe[0].value
    assert problems["Problem"].iloc[0].startswith(f"this looks like the extract for {latest} again")
    assert not any(b.key == "confirm_upload" for b in at.button)
    [box] = [c for c in at.checkbox if "staff really did not change" in c.label]
    box.check()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    confirm = next(b for b in at.button if b.key == "confirm_upload")
    confirm.click()
    at.run()
    assert any(f"{period} loaded" in s.value for s in at.success)
    assert query("SELECT count(*) FROM loads")[0][0] == loads + 1
    [(warnings, repeat_of)] = query(
        "SELECT warnings, strftime(repeat_of, '%Y-%m') FROM loads WHERE period = ?::DATE AND active",
        [f"{period}-01"])
    assert repeat_of == latest  # the ledger records the confirmation
    assert f"identical to {latest}'s" in warnings and "you confirmed" in warnings


def test_a_file_name_shows_as_typed(app_store, monkeypatch):
    at = run_as("hr", monkeypatch, path=PAGE)
    at.file_uploader[0].upload("[x](http://example.invalid).xlsx", b"not a workbook", XLSX)
    at.run()
    shown = " ".join(e.value for e in at.error)
    # the brackets stay characters; the address is a working link showing exactly what was typed
    assert "\\[x\\]\\([http\\://example\\.invalid](<http://example.invalid>)\\)\\.xlsx" in shown
    assert "[x](http" not in shown


@pytest.mark.parametrize("role, named", [("hr", True), ("leadership", True), ("scrutiny", False)])
def test_the_sidebar_names_who_loaded_only_to_hr_and_leadership(app_store, monkeypatch, role, named):
    [(who,)] = query("SELECT loaded_by FROM loads WHERE active ORDER BY period DESC LIMIT 1")
    at = run_as(role, monkeypatch, path=DASHBOARD)
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert "last load" in text
    assert (f"by {who}" in text) is named
