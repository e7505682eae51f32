"""Benchmarks (every role): the authority beside its region, England and statistical neighbours."""

import streamlit as st

from ui.state import allowed, current_person, current_role, require_page

require_page("benchmarks")

from ui import benchmarks, charts  # noqa: E402
from ui import downloads  # noqa: E402
from ui.layout import chart, page_header, show_table  # noqa: E402

page_header(
    "Benchmarks",
    "How the directorate compares with its region, England and the councils most like it "
    "(its statistical neighbours), using the Department for Education's published figures at 30 "
    "September each year. The stars are our own figures for the same date, from the monthly extracts.",
)
CAN_IMPORT = allowed(current_role(), "import_benchmarks")


def _import_control() -> None:
    """HR and leadership may import the published CSV files; scrutiny members see figures only."""
    with st.expander("Import the published files", expanded=view is None):
        st.markdown(
            "Upload the DfE file **csww_indicators_…csv** (Children's social work workforce, "
            "explore-education-statistics.service.gov.uk), and optionally the statistical neighbour "
            "model **sn_model_…_wide.csv** and the ONS ethnic group files. A file that is not "
            "right is refused whole; a newer file replaces the older one."
        )
        files = st.file_uploader("Published CSV files", type=["csv"], accept_multiple_files=True,
                                 key=f"bench_files_{st.session_state.get('bench_nonce', 0)}")
        if files and st.button("Import these files", type="primary", key="bench_import"):
            try:
                with st.spinner("Checking and importing…"):
                    results = benchmarks.import_benchmarks(files=[(f.name, f.getvalue()) for f in files],
                                                       imported_by=current_person().actor)
            except (benchmarks.BenchmarkError, PermissionError) as exc:  # nothing was written
                st.error(f"Nothing was imported: {exc}")
            else:
                st.session_state["bench_done"] = "; ".join(str(r) for r in results)
                st.session_state["bench_nonce"] = st.session_state.get("bench_nonce", 0) + 1
                st.rerun()
        imports = benchmarks.benchmark_imports()
        show_table(imports, "Imported published files", key="bench_ledger", about=benchmarks.ABOUT_IMPORTS,
                   disclosure=downloads.exempt("the list of imported published files."),
                   column_config=benchmarks.import_columns(imports))


if done := st.session_state.pop("bench_done", None):
    st.success(f"Imported: {done}")

try:
    home = benchmarks.benchmark_view()
    choices = benchmarks.authority_options(home=home)
    if st.session_state.get("bench_la") not in choices:  # e.g. a newer file without that council
        st.session_state.pop("bench_la", None)
    view = benchmarks.benchmark_view(la_code=st.session_state.get("bench_la", home.la_code))
except benchmarks.BenchmarksNotImported:
    view = None
    st.info(
        "**The published comparison figures have not been imported yet.** The dashboard does not "
        "ship them: they come from the Department for Education's 'Children's social work "
        "workforce' statistics. "
        + ("Download the indicators CSV from explore-education-statistics.service.gov.uk and "
           "import it below; the charts appear at once." if CAN_IMPORT else
           "Ask HR or the leadership team to import them; until then this page has nothing to compare.")
    )

if view is not None:
    ours = view.ours if view.is_home else None  # our extract describes our council only
    st.selectbox("Authority to compare", list(choices), format_func=choices.__getitem__,
                 key="bench_la",
                 help="Our council first, then its statistical neighbours, then every other "
                      "authority in the DfE file. Type to search. Our own figures (the stars) "
                      "appear only beside our council.")
    if not view.is_home:
        st.caption(f"Showing {view.la_name}'s published figures. Our own 30 September figures "
                   f"appear only when {home.la_name} is chosen.")
    sn = ", ".join(view.neighbours["la_name"].astype(str)) or "none imported"
    st.caption(f"{view.la_name} is in {view.region_name or 'an unknown region'}. Its statistical "
               f"neighbours: {sn}.")
    for indicator, label, unit in benchmarks.BENCHMARK_INDICATORS:
        st.header(label)
        fig = charts.benchmark_figure(view.comparison, indicator=indicator, unit=unit,
                                      la_name=view.la_name, region_name=view.region_name, ours=ours)
        chart(fig, benchmarks.benchmark_sentence(view.comparison, indicator=indicator, label=label,
                                             unit=unit, la_name=view.la_name, ours=ours),
              key=f"bench_{indicator}")
    st.header("The figures")
    table = benchmarks.benchmark_table(view, with_ours=ours is not None)
    show_table(table, f"Benchmarks for {view.la_name}", key="bench_table", about=benchmarks.about(view),
               column_config=benchmarks.table_columns(table),
               disclosure=downloads.exempt("figures published by the DfE for whole authorities, and our "
                                           "whole-council 30 September values beside them."),
               caption="Rates in per cent, caseload in cases per FTE, as the DfE publishes them. "
                       "Blank: not published for that year.")

if CAN_IMPORT:
    _import_control()
