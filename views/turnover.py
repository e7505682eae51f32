"""Turnover & retention: are people staying, and why do they leave?"""

import streamlit as st

from ui import charts, data, drill, layout, state

state.require_page("turnover")
filters = state.get_filters()
layout.page_header(
    "Turnover & retention",
    "Directly employed staff who left in the last 12 months, who stayed, and why people leave, "
    f"for **{filters.describe()}**. Moves between teams are not counted as leaving.",
)
layout.stop_if_nothing_loaded(filters)

tg = data.target_info("turnover_rate_fte_12m")
turnover_points = data.census_points("turnover_rate_fte_12m", filters)
left, right = st.columns(2)
with left:
    layout.chart(
        charts.trend_chart(
            data.trend("turnover_rate_fte_12m", filters), x="period", y="value",
            name="Our turnover (12 months)", unit="rate", target=tg["value"],
            target_label="Target: England 2025", comparison=data.england("turnover_rate_fte_12m"),
            comparison_name="England (30 September)", neighbours=data.neighbours("turnover_rate_fte_12m"),
            census=turnover_points,
            title="Turnover rate, rolling 12 months (FTE)",
        ),
        alt=data.trend_alt("turnover_rate_fte_12m", filters) + data.england_note("turnover_rate_fte_12m")
        + data.census_note(turnover_points, "rate"),
        key="turnover-trend",
    )
with right:
    layout.chart(
        charts.trend_chart(data.trend("stability_index_12m", filters), x="period", y="value",
                           name="Stability index", unit="rate",
                           title="Stability index: share of staff employed a year ago still here"),
        alt=data.trend_alt("stability_index_12m", filters), key="stability-trend",
    )
st.caption(data.partial_note("turnover_rate_fte_12m", filters))

st.header(f"Why people left ({data.leavers_period(filters)})")
left, right = st.columns(2)
with left:
    reasons = data.leavers_by_reason(filters)
    layout.chart(charts.bar_chart(reasons, category="Reason", value="Leavers", unit="count",
                                  axis_title="Leavers (people)", title="Leavers by reason"),
                 alt=data.counts_alt(reasons, "Reason", "Leavers", "leavers by reason"), key="reasons")
    layout.show_table(reasons, "Leavers by reason", key="reasons-table",
                      disclosure=None)
with right:
    service = data.length_of_service(filters)
    layout.chart(charts.bar_chart(service, category="Length of service", value="Leavers", unit="count",
                                  horizontal=False, axis_title="Leavers (people)",
                                  title="Length of service at leaving"),
                 alt=data.counts_alt(service, "Length of service", "Leavers", "leavers by length of service"),
                 key="service")
    layout.show_table(service, "Length of service at leaving", key="service-table", disclosure=None)

st.header("Early leavers")
layout.chart(
    charts.trend_chart(data.trend("early_leaver_rate_12m", filters), x="period", y="value",
                       name="Leavers with under a year's service", unit="rate",
                       title="Share of leavers who had been here less than a year (rolling 12 months)"),
    alt=data.trend_alt("early_leaver_rate_12m", filters), key="early",
)
if note := data.year_to_september_note("early_leaver_rate_12m", filters):
    st.caption(note)
# the published years as figures (the chart draws them as one or two points among grey bands)
layout.show_table(data.early_leavers_by_september(filters), "Early leavers, year to 30 September",
                  key="early-septembers", disclosure=None,
                  caption="Each year to 30 September with all 12 months loaded: the share of leavers who had "
                          "been here less than a year, and how many left.")

st.header("Sickness absence")
absence_points = data.census_points("absence_rate", filters)
layout.chart(
    charts.trend_chart(data.trend("absence_rate", filters), x="period", y="value",
                       name="Our sickness absence rate", unit="rate",
                       target=data.target_info("absence_rate")["value"],
                       comparison=data.england("absence_rate"), comparison_name="England (30 September)",
                       census=absence_points, title="Sickness absence: share of working days lost, month by month"),
    alt=data.trend_alt("absence_rate", filters) + data.england_note("absence_rate")
    + data.census_note(absence_points, "rate"),
    key="absence-trend",
)
st.caption("The monthly rate is the month's days lost over the month's working days (employed staff). "
           "DfE's rate (England and our census returns) is the year's days lost over in-post FTE × 253 "
           "working days (254 in a leap year), so the two can differ.")

drill.drill_section("turnover_rate_fte_12m", filters, key="turnover", short="Turnover", target=tg["value"],
                    target_label="Target: England 2025")
