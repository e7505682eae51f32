"""Census (HR only): readiness all year, this year's CSWW return, and past returns imported."""

import streamlit as st

from ui.state import current_person, require_page

require_page("census")  # server-side guard: HR only, even when opened by URL

from census.service import CensusError  # noqa: E402
from census.xmlio import ReturnRejected  # noqa: E402
from ui import census, downloads  # noqa: E402
from ui.layout import page_header, show_table  # noqa: E402

HR_LIST = downloads.exempt("HR's census working list: workers by employee id, so gaps can be "
                           "fixed; no counts of people.")

page_header("Census (CSWW)",
            "The Children's Social Work Workforce census, rehearsed all year: what is missing, "
            "what DfE would query, the figures it would publish, and the return itself.")
years = census.year_options()
year = st.selectbox("Census year (reference date 30 September)", years,
                    index=years.index(census.default_year()))
ready, produce, past = st.tabs(["Readiness", "Produce the return", "Past returns"])

with ready:
    if census.readiness_shown(year):
        try:
            rep = census.readiness(year)
        except CensusError as exc:
            st.info(str(exc))
        else:
            st.markdown(f"From the **{rep.source}**, as at **{rep.reference:%B %Y}**; "
                        f"{rep.schema_note}.")
            for note in rep.notes:
                st.caption(note)
            c1, c2, c3 = st.columns(3)
            c1.metric("Errors (DfE would reject)", rep.errors)
            c2.metric("Queries (DfE would ask)", rep.queries)
            c3.metric("Workers with gaps", len(rep.workers))
            st.header("The figures DfE would publish")
            about = census.about(rep)
            figures = census.figures_table(rep)
            show_table(figures, "Census figures", about=about, column_config=census.figure_columns(figures),
                       disclosure=downloads.exempt("published-style figures, no counts of people"))
            st.header("Completeness by item")
            show_table(census.items_table(rep), "Census completeness by item", disclosure=HR_LIST, about=about)
            st.header("Errors and queries")
            show_table(census.problems_table(rep), "Census errors and queries", disclosure=HR_LIST,
                       about=about)
            st.header("Workers with gaps")
            show_table(census.workers_table(rep), "Census gaps by worker", disclosure=HR_LIST, about=about)

with produce:
    st.markdown("Builds the return from the monthly loads (1 October to 30 September), checks "
                "it against the year's schema and writes it only if it is valid. A valid return's "
                "figures then stand on the trends as that year's 30 September (a return imported "
                "for the same year takes their place).")
    if st.button(f"Build the {year} return", key="census_build"):
        try:
            outcome, data = census.build_return(year, produced_by=current_person().actor)
        except CensusError as exc:
            st.error(str(exc))
        else:
            (st.success if outcome.written else st.error)(outcome.summary())
            for err in outcome.schema_errors[:50]:
                st.caption(err)
            if data is not None:  # the statutory return itself, for DfE: HR only, not a table
                st.download_button(f"Download csww_{year}.xml", data, f"csww_{year}.xml",
                                   mime="application/xml", key="census_download")

with past:
    st.markdown("Import a past return (2021 onwards) to see its figures on the trends. "
                "Importing a year again replaces it.")
    upload = st.file_uploader("Census return (.xml)", type=["xml"], key="census_upload")
    if upload is not None and st.button("Import", key="census_import"):
        try:
            done = census.import_upload(data=upload.getvalue(), file_name=upload.name,
                                        imported_by=current_person().actor)
        except ReturnRejected as exc:
            st.error(f"Not imported: {exc}")
        else:
            st.success(done.summary())
            for gap in done.gaps[:50]:
                st.caption(gap)
    show_table(census.returns_table(), "Imported census returns", about=census.RETURNS_ABOUT,
               disclosure=downloads.exempt("the census import ledger: files, no people"))
