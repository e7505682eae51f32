"""Scrutiny recommendations: what the committee asked, what the executive said, what happened.

Thin page: checks the role, then draws with ui.tracker (which asks recommendations/ for frames).
Every edit goes through recommendations.service, which checks the role again and audits it.
"""

from datetime import date

import streamlit as st

from ui import state
from ui.state import require_page

ROLE = require_page("recommendations")

from recommendations.model import Actor  # noqa: E402
from ui import tracker  # noqa: E402
from ui.layout import page_header  # noqa: E402

TODAY = date.today()
CAN_EDIT = state.allowed(ROLE, "edit_tracker")
ACTOR = Actor(name=state.current_person().actor, role=ROLE, subject=state.current_person().subject)

page_header(
    "Scrutiny recommendations",
    "Every recommendation the Children and Young People Scrutiny Committee has made, the executive's "
    "response, the actions that followed and, where a recommendation is linked to a measure, whether "
    "the measure has moved since. Seeded from the committee's own papers (Appendix 1 and the 13 June "
    "2024 executive response).",
)
if flash := st.session_state.pop("rec_flash", None):
    st.success(flash, icon=":material/check:")
with tracker.connection() as cur:  # the store, open for this page view only
    tracker_tab, packs_tab, *audit_tab = st.tabs(["Tracker", "Meeting packs"] + (["Audit trail"] if CAN_EDIT else []))

    with tracker_tab:
        frame = tracker.tracker_list(cur=cur, today=TODAY)
        detail = tracker.detail_view(cur=cur, frame=frame, today=TODAY, suppress=state.is_suppressed(ROLE))
        if CAN_EDIT:
            tracker.edit_forms(detail=detail, actor=ACTOR, role=ROLE, today=TODAY)

    with packs_tab:
        tracker.meeting_packs(cur=cur, actor=ACTOR, can_edit=CAN_EDIT, today=TODAY)

    if audit_tab:
        with audit_tab[0]:
            tracker.audit_trail(cur=cur)
