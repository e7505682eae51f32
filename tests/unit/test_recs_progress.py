"""Where each recommendation stands, derived from the papers' wording and the actions.

Why: counting only actions called 43 of 49 recommendations "No actions" although the papers say
"Resolved", "This took place during 2024" or "will not be pursued". These tests fix the clock and
check the status (and its reason) of items whose wording we read by hand, the summary line, a
status set by hand in the rules file, and that a mistake in that file is explained.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from recommendations import progress, service
from recommendations.model import Actor, TrackerError
from recommendations.seed import seed_if_empty

TODAY = date(2026, 11, 25)
WORKFORCE = "2024-06-13/workforce-challenges-in-childrens-services"


@pytest.fixture
def con(tmp_db: Path):
    c = duckdb.connect(str(tmp_db))
    seed_if_empty(c)
    yield c
    c.close()


def by_ref(frame, ref_start: str):
    rows = frame[frame["ref"].str.startswith(ref_start)]
    assert len(rows) == 1, ref_start
    return rows.iloc[0]


def test_status_follows_the_papers_wording_and_the_actions(con):
    f = service.list_recommendations(con, today=TODAY)
    cases = {
        "2023-11-14/co-opted-member-recruitment-update/1": ("Done", "Resolved"),            # "Resolved"
        "2023-09-26/new-herefordshire-local-transport-plan/1": ("Done", "took place"),     # "This took place during 2024"
        f"{WORKFORCE}/1": ("Done", "action is complete"),                                     # its one action complete
        f"{WORKFORCE}/3": ("Overdue", "All 2 of its actions"),                                # due Dec 2024 and Mar 2025
        f"{WORKFORCE}/7": ("Not pursued", "Rejected"),
    }
    for ref, want in cases.items():
        row = by_ref(f, ref)
        assert row["status"] == want[0], (ref, row["status"], row["status_reason"])
        assert want[1] in row["status_reason"]
    # "This was not actioned ... it will not be pursued further" (response Unclear)
    unclear = f[(f["response"] == "Unclear") & f["response_text"].str.contains("not actioned", na=False)].iloc[0]
    assert unclear["status"] == "Not pursued" and "not be pursued" in unclear["status_reason"]
    # "No response received" -> awaiting; "has yet to undertake" -> not started; only "Noted" -> nothing to do
    assert f.loc[f["response_text"] == "No response received", "status"].tolist() == ["Awaiting response"]
    assert f.loc[f["response_text"].str.contains("yet to undertake", na=False), "status"].tolist() == ["Not started"]
    assert set(f.loc[f["response_text"] == "Noted", "status"]) == {"No action needed"}


def test_summary_line_counts_every_recommendation_once(con):
    f = service.list_recommendations(con, today=TODAY)
    assert progress.summary_line(f) == (
        "Of 49 recommendations since September 2023: 14 done, 20 in progress, 3 overdue, 1 not started, "
        "1 awaiting response, 4 no action needed, 6 not pursued.")
    # a year earlier rec 6's action (due Dec 2025) was not yet overdue
    earlier = service.list_recommendations(con, today=date(2025, 6, 1))
    assert "2 overdue" in progress.summary_line(earlier) and "21 in progress" in progress.summary_line(earlier)


def test_overdue_first_then_newest_meeting(con):
    f = service.list_recommendations(con, today=TODAY)
    assert list(f["status"][:3]) == ["Overdue"] * 3
    rest = list(f["meeting_date"][3:])
    assert rest == sorted(rest, reverse=True) and rest[0] == date(2025, 1, 21)


def test_a_status_set_by_hand_wins_and_says_why(con, tmp_path):
    rules = tmp_path / "rules.toml"
    text = progress.RULES_PATH.read_text(encoding="utf-8").replace(
        "\n[overrides]\n", f'\n[overrides]\n"{WORKFORCE}/3" = {{ status = "Done", reason = "Confirmed by the scrutiny officer" }}\n')
    rules.write_text(text, encoding="utf-8")
    f = service.list_recommendations(con, today=TODAY, rules=progress.load_rules(rules))
    row = by_ref(f, f"{WORKFORCE}/3")
    assert (row["status"], row["status_reason"]) == ("Done", "Confirmed by the scrutiny officer")


def test_an_action_update_moves_the_status(con):
    hr = Actor(name="Jo Example (HR)", role="hr")
    rid = int(con.execute("SELECT rec_id FROM rec_recommendations WHERE ref = ?", [f"{WORKFORCE}/4"]).fetchone()[0])
    aid = int(con.execute("SELECT action_id FROM rec_actions WHERE rec_id = ?", [rid]).fetchone()[0])
    service.post_update(con, actor=hr, action_id=aid, text="Careers fair held", status="Complete", today=TODAY)
    row = by_ref(service.list_recommendations(con, today=TODAY), f"{WORKFORCE}/4")
    assert (row["status"], row["status_reason"]) == ("Done", "Its action is complete.")
    # the audit trail says it in plain words and UK time
    view = service.audit_view(con)
    first = view.iloc[0]
    assert first["What"] == "Posted a progress update"
    assert first["What changed"].startswith("Progress: (blank) → Careers fair held; Status: No progress reported → Complete")
    assert "Workforce Challenges" in first["Recommendation"] and "{" not in first["What changed"]


@pytest.mark.parametrize("bad, message", [
    ('[responses]\nRejected = "Binned"\n', "status 'Binned' is not one of"),
    ('[defaults]\nMaybe = "Done"\n', "'Maybe' is not a response category"),
    ('[[wording]\n', "cannot be read"),
])
def test_a_mistake_in_the_rules_file_is_explained(tmp_path, bad, message):
    path = tmp_path / "rules.toml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(TrackerError, match=message):
        progress.load_rules(path)


def test_format_when_is_uk_local_time():
    from metrics.narrative import format_when

    assert format_when("2026-07-01 11:30:00") == "1 Jul 2026, 12:30pm"    # BST
    assert format_when("2026-11-25 23:30:05", seconds=True) == "25 Nov 2026, 11:30:05pm"  # GMT
    assert format_when(None) == "—"
