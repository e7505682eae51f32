"""Census annual points on every trend with a DfE definition, checked against two hand-worked
imported returns (2023 and 2024) on a copy of the demo store.

Hand-worked figures (directly employed = AgencyWorker 0, in post at 30 September):
  2023: 4 in post, FTE 1.0 + 1.0 + 0.5 + 0.5 = 3.0; ethnicity WBRI, BCRB, WBRI, NOBT -> 1 of 3
        known is an ethnic minority (33.3%); working days lost 10 + 7.95 + 20 + 0 = 37.95 over
        3.0 x 253 = 759 -> 5.0%; vacancies 1.00 over 1.00 + 3.0 -> 25.0%. One agency worker (not
        counted in post).
  2024: 6 in post, FTE 1.0 + 1.0 + 0.5 + 1.0 + 0.8 + 0.7 = 5.0; ethnicity WBRI, WBRI, BAFR,
        AIND, REFU, WIRI -> 2 of 5 known (40.0%); days 10 + 0 + 5 + 20 + 25 + 3.5 = 63.5 over
        5.0 x 254 (2024 is a leap year) = 1270 -> 5.0%; vacancies 1.25 over 6.25 -> 20.0%.
        A leaver (ended 31 May 2024, 30 days lost) and an agency worker are not in post.
A scrutiny member (threshold 5) sees 2023's headcount and every 2023 figure resting on its 4
people (or 3 of known ethnicity) as c; 2024's stand.
"""

from __future__ import annotations

import base64
import json
import shutil

import numpy as np
import pytest

from census.model import CensusReturn, Worker
from tests.app.test_app_frame import make_app

CENSUS = "Census return, 30 September"


def _worker(record: int, **items: str) -> Worker:
    return Worker(items={k: [v] for k, v in items.items()}, record=record)


def _return(year: int, employed: list[tuple[str, str, str]], *, vacancies: str,
            extra: list[dict[str, str]] = ()) -> CensusReturn:
    workers = [_worker(i, AgencyWorker="0", SWENo=f"SW{year}{i:03d}", FTE=fte, Ethnicity=eth,
                       RoleStartDate="2015-04-01", WorkingDaysLost=days, OrgRole="5")
               for i, (fte, eth, days) in enumerate(employed, 1)]
    workers += [_worker(len(workers) + k, **items) for k, items in enumerate(extra, 1)]
    return CensusReturn(year=year, lea="884", workers=workers, source="import", la={
        "NumberOfVacancies": [vacancies], "NoAgencyFTE": ["1.00"], "NoAgencyHeadcount": ["1"]})


AGENCY = {"AgencyWorker": "1", "FTE": "1.000000", "OrgRole": "5", "Ethnicity": "BCRB"}
RETURNS = {
    2023: _return(2023, [("1.000000", "WBRI", "10.00"), ("1.000000", "BCRB", "7.95"),
                         ("0.500000", "WBRI", "20.00"), ("0.500000", "NOBT", "0.00")],
                  vacancies="1.00", extra=[AGENCY]),
    2024: _return(2024, [("1.000000", "WBRI", "10.00"), ("1.000000", "WBRI", "0.00"),
                         ("0.500000", "BAFR", "5.00"), ("1.000000", "AIND", "20.00"),
                         ("0.800000", "REFU", "25.00"), ("0.700000", "WIRI", "3.50")],
                  vacancies="1.25",
                  extra=[{"AgencyWorker": "0", "FTE": "1.000000", "Ethnicity": "BAFR",
                          "RoleStartDate": "2010-01-01", "RoleEndDate": "2024-05-31",
                          "WorkingDaysLost": "30.00", "OrgRole": "5"}, AGENCY]),
}
#: what the points must show: key -> {year: value}
EXPECTED = {
    "headcount": {2023: 4.0, 2024: 6.0},
    "ethnicity": {2023: 1 / 3, 2024: 0.4},
    "absence": {2023: 0.05, 2024: 0.05},
    "vacancy": {2023: 0.25, 2024: 0.20},
}
#: (page, title of the chart) for each key
CHARTS = {
    "headcount": ("views/profile.py", "Directly employed people in post (headcount)"),
    "ethnicity": ("views/profile.py", "Share of staff of known ethnicity from ethnic minorities"),
    "absence": ("views/turnover.py", "Sickness absence: share of working days lost, month by month"),
    "vacancy": ("views/agency.py", "Vacancy rate (FTE), month by month"),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    from census import service
    from census.xmlio import to_xml
    from store import connect

    folder = tmp_path_factory.mktemp("census_points")
    dst = folder / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    con = connect(dst)
    try:
        for year, ret in RETURNS.items():
            xml = folder / f"csww_{year}.xml"
            xml.write_bytes(to_xml(ret))
            assert service.import_return(con, path=xml, imported_by="test").outcome == "imported"
    finally:
        con.close()
    return dst


def _array(value: object) -> list:
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value)


def _census_trace(at, title: str) -> dict:
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        shown = ((fig["layout"].get("title") or {}).get("text") or "").replace("<br>", " ")
        if shown == title:  # long titles are wrapped over lines
            traces = [t for t in fig["data"] if t.get("name") == CENSUS]
            assert len(traces) == 1, [t.get("name") for t in fig["data"]]
            trace = traces[0]
            assert trace["mode"] == "markers" and trace["marker"]["symbol"] == "diamond"
            monthly = [t for t in fig["data"] if t.get("mode") == "lines+markers"]
            assert monthly and all(t["marker"]["symbol"] != "diamond" for t in monthly)
            return trace
    raise AssertionError(f"no chart titled {title!r}")


def _points(trace: dict) -> dict[int, float | None]:
    years = [int(str(x)[:4]) for x in _array(trace["x"])]
    values = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
              for v in _array(trace["y"])]
    return dict(zip(years, values))


def _page(monkeypatch, store, role: str, page: str):
    at = make_app(monkeypatch, db=store, role=role)
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", sorted({p for p, _ in CHARTS.values()}))
def test_leadership_sees_the_hand_worked_census_points(monkeypatch, store, page):
    at = _page(monkeypatch, store, "leadership", page)
    for key, (where, title) in CHARTS.items():
        if where != page:
            continue
        got = _points(_census_trace(at, title))
        assert got == pytest.approx(EXPECTED[key], abs=1e-9), key
    alts = " ".join(c.value for c in at.caption)
    if page == "views/profile.py":
        assert "Census returns (30 September): 2023 4; 2024 6." in alts


def test_scrutiny_sees_small_census_figures_hidden(monkeypatch, store):
    at = _page(monkeypatch, store, "scrutiny", "views/profile.py")
    assert _points(_census_trace(at, CHARTS["headcount"][1])) == {2023: None, 2024: 6.0}
    eth = _points(_census_trace(at, CHARTS["ethnicity"][1]))
    assert eth[2023] is None and eth[2024] == pytest.approx(0.4)
    at = _page(monkeypatch, store, "scrutiny", "views/turnover.py")
    absence = _points(_census_trace(at, CHARTS["absence"][1]))
    assert absence[2023] is None and absence[2024] == pytest.approx(0.05)


def test_census_points_only_for_the_whole_authority_social_workers(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership", query={"scope": "all_staff"})
    at.switch_page("views/profile.py").run()
    assert not at.exception
    titles = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        text = ((fig["layout"].get("title") or {}).get("text") or "").replace("<br>", " ")
        titles[text] = [t.get("name") for t in fig["data"]]
    assert CENSUS not in titles.get(CHARTS["headcount"][1], [CENSUS])
