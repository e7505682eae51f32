"""Tracker edits and reads on a real DuckDB file: overdue with a fixed clock, audit, read-only.

Why: overdue must follow the calendar (not whenever the test runs), every change must say who
made it and what it was before, and a scrutiny member must be refused by the service itself.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from recommendations import service
from recommendations.model import Actor, TrackerError, is_overdue
from recommendations.seed import seed_if_empty

HR = Actor(name="Jo Example (HR)", role="hr")
LEAD = Actor(name="Director of Children's Services", role="leadership")
MEMBER = Actor(name="Cllr Member", role="scrutiny")
WORKFORCE = "2024-06-13/workforce-challenges-in-childrens-services"


@pytest.fixture
def con(tmp_db: Path):
    c = duckdb.connect(str(tmp_db))
    seed_if_empty(c)
    yield c
    c.close()


def rec_id(con, ref: str) -> int:
    return int(con.execute("SELECT rec_id FROM rec_recommendations WHERE ref = ?", [ref]).fetchone()[0])


def snapshot(con) -> dict[str, int]:
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("rec_recommendations", "rec_responses", "rec_actions", "rec_updates", "rec_links")}
    counts["audit"] = con.execute("SELECT count(*) FROM audit WHERE starts_with(entity, 'rec_')").fetchone()[0]
    return counts


def tracker_trail(con, n: int) -> list[tuple]:
    """The newest n tracker entries of the audit trail, newest first, before/after as dicts."""
    rows = con.execute("SELECT actor, role, action, entity, entity_id, detail FROM audit "
                       "WHERE starts_with(entity, 'rec_') ORDER BY id DESC LIMIT ?", [n]).fetchall()
    return [(*r[:5], json.loads(r[5])["before"], json.loads(r[5])["after"]) for r in rows]


def test_is_overdue_boundaries():
    due = date(2025, 3, 31)
    assert not is_overdue(due_date=due, status="In progress", today=date(2025, 3, 31))  # due today: not yet
    assert is_overdue(due_date=due, status="In progress", today=date(2025, 4, 1))
    assert is_overdue(due_date=due, status="No progress reported", today=date(2025, 4, 1))
    assert not is_overdue(due_date=due, status="Complete", today=date(2030, 1, 1))
    assert not is_overdue(due_date=None, status="Not started", today=date(2030, 1, 1))


def test_overdue_follows_the_injected_clock(con):
    def status(today, n):
        f = service.list_recommendations(con, today=today)
        row = f[f["ref"] == f"{WORKFORCE}/{n}"].iloc[0]
        return row["status"], int(row["overdue_actions"])

    # rec 3: actions due Dec 2024 (work experience) and Mar 2025 (schools); rec 4: Mar 2025
    assert status(date(2024, 12, 31), 3) == ("In progress", 0)
    assert status(date(2025, 1, 1), 3) == ("Overdue", 1)
    assert status(date(2025, 1, 1), 4) == ("In progress", 0)
    assert status(date(2025, 4, 1), 3) == ("Overdue", 2)
    assert status(date(2025, 4, 1), 4) == ("Overdue", 1)
    assert status(date(2025, 4, 1), 1) == ("Done", 0)  # complete actions are never overdue
    assert status(date(2025, 4, 1), 7) == ("Not pursued", 0)  # rejected: no action was to follow
    overdue = service.list_recommendations(con, today=date(2025, 4, 1), overdue=True)
    assert sorted(overdue["number"]) == [3, 4]
    assert len(service.list_recommendations(con, today=date(2026, 1, 1), overdue=True)) == 3  # + rec 6 (Dec 2025)


def test_completing_an_action_clears_overdue_and_is_audited(con):
    today = date(2025, 4, 1)
    aid = int(con.execute(
        "SELECT action_id FROM rec_actions WHERE rec_id = ?", [rec_id(con, f"{WORKFORCE}/4")]).fetchone()[0])
    uid = service.post_update(con, actor=HR, action_id=aid, text="Microsite page live since 3 March.",
                              status="Complete", update_date="2025-03-28", today=today)
    f = service.list_recommendations(con, today=today)
    assert f[f["ref"] == f"{WORKFORCE}/4"].iloc[0]["status"] == "Done"
    assert con.execute("SELECT progress, status FROM rec_actions WHERE action_id = ?", [aid]).fetchone() == (
        "Microsite page live since 3 March.", "Complete")
    assert con.execute("SELECT update_date, posted_by FROM rec_updates WHERE update_id = ?", [uid]).fetchone() == (
        date(2025, 3, 28), HR.name)
    actor, role, action, entity, entity_id, before, after = tracker_trail(con, 1)[0]
    assert (actor, role, action, entity, entity_id) == (HR.name, "hr", "post update", "rec_actions", aid)
    assert before["status"] == "No progress reported" and before["progress"] is None
    assert after["status"] == "Complete"
    detail = service.get_detail(con, rec_id=rec_id(con, f"{WORKFORCE}/4"), today=today)
    events = list(detail.timeline["event"])
    assert events[0] == "Made at committee"
    assert any(e.startswith("Update (Complete) by Jo Example") for e in events)


def test_every_edit_writes_the_audit_trail(con):
    before = snapshot(con)
    rid = service.add_recommendation(con, actor=LEAD, meeting_date="2025-09-23", topic="Workforce update",
                                     text="That the directorate reports the agency share quarterly.")
    resp = service.record_response(con, actor=LEAD, rec_id=rid, category="accepted in part",
                                   text="Accepted for the social work teams.")
    aid = service.add_action(con, actor=HR, rec_id=rid, description="Add the agency share to the quarterly report",
                             owner="HR Business Partner", due_date=date(2025, 12, 31), success_criteria="Reported")
    lid = service.add_link(con, actor=HR, rec_id=rid, metric_id="agency_rate_fte")
    after = snapshot(con)
    assert after["audit"] - before["audit"] == 4
    trail = tracker_trail(con, 4)[::-1]
    assert [(a, r, w, e, i) for a, r, w, e, i, *_ in trail] == [
        (LEAD.name, "leadership", "add recommendation", "rec_recommendations", rid),
        (LEAD.name, "leadership", "record response", "rec_responses", resp),
        (HR.name, "hr", "add action", "rec_actions", aid),
        (HR.name, "hr", "add link", "rec_links", lid),
    ]
    assert trail[0][6]["text"] == "That the directorate reports the agency share quarterly."
    assert trail[0][5] is None
    assert trail[1][6]["category"] == "Partly accepted"
    # one trail: the edits are the store's audit entries, not copied into a second log
    n = con.execute("SELECT count(*) FROM audit WHERE actor = ?", [LEAD.name]).fetchone()[0]
    assert n == 2
    # a second response supersedes the first, and the audit shows what it replaced
    service.record_response(con, actor=HR, rec_id=rid, category="Accepted", text="Now accepted in full.")
    cur = con.execute("SELECT category, current FROM rec_responses WHERE rec_id = ? ORDER BY response_id", [rid]).fetchall()
    assert cur == [("Partly accepted", False), ("Accepted", True)]
    last_before = tracker_trail(con, 1)[0][5]
    assert last_before["category"] == "Partly accepted"
    row = service.list_recommendations(con, today=date(2025, 10, 1), meeting="2025-09-23").iloc[0]
    assert (row["response"], row["status"], row["number"]) == ("Accepted", "In progress", 1)


@pytest.mark.parametrize("call", [
    lambda con, rid, aid: service.add_recommendation(con, actor=MEMBER, meeting_date="2025-01-01", topic="T", text="X"),
    lambda con, rid, aid: service.record_response(con, actor=MEMBER, rec_id=rid, category="Accepted"),
    lambda con, rid, aid: service.add_action(con, actor=MEMBER, rec_id=rid, description="D", owner="O", due_date=None),
    lambda con, rid, aid: service.post_update(con, actor=MEMBER, action_id=aid, text="U"),
    lambda con, rid, aid: service.add_link(con, actor=MEMBER, rec_id=rid, metric_id="agency_rate_fte"),
])
def test_scrutiny_members_are_refused_by_the_service(con, call):
    rid = rec_id(con, f"{WORKFORCE}/3")
    aid = int(con.execute("SELECT min(action_id) FROM rec_actions WHERE rec_id = ?", [rid]).fetchone()[0])
    before = snapshot(con)
    with pytest.raises(PermissionError, match="scrutiny role may read"):
        call(con, rid, aid)
    assert snapshot(con) == before


def test_bad_input_is_explained_and_changes_nothing(con):
    rid = rec_id(con, f"{WORKFORCE}/3")
    before = snapshot(con)
    with pytest.raises(TrackerError, match="Recommendation text is empty"):
        service.add_recommendation(con, actor=HR, meeting_date="2025-01-01", topic="T", text="  ")
    with pytest.raises(TrackerError, match="not a date; use YYYY-MM-DD"):
        service.add_recommendation(con, actor=HR, meeting_date="13/06/2024", topic="T", text="X")
    with pytest.raises(TrackerError, match="Unknown response 'Maybe'"):
        service.record_response(con, actor=HR, rec_id=rid, category="Maybe")
    with pytest.raises(TrackerError, match="no recommendation with id 99999"):
        service.add_action(con, actor=HR, rec_id=99999, description="D", owner="O", due_date=None)
    with pytest.raises(TrackerError, match="Unknown metric"):
        service.add_link(con, actor=HR, rec_id=rid, metric_id="made_up")
    with pytest.raises(TrackerError, match="in the future"):
        service.post_update(con, actor=HR, action_id=1, text="U", update_date="2025-02-01", today=date(2025, 1, 1))
    with pytest.raises(TrackerError, match="already exists"):
        service.add_recommendation(con, actor=HR, meeting_date="2024-06-13",
                                   topic="Workforce Challenges in Children's Services", text="X", number=3)
    assert snapshot(con) == before


def test_filters_and_counts(con):
    today = date(2025, 4, 1)
    rejected = service.list_recommendations(con, today=today, response="Rejected")
    assert len(rejected) == 5
    june = service.list_recommendations(con, today=today, meeting=date(2024, 6, 13))
    assert len(june) == 9 and (june["kind"] == "commitment").sum() == 1
    tallies = service.counts(june)
    assert tallies["response"] == {"Accepted": 3, "Partly accepted": 3, "Rejected": 2, "Noted": 0,
                                   "Unclear": 0, "Awaited": 0}
    assert tallies["status"] == {"Overdue": 2, "Awaiting response": 0, "Not started": 0, "In progress": 1,
                                 "Done": 3, "No action needed": 0, "Not pursued": 2}
    differs = june[june["differs"]]
    assert sorted(differs["number"].astype(int)) == [4, 7, 8]
    with pytest.raises(TrackerError, match="not one of"):
        service.list_recommendations(con, today=today, response="Yes")
    view = service.list_view(june)
    # response and status lead; overdue items first, then by number within the meeting
    assert list(view.columns[:3]) == ["Response", "Status", "Meeting"]
    assert list(view["No."]) == ["3", "4", "1", "2", "5", "6", "7", "8", "Commitment"]
    assert list(view["Status"][:3]) == ["Overdue", "Overdue", "Done"]
