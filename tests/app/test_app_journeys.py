"""The councillor's and director's journeys (issue 12) on the real demo store through the real app.

Why: a part-year figure must never get a verdict, every figure must say how many people it rests
on, and the Strategy themes page must say which theme is failing before any card.
"""

from __future__ import annotations

import pytest

from tests.app.test_app_frame import drill_choice, make_app, sidebar_box


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    import shutil

    dst = tmp_path_factory.mktemp("journeys") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def table_with(at, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_first_loaded_month_gives_no_verdict_on_twelve_month_measures(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    month = sidebar_box(at, "Month")
    month.set_value(month.options[-1]).run()  # newest first: the last is the first loaded month
    assert not at.exception
    badges = [m.value for m in at.markdown]
    assert any("Not enough months loaded (covers 1 of 12)" in b for b in badges), badges[:12]
    table = table_with(at, "Period covered")
    turnover = table[table["Measure"].str.startswith("Turnover")].iloc[0]
    assert turnover["Status"] == "Not enough months loaded (covers 1 of 12)"
    assert turnover["Target"] == "at most 11.8%"
    # and the latest month, with 12 months loaded, has a verdict again
    month.set_value(month.options[0]).run()
    table = table_with(at, "Period covered")
    turnover = table[table["Measure"].str.startswith("Turnover")].iloc[0]
    assert turnover["Status"] in ("On target", "Close to target", "Off target")


def test_every_card_and_row_says_how_many_people_it_rests_on(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    captions = [c.value for c in at.caption]
    assert sum("Based on " in c and " people" in c for c in captions) >= 5
    table = table_with(at, "People")
    agency = table[table["Measure"] == "Agency share of FTE"].iloc[0]
    assert float(agency["People"]) > 20 and agency["Small group"] == "—"
    assert "None" not in table.astype(str).to_string()


def _summary_rows(at):
    table = next(m.value for m in at.markdown if m.value.startswith("| Theme |"))
    lines = table.splitlines()
    cols = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        rows.append(dict(zip(cols, cells)))
    return rows


def test_themes_page_says_which_theme_is_failing_first(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/themes.py").run()
    assert not at.exception
    rows = _summary_rows(at)
    assert len(rows) == 6
    n = lambda v: 0 if v == "—" else int(v)  # noqa: E731
    offs = [n(r["Off"]) for r in rows]
    assert offs == sorted(offs, reverse=True) and offs[0] >= 1  # worst first
    # each theme links to its own section, and its counts agree with that section's table
    tables = {d.value["Measure"].iloc[0]: d.value for d in at.dataframe if "Period covered" in d.value.columns}
    for r in rows:
        name = r["Theme"][1:r["Theme"].index("]")]
        anchor = r["Theme"][r["Theme"].index("(#") + 2:-1]
        assert anchor in {h.proto.anchor for h in at.header}, anchor  # the link lands on the theme header
        table = next((t for t in tables.values() if set(t["Measure"]) & set(_theme_measures(name))), None)
        assert table is not None, name
        statuses = list(table["Status"])
        assert n(r["Off"]) == statuses.count("Off target"), name
        assert n(r["On"]) == statuses.count("On target"), name
        assert n(r["Measures"]) == len(statuses)
        assert "None" not in table.astype(str).to_string()
    # the equality theme has no target: its measures are judged by their direction of travel
    equality = next(r for r in rows if "equality" in r["Theme"])
    assert n(equality["No target"]) + n(equality["Not enough data"]) == n(equality["Measures"])
    assert equality["Without a target, over 12 months"] != "—"
    assert any("over 12 months" in m.value for m in at.markdown if "badge" in m.value)


def _theme_measures(theme: str) -> list[str]:
    from metrics import catalogue

    return [m.label for m in catalogue.by_theme()[theme]]


@pytest.fixture(scope="module")
def store_with_dfe(tmp_path_factory, demo_db, reference_dir):
    """The demo store with the published DfE indicators and neighbour model imported."""
    import shutil

    from ingest.published import import_files
    from store import connect

    dst = tmp_path_factory.mktemp("journeys-dfe") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    con = connect(dst)
    try:
        import_files(con, paths=[reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv",
                                 reference_dir / "dfe" / "sn_model_2025_wide.csv"], imported_by="test")
    finally:
        con.close()
    return dst


def test_overview_sets_each_headline_beside_england_and_the_neighbours(monkeypatch, store_with_dfe):
    at = make_app(monkeypatch, db=store_with_dfe, role="scrutiny")
    table = table_with(at, "Statistical-neighbour median")
    agency = table[table["Measure"] == "Agency share of FTE"].iloc[0]
    # DfE 2025: England 13.0%, median of Herefordshire's 10 statistical neighbours 8.7%
    assert (float(agency["England"]), float(agency["Statistical-neighbour median"])) == (13.0, 8.7)
    value = float(agency["Value"])
    gap = value - 8.7
    assert agency["Compared with neighbours"] == (
        f"{abs(gap):.1f} points {'higher' if gap > 0 else 'lower'} than the statistical-neighbour median "
        f"(Sept 2025) (8.7%): {'worse' if gap > 0 else 'better'}")
    caseload = table[table["Measure"] == "Average caseload"].iloc[0]
    assert (float(caseload["England"]), float(caseload["Statistical-neighbour median"])) == (15.2, 16.4)
    captions = " ".join(c.value for c in at.caption)
    assert "than the statistical-neighbour median (Sept 2025) (8.7%)" in captions


def test_turnover_page_drills_to_the_team_that_moved_the_figure(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/turnover.py").run()
    assert not at.exception
    assert list(drill_choice(at).options) == ["Service", "Team", "Job type"]
    assert not any("Team" in d.value.columns for d in at.dataframe)  # one breakdown at a time
    drill_choice(at).set_value("team").run()
    assert not at.exception
    by_team = next(d.value for d in at.dataframe if "Team" in d.value.columns and "Small group" in d.value.columns)
    values = by_team.iloc[:, 1].astype(float)
    assert list(values) == sorted(values, reverse=True)  # a ranking, largest first
    changed = next(d.value for d in at.dataframe if "Team" in d.value.columns and "People now" in d.value.columns)
    assert 1 <= len(changed) <= 5
    weights = [abs(float(c.split()[0])) * float(p) for c, p in zip(changed["Change"], changed["People now"])]
    assert weights == sorted(weights, reverse=True) or max(weights) - min(weights) < 1  # rounding
    top = changed.iloc[0]
    row = by_team[by_team["Team"] == top["Team"]].iloc[0]
    assert float(top.iloc[1]) == float(row.iloc[1]) and float(top["People now"]) == float(row["People"])
    now, then = float(top.iloc[1]), float(top["A year ago"])
    assert top["Change"].startswith(f"{abs(now - then):.1f} points {'higher' if now > then else 'lower'}")


def test_scrutiny_drills_by_service_and_job_type_only(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/turnover.py").run()
    assert not at.exception
    assert list(drill_choice(at).options) == ["Service", "Job type"]
    drill_choice(at).set_value("role_group").run()
    assert not at.exception
    assert any("Job type" in d.value.columns and "People now" in d.value.columns for d in at.dataframe)
    for d in at.dataframe:
        if "People now" in d.value.columns:
            assert (d.value["People now"].astype(float) >= 5).all()
            assert (d.value["People a year ago"].astype(float) >= 5).all()
