"""Workforce profile: who our workforce is, beside the county it serves."""

import streamlit as st

from ui import charts, data, drill, layout, state

state.require_page("profile")
filters = state.get_filters()
layout.page_header(
    "Workforce profile",
    f"Age, gender, ethnicity and disability of **{filters.describe()}** in post at the end of "
    f"**{state.period_label(filters.period) if filters.period else '—'}** (employed and agency), "
    "and who lives in the county. Shares by age, gender, ethnicity and disability are of everyone in "
    "post, \"Not known\" (no answer recorded) included; the share living in the county and the "
    "ethnic-minority figure under the chart are of those whose answer is recorded.",
)
layout.stop_if_nothing_loaded(filters)

st.header("Ethnicity beside the county population")
ethnicity = data.profile(filters, dimension="ethnicity")
county, county_note = data.county_population()
layout.chart(
    charts.stacked_share_chart(ethnicity, category="Who", name="Our staff", part="Ethnic group",
                               share="Share (%)", reference=county, reference_name="County population (Census 2021)"),
    alt=data.ethnicity_alt(filters, county), key="ethnicity",
)
st.caption(county_note)
layout.show_table(ethnicity, "Staff by ethnic group", key="ethnicity-table", disclosure=None)

left, right = st.columns(2)
for column, dimension, title in ((left, "age_band", "Age"), (right, "gender", "Gender")):
    with column:
        st.subheader(title)
        frame = data.profile(filters, dimension=dimension)
        label = data.PROFILE_LABELS[dimension]
        layout.chart(charts.bar_chart(frame, category=label, value="Share (%)", unit="percent",
                                      axis_title="Share of people (%)"),
                     alt=data.counts_alt(frame, label, "People", f"staff by {title.lower()}"), key=dimension)
        layout.show_table(frame, f"Staff by {title.lower()}", key=f"{dimension}-table", disclosure=None)

left, right = st.columns(2)
with left:
    st.subheader("Disability")
    frame = data.profile(filters, dimension="disability")
    layout.chart(charts.bar_chart(frame, category="Disabled", value="Share (%)", unit="percent",
                                  axis_title="Share of people (%)"),
                 alt=data.counts_alt(frame, "Disabled", "People", "staff by disability"), key="disability")
    layout.show_table(frame, "Staff by disability", key="disability-table", disclosure=None)
with right:
    st.subheader("Living in the county, by job type")
    frame = data.local_by_job(filters)
    layout.chart(charts.bar_chart(frame, category="Job type", value="Share living in county (%)",
                                  unit="percent", axis_title="Share living in the county (%)"),
                 alt=data.local_alt(frame), key="local")
    layout.show_table(frame, "Living in the county by job type", key="local-table", disclosure=None)

st.header("Over time, beside our census returns")
st.caption("Month-end figures from the monthly extracts. The diamonds are our CSWW census returns "
           "(30 September each year), imported or produced here; they cover the whole authority's "
           "directly employed social workers, so they show only for that selection. The census "
           "ethnic-minority share leaves agency staff out; the monthly line includes them.")
left, right = st.columns(2)
with left:
    heads = data.headcount_trend(filters)
    points = data.census_points("inpost_headcount", filters)
    layout.chart(charts.trend_chart(heads, x="period", y="value", name="Directly employed, month end",
                                    unit="count", census=points,
                                    title="Directly employed people in post (headcount)"),
                 alt=data.headcount_alt(heads) + data.census_note(points, "count"), key="headcount-trend")
with right:
    points = data.census_points("ethnic_minority_rate", filters)
    layout.chart(charts.trend_chart(data.trend("ethnic_minority_rate", filters), x="period", y="value",
                                    name="Staff from ethnic minorities", unit="rate", census=points,
                                    title="Share of staff of known ethnicity from ethnic minorities"),
                 alt=data.trend_alt("ethnic_minority_rate", filters) + data.census_note(points, "rate"),
                 key="ethnicity-trend")

drill.drill_section("ethnic_minority_rate", filters, key="profile")
