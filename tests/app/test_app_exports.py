"""Downloads leave the dashboard suppressed for every role, while leadership sees exact figures.

AppTest cannot fetch a download button's file (the bytes are built on click), so each test
records the frame and declaration the page hands to ui.layout.download_table and builds the
exact bytes the button would serve (ui.downloads.xlsx_bytes / csv_bytes), then decodes them.
"""

from __future__ import annotations

import csv
import io
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.app.test_app_frame import drill_choice, every_breakdown, make_app
from disclosure import Disclosed, rules
from ui import downloads, layout


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    dst = tmp_path_factory.mktemp("exports") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


@pytest.fixture
def recorded(monkeypatch):
    """Every (table shown, name, Disclosed) a page passes to download_table, in order (issue 10:
    every table reaches its download as a disclosure.Disclosed)."""
    calls: list[tuple[pd.DataFrame, str, Disclosed]] = []
    real = layout.download_table

    def record(frame, *, name, key, disclosure, about=None):
        assert isinstance(frame, Disclosed) and disclosure is None, name
        calls.append((frame.shown.copy(), name, frame))
        real(frame, name=name, key=key, disclosure=disclosure, about=about)

    monkeypatch.setattr(layout, "download_table", record)
    return calls


def _xlsx(frame, name, disclosure) -> pd.DataFrame:
    ws = load_workbook(io.BytesIO(downloads.xlsx_bytes(frame, name=name, disclosure=disclosure)))["Data"]
    rows = list(ws.iter_rows(min_row=int(ws.freeze_panes[1:]) - 1, values_only=True))  # under the header block
    return pd.DataFrame(rows[1:], columns=rows[0])


def _csv(frame, name, disclosure) -> list[dict]:
    data = downloads.csv_bytes(frame, name=name, disclosure=disclosure).decode("utf-8-sig")
    table = data[data.index("\n\n") + 2:]  # the table follows the header block and a blank row
    return list(csv.DictReader(io.StringIO(table)))


def test_leadership_sees_a_small_team_exactly_but_its_download_says_c(monkeypatch, store, recorded):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/agency.py").run()
    assert not at.exception, [e.value for e in at.exception]
    drill_choice(at).set_value("team").run()
    assert not at.exception, [e.value for e in at.exception]
    frame, name, disclosure = next(c for c in recorded if c[1] == "Agency share by team")
    disclosure_obj = disclosure
    people = pd.to_numeric(frame["People"], errors="coerce")
    small = frame.loc[people.between(1, 4), "Team"].tolist()
    assert small, "the demo store has teams of 1-4 social workers"
    team = small[0]
    exact = float(people[frame["Team"] == team].iloc[0])

    # on screen: the exact number of people for that team
    shown = next(df.value for df in at.dataframe if "Team" in df.value.columns
                 and team in set(df.value["Team"]) and "People" in df.value.columns)
    assert float(shown.loc[shown["Team"] == team, "People"].iloc[0]) == exact
    assert "c" not in set(shown["People"].astype(str))

    # in the Excel and CSV files: "c", and the secondary cell too
    xl = _xlsx(disclosure_obj, name, None)
    row = xl[xl["Team"] == team].iloc[0]
    assert row["People"] == "c" and row.iloc[1] == "c" and row["Status"] == "c"
    hidden = xl["People"] == "c"
    assert hidden.sum() >= 2
    # an adversary with the overall figure: overall minus the visible teams is not 1-4
    residual = people.sum() - pd.to_numeric(xl.loc[~hidden, "People"]).sum()
    assert not 0 < residual < 5
    rows = _csv(disclosure_obj, name, None)
    assert next(r for r in rows if r["Team"] == team)["People"] == "c"
    assert "c = " in downloads.csv_bytes(disclosure_obj, name=name).decode("utf-8-sig").split("\n\n")[0]


def test_every_table_on_every_page_exports_through_its_declaration(monkeypatch, store, recorded):
    """HR sees every analysis page: each table's files build, and people tables hold no 1-4."""
    at = make_app(monkeypatch, db=store, role="hr")
    for page in ("overview", "themes", "agency", "caseloads", "turnover", "profile",
                 "data_quality", "benchmarks", "tracker"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        every_breakdown(at)
    assert len(recorded) >= 20
    checked = 0
    unrecorded = set(rules().unrecorded)
    for frame, name, disclosed in recorded:
        disclosure = disclosed.table
        xl = _xlsx(disclosed, name, None)
        assert len(xl) == len(disclosed.published), name
        if disclosure.suppresses and disclosure.counts and disclosure.rows is None:
            recorded_rows = ~xl.iloc[:, :2].astype(str).isin(unrecorded).any(axis=1)
            for col in disclosure.counts:
                values = pd.to_numeric(xl.loc[recorded_rows, col], errors="coerce")
                assert not values.between(1, 4).any(), (name, col)
            checked += 1
        if not disclosure.suppresses and disclosure.export is None:
            # declared as holding no people: exported unchanged
            assert (xl.astype(str) == "c").to_numpy().sum() == (frame.astype(str) == "c").to_numpy().sum(), name
            assert list(xl.columns) == [str(c) for c in frame.columns], name
    assert checked >= 8


def test_scrutiny_downloads_keep_the_suppression_they_were_given(monkeypatch, store, recorded):
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/profile.py").run()
    assert not at.exception
    hidden_somewhere = False
    for frame, name, disclosed in recorded:
        xl = _xlsx(disclosed, name, None)
        # scrutiny sees on screen exactly what the file publishes
        # (a text cell starting + - = @ is written with a leading ' so Excel cannot run it)
        unguard = lambda v: v[1:] if v[:1] == "'" and v[1:2] in ("+", "-", "=", "@") else v  # noqa: E731
        norm = lambda f: [[unguard(v) if isinstance(v, str) else float(v) for v in row]  # noqa: E731
                          for row in f.astype(object).where(f.notna(), "").values.tolist()]
        assert norm(xl) == norm(frame), name
        hidden_somewhere |= "c" in set(xl.astype(str).values.reshape(-1))
    assert hidden_somewhere
