"""Every download is suppressed for every role (ui.downloads): real xlsx and csv bytes decoded.

Adversarial tables: a team of 1-4 people, the overall total minus the other teams, a lone small
row, formula text in a team name, tables declared as holding no people.
"""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from disclosure import legend
from tests.downloaded import csv_records, header_of_csv, table_rows
from ui import downloads
from ui.downloads import Disclosure, DisclosureError

ROOT = Path(__file__).resolve().parents[2]


def team_table() -> pd.DataFrame:
    """As ui.data.breakdown_table gives a leadership user: exact figures."""
    return pd.DataFrame({
        "Team": ["=HYPERLINK(\"http://x\")", "Care Leavers", "Fostering", "Hub", "Youth Justice"],
        "Agency share of FTE (%)": [25.2, 25.0, 22.8, 8.3, 21.3],
        "People": [17.0, 3.0, 13.0, 12.0, 9.0],
        "Status": ["Off target", "Off target", "Off target", "On target", "Off target"],
    })


def breakdown_disclosure(table: pd.DataFrame) -> Disclosure:
    return downloads.breakdown(table, metric_id="agency_rate_fte")


def read_xlsx(data: bytes) -> tuple[pd.DataFrame, list[str]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Data"]
    rows = table_rows(ws)  # under the header block
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    notes = [r[0] for r in table_rows(wb["Notes"])[1:] if r[0]]
    return frame, notes


def read_csv(data: bytes) -> list[dict]:
    return csv_records(data)


def test_a_small_team_is_c_in_both_files_and_the_secondary_cell_hides_it():
    table = team_table()
    d = breakdown_disclosure(table)
    xl, notes = read_xlsx(downloads.xlsx_bytes(table, name="Agency share by team", disclosure=d))
    care = xl[xl["Team"] == "Care Leavers"].iloc[0]
    assert care["People"] == "c" and care["Agency share of FTE (%)"] == "c" and care["Status"] == "c"
    # secondary: the overall total is published, so one more team (the next smallest) is hidden
    hidden = xl["People"] == "c"
    assert hidden.sum() == 2
    assert xl.loc[hidden, "Team"].tolist() == ["Care Leavers", "Youth Justice"]
    # adversary: overall (54) minus the visible teams leaves 12 = 3 + 9; not 1-4, not one cell
    recovered = table["People"].sum() - pd.to_numeric(xl.loc[~hidden, "People"]).sum()
    assert recovered == 12 and not 0 < recovered < 5
    # visible cells stay numbers (an analyst can still add them up)
    assert xl.loc[xl["Team"] == "Fostering", "People"].iloc[0] == 13
    # the GSS legend and the true reason of each "c" (issue 10: not a blanket "fewer than 5")
    assert all(line in notes for line in legend()) and "This file: 6 figures shown as c." in notes
    assert "c: 3 figures fewer than 5 people; 3 figures hidden so that a small group cannot be " \
           "worked out from the other figures." in notes
    data = downloads.csv_bytes(table, name="Agency share by team", disclosure=d)
    rows = read_csv(data)
    assert [r["People"] for r in rows] == ["17", "c", "13", "12", "c"]
    assert legend()[0] in header_of_csv(data)[1]["Suppression"]  # the legend heads the file
    assert table["People"].iloc[1] == 3.0  # the frame shown on screen is untouched


def test_formula_text_is_still_neutralised_in_suppressed_files():
    table = team_table()
    d = breakdown_disclosure(table)
    xl, _ = read_xlsx(downloads.xlsx_bytes(table, name="=cmd|' /C calc'!A0", disclosure=d))
    assert xl["Team"].iloc[0] == "'=HYPERLINK(\"http://x\")"
    wb = load_workbook(io.BytesIO(downloads.xlsx_bytes(table, name="=cmd|' /C calc'!A0", disclosure=d)))
    assert wb["Data"]["A1"].value.startswith("'=")
    rows = read_csv(downloads.csv_bytes(table, disclosure=d))
    assert rows[0]["Team"] == "'=HYPERLINK(\"http://x\")"


def test_a_lone_small_row_cannot_be_read_off_a_published_total():
    # one team of 2 in a service of 40: hiding the 2 alone would leave 40 - 38 = 2
    table = pd.DataFrame({"Team": ["A", "B"], "People": [2, 38], "Share (%)": [5.0, 95.0]})
    out = downloads.protect(table, downloads.people(counts=["People"], rates={"Share (%)": "People"}))
    assert list(out["People"]) == ["c", "c"] and list(out["Share (%)"]) == ["c", "c"]


def test_within_groups_each_group_is_its_own_equation():
    table = pd.DataFrame({
        "Job type": ["SW", "SW", "SW", "Manager", "Manager"],
        "Age": ["Under 30", "30 to 54", "55+", "30 to 54", "55+"],
        "People": [10, 30, 3, 8, 9],
    })
    out = downloads.protect(table, downloads.people(counts=["People"], within="Job type"))
    assert list(out["People"]) == [10, 30, "c", 8, 9] or list(out["People"]) == ["c", 30, "c", 8, 9]
    sw = out[out["Job type"] == "SW"]["People"]
    assert (sw == "c").sum() == 2  # the 3 and the next smallest in its own group
    assert list(out[out["Job type"] == "Manager"]["People"]) == [8, 9]


def test_rows_and_additive_false_hide_only_people_rows_primary_only():
    table = pd.DataFrame({
        "Month": ["2026-10"] * 3, "Name": ["Hub", "Hub", "Fostering"],
        "Measure": ["Headcount", "FTE in post", "Leavers"],
        "Previous month": [9.0, 8.0, 6.0], "This month": [3.0, 2.5, 12.0], "Change": [-66.7, -68.8, 100.0],
    })
    d = downloads.people(counts=["Previous month", "This month"], additive=False,
                         follow={"Change": ["Previous month", "This month"]},
                         rows=lambda f: f["Measure"].isin(["Headcount", "Leavers"]).to_numpy())
    out = downloads.protect(table, d)
    assert out.loc[0, "This month"] == "c" and out.loc[0, "Change"] == "c" and out.loc[0, "Previous month"] == 9.0
    assert out.loc[1, "This month"] == 2.5  # FTE is not a count of people
    assert out.loc[2, "This month"] == 12.0 and out.loc[2, "Previous month"] == 6.0


def test_measures_rows_resting_on_few_people_are_hidden():
    rows = pd.DataFrame({
        "metric_id": ["agency_rate_fte", "turnover_rate_fte_12m", "agency_conversions_12m", "engagement_score"],
        "unit": ["rate", "rate", "count", "score"],
        "value": [0.25, 0.1, 6.0, 3.0], "base_count": [40.0, 4.0, 40.0, 2.0],
        "year_ago_value": [0.2, 0.1, 2.0, 3.0],
    })
    table = pd.DataFrame({"Measure": ["a", "b", "c", "d"], "Value": [25.0, 10.0, 6.0, 3.0],
                          "Status": ["Off target"] * 4, "Change on a year ago": [5.0, 0.0, 4.0, 0.0],
                          "People": [40.0, 4.0, 40.0, 2.0]})
    out = downloads.protect(table, downloads.measures(rows))
    assert list(out["Value"]) == [25.0, "c", "c", 3.0]  # base 4; year-ago count 2; score: not people
    assert list(out["Change on a year ago"]) == [5.0, "c", "c", 0.0]
    assert list(out["People"]) == [40.0, "c", "c", 2.0]  # the base itself would give the small group away


def test_declared_non_people_tables_export_unchanged_with_the_reason_noted():
    cover = pd.DataFrame({"Service": ["Fostering", "Hub"], "Vacant FTE": [3.0, 1.0],
                          "Share covered (%)": [33.3, 100.0]})
    d = downloads.exempt("vacancies are posts (FTE), not people.")
    xl, notes = read_xlsx(downloads.xlsx_bytes(cover, name="Vacancies covered by agency", disclosure=d))
    assert xl["Vacant FTE"].tolist() == [3.0, 1.0] and xl["Share covered (%)"].tolist() == [33.3, 100.0]
    assert notes == ["No small-number suppression: vacancies are posts (FTE), not people."]
    rows = read_csv(downloads.csv_bytes(cover, disclosure=d))
    assert [r["Vacant FTE"] for r in rows] == ["3", "1"] and len(rows) == 2
    with pytest.raises(DisclosureError, match="reason"):
        downloads.exempt("  ")


def test_already_suppressed_frames_pass_and_prepared_frames_replace():
    shown = pd.DataFrame({"Reason": ["Retired", "Moved"], "Leavers": ["c", "c"], "FTE": ["c", "c"]})
    d = downloads.people(counts=["Leavers"], follow={"FTE": "Leavers"})
    out = downloads.protect(shown, d)
    assert out.astype(str).to_dict("list") == shown.astype(str).to_dict("list")
    exact = pd.DataFrame({"Measure": ["Agency share"], "Now": ["17.9%"]})
    safe = pd.DataFrame({"Measure": ["Agency share"], "Now": ["c"]})
    out = downloads.protect(exact, downloads.prepared(safe, by="test"))
    assert out["Now"].tolist() == ["c"]


def test_a_declaration_naming_a_missing_column_says_so():
    with pytest.raises(DisclosureError, match="'Headcount'.*does not have"):
        downloads.protect(team_table(), downloads.people(counts=["Headcount"]), name="Agency by team")
    with pytest.raises(DisclosureError, match="needs a Disclosure"):
        downloads.protect(team_table(), None, name="Agency by team")  # type: ignore[arg-type]


def test_the_declaration_is_required_with_no_default():
    from ui.layout import show_table

    for fn in (downloads.download_table, show_table):
        param = inspect.signature(fn).parameters["disclosure"]
        assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is inspect.Parameter.empty


def test_every_table_in_the_pages_and_glue_declares_what_it_holds():
    """Static guard: every show_table / download_table call passes disclosure=..."""
    calls = []
    for path in [*ROOT.joinpath("views").glob("*.py"), *ROOT.joinpath("ui").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
                if name in ("show_table", "download_table"):
                    calls.append((path.name, node.lineno, any(k.arg == "disclosure" for k in node.keywords)))
    assert len(calls) >= 30
    assert [c for c in calls if not c[2]] == []


def test_secondary_suppression_survives_every_subset_attack():
    """Brute force: no combination of visible cells and the published total gives one hidden cell."""
    rng = np.random.default_rng(7)
    for _ in range(20):
        people = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30], size=6)
        table = pd.DataFrame({"Team": [f"T{i}" for i in range(6)], "People": people.astype(float)})
        out = downloads.protect(table, downloads.people(counts=["People"]))
        hidden = (out["People"] == "c").to_numpy()
        assert not any(0 < p < 5 and not h for p, h in zip(people, hidden))
        if hidden.any():
            residual = people[hidden].sum()
            assert hidden.sum() >= 2 and not 0 < residual < 5


def test_a_row_total_protects_the_part_not_shown():
    """Living in the county of those recorded: 48 of 50 would give away the 2 who do not."""
    table = pd.DataFrame({"Job type": ["Social worker", "Manager", "Support"],
                          "Share living in county (%)": [96.0, 60.0, 50.0],
                          "Living in county": [48, 12, 10], "People recorded": [50, 20, 20]})
    d = downloads.people(counts=["Living in county"], row_total="People recorded",
                         rates={"Share living in county (%)": "People recorded"},
                         follow={"Share living in county (%)": "Living in county"})
    out = downloads.protect(table, d)
    sw = out.iloc[0]
    # the 2 not living in the county cannot be worked out: 48 or 50 (or both) hidden, share too
    assert "c" in (sw["Living in county"], sw["People recorded"])
    assert sw["Share living in county (%)"] == "c"
    # secondary: the 2 is protected by the next smallest rest (Manager's 8), whose row then hides
    # its 12; Support keeps its figures, and the recorded totals stay shown
    assert out["Living in county"].tolist() == ["c", "c", 10]
    assert out["People recorded"].tolist() == [50, 20, 20]
    assert "\x00rest" not in out.columns
