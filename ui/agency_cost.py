"""Agency cost panels shared by the 80:20 page and the Agency rules page (Streamlit glue).

Why a module: "what agency staff cost and what converting them would save" sits beside the 80:20
ratio and on the agency rules page; both draw it from here so the words and figures agree.
"""

from __future__ import annotations

import streamlit as st

from agency.rules import AgencyRulesError
from disclosure import rules
from metrics.units import format_number
from ui.data import agency as data
from ui.filters import Filters

TARGET_SHARE = 0.80  # the 80:20 commitment: at least 80% permanent


def cost_beside_ratio(filters: Filters) -> None:
    """Spend this month and over 12 months, the premium, and the conversion what-if."""
    try:
        data.rules()
    except AgencyRulesError as exc:
        st.warning(f"Agency cost cannot be shown until the agency rules file is fixed: {exc}")
        return
    if filters.period not in data.loaded_months():
        st.info("No Agency assignments sheet is loaded for this month, so agency cost cannot be "
                "shown. Add the sheet to the monthly extract to see spend and savings.")
        return
    spend = data.spend(filters)
    now = spend[spend["period"].dt.strftime("%Y-%m") == filters.period]
    cost = data.cost(filters)
    total = cost[cost["Job type"] == "All job types"] if len(cost) else cost
    cols = st.columns(3)
    if len(now):
        row = now.iloc[0]
        cols[0].metric("Agency spend this month", format_number(row["Spend in month (£)"], "money"))
        label = "Agency spend, last 12 months"
        if row["partial"]:
            label += f" ({int(row['Months in the 12 loaded'])} months loaded)"
        cols[1].metric(label, format_number(row["Rolling 12 months (£)"], "money"))
    if len(total):
        cols[2].metric("Premium paid for agency cover a year",
                       format_number(total.iloc[0]["Premium a year at today's FTE (£)"], "money"),
                       help="What agency workers cost above employed staff doing the same jobs, "
                            "at today's agency FTE.")
    what_if(filters)


def what_if(filters: Filters) -> None:
    """The what-if: a number to convert (default: enough to reach 80:20) and its answer."""
    available = data.agency_social_workers(filters)
    if available == 0:
        return
    probe = data.what_if(filters, converted=available)
    if probe is None:
        st.caption("The conversion what-if is not shown: it would rest on fewer than "
                   f"{rules().threshold} agency social workers.")
        return
    needed = probe.workers_to_reach(TARGET_SHARE)
    default = needed if needed else min(available, 5)
    n = st.number_input("Agency social workers to convert to employed posts", min_value=0,
                        max_value=available, value=min(default, available), step=1,
                        key="what-if-n")
    result = data.what_if(filters, converted=int(n))
    st.success(result.sentence(), icon=":material/savings:")
    if needed:
        st.caption(f"Converting {needed} would reach the 80:20 ratio at today's figures.")
    elif needed is None:
        st.caption("Converting every agency social worker with an assignment would not reach "
                   "80:20 on its own: vacancies need filling too.")
    with st.expander("Assumptions"):
        for line in result.assumptions:
            st.markdown(f"- {line}")
