"""The agency cost panel's figures kept per load (metrics.agency.keep_cost, store.frames): the
latest month's cost table of the directorate and of each service, the conversion what-if's basis
and its limit, worked out by the load after the stored values and read by Agency & 80:20 and
Agency rules in one read. Kept == live (every cell, dtype and value type), the pages read the kept
copy (one changed in the store is what they show), and none is read once what it was worked out
from moved: an assignment edited in place, the agency rules file, a load that did not keep it.
Real stores built through the real loader (the demo's 36 months)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from agency.rules import SOCIAL_WORK_JOB_TYPES, load_rules, rules_path
from metrics import agency as figures
from metrics import engine
from store import connect, frames
from tests.app.test_agency_protection import SAFEGUARDING, _as
from tests.integration.test_published_history import load_next_month_without
from tests.integration.agency_fixtures import write_rules


def _kept(path) -> figures.KeptCost | None:
    with connect(path, read_only=True) as con:
        return figures.kept_cost(con, load_rules(rules_path()))


def _live(path, period: date, service: str | None) -> tuple[pd.DataFrame, dict, int]:
    """The cost table of `service`'s rows (None: every service), the what-if's basis and its limit,
    worked out from the checked rows as a page did before anything was kept."""
    rules = load_rules(rules_path())
    start = figures._months_back(period, 11)
    with connect(path, read_only=True) as con:
        rows = figures.checked(con, rules=rules, start=start, end=period, columns=figures.COST_COLUMNS,
                               filters=None if service is None else {"service": [service]})
        pay = figures.employed_pay(con, period=period)
        whole = figures.checked(con, rules=rules, start=start, end=period, columns=figures.COST_COLUMNS)
        basis = figures.conversion_basis(con, period=period, rules=rules, checked_frame=whole, pay=pay)
    return figures.cost_table(rows, period=period, rules=rules, pay=pay), basis, figures.social_workers(whole, period=period)


def test_the_load_kept_the_cost_figures_and_they_are_the_live_ones(demo_db):
    kept = _kept(demo_db)
    assert kept is not None, "the demo's last load kept no cost figures"
    with connect(demo_db, read_only=True) as con:
        latest = max(figures.assignment_periods(con))
        services = sorted(r[0] for r in con.execute(
            "SELECT DISTINCT service FROM agency_checked WHERE period > ? AND period <= ? AND service IS NOT NULL",
            [figures._months_back(latest, 12), latest]).fetchall())
    assert kept.period == latest
    assert list(kept.tables) == [None, *services] and SAFEGUARDING in services
    for view in kept.tables:
        table, basis, limit = _live(demo_db, latest, view)
        pd.testing.assert_frame_equal(kept.tables[view], table, check_exact=True, obj=str(view))
        assert kept.basis == basis and kept.social_workers == limit
    # real figures: the directorate's "All job types" counts every job type's workers, and the
    # what-if's limit is the month's agency social workers (distinct people)
    whole = kept.tables[None].set_index("job_type")
    assert whole.loc["All job types", "workers"] == whole.drop(index="All job types")["workers"].sum() > 0
    assert whole.loc["All job types", "premium_per_year"] > 0
    with connect(demo_db, read_only=True) as con:
        sw = con.execute("SELECT count(DISTINCT employee_id) FROM agency_checked WHERE period = ? "
                         "AND list_contains(?, job_type)", [latest, list(SOCIAL_WORK_JOB_TYPES)]).fetchone()[0]
    assert kept.social_workers == sw > 0
    assert kept.basis["agency_workers"] > 0 and "census pay items" in kept.basis["cost_source"]


def _panel(period: str, service: str | None = None) -> tuple:
    """What the cost panel shows: the cost table (exact and published), the what-if's limit and
    its answer for 3 workers."""
    from ui.data import agency
    from ui.filters import Filters

    f = Filters(period=period, service=service)
    return (agency.cost(f), agency.cost_table(f).published, agency.agency_social_workers(f),
            agency.what_if(f, converted=3))


def _same_panel(a: tuple, b: tuple) -> None:
    pd.testing.assert_frame_equal(a[0], b[0], check_exact=True)
    pd.testing.assert_frame_equal(a[1], b[1], check_exact=True)
    assert a[2:] == b[2:]


def test_the_pages_read_the_kept_cost_figures(monkeypatch, copy_demo_db):
    store = copy_demo_db
    kept_at = _kept(store).period
    period, before = f"{kept_at:%Y-%m}", f"{figures._months_back(kept_at, 1):%Y-%m}"
    with connect(store, read_only=True) as con:
        service, team = con.execute("SELECT service, team FROM agency_checked WHERE period = ? AND team IS NOT NULL "
                                    "ORDER BY service, team LIMIT 1", [kept_at]).fetchone()
    # the panel as worked out from the checked rows, with nothing kept
    with connect(store) as con:
        key, body = frames.bodies(con, figures.COST_VIEW)[figures.COST_VIEW]
        frames.forget(con, figures.COST_VIEW)
    _as(monkeypatch, store, "leadership")
    live = [_panel(period), _panel(period, SAFEGUARDING)]
    assert live[0][3] is not None and live[0][2] > 3
    with connect(store) as con:  # kept again, as the load kept it
        con.execute(f"INSERT INTO {frames.TABLE} (frame_name, key, body) VALUES (?, ?, ?)",
                    [figures.COST_VIEW, key, body])
    assert _kept(store) is not None

    def refuse(*a, **k):
        raise AssertionError("worked out again, not read kept")

    _as(monkeypatch, store, "leadership")
    with monkeypatch.context() as m:  # no checked rows, pay items or ratio read on the view
        for name in ("checked", "employed_pay", "conversion_basis", "cost_comparison"):
            m.setattr(figures, name, refuse)
        kept = [_panel(period), _panel(period, SAFEGUARDING)]
    for a, b in zip(kept, live):
        _same_panel(a, b)

    # the kept copy is what is shown: the directorate's premium a year and the what-if's limit
    with connect(store) as con:
        key, body = frames.bodies(con, figures.COST_VIEW)[figures.COST_VIEW]
        got = frames.loads_map(body)
        for label in [k for k in got if k.startswith("cost ")]:  # every view's table
            got[label].loc[got[label]["job_type"] == "All job types", "premium_per_year"] = 123456.0
        table = got["cost null"]
        got["facts"].loc[0, "social_workers"] = 4
        frames.write(con, figures.COST_VIEW, key, got)
    _as(monkeypatch, store, "leadership")
    altered = _panel(period)

    def premium(frame: pd.DataFrame) -> float:
        return frame.loc[frame["Job type"] == "All job types", "Premium a year at today's FTE (£)"].iloc[0]

    assert premium(altered[0]) == 123456 and altered[2] == 4
    # read only for the month it was kept for, and never for a team (worked out from its rows)
    from ui.data import agency
    from ui.filters import Filters

    assert team is not None and f"cost {json.dumps(service)}" in got
    assert premium(agency.cost(Filters(period=period, service=service))) == 123456
    for other in (Filters(period=period, service=service, team=team), Filters(period=before)):
        shown = agency.cost(other)
        assert len(shown) and premium(shown) != 123456, other
    # a body not as the load writes it (a table without its workers, a basis the what-if does not
    # take, its facts missing): not read, and no error
    facts = got["facts"].copy()
    facts.loc[0, "basis"] = json.dumps({"agency_workers": 3})
    no_facts = {k: f for k, f in got.items() if k != "facts"}
    for broken in (dict(got, **{"cost null": table.drop(columns="workers")}), dict(got, facts=facts), no_facts):
        with connect(store) as con:
            frames.write(con, figures.COST_VIEW, key, broken)
        assert _kept(store) is None
    _as(monkeypatch, store, "leadership")
    _same_panel(_panel(period), live[0])
    # with none kept, the page works them out again: as live
    with connect(store) as con:
        frames.forget(con, figures.COST_VIEW)
    _as(monkeypatch, store, "leadership")
    _same_panel(_panel(period), live[0])


@pytest.mark.parametrize("change", ["an assignment", "the agency rules", "a load without the hook"])
def test_cost_figures_are_never_read_once_what_they_were_worked_out_from_moved(copy_demo_db, monkeypatch,
                                                                             tmp_path, change):
    store = copy_demo_db
    latest = _kept(store).period
    if change == "a load without the hook":
        load_next_month_without(store, engine._cost_after_load, monkeypatch)
        assert _kept(store) is None
        return
    if change == "an assignment":  # one worker's hours charged edited in place at the latest month
        with connect(store) as con:
            con.execute("UPDATE agency_assignments SET hours = hours + 10 WHERE period = ? AND employee_id = "
                        "(SELECT min(employee_id) FROM agency_assignments WHERE period = ?)", [latest, latest])
    else:  # the employed cost the premium is measured against, changed in the rules file
        text = Path("data/agency_rules.toml").read_text()
        assert '"Social worker" = 50000' in text
        monkeypatch.setenv("WORKFORCE_AGENCY_RULES", str(write_rules(
            tmp_path / "rules.toml", text.replace('"Social worker" = 50000', '"Social worker" = 51000'))))
    assert _kept(store) is None
    # and kept again by the next refresh, as live
    with connect(store) as con:
        con.execute("BEGIN")
        figures.keep_checked(con)
        assert figures.keep_cost(con) > 0
        con.execute("COMMIT")
    kept = _kept(store)
    assert kept is not None
    table, basis, limit = _live(store, latest, None)
    pd.testing.assert_frame_equal(kept.tables[None], table, check_exact=True)
    assert kept.basis == basis and json.loads(json.dumps(basis)) == basis
