"""Read and change the tracker: every edit checks the role here, on the server, and is audited.

Why here and not in the page: a page hides edit controls from scrutiny members, but the rule
"HR and leadership may edit, scrutiny members read only" must hold for any caller (a page, the
CLI, a test), so the service refuses the write itself and records who changed what, when.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import duckdb
import pandas as pd

from recommendations.model import (
    ACTION_STATUSES,
    KINDS,
    RESPONSES,
    Actor,
    TrackerError,
    is_overdue,
    normalise_response,
)
from access.roles import allowed
from recommendations.progress import Rules, derive, load_rules
from store import audit_frame as store_audit_frame
from store import audit_version, record_audit

#: Every tracker table starts with this: its entries in the audit trail are the tracker's.
TRACKER_ENTITIES = "rec_"

ENTERED = "Entered in the dashboard"


# --- helpers -----------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def check_editor(actor: Actor) -> None:
    """Server-side rule: only HR and leadership may change the tracker."""
    if not isinstance(actor, Actor):
        raise TrackerError("Edits need an Actor(name=..., role=...) saying who is making them.")
    if not allowed(actor.role, "edit_tracker"):
        raise PermissionError(
            f"The {actor.role} role may read the recommendations tracker but not change it; "
            f"ask HR or directorate leadership to make this change."
        )
    if not actor.name or not actor.name.strip():
        raise TrackerError("Edits need the name of the person making them.")


def _text(value: Any, *, field: str, required: bool = True, limit: int = 20000) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise TrackerError(f"{field} is empty; write the {field.lower()} before saving.")
        return None
    if len(text) > limit:
        raise TrackerError(f"{field} is {len(text)} characters long; keep it under {limit}.")
    return text


def _as_date(value: Any, *, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise TrackerError(f"{field} {value!r} is not a date; use YYYY-MM-DD, e.g. 2025-03-31.") from None


def _row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    cur = con.execute(sql, params)
    one = cur.fetchone()
    if one is None:
        return None
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, one))


def _audit(con: duckdb.DuckDBPyConnection, *, actor: Actor, action: str, entity: str,
           entity_id: int | None, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """One entry in the store's audit trail, with the record's before/after (JSON) in `detail`."""
    record_audit(con, actor=actor.name, role=actor.role, action=action, at=_now(),
                 subject=actor.subject, entity=entity, entity_id=entity_id,
                 detail={"before": before, "after": after})


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a failed edit leaves the store as it was."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _require_rec(con: duckdb.DuckDBPyConnection, rec_id: int) -> dict[str, Any]:
    row = _row(con, "SELECT * FROM rec_recommendations WHERE rec_id = ?", [int(rec_id)])
    if row is None:
        raise TrackerError(f"There is no recommendation with id {rec_id}; pick one from the list.")
    return row


def _require_action(con: duckdb.DuckDBPyConnection, action_id: int) -> dict[str, Any]:
    row = _row(con, "SELECT * FROM rec_actions WHERE action_id = ?", [int(action_id)])
    if row is None:
        raise TrackerError(f"There is no action with id {action_id}; pick one from the recommendation's actions.")
    return row


def _status(value: str) -> str:
    if value not in ACTION_STATUSES:
        raise TrackerError(f"Status {value!r} is not one of: {', '.join(ACTION_STATUSES)}.")
    return value


# --- writes --------------------------------------------------------------------------------------


def add_recommendation(con: duckdb.DuckDBPyConnection, *, actor: Actor, meeting_date: date | str,
                       topic: str, text: str, number: int | None = None,
                       kind: str = "recommendation", note: str | None = None,
                       committee: str = "Children and Young People Scrutiny Committee") -> int:
    """Record a new recommendation (a response is recorded separately: 'Awaited' until then)."""
    check_editor(actor)
    mdate = _as_date(meeting_date, field="Meeting date")
    topic_t = _text(topic, field="Topic", limit=300)
    text_t = _text(text, field="Recommendation text")
    note_t = _text(note, field="Note", required=False)
    if kind not in KINDS:
        raise TrackerError(f"Kind {kind!r} is not one of: {', '.join(KINDS)}.")
    from recommendations.seed import make_ref

    with _transaction(con):
        if number is None:
            number = con.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM rec_recommendations WHERE meeting_date = ? AND topic = ? AND kind = ?",
                [mdate, topic_t, kind],
            ).fetchone()[0]
        number = int(number)
        if number < 1:
            raise TrackerError("The recommendation number must be 1 or more.")
        ref = make_ref(meeting_date=mdate, topic=topic_t, number=number, kind=kind, position=number)
        if con.execute("SELECT 1 FROM rec_recommendations WHERE ref = ?", [ref]).fetchone():
            raise TrackerError(
                f"Recommendation {number} of {topic_t!r} at the {mdate:%-d %B %Y} meeting already exists; "
                "use another number or edit the existing one."
            )
        con.execute("INSERT OR IGNORE INTO rec_meetings VALUES (?, ?)", [mdate, committee])
        rec_id = con.execute("SELECT nextval('rec_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO rec_recommendations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rec_id, ref, mdate, topic_t, number, True, kind, text_t, ENTERED, note_t, actor.name, _now()],
        )
        after = _row(con, "SELECT * FROM rec_recommendations WHERE rec_id = ?", [rec_id])
        _audit(con, actor=actor, action="add recommendation", entity="rec_recommendations",
               entity_id=rec_id, before=None, after=after)
    return int(rec_id)


def record_response(con: duckdb.DuckDBPyConnection, *, actor: Actor, rec_id: int, category: str,
                    text: str | None = None, source: str = ENTERED, source_date: date | str | None = None,
                    note: str | None = None) -> int:
    """Record the executive's response; it becomes the current one, the earlier ones are kept."""
    check_editor(actor)
    cat = normalise_response(category)
    text_t = _text(text, field="Response text", required=False)
    note_t = _text(note, field="Note", required=False)
    sdate = _as_date(source_date, field="Response date") if source_date not in (None, "") else None
    with _transaction(con):
        _require_rec(con, rec_id)
        before = _row(con, "SELECT * FROM rec_responses WHERE rec_id = ? AND current", [int(rec_id)])
        con.execute("UPDATE rec_responses SET current = false WHERE rec_id = ?", [int(rec_id)])
        response_id = con.execute("SELECT nextval('rec_response_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO rec_responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
            [response_id, int(rec_id), cat, cat, text_t, _text(source, field="Source", limit=500),
             sdate, note_t, actor.name, _now()],
        )
        after = _row(con, "SELECT * FROM rec_responses WHERE response_id = ?", [response_id])
        _audit(con, actor=actor, action="record response", entity="rec_responses",
               entity_id=response_id, before=before, after=after)
    return int(response_id)


def add_action(con: duckdb.DuckDBPyConnection, *, actor: Actor, rec_id: int, description: str,
               owner: str, due_date: date | str | None, success_criteria: str | None = None,
               status: str = "Not started", progress: str | None = None) -> int:
    """Add an action with an owner (a job title, not a person's name) and a due date."""
    check_editor(actor)
    desc = _text(description, field="Action")
    owner_t = _text(owner, field="Owner", limit=300)
    due = _as_date(due_date, field="Due date") if due_date not in (None, "") else None
    crit = _text(success_criteria, field="Success criteria", required=False)
    prog = _text(progress, field="Progress", required=False)
    st_ = _status(status)
    with _transaction(con):
        _require_rec(con, rec_id)
        action_id = con.execute("SELECT nextval('rec_action_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO rec_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [action_id, int(rec_id), desc, owner_t, due, due.strftime("%-d %B %Y") if due else None,
             crit, prog, st_, ENTERED, actor.name, _now()],
        )
        after = _row(con, "SELECT * FROM rec_actions WHERE action_id = ?", [action_id])
        _audit(con, actor=actor, action="add action", entity="rec_actions", entity_id=action_id,
               before=None, after=after)
    return int(action_id)


def post_update(con: duckdb.DuckDBPyConnection, *, actor: Actor, action_id: int, text: str,
                status: str | None = None, update_date: date | str | None = None,
                today: date | None = None) -> int:
    """A dated progress update on an action; it also becomes the action's progress (and status)."""
    check_editor(actor)
    body = _text(text, field="Update")
    day = today or date.today()
    when = _as_date(update_date, field="Update date") if update_date not in (None, "") else day
    if when > day:
        raise TrackerError(f"The update date {when:%-d %B %Y} is in the future; updates record what has happened.")
    with _transaction(con):
        before = _require_action(con, action_id)
        new_status = _status(status) if status else before["status"]
        update_id = con.execute("SELECT nextval('rec_update_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO rec_updates VALUES (?, ?, ?, ?, ?, ?, ?)",
            [update_id, int(action_id), when, body, new_status, actor.name, _now()],
        )
        con.execute("UPDATE rec_actions SET progress = ?, status = ? WHERE action_id = ?",
                    [body, new_status, int(action_id)])
        after = _row(con, "SELECT * FROM rec_actions WHERE action_id = ?", [int(action_id)])
        _audit(con, actor=actor, action="post update", entity="rec_actions", entity_id=int(action_id),
               before=before, after={**after, "update_id": update_id, "update_date": when})
    return int(update_id)


def add_link(con: duckdb.DuckDBPyConnection, *, actor: Actor, rec_id: int, metric_id: str,
             scope: str = "social_workers", breakdown: str | None = None, answers: bool = False,
             note: str | None = None) -> int:
    """Link a recommendation to a catalogue measure, snapshotting its value at the meeting if loaded."""
    check_editor(actor)
    from metrics.catalogue import get as get_metric
    from metrics.types import BREAKDOWNS, SCOPES, MetricError

    try:
        get_metric(metric_id)
    except MetricError as exc:
        raise TrackerError(str(exc)) from None
    if scope not in SCOPES:
        raise TrackerError(f"Scope {scope!r} is not one of: {', '.join(SCOPES)}.")
    if breakdown is not None and breakdown not in BREAKDOWNS:
        raise TrackerError(f"Breakdown {breakdown!r} is not one of: {', '.join(BREAKDOWNS)}.")
    from recommendations.links import value_at_meeting

    rec = _require_rec(con, rec_id)
    then = value_at_meeting(con, metric_id=metric_id, scope=scope, meeting_date=rec["meeting_date"])
    with _transaction(con):
        link_id = con.execute("SELECT nextval('rec_link_id_seq')").fetchone()[0]
        con.execute(
            "INSERT INTO rec_links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [link_id, int(rec_id), metric_id, scope, breakdown, bool(answers),
             then.value if then else None, then.period if then else None,
             _text(note, field="Note", required=False), actor.name, _now()],
        )
        after = _row(con, "SELECT * FROM rec_links WHERE link_id = ?", [link_id])
        _audit(con, actor=actor, action="add link", entity="rec_links", entity_id=link_id,
               before=None, after=after)
    return int(link_id)


# --- reads ---------------------------------------------------------------------------------------

_LIST_SQL = """
SELECT r.rec_id, r.ref, r.meeting_date, r.topic, r.number, r.number_printed, r.kind, r.text,
       r.source, r.note,
       coalesce(p.category, CASE WHEN r.kind = 'recommendation' THEN 'Awaited' END) AS response,
       p.as_printed AS response_as_printed, p.text AS response_text, p.source AS response_source,
       (SELECT count(*) FROM rec_responses x WHERE x.rec_id = r.rec_id) AS responses_recorded,
       (SELECT count(DISTINCT x.category) FROM rec_responses x WHERE x.rec_id = r.rec_id) AS response_categories,
       (SELECT count(*) FROM rec_links l WHERE l.rec_id = r.rec_id) AS links
FROM rec_recommendations r
LEFT JOIN rec_responses p ON p.rec_id = r.rec_id AND p.current
ORDER BY r.meeting_date, r.rec_id
"""


def actions_frame(con: duckdb.DuckDBPyConnection, *, today: date, rec_id: int | None = None) -> pd.DataFrame:
    """Actions with an `overdue` column worked out from `today` (injected so tests fix the clock)."""
    sql = "SELECT * FROM rec_actions" + (" WHERE rec_id = ?" if rec_id is not None else "") + " ORDER BY rec_id, action_id"
    frame = con.execute(sql, [int(rec_id)] if rec_id is not None else []).df()
    frame["overdue"] = [
        is_overdue(due_date=(d.date() if isinstance(d, pd.Timestamp) else (None if pd.isna(d) else d)),
                   status=s, today=today)
        for d, s in zip(frame["due_date"], frame["status"])
    ] if not frame.empty else pd.Series(dtype=bool)
    return frame


def list_recommendations(con: duckdb.DuckDBPyConnection, *, today: date, meeting: date | str | None = None,
                         topic: str | None = None, response: str | None = None,
                         status: str | None = None, overdue: bool | None = None,
                         kind: str | None = None, rules: Rules | None = None) -> pd.DataFrame:
    """One row per recommendation with its current response, derived status (and the reason for
    it; `rules` default to data/tracker_status.toml) and overdue flag, overdue and newest first."""
    frame = con.execute(_LIST_SQL).df()
    acts = actions_frame(con, today=today)
    summary = {}
    for rid, grp in acts.groupby("rec_id") if not acts.empty else []:
        summary[int(rid)] = (list(grp["status"]), list(grp["overdue"]))
    frame["meeting_date"] = pd.to_datetime(frame["meeting_date"]).dt.date
    frame["actions"] = [len(summary.get(int(r), ([], []))[0]) for r in frame["rec_id"]]
    frame["overdue_actions"] = [sum(summary.get(int(r), ([], []))[1]) for r in frame["rec_id"]]
    rules = rules or load_rules()
    derived = [derive(ref=ref, kind=k, response=resp if isinstance(resp, str) else None,
                      wording=w if isinstance(w, str) else None, action_statuses=summary.get(int(r), ([], []))[0],
                      overdue=summary.get(int(r), ([], []))[1], rules=rules)
               for r, ref, k, resp, w in zip(frame["rec_id"], frame["ref"], frame["kind"], frame["response"],
                                             frame["response_text"])]
    frame["status"] = [d[0] for d in derived]
    frame["status_reason"] = [d[1] for d in derived]
    frame["overdue"] = frame["status"] == "Overdue"
    # overdue first, then the most recent meeting first (what a member asks about first)
    frame = frame.sort_values(["overdue", "meeting_date", "kind", "number", "rec_id"],
                              ascending=[False, False, False, True, True], kind="stable").reset_index(drop=True)
    frame["differs"] = frame["note"].fillna("").str.contains("differ", case=False) | (frame["response_categories"] > 1)
    if meeting not in (None, ""):
        frame = frame[frame["meeting_date"] == _as_date(meeting, field="Meeting")]
    if topic not in (None, ""):
        frame = frame[frame["topic"] == topic]
    if response not in (None, ""):
        if response not in RESPONSES:
            raise TrackerError(f"Response {response!r} is not one of: {', '.join(RESPONSES)}.")
        frame = frame[frame["response"] == response]
    if status not in (None, ""):
        frame = frame[frame["status"] == status]
    if overdue is not None:
        frame = frame[frame["overdue"] == bool(overdue)]
    if kind not in (None, ""):
        frame = frame[frame["kind"] == kind]
    return frame.reset_index(drop=True)


def counts(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Counts by response and by status of the (filtered) list, every category present."""
    recs = frame[frame["kind"] == "recommendation"] if "kind" in frame else frame
    by_response = {r: int((recs["response"] == r).sum()) for r in RESPONSES}
    from recommendations.model import REC_STATUSES

    by_status = {s: int((recs["status"] == s).sum()) for s in REC_STATUSES}
    return {"response": by_response, "status": by_status}


def meetings(con: duckdb.DuckDBPyConnection) -> list[date]:
    return [r[0] for r in con.execute("SELECT meeting_date FROM rec_meetings ORDER BY 1").fetchall()]


def topics(con: duckdb.DuckDBPyConnection, *, meeting: date | None = None) -> list[str]:
    if meeting is None:
        rows = con.execute("SELECT DISTINCT topic FROM rec_recommendations ORDER BY 1").fetchall()
    else:
        rows = con.execute("SELECT DISTINCT topic FROM rec_recommendations WHERE meeting_date = ? ORDER BY 1",
                           [meeting]).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class Detail:
    """Everything the detail view shows about one recommendation."""

    rec: dict[str, Any]
    responses: pd.DataFrame
    actions: pd.DataFrame
    updates: pd.DataFrame
    links: pd.DataFrame
    timeline: pd.DataFrame


def get_detail(con: duckdb.DuckDBPyConnection, *, rec_id: int, today: date) -> Detail:
    """The recommendation, its response history, actions (with overdue), updates, links, timeline."""
    rec = _require_rec(con, rec_id)
    responses = con.execute(
        "SELECT * FROM rec_responses WHERE rec_id = ? ORDER BY response_id", [int(rec_id)]).df()
    actions = actions_frame(con, today=today, rec_id=rec_id)
    updates = con.execute(
        "SELECT u.*, a.description AS action FROM rec_updates u JOIN rec_actions a USING (action_id) "
        "WHERE a.rec_id = ? ORDER BY u.update_date, u.update_id", [int(rec_id)]).df()
    links = con.execute("SELECT * FROM rec_links WHERE rec_id = ? ORDER BY link_id", [int(rec_id)]).df()
    return Detail(rec=rec, responses=responses, actions=actions, updates=updates, links=links,
                  timeline=_timeline(rec, responses, actions, updates, today=today))


def _timeline(rec: dict[str, Any], responses: pd.DataFrame, actions: pd.DataFrame,
              updates: pd.DataFrame, *, today: date) -> pd.DataFrame:
    """Dated events, oldest first: meeting, responses, action due dates, progress updates."""
    made = _d(rec["meeting_date"])
    rows: list[dict[str, Any]] = [{"date": made, "event": "Made at committee",
                                   "detail": rec["text"], "_sort": made}]
    for r in responses.itertuples():
        when = r.source_date if not pd.isna(r.source_date) else None
        rows.append({"date": _d(when) if when is not None else None,
                     "event": f"Response: {r.category}" + (" (current)" if r.current else " (superseded)"),
                     "detail": f"{r.source}" + (f" — {r.text}" if isinstance(r.text, str) and r.text else ""),
                     "_sort": _d(when) if when is not None else made})  # undated papers follow the meeting
    for u in updates.itertuples():
        rows.append({"date": _d(u.update_date), "event": f"Update ({u.status_after}) by {u.posted_by}",
                     "detail": f"{u.action}: {u.text}", "_sort": _d(u.update_date)})
    for a in actions.itertuples():
        if not pd.isna(a.due_date):
            flag = " — overdue" if a.overdue else ""
            rows.append({"date": _d(a.due_date), "event": f"Action due ({a.status}{flag})",
                         "detail": f"{a.description} (owner: {a.owner})", "_sort": _d(a.due_date)})
    frame = pd.DataFrame(rows, columns=["date", "event", "detail", "_sort"])
    return frame.sort_values(["_sort"], kind="stable").drop(columns=["_sort"]).reset_index(drop=True)


def _d(value: Any) -> date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    return value


def tracker_version(con: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever the tracker is edited (every edit is audited): a cache key for pages."""
    return audit_version(con, entity_prefix=TRACKER_ENTITIES)


def _side(detail: str | None, key: str) -> str | None:
    """The before/after record of one tracker audit entry as JSON text (None when there is none)."""
    value = json.loads(detail or "{}").get(key)
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


def audit_frame(con: duckdb.DuckDBPyConnection, *, limit: int = 200) -> pd.DataFrame:
    """The tracker's entries in the audit trail, newest first, with `changed_at`, `before_json`
    and `after_json` (the record before and after the edit) read out of each entry's detail."""
    a = store_audit_frame(con, limit=limit, entity_prefix=TRACKER_ENTITIES)
    return a.assign(changed_at=a["at"], before_json=[_side(d, "before") for d in a["detail"]],
                    after_json=[_side(d, "after") for d in a["detail"]])


# --- views (plain-English column names for the page and its downloads) ---------------------------


def _short(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def list_view(frame: pd.DataFrame) -> pd.DataFrame:
    """The list as members read it: response and status first, then what and when."""
    return pd.DataFrame({
        "Response": frame["response"].fillna("—"),
        "Status": frame["status"],
        "Meeting": [f"{d:%-d %b %Y}" for d in frame["meeting_date"]],
        "Recommendation": [_short(t, 120) for t in frame["text"]],
        "Why this status": frame["status_reason"],
        "Topic": frame["topic"],
        "No.": [str(int(n)) if k == "recommendation" and not pd.isna(n) else "Commitment"
                for n, k in zip(frame["number"], frame["kind"])],
        "Overdue actions": frame["overdue_actions"].astype(int),
        "Papers differ": ["Yes" if d else "—" for d in frame["differs"]],
        "Linked measures": frame["links"].astype(int),
    })


def labels(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """rec_id -> '13 Jun 2024 · Workforce Challenges… · 7: Additional information…' for pickers."""
    rows = con.execute(
        "SELECT rec_id, meeting_date, topic, number, kind, text FROM rec_recommendations ORDER BY meeting_date, rec_id"
    ).fetchall()
    return {int(r[0]): f"{r[1]:%-d %b %Y} · {_short(r[2], 40)} · "
                       f"{r[3] if r[4] == 'recommendation' else 'Commitment'}: {_short(r[5], 70)}" for r in rows}


def differs(detail: Detail) -> bool:
    """True when the papers disagree about this item (different responses or a note saying so)."""
    note = detail.rec.get("note") or ""
    return "differ" in note.lower() or detail.responses["category"].nunique() > 1


def responses_view(detail: Detail) -> pd.DataFrame:
    r = detail.responses
    return pd.DataFrame({
        "Response": r["category"], "As printed": r["as_printed"].fillna(""), "Wording": r["text"].fillna(""),
        "Source": r["source"], "Dated": [("" if pd.isna(d) else f"{_d(d):%-d %B %Y}") for d in r["source_date"]],
        "Current": ["Yes" if c else "Superseded" for c in r["current"]], "Note": r["note"].fillna(""),
    })


def actions_view(detail: Detail) -> pd.DataFrame:
    a = detail.actions
    return pd.DataFrame({
        "Action": a["description"], "Owner": a["owner"].fillna(""),
        "Due": [("" if pd.isna(d) else f"{_d(d):%-d %B %Y}") for d in a["due_date"]],
        "Success criteria": a["success_criteria"].fillna(""), "Progress": a["progress"].fillna(""),
        "Status": a["status"], "Overdue": ["Overdue" if o else "" for o in a["overdue"]],
    })


def timeline_view(detail: Detail) -> pd.DataFrame:
    t = detail.timeline
    return pd.DataFrame({
        "Date": [("undated" if d is None or pd.isna(d) else f"{d:%-d %B %Y}") for d in t["date"]],
        "Event": t["event"], "Detail": [_short(str(x), 300) for x in t["detail"]],
    })


AUDIT_WORDS = {"add recommendation": "Added a recommendation", "record response": "Recorded a response",
               "add action": "Added an action", "post update": "Posted a progress update",
               "add link": "Linked a measure"}
#: the fields of an edit worth telling a reader about, in plain words (ids and bookkeeping left out)
AUDIT_FIELDS = {"meeting_date": "Meeting", "topic": "Topic", "number": "Number", "category": "Response",
                "text": "Wording", "description": "Action", "owner": "Owner", "due_date": "Due",
                "success_criteria": "Success criteria", "progress": "Progress", "status": "Status",
                "metric_id": "Measure", "scope": "Population"}


def _plain(value: Any) -> str:
    if value in (None, ""):
        return "(blank)"
    text = str(value)
    try:
        return f"{date.fromisoformat(text[:10]):%-d %b %Y}" if len(text) in (10, 19) and text[4] == "-" else _short(text, 80)
    except ValueError:
        return _short(text, 80)


def audit_changes(before_json: str | None, after_json: str | None, *, entity: str = "") -> str:
    """'Status: No progress reported → Complete; Progress: (blank) → Done' from the stored rows."""
    before = json.loads(before_json) if isinstance(before_json, str) and before_json else {}
    after = json.loads(after_json) if isinstance(after_json, str) and after_json else {}
    parts = []
    for key, label in AUDIT_FIELDS.items():
        label = "Recommendation" if key == "text" and entity == "rec_recommendations" else label
        if key not in after and key not in before:
            continue
        b, a = before.get(key), after.get(key)
        if not before:
            if a not in (None, ""):
                parts.append(f"{label}: {_plain(a)}")
        elif b != a:
            parts.append(f"{label}: {_plain(b)} → {_plain(a)}")
    return "; ".join(parts) or "—"


def audit_view(con: duckdb.DuckDBPyConnection, *, limit: int = 200) -> pd.DataFrame:
    """The tracker's audit trail in plain words: when (UK time), who, what, which item, what changed."""
    from metrics.narrative import format_when

    a = audit_frame(con, limit=limit)
    names = labels(con)

    def item(after_json: str | None, before_json: str | None, entity: str, entity_id: Any) -> str:
        row = json.loads(after_json or before_json or "{}")
        rid = row.get("rec_id", entity_id if entity == "rec_recommendations" else None)
        return names.get(int(rid), "—") if rid is not None and not pd.isna(rid) else "—"

    return pd.DataFrame({
        "When (UK time)": [format_when(w, seconds=True) for w in a["changed_at"]],
        "Who": a["actor"], "Role": a["role"],
        "What": [AUDIT_WORDS.get(x, x.capitalize()) for x in a["action"]],
        "Recommendation": [item(af, bf, e, i) for af, bf, e, i in
                           zip(a["after_json"], a["before_json"], a["entity"], a["entity_id"])],
        "What changed": [audit_changes(b, af, entity=e) for b, af, e in
                         zip(a["before_json"], a["after_json"], a["entity"])],
    })
