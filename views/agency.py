"""Agency & 80:20: are we on course for the permanent share of staff the target asks for, by its date?

The target and its date come from data/targets.toml (metrics.targets), never from this page."""

import streamlit as st

from ui import agency_cost, charts, data, drill, layout, state

state.require_page("agency")
filters = state.get_filters()
words = data.agency_target_words()
layout.page_header(
    "Agency & 80:20",
    f"Leadership committed to a **{words['ratio'] or '80:20'} ratio of permanent to agency staff** (by "
    "full-time equivalent)" + (f" by **{words['date']}**" if words["date"] else "")
    + f". Figures for **{filters.describe()}**.",
)
layout.stop_if_nothing_loaded(filters)

tg = data.target_info("agency_rate_fte")
share = data.permanent_share_trend(filters)
proj = data.projection("agency_rate_fte", filters, as_share_employed=True)
share_points = data.census_points("agency_rate_fte", filters, as_share_employed=True)
fig = charts.trend_chart(
    share, x="period", y="value", name="Permanent share of FTE", unit="rate",
    target=data.permanent_target(),
    target_label=f"{words['ratio']} target: at least {words['permanent']} permanent",
    target_date=tg["date"], projection=proj["fitted"],
    census=share_points,
    title="Permanent (directly employed) share of FTE, month by month",
)
layout.chart(fig, alt=data.permanent_share_alt(filters, proj["message"])
             + data.census_note(share_points, "rate"), key="agency-trend")
if proj["message"]:
    st.info(proj["message"], icon=":material/trending_up:")
layout.show_table(data.ratio_table(filters), "Permanent and agency FTE by month", key="agency-ratio",
                  disclosure=None)

st.header("What agency cover costs")
agency_cost.cost_beside_ratio(filters)

drill.drill_section("agency_rate_fte", filters, key="agency", short="Agency share", target=tg["value"],
                   target_label=f"Target: at most {words['agency']} agency")

st.header("Agency cover of vacancies")
vacancy_points = data.census_points("vacancy_rate_fte", filters)
layout.chart(
    charts.trend_chart(data.trend("vacancy_rate_fte", filters), x="period", y="value",
                       name="Our vacancy rate", unit="rate", target=data.target_info("vacancy_rate_fte")["value"],
                       comparison=data.england("vacancy_rate_fte"), comparison_name="England (30 September)",
                       census=vacancy_points, title="Vacancy rate (FTE), month by month"),
    alt=data.trend_alt("vacancy_rate_fte", filters) + data.england_note("vacancy_rate_fte")
    + data.census_note(vacancy_points, "rate"),
    key="vacancy-trend",
)
cover = data.agency_cover(filters)
layout.chart(
    charts.bar_chart(cover, category="Service", value="Share covered (%)", unit="percent",
                     axis_title="Share of vacant FTE covered by agency (%)"),
    alt=data.cover_alt(cover), key="agency-cover",
)
layout.show_table(cover, "Vacancies covered by agency", key="agency-cover-table", disclosure=None)

st.header("Agency workers who became employees")
layout.chart(
    charts.trend_chart(data.trend("agency_conversions_12m", filters), x="period", y="value",
                       name="Conversions in the last 12 months", unit="count",
                       title="Agency workers who became employees, rolling 12 months (people)"),
    alt=data.conversions_alt(filters), key="agency-conversions",
)
layout.show_table(data.conversions(filters), "Agency to employee conversions by month",
                  key="agency-conv-table", disclosure=None)
