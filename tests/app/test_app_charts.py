"""The real charts of the real pages (AppTest gives each Plotly spec): distinct line styles for
our figure, England, the neighbours and the target; ranked bars with their values clear of the
target line; names from the data escaped; sparklines on a fixed scale with the target band;
Profile's breakdowns and the Overview's links to the drill sections."""

from __future__ import annotations

import json

import pytest

from tests.app.test_app_frame import drill_choice, make_app
from tests.sparks import page_sparks

HTML_TEAM = "<b>Bold</b> & Co"


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db, reference_dir):
    """The demo store with the DfE figures and neighbour model imported, and one team renamed to
    a name that is also HTML (as a typo or a mischievous extract could make it)."""
    import shutil

    from ingest.published import import_files
    from store import connect

    dst = tmp_path_factory.mktemp("charts") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    con = connect(dst)
    try:
        import_files(con, paths=[reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv",
                                 reference_dir / "dfe" / "sn_model_2025_wide.csv"], imported_by="test")
        team = con.execute("SELECT team FROM staff WHERE qualified_social_worker GROUP BY team ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        for table in ("staff", "leavers", "vacancies"):
            cols = {r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
            if "team" in cols:
                con.execute(f"UPDATE {table} SET team = ? WHERE team = ?", [HTML_TEAM, team])
        from metrics import aggregates

        from metrics import engine

        aggregates.refresh(con, full=True)  # the engine reads its precomputed cube
        engine.refresh_values(con, full=True)  # and the figures kept per load (by team too)
    finally:
        con.close()
    return dst


def specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(array) -> list:
    """A trace's numbers: Plotly writes numeric arrays as typed binary ({dtype, bdata})."""
    if isinstance(array, dict) and "bdata" in array:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def trace(spec: dict, name: str) -> dict:
    """The trace named `name` (long legend names are wrapped with <br> for a phone)."""
    return next(t for t in spec["data"] if t.get("name", "").replace("<br>", " ") == name)


def test_turnover_trend_tells_england_neighbours_and_target_apart(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/turnover.py").run()
    assert not at.exception
    spec = next(s for s in specs(at) if any(t.get("name") == "Our turnover (12 months)" for t in s["data"]))
    kinds = [trace(spec, n) for n in ("Our turnover (12 months)", "England (30 September)",
                                      "Statistical-neighbour median (30 September)", "Target: England 2025")]
    assert len({t["line"]["color"].lower() for t in kinds}) == 4
    assert len({t["line"].get("dash", "solid") for t in kinds}) == 4
    # the DfE figures are drawn in our units: England's 2025 turnover from the file, as a fraction
    england = trace(spec, "England (30 September)")
    assert all(0 < y < 1 for y in values(england["y"]))
    # no label written over the plot: the target is named in the legend
    assert not [a for a in spec["layout"].get("annotations", []) if "Target" in a.get("text", "")]
    assert spec["layout"]["yaxis"]["title"]["text"] == "Per cent"
    assert "%" in spec["data"][0]["hovertemplate"]


def test_drill_bars_are_ranked_with_values_in_the_margin_and_names_escaped(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/turnover.py").run()
    assert not at.exception
    drill_choice(at).set_value("team").run()
    assert not at.exception
    team = next(s for s in specs(at) if s["data"][0].get("type") == "bar"
                and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in s["data"][0]["y"])
    raw = json.dumps(team)
    assert HTML_TEAM not in raw and "<b>Bold" not in raw  # Plotly would draw it bold
    bars = team["data"][0]
    shown = [v for v, t in zip(values(bars["x"]), bars["text"]) if t != "c"]
    assert shown == sorted(shown, reverse=True) and len(shown) >= 3
    assert bars["textposition"] == "none"
    column = [a for a in team["layout"]["annotations"] if a.get("xref") == "paper"]
    assert [a["text"] for a in column] == list(bars["text"])
    assert all(a["x"] == 1 and a["xanchor"] == "left" for a in column)  # right of the plot area
    target = [s for s in team["layout"]["shapes"] if s["type"] == "line"]
    assert target and target[0]["x0"] == target[0]["x1"]
    assert any(t.get("name", "").startswith("Target") for t in team["data"][1:])


def test_overview_sparklines_have_a_fixed_scale_and_the_target_band(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    sparks = page_sparks(at)
    assert len(sparks) == 6
    assert not at.get("plotly_chart")  # drawn in the page: no chart library for a card's line

    def value(s, y):  # back from the SVG's y (2 px above and below) to the figure
        lo, hi = s["range"]
        return hi - (y - 2) / (s["height"] - 4) * (hi - lo)

    for s in sparks:
        assert s["range"][0] == 0 and "last 12 months: from" in s["alt"]
        assert len(s["line"]) == 12 and all(2 <= y <= s["height"] - 2 for _, y in s["line"])
    # the agency share (target at most 20%): the band from 0 to 20 is shaded, the target drawn
    agency = next(s for s in sparks if s["alt"].startswith("Agency share of FTE"))
    assert abs(value(agency, agency["target"]) - 20.0) < 0.01
    assert abs(value(agency, agency["band"][0]) - 20.0) < 0.01 and abs(value(agency, agency["band"][1])) < 0.01
    ys = [value(agency, y) for _, y in agency["line"]]
    # the latest point is the card's figure (18.3%), and a 12-month line of the agency share is a
    # few points tall on a scale of tens of points
    assert abs(ys[-1] - 18.3) < 0.06, ys
    assert agency["range"][1] >= 2 * (max(ys) - min(ys))


def test_overview_cards_link_to_their_drill_sections(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    links = at.get("page_link")
    targets = [(link.proto.page, link.proto.query_string) for link in links]
    pages = {p.rsplit("/", 1)[-1] for p, _ in targets}
    assert {"agency", "caseloads", "turnover"} <= pages or \
        {"agency.py", "caseloads.py", "turnover.py"} <= {p.rsplit("/", 1)[-1] for p, _ in targets}
    assert all("drill=" in q for _, q in targets) and len(targets) == 6
    # following one: the page opens its drill section on that measure (and forgets the link)
    at.query_params["drill"] = "absence_rate"
    at.switch_page("views/caseloads.py").run()
    assert not at.exception
    choice = next(r for r in at.radio if r.label == "Measure to break down")
    assert choice.value == "absence_rate"
    assert "drill" not in at.query_params
    assert any("Sickness absence rate (%)" in d.value.columns for d in at.dataframe)


def test_profile_page_breaks_its_measures_down_like_the_other_workforce_pages(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/profile.py").run()
    assert not at.exception
    assert list(drill_choice(at).options) == ["Service", "Team", "Job type"]
    choice = next(r for r in at.radio if r.label == "Measure to break down")
    assert list(choice.options) == ["Staff from ethnic minorities", "Staff aged 55 and over",
                                    "Staff living in the county"]
    by_service = next(d.value for d in at.dataframe if "Service" in d.value.columns
                      and "Staff from ethnic minorities (%)" in d.value.columns)
    assert "People" in by_service.columns and "Small group" in by_service.columns
    choice.set_value("Staff aged 55 and over").run()
    assert not at.exception
    assert any("Staff aged 55 and over (%)" in d.value.columns for d in at.dataframe)
    scrutiny = make_app(monkeypatch, db=store, role="scrutiny")
    scrutiny.switch_page("views/profile.py").run()
    assert not scrutiny.exception
    assert list(drill_choice(scrutiny).options) == ["Service", "Job type"]


def test_scrutiny_reads_the_published_septembers_of_the_early_leavers_under_their_trend(monkeypatch, store):
    """The early-leaver rate is published to scrutiny for the year to 30 September only
    (disclosure.policy.YEAR_TO_SEPTEMBER): its trend is mostly grey band, named in the real
    chart's legend with its capitals ("30 September", not "30 september"). Under it a table lists
    each published year. Demo, social workers, from the store: the year to September 2026, 5
    early leavers of 16 leavers, 31.3%; to September 2025, 7 of 13 (53.8%), which the measure
    history hides ("c", secondary), so scrutiny reads "c" there; September 2024 covers 11 loaded
    months (not published, not listed). HR sees the same years exact on screen; its download is
    the published version."""
    import io

    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/turnover.py").run()
    assert not at.exception
    spec = next(s for s in specs(at) if any(t.get("name") == "Leavers with under a year's service" for t in s["data"]))
    legend = [t.get("name", "").replace("<br>", " ") for t in spec["data"]]
    assert "Grey band: x: published for the year to 30 September" in legend, legend
    table = next(d.value for d in at.dataframe if "Early-leaver rate (%)" in d.value.columns)
    assert list(table.columns) == ["Year to 30 September", "Early-leaver rate (%)", "Early leavers", "Leavers"]
    rows = [tuple(str(v) for v in r) for r in table.astype(object).to_numpy()]
    assert rows == [("2026", "31.3", "5", "16"), ("2025", "c", "c", "c")], rows

    from tests.app.test_app_download_files import Recorder
    from tests.downloaded import csv_records

    files = Recorder(monkeypatch)
    hr = make_app(monkeypatch, db=store, role="hr")
    hr.switch_page("views/turnover.py").run()
    assert not hr.exception
    table = next(d.value for d in hr.dataframe if "Early-leaver rate (%)" in d.value.columns)
    rows = [tuple(str(v) for v in r) for r in table.astype(object).to_numpy()]
    assert rows == [("2026", "31.3", "5", "16"), ("2025", "53.8", "7", "13")], rows
    name = next(n for n in files.files if "30-september" in n.lower() and n.endswith(".csv"))
    download = [tuple(r.values()) for r in csv_records(files.data(name))]
    assert download == [("2026", "31.3", "5", "16"), ("2025", "c", "c", "c")], download
