"""Downloads go through metrics.export: formulas made inert, numbers kept as numbers."""

import io

import pandas as pd
from openpyxl import load_workbook

from metrics.export import to_csv_bytes, to_xlsx_bytes
from ui.downloads import file_stem


def test_file_stem_is_safe():
    assert file_stem("Leavers by reason (Oct 2026)") == "leavers-by-reason-oct-2026"
    assert file_stem("../../etc/passwd") == "etc-passwd"
    assert file_stem("***") == "table"


def test_download_bytes_neutralise_formulas_and_keep_numbers():
    frame = pd.DataFrame({"Team": ["=HYPERLINK(\"x\")", "Early Help"], "People": [12, 3]})
    wb = load_workbook(io.BytesIO(to_xlsx_bytes(frame, title="Agency share by team")))
    ws = wb.active
    assert ws["A4"].value == "'=HYPERLINK(\"x\")"
    assert ws["B4"].value == 12 and isinstance(ws["B4"].value, int)
    csv = to_csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "12" in csv


def test_display_frame_turns_mixed_columns_into_text_only_for_display():
    from ui.layout import display_frame

    frame = pd.DataFrame({"Group": ["A", "B", "C"], "People": [12, "c", 7.0],
                          "Share (%)": [40.25, "c", None], "Of all (%)": [19.0, 80.3, "c"]})
    frame.attrs["suppressed"] = frame.isna()
    shown = display_frame(frame)
    assert list(shown["People"]) == ["12", "c", "7"]
    # a blank is a dash on screen, never "None" or an empty cell that looks like a lost figure
    assert list(shown["Share (%)"]) in (["40.2", "c", "—"], ["40.3", "c", "—"])
    # a nullable whole-number column (pandas NA for a blank) is left to its own format
    from ui.layout import decimal_columns
    assert decimal_columns(pd.DataFrame({"People": pd.array([3, None], dtype="Int64"),
                                         "Share (%)": [19.0, 80.3]})).keys() == {"Share (%)"}
    # one column, one number of decimal places: 19 per cent reads "19.0" beside "80.3"
    assert list(shown["Of all (%)"]) == ["19.0", "80.3", "c"]
    assert shown.attrs == {}
    assert frame["People"].iloc[0] == 12  # the downloadable frame is untouched
