"""The census items in the monthly extract: template, validation, and where they are stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from ingest import contract as C
from ingest.loader import ExtractRejected, load_file
from ingest.template import write_template
from store import connect
from tests.unit.ingest_files import PERIOD, base_sheets, write_xlsx

STAFF_EXTRA = ["SWE registration number", "Sex (census)", "Ethnicity (census code)",
               "Qualification level", "Step Up graduate", "Frontline graduate", "Starter origin",
               "Absent at month end", "Absence reason", "Contracted weeks", "Base salary",
               "R&R payments", "Other payments"]
LEAVER_EXTRA = ["Leaver destination", "Census leaving reason"]


def _with_census(rows_staff: list[list[object]], rows_leavers: list[list[object]]):
    sheets = base_sheets()
    sheets["Staff"][0] += STAFF_EXTRA
    for row, extra in zip(sheets["Staff"][1:], rows_staff):
        row += extra
    sheets["Leavers"][0] += LEAVER_EXTRA
    for row, extra in zip(sheets["Leavers"][1:], rows_leavers):
        row += extra
    return sheets


GOOD_STAFF = [
    ["SW100001", "F", "WBRI", "Under-graduate", "N", "Y", "Not known", "N", None, None, 41000,
     0, 0],
    ["sw22", "Male", "White Irish", "2", "N", "N", "1", "Y", "SIC", 39, 50000, 1200.5, 0],
    ["SW100003", None, None, None, None, None, None, None, None, None, None, None, None],
    [None, "F", "MWBC", None, None, None, None, None, None, None, 28000, None, None],
]
GOOD_LEAVERS = [["3", "Other"]]


def test_template_offers_every_census_item_with_dropdowns(tmp_path):
    wb = load_workbook(write_template(path=tmp_path / "t.xlsx"))
    staff = [c.value for c in wb["Staff"][1]]
    leavers = [c.value for c in wb["Leavers"][1]]
    assert set(STAFF_EXTRA) <= set(staff) and set(LEAVER_EXTRA) <= set(leavers)
    lists = " ".join(str(dv.sqref) for dv in wb["Staff"].data_validations.dataValidation)
    for label in ("Starter origin", "Absence reason", "Ethnicity (census code)", "Sex (census)"):
        col = staff.index(label) + 1
        from openpyxl.utils import get_column_letter
        assert get_column_letter(col) + "2" in lists, label
    instructions = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    assert "Social Work England" in instructions and "Agency or consultancy" in instructions


def test_census_items_load_codes_or_words(tmp_path, tmp_db):
    path = write_xlsx(tmp_path / "m.xlsx", _with_census(GOOD_STAFF, GOOD_LEAVERS))
    con = connect(tmp_db)
    load_file(con=con, path=path, period=PERIOD, loaded_by="t")
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT employee_id, census_sex, census_ethnicity, qualification_level, start_origin, "
        "absent_at_month_end, absence_reason, contracted_weeks, rr_payments FROM staff"
    ).fetchall()}
    assert got["E002"] == ("M", "WIRI", "Post-graduate", "Newly qualified social worker", True,
                           "Sick leave", 39.0, 1200.5)
    assert got["E001"][:4] == ("F", "WBRI", "Under-graduate", "Not known")
    assert got["A003"] == (None,) * 8
    leaver = con.execute("SELECT leaver_destination, census_leaving_reason FROM leavers").fetchall()
    assert leaver == [("Agency or consultancy in social work (in England)", "Other")]
    # registration numbers are only in the HR-only table, never in staff
    assert "swe_number" not in [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'staff'").fetchall()]
    assert sorted(con.execute("SELECT employee_id, swe_number FROM staff_restricted").fetchall()) \
        == [("A003", "SW100003"), ("E001", "SW100001"), ("E002", "sw22")]
    con.close()


@pytest.mark.parametrize("bad, words", [
    ("98765", "not a Social Work England registration number"),
    ("SW98765432101", "not a Social Work England registration number"),
    ("SW100001", "the same registration number is on rows 2, 3"),
])
def test_bad_registration_numbers_refused_without_echoing_them(tmp_path, tmp_db, bad, words):
    staff = [list(r) for r in GOOD_STAFF]
    staff[1][0] = bad
    path = write_xlsx(tmp_path / "m.xlsx", _with_census(staff, GOOD_LEAVERS))
    con = connect(tmp_db)
    with pytest.raises(ExtractRejected) as exc:
        load_file(con=con, path=path, period=PERIOD, loaded_by="t")
    assert con.execute("SELECT count(*) FROM staff_restricted").fetchone()[0] == 0
    con.close()
    report = exc.value.report()
    assert words in report and "Staff row 3, SWE registration number" in report
    assert bad not in report  # personal data is never echoed back


def test_unknown_census_code_is_an_error_with_the_list(tmp_path, tmp_db):
    staff = [list(r) for r in GOOD_STAFF]
    staff[0][6] = "From Mars"
    path = write_xlsx(tmp_path / "m.xlsx", _with_census(staff, GOOD_LEAVERS))
    con = connect(tmp_db)
    with pytest.raises(ExtractRejected) as exc:
        load_file(con=con, path=path, period=PERIOD, loaded_by="t")
    con.close()
    assert "Staff row 2, Starter origin: From Mars" in exc.value.report()


def test_restricted_rows_need_a_census_purpose(tmp_db):
    from store.census import RestrictedReadError, restricted_rows
    from datetime import date

    con = connect(tmp_db)
    with pytest.raises(RestrictedReadError):
        restricted_rows(con, first=date(2025, 1, 1), last=date(2025, 9, 1), purpose="pack")
    con.close()


def test_contract_declares_restricted_column_apart():
    staff = C.SHEETS["Staff"]
    assert staff.column("swe_number").restricted
    assert "swe_number" not in C.STORE_COLUMNS["staff"]
    assert C.RESTRICTED_COLUMNS == ("employee_id", "swe_number")


def test_census_code_given_as_ethnicity_is_kept(tmp_path, tmp_db):
    """Base extract: Ethnicity WBRI, "White: Irish", ABAN, Mixed -> WBRI, WIRI, ABAN, none."""
    path = write_xlsx(tmp_path / "m.xlsx", base_sheets())
    con = connect(tmp_db)
    load_file(con=con, path=path, period=PERIOD, loaded_by="t")
    got = dict(con.execute("SELECT employee_id, census_ethnicity FROM staff").fetchall())
    groups = dict(con.execute("SELECT employee_id, ethnicity FROM staff").fetchall())
    con.close()
    assert got == {"E001": "WBRI", "E002": "WIRI", "A003": "ABAN", "E004": None}
    assert groups == {"E001": "White", "E002": "White", "A003": "Asian", "E004": "Mixed"}
