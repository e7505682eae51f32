"""Issue 10: "a caption that gives the true reason". A hidden cell captioned "fewer than 5 people"
(primary) must rest on 1 to 4 people; one hidden only so that a small group cannot be worked out
is captioned so, not "fewer than 5 people".

The sweep: as a scrutiny member, every drill view (each measure a drill section offers, by job
type and by service) and every other table the pages draw (tests/app/disclosure_audit.py
`data_tables`, the list the audit holds every page table to), at the latest month and September
2026, for the directorate and for a service; "what changed" as leadership downloads it (scrutiny's
screen leaves those rows out). Each caption's "N figures fewer than T people" must count exactly
the hidden cells whose true count (the store's, through the metrics engine, or leadership's view of
the same table) is 1 to T-1: a drill row hidden because its rate rests on 2 leavers has a People
of 16 that is not few (the error: all of it "fewer than 5 people"), and a turnover rate of 1
leaver among 8 hidden with its service is few (the reverse error: "hidden so that a small group
cannot be worked out").
"""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from disclosure.cells import PEOPLE_RATES
from disclosure.policy import PEOPLE_FTE_RATES
from tests.app.disclosure_audit import PEOPLE_COLUMNS, SHORT, _drill_measures, data_tables, is_c, number

T = 5
#: the FTE rates (disclosure.policy.PEOPLE_FTE_RATES): turnover's FTE is of the 12 months' leavers
TURNOVER, LEAVERS = "turnover_rate_fte_12m", "early_leaver_rate_12m"
assert PEOPLE_FTE_RATES == {TURNOVER, "agency_rate_fte"}
CAPTION = re.compile(r"(\d+) figures? fewer than (\d+) people")
#: tables made of measure rows at the month (ui.data measures_table): Measure, Value, ..., People
MEASURE_ROWS = ("Headline measures", " measures")


def _captioned_primary(caption: str) -> int:
    found = CAPTION.search(caption or "")
    if found is None:
        return 0
    assert int(found.group(2)) == T, caption
    return int(found.group(1))


def _small(counts) -> bool:
    return any(x is not None and not math.isnan(x) and 0 < x < T for x in counts)


def _engine_rows(mid: str, by: str, period: str, service: str | None) -> dict:
    """{group: the engine's exact row} of a measure by `by` at `period` (the store's truth)."""
    from metrics import engine
    from disclosure.linked import engine_filters
    from ui import db

    with db.open_cursor() as cur:
        frame = engine.history(cur, scope="social_workers", by=by, metric_ids=[mid],
                               filters=engine_filters(service, None), start=period + "-01", end=period + "-01")
    return {g: r for g, r in zip(frame["group"], frame.to_dict("records")) if isinstance(g, str)}


def _people_of(mid: str, row: dict | None, leavers: dict | None = None) -> list[float]:
    """The people a measure's figure rests on, worked from the engine row by the issue's rule: its
    base, a count's value; a rate's numerator where the numerator counts people (headcounts), and a
    headcount rate's rest ("17 of 18" rests on 1); an FTE rate's (turnover) leavers, the early-
    leaver rate's denominator (`leavers`, its engine row in the same view and month), never the FTE
    itself (2.7 FTE may be 3 people or 9); the agency rate's agency FTE: nothing (no count of them)."""
    from metrics import catalogue

    if row is None:
        return []
    out = [number(row["base_count"])]
    if catalogue.get(mid).unit == "count":
        out.append(number(row["value"]))
    if mid in PEOPLE_RATES:
        out.append(number(row["numerator"]))
    if mid == TURNOVER and leavers is not None:
        out.append(number(leavers["denominator"]))
    if mid in PEOPLE_RATES and number(row["denominator"]) is not None and number(row["numerator"]) is not None:
        out.append(number(row["denominator"]) - number(row["numerator"]))
    return [x for x in out if x is not None]


def _measure_rows(period: str, service: str | None) -> dict:
    """{measure label: the engine's exact row} of every measure at `period` (the store's truth)."""
    from disclosure.linked import engine_filters
    from metrics import catalogue, engine
    from ui import db

    with db.open_cursor() as cur:
        frame = engine.history(cur, scope="social_workers", filters=engine_filters(service, None),
                               start=period + "-01", end=period + "-01")
    return {catalogue.get(m).label: (m, r) for m, r in zip(frame["metric_id"], frame.to_dict("records"))}


def _measures_truth(rows: dict, pub: pd.DataFrame):
    from metrics import catalogue

    def truth(i: int, c: str):
        found = rows.get(pub["Measure"].iat[i])
        if found is None:
            return None
        mid, row = found
        if c == "People":
            return [number(row["base_count"])]
        if c in ("Value", "Change on a year ago"):
            return _people_of(mid, row, rows.get(catalogue.get(LEAVERS).label, (None, None))[1])
        return []  # Status, Small group, Over 12 months, Compared with neighbours: count nobody
    return truth


def _check(name: str, d, truth) -> list[str]:
    """Findings of one table: `truth(row, column)` gives the people a hidden cell rests on (None:
    not known here). The caption's count of primary cells must be the cells the reasons call
    primary, each resting on a few; a hidden cell resting on a few must not be called secondary."""
    out = []
    pub, why = d.published, d.reasons
    primary = 0
    for c in pub.columns:
        for i in range(len(pub)):
            if not is_c(pub[c].iat[i]):
                continue
            reason = why[c].iat[i]
            primary += reason == "primary"
            counts = truth(i, c)
            if counts is None:
                continue
            if reason == "primary" and not _small(counts):
                out.append(f"{name}: {pub.iloc[i, 0]} / {c} captioned fewer than {T} people, rests on {counts}")
            if reason == "secondary" and _small(counts):
                out.append(f"{name}: {pub.iloc[i, 0]} / {c} captioned secondary, rests on {counts}")
    if _captioned_primary(d.caption(published=True)) != primary:
        out.append(f"{name}: caption '{d.caption(published=True)}' counts not {primary}")
    return out


def _drill_truth(mid: str, rows: dict, labels: pd.Series, columns, leavers: dict | None = None) -> callable:
    value_col, people_col = columns

    def truth(i: int, c: str):
        row = rows.get(labels.iat[i])
        if c == people_col:
            return [number(row["base_count"])] if row else None
        if c == value_col:
            return _people_of(mid, row, (leavers or {}).get(labels.iat[i])) if row else None
        return []  # Small group, Status: count nobody
    return truth


def _sweep(monkeypatch, periods, services) -> list[str]:
    from ui import data
    from ui.filters import Filters

    found = []
    for period in periods:
        for service in services:
            f = Filters(period=period, service=service)
            monkeypatch.setenv("WORKFORCE_ROLE", "leadership")
            exact = data_tables(f)
            moved = {}
            for mid in _drill_measures():
                m = data.what_changed(mid, f, by="service")
                if not m.empty:
                    moved[mid] = (m, data.what_changed_table(m, metric_id=mid, by="service"))
            monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
            tables = data_tables(f)
            drills = {}
            for mid, label in _drill_measures().items():
                for by, word in (("role_group", "job type"), ("service", "service")):
                    drills[f"{SHORT.get(mid, label)} by {word}"] = (mid, by)
            for name, d in tables.items():
                if name in drills:
                    mid, by = drills[name]
                    rows = _engine_rows(mid, by, period, service)
                    leavers = _engine_rows(LEAVERS, by, period, service) if mid == TURNOVER else None
                    found += _check(f"{period} {service} {name}", d,
                                    _drill_truth(mid, rows, d.published.iloc[:, 0], d.published.columns[1:3], leavers))
                elif name.startswith("What changed") or (d.period and d.period != period):
                    continue  # leadership's file below; a table published for another month: at its own
                elif name.endswith(MEASURE_ROWS):
                    rows = _measure_rows(period, service)
                    found += _check(f"{period} {service} {name}", d, _measures_truth(rows, d.published))
                else:
                    lead = exact[name].shown

                    def truth(i, c, d=d, lead=lead):
                        if c not in PEOPLE_COLUMNS:
                            return None
                        same = lead[lead.iloc[:, 0].astype(str) == str(d.published.iloc[i, 0])]
                        if len(same) != 1 or c not in same.columns or number(same[c].iat[0]) is None:
                            return None
                        return [number(same[c].iat[0])]
                    found += _check(f"{period} {service} {name}", d, truth)
            for mid, (m, d) in moved.items():  # leadership's file: the hidden rows read "c"
                ago = (pd.Period(period, "M") - 12).strftime("%Y-%m")
                now, then = _engine_rows(mid, "service", period, service), _engine_rows(mid, "service", ago, service)
                left = ({}, {}) if mid != TURNOVER else (_engine_rows(LEAVERS, "service", period, service),
                                                         _engine_rows(LEAVERS, "service", ago, service))
                cols = list(d.published.columns)

                def truth(i, c, m=m, mid=mid, now=now, then=then, cols=cols, left=left):
                    g = m["group"].iat[i]
                    if c == cols[1]:
                        return _people_of(mid, now.get(g), left[0].get(g))
                    if c == "A year ago":
                        return _people_of(mid, then.get(g), left[1].get(g))
                    if c == "Change":
                        return _people_of(mid, now.get(g), left[0].get(g)) + _people_of(mid, then.get(g), left[1].get(g))
                    if c == "People now":
                        return [number(m["base_count"].iat[i])]
                    if c == "People a year ago":
                        return [number(m["base_then"].iat[i])]
                    return None
                found += _check(f"{period} {service} What changed - {mid} (leadership's file)", d, truth)
    return found


def test_every_caption_counts_as_few_only_cells_resting_on_few_people(app_store, monkeypatch):
    from ui import data

    opts = data.filter_options()
    periods = sorted({opts.periods[-1], "2026-09"})
    found = _sweep(monkeypatch, periods, [None, opts.services[0]])
    assert found == [], "\n".join(found)


def test_scrutinys_turnover_page_captions_the_three_rates_on_few_leavers_as_few(app_store, monkeypatch):
    """On screen (AppTest), scrutiny, Turnover, October 2026, "By service": the 16 hidden figures
    of the turnover rate by service. SEND's rate rests on 1 leaver of 8, Safeguarding's on 4 of
    66 and Youth's on 3 leavers (2.7 FTE) of 8 (leadership: `python -m metrics --period 2026-10
    --by service`, the early-leaver rate's denominator and base_count; the FTE is never read as
    people): 3 figures fewer than 5 people; their Status, and Children in Care's rate and Status,
    5 hidden so that a small group cannot be worked out (it read "16 figures hidden so that ..."
    before captions20, then "3 ...; 13 ..." while the People 38, 8, 66, 8 and their Small group
    flags were hidden with the rates: shown since policy21/22, the starters' and vacancy rate's rows
    publish them: tests/app/test_drill_people_shown.py)."""
    from tests.app.test_app_frame import make_app

    at = make_app(monkeypatch, db=app_store, role="scrutiny")
    at.switch_page("views/turnover.py").run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    want = ("c: 3 figures fewer than 5 people; 5 figures hidden so that a small group cannot be worked out "
            "from the other figures.")
    assert any(c.endswith(want) for c in captions), captions


#: the linked profile tables (disclosure.linked "profile"), each with its category column
PROFILE_TABLES = {"Staff by age": "Age", "Staff by ethnic group": "Ethnic group", "Staff by gender": "Gender",
                  "Staff by disability": "Disabled"}


def test_a_small_not_known_hidden_to_protect_others_is_captioned_fewer_than_5_people(app_store, monkeypatch):
    """Demo, social workers, October 2026, scrutiny: the profile tables of Safeguarding and Family
    Support and of Youth hide "Not known" counts of 1 and 2 (never hidden for being small:
    rules.shown_whatever_size; hidden to protect a small group beside them). Each is captioned
    "fewer than 5 people", its true reason (disclosure.policy.true_reason): they read "hidden so that
    a small group cannot be worked out", which says 0 or at least 5 (captions21's per-cell audit:
    Safeguarding's age 1 and ethnic group 2, Youth's disability 2, ethnic group 1 and gender 1).
    Every hidden People count of 1 to 4 in these tables is captioned primary, checked against the
    exact figures (tests/app/disclosure_audit.py exact_figures)."""
    from tests.app.disclosure_audit import exact_figures
    from ui import data
    from ui.filters import Filters

    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    period = data.filter_options().periods[-1]
    assert period == "2026-10"
    small_not_known, wrong = [], []
    for service in ("Safeguarding and Family Support", "Youth"):
        tables = data_tables(Filters(period=period, service=service))
        for name, label in PROFILE_TABLES.items():
            d = tables[name]
            exact = exact_figures(name, period=period, scope="social_workers", service=service)
            pub = d.published
            for i in range(len(pub)):
                if not is_c(pub["People"].iat[i]):
                    continue
                lab = str(pub[label].iat[i])
                true = exact.get((lab, "People"))
                if true is not None and 0 < true < T:
                    if lab == "Not known":
                        small_not_known.append((service, name, true))
                    if d.reasons["People"].iat[i] != "primary" or d.reasons["Share (%)"].iat[i] != "primary":
                        wrong.append((service, name, lab, true, d.reasons["People"].iat[i]))
    assert wrong == []
    assert sorted(small_not_known) == [
        ("Safeguarding and Family Support", "Staff by age", 1.0),
        ("Safeguarding and Family Support", "Staff by ethnic group", 2.0),
        ("Youth", "Staff by disability", 2.0),
        ("Youth", "Staff by ethnic group", 1.0),
        ("Youth", "Staff by gender", 1.0)]
