"""Issue 10's audit: what a scrutiny member sees, on every page, in every download, pack and
tracker answer, on the demo store and on an adversarial store of many small groups (a quarter of
the demo's size: whole services under the threshold); nothing small shown, nothing small
recoverable. And the mutation checks: bypass the policy for one table and the audit must fail.

What is observed, per store (built once for the module):
  - pages (AppTest, one per store): the latest month, both populations, the directorate and every
    service, switched through the sidebar's widgets, on every page a scrutiny member may open
    that follows the filters; benchmarks and the tracker once. Each page's dataframes, charts'
    data and hover text, and the Disclosed behind each download (checked to be the table drawn);
  - the data layer (the ui.data functions those pages call): the month before and the same month
    a year earlier, every population and service, every table including every measure a drill
    section offers by job type and by service (the pages draw the first measure; the rest are a
    click away);
  - every month: the measure history the cards, themes, trends and by-service tables read;
  - every tracker answer and a pack of every measure for each population.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from disclosure import SUPPRESSED, rules
from disclosure.cells import PEOPLE_RATES
from tests.app import disclosure_audit as audit_mod
from tests.app.test_app_frame import fresh_caches

T = rules().threshold
SCOPES = ("social_workers", "all_staff")


#: the adversarial store's size against the demo's: at a quarter, whole services are smaller than
#: the threshold in a population (SEND has 4 social workers, 3 of them employed, and 3 case
#: holders), so their totals, and the second service the measure history hides with them, must
#: not follow from the directorate minus the other services anywhere
ADVERSARIAL_SCALE = 0.25


def adversarial_frames(seed: int = 11, months: int = 13, scale: float = ADVERSARIAL_SCALE
                       ) -> list[tuple[str, dict[str, pd.DataFrame]]]:
    """A directorate (a quarter of the demo's size, another seed) whose answers are spread thin:
    rare genders, every ethnic group, few disabled, few living outside the county, leavers of
    every reason: many small groups in every table, and whole services under the threshold."""
    from demo import generate

    rng = np.random.default_rng(seed)
    out = []
    for period, frames in generate(months=months, scale=scale, seed=seed):
        staff = frames["Staff"].copy()
        n = len(staff)
        staff["gender"] = rng.choice(["Female", "Male", "Other", "Not known"], size=n, p=[0.7, 0.24, 0.03, 0.03])
        staff["ethnicity"] = rng.choice(["White", "Mixed", "Asian", "Black", "Other", "Not known"], size=n,
                                        p=[0.8, 0.04, 0.05, 0.05, 0.03, 0.03])
        staff["disability"] = rng.choice(["Y", "N"], size=n, p=[0.06, 0.94])
        staff["lives_in_county"] = rng.choice(["Y", "N"], size=n, p=[0.93, 0.07])
        frames = dict(frames, Staff=staff)
        leavers = frames["Leavers"].copy()
        if len(leavers):
            leavers["reason"] = rng.choice(["Resignation", "Retirement", "Dismissal", "Redundancy", "Other"],
                                           size=len(leavers))
            frames["Leavers"] = leavers
        out.append((period, frames))
    return out


@pytest.fixture(scope="module")
def stores(tmp_path_factory, demo_db):
    import metrics.aggregates  # noqa: F401  (loads refresh the metric aggregates, as the CLI's do)
    from ingest import loader
    from store import connect

    folder = tmp_path_factory.mktemp("audit")
    demo = folder / "demo.duckdb"
    shutil.copy(demo_db, demo)
    adversarial = folder / "adversarial.duckdb"
    con = connect(adversarial)
    try:
        for period, frames in adversarial_frames():
            loader.load_frames(con=con, frames=frames, period=period, loaded_by="audit test",
                               file_name=f"adversarial-{period}.xlsx", demo=True)
    finally:
        con.close()
    return {"demo": demo, "adversarial": adversarial}


def _use(mp, path: Path) -> None:
    from ui import db

    mp.setenv("WORKFORCE_DB", str(path))
    db.clear_caches()
    fresh_caches()


def truth(store, period, scope, service, name):
    """{(label, column): exact count} of a linked table (the store in use is `store`'s)."""
    return audit_mod.exact_figures(name, period=period, scope=scope, service=service)


def months_of(periods) -> list[str]:
    """The months checked on the data layer besides the latest: the one before (differencing over
    two months) and the same month a year earlier (a change on a year ago)."""
    latest = periods[-1]
    year_ago = (pd.Period(latest, "M") - 12).strftime("%Y-%m")
    return [p for p in dict.fromkeys([periods[-2], year_ago]) if p in periods]


def observe(mp, name: str, path: Path) -> tuple[list, list, list]:
    """(views, history, problems) of one store: everything a scrutiny member can see in it,
    checked while the store is in use (the exact figures are read from it)."""
    from ui import data, db
    from ui.data import measures
    from ui.filters import Filters

    _use(mp, path)
    mp.setenv("WORKFORCE_ROLE", "scrutiny")
    opts = data.filter_options()
    services = [None, *opts.services]
    views = []
    for period in [opts.periods[-1], *months_of(opts.periods)]:  # the latest: every drill measure too
        for scope in SCOPES:
            for service in services:
                tables = audit_mod.data_tables(Filters(period=period, scope=scope, service=service),
                                               drill=period == opts.periods[-1])
                views.append(audit_mod.View(name, period, scope, service, "data", tables=tables))
    views += audit_mod.render(mp, store=name, scopes=SCOPES, services=services)
    views.append(audit_mod.View(name, opts.periods[-1], "", None, "tracker and packs",
                                tables=tracker_and_pack_tables(path)))
    history = [(name, scope, measures.public_history(db.db_path(), db.data_version(), scope),
                measures.raw_history(db.db_path(), db.data_version(), scope)) for scope in SCOPES]
    return views, history, audit_mod.audit(views, truth, history)


def tracker_and_pack_tables(path: Path) -> dict:
    """Every tracker answer and a pack of every measure for each scope, as published."""
    from disclosure import Disclosed, disclose, prepared
    from metrics.catalogue import CATALOGUE
    from recommendations import links, packs
    from recommendations.seed import seed_if_empty
    from store import connect

    con = connect(path)
    out = {}
    try:
        seed_if_empty(con)
        for (link_id,) in con.execute("SELECT link_id FROM rec_links WHERE answers").fetchall():
            ans = links.answer(con, link_id=int(link_id), suppress=True)
            out[f"answer {link_id}"] = _answer_frame(ans)
        for scope in SCOPES:
            pid = packs.publish_pack(con, meeting_date=pd.Timestamp.today().date(), scope=scope,
                                     metric_ids=list(CATALOGUE), published_by="audit test")
            pack = packs.get_pack(con, pack_id=pid)
            prov = packs.provenance_table(pack)
            table = packs.pack_table(pack).assign(metric_id=pack.items["metric_id"].to_numpy(),
                                                  Numerator=prov["Numerator"].to_numpy(),
                                                  Denominator=prov["Denominator"].to_numpy())
            out[f"pack {scope}"] = _pack_frame(con, table, scope=scope, period=pack.header["period"])
    finally:
        con.close()
    return {k: disclose(v, prepared(v, by="the audit")) if not isinstance(v, Disclosed) else v
            for k, v in out.items()}


def _answer_frame(ans: pd.DataFrame) -> pd.DataFrame:
    """An answer's people columns under the audit's names (numerator, rest of the denominator)."""
    frame = ans.rename(columns={"group": "Group"})[["Group", "people"]].copy()
    if ans.attrs.get("metric_id") in PEOPLE_RATES:
        frame["Leavers"] = ans["numerator"]  # any people column name: the numerator is people
        frame["Conversions"] = [SUPPRESSED if SUPPRESSED in (n, d) else (None if n is None or d is None else d - n)
                                for n, d in zip(ans["numerator"], ans["denominator"])]
    return frame


def _pack_frame(con, table: pd.DataFrame, *, scope: str, period) -> pd.DataFrame:
    """A pack's people figures: counts, and for headcount rates the numerator, the rest of the
    denominator and the people with no recorded answer (the scope's headcount minus it)."""
    from disclosure.cells import KNOWN_ANSWER_RATES
    from metrics import detail
    from metrics.catalogue import CATALOGUE

    headcount = float(detail.ratio_trend(con, scope=scope, end=period)["headcount"].iloc[-1])
    rows = []
    for r in table.to_dict("records"):
        m = CATALOGUE[r["metric_id"]]
        row = {"Measure": r["Measure"], "Unit": "people" if m.unit == "count" else m.unit,
               "Value": r["Value"], "People": r["People"]}
        num, den = r["Numerator"], r["Denominator"]
        if r["metric_id"] in PEOPLE_RATES:
            row["Leavers"] = num
            row["Conversions"] = SUPPRESSED if SUPPRESSED in (num, den) else (
                None if num is None or den is None else den - num)
            row["people"] = SUPPRESSED if den == SUPPRESSED else (
                headcount - den if den is not None and r["metric_id"] in KNOWN_ANSWER_RATES else None)
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def observed(stores):
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKFORCE_DEMO", "1")  # as tests/conftest.py's demo_mode, for this module-wide fixture
    mp.delenv("WORKFORCE_ACCESS", raising=False)
    mp.delenv("WORKFORCE_LA_CODE", raising=False)
    try:
        yield {name: observe(mp, name, path) for name, path in stores.items()}
    finally:
        mp.undo()
        fresh_caches()


def test_scrutiny_sees_nothing_small_and_nothing_recoverable(observed):
    problems = [p for _, _, found in observed.values() for p in found]
    assert problems == [], "\n".join(problems[:40])
    for name, (views, history, _) in observed.items():
        pages = {v.page for v in views}
        assert set(audit_mod.PAGES) <= pages and "tracker and packs" in pages, name
        drawn = [v for v in views if v.page in audit_mod.FILTERED_PAGES]
        assert len(drawn) == len(audit_mod.FILTERED_PAGES) * len(SCOPES) * len({v.service for v in drawn})
        assert sum(len(v.tables) for v in drawn) > 300 and sum(len(v.charts) for v in drawn) > 200, name
        assert len(history) == len(SCOPES) and all(len(p) > 1000 for _, _, p, _ in history), name


def test_the_audit_really_solves_hidden_cells(observed):
    """The arithmetic part is exercised: hidden cells exist in linked tables on both stores."""
    for name, (views, _, _) in observed.items():
        hidden = sum((d.published.astype(str) == SUPPRESSED).to_numpy().sum()
                     for v in views for n, d in v.tables.items() if audit_mod.linked_spec(n))
        assert hidden > 100, name


# --- mutation checks: the audit must fail when the policy is bypassed for one table -------------


@pytest.fixture
def adversarial(stores, monkeypatch):
    monkeypatch.delenv("WORKFORCE_LA_CODE", raising=False)
    _use(monkeypatch, stores["adversarial"])
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    yield stores["adversarial"]
    fresh_caches()


def test_mutation_the_gender_table_published_raw_fails_the_audit(adversarial, monkeypatch):
    """The profile page's gender table handed over as it comes from the store (no policy), in
    every service's view: the audit, reading the page, must object (rare genders are small)."""
    from disclosure import Disclosed
    from ui import data
    from ui.data import people as people_mod

    real = people_mod._linked_cached

    def leaky(path, version, role, name, period, scope, service, team, extra):
        d = real(path, version, role, name, period, scope, service, team, extra)
        if name == "profile" and dict(extra).get("dimension") == "gender":
            build, _ = people_mod._table_for(name, dict(extra))
            raw = build(path, version, period, scope, service, team, **dict(extra))
            return Disclosed(shown=raw, published=raw, reasons=d.reasons.iloc[0:0], table=d.table)
        return d

    monkeypatch.setattr(people_mod, "_linked_cached", leaky)
    services = [None, *data.filter_options().services]
    views = audit_mod.render(monkeypatch, store="adversarial", scopes=SCOPES[:1], services=services,
                             pages=("profile",), once=())
    problems = audit_mod.audit(views, truth)  # unmutated, the same pages pass (the audit above)
    assert any("'Staff by gender'" in p for p in problems), problems[:10]


def test_mutation_a_table_without_secondary_suppression_fails_the_audit(adversarial, monkeypatch):
    """The disability table protected by primary suppression only (its secondary cells left
    visible, for this one table): no small count is on show, but the audit's arithmetic (each
    service's total minus its shown cells, the directorate minus the services) must find one."""
    from disclosure import cells
    from ui import data
    from ui.data import people as people_mod
    from ui.filters import Filters

    real = people_mod._linked_views

    def primary_only(path, version, role, name, period, scope, extra):
        if not (name == "profile" and dict(extra).get("dimension") == "disability"):
            return real(path, version, role, name, period, scope, extra)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(cells, "_secondary", lambda values, hidden, *a, **k: hidden.copy())
            m.setattr(cells, "_widen", lambda values, hidden, *a, **k: hidden)
            return real.__wrapped__(path, version, role, name, period, scope, extra)

    monkeypatch.setattr(people_mod, "_linked_views", primary_only)
    opts = data.filter_options()
    period = opts.periods[-1]
    views = [audit_mod.View("adversarial", period, scope, service, "data",
                            tables={"Staff by disability": data.profile(Filters(period=period, scope=scope,
                                                                                service=service),
                                                                        dimension="disability")})
             for scope in SCOPES for service in [None, *opts.services]]
    problems = audit_mod.audit(views, truth)
    assert problems and all("Staff by disability" in p and "lies in" in p for p in problems), problems[:10]
    assert not any(audit_mod.small_counts(v.tables["Staff by disability"].published, "") for v in views)


def test_a_small_services_employed_headcount_does_not_follow_from_the_headcount_lines(adversarial):
    """The Workforce profile's employed headcount line, social workers, latest month, on the
    adversarial store: the directorate 45, Children in Care 15, Safeguarding 22, Youth 5, SEND 3.
    Each service's line was protected alone, so Youth's 5 was drawn and SEND's 3 followed:
    45 - 15 - 22 - 5 = 3. The line now hides the months the measure history hides (its vacancy
    rate rests on the same people, and the history hides SEND's and Youth's): 45 - 37 = 8 is
    split between two hidden services."""
    from ui import data
    from ui.filters import Filters

    period = data.filter_options().periods[-1]
    latest = {s: data.headcount_trend(Filters(period=period, scope="social_workers", service=s))["value"].iloc[-1]
              for s in (None, "Children in Care", "Safeguarding and Family Support", "Youth", "SEND")}
    assert latest == {None: 45, "Children in Care": 15, "Safeguarding and Family Support": 22,
                      "Youth": SUPPRESSED, "SEND": SUPPRESSED}
