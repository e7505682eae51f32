"""The tracker as a spreadsheet in the committee's Appendix-1 layout.

Why this layout: scrutiny officers already circulate Appendix 1 (meeting date, topic, number,
recommendation, accepted/rejected, response); the export adds the actions (owner, due date,
progress) so the same table answers "what happened to it". All cells pass metrics.export, which
neutralises anything a spreadsheet would run as a formula.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from metrics.export import FileHeader, to_xlsx_bytes
from recommendations.service import actions_frame, list_recommendations

#: the header block of the tracker's files: it spans every meeting, not one month or group
TRACKER_MONTH = "Every meeting since the tracker began (not one month)"
TRACKER_POPULATION = "Not applicable (recommendations, not people)"
TRACKER_SOURCE = ("The scrutiny committee's papers (recommendations and the executive's responses) and the "
                  "actions and progress updates recorded in the dashboard's tracker")
LINKS_SOURCE = ("Monthly workforce extracts loaded by HR, as the measures linked to the recommendation; "
                "small numbers suppressed")
#: column widths (characters) that print the Appendix-1 layout on one A3 landscape page width
TRACKER_WIDTHS = {"Meeting date": 12, "Topic": 18, "Rec.": 11, "Recommendation": 40, "Accepted/Rejected": 12,
                  "Response": 40, "Action": 30, "Owner": 16, "Due date": 12, "By when (as printed)": 11,
                  "Success criteria": 25, "Progress": 30, "Action status": 11, "Overdue": 9, "Note": 22}
RESPONSES_WIDTHS = {"Meeting date": 12, "Topic": 18, "Rec.": 8, "Response": 14, "As printed": 18,
                    "Response text": 50, "Source": 30, "Source date": 12, "Current": 11, "Note": 30}
UPDATES_WIDTHS = {"Meeting date": 12, "Topic": 18, "Rec.": 8, "Action": 40, "Update date": 12,
                  "Update": 50, "Status after": 14, "Posted by": 18}

TRACKER_COLUMNS = [
    "Meeting date", "Topic", "Rec.", "Recommendation", "Accepted/Rejected", "Response",
    "Action", "Owner", "Due date", "By when (as printed)", "Success criteria", "Progress",
    "Action status", "Overdue", "Note",
]


def _d(value: object) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value  # type: ignore[return-value]


def _s(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return str(value)


def tracker_frame(con: duckdb.DuckDBPyConnection, *, today: date) -> pd.DataFrame:
    """One row per action (one row for a recommendation without actions), in meeting order."""
    recs = list_recommendations(con, today=today)
    acts = actions_frame(con, today=today)
    by_rec = {int(k): g for k, g in acts.groupby("rec_id")} if not acts.empty else {}
    rows = []
    for r in recs.itertuples():
        base = {
            "Meeting date": _d(r.meeting_date),
            "Topic": r.topic,
            "Rec.": int(r.number) if r.kind == "recommendation" and not pd.isna(r.number) else "Commitment",
            "Recommendation": r.text,
            "Accepted/Rejected": _s(r.response) or "—",
            "Response": _s(r.response_text),
            "Note": _s(r.note),
        }
        group = by_rec.get(int(r.rec_id))
        if group is None or group.empty:
            rows.append({**base, "Action": None, "Owner": None, "Due date": None, "By when (as printed)": None,
                         "Success criteria": None, "Progress": None, "Action status": None, "Overdue": None})
            continue
        for a in group.itertuples():
            rows.append({**base, "Action": a.description, "Owner": _s(a.owner), "Due date": _d(a.due_date),
                         "By when (as printed)": _s(a.due_text), "Success criteria": _s(a.success_criteria),
                         "Progress": _s(a.progress), "Action status": a.status,
                         "Overdue": "Overdue" if a.overdue else "No"})
    return pd.DataFrame(rows, columns=TRACKER_COLUMNS)


def responses_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every response recorded, including those a later paper superseded."""
    frame = con.execute(
        "SELECT r.meeting_date, r.topic, r.number, p.category, p.as_printed, p.text, p.source, p.source_date, "
        "p.current, p.note FROM rec_responses p JOIN rec_recommendations r USING (rec_id) "
        "ORDER BY r.meeting_date, r.rec_id, p.response_id"
    ).df()
    frame.columns = ["Meeting date", "Topic", "Rec.", "Response", "As printed", "Response text", "Source",
                     "Source date", "Current", "Note"]
    frame["Meeting date"] = [_d(v) for v in frame["Meeting date"]]
    frame["Source date"] = [_d(v) for v in frame["Source date"]]
    frame["Current"] = ["Yes" if v else "Superseded" for v in frame["Current"]]
    return frame


def updates_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = con.execute(
        "SELECT r.meeting_date, r.topic, r.number, a.description, u.update_date, u.text, u.status_after, u.posted_by "
        "FROM rec_updates u JOIN rec_actions a USING (action_id) JOIN rec_recommendations r ON r.rec_id = a.rec_id "
        "ORDER BY u.update_date, u.update_id"
    ).df()
    frame.columns = ["Meeting date", "Topic", "Rec.", "Action", "Update date", "Update", "Status after", "Posted by"]
    frame["Meeting date"] = [_d(v) for v in frame["Meeting date"]]
    frame["Update date"] = [_d(v) for v in frame["Update date"]]
    return frame


def tracker_xlsx_bytes(con: duckdb.DuckDBPyConnection, *, today: date,
                       committee: str = "Children and Young People Scrutiny Committee") -> bytes:
    """The tracker workbook: Recommendations (Appendix-1 layout + actions), Responses, Updates.

    Printable as a committee appendix: UK dates, fixed widths with wrapped text, A3 landscape one
    page wide, the column headings repeated on every printed page, under the header block."""
    header = FileHeader(
        title=f"Recommendations made by {committee}: tracker as at {today:%-d %B %Y}",
        month=TRACKER_MONTH, population=TRACKER_POPULATION, source=TRACKER_SOURCE,
        extra=(("Overdue", f"judged against {today:%-d %B %Y}"),),
        suppression=("None needed: the tracker holds recommendation text, responses, actions and dates, "
                     "no counts of people.",))
    return to_xlsx_bytes(
        {"Recommendations": tracker_frame(con, today=today), "Responses": responses_frame(con),
         "Progress updates": updates_frame(con)},
        header=header, paper="A3",
        widths={"Recommendations": TRACKER_WIDTHS, "Responses": RESPONSES_WIDTHS,
                "Progress updates": UPDATES_WIDTHS},
    )
