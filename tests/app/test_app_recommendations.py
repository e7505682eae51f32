"""AppTest over the Recommendations page on a real copy of the demo store, for each role.

Why: members must see every recommendation and what happened to it; HR and leadership edit it
(with an audit trail naming them); scrutiny members get no edit controls at all.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from recommendations import packs  # imported first: the page file shares the package's name

from tests.app.conftest import query, run_as
from ui.layout import plain

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "views" / "tracker.py")
EDIT_BUTTONS = {"Record response", "Add action", "Link measure", "Add recommendation", "Publish pack"}
WORKFORCE = "2024-06-13/workforce-challenges-in-childrens-services"


@pytest.fixture
def store(app_store: Path, monkeypatch: pytest.MonkeyPatch):
    """The shared app store (tests/app/conftest.py), with a named editor for the audit trail."""
    monkeypatch.setenv("WORKFORCE_USER", "Sam Officer")
    return app_store


def run(role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    return run_as(role, monkeypatch, path=PAGE, timeout=120)


def rec_id(ref: str) -> int:
    return int(query("SELECT rec_id FROM rec_recommendations WHERE ref = ?", [ref])[0][0])


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def list_table(at: AppTest):
    return next(d.value for d in at.dataframe if "Recommendation" in d.value.columns and "Status" in d.value.columns)


@pytest.mark.parametrize("role", ["hr", "leadership", "scrutiny"])
def test_every_role_sees_the_whole_tracker(store, monkeypatch, role):
    at = run(role, monkeypatch)
    assert at.title[0].value == "Scrutiny recommendations"
    table = list_table(at)
    assert len(table) == 50  # 49 recommendations + the 80:20 commitment, seeded on first open
    # the one-line answer first, then one tile per status (worst first)
    assert any(m.value == "**Of 49 recommendations since September 2023: 14 done, 20 in progress, 3 overdue, "
                          "1 not started, 1 awaiting response, 4 no action needed, 6 not pursued.**" for m in at.markdown)
    assert metrics(at) == {"Overdue": 3, "Awaiting response": 1, "Not started": 1, "In progress": 20, "Done": 14,
                           "No action needed": 4, "Not pursued": 6}
    assert any(c.value.startswith("Executive responses: 37 accepted, 4 partly accepted, 5 rejected, 1 noted, "
                                  "2 unclear.") for c in at.caption)
    # response and status lead the list; overdue items come first
    assert list(table.columns[:3]) == ["Response", "Status", "Meeting"]
    assert list(table["Status"][:3]) == ["Overdue"] * 3 and "Overdue" not in set(table["Status"][3:])
    assert "None" not in table.to_string()


def test_scrutiny_members_get_no_edit_controls(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    assert not EDIT_BUTTONS & {b.label for b in at.button}
    assert len(at.text_area) == 0 and len(at.text_input) == 0
    assert [t.label for t in at.tabs] == ["Tracker", "Meeting packs"]
    assert "Edit the tracker" not in [s.value for s in at.header]


def test_hr_adds_a_recommendation_and_the_audit_names_them(store, monkeypatch):
    at = run("hr", monkeypatch)
    assert EDIT_BUTTONS <= {b.label for b in at.button}
    assert [t.label for t in at.tabs] == ["Tracker", "Meeting packs", "Audit trail"]
    next(t for t in at.text_input if t.label == "Topic").input("Workforce update")
    next(t for t in at.text_area if t.label == "Recommendation").input("That the agency share is reported every quarter.")
    next(b for b in at.button if b.label == "Add recommendation").click()
    at.run()
    assert not at.exception
    assert any("Recommendation added" in s.value for s in at.success)
    rows = query("SELECT actor, role, action FROM audit ORDER BY id DESC LIMIT 1")
    assert rows == [("Sam Officer", "hr", "add recommendation")]
    table = list_table(at)
    assert len(table) == 51
    assert metrics(at)["Awaiting response"] == 2  # "No response received" (Nov 2023) and the new one
    new = table[table["Topic"] == "Workforce update"].iloc[0]
    assert (new["Response"], new["Status"]) == ("Awaited", "Awaiting response")
    audit = next(d.value for d in at.dataframe if "What changed" in d.value.columns)
    first = audit.iloc[0]
    assert (first["Who"], first["Role"], first["What"]) == ("Sam Officer", "HR", "Added a recommendation")
    assert "; Topic: Workforce update; Number: 1; Recommendation: That the agency" in first["What changed"] and "{" not in first["What changed"]
    assert "(UK time)" in audit.columns[0] and first.iloc[0][:2].strip().isdigit()


def test_filter_by_response(store, monkeypatch):
    at = run("leadership", monkeypatch)
    next(s for s in at.selectbox if s.label == "Response").set_value("Rejected")
    at.run()
    table = list_table(at)
    assert len(table) == 5 and set(table["Response"]) == {"Rejected"}
    assert metrics(at)["Not pursued"] == 5 and metrics(at)["Done"] == 0


def test_detail_shows_the_difference_between_papers(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    at.selectbox(key="rec_pick").set_value(rec_id(f"{WORKFORCE}/4"))
    at.run()
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Differs between papers") and "'Accepted'" in w for w in warnings)
    responses = next(d.value for d in at.dataframe if "As printed" in d.value.columns)
    assert list(responses["Current"]) == ["Superseded", "Yes"]
    actions = next(d.value for d in at.dataframe if "Owner" in d.value.columns)
    assert list(actions["Owner"]) == ["HR Business Partner"]


def test_rec_8_shows_then_now_chart_and_the_answer(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    at.selectbox(key="rec_pick").set_value(rec_id(f"{WORKFORCE}/8"))
    at.run()
    assert not at.exception
    linked = next(d.value for d in at.dataframe if "When made" in d.value.columns)
    assert linked.iloc[0]["Measure"] == "Staff living in the county"
    assert linked.iloc[0]["When made"].endswith("(Jun 2024)")
    answer = next(d.value for d in at.dataframe if "Counted" in d.value.columns)
    # plain words: the group, the figure under the measure's name, what was counted, out of what, people
    assert list(answer.columns) == ["Job type", "Staff living in the county", "Counted", "Out of", "People"]
    assert answer.iloc[0]["Job type"] == "Everyone" and len(answer) > 3
    assert not {"numerator", "denominator", "period", "group"} & set(answer.columns)
    assert any(c.value.startswith("At the end of ") and "Counted: Headcount with lives in county = Y" in c.value
               for c in at.caption)
    assert any("when the recommendation was made" in c.value for c in at.caption)


def publish_demo_pack(store) -> None:
    """A pack of two measures for a meeting in the store's latest month (as the officer would)."""
    con = duckdb.connect(str(store))
    try:
        from metrics import engine

        latest = engine.latest_period(con)
        packs.publish_pack(con, meeting_date=latest.replace(day=20), metric_ids=["agency_rate_fte", "avg_caseload"],
                           published_by="Scrutiny officer")
    finally:
        con.close()


def test_published_pack_is_listed_and_viewable(store, monkeypatch):
    publish_demo_pack(store)
    at = run("scrutiny", monkeypatch)
    table = next(d.value for d in at.dataframe if "Restated" in d.value.columns)
    assert list(table["Measure"]) == ["Agency share of FTE", "Average caseload"]
    assert set(table["Restated"]) == {""}


def test_hr_publishes_a_pack_and_a_later_load_shows_restated(store, monkeypatch, tmp_path):
    at = run("hr", monkeypatch)
    next(m for m in at.multiselect if m.label == "Measures").set_value(["agency_rate_fte"])
    next(b for b in at.button if b.label == "Publish pack").click()
    at.run()
    assert not at.exception
    assert any("published" in s.value for s in at.success)
    pack_id, published_by = query("SELECT pack_id, published_by FROM rec_packs")[0]
    assert published_by == "Sam Officer"
    was = query("SELECT value, period FROM rec_pack_items WHERE pack_id = ?", [pack_id])[0]

    from ingest.loader import load_file
    from tests.e2e.workbooks import month_frames, workbook_bytes
    from ui import db

    period = f"{was[1]:%Y-%m}"
    path = tmp_path / "reloaded.xlsx"
    path.write_bytes(workbook_bytes(month_frames(period=period, convert_agency=True)))
    with db.write_lock, db.open_cursor() as cur:
        load_file(con=cur, path=path, period=period, loaded_by="hr")
    at.run()
    assert not at.exception
    restated = [w.value for w in at.warning if w.value.startswith("restated")]
    assert len(restated) == 1 and restated[0].startswith(f"restated: was {was[0] * 100:.1f}%, now ")
    table = next(d.value for d in at.dataframe if "Restated" in d.value.columns)
    assert table.iloc[0]["Value"] == f"{was[0] * 100:.1f}%"
    assert query("SELECT value FROM rec_pack_items WHERE pack_id = ?", [pack_id])[0][0] == was[0]


def test_hr_previews_the_change_on_a_year_ago_the_pack_will_print(store, monkeypatch):
    """The publish preview shows each measure's change on a year ago as the frozen pack prints it
    (issue 10 item 3: what will be published, before it is)."""
    at = run("hr", monkeypatch)
    chosen = ["agency_rate_fte", "early_leaver_rate_12m"]
    next(m for m in at.multiselect if m.label == "Measures").set_value(chosen)
    next(b for b in at.button if b.label == "Preview what will be published").click()
    at.run()
    assert not at.exception
    preview = next(d.value for d in at.dataframe if "Exact value" in d.value.columns).set_index("Measure")
    next(b for b in at.button if b.label == "Publish pack").click()
    at.run()
    assert not at.exception
    from metrics import catalogue
    from ui import db

    pack_id = query("SELECT max(pack_id) FROM rec_packs")[0][0]
    with db.open_cursor() as cur:
        printed = packs.pack_table(packs.get_pack(cur, pack_id=int(pack_id))).set_index("Measure")
    agency, early = (catalogue.get(m).label for m in chosen)
    assert preview.loc[agency, "Change on a year ago"] == printed.loc[agency, "Change on a year ago"]
    assert "a year ago" in preview.loc[agency, "Change on a year ago"]  # a real change, in words
    # October: the early-leaver rate is "x" (published for the year to 30 September), no change
    assert preview.loc[early, "Value"] == printed.loc[early, "Value"] == "x"
    assert preview.loc[early, "Change on a year ago"] == printed.loc[early, "Change on a year ago"] == "—"


def test_detail_opens_on_a_recommendation_with_linked_measures(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    assert at.selectbox(key="rec_pick").value == rec_id(f"{WORKFORCE}/7")
    assert "Linked measures: then and now" in [s.value for s in at.header]
    linked = next(d.value for d in at.dataframe if "When made" in d.value.columns)
    assert len(linked) == 1


def test_the_response_wording_is_labelled(store, monkeypatch):
    at = run("scrutiny", monkeypatch)
    rid = rec_id(f"{WORKFORCE}/4")
    text = query("SELECT text FROM rec_responses WHERE rec_id = ? AND current", [rid])[0][0]
    at.selectbox(key="rec_pick").set_value(rid)
    at.run()
    shown = [m.value for m in at.markdown]
    assert any(m.startswith("**Executive response: ") for m in shown)
    wording = plain(text.strip())  # editors' text is shown as typed, never as Markdown
    assert f"Wording of the response: “{wording}”" in shown
    assert wording not in shown  # never a bare line under the category
