"""Scrutiny recommendations: what the committee asked, what the executive said, what happened.

Thin page: reads filters, asks recommendations/ for frames, draws with ui/. Every edit goes through
recommendations.service, which checks the role again on the server and writes the audit trail;
scrutiny members get no edit controls at all.
"""

from datetime import date

import pandas as pd
import streamlit as st

from ui import state
from ui.state import PAGE_ACCESS, require_role

ROLE = require_role(*PAGE_ACCESS["recommendations"])

from metrics.catalogue import CATALOGUE, HEADLINE_IDS  # noqa: E402
from recommendations import export, links, packs, service  # noqa: E402
from recommendations.figures import mark_meeting  # noqa: E402
from recommendations.model import ACTION_STATUSES, EDIT_ROLES, REC_STATUSES, RESPONSES, Actor, TrackerError  # noqa: E402
from recommendations.seed import seed_if_empty  # noqa: E402
from ui import charts, db  # noqa: E402
from ui.downloads import XLSX_MIME  # noqa: E402
from ui.layout import chart, page_header, show_table  # noqa: E402
from ui.state import is_suppressed  # noqa: E402

TODAY = date.today()
CAN_EDIT = ROLE in EDIT_ROLES
ACTOR = Actor(name=state.current_user(), role=ROLE)
SUPPRESS = is_suppressed(ROLE)
ALL = "(all)"


def con():
    """A cursor on the app's one connection; the tracker is seeded from the papers on first use."""
    cur = db.cursor()
    if "rec_seeded" not in st.session_state:
        with db.write_lock:
            seed_if_empty(cur)
        st.session_state["rec_seeded"] = True
    return cur


def write(fn, success: str, **kwargs) -> None:
    """Run one service write under the app's write lock; show its outcome in plain English."""
    try:
        with db.write_lock:
            fn(con(), actor=ACTOR, **kwargs)
    except (TrackerError, PermissionError) as exc:
        st.error(str(exc), icon=":material/error:")
    else:
        st.cache_data.clear()
        st.session_state["rec_flash"] = success
        st.rerun()  # redraw the list and counts with the change


@st.cache_data(show_spinner=False, max_entries=256)
def _link_values(path: str, version: str, tracker: str, rec_id: int, suppress: bool) -> pd.DataFrame:
    return links.link_values(con(), rec_id=rec_id, suppress=suppress)


page_header(
    "Scrutiny recommendations",
    "Every recommendation the Children and Young People Scrutiny Committee has made, the executive's "
    "response, the actions that followed and, where a recommendation is linked to a measure, whether "
    "the measure has moved since. Seeded from the committee's own papers (Appendix 1 and the 13 June "
    "2024 executive response).",
)
if flash := st.session_state.pop("rec_flash", None):
    st.success(flash, icon=":material/check:")
cur = con()
tracker_tab, packs_tab, *audit_tab = st.tabs(
    ["Tracker", "Meeting packs"] + (["Audit trail"] if CAN_EDIT else []))

with tracker_tab:
    meetings = service.meetings(cur)
    c1, c2, c3, c4, c5 = st.columns([2, 3, 2, 2, 1.5], vertical_alignment="bottom")
    meeting = c1.selectbox("Meeting", [ALL] + meetings, format_func=lambda d: d if d == ALL else f"{d:%-d %B %Y}")
    topic = c2.selectbox("Topic", [ALL] + service.topics(cur, meeting=None if meeting == ALL else meeting))
    response = c3.selectbox("Response", [ALL, *RESPONSES])
    status = c4.selectbox("Status", [ALL, *REC_STATUSES])
    overdue_only = c5.checkbox("Overdue only")
    frame = service.list_recommendations(
        cur, today=TODAY, meeting=None if meeting == ALL else meeting, topic=None if topic == ALL else topic,
        response=None if response == ALL else response, status=None if status == ALL else status,
        overdue=True if overdue_only else None)
    tallies = service.counts(frame)
    st.caption("Recommendations by response")
    for col, (name, n) in zip(st.columns(len(RESPONSES)), tallies["response"].items()):
        col.metric(name, n)
    st.caption("Recommendations by progress of their actions (overdue judged against today, " f"{TODAY:%-d %B %Y})")
    for col, (name, n) in zip(st.columns(len(REC_STATUSES)), tallies["status"].items()):
        col.metric(name, n)
    show_table(service.list_view(frame), "Recommendations", key="rec_list")
    st.download_button("Download the tracker (Appendix 1 layout, Excel)", key="rec_tracker_xlsx",
                       data=lambda: export.tracker_xlsx_bytes(con(), today=TODAY),
                       file_name=f"scrutiny-recommendations-{TODAY:%Y-%m-%d}.xlsx", mime=XLSX_MIME,
                       icon=":material/download:", on_click="ignore")

    st.subheader("Recommendation in detail")
    options = list(frame["rec_id"]) or list(service.list_recommendations(cur, today=TODAY)["rec_id"])
    labels = service.labels(cur)
    rec_id = st.selectbox("Recommendation", options, format_func=lambda r: labels[int(r)], key="rec_pick")
    detail = service.get_detail(cur, rec_id=int(rec_id), today=TODAY)
    rec = detail.rec
    st.markdown(f"**{rec['meeting_date']:%-d %B %Y} · {rec['topic']} · "
                f"{'Recommendation ' + str(rec['number']) if rec['kind'] == 'recommendation' else 'Commitment'}**")
    st.markdown(rec["text"])
    current = detail.responses[detail.responses["current"]] if not detail.responses.empty else detail.responses
    if current.empty:
        st.info("Response awaited." if rec["kind"] == "recommendation" else "A commitment made at the meeting; no response is recorded.")
    else:
        r0 = current.iloc[0]
        st.markdown(f"**Executive response: {r0['category']}** ({r0['source']})")
        if isinstance(r0["text"], str) and r0["text"]:
            st.markdown(r0["text"])
    if service.differs(detail):
        st.warning(f"Differs between papers: {rec['note'] or 'the papers record different responses.'}",
                   icon=":material/compare_arrows:")
    elif rec["note"]:
        st.info(rec["note"], icon=":material/info:")
    if len(detail.responses) > 1:
        show_table(service.responses_view(detail), "Responses recorded", key="rec_responses")
    if detail.actions.empty:
        st.caption("No actions are recorded for this recommendation.")
    else:
        show_table(service.actions_view(detail), "Actions", key="rec_actions")
    show_table(service.timeline_view(detail), "Timeline", key="rec_timeline")

    if not detail.links.empty:
        st.subheader("Linked measures: then and now")
        lv = _link_values(db.db_path(), db.data_version(), service.tracker_version(cur), int(rec_id), SUPPRESS)
        show_table(links.link_view(lv), "Linked measures", key="rec_links",
                   caption="Then = the month of the meeting (or the month after) if it was loaded; now = the latest month. c = fewer than 5 people.")
        pick = st.selectbox("Before and after chart for", list(lv["link_id"]),
                            format_func=lambda i: lv.set_index("link_id").loc[i, "measure"], key="rec_chart_pick")
        row = lv.set_index("link_id").loc[pick]
        hist = links.link_history(cur, metric_id=row["metric_id"], scope=row["scope"], suppress=SUPPRESS)
        fig = mark_meeting(charts.trend_chart(hist, x="period", y="value", name=row["measure"], unit=row["unit"]),
                           meeting_date=rec["meeting_date"])
        chart(fig, f"{row['measure']} by month: {row['then']} when the recommendation was made, {row['now']} now.",
              key="rec_chart")
        for a in lv[lv["answers"]].itertuples():
            st.markdown(f"**The answer the committee asked for: {a.measure}**"
                        + (f" by {a.breakdown.replace('_', ' ')}" if a.breakdown else ""))
            ans = links.answer(cur, link_id=int(a.link_id), suppress=True)
            show_table(ans, f"Answer - {a.measure}", key=f"rec_answer_{a.link_id}",
                       caption=f"{ans.attrs['period']:%B %Y}. " + (a.note or "") + " c = fewer than 5 people.")

    if CAN_EDIT:
        st.subheader("Edit the tracker")
        st.caption(f"Changes are recorded in the audit trail as {ACTOR.name} ({state.ROLE_LABELS[ROLE]}). "
                   "The first four apply to the recommendation shown above.")
        with st.expander("Record a response"), st.form("rec_response_form", clear_on_submit=True):
            cat = st.selectbox("Response", RESPONSES)
            text = st.text_area("Response text")
            if st.form_submit_button("Record response"):
                write(service.record_response, "Response recorded.", rec_id=int(rec_id), category=cat, text=text)
        with st.expander("Add an action"), st.form("rec_action_form", clear_on_submit=True):
            desc = st.text_area("Action")
            owner = st.text_input("Owner (job title)")
            due = st.date_input("Due date", value=None)
            crit = st.text_input("Success criteria")
            if st.form_submit_button("Add action"):
                write(service.add_action, "Action added.", rec_id=int(rec_id), description=desc, owner=owner,
                      due_date=due, success_criteria=crit)
        if not detail.actions.empty:
            with st.expander("Post a progress update"), st.form("rec_update_form", clear_on_submit=True):
                aid = st.selectbox("Action", list(detail.actions["action_id"]),
                                   format_func=lambda i: detail.actions.set_index("action_id").loc[i, "description"])
                text = st.text_area("Update")
                new_status = st.selectbox("Status after the update", ACTION_STATUSES, index=1)
                if st.form_submit_button("Post update"):
                    write(service.post_update, "Update posted.", action_id=int(aid), text=text, status=new_status, today=TODAY)
        with st.expander("Link a measure"), st.form("rec_link_form", clear_on_submit=True):
            mid = st.selectbox("Measure", list(CATALOGUE), format_func=lambda m: CATALOGUE[m].label)
            lscope = st.selectbox("Population", ["social_workers", "all_staff"], key="rec_link_scope",
                                  format_func=lambda s: packs.SCOPE_LABELS[s])
            asks = st.checkbox("The recommendation asked for this information")
            if st.form_submit_button("Link measure"):
                write(service.add_link, "Measure linked.", rec_id=int(rec_id), metric_id=mid, scope=lscope, answers=asks)
        with st.expander("Add a recommendation"), st.form("rec_add_form", clear_on_submit=True):
            mdate = st.date_input("Meeting date", value=TODAY)
            new_topic = st.text_input("Topic")
            new_text = st.text_area("Recommendation")
            if st.form_submit_button("Add recommendation"):
                write(service.add_recommendation, "Recommendation added (response awaited).",
                      meeting_date=mdate, topic=new_topic, text=new_text)

with packs_tab:
    st.caption("A meeting pack freezes the figures published for a meeting. If a later load changes a "
               "month, the pack keeps the published figure and says 'restated: was X, now Y'.")
    if CAN_EDIT:
        with st.expander("Publish figures for a meeting"), st.form("rec_pack_form"):
            pdate = st.date_input("Meeting date", value=TODAY)
            chosen = st.multiselect("Measures", list(CATALOGUE), default=list(HEADLINE_IDS),
                                    format_func=lambda m: CATALOGUE[m].label)
            scope = st.selectbox("Population", ["social_workers", "all_staff"],
                                 format_func=lambda s: packs.SCOPE_LABELS[s])
            if st.form_submit_button("Publish pack"):
                try:
                    with db.write_lock:
                        pid = packs.publish_pack(con(), meeting_date=pdate, metric_ids=chosen, published_by=ACTOR, scope=scope)
                except (TrackerError, PermissionError) as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    st.session_state["rec_flash"] = f"Pack {pid} published: its figures are now frozen."
                    st.rerun()
    plist = packs.list_packs(cur)
    if plist.empty:
        st.info("No meeting pack has been published yet.")
    else:
        pid = st.selectbox("Pack", list(plist["pack_id"]), key="rec_pack_pick",
                           format_func=lambda i: packs.pack_label(plist, int(i)))
        pack = packs.get_pack(cur, pack_id=int(pid), suppress=True)
        for note in [r for r in pack.items["restated"] if r]:
            st.warning(note, icon=":material/history:")
        show_table(packs.pack_table(pack), f"Meeting pack {pid}", key="rec_pack_table")
        c1, c2 = st.columns(2)
        c1.download_button("Download pack (Excel)", data=lambda: packs.pack_xlsx_bytes(con(), pack_id=int(pid)),
                           file_name=f"meeting-pack-{pid}.xlsx", mime=XLSX_MIME, key="rec_pack_xlsx", on_click="ignore")
        c2.download_button("Download pack (print-ready HTML)", data=lambda: packs.pack_html(con(), pack_id=int(pid)).encode("utf-8"),
                           file_name=f"meeting-pack-{pid}.html", mime="text/html", key="rec_pack_html", on_click="ignore")

if audit_tab:
    with audit_tab[0]:
        show_table(service.audit_view(cur), "Tracker audit trail", key="rec_audit")
