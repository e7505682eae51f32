"""Caseloads: how many cases do our practitioners carry, and who carries too many?"""

import streamlit as st

from ui import charts, data, drill, layout, state

state.require_page("caseloads")
filters = state.get_filters()
layout.page_header(
    "Caseloads",
    "Cases held per full-time-equivalent (FTE) case holder, employed and agency, at each month "
    f"end, for **{filters.describe()}**. Lower is better: England's average is the target.",
)
layout.stop_if_nothing_loaded(filters)

THRESHOLD = data.caseload_threshold()
tg = data.target_info("avg_caseload")
caseload_points = data.census_points("avg_caseload", filters)
layout.chart(
    charts.trend_chart(
        data.trend("avg_caseload", filters), x="period", y="value", name="Our average caseload",
        unit="caseload", target=tg["value"], target_label=f"Target {tg['value']:g} (England 2025)",
        comparison=data.england("avg_caseload"), comparison_name="England (30 September)",
        neighbours=data.neighbours("avg_caseload"),
        census=caseload_points,
        title="Average caseload (cases per FTE case holder)",
    ),
    alt=data.trend_alt("avg_caseload", filters) + data.england_note("avg_caseload")
    + data.census_note(caseload_points, "caseload"),
    key="caseload-trend",
)

st.header(f"Who is over {THRESHOLD:g} cases per FTE?")
left, right = st.columns(2)
with left:
    if state.can_see_teams():
        values = data.caseload_values(filters, threshold=THRESHOLD)
        fig = charts.histogram_with_threshold(values, x="caseload_per_fte", threshold=THRESHOLD,
                                              title="Case holders by cases per FTE")
    else:
        values = data.caseload_bands(filters, threshold=THRESHOLD)
        fig = charts.bar_chart(values, category="Cases per FTE", value="Case holders", unit="count",
                               horizontal=False, title="Case holders by cases per FTE")
    layout.chart(fig, alt=data.over_threshold_alt(filters, THRESHOLD), key="caseload-dist")
with right:
    layout.chart(
        charts.trend_chart(data.trend("caseload_over_threshold_rate", filters), x="period", y="value",
                           name=f"Share over {THRESHOLD:g}", unit="rate",
                           title=f"Share of case holders over {THRESHOLD:g} cases per FTE"),
        alt=data.trend_alt("caseload_over_threshold_rate", filters), key="caseload-over",
    )
if not state.can_see_teams():
    layout.show_table(values, "Case holders by caseload band", key="caseload-bands", disclosure=None)

drill.drill_section("avg_caseload", filters, key="caseload", short="Average caseload", target=tg["value"],
                   target_label=f"Target {tg['value']:g}")
