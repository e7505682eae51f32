"""Glue for the Recommendations page: the tracker list, one recommendation in detail, the edit
forms, meeting packs and the audit trail.

Why a module of its own: the page stays thin (DESIGN: pages read filters and draw), and every
choice the page makes (which item to open first, how a response is worded) is a plain function a
test can call. Every edit goes through recommendations.service, which checks the role again on
the server and writes the audit trail; scrutiny members get no edit controls at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from metrics.catalogue import CATALOGUE, HEADLINE_IDS
from recommendations import export, links, packs, progress, service
from recommendations.figures import mark_meeting
from recommendations.model import ACTION_STATUSES, REC_STATUSES, RESPONSES, Actor, TrackerError
from recommendations.seed import seed_if_empty
from store import StoreBusy
from ui import charts, db, downloads, state
from ui.auth import audited
from ui.downloads import XLSX_MIME
from ui.layout import chart, decimal_columns, display_frame, plain, show_table

ALL = "(all)"
#: An item linking more measures than this (the "measures of success" recommendation links the
#: whole catalogue) is not opened first: its then-and-now chart would be one of many.
FOCUSED_LINKS = 5
#: the tracker's own tables hold recommendation text, responses, dates and edits: no figures
STATUS_HELP = (
    "Each recommendation's status comes from, in order: a status set by hand by the scrutiny officer; "
    "the executive's response (**Rejected** → *Not pursued*; no response yet → *Awaiting response*); "
    "its actions, where the papers give any (an action past its due date and not complete → *Overdue*; "
    "all complete → *Done*; otherwise *In progress*); then the wording of the response (\"Resolved\", "
    "\"took place\" → *Done*; \"will\", \"to be\" → *In progress*; \"not be pursued\" → *Not pursued*; "
    "a response that says only \"Noted\" → *No action needed*). The column *Why this status* gives the "
    "reason for each. The rules are in `data/tracker_status.toml`, which the scrutiny officer may change; "
    "adding an action or posting an update below changes the status too."
)
TRACKER_TEXT = downloads.exempt("recommendation text, responses, actions and dates; no counts of people.")
#: the header block of the tracker's table downloads (the tracker is not about one month or group)
TRACKER_ABOUT = downloads.About(month=export.TRACKER_MONTH, population=export.TRACKER_POPULATION,
                                source=export.TRACKER_SOURCE)


@contextmanager
def connection() -> Iterator[Any]:
    """`with connection() as cur:` the store for one unit of tracker work (role checked; the
    tracker is seeded from the papers on first use)."""
    state.check("page:recommendations")
    with db.open_cursor() as cur:
        if "rec_seeded" not in st.session_state:
            with db.write_lock:
                seed_if_empty(cur)
            st.session_state["rec_seeded"] = True
        yield cur


def _with_store(fn, **kwargs):
    """`fn(cur, **kwargs)` on the store opened for this one call (download buttons build late)."""
    with connection() as cur:
        return fn(cur, **kwargs)


def write(fn, *, success: str, actor: Actor, **kwargs) -> None:
    """Run one service write under the app's write lock; show its outcome in plain English."""
    try:
        with connection() as cur, db.write_lock:
            fn(cur, actor=actor, **kwargs)
    except (TrackerError, PermissionError, StoreBusy) as exc:
        st.error(plain(exc), icon=":material/error:")
    else:
        st.cache_data.clear()
        st.session_state["rec_flash"] = success
        st.rerun()  # redraw the list and counts with the change


@st.cache_data(show_spinner=False, max_entries=256)
def _link_values(path: str, version: str, tracker: str, rec_id: int, suppress: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, exported: the published values, whoever views the page): with `suppress` both the
    published values; without, the exact values and the published ones from one reading of the
    figures (recommendations.links.link_values_both)."""
    if suppress:
        published = _with_store(links.link_values, rec_id=rec_id, suppress=True)
        return published, published
    return _with_store(links.link_values_both, rec_id=rec_id)


def default_rec(frame: pd.DataFrame) -> int | None:
    """The item the detail view opens on: the first with a few linked measures (so the
    then-and-now chart shows, e.g. 13 June 2024 recommendation 7), else any linked, else the first."""
    if frame.empty:
        return None
    n = pd.to_numeric(frame["links"], errors="coerce").fillna(0)
    for mask in ((n > 0) & (n <= FOCUSED_LINKS), n > 0):
        if mask.any():
            return int(frame.loc[mask, "rec_id"].iloc[0])
    return int(frame["rec_id"].iloc[0])


def response_lines(*, kind: str, responses: pd.DataFrame) -> list[str]:
    """The current response as labelled Markdown lines: the category, then its wording (if any)."""
    current = responses[responses["current"]] if not responses.empty else responses
    if current.empty:
        return ["Response awaited." if kind == "recommendation"
                else "A commitment made at the meeting; no response is recorded."]
    r0 = current.iloc[0]
    out = [f"**Executive response: {plain(r0['category'])}** ({plain(r0['source'])})"]
    if isinstance(r0["text"], str) and r0["text"].strip():  # typed by an editor: shown as typed
        out.append(f"Wording of the response: “{plain(r0['text'].strip())}”")
    return out


def tracker_list(*, cur, today: date) -> pd.DataFrame:
    """The filter row, the counts by response and by status, the list and its download."""
    c1, c2, c3, c4, c5 = st.columns([2, 3, 2, 2, 1.5], vertical_alignment="bottom")
    meeting = c1.selectbox("Meeting", [ALL] + service.meetings(cur),
                           format_func=lambda d: d if d == ALL else f"{d:%-d %B %Y}")
    topic = c2.selectbox("Topic", [ALL] + service.topics(cur, meeting=None if meeting == ALL else meeting))
    response = c3.selectbox("Response", [ALL, *RESPONSES])
    status = c4.selectbox("Status", [ALL, *REC_STATUSES])
    overdue_only = c5.checkbox("Overdue only")
    frame = service.list_recommendations(
        cur, today=today, meeting=None if meeting == ALL else meeting, topic=None if topic == ALL else topic,
        response=None if response == ALL else response, status=None if status == ALL else status,
        overdue=True if overdue_only else None)
    tallies = service.counts(frame)
    with st.container(border=True):
        st.markdown(f"**{progress.summary_line(frame)}**")
        st.caption("Executive responses: " + ", ".join(
            f"{n} {name.lower()}" for name, n in tallies["response"].items() if n) + ". "
            f"Overdue is judged against today, {today:%-d %B %Y}.")
    for col, (name, n) in zip(st.columns(len(REC_STATUSES)), tallies["status"].items()):
        col.metric(name, n)
    with st.expander("How the status is decided"):
        st.markdown(STATUS_HELP)
    show_table(service.list_view(frame), "Recommendations", key="rec_list", disclosure=TRACKER_TEXT,
               about=TRACKER_ABOUT)
    st.download_button("Download the tracker (Appendix 1 layout, Excel)", key="rec_tracker_xlsx",
                       data=audited(lambda: _with_store(export.tracker_xlsx_bytes, today=today),
                                    what="recommendations tracker", fmt="xlsx"),
                       file_name=f"scrutiny-recommendations-{today:%Y-%m-%d}.xlsx", mime=XLSX_MIME,
                       icon=":material/download:", on_click="ignore")
    return frame


def detail_view(*, cur, frame: pd.DataFrame, today: date, suppress: bool):
    """Pick one recommendation (opening on one with linked measures) and show all about it."""
    st.header("Recommendation in detail")
    if frame.empty:
        frame = service.list_recommendations(cur, today=today)
    options = [int(r) for r in frame["rec_id"]]
    labels = service.labels(cur)
    first = default_rec(frame)
    rec_id = st.selectbox("Recommendation", options, format_func=lambda r: labels[int(r)], key="rec_pick",
                          index=options.index(first) if first in options else 0)
    detail = service.get_detail(cur, rec_id=int(rec_id), today=today)
    rec = detail.rec
    st.markdown(f"**{rec['meeting_date']:%-d %B %Y} · {plain(rec['topic'])} · "
                f"{'Recommendation ' + str(rec['number']) if rec['kind'] == 'recommendation' else 'Commitment'}**")
    st.markdown(plain(rec["text"]))  # free text: never Markdown, links or images
    lines = response_lines(kind=rec["kind"], responses=detail.responses)
    if detail.responses.empty or not detail.responses["current"].any():
        st.info(lines[0])
    else:
        for line in lines:
            st.markdown(line)
    if service.differs(detail):
        st.warning(f"Differs between papers: {plain(rec['note']) or 'the papers record different responses.'}",
                   icon=":material/compare_arrows:")
    elif rec["note"]:
        st.info(plain(rec["note"]), icon=":material/info:")
    if len(detail.responses) > 1:
        show_table(service.responses_view(detail), "Responses recorded", key="rec_responses", about=TRACKER_ABOUT,
                   disclosure=TRACKER_TEXT)
    if detail.actions.empty:
        st.caption("No actions are recorded for this recommendation.")
    else:
        show_table(service.actions_view(detail), "Actions", key="rec_actions", disclosure=TRACKER_TEXT,
                   about=TRACKER_ABOUT)
    show_table(service.timeline_view(detail), "Timeline", key="rec_timeline", disclosure=TRACKER_TEXT,
               about=TRACKER_ABOUT)
    if not detail.links.empty:
        linked_measures(cur=cur, rec=rec, rec_id=int(rec_id), suppress=suppress)
    return detail


def linked_measures(*, cur, rec: dict, rec_id: int, suppress: bool) -> None:
    """Then and now for each linked measure, a before-and-after chart, and any answer asked for."""
    st.header("Linked measures: then and now")
    # the download is always the suppressed version, whoever views the page
    lv, exported = _link_values(db.db_path(), db.data_version(), service.tracker_version(cur), rec_id, suppress)
    show_table(links.link_view(lv), "Linked measures", key="rec_links",
               about=downloads.About(month="The month of the meeting (then) and the latest loaded month (now)",
                                     population=", ".join(sorted({state.SCOPE_LABELS.get(s, s) for s in lv["scope"]})),
                                     source=export.LINKS_SOURCE),
               disclosure=downloads.prepared(links.link_view(exported), by="recommendations.links (suppress=True)"),
               caption="Then = the month of the meeting (or the month after) if it was loaded; now = the "
                       "latest month. c = hidden to protect individuals (see the symbols above).")
    by_id = lv.set_index("link_id")
    pick = st.selectbox("Before and after chart for", list(lv["link_id"]),
                        format_func=lambda i: by_id.loc[i, "measure"], key="rec_chart_pick")
    row = by_id.loc[pick]
    hist = links.link_history(cur, metric_id=row["metric_id"], scope=row["scope"], suppress=suppress)
    fig = mark_meeting(charts.trend_chart(hist, x="period", y="value", name=row["measure"], unit=row["unit"]),
                       meeting_date=rec["meeting_date"])
    chart(fig, f"{row['measure']} by month: {row['then']} when the recommendation was made, {row['now']} now.",
          key="rec_chart")
    for a in lv[lv["answers"]].itertuples():
        st.markdown(f"**The answer the committee asked for: {a.measure}**"
                    + (f" by {a.breakdown.replace('_', ' ')}" if a.breakdown else ""))
        ans = links.answer(cur, link_id=int(a.link_id), suppress=True)
        view = links.answer_view(ans, breakdown=a.breakdown if isinstance(a.breakdown, str) else None)
        show_table(view, f"Answer - {a.measure}", key=f"rec_answer_{a.link_id}",
                   about=downloads.About(month=f"{ans.attrs['period']:%B %Y}",
                                         population=state.SCOPE_LABELS.get(a.scope, a.scope),
                                         source=export.LINKS_SOURCE),
                   disclosure=downloads.prepared(view, by="recommendations.links.answer (suppress=True)"),
                   caption=f"At the end of {ans.attrs['period']:%B %Y}. " + plain(a.note or "") + " "
                           + links.answer_note(ans.attrs["metric_id"])
                           + " c = hidden so that no individual can be identified, directly or by subtraction.")


def edit_forms(*, detail, actor: Actor, role: str, today: date) -> None:
    """HR and leadership: respond, add an action, post an update, link a measure, add an item."""
    rec_id = int(detail.rec["rec_id"])
    st.header("Edit the tracker")
    st.caption(f"Changes are recorded in the audit trail as {plain(actor.name)} ({state.ROLE_LABELS[role]}). "
               "The first four apply to the recommendation shown above.")
    with st.expander("Record a response"), st.form("rec_response_form", clear_on_submit=True):
        cat = st.selectbox("Response", RESPONSES)
        text = st.text_area("Response text")
        if st.form_submit_button("Record response"):
            write(service.record_response, success="Response recorded.", actor=actor, rec_id=rec_id,
                  category=cat, text=text)
    with st.expander("Add an action"), st.form("rec_action_form", clear_on_submit=True):
        desc = st.text_area("Action")
        owner = st.text_input("Owner (job title)")
        due = st.date_input("Due date", value=None)
        crit = st.text_input("Success criteria")
        if st.form_submit_button("Add action"):
            write(service.add_action, success="Action added.", actor=actor, rec_id=rec_id, description=desc,
                  owner=owner, due_date=due, success_criteria=crit)
    if not detail.actions.empty:
        acts = detail.actions.set_index("action_id")
        with st.expander("Post a progress update"), st.form("rec_update_form", clear_on_submit=True):
            aid = st.selectbox("Action", list(acts.index), format_func=lambda i: acts.loc[i, "description"])
            text = st.text_area("Update")
            new_status = st.selectbox("Status after the update", ACTION_STATUSES, index=1)
            if st.form_submit_button("Post update"):
                write(service.post_update, success="Update posted.", actor=actor, action_id=int(aid), text=text,
                      status=new_status, today=today)
    with st.expander("Link a measure"), st.form("rec_link_form", clear_on_submit=True):
        mid = st.selectbox("Measure", list(CATALOGUE), format_func=lambda m: CATALOGUE[m].label)
        lscope = st.selectbox("Population", ["social_workers", "all_staff"], key="rec_link_scope",
                              format_func=lambda s: packs.SCOPE_LABELS[s])
        asks = st.checkbox("The recommendation asked for this information")
        if st.form_submit_button("Link measure"):
            write(service.add_link, success="Measure linked.", actor=actor, rec_id=rec_id, metric_id=mid,
                  scope=lscope, answers=asks)
    with st.expander("Add a recommendation"), st.form("rec_add_form", clear_on_submit=True):
        mdate = st.date_input("Meeting date", value=today)
        new_topic = st.text_input("Topic")
        new_text = st.text_area("Recommendation")
        if st.form_submit_button("Add recommendation"):
            write(service.add_recommendation, success="Recommendation added (response awaited).", actor=actor,
                  meeting_date=mdate, topic=new_topic, text=new_text)


def meeting_packs(*, cur, actor: Actor, can_edit: bool, today: date) -> None:
    """Publish (HR, leadership) and read the frozen figures published for a meeting."""
    st.caption("A meeting pack freezes the figures published for a meeting. If a later load changes a "
               "month, the pack keeps the published figure and says 'restated: was X, now Y'.")
    if can_edit:
        with st.expander("Publish figures for a meeting"), st.form("rec_pack_form"):
            pdate = st.date_input("Meeting date", value=today)
            chosen = st.multiselect("Measures", list(CATALOGUE), default=list(HEADLINE_IDS),
                                    format_func=lambda m: CATALOGUE[m].label)
            scope = st.selectbox("Population", ["social_workers", "all_staff"],
                                 format_func=lambda s: packs.SCOPE_LABELS[s])
            left, right = st.columns(2)
            preview = left.form_submit_button("Preview what will be published")
            publish = right.form_submit_button("Publish pack")
            if preview:
                try:
                    shown = packs.preview_pack(cur, meeting_date=pdate, metric_ids=chosen, scope=scope)
                except (TrackerError, StoreBusy) as exc:
                    st.error(plain(exc), icon=":material/error:")
                else:
                    st.markdown("**Publish preview**: the pack will print the Value, Change on a year ago, "
                                "People, Numerator and Denominator columns as below (c = hidden, x = not "
                                "available); 'Exact value' and 'Why' are for you only.")
                    preview_frame = display_frame(shown)
                    st.dataframe(preview_frame, hide_index=True, key="rec_pack_preview",
                                 column_config=decimal_columns(preview_frame))
            if publish:
                try:
                    with connection() as wcur, db.write_lock:
                        pid = packs.publish_pack(wcur, meeting_date=pdate, metric_ids=chosen,
                                                 published_by=actor, scope=scope)
                except (TrackerError, PermissionError, StoreBusy) as exc:
                    st.error(plain(exc), icon=":material/error:")
                else:
                    st.session_state["rec_flash"] = f"Pack {pid} published: its figures are now frozen."
                    st.rerun()
    plist = packs.list_packs(cur)
    if plist.empty:
        st.info("No meeting pack has been published yet.")
        return
    pid = int(st.selectbox("Pack", list(plist["pack_id"]), key="rec_pack_pick",
                           format_func=lambda i: packs.pack_label(plist, int(i))))
    pack = packs.get_pack(cur, pack_id=pid, suppress=True)
    for note in [r for r in pack.items["restated"] if r]:
        st.warning(note, icon=":material/history:")
    show_table(packs.pack_table(pack), f"Meeting pack {pid}", key="rec_pack_table",
               about=downloads.About(**packs.pack_about(pack)),
               disclosure=downloads.prepared(packs.pack_table(pack), by="recommendations.packs (suppress=True)"))
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download pack (Excel)",
                       data=audited(lambda: _with_store(packs.pack_xlsx_bytes, pack_id=pid),
                                    what=f"meeting pack {pid}", fmt="xlsx"),
                       file_name=f"meeting-pack-{pid}.xlsx", mime=XLSX_MIME, key="rec_pack_xlsx", on_click="ignore")
    c2.download_button("Download pack (print-ready HTML)",
                       data=audited(lambda: _with_store(packs.pack_html, pack_id=pid).encode("utf-8"),
                                    what=f"meeting pack {pid}", fmt="html"),
                       file_name=f"meeting-pack-{pid}.html", mime="text/html", key="rec_pack_html",
                       on_click="ignore")
    c3.download_button("Download pack (PDF)",
                       data=audited(lambda: _with_store(packs.pack_pdf_bytes, pack_id=pid),
                                    what=f"meeting pack {pid}", fmt="pdf"),
                       file_name=f"meeting-pack-{pid}.pdf", mime="application/pdf", key="rec_pack_pdf",
                       on_click="ignore", icon=":material/picture_as_pdf:")


def audit_trail(*, cur) -> None:
    """Every tracker edit, newest first (HR and leadership)."""
    state.check("edit_tracker")
    view = service.audit_view(cur)
    view["Role"] = [state.ROLE_LABELS.get(r, r) for r in view["Role"]]
    show_table(view, "Tracker audit trail", key="rec_audit", disclosure=TRACKER_TEXT,
               about=TRACKER_ABOUT)
