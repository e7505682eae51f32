"""Data quality (HR and leadership): what was loaded, how complete it is, what moved oddly."""

import streamlit as st

from ui.state import require_page

require_page("data_quality")  # scrutiny members never see files, users or row-level checks

from ui import quality  # noqa: E402
from ui import downloads  # noqa: E402
from ui.layout import page_header, show_table  # noqa: E402

ABOUT = quality.LOADS_ABOUT  # the page is about every load, not the month in the filters

page_header(
    "Data quality",
    "Can the figures be trusted? Every load of every month, how fully the optional columns are "
    "filled in, month-on-month movements big enough to check, and which figures each load feeds.",
)

st.header("Load ledger")
st.caption("Every accepted file, newest first. A rejected file loads nothing and is not listed.")
show_table(quality.quality_frame("ledger"), "Load ledger", key="dq_ledger", about=ABOUT,
           disclosure=downloads.exempt("the load ledger lists files and whole-month row counts."))

st.header("Completeness of optional columns")
st.caption("Share of staff rows with each optional column filled in, month by month. Measures "
           "built on a column (caseloads, absence, the workforce profile) rest on the rows that have it.")
completeness = quality.quality_frame("completeness")
show_table(
    completeness, "Completeness of optional columns", key="dq_completeness", about=ABOUT,
    disclosure=downloads.exempt("shares of each whole month's extract with a column filled in."),
    column_config={c: st.column_config.ProgressColumn(c, format="%.0f%%", min_value=0, max_value=100)
                   for c in completeness.columns if c != "Month"},
)

st.header("Unusual movements")
pct = int(quality.MOVEMENT_THRESHOLD * 100)
st.caption(f"Changes of more than {pct}% on the month before, by service and by team, where the "
           f"month before had at least {quality.MOVEMENT_MIN_BASE:.0f}. Check the extract first: a team "
           "renamed or a sheet cut short often shows up here.")
PEOPLE_MEASURES = ("Headcount", "Leavers")  # FTE and vacant FTE are not counts of people
show_table(quality.quality_frame("movements"), f"Movements over {pct} percent", key="dq_movements", about=ABOUT,
           disclosure=downloads.people(
               counts=["Previous month", "This month"], additive=False,
               follow={"Change": ["Previous month", "This month"]},
               rows=lambda f: f["Measure"].isin(PEOPLE_MEASURES).to_numpy()),
           column_config={"Change": st.column_config.NumberColumn("Change", format="%+.1f%%")})

st.header("What each load touched")
st.caption("A month's load sets that month's figures and feeds the rolling 12-month measures "
           "for that month and the eleven after it: " + "; ".join(quality.rolling_measure_labels()) + ".")
show_table(quality.quality_frame("impact"), "What each load touched", key="dq_impact", about=ABOUT,
           disclosure=downloads.exempt("which months and measures each load feeds; no figures."))
