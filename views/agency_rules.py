"""Agency rules: do our agency assignments follow the national rules, and what do they cost?"""

import streamlit as st

from agency.rules import AgencyRulesError
from ui import agency_cost, charts, downloads, layout, state
from ui.data import agency as data

state.require_page("agency_rules")
filters = state.get_filters()
layout.page_header(
    "Agency rules",
    "The national rules for agency social workers (DfE statutory guidance, 2024): regional price "
    "caps, three years' experience, four weeks' notice, cool-off after leaving an employed post, "
    f"two references, project teams. Figures for **{filters.describe()}**.",
)
layout.stop_if_nothing_loaded(filters)
ABOUT = downloads.current_about(population="Agency workers")  # the People filter does not act here
try:
    rules = data.rules()
except AgencyRulesError as exc:
    st.error(f"The agency rules file needs fixing before these figures can be shown: {exc}")
    st.stop()
for line in rules.assumptions() + list(rules.warnings):
    st.caption(line)
months = data.loaded_months()
if filters.period not in months:
    st.info("No Agency assignments sheet is loaded for this month. Months with assignments: "
            + (", ".join(state.period_label(m) for m in months) if months else "none yet") + ". Add the sheet to the monthly "
            "extract (see the template's Instructions).")
    st.stop()

st.header("Compliance summary")
layout.show_table(data.summary(filters), "Agency rules compliance", key="ar-summary", about=ABOUT,
                  disclosure=None)

if state.can_see_teams():
    st.header("Breaches and what to do")
    layout.show_table(data.breaches(filters), "Agency rule breaches", key="ar-breaches", about=ABOUT,
                      disclosure=downloads.exempt("one row per assignment, named by agency "
                                                  "reference only; HR and leadership only."))

st.header("By job type, service" + (" and team" if state.can_see_teams() else ""))
by_options = ["job_type", "service"] + (["team"] if state.can_see_teams() else [])
for tab, by in zip(st.tabs([data.AGENCY_BY_LABELS[b] for b in by_options]), by_options):
    with tab:
        table = data.by_group(filters, by=by)
        layout.show_table(table, f"Agency compliance by {data.AGENCY_BY_LABELS[by].lower()}",
                          key=f"ar-by-{by}", about=ABOUT, disclosure=None)

st.header("Trends")
trend = data.trend(filters)
layout.chart(charts.trend_chart(trend.shown, x="period", y="within_cap", name="Within the price cap",
                                unit="rate", title="Share of assignments within the price cap"),
             alt="Share of agency assignments within the price cap, month by month.",
             key="ar-trend")
layout.show_table(trend.drop(["period", "within_cap"]), "Agency rules by month", key="ar-trend-table",
                  about=ABOUT, disclosure=None)

st.header("Cost")
spend = data.spend(filters)
layout.chart(charts.trend_chart(spend, x="period", y="Rolling 12 months (£)", unit="money",
                                name="Agency spend, rolling 12 months",
                                title="Agency spend (charge rate x hours), rolling 12 months"),
             alt="Agency spend over the rolling 12 months, month by month.", key="ar-spend")
layout.show_table(data.cost_table(filters), "Agency and employed cost per FTE", key="ar-cost", about=ABOUT,
                  disclosure=None)
layout.show_table(spend.drop(columns=["period", "partial"]), "Agency spend by month",
                  key="ar-spend-table", about=ABOUT, disclosure=downloads.exempt("money, not people."))
st.subheader("What converting agency social workers would save")
agency_cost.what_if(filters)

if state.can_see_teams():
    st.header("Quarterly summary")
    quarters = data.quarters()
    quarter = st.selectbox("Quarter (calendar)", quarters, key="ar-quarter")
    if quarter:
        build, name = data.quarterly_download(quarter)
        st.download_button("Download the quarterly summary (Excel)", build, file_name=name,
                           mime=downloads.XLSX_MIME, key="ar-quarterly", on_click="ignore")
        st.caption("Exact figures for the return to DfE: do not publish. The layout follows the "
                   "guidance's headings; DfE's exact template is not public (see the file).")
