"""Overview: is the strategy working? Headline measures against their targets, in ten seconds."""

import streamlit as st

from ui import cards, data, drill, layout, state

state.require_page("overview")
filters = state.get_filters()
layout.page_header(
    "Overview",
    f"The headline workforce measures for **{filters.describe()}** at the end of "
    f"**{state.period_label(filters.period)}**, against the directorate's targets."
    if filters.period else "No months are loaded yet.",
)
if not filters.period:
    st.info("Load a monthly workforce extract (Upload page, HR) to see the measures.")
    st.stop()

summary = data.narrative(filters)
if summary:
    with st.container(border=True):
        st.markdown("**In brief**")
        st.markdown(summary)

rows = data.headline(filters)
cards.card_grid(rows, link=drill.drill_link)

st.caption(
    "The coloured badge is the only status: **On target** meets the target; **Close to target** is "
    "within the agreed margin; **Off target** is beyond it. The blue line shows the last 12 months and "
    "the arrow the change on a year ago, marked better or worse in words. "
)
table = data.headline_table(filters)
layout.show_table(table, "Headline measures", key="overview-table",
                  disclosure=None, column_config=layout.measure_columns(table.shown))
