"""The published history, kept per load: every measure, every month, the directorate and each
service, as the disclosure policy lets it be published.

Why: every workforce page, the Overview and Strategy themes publish the whole history through
the policy together (`MEASURES_ACROSS_SERVICES`: no service's hidden figure can be worked out as
the directorate minus the other services). Deciding it on a page's first view after a load cost
120-150 ms (about 940 protection grids), the same for every visitor. The decision for one measure
at one month rests only on that measure's figures at that month (the directorate's and each
service's) and on the rules, so it is kept in the store (store.published, migration 82) beside
the figures it was decided on, and each load decides again only the months whose figures changed,
in the load's own transaction (registered with ingest.loader.AFTER_WRITE, after the metric
values). A reader applies the kept decisions only where every figure still matches and the rules
and the policy's code are those they were decided under; otherwise it decides live. Either way
`published(con, scope=...)` is exactly `disclose(raw(con, scope=...), MEASURES_ACROSS_SERVICES)
.published` (tests/integration/test_published_history.py).

Public: `raw`, `published` (the one function every reader of the published history calls;
ui.data.measures.public_history caches it per data version), `hidden` and `hidden_at` (what
a pack hides with it), `as_history_decides` (the metric command's --suppress), `refresh`, `signature`, `register`;
`keep_frames`, `kept_history`, `frames_key`: the two frames a page reads (`raw` and `published`
of each scope) built once per load and kept whole (store.frames, migration 88), so a page's first
view after a load reads them instead of building them (~90-170 ms at 1x).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping

import duckdb
import numpy as np
import pandas as pd

from disclosure.cells import (
    ABOVE_CAP,
    KNOWN_ANSWER_RATES,
    LEAVERS_12M,
    OVER_ALL_ASSIGNMENTS,
    PEOPLE_IN_VIEW,
    WITH_LEAVERS_12M,
    WITHIN_CAP,
    SuppressionError,
    protect_over_months,
)
from disclosure.policy import ACROSS_SERVICES, MEASURES_ACROSS_SERVICES, DisclosureError, disclose
from disclosure.rules import RulesError, decision_signature, rules
from metrics import catalogue, engine
from metrics.types import SCOPES, MetricError
from metrics import targets as _targets
from store import frames as kept_frames
from store import load_fingerprint
from store import published as kept
from store.kept import source_signature

#: the figures each decision rests on (kept beside it, compared before it is reused); the view's
#: people beside a known-answer rate only when unrecorded answers are sensitive (`raw`)
INPUTS = ("value", "numerator", "denominator", "base_count", PEOPLE_IN_VIEW)
#: measures whose decision also rests on every other month's figures (cells.protect_over_months)
OVER_MONTHS = (LEAVERS_12M, *WITH_LEAVERS_12M)


def signature() -> str:
    """What kept decisions must have been made under (disclosure.rules.decision_signature): every
    disclosure module, the catalogue's counts-people flags and the rules in force."""
    return decision_signature(catalogue.__file__)


def raw(con: duckdb.DuckDBPyConnection, *, scope: str, evaluated: bool = True) -> pd.DataFrame:
    """Every measure, every month, exact, for the directorate (`service` None) and each service
    (`evaluated`: with target, status and change on a year ago, which no decision rests on).
    Never shown as it is."""
    if evaluated:
        whole, by_service = engine.evaluate_history_with_services(con, scope=scope)
    else:
        whole, by_service = engine.history(con, scope=scope), engine.history(con, scope=scope, by="service")
    whole["service"] = None
    by_service["service"] = by_service["group"]
    by_service["group"] = None
    out = _nobody_left(pd.concat([f for f in (whole, by_service) if not f.empty] or [whole], ignore_index=True))
    if not rules().shown_whatever_size:
        out = _with_people(con, out, scope=scope)
    return out


def _with_people(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, scope: str) -> pd.DataFrame:
    """`frame` with the people in each known-answer rate's view at its month (cells.PEOPLE_IN_VIEW;
    NaN on other rows), when the rules call unrecorded answers sensitive: "146 of 147 with an
    age recorded" gives the one with none away, so the policy protects the rest as a count."""
    from metrics import detail

    out = frame.copy()
    out[PEOPLE_IN_VIEW] = np.nan
    if out.empty:
        return out
    whole = detail.ratio_trend(con, scope=scope)
    parts = detail.ratio_trend(con, scope=scope, by_service=True)
    people = {(pd.Timestamp(p).value, None): float(h) for p, h in zip(whole["period"], whole["headcount"])}
    people.update({(pd.Timestamp(p).value, s): float(h)
                   for s, p, h in zip(parts["service"], parts["period"], parts["headcount"])})
    when = pd.to_datetime(out["period"]).to_numpy().astype("datetime64[ns]").view("int64").tolist()
    mine = out["metric_id"].isin(KNOWN_ANSWER_RATES).to_numpy() & _is_overall(out)
    out[PEOPLE_IN_VIEW] = [people.get((p, _none(s)), np.nan) if m else np.nan
                           for p, s, m in zip(when, out["service"].tolist(), mine)]
    return out


def _is_overall(frame: pd.DataFrame) -> np.ndarray:
    if "group" not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return np.array([_none(g) is None for g in frame["group"].tolist()], dtype=bool)


def _nobody_left(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with a row of the 12 months' leavers (cells.LEAVERS_12M: numerator and denominator
    0, no rate) for each service and month the directorate has one but the service has none.

    Why: a service nobody left in 12 months has no early-leaver rate, and its "no data" said 0
    as plainly as a figure would; where that 0 is what protects a later month's small count (demo
    2024-08: SEND's one leaver, after 0 to July) it must be a row that can be hidden ("c")."""
    if frame.empty or "service" not in frame.columns:
        return frame
    mid = frame["metric_id"] == LEAVERS_12M
    if not mid.any():
        return frame
    service = frame["service"].tolist()
    services = sorted({s for s in service if isinstance(s, str)})
    at = np.flatnonzero(mid.to_numpy(dtype=bool))
    when = frame["period"].tolist()
    have = {(when[i], service[i] if isinstance(service[i], str) else None) for i in at}
    # each directorate row (frame order), then each service it lacks (sorted)
    pairs = [(i, svc) for i in at if not isinstance(service[i], str)
             for svc in services if (when[i], svc) not in have]
    if not pairs:
        return frame
    # the new rows built in the engine's dtypes (a nullable column stays nullable), so the two
    # parts join without a pass over every column of the whole history (~10 ms a first read)
    add = frame.iloc[[i for i, _ in pairs]].reset_index(drop=True)
    n = len(add)
    for col in ("value", "target", "status", "change_on_year", "year_ago_value"):
        if col in add.columns:
            add[col] = pd.Series([None] * n, dtype=object).astype(frame[col].dtype)
    for col in ("numerator", "denominator", "base_count"):
        if col in add.columns:
            add[col] = pd.Series([0] * n, dtype=object).astype(frame[col].dtype)
    add["service"] = pd.Series([svc for _, svc in pairs], dtype=object).astype(frame["service"].dtype)
    return pd.concat([frame, add], ignore_index=True)


def published(con: duckdb.DuckDBPyConnection, *, scope: str, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The history as it may be published (`raw` through the policy, `period` as Timestamps):
    the kept decisions applied when they answer for these figures, else decided now.

    `frame`: `raw(con, scope=scope)` when the caller has it already."""
    frame = raw(con, scope=scope) if frame is None else frame
    decided = _kept_decisions(con, frame, scope=scope)
    out = _apply_kept(frame, decided) if decided is not None else None
    if out is None:  # decided now (or a frame the direct route does not take)
        out = disclose(frame, MEASURES_ACROSS_SERVICES, decided=decided).published
    out["period"] = pd.to_datetime(out["period"])
    return out


def _apply_kept(frame: pd.DataFrame, decided: pd.DataFrame) -> pd.DataFrame | None:
    """Exactly `disclose(frame, MEASURES_ACROSS_SERVICES, decided=decided).published`, made
    directly: each hidden row's figures "c" and its status grey, the decision's columns added,
    then the policy's last steps (policy.published_metric_rows). None where the frame or the
    table asks for more than that (rows another publication hid or knows, a headcount's
    unrecorded rest): the caller then goes through `disclose`.

    Why: through `disclose` the kept decisions cost a page's first view ~31 ms (a mask frame for
    every cell, the reasons of every cell, which the published history never reads); this is the
    same rows (tests/integration/test_published_history.py compares the two on a real store)."""
    from disclosure.cells import _METRIC_VALUE_COLS
    from disclosure.policy import FORCED, KNOWN, published_metric_rows
    from metrics.units import SUPPRESSED

    table = MEASURES_ACROSS_SERVICES
    if FORCED in frame.columns or KNOWN in frame.columns or table.hidden_before or table.headcount is not None \
            or table.export is not None or not table.suppresses or not table.metric_frame:
        return None
    if any(c not in frame.columns for c in ("metric_id", "value", "base_count", table.across)):
        return None  # the policy says what is missing
    hidden = decided["suppressed"].to_numpy(dtype=bool)
    if hidden.shape != (len(frame),) or len(decided) != len(frame):
        return None
    out = frame.copy()
    out.attrs = {}
    if "group" not in out.columns:
        out["group"] = None
    if hidden.any():
        for col in _METRIC_VALUE_COLS:
            if col in out.columns:
                out[col] = out[col].astype(object).where(~hidden, SUPPRESSED)
    if "status" in out.columns:  # a RAG colour says which side of the target a hidden value lies
        out["status"] = out["status"].astype(object).where(~hidden, "grey")
    out["suppressed"] = hidden
    out["suppression"] = pd.Series(decided["suppression"].tolist(), index=out.index, dtype=object)
    out["counts_hidden"] = hidden
    out["counts_reason"] = out["suppression"]
    return published_metric_rows(out, across=table.across)


def hidden(con: duckdb.DuckDBPyConnection, *, scope: str, frame: pd.DataFrame | None = None
           ) -> dict[tuple[str, str | None, pd.Timestamp], str]:
    """{(metric_id, service or None, month): reason} of every overall row the published history
    hides: what every other publication of the same figures (a meeting pack, the metric command's
    --suppress) hides too, so that each shows what one decision lets it (`frame`: `raw(con,
    scope=scope)` when the caller has it)."""
    return _hidden_rows(published(con, scope=scope, frame=frame))


def _hidden_rows(h: pd.DataFrame) -> dict[tuple[str, str | None, pd.Timestamp], str]:
    """`hidden`, of the published history `h`."""
    at = h[h["suppressed"].to_numpy(dtype=bool) & np.array([not isinstance(g, str) for g in h["group"]], dtype=bool)]
    return {(m, s if isinstance(s, str) else None, pd.Timestamp(p)): (r if isinstance(r, str) else "secondary")
            for m, s, p, r in zip(at["metric_id"], at["service"], at["period"], at["suppression"])}


def hidden_at(con: duckdb.DuckDBPyConnection, *, scope: str, period) -> dict[tuple[str, str | None], str]:
    """{(metric_id, service or None): reason} of the overall rows the published history hides at
    `period` (`hidden` at one month)."""
    month = pd.Timestamp(period)
    return {(m, s): r for (m, s, p), r in hidden(con, scope=scope).items() if p == month}


def as_history_decides(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, scope: str,
                       by: str | None = None, months: Iterable | None = None) -> pd.DataFrame:
    """`frame` (engine rows of one population: the directorate's, by service with `by="service"`
    or by job type with `by="role_group"`, every month or some) marked so that `disclose` hides
    at least what the published measure history hides for the same figures (`hidden`), and by
    job type what the pages' table by job type hides (`by_job`, decided for each measure and
    month of `frame`, or only those in `months`): one decision whichever publication reads it.
    Other breakdowns unchanged."""
    from disclosure.policy import FORCED

    out = frame.copy()
    if by not in (None, "service", "role_group") or out.empty:
        return out
    if by == "role_group":
        out[FORCED] = _hidden_by_job(con, out, scope=scope, months=months)
        return out
    gone = hidden(con, scope=scope)
    groups = out["group"] if "group" in out.columns else [None] * len(out)
    out[FORCED] = [(m, g if isinstance(g, str) else None, pd.Timestamp(p)) in gone
                   and (by == "service") == isinstance(g, str)
                   for m, g, p in zip(out["metric_id"], groups, pd.to_datetime(out["period"]))]
    return out


def by_job(parts: Mapping[str | None, pd.DataFrame], margins: Mapping[str | None, pd.DataFrame],
           hidden_there: Mapping[str | None, bool], table: Mapping[str | None, Mapping[str, str | None]] | None = None,
           people_shown: Mapping[str | None, bool] | None = None) -> pd.DataFrame:
    """One measure at one month by job type, for the directorate (None) and each service, as it
    may be published: `parts` {view: its engine rows by job type at the month}, `margins` {view:
    its overall row, the history's exact figure}, `hidden_there` {view: the published history
    hides it}. One two-way table (service by job type) whose margins keep the history's
    decision: hidden there, hidden here; published there, known to any reader (GSS), so never
    hidden here to protect a cell nor counted on as unknown. `people_shown` {view: the published
    history shows its People anyway (`people_published`)}: a margin hidden there whose People are
    shown is hidden here but its People known (disclosure.policy.PEOPLE_KNOWN), so the cells by job
    type are protected against that total (demo, October 2026, social workers: Youth's turnover
    row hidden, its 8 People shown by the vacancy rate's row; decided with them unknown, Youth's
    turnover by job type showed Social worker 6, Middle manager 0 and gave its 2 team managers
    away). Read by the pages
    (ui.data.measures.public_by_job) and by `python -m metrics --suppress --by role_group`
    (`as_history_decides`): one decision.

    `table`: {view: {job type: None where a table by job type shows the row's figures, else why it
    hides them}} of a measure whose rows by job type a page's table publishes too
    (disclosure.linked.BY_JOB, `linked.by_job_rows`): the rows are that table's decision (hidden
    where it hides either figure, with its reason; known where it shows them), one decision for
    one figure."""
    from disclosure.cells import REASON_ORDER
    from disclosure.policy import FORCED, KNOWN, PEOPLE_KNOWN

    rows = []
    for view, f in margins.items():
        f = f.copy()
        f["service"] = view
        f[FORCED] = hidden_there.get(view, False)
        f[KNOWN] = not hidden_there.get(view, False)
        f[PEOPLE_KNOWN] = hidden_there.get(view, False) and bool((people_shown or {}).get(view, False))
        rows.append(f)
    jobs = []
    for v, p in parts.items():
        if p.empty:
            continue
        p = p.assign(service=v)
        said = None if table is None else table.get(v)
        if said is not None:  # a job type not in the table has nobody in it: 0, known
            why = [said.get(g) for g in p["group"]]
            p[FORCED] = [w is not None for w in why]
            p[KNOWN] = [w is None for w in why]
        jobs.append(p)
    frame = pd.concat([*rows, *jobs], ignore_index=True)
    for col in (FORCED, KNOWN, PEOPLE_KNOWN):
        frame[col] = frame[col].fillna(False).astype(bool)
    out = disclose(frame, MEASURES_ACROSS_SERVICES).published
    out["period"] = pd.to_datetime(out["period"])
    if table is not None:  # hidden where the table hides them, for the table's reason (not "over_time":
        # the table's decision is this month's)
        at = out.columns.get_loc("suppression")
        for i, (v, g, h) in enumerate(zip(out["service"].tolist(), out["group"].tolist(), out["suppressed"].tolist())):
            why = (table.get(_none(v)) or {}).get(g) if isinstance(g, str) else None
            if h and why is not None:
                out.iat[i, at] = min((r for r in (why, out.iat[i, at]) if r in REASON_ORDER and r != "over_time"),
                                     key=REASON_ORDER.index, default=why)
    return out


def people_published(published: pd.DataFrame, metric_id: str, month) -> dict[str | None, bool]:
    """{view (None: the directorate; each service): the published history (`published`, one
    population) shows the People of `metric_id`'s overall row at `month`}: its own base_count, or
    for a rate of headcounts its denominator (the same people), or a row of the same view and
    month that publishes the same figure by declaration (disclosure.policy.published_anyway)."""
    from disclosure.cells import PEOPLE_RATES
    from disclosure.policy import published_anyway

    when = pd.to_datetime(published["period"]) == pd.Timestamp(month)
    at = published[when.to_numpy() & ~np.array([isinstance(g, str) for g in published["group"]], dtype=bool)]
    at = at.reset_index(drop=True)
    mine = np.flatnonzero((at["metric_id"] == metric_id).to_numpy())
    cols = ("base_count", "denominator") if metric_id in PEOPLE_RATES else ("base_count",)
    out: dict[str | None, bool] = {}
    for col in (c for c in cols if c in at.columns):
        again = published_anyway(at, col, across="service")
        for i in mine:
            v = at[col].iat[i]
            shown = i in again or (not isinstance(v, str) and _none(v) is not None)
            view = _none(at["service"].iat[i])
            out[view] = out.get(view, False) or shown
    return out


def by_job_at(parts: Mapping[str | None, pd.DataFrame], exact: pd.DataFrame, public: pd.DataFrame, *,
              metric_id: str, month, blank: Callable[[str | None], pd.DataFrame],
              table: Mapping[str | None, Mapping[str, str | None]] | None = None) -> pd.DataFrame:
    """`by_job` of `metric_id` at `month`, its margins and their fates read from the history:
    `parts` {view: its engine rows by job type at the month}, `exact` the exact history (`raw`),
    `public` the published one (`published`), `blank(view)` the engine's overall rows of a view
    where the history has no row (no one in the population there), `table` as `by_job`'s. Each
    margin is the history's own row; hidden where the published history hides it, its People known
    where that history shows them anyway (`people_published`). The one assembly of the pages'
    drill (ui.data.measures.public_by_job) and the metric command (`as_history_decides`)."""
    when = pd.Timestamp(month)
    views = list(parts)
    mine = exact[(exact["metric_id"] == metric_id).to_numpy() & (pd.to_datetime(exact["period"]) == when).to_numpy()]
    own = {_none(s): i for s, i in zip(mine["service"].tolist(), mine.index)}
    margins = {}
    for v in views:
        row = exact.loc[[own[v]]] if v in own else blank(v)
        row = row[(row["metric_id"] == metric_id).to_numpy()]
        margins[v] = row.drop(columns="service", errors="ignore").reset_index(drop=True)
    gone = _hidden_rows(public[(public["metric_id"] == metric_id).to_numpy()
                              & (pd.to_datetime(public["period"]) == when).to_numpy()])
    return by_job(parts, margins, {v: (metric_id, v, when) in gone for v in views}, table,
                  people_published(public, metric_id, when))


def _hidden_by_job(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, scope: str,
                   months: Iterable | None) -> np.ndarray:
    """True for each row of `frame` (the directorate's rows by job type) that the pages' table by
    job type of its measure and month hides (`by_job_at`, its margins the history's; a measure
    whose rows a page's table publishes: that table's decision, kept by the load or decided now,
    as the pages read it)."""
    from contextlib import nullcontext

    from disclosure import linked
    from disclosure.linked import engine_filters
    from metrics import detail

    views = [None, *sorted({s for s, _ in detail.dimension_pairs(con)})]
    src = linked.cursor_source(con)
    when = pd.to_datetime(frame["period"])
    wanted = None if months is None else {pd.Timestamp(m) for m in months}
    history = raw(con, scope=scope)
    public = published(con, scope=scope, frame=history)
    out = np.zeros(len(frame), dtype=bool)
    ids = [m for m in dict.fromkeys(frame["metric_id"])
           if m in catalogue.CATALOGUE and catalogue.CATALOGUE[m].counts_people]
    if not ids:
        return out
    by_view = {v: engine.evaluate_history(con, scope=scope, by="role_group", metric_ids=ids,
                                          filters=engine_filters(v, None)) for v in views}
    # each view's rows by measure and month, found once (a mask per measure and month cost ~1 s)
    at = {v: f.groupby([f["metric_id"], pd.to_datetime(f["period"])], sort=False).indices for v, f in by_view.items()}
    empty: dict[tuple, pd.DataFrame] = {}  # (view, month) -> the engine's rows where the history has none

    def blank_at(month: pd.Timestamp) -> Callable[[str | None], pd.DataFrame]:
        def blank(v: str | None) -> pd.DataFrame:
            if (v, month) not in empty:
                empty[(v, month)] = engine.evaluate(con, period=month.strftime("%Y-%m"), scope=scope,
                                                    metric_ids=ids, filters=engine_filters(v, None))
            return empty[(v, month)]
        return blank

    for metric_id in ids:
        mine = (frame["metric_id"] == metric_id).to_numpy()
        for month in sorted(set(when[mine])):
            if wanted is not None and month not in wanted:
                continue
            parts = {v: f.iloc[at[v].get((metric_id, month), [])].reset_index(drop=True) for v, f in by_view.items()}
            table = None
            if metric_id in linked.BY_JOB:  # its rows are a page table's too: that table's decision
                decided, _ = linked.decision(lambda: nullcontext(con), src, linked.BY_JOB[metric_id][0],
                                             month.strftime("%Y-%m"), scope, {})
                table = linked.by_job_rows(metric_id, decided)
            decided = by_job_at(parts, history, public, metric_id=metric_id, month=month,
                                blank=blank_at(month), table=table)
            gone_here = {g for g, s, h in zip(decided["group"], decided["service"], decided["suppressed"])
                         if h and isinstance(g, str) and not isinstance(s, str)}
            out |= mine & (when == month).to_numpy() & frame["group"].isin(gone_here).to_numpy()
    return out


# ------------------------------------------------------------------------------------------
# reading and writing the kept decisions


def _none(v: object) -> object:
    return None if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else v


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _column(frame: pd.DataFrame, col: str) -> np.ndarray:
    """An input column as floats (NaN throughout where the frame has none: the view's people
    under the shipped rules)."""
    return _floats(frame[col]) if col in frame.columns else np.full(len(frame), np.nan)


def _keys(frame: pd.DataFrame) -> list[tuple]:
    """(metric_id, month as an integer, service) of each row."""
    when = pd.to_datetime(frame["period"]).to_numpy().astype("datetime64[ns]").view("int64").tolist()
    return list(zip(frame["metric_id"].tolist(), when, map(_none, frame["service"].tolist())))


def _kept_decisions(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, scope: str) -> pd.DataFrame | None:
    """The kept `suppressed`/`suppression` row for row of `frame`, or None when any row is not
    kept, any figure differs from the one decided on, or the code or rules have changed."""
    try:
        if frame.empty or kept.kept_key(con) != signature():
            return None
    except RulesError:
        return None  # decided live, where the error reaches whoever asks
    rows = kept.read(con, scope=scope, columns=_KEPT_COLUMNS)
    if len(rows) != len(frame):
        return None
    if not _same_keys(rows, frame):  # kept in another order: each row's own, matched by its key
        at = {k: i for i, k in enumerate(_keys(rows))}
        idx = [at.get(k) for k in _keys(frame)]
        if any(i is None for i in idx):
            return None
        rows = rows.iloc[idx].reset_index(drop=True)
    for col in INPUTS:
        if not np.array_equal(_column(frame, col), _floats(rows[col]), equal_nan=True):
            return None
    why = rows["suppression"].to_numpy(dtype=object).copy()
    why[pd.isna(why)] = None
    return pd.DataFrame({"suppressed": rows["suppressed"].to_numpy(dtype=bool),
                         "suppression": pd.Series(why, dtype=object)})


#: the kept rows' columns `_kept_decisions` reads (not their scope: one, asked for, on every row)
_KEPT_COLUMNS = tuple(c for c in kept.COLUMNS if c != "scope")


def _same_keys(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """True when `a` and `b` hold the same (metric_id, month, service) row for row (`_keys` of
    each equal), compared column by column: the kept rows come back in the order they were written,
    the history's (a first read matched them by a dict of keys, ~12 ms)."""
    if len(a) != len(b):
        return False
    ma, mb = a["metric_id"].to_numpy(dtype=object), b["metric_id"].to_numpy(dtype=object)
    if pd.isna(ma).any() or pd.isna(mb).any() or not (ma == mb).all():
        return False  # (a missing measure: matched by `_keys`, which says what it is)

    def when(f: pd.DataFrame) -> np.ndarray:
        return pd.to_datetime(f["period"]).to_numpy().astype("datetime64[ns]").view("int64")

    if not np.array_equal(when(a), when(b)):
        return False
    sa, sb = a["service"].to_numpy(dtype=object), b["service"].to_numpy(dtype=object)
    na, nb = _missing(sa), _missing(sb)
    return bool(np.array_equal(na, nb) and (sa[~na] == sb[~nb]).all())


def _missing(values: np.ndarray) -> np.ndarray:
    """True where a value is what `_none` makes None (None, pd.NA, a float NaN)."""
    out = pd.isna(values)
    if out.any():  # pd.isna says NaT too, which `_none` keeps
        out[out] = [_none(v) is None for v in values[out]]
    return out


def _unchanged(frame: pd.DataFrame, old: pd.DataFrame) -> np.ndarray:
    """True for each row of `frame` whose month (of its measure) has exactly the figures `old`
    was decided on: the same services, each with the same inputs."""
    def table(f: pd.DataFrame) -> pd.DataFrame:
        keys = _keys(f)
        out = pd.DataFrame({"m": [k[0] for k in keys], "p": [k[1] for k in keys],
                            "s": ["\x00" if k[2] is None else k[2] for k in keys]})
        for col in INPUTS:
            out[col] = _column(f, col)
        return out

    new, was = table(frame), table(old)
    both = new.merge(was, on=["m", "p", "s"], how="left", suffixes=("", "_was"), indicator=True)
    same = (both["_merge"] == "both").to_numpy().copy()
    for col in INPUTS:
        a, b = both[col].to_numpy(), both[f"{col}_was"].to_numpy()
        same &= (a == b) | (np.isnan(a) & np.isnan(b))
    both["same"] = same
    month = both.groupby(["m", "p"], sort=False)["same"].transform("all").to_numpy()
    # a service decided on before but gone now changes the month too
    counts_now = new.groupby(["m", "p"]).size()
    counts_was = was.groupby(["m", "p"]).size().reindex(counts_now.index)
    whole = pd.Series(counts_now.to_numpy() == counts_was.to_numpy(), index=counts_now.index)
    return month & whole.reindex(pd.MultiIndex.from_arrays([new["m"], new["p"]])).to_numpy(dtype=bool)


def _with_its_assignments(frame: pd.DataFrame, keep: np.ndarray) -> np.ndarray:
    """`keep` less the WITHIN_CAP and ABOVE_CAP rows of every month whose assignments
    (OVER_ALL_ASSIGNMENTS' figures) or either of theirs changed: the share's decision rests on the
    assignments too, and the two are decided as one (cells.WITHIN_CAP, cells.ABOVE_CAP), each
    month from all of them (the assignments' rows decided again with them)."""
    ids = frame["metric_id"].to_numpy(dtype=object)
    mine = np.isin(ids, [WITHIN_CAP, ABOVE_CAP])
    if not mine.any():
        return keep
    both = mine | np.isin(ids, OVER_ALL_ASSIGNMENTS)
    when = pd.to_datetime(frame["period"]).to_numpy()
    moved = set(when[both & ~keep])
    out = keep.copy()
    out[both] &= ~np.isin(when[both], list(moved))
    return out


def refresh(con: duckdb.DuckDBPyConnection) -> int:
    """Decide the published history again for the months whose figures changed (all of them
    when the code or rules changed) and keep it, in the caller's transaction; returns the rows
    kept. When the figures or rules cannot be read nothing is kept (readers decide live and show
    the error)."""
    try:
        key = signature()
        frames = {scope: raw(con, scope=scope, evaluated=False) for scope in SCOPES}
    except (RulesError, MetricError):
        kept.forget(con)
        return 0
    before = kept.read(con) if kept.kept_key(con) == key else None
    parts = []
    moved: set[str] = set()
    for scope, frame in frames.items():
        if frame.empty:
            continue
        hidden = np.zeros(len(frame), dtype=bool)
        why = np.array([None] * len(frame), dtype=object)
        todo = np.ones(len(frame), dtype=bool)
        old = before[before["scope"] == scope].reset_index(drop=True) if before is not None else None
        if old is not None and not old.empty:
            keep = _with_its_assignments(frame, _unchanged(frame, old))  # figures decided on: kept as decided
            if keep.any():
                mine = {k: i for i, k in enumerate(_keys(old))}
                at = np.array([mine[k] for k, y in zip(_keys(frame), keep) if y], dtype=int)
                hidden[keep] = old["suppressed"].to_numpy(dtype=bool)[at]
                why[keep] = [_none(v) for v in old["suppression"].to_numpy(dtype=object)[at]]
                todo[keep] = False
        # the 12 months' leavers are decided across months too: their month-by-month decisions
        # (kept rows hold the final ones) are made again for every month, then the step across
        # months over the whole history (as `disclose(frame, MEASURES_ACROSS_SERVICES)` does)
        todo |= frame["metric_id"].isin(OVER_MONTHS).to_numpy()
        if todo.any():  # each month's decision rests on its own figures: decided on those rows alone
            sub = frame[todo].reset_index(drop=True)
            try:
                fresh = disclose(sub, ACROSS_SERVICES).published
            except (SuppressionError, DisclosureError):
                kept.forget(con)
                return 0
            where = np.flatnonzero(todo)
            hidden[where] = fresh["suppressed"].to_numpy(dtype=bool)
            why[where] = [_none(v) for v in fresh["suppression"].tolist()]
        try:
            r = rules()
            hidden, why = protect_over_months(frame, hidden, list(why), min_count=r.threshold,
                                              class_under=r.class_group_under, across="service")
        except SuppressionError:
            kept.forget(con)
            return 0
        if old is not None and not old.empty:  # months an earlier decision of theirs changed in
            was = dict(zip(_keys(old), old["suppressed"].to_numpy(dtype=bool).tolist()))
            over = frame["metric_id"].isin(OVER_MONTHS).to_numpy()
            moved |= {pd.Timestamp(k[1]).strftime("%Y-%m") for k, h, o in zip(_keys(frame), hidden, over)
                      if o and k in was and was[k] != bool(h)}
        part = pd.DataFrame({"scope": scope, "metric_id": frame["metric_id"].to_numpy(),
                             "period": pd.to_datetime(frame["period"]).dt.date,
                             "service": [_none(v) for v in frame["service"]]})
        for col in INPUTS:
            part[col] = _column(frame, col)
        part["suppressed"] = hidden
        part["suppression"] = why
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(kept.COLUMNS))
    n = kept.write(con, rows, key=key)
    kept.remember_moved(con, moved)
    return n


def moved(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The months of earlier loads whose 12 months' leavers rows the last `refresh` decided
    otherwise (the step across months may hide a service's earlier zeros): the kept tables whose
    margins they are must be decided again in the same load. Kept in the store beside the rows
    (store.published.remember_moved), in the load's transaction; read once."""
    return kept.moved(con)


# ------------------------------------------------------------------------------------------
# the two frames a page reads, kept whole per load (store.frames, migration 88)

#: the kept frames' names start so (then "raw."/"published." and the scope)
FRAMES_PREFIX = "history."
#: the project files (besides disclosure/, in `signature`) whose code shapes `raw`
FRAME_CODE = ("access/*.py", "agency/*.py", "ingest/*.py", "metrics/*.py", "store/*.py",
              "store/migrations/*.py", "store/migrations/*.sql")


def _frames_code() -> str:
    """The code the kept frames were built by (store.frames.code_key of `FRAME_CODE`)."""
    return kept_frames.code_key(*FRAME_CODE)


def frames_key(con: duckdb.DuckDBPyConnection) -> str:
    """What the kept frames must have been built under to be read: the load ledger's fingerprint
    (store.load_fingerprint: the figures), the disclosure code and rules (`signature`; RulesError
    when unreadable), the code of every package `raw` reads through and the library versions, and
    the files `raw` reads as it is built: the targets (data/targets.toml: an edit shows at once)
    and the agency rules."""
    from agency.rules import rules_path

    return "|".join((load_fingerprint(con), signature(), _frames_code(),
                     source_signature((_targets.DEFAULT_TARGETS_PATH, rules_path()))))


def keep_frames(con: duckdb.DuckDBPyConnection) -> int:
    """Build the two frames every page reads, for each scope, `raw(con, scope=...)` and
    `published(con, scope=..., frame=<that raw>)`, and keep them under `frames_key`, in the
    caller's transaction (a load's, after `refresh`, whose kept decisions `published` applies);
    returns the bytes kept. When they cannot be built nothing is kept (readers build them and
    show the error)."""
    try:
        key = frames_key(con)
        frames = {}
        for scope in SCOPES:
            frames[f"raw.{scope}"] = frame = raw(con, scope=scope)
            frames[f"published.{scope}"] = published(con, scope=scope, frame=frame)
    except (RulesError, MetricError, SuppressionError, DisclosureError):  # TargetsError is a MetricError
        kept_frames.forget(con, FRAMES_PREFIX)
        return 0
    return sum(kept_frames.write(con, FRAMES_PREFIX + name, key, f) for name, f in frames.items())


def kept_history(con: duckdb.DuckDBPyConnection, *, scope: str) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """(`raw(con, scope=scope)`, `published(con, scope=scope)`) as the last load kept them
    (`keep_frames`), equal to what those build now; None when they are not kept under the key they
    would be built under now (another load, code, rules, targets; nothing kept)."""
    try:
        key = frames_key(con)
    except RulesError:
        return None
    names = (f"{FRAMES_PREFIX}raw.{scope}", f"{FRAMES_PREFIX}published.{scope}")
    got = kept_frames.bodies(con, FRAMES_PREFIX, names=names)  # both in one read
    exact = kept_frames.picked(got, names[0], key)
    if exact is None:
        return None
    public = kept_frames.picked(got, names[1], key)
    return None if public is None else (exact, public)


def _after_load(cur: duckdb.DuckDBPyConnection) -> None:
    refresh(cur)


def _frames_after_load(cur: duckdb.DuckDBPyConnection) -> None:
    keep_frames(cur)


def register() -> None:
    """Have every load in this process keep the published history in its own transaction, after
    the aggregates and the metric values it is decided from (metrics.engine registers those
    first); idempotent. Imported by the commands that load (ingest, demo) and by the dashboard."""
    from disclosure import compliance
    from ingest import loader

    engine.register()
    if _after_load not in loader.AFTER_WRITE:
        loader.AFTER_WRITE.append(_after_load)
    if _frames_after_load not in loader.AFTER_WRITE:  # after the decisions it applies
        loader.AFTER_WRITE.append(_frames_after_load)
    compliance.register()  # the Agency rules compliance decisions, kept the same way


register()
