"""The Agency rules compliance tables as published, decided once per load and kept in the store.

Why here (below ui/): each month's compliance figures are one decision (disclosure.policy.
disclose_with_totals) for the directorate, every service with assignments and the assignments of
no service: first the totals of every view (its summary, its row of the trend, its row of the
directorate's table by service), then each view's table by job type around them. The decision is
the same for every visitor and rests only on the month's figures and the rules. The page's trend
shows every month's totals: deciding them on its first view after a load cost ~125 ms of CPU (36
demo months). So, like the measure history (disclosure.history), each load decides the totals
again for the months whose figures changed, in its own transaction (ingest.loader.AFTER_WRITE),
and keeps them in the store (store.kept, migration 83) beside a fingerprint of the month's
figures and the signature of the code and rules. A reader applies the kept months only where
both still match (the figures are worked out again from the checked assignments, which the page
reads anyway); otherwise it decides live. Either way the tables are exactly the live decision's
(tests/integration/test_kept_compliance.py). Each month's tables by job type are decided around
its totals by the same load and kept beside them (`jobs_decided` reads them when the month's
totals and tables are the figures decided on): a month whose tables need linear programming took
1-2 s to show when a visitor picked it.

What the page's first view reads of all this (every view's summaries, every month's decided totals,
the latest month's tables by job type) is worked out once more by the same load from what it
kept, and kept whole (`keep_view`, store.frames): reading it is one read of ~30 ms where working
it out from the kept rows and decisions cost ~150 ms of the first view.

Public: `summaries`, `kept_summaries`, `summaries_signature`, `every_month`, `jobs_decided`, `totals_rows`, `rows`, `kept`, `refresh`,
`signature`, `register`, `keep_view`, `kept_view`, `view_key`, `KeptView`, `VIEW_NAME`, the table
declaration `BY_GROUP` and its columns.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from disclosure.cells import SuppressionError
from disclosure.policy import Disclosed, DisclosureError, disclose_with_totals, people, sees_exact
from disclosure.rules import RulesError, decision_signature, rules
from store import kept as store_kept

#: the kept decisions' kind in store.kept (one row a month: every view's tables; no scope)
KIND, SCOPE, KEY = "agency_compliance", "assignments", "month"

COUNT_COLUMNS = ["Assignments", "With a cap", "Within cap", "Cap breaches not signed off", "Under 3 years",
                 "Notice below minimum", "References incomplete", "Cool-off breaches",
                 "Over 12 months", "Project team"]
#: what the by-group table's cells count (assignments are people: one worker each)
BY_GROUP = people(counts=COUNT_COLUMNS, rates={"Within cap (%)": "With a cap"},
                  numerators={"Within cap (%)": "Within cap"},
                  # the mean over the assignments above the cap: hidden with the share, which is
                  # hidden where those assignments are few
                  follow={"£/h above cap": ["Assignments", "Within cap (%)"]})
#: each count is part of another of its row (a reader knows it cannot exceed it); the
#: assignments within the cap are part of those with a cap, and the rest (above the cap) is
#: protected too (the share's numerator: disclosure.policy.disclose_with_totals)
WITHIN = {**{c: "Assignments" for c in COUNT_COLUMNS if c not in ("Assignments", "Within cap")},
          "Within cap": "With a cap"}
#: assignments with no service (metrics.agency.summarise's label): not on the month's Staff
#: sheet, so their job types are in no service's table; a part of the directorate of its own
NO_SERVICE = "Not on Staff sheet"
NAME = "Agency compliance"

_PAIR = "\x1f"  # joins a service and a job type into one group label (never in either)


# ------------------------------------------------------------------------------------------
# the figures


def summaries(whole: pd.DataFrame) -> dict:
    """metrics.agency.summarise of every view over every month at once, by nothing, job type and
    service, from the checked assignments of every month (`whole`): {(view, by): frame} (view
    None: the directorate; NO_SERVICE: assignments of no service). Each month's rows are exactly
    what summarising that month alone gives (rows are grouped by month); a service's assignments
    are the directorate's of that service (each is checked on its own), so one read serves every
    view and month."""
    from metrics.agency import summarise

    out = {(None, by): summarise(whole, by=by) for by in (None, "job_type", "service")}
    if whole.empty:
        return out
    by_service = out[(None, "service")]
    nobody = out[(None, None)]["group"]  # summarise by nothing: no group (as its own call gives it)
    for s, at in by_service.groupby("group", sort=False).groups.items():
        part = by_service.loc[at].reset_index(drop=True)
        part["group"] = pd.Series([nobody.iloc[0]] * len(part), dtype=nobody.dtype)
        out[(s, None)] = part
    # every service's job types from one call: grouped by "service, job type" (the team column
    # carries the pair), each group the rows a service's own summary by job type groups
    pairs = whole.assign(team=whole["service"].fillna(NO_SERVICE) + _PAIR + whole["job_type"].astype(str))
    both = summarise(pairs, by="team")
    service = both["group"].str.split(_PAIR, n=1).str[0]
    for s, at in both.groupby(service, sort=False).groups.items():
        part = both.loc[at].reset_index(drop=True)
        part["group"] = part["group"].str.split(_PAIR, n=1).str[1]
        out[(s, "job_type")] = part
    return out


def as_table(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """metrics.agency.summarise rows as the page's table (group label first, then the columns)."""
    return pd.DataFrame({
        label: frame["group"],
        "Assignments": frame["assignments"],
        "With a cap": frame["with_cap"],
        "Within cap": frame["within_cap"],
        "Within cap (%)": (frame["agency_within_cap_share"].astype(float) * 100).round(1),
        "£/h above cap": frame["agency_above_cap_per_hour"],
        "Cap breaches not signed off": frame["agency_cap_breaches_unsigned"],
        "Under 3 years": frame["agency_under_experience"],
        "Notice below minimum": frame["agency_notice_below_minimum"],
        "References incomplete": frame["agency_references_incomplete"],
        "Cool-off breaches": frame["agency_cool_off_breaches"],
        "Over 12 months": frame["agency_long_assignments"],
        "Project team": frame["agency_project_team_workers"],
    }).reset_index(drop=True)


def totals_frame(frame: pd.DataFrame, views: list) -> pd.DataFrame:
    """Views' totals (summarise rows, one per view) as rows of the table by service."""
    out = as_table(frame, "Service")
    out["Service"] = [v if v is not None else "All services" for v in views]
    return out


def in_month(frame: pd.DataFrame, when: date | None) -> pd.DataFrame:
    if frame.empty:
        return frame
    return frame[frame["period"] == when].reset_index(drop=True)


def _all_totals(sums: dict) -> tuple[list[str], list, pd.DataFrame] | None:
    """(month 'YYYY-MM' of each row, its view, the totals of every view and month): each month's
    rows together, the directorate's first; None without assignments."""
    frame = pd.concat([sums[(None, None)], sums[(None, "service")]], ignore_index=True)
    if frame.empty:
        return None
    frame = frame.sort_values("period", kind="stable").reset_index(drop=True)  # each month: directorate first
    views = [g if isinstance(g, str) else None for g in frame["group"]]
    months = [f"{p:%Y-%m}" for p in frame["period"]]
    return months, views, totals_frame(frame, views)


def month_totals(sums: dict, period: str | None) -> tuple[list, pd.DataFrame] | None:
    """(views, their exact totals: one row each, labelled by service) at `period`: the
    directorate (None, first), each service with assignments and NO_SERVICE; None without
    assignments then."""
    if not period:
        return None
    when = date.fromisoformat(period + "-01")
    by_service = in_month(sums[(None, "service")], when)
    if by_service.empty:
        return None
    views = [None, *by_service["group"]]
    frame = pd.concat([in_month(sums[(None, None)], when), by_service], ignore_index=True)
    return views, totals_frame(frame, views)


def month_jobs(sums: dict, period: str, views: list) -> dict:
    """{view: its table by job type} at `period`."""
    when = date.fromisoformat(period + "-01")
    return {v: as_table(in_month(sums[(v, "job_type")], when), "Job type") for v in views}


# ------------------------------------------------------------------------------------------
# the decisions (live)


def every_month(sums: dict, role: str | None, *, entries: Mapping | None = None, shown: Mapping | None = None):
    """([(month 'YYYY-MM', view)], Disclosed totals: one row per month and view; None without
    assignments).

    Each month's compliance figures are one decision (disclosure.disclose_with_totals) for the
    directorate (None), every service with assignments and NO_SERVICE: each view's summary, its
    table by job type and the directorate's table by service publish the same decision for the
    same figure, so none of them gives a hidden one away by subtraction (a service's summary
    showing its 5 gave another's hidden 2 away as the directorate's 7 minus 5). The totals of
    every month are decided each month on its own (the trend shows them all); the month's tables
    by job type are decided around them (`jobs_decided`). `entries`: the decisions kept in the store
    (`kept(con)`), used when every month's answer for these figures. `shown`: the totals the
    measure history publishes (`history_shown(con)`), known to the decision."""
    got = _all_totals(sums)
    if got is None:
        return [], None
    months, views, frame = got
    keys = list(zip(months, views))
    known = shown_frame(months, views, frame, shown)
    done = _kept_totals(entries, months, frame, role, known) if entries else None
    return keys, (done if done is not None else _decide_totals(months, views, frame, role, known))


def _decide_totals(months: list[str], views: list, frame: pd.DataFrame, role: str | None,
                   known: pd.DataFrame) -> Disclosed:
    return disclose_with_totals({}, frame, BY_GROUP, views=views, blocks=months, role=role, name=NAME,
                                unpublished=[NO_SERVICE], within=WITHIN, counted_rests=COUNTED_RESTS,
                                shown_totals=known, rests_shown=RESTS_SHOWN)[1]


#: the measure history's agency measures whose numerator and denominator are a view's
#: compliance totals (the columns of the tables: numerator, denominator)
HISTORY_MEASURES = {"agency_within_cap_rate": ("Within cap", "With a cap"),
                    "agency_unsigned_cap_breach_rate": ("Cap breaches not signed off", "Assignments"),
                    "agency_under_experience_rate": ("Under 3 years", "Assignments"),
                    "agency_short_notice_rate": ("Notice below minimum", "Assignments"),
                    "agency_references_incomplete_rate": ("References incomplete", "Assignments"),
                    "agency_cool_off_breach_rate": ("Cool-off breaches", "Assignments"),
                    "agency_long_assignment_rate": ("Over 12 months", "Assignments"),
                    "agency_project_team_rate": ("Project team", "Assignments")}


#: the measure history's agency measures whose denominator is the rest of a compliance total
#: within another (WITHIN): the £ above the price cap is averaged over the assignments above it,
#: those with a cap less those within it. {measure: the part}; the figure is read as `ABOVE_CAP`
HISTORY_RESTS = {"agency_above_cap_per_hour": "Within cap"}
#: the column of `shown_frame` (and key of `history_shown`) for the assignments above the cap as
#: the history shows them: not a column of the tables (the rest of "Within cap" in "With a cap")
ABOVE_CAP = "Above cap"
#: {part of WITHIN: the column of `shown_frame` holding its rest as shown elsewhere}
#: (disclose_with_totals' `rests_shown`)
RESTS_SHOWN = {part: ABOVE_CAP for part in HISTORY_RESTS.values()}


def history_shown(con: duckdb.DuckDBPyConnection) -> dict:
    """{(month 'YYYY-MM', view): {column: {figures}}}: what the published measure history
    (disclosure.history, every population) shows of the compliance totals (HISTORY_MEASURES'
    numerators and denominators where it does not hide them, and HISTORY_RESTS' denominators:
    the assignments above the cap, as ABOVE_CAP; view None the directorate). Read
    from the decisions the last load kept (store.published) when they are today's (this code
    and rules, and the stored values current: `engine.values_fresh`), else from the history
    decided now. A figure counts as the compliance total only where it is the same
    number (`shown_frame`): a population's figure may count fewer assignments (the history
    counts those on the Staff sheet)."""
    from disclosure import history
    from metrics import engine
    from metrics.types import SCOPES, MetricError
    from store import published as kept_history

    ids = [*HISTORY_MEASURES, *HISTORY_RESTS]
    try:
        # the kept rows hold the figures of their load: read only while the stored values answer
        # for today's declarations, agency rules and data (an edited rules file moves the figures)
        current = kept_history.kept_key(con) == history.signature() and engine.values_fresh(con)
        if current:  # only the shown rows of these measures (a few hundred of ~10,000), none hidden
            frames = [kept_history.read(con, metric_ids=ids, shown_only=True, columns=_SHOWN_COLUMNS)]
        else:  # (what cannot be read is published nowhere: nothing known from it)
            frames = [history.published(con, scope=scope) for scope in SCOPES]
    except (RulesError, MetricError, SuppressionError, DisclosureError):
        return {}
    if not current:
        frames = [f[f["metric_id"].isin(ids).to_numpy()
                    & np.array([not isinstance(g, str) for g in f["group"]], dtype=bool)] for f in frames]
    out: dict = {}
    for f in frames:
        f = f[~f["suppressed"].astype(bool).to_numpy()]
        if f.empty:
            continue
        # each figure as a number where it is one (a hidden figure's "c" is not), NaN otherwise
        figures = [pd.to_numeric(f[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                   .tolist() for c in ("numerator", "denominator")]
        months = np.datetime_as_string(pd.to_datetime(f["period"]).to_numpy().astype("datetime64[M]")).tolist()
        for mid, month, svc, num, den in zip(f["metric_id"].tolist(), months, f["service"].tolist(), *figures):
            view = svc if isinstance(svc, str) else None
            cols = HISTORY_MEASURES[mid] if mid in HISTORY_MEASURES else (None, ABOVE_CAP)
            for col, x in zip(cols, (num, den)):
                if col is None:  # (the £ above the cap: not a count)
                    continue
                if not np.isnan(x):
                    out.setdefault((month, view), {}).setdefault(col, set()).add(float(x))
    return out


#: the kept history's columns `history_shown` reads
_SHOWN_COLUMNS = ("metric_id", "period", "service", "numerator", "denominator", "suppressed")


def shown_frame(months: list[str], views: list, frame: pd.DataFrame, shown: Mapping | None) -> pd.DataFrame:
    """The totals (`frame`'s count columns, one row per month and view) and the assignments
    above the cap (ABOVE_CAP: With a cap less Within cap) that `shown` (`history_shown`)
    publishes as the same figure; NaN where it publishes none."""
    columns = [*COUNT_COLUMNS, ABOVE_CAP]
    out = pd.DataFrame(np.nan, index=frame.index, columns=columns)
    if not shown:
        return out
    values = np.column_stack([frame[COUNT_COLUMNS].to_numpy(dtype=float),
                              (frame["With a cap"] - frame["Within cap"]).to_numpy(dtype=float)])
    for i, key in enumerate(zip(months, views)):
        there = shown.get(key)
        if not there:
            continue
        for j, c in enumerate(columns):
            if any(abs(x - values[i, j]) < 1e-9 for x in there.get(c, ())):
                out.iat[i, j] = values[i, j]
    return out


def jobs_decided(sums: dict, role: str | None, period: str, totals: Disclosed, *,
                 entries: Mapping | None = None, shown: Mapping | None = None) -> dict:
    """{view: Disclosed table by job type} at `period`, around its decided totals (`totals`: the
    month's rows of `every_month`'s; a shown total known, a hidden one protected). `entries`: the
    decisions kept in the store (`kept(con)`): the month's tables as its load decided them when
    they answer for these figures (the month's totals and every view's table by job type), else
    decided now: ~30 ms for the demo's latest month, but up to ~2 s for a month whose tables need
    linear programming (a visitor picking an older month)."""
    views, month, frames, elsewhere = _month_inputs(sums, period, shown)
    done = _kept_jobs(entries, period, views, month, frames, role, elsewhere) if entries else None
    if done is not None:
        return done
    known, known_rests = caps_known(frames)
    return disclose_with_totals(frames, month, BY_GROUP, views=views, role=role, name=NAME,
                                unpublished=[NO_SERVICE], within=WITHIN, decided=totals, known=known,
                                known_rests=known_rests, counted_rests=COUNTED_RESTS,
                                shown_totals=elsewhere, rests_shown=RESTS_SHOWN)[0]


def _month_inputs(sums: dict, period: str, shown: Mapping | None) -> tuple[list, pd.DataFrame, dict, pd.DataFrame]:
    """(views, their totals, {view: table by job type}, the totals the history shows) at
    `period`: what its tables by job type are decided on."""
    views, month = month_totals(sums, period)
    frames = month_jobs(sums, period, views)
    return views, month, frames, shown_frame([period] * len(views), views, month, shown)


#: the counts of a job type with no price cap in force: nobody has a cap, so nobody is within one
NO_CAP_COLUMNS = ("With a cap", "Within cap")
#: the assignments without a cap (a row's assignments minus those with a cap) are people: those
#: of the job types with no cap in force, each a row of the tables by job type
COUNTED_RESTS = ("With a cap",)


def caps_known(frames: Mapping) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """What any reader of the region's price caps knows of the tables by job type
    (disclose_with_totals' `known` and `known_rests`): a job type with no cap in force at the
    month end (the demo's "Other") has 0 assignments with a cap and 0 within one
    (NO_CAP_COLUMNS); a job type with a cap has every assignment with one (the rest, its
    assignments without a cap, is 0). The decision never hides those and counts on them as
    known. Read from the figures: the cap in force at the month end is the job type's
    (agency.checks), so every assignment of a job type has one or none does."""
    known: dict[str, tuple[str, ...]] = {}
    rests: dict[str, tuple[str, ...]] = {}
    for f in frames.values():
        for label, n, capped in zip(f.iloc[:, 0].tolist(), f["Assignments"].tolist(), f["With a cap"].tolist()):
            if n > 0 and capped == 0:
                known[str(label)] = NO_CAP_COLUMNS
            elif n > 0 and capped == n:
                rests[str(label)] = COUNTED_RESTS
    return known, rests


def _jobs_print(views: list, month: pd.DataFrame, frames: dict, elsewhere: pd.DataFrame) -> str:
    """A fingerprint of a month's totals (`month_totals`), tables by job type (every view's, in
    order) and the totals the measure history shows (`shown_frame`): what its tables by job type
    are decided on."""
    return store_kept.fingerprint(list(views), _with_shown(month, elsewhere), [frames[v] for v in views])


def _with_shown(frame: pd.DataFrame, elsewhere: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the figures shown elsewhere beside it (what a decision rests on, fingerprinted)."""
    return pd.concat([frame.reset_index(drop=True), elsewhere.reset_index(drop=True).add_prefix("shown: ")], axis=1)


def _kept_jobs(entries: Mapping, period: str, views: list, month: pd.DataFrame, frames: dict,
               role: str | None, elsewhere: pd.DataFrame) -> dict | None:
    """The month's tables by job type from its kept decision, or None when it does not answer:
    nothing kept, or the month's totals or any view's table by job type not the figures decided
    on (the tables are decided around the totals: both must be those of the decision)."""
    entry = entries.get(period)
    jobs = entry.get("jobs") if entry else None
    if jobs is None or jobs["inputs"] != _jobs_print(views, month, frames, elsewhere) \
            or len(jobs["changes"]) != len(views):
        return None
    return {v: _apply(frames[v], c, role) for v, c in zip(views, jobs["changes"])}


def _keep_jobs(sums: dict, period: str, totals: Disclosed, shown: Mapping | None) -> dict | None:
    """The month's tables by job type decided as `jobs_decided` decides them (around the month's
    decided totals), as kept: {"inputs": their fingerprint, "changes": each view's `_changes`};
    None when one cannot be kept (then decided when shown)."""
    views, month, frames, elsewhere = _month_inputs(sums, period, shown)
    decided = jobs_decided(sums, None, period, totals, shown=shown)
    changes = [_changes(frames[v], decided[v]) for v in views]
    if any(c is None for c in changes):
        return None
    return {"inputs": _jobs_print(views, month, frames, elsewhere), "changes": changes}


def totals_rows(keys: list, decided: Disclosed, period: str | None) -> tuple[list, Disclosed] | None:
    """(views, Disclosed totals: one row per view) at `period` from `every_month`'s answer; None
    without assignments then."""
    at = [i for i, (p, _) in enumerate(keys) if p == period]
    if not at:
        return None
    return [keys[i][1] for i in at], rows(decided, at)


def rows(d: Disclosed, at: list[int]) -> Disclosed:
    """Some rows of a decided table (decisions kept)."""
    def take(f):
        return f.iloc[at].reset_index(drop=True)
    return Disclosed(shown=take(d.shown), published=take(d.published), reasons=take(d.reasons), table=d.table,
                     exact=d.exact)


# ------------------------------------------------------------------------------------------
# a decision as kept: what publishing changed in the exact table, cell by cell


def _cell(value: object) -> object:
    """A published cell as JSON keeps it (text markers, or a number where a column was retyped)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    return value


def _changes(exact: pd.DataFrame, d: Disclosed) -> dict | None:
    """What `d.published` and `d.reasons` hold beyond `exact`: {"cols": {column: [dtype, {row:
    published text}]}, "why": {column: {row: reason}}}; None when a published cell differs from
    its exact figure other than by a text marker (then this table is not kept: decided live)."""
    pub, why = d.published, d.reasons
    if list(pub.columns) != list(exact.columns) or len(pub) != len(exact):
        return None
    cols: dict = {}
    for c in pub.columns:
        a, b = exact[c], pub[c]
        if a.dtype == b.dtype and a.equals(b):
            continue
        marks = {}
        for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            if isinstance(y, str) and not (isinstance(x, str) and x == y):
                marks[str(i)] = y
            elif not (x == y or (_missing(x) and _missing(y))):
                return None
        cols[c] = [str(b.dtype), marks]
    reasons = {c: {str(i): v for i, v in enumerate(why[c].tolist()) if v is not None}
               for c in why.columns}
    return {"cols": cols, "why": {c: v for c, v in reasons.items() if v}}


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _apply(exact: pd.DataFrame, changes: dict, role: str | None, *, offset: int = 0,
           length: int | None = None) -> Disclosed:
    """A kept decision as `disclose_with_totals` publishes it: `exact` with the kept text in its
    cells (those columns retyped as they were published) and the kept reasons."""
    pub = exact.copy()
    pub.attrs = {}
    for c, (dtype, marks) in changes["cols"].items():
        col = pub[c].to_numpy(dtype=object) if dtype == "object" else pub[c].astype(dtype).to_numpy()
        for i, v in marks.items():
            col[int(i) + offset] = v
        pub[c] = pd.Series(col, index=pub.index, dtype=dtype)
    # the reasons filled in as arrays, then one frame (a cell at a time through `iat` cost the
    # Agency rules page ~20 ms of its first view: ~1,100 cells)
    reasons = {c: np.full(len(pub), None, dtype=object) for c in pub.columns}
    for c, cells in changes["why"].items():
        column = reasons[c]
        for i, v in cells.items():
            column[int(i) + offset] = v
    why = pd.DataFrame({c: pd.Series(v, index=pub.index, dtype=object, copy=False) for c, v in reasons.items()},
                       index=pub.index)
    return _for_role(exact, pub, why, role)


def _for_role(exact: pd.DataFrame, pub: pd.DataFrame, why: pd.DataFrame, role: str | None) -> Disclosed:
    """A decided table as `role` is shown it: the exact figures on screen where it sees them."""
    exact_role = sees_exact(role)
    shown = exact.copy() if exact_role else pub
    shown.attrs = {}
    return Disclosed(shown=shown, published=pub, reasons=why, table=BY_GROUP, exact=exact_role)


def _kept_totals(entries: dict, months: list[str], frame: pd.DataFrame, role: str | None,
                 known: pd.DataFrame) -> Disclosed | None:
    """The totals of every month from the kept decisions, or None when any month's figures are
    not those decided on (or not kept)."""
    starts: dict[str, int] = {}
    for i, m in enumerate(months):
        starts.setdefault(m, i)
    merged: dict = {"cols": {}, "why": {}}
    prints = _month_prints(_with_shown(frame, known), months)
    for m, start in starts.items():
        entry = entries.get(m)
        if entry is None or entry["inputs"] != prints[m]:
            return None
        for c, (dtype, marks) in entry["totals"]["cols"].items():
            have = merged["cols"].setdefault(c, [dtype, {}])
            if have[0] != dtype:
                return None
            have[1].update({str(int(i) + start): v for i, v in marks.items()})
        for c, cells in entry["totals"]["why"].items():
            merged["why"].setdefault(c, {}).update({str(int(i) + start): v for i, v in cells.items()})
    return _apply(frame, merged, role)


def _month_prints(frame: pd.DataFrame, months: list[str]) -> dict[str, str]:
    """{month: a fingerprint of its rows of `frame`} (every figure and type), from one hash of
    the frame's rows."""
    rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    head = repr((list(map(str, frame.columns)), [str(t) for t in frame.dtypes])).encode()
    spans: dict[str, list[int]] = {}
    for i, m in enumerate(months):
        spans.setdefault(m, [i, i])[1] = i
    return {m: hashlib.sha256(head + rows[a:b + 1].tobytes()).hexdigest()[:32] for m, (a, b) in spans.items()}


# ------------------------------------------------------------------------------------------
# kept per load


def signature() -> str:
    """What kept decisions must have been made under (disclosure.rules.decision_signature): every
    disclosure module and the rules in force. The agency rules shape the figures, which are
    compared themselves."""
    return decision_signature()


def kept(con: duckdb.DuckDBPyConnection) -> dict | None:
    """{month 'YYYY-MM': {"inputs": the fingerprint of the month's totals decided on
    (`_month_prints`), "totals": what publishing changed in them (`_changes`)}} as kept under
    today's signature (store.kept); None when none is."""
    try:
        sig = signature()
    except RulesError:
        return None  # decided live, where the error reaches whoever asks
    out = {f"{k.period:%Y-%m}": {**json.loads(k.decision), "inputs": k.inputs}
           for k in store_kept.read_all(con, kind=KIND) if k.signature == sig}
    return out or None


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Decide the compliance tables again for the months whose figures changed (all of them when
    the code or rules changed) and keep them, in the caller's transaction; returns the months
    kept. When the figures or rules cannot be read nothing is kept (readers decide live and show
    the error)."""
    from agency.rules import AgencyRulesError, load_rules, rules_path
    from metrics import agency as figures
    from metrics.types import MetricError

    try:
        key = signature()
        if not figures.has_assignments(con):
            store_kept.forget(con, kind=KIND)
            figures.forget_summaries(con)
            return 0
        agency_rules = load_rules(rules_path())
        before = kept(con) or {}
        # the months whose checked rows changed since their decision and summaries were kept
        # (every month when the load kept no fingerprints): only those are read, summarised and
        # compared
        prints = figures.checked_prints(con, rules=agency_rules)
        sums_key = summaries_signature(agency_rules)
        have = {} if prints is None else figures.summary_prints(con, signature=sums_key)
        todo = None if prints is None else sorted(
            m for m, p in prints.items() if before.get(m, {}).get("rows") != p or have.get(m) != p)
        whole = _checked_months(con, agency_rules, todo)
        sums = summaries(whole)
    except (RulesError, AgencyRulesError, MetricError, OSError):
        store_kept.forget(con, kind=KIND)
        figures.forget_summaries(con)
        return 0
    if prints is None:
        figures.forget_summaries(con)
    else:  # the months read, summarised as every page's figures are (`kept_summaries`)
        figures.keep_summaries(con, sums, _spend_sums(whole), months=todo, prints=prints, signature=sums_key)
    got = _all_totals(sums)
    rows = []
    if prints is not None:  # the months not read: as kept (their rows, so their figures, unchanged)
        for period in sorted(set(prints) - set(todo)):
            old = before[period]
            rows.append(_kept_row(period, key, old["inputs"], old, prints[period]))
    if got is not None:
        months, views, frame = got
        shown = history_shown(con)  # the history, kept by this load's step before this one
        known = shown_frame(months, views, frame, shown)
        for period, inputs in _month_prints(_with_shown(frame, known), months).items():
            old = before.get(period)
            if old is None or old["inputs"] != inputs:
                at = [i for i, m in enumerate(months) if m == period]
                month = frame.iloc[at].reset_index(drop=True)
                try:  # decided as `every_month` decides it (each month is a block of its own)
                    decided = _decide_totals([period] * len(at), [views[i] for i in at], month, None,
                                             known.iloc[at].reset_index(drop=True))
                    old = {"totals": _changes(month, decided)}
                except (SuppressionError, DisclosureError):
                    continue
                if old["totals"] is None:
                    continue
                try:  # and its tables by job type around them, as `jobs_decided` decides them
                    old["jobs"] = _keep_jobs(sums, period, decided, shown)
                except (SuppressionError, DisclosureError):
                    old["jobs"] = None
            rows.append(_kept_row(period, key, inputs, old, None if prints is None else prints.get(period)))
    store_kept.forget(con, kind=KIND)
    return store_kept.write(con, rows)


def summaries_signature(agency_rules) -> str:
    """What kept summaries must have been worked out under: the agency checks' code and rules
    (metrics.agency.checks_signature, which covers summarise) and this module's (`signature`)."""
    from metrics import agency as figures

    return f"{figures.checks_signature(agency_rules)}|{signature()}"


def kept_summaries(con: duckdb.DuckDBPyConnection, agency_rules) -> tuple[dict, dict] | None:
    """(`summaries` of every month, {view: metrics.agency.monthly_spend of its rows: None the
    directorate, else a service}) as the last load kept them (metrics.agency.kept_summaries),
    when they answer for today's checked rows, code and rules; None otherwise (work them out
    from the checked rows). Exactly the frames `summaries` and `monthly_spend` give."""
    from metrics import agency as figures

    try:
        key = summaries_signature(agency_rules)
    except RulesError:
        return None
    return figures.kept_summaries(con, prints=figures.checked_prints(con, rules=agency_rules), signature=key)


def _spend_sums(whole: pd.DataFrame) -> dict:
    """{view: metrics.agency.monthly_spend of its checked rows}: the directorate (None) and each
    service (a page's view of one service reads that service's rows)."""
    from metrics.agency import monthly_spend

    if whole.empty:
        return {}
    out = {None: monthly_spend(whole)}
    for s in whole["service"].dropna().unique():
        out[s] = monthly_spend(whole[whole["service"] == s])
    return out


def _checked_months(con: duckdb.DuckDBPyConnection, agency_rules, months: list[str] | None) -> pd.DataFrame:
    """The checked assignments (the columns the figures read) of `months` ('YYYY-MM'; every
    month when None)."""
    from metrics import agency as figures

    if months is None:
        return figures.checked(con, rules=agency_rules, columns=figures.SUMMARY_COLUMNS)
    when = [date.fromisoformat(m + "-01") for m in months] or [date(1900, 1, 1)]  # (none: no rows)
    frame = figures.checked(con, rules=agency_rules, start=when[0], end=when[-1],
                            columns=figures.SUMMARY_COLUMNS)
    # not the months between the first and the last that did not change
    return frame[frame["period"].isin(set(when))].reset_index(drop=True)


def _kept_row(period: str, key: str, inputs: str, old: dict, rows_print: str | None) -> store_kept.Kept:
    """A month's decision as kept: its totals and tables by job type, and the fingerprint of the
    checked rows they were worked out from (metrics.agency.checked_prints)."""
    kept_as = {"totals": old["totals"], "jobs": old.get("jobs"), "rows": rows_print}
    return store_kept.Kept(kind=KIND, period=date.fromisoformat(period + "-01"), scope=SCOPE, key=KEY,
                           signature=key, inputs=inputs, decision=json.dumps(kept_as))


# ------------------------------------------------------------------------------------------
# what the page's first view reads, kept whole per load (store.frames, migration 88)

#: the kept frames' name (store.frames): one body, every part a labelled frame
VIEW_NAME = "agency_compliance.view"


@dataclass(frozen=True)
class KeptView:
    """What the Agency rules page reads of the compliance decisions on its first view, as the
    last load worked it out from what it kept: every view's summaries and spend sums
    (`kept_summaries`), every month's decided totals (`every_month`) and the latest month's
    tables by job type (`jobs_decided`), each decided table held as its exact figures, published
    cells and reasons (the role only picks what is on screen)."""

    sums: dict
    spend: dict
    keys: list
    totals: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
    period: str
    jobs: dict

    def every_month(self, role: str | None) -> tuple[list, Disclosed]:
        """`every_month(sums, role, entries=kept(con), shown=history_shown(con))`, as kept."""
        return list(self.keys), _copy_for_role(self.totals, role)

    def jobs_decided(self, role: str | None) -> dict:
        """`jobs_decided` at `period` (the latest month) for `role`, as kept."""
        return {v: _copy_for_role(parts, role) for v, parts in self.jobs.items()}


def _copy_for_role(parts: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], role: str | None) -> Disclosed:
    exact, pub, why = parts
    return _for_role(exact, pub.copy(), why.copy(), role)


def view_key(con: duckdb.DuckDBPyConnection, agency_rules) -> str | None:
    """What a kept view must have been worked out under to be read: the history's frames key
    (the load ledger, the disclosure code and rules, the code of the packages the figures are read
    through, the library versions, the targets and agency rules files: disclosure.history.
    frames_key; it shapes `history_shown` too), the summaries' signature and the fingerprint of
    every month's checked rows (as `kept_summaries` checks them: an edit in place moves it), and
    the kept decisions themselves (store.kept.digest). None when the checked rows are not kept
    (then nothing is read kept); RulesError when the rules cannot be read."""
    from disclosure import history
    from metrics import agency as figures

    prints = figures.checked_prints(con, rules=agency_rules)
    if not prints:
        return None
    return hashlib.sha256("\x1f".join((
        history.frames_key(con), summaries_signature(agency_rules), json.dumps(prints, sort_keys=True),
        store_kept.digest(con, kind=KIND))).encode()).hexdigest()[:32]


def keep_view(con: duckdb.DuckDBPyConnection) -> int:
    """Work out what the Agency rules page's first view reads (`KeptView`) from what this load
    kept (after `refresh`, in the caller's transaction) and keep it under `view_key`; returns the
    bytes kept. Kept only where every month's totals and the latest month's tables by job type
    come from the kept decisions (else the page decides live, as before, and nothing is kept)."""
    from agency.rules import AgencyRulesError, load_rules, rules_path
    from metrics.types import MetricError
    from store import frames as kept_frames

    parts = None  # nothing to keep unless every part answers from what the load kept
    try:
        agency_rules = load_rules(rules_path())
        key = view_key(con, agency_rules)
        got = kept_summaries(con, agency_rules) if key else None
        entries = kept(con) if got else None
        if entries:
            sums, spend = got
            parts = _kept_parts(sums, entries, history_shown(con))
    except (RulesError, AgencyRulesError, MetricError, OSError, SuppressionError, DisclosureError):
        parts = None
    if parts is None:
        kept_frames.forget(con, VIEW_NAME)
        return 0
    keys, totals, period, jobs = parts
    body = {"keys": pd.DataFrame({"month": [m for m, _ in keys], "view": pd.Series([v for _, v in keys], dtype=object)}),
            "period": pd.DataFrame({"period": [period]})}
    body.update({f"sums {json.dumps(list(k))}": f for k, f in sums.items()})
    body.update({f"spend {json.dumps(v)}": f for v, f in spend.items()})
    body.update({f"totals {i}": f for i, f in enumerate(totals)})
    for n, (v, table) in enumerate(jobs.items()):
        body.update({f"jobs {n} {json.dumps(v)} {i}": f for i, f in enumerate(table)})
    try:
        return kept_frames.write(con, VIEW_NAME, key, body)
    except kept_frames.FrameError:
        kept_frames.forget(con, VIEW_NAME)
        return 0


def _kept_parts(sums: dict, entries: Mapping, shown: Mapping | None):
    """(keys, every month's totals, the latest month, {view: its table by job type}), each table
    as (exact, published, reasons), from the kept decisions alone; None where any does not answer."""
    got = _all_totals(sums)
    if got is None:
        return None
    months, views, frame = got
    done = _kept_totals(entries, months, frame, None, shown_frame(months, views, frame, shown))
    period = months[-1]
    jobs_views, month, frames, elsewhere = _month_inputs(sums, period, shown)
    jobs = _kept_jobs(entries, period, jobs_views, month, frames, None, elsewhere)
    if done is None or jobs is None:
        return None
    return (list(zip(months, views)), (frame, done.published, done.reasons), period,
            {v: (frames[v], d.published, d.reasons) for v, d in jobs.items()})


def kept_view(con: duckdb.DuckDBPyConnection, agency_rules) -> KeptView | None:
    """`KeptView` as the last load kept it (`keep_view`), when it was kept under the key it would
    be worked out under now (`view_key`); None otherwise (the page reads and decides as before)."""
    from store import frames as kept_frames

    try:
        key = view_key(con, agency_rules)
    except RulesError:
        return None
    if key is None:
        return None
    body = kept_frames.read(con, VIEW_NAME, key, many=True)
    if body is None:
        return None
    try:
        return _view_from(body)
    except (KeyError, ValueError, IndexError, TypeError):  # a body not as keep_view writes it: not read
        return None


def _view_from(body: Mapping[str, pd.DataFrame]) -> KeptView:
    """`KeptView` from the labelled frames `keep_view` kept (KeyError, ValueError when a label or
    part is missing or malformed)."""
    sums, spend, totals, jobs = {}, {}, {}, {}
    for label, f in body.items():
        kind, _, rest = label.partition(" ")
        if kind == "sums":
            sums[tuple(json.loads(rest))] = f
        elif kind == "spend":
            spend[json.loads(rest)] = f
        elif kind == "totals":
            totals[int(rest)] = f
        elif kind == "jobs":
            n, _, rest = rest.partition(" ")
            view, _, i = rest.rpartition(" ")
            jobs.setdefault(int(n), (json.loads(view), {}))[1][int(i)] = f
    keys = list(zip(body["keys"]["month"].tolist(), body["keys"]["view"].tolist()))
    return KeptView(sums=sums, spend=spend, keys=keys, totals=(totals[0], totals[1], totals[2]),
                    period=body["period"]["period"].iloc[0],
                    jobs={v: (t[0], t[1], t[2]) for _, (v, t) in sorted(jobs.items())})


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    refresh(cur)


def _view_after_load(cur: duckdb.DuckDBPyConnection) -> None:
    keep_view(cur)


def register() -> None:
    """Have every load in this process keep the compliance decisions in its own transaction;
    idempotent (disclosure.history.register calls it: the commands that load and the dashboard
    import that)."""
    from ingest import loader

    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)
    if _view_after_load not in loader.AFTER_WRITE:  # after the decisions it is worked out from
        loader.AFTER_WRITE.append(_view_after_load)
