"""Upload (HR only): choose the month, check the extract, see what will change, confirm, load."""

import streamlit as st

from ui.state import current_person, period_label, require_page, widget_key

require_page("upload")  # server-side guard: the page refuses other roles even when opened by URL

from ingest.problems import IngestError  # noqa: E402
from store import StoreBusy  # noqa: E402
from ui import db, quality, upload  # noqa: E402
from ui import downloads  # noqa: E402
from ui.layout import page_header, plain, show_table  # noqa: E402

#: the uploader's own file, row by row so it can be fixed (HR only): not a statistical table
OWN_FILE = downloads.exempt("rows of the uploader's own extract, listed so they can be fixed.")


def _file_about(name: str, period: str) -> downloads.About:
    """The header block of a download about the file being checked (not yet loaded)."""
    return downloads.About(month=period_label(period), population="All staff in the file",
                           source=f"The file {name}, checked on upload (nothing is loaded until confirmed)")

page_header(
    "Upload a month",
    "Load the monthly HR extract. Nothing is written until you confirm, and a file with any "
    "error loads nothing.",
)
st.session_state.setdefault("upload_nonce", 0)


def _confirm(data: bytes, file_name: str, period: str, confirm_repeat: bool) -> None:
    """Button callback: load, point every page at the new month, forget the uploaded file."""
    try:
        with db.open_cursor() as con:
            result = upload.confirm_upload(con=con, data=data, file_name=file_name,
                                           period=period, loaded_by=current_person().actor,
                                           confirm_repeat=confirm_repeat)
    except (IngestError, PermissionError, upload.UploadRefused, StoreBusy) as exc:  # nothing written
        st.session_state["upload_message"] = ("error", f"Nothing was loaded: {plain(exc)}")
        return
    st.session_state["upload_message"] = ("success", upload.result_message(result, period=period))
    st.session_state[widget_key("period")] = period
    st.session_state["upload_nonce"] += 1  # a new uploader key drops the file from the session


if msg := st.session_state.pop("upload_message", None):
    (st.success if msg[0] == "success" else st.error)(msg[1])

with db.open_cursor() as con:
    options = upload.month_options(con)
    proposed = upload.default_month(con)
    note = upload.waiting_month_note(con)
period = st.selectbox("Month the extract is for", options, format_func=period_label,
                      index=options.index(proposed),
                      help="Defaults to the month after the latest one loaded. Only months that "
                           "have ended are offered.")
if note:
    st.info(note)
st.caption(f"The file must describe staff in post on the last day of {period_label(period)}.")
file = st.file_uploader("Monthly extract (Excel workbook, or a zip of CSV files one per sheet)",
                        type=["xlsx", "zip"], max_upload_size=upload.MAX_UPLOAD_MB,
                        key=f"extract_{st.session_state['upload_nonce']}")

if file is not None:
    data = file.getvalue()
    confirm_key = f"confirm_repeat_{upload.file_key(data)[:16]}"  # a new file asks afresh
    confirm_repeat = bool(st.session_state.get(confirm_key))
    with st.status(f"Checking {plain(file.name)}…", expanded=False) as status:
        try:  # once per file, month and confirmation: a rerun reuses the result
            with db.open_cursor() as con:
                check = upload.check_once(st.session_state, con=con, data=data, file_name=file.name,
                                          period=period, data_version=db.data_version(),
                                          confirm_repeat=confirm_repeat)
        except upload.UploadRefused as exc:
            status.update(label="The file was not accepted", state="error")
            st.error(plain(exc))
            st.stop()
        status.update(label=plain(check.headline),
                      state="error" if check.errors.shape[0] else "complete")
    if check.repeat_of:
        st.checkbox(f"The staff really did not change: load this file for {period_label(period)} "
                    f"even though its staff rows are identical to {period_label(check.repeat_of)}'s "
                    "(the confirmation is recorded in the load history)", key=confirm_key)
    if len(check.errors):
        st.error(f"{plain(check.headline)}. Nothing has been loaded. Fix these rows in your file "
                 "and upload it again (download the list to work through it).")
        show_table(check.errors, f"Problems to fix in {file.name}", key="dl_problems", disclosure=OWN_FILE,
                   about=_file_about(file.name, period))
    if len(check.warnings):
        st.warning("Worth checking (these do not stop the load):")
        show_table(check.warnings, f"Warnings for {file.name}", key="dl_warnings", disclosure=OWN_FILE,
                   about=_file_about(file.name, period))
    if check.preview is not None:
        pv = check.preview
        st.header("What will change")
        if pv.identical:
            st.info(f"This is the same file as the one already loaded for {period_label(period)}: "
                    "loading it again changes nothing.")
        elif pv.replaces:
            st.warning(f"This replaces the data already loaded for {period} ({period_label(period)}).")
        st.markdown("**Rows per sheet**")
        show_table(pv.rows, f"Rows per sheet {period}", key="dl_rows", about=_file_about(file.name, period),
                   disclosure=downloads.exempt("rows per sheet of the whole extract."))
        moved = (f"Movement on {period_label(pv.previous_period)}" if pv.previous_period
                 else "Figures in this file")
        st.markdown(f"**{moved}** (headcount, FTE and the agency share as the dashboard will show them)")
        show_table(pv.movement, f"{moved} {period}", key="dl_movement", about=_file_about(file.name, period),
                   disclosure=downloads.exempt("whole-council headcount, FTE and agency share of the file."))
        st.button(f"Confirm and load {period_label(period)}", type="primary", key="confirm_upload",
                  on_click=_confirm, args=(data, file.name, period, confirm_repeat))

st.header("Load history")
ledger = quality.quality_frame("ledger")
if ledger.empty:
    st.info("No months have been loaded yet.")
else:
    show_table(ledger, "Load history", about=quality.LOADS_ABOUT,
               disclosure=downloads.exempt("the load ledger lists files and whole-month row counts."))

st.header("Template")
st.download_button("Download the blank extract template (.xlsx)", data=upload.template_bytes(),
                   file_name="workforce-extract-template.xlsx", key="dl_template",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
