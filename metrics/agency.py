"""Agency rules compliance and agency cost, read from the store (issue 14).

Why here: SQL lives in metrics/ and store/ only. This module reads the agency assignments (with
the worker's service, team and FTE from the same month's Staff sheet) and the employment history
the cool-off rule needs, hands them to `agency.checks` (the rules) and `agency.costs` (the sums),
and returns plain DataFrames for pages, the CLI and the quarterly summary. All figures are exact:
callers that show them to scrutiny members or publish them pass them through the disclosure
policy.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from agency.checks import (
    CHECKED_COLUMNS, FLAG_COLUMNS, check_assignments, checked_types, cool_off_left_on, stored_types,
)
from agency.costs import WhatIf, annual_cost_per_fte, what_if
from agency.rules import SOCIAL_WORK_JOB_TYPES, AgencyRules
from metrics.query import EMPLOYED_SQL
from metrics.types import MetricError
from store import memo
from store.kept import source_signature

#: Breakdowns of the compliance measures (job_type is the cap's job type).
AGENCY_BREAKDOWNS: tuple[str, ...] = ("job_type", "service", "team")
_FILTER_KEYS = ("service", "team", "job_type")

#: Registration-number columns the census items may add to Staff / Leavers (first found is used).
_REGISTRATION_COLUMNS = ("swe_registration", "swe_registration_number", "swe_number",
                         "registration_number")

#: The per-month compliance counts of `summarise` (the catalogue declares the same checks as
#: shares of assignments: metrics.catalogue.AGENCY_IDS).
_COUNT_FLAGS = {
    "agency_cap_breaches_unsigned": "cap_unsigned",
    "agency_under_experience": "under_experience",
    "agency_notice_below_minimum": "notice_below",
    "agency_references_incomplete": "references_incomplete",
    "agency_cool_off_breaches": "cool_off_breach",
    "agency_long_assignments": "long_assignment",
    "agency_project_team_workers": "project_team",
}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> frozenset[str]:
    """The table's column names (none when there is no such table). Through pragma_table_info:
    information_schema's first query on a connection cost ~24 ms (every page view opens one).
    Asked once per table per page view (store.memo)."""
    return memo.remembered(con, ("metrics.agency._columns", table), lambda: _read_columns(con, table))


def _read_columns(con: duckdb.DuckDBPyConnection, table: str) -> frozenset[str]:
    try:
        rows = con.execute("SELECT name FROM pragma_table_info(?)", [table]).fetchall()
    except duckdb.CatalogException:
        return frozenset()
    return frozenset(r[0] for r in rows)


def has_assignments(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any month has an Agency assignments sheet loaded."""
    if "employee_id" not in _columns(con, "agency_assignments"):
        return False
    return bool(con.execute("SELECT count(*) FROM agency_assignments").fetchone()[0])


def assignment_periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Months with assignments loaded, ascending."""
    rows = con.execute("SELECT DISTINCT period FROM agency_assignments ORDER BY period").fetchall()
    return [r[0] for r in rows]


def _clean_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, values in (filters or {}).items():
        if key not in _FILTER_KEYS:
            raise MetricError(f"Unknown filter {key!r}: filters are {', '.join(_FILTER_KEYS)}")
        if values is None:
            continue
        vals = [values] if isinstance(values, str) else [str(v) for v in values]
        if vals:
            clean[key] = vals
    return clean


def read_assignments(con: duckdb.DuckDBPyConnection, *, start: date | None = None,
                     end: date | None = None,
                     filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Assignment rows (period between start and end) with service, team and FTE from Staff."""
    where, params = _where(start=start, end=end, filters=filters, staff="s.")
    return _read_assignments(con, where, params)


def _where(*, start: date | None, end: date | None, filters: Mapping[str, Iterable[str]] | None,
           staff: str) -> tuple[list[str], dict[str, object]]:
    """WHERE terms (fixed text) and bind parameters for a period range and the filters; `staff`:
    the alias the service and team are read from."""
    clean = _clean_filters(filters)
    where = ["a.period >= $start", "a.period <= $end"]
    params: dict[str, object] = {"start": start or date(1900, 1, 1), "end": end or date(9999, 1, 1)}
    for key, vals in clean.items():
        col = "a.job_type" if key == "job_type" else f"{staff}{key}"
        where.append(f"list_contains($f_{key}, {col})")
        params[f"f_{key}"] = vals
    return where, params


_DATE_COLUMNS = ("period", "start_date", "planned_end_date", "date_qualified", "cap_signoff_date")


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    for col in _DATE_COLUMNS:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def _read_assignments(con: duckdb.DuckDBPyConnection, where: list[str],
                      params: dict[str, object]) -> pd.DataFrame:
    sql = (
        "SELECT a.* EXCLUDE (load_id), s.service, s.team, s.fte, s.qualified_social_worker "
        "FROM agency_assignments a LEFT JOIN staff s "
        "ON s.period = a.period AND s.employee_id = a.employee_id "
        f"WHERE {' AND '.join(where)} ORDER BY a.period, a.employee_id"
    )
    return _dates(con.execute(sql, params).df())


def read_employment(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """When people who later appear as agency workers were in employed social-work posts here.

    From the Leavers sheets (leave dates of employed, qualified social workers) and the Staff
    history (month ends at which they were employed). A person is matched by the same reference,
    or by Social Work England registration number: a registration column on Staff/Leavers where
    one exists, else the census item kept in the HR-only `staff_restricted` table (the latest
    number HR gave for that employee). An agency worker who left the council's employment is
    therefore found even under a new reference. The numbers are read only to match inside the
    cool-off check (agency.checks.last_employed); no output of this module carries them.
    """
    restricted = "swe_number" in _columns(con, "staff_restricted")
    with_sql = ("WITH reg AS (SELECT employee_id, arg_max(swe_number, period) AS swe_number "
                "FROM staff_restricted GROUP BY employee_id) ") if restricted else ""
    parts = []
    for table, on in (("leavers", "t.leave_date"), ("staff", "last_day(t.period)")):
        cols = _columns(con, table)
        own = next((c for c in _REGISTRATION_COLUMNS if c in cols), None)
        found = [f"t.{own}::VARCHAR"] if own else []
        found += ["reg.swe_number"] if restricted else []
        reg_sql = (f"coalesce({', '.join(found)})" if len(found) > 1
                   else found[0] if found else "NULL::VARCHAR")
        join = " LEFT JOIN reg ON reg.employee_id = t.employee_id" if restricted else ""
        match = "t.employee_id IN (SELECT employee_id FROM agency_assignments)"
        if found:
            match += (f" OR {reg_sql} IN (SELECT swe_registration FROM agency_assignments "
                      "WHERE swe_registration IS NOT NULL)")
        parts.append(
            f"SELECT t.employee_id, {reg_sql} AS swe_registration, {on} AS on "
            f"FROM {table} t{join} WHERE t.worker_type <> 'Agency' AND t.qualified_social_worker "
            f"AND ({match})"
        )
    return con.execute(with_sql + " UNION ALL ".join(parts)).df()


#: the columns of `checked` that `summarise` reads (by nothing, job type, service or team)
SUMMARY_COLUMNS: tuple[str, ...] = (
    "period", "employee_id", "job_type", "service", "team", "fte", "hours", "spend",
    "excess_per_hour", "with_cap", "within_cap", "above_cap", *_COUNT_FLAGS.values())
#: the columns of `checked` that `spend_by_month`, `cost_comparison` and `conversion_basis` read
COST_COLUMNS: tuple[str, ...] = ("period", "employee_id", "job_type", "fte", "hours", "spend")


def checked(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules, start: date | None = None,
            end: date | None = None,
            filters: Mapping[str, Iterable[str]] | None = None,
            columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Assignments with every rule checked (see agency.checks.check_assignments): the rows kept
    by the last load (`keep_checked`) when they were checked under these rules, this code and
    the store's current data; otherwise checked now. `columns`: only these of its columns (in
    its order, with the same values and types: a page reads only what it shows; at 100x the
    demo every month's 38 columns took ~1.4 s to read)."""
    want = None if columns is None else set(columns)
    if _kept_fresh(con, rules):
        where, params = _where(start=start, end=end, filters=filters, staff="a.")
        cols = ", ".join(f'a."{c}"' for c in _kept_columns(con) if want is None or c in want)
        frame = con.execute(f"SELECT {cols} FROM {KEPT} a WHERE {' AND '.join(where)} "
                            "ORDER BY a.period, a.employee_id", params).df()
        return checked_types(_dates(frame))
    frame = read_assignments(con, start=start, end=end, filters=filters)
    out = check_assignments(frame, rules=rules, employed=read_employment(con))
    return out if want is None else out[[c for c in out.columns if c in want]]


# --------------------------------------------------------------------------- kept per load
# The checked assignments of every month, kept in the store by each load (migration 84): a page
# at 100x the demo would otherwise check ~150,000 assignment-months on its first view, and every
# load did it five times (the engine's agency measures, the compliance decisions). A load
# re-checks the months whose rows changed and, because the cool-off rule reads the employment
# history (a later Leavers sheet can name an earlier leave date; a later Staff sheet can give a
# registration number), re-checks the cool-off of every month and then wholly any month whose
# answer moved. Read only while the state matches the code, the rules and the data.

KEPT = "agency_checked"
KEPT_STATE = "agency_checked_state"
_JOINED = ("service", "team", "fte", "qualified_social_worker")
_CODE = ("agency/checks.py", "agency/rules.py", "metrics/agency.py")


@functools.cache
def _code() -> str:
    """The source of the modules that decide the checked rows (a changed line checks again)."""
    root = Path(__file__).resolve().parent.parent
    return source_signature(root / name for name in _CODE)


def checks_signature(rules: AgencyRules) -> str:
    """What kept checked rows must have been checked under: this code and these rules."""
    return f"{_code()}|{hashlib.sha256(repr(rules).encode()).hexdigest()[:16]}"


def _kept_columns(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """The columns of `checked` in its order, when the kept table holds every one (else None: a
    store whose assignments have a column the kept table lacks is checked live). Once per page
    view (store.memo)."""
    cols = memo.remembered(con, "metrics.agency._kept_columns", lambda: _read_kept_columns(con))
    return None if cols is None else list(cols)


def _read_kept_columns(con: duckdb.DuckDBPyConnection) -> tuple[str, ...] | None:
    source = [r[0] for r in con.execute(
        "SELECT name FROM pragma_table_info('agency_assignments') ORDER BY cid").fetchall()]
    cols = [c for c in source if c != "load_id"] + list(_JOINED)
    cols += [c for c in (*CHECKED_COLUMNS, *FLAG_COLUMNS) if c not in cols]
    return tuple(cols) if set(cols) <= _columns(con, KEPT) else None


def _data_print(con: duckdb.DuckDBPyConnection) -> str:
    """The data the kept rows were checked from: active loads and row counts (metrics.stored),
    the registration numbers' rows, and a hash of every assignment row (an assignment edited in
    place, without a load, is checked live: ~10 ms at 100x the demo). Once per page view
    (store.memo)."""
    return memo.remembered(con, "metrics.agency._data_print", lambda: _read_data_print(con))


def _read_data_print(con: duckdb.DuckDBPyConnection) -> str:
    from metrics import stored

    extra = [f"(SELECT {'sum(hash(t))::VARCHAR' if t == 'agency_assignments' else 'count(*)'} "
             f"FROM {t} t)" for t in ("agency_assignments", "staff_restricted") if _columns(con, t)]
    counts = con.execute(f"SELECT {', '.join(extra)}").fetchone() if extra else ()
    # and the columns the employment history reads (a registration column added to Staff or
    # Leavers changes who the cool-off finds)
    cols = [sorted(_columns(con, t)) for t in ("staff", "leavers", "staff_restricted")]
    return f"{stored.data_fingerprint(con)}|{','.join(map(str, counts))}|{cols}"


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(memo.remembered(con, "metrics.agency._state", lambda: _read_state(con)))


def _read_state(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, str], ...]:
    try:
        return tuple(con.execute(f"SELECT key, value FROM {KEPT_STATE}").fetchall())
    except duckdb.Error:  # a store from before migration 84 (opened without migrating)
        return ()


def _kept_key(con: duckdb.DuckDBPyConnection, rules: AgencyRules) -> str | None:
    cols = _kept_columns(con) if _columns(con, "agency_assignments") else None
    return None if cols is None else f"{checks_signature(rules)}|{','.join(cols)}"


def _kept_fresh(con: duckdb.DuckDBPyConnection, rules: AgencyRules) -> bool:
    """True when the kept rows are what `checked` would compute now with `rules`."""
    state = _state(con)
    if not state:
        return False
    key = _kept_key(con, rules)
    return key is not None and state.get("signature") == key and state.get("data") == _data_print(con)


def kept_fresh(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the kept checked rows answer for the rules file in force (the measure cube keeps
    the agency measures from them: metrics.aggregates)."""
    from agency.rules import AgencyRulesError, load_rules

    try:
        return _kept_fresh(con, load_rules())
    except (AgencyRulesError, OSError):
        return False


def _forget(con: duckdb.DuckDBPyConnection) -> None:
    if _columns(con, KEPT):
        con.execute(f"DELETE FROM {KEPT}")
        con.execute(f"DELETE FROM {KEPT_STATE}")


def _sums_by_period(periods: pd.Series, rows: pd.DataFrame) -> dict[date, int]:
    """{period: an order-free fingerprint of its rows} (the sum of the rows' hashes)."""
    if rows.empty:
        return {}
    hashes = pd.util.hash_pandas_object(rows, index=False).to_numpy()
    out: dict[date, int] = {}
    for period, idx in pd.Series(np.arange(len(rows))).groupby(periods.to_numpy()).indices.items():
        out[pd.Timestamp(period).date()] = int(np.add.reduce(hashes[idx], dtype=np.uint64))
    return out


def _cool_off_moved(con: duckdb.DuckDBPyConnection, rules: AgencyRules,
                    employed: pd.DataFrame) -> set[date]:
    """Kept months whose cool-off answers differ from a check now against today's employment
    history (the only check that reads other months)."""
    live = con.execute("SELECT period, employee_id, swe_registration, job_type, start_date "
                       "FROM agency_assignments").df()
    left = cool_off_left_on(live, rules=rules, employed=employed)
    kept = con.execute(f"SELECT period, employee_id, cool_off_left_on FROM {KEPT}").df()

    def rows(ids: pd.Series, days: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame({"e": ids.astype(object).to_numpy(),
                             "d": days.astype("datetime64[D]").astype("int64")})

    now = _sums_by_period(pd.to_datetime(live["period"]), rows(live["employee_id"], left))
    was = _sums_by_period(pd.to_datetime(kept["period"]),
                          rows(kept["employee_id"], kept["cool_off_left_on"].to_numpy()))
    return {p for p in set(now) | set(was) if now.get(p) != was.get(p)}


def keep_checked(con: duckdb.DuckDBPyConnection) -> list[date] | None:
    """Check again the months whose checked rows may have changed and keep them, in the caller's
    transaction (every load, through metrics.aggregates.refresh); returns those months (all of
    them when the code or rules changed), or None when nothing can be kept (no table, a bad
    rules file: readers check live, and the error reaches whoever asks)."""
    from agency.rules import AgencyRulesError, load_rules
    from metrics import stored

    if not _columns(con, KEPT):
        return None
    try:
        rules = load_rules()
    except (AgencyRulesError, OSError):
        _forget(con)
        return None
    key = _kept_key(con, rules)
    if key is None:
        _forget(con)
        return None
    state = _state(con)
    same = state.get("signature") == key
    loaded = stored.period_fingerprints(con)
    # each month's load and a hash of its assignment rows (one edited in place is checked again)
    rows_hash = dict(con.execute("SELECT period, sum(hash(t))::VARCHAR FROM agency_assignments t "
                                 "GROUP BY period").fetchall())
    months = assignment_periods(con)
    prints = {p.isoformat(): f"{loaded.get(p)}|{rows_hash.get(p)}" for p in months}
    before = json.loads(state.get("periods", "{}")) if same else {}
    dirty = {p for p in months if before.get(p.isoformat()) != prints[p.isoformat()]}
    employed = read_employment(con)
    if same:
        dirty |= _cool_off_moved(con, rules, employed)
        kept_months = {r[0] for r in con.execute(f"SELECT DISTINCT period FROM {KEPT}").fetchall()}
        dirty |= kept_months - set(months)
        con.execute(f"DELETE FROM {KEPT} WHERE list_contains($p, period)", {"p": sorted(dirty)})
    else:
        con.execute(f"DELETE FROM {KEPT}")
        dirty |= set(months)
    todo = sorted(p for p in dirty if p in set(months))
    if todo:
        frame = _read_assignments(con, ["list_contains($ps, a.period)"], {"ps": todo})
        _insert(con, KEPT, stored_types(check_assignments(frame, rules=rules, employed=employed)))
    # each month's fingerprint of its kept rows, worked out for the months checked again (and any
    # not yet printed): what a reader compares to know a month's rows did not change
    was = json.loads(state.get("checked", "{}")) if same else {}
    rows_prints = {p.isoformat(): was[p.isoformat()] for p in months
                   if p not in dirty and p.isoformat() in was}
    need = [p for p in months if p.isoformat() not in rows_prints]
    if need:
        rows_prints.update({r[0].isoformat(): r[1] for r in con.execute(
            f"SELECT period, sum(hash(t))::VARCHAR FROM {KEPT} t WHERE list_contains($ps, period) "
            "GROUP BY period", {"ps": need}).fetchall()})
    con.execute(f"DELETE FROM {KEPT_STATE}")
    con.executemany(f"INSERT INTO {KEPT_STATE} VALUES (?, ?)", [
        ("signature", key), ("data", _data_print(con)),
        ("periods", json.dumps(prints)), ("checked", json.dumps(rows_prints, sort_keys=True))])
    return sorted(dirty)


def checked_prints(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules) -> dict[str, str] | None:
    """{month 'YYYY-MM': a fingerprint of its checked rows} as the last load kept them (a month
    whose fingerprint is unchanged has the same rows), when the kept rows answer for `rules`
    (`checked` reads them); None otherwise (or before a load kept them). Read without a scan of
    the rows: a load's later steps re-read only the months that changed."""
    if not _kept_fresh(con, rules):
        return None
    got = _state(con).get("checked")
    if got is None:
        return None
    return {p[:7]: v for p, v in json.loads(got).items()}


# --------------------------------------------------------------------------- summaries kept per load
# Each month's `summarise` rows for every view (the directorate and each service alone) and
# breakdown, kept by each load (migration 86; written by disclosure.compliance.refresh, which
# works them out for the months whose checked rows changed): the Agency pages read these few
# hundred rows a month instead of every month's checked assignments (~1 s of a first view at
# 100x the demo). Read only while every month's rows fingerprint (`checked_prints`) and the
# signature they were worked out under are today's; the frames read back are exactly the ones
# summarise gave (same rows, order, values and dtypes).

SUMMARIES = "agency_summaries"
#: summarise's columns, in its order
_SUMMARY_FIELDS = ("period", "group", "assignments", "with_cap", "within_cap", "agency_above_cap_per_hour",
                   "spend", "hours", "fte", *_COUNT_FLAGS, "agency_within_cap_share")
_SUMMARY_INTS = ("assignments", "with_cap", "within_cap", *_COUNT_FLAGS)
_SPEND = "spend"  # the breakdown of the rows that keep a view's monthly_spend


def keep_summaries(con: duckdb.DuckDBPyConnection, frames: Mapping[tuple, pd.DataFrame],
                   spend: Mapping[str | None, pd.DataFrame], *, months: Iterable[str],
                   prints: Mapping[str, str], signature: str) -> int:
    """Keep the summaries of `months` ('YYYY-MM'), in the caller's transaction: `frames`
    {(view, by): summarise(rows of the view, by=by)} of those months' checked rows (view None:
    every service), `spend` {view: monthly_spend(its rows)}; each month marked with its rows
    fingerprint (`prints`: checked_prints) and `signature`. What was kept for those months, and
    for any month not in `prints`, is replaced or forgotten. Returns the rows written."""
    if not _columns(con, SUMMARIES):
        return 0
    months = sorted(set(months))
    con.execute(f"DELETE FROM {SUMMARIES} WHERE list_contains($m, strftime(period, '%Y-%m')) "
                "OR NOT list_contains($p, strftime(period, '%Y-%m'))", {"m": months, "p": sorted(prints)})
    parts = []
    # a view's monthly spend sums as rows of breakdown "spend" (spend unrounded, hours, fte, assignments)
    tables = [*frames.items(), *(((view, _SPEND), frame) for view, frame in spend.items())]
    for (view, by), frame in tables:
        if frame.empty:
            continue
        part = pd.DataFrame({"period": pd.to_datetime(frame["period"]).astype("datetime64[s]")})
        part["view"] = pd.Series([view] * len(frame), dtype=object)
        part["breakdown"] = by or ""
        part["pos"] = part.groupby("period").cumcount().astype("int32")
        part["grp"] = frame["group"].astype(object).to_numpy() if by and by != _SPEND else None
        for col in _SUMMARY_FIELDS[2:]:
            kind = "Int64" if col in _SUMMARY_INTS else "float64"
            part[col] = frame[col].astype(kind).to_numpy() if col in frame else pd.array([None] * len(frame), dtype=kind)
        parts.append(part)
    if not parts:
        return 0
    rows = pd.concat(parts, ignore_index=True)
    rows["rows_print"] = [prints[f"{p:%Y-%m}"] for p in rows["period"]]
    rows["signature"] = signature
    _insert(con, SUMMARIES, rows)
    return len(rows)


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame) -> None:
    """Append `rows` to `table`, their columns matched by name (one of this module's kept tables)."""
    name = f"__rows_{uuid.uuid4().hex}"
    con.register(name, rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        con.unregister(name)


def summary_prints(con: duckdb.DuckDBPyConnection, *, signature: str) -> dict[str, str]:
    """{month 'YYYY-MM': the rows fingerprint its kept summaries were worked out from} for the
    months kept under `signature` (a month kept under another, or half rewritten, is left out)."""
    if not _columns(con, SUMMARIES):
        return {}
    rows = con.execute(
        f"SELECT strftime(period, '%Y-%m'), min(rows_print), max(rows_print), bool_and(signature = ?) "
        f"FROM {SUMMARIES} GROUP BY period", [signature]).fetchall()
    return {m: a for m, a, b, same in rows if a == b and same}


def forget_summaries(con: duckdb.DuckDBPyConnection) -> None:
    """Keep no summaries (readers work them out from the checked rows)."""
    if _columns(con, SUMMARIES):
        con.execute(f"DELETE FROM {SUMMARIES}")


def kept_summaries(con: duckdb.DuckDBPyConnection, *, prints: Mapping[str, str] | None,
                   signature: str) -> tuple[dict, dict] | None:
    """({(view, by): summarise frame of every month}, {view: monthly_spend frame of every month})
    as `keep_summaries` kept them, when every month of `prints` (checked_prints now) is kept
    from those rows under `signature` and no other month is; None otherwise (worked out live)."""
    if not _summaries_answer(con, prints, signature):
        return None
    rows = con.execute(f"SELECT * EXCLUDE (rows_print, signature) FROM {SUMMARIES} "
                       "ORDER BY view NULLS FIRST, breakdown, period, pos").df()
    # each column as one array, sliced per (view, breakdown): its rows are consecutive
    periods = pd.to_datetime(rows["period"]).dt.date.to_numpy(dtype=object)
    views = rows["view"].to_numpy(dtype=object)
    bys = rows["breakdown"].to_numpy(dtype=object)
    groups = rows["grp"].to_numpy(dtype=object)
    numbers = {c: rows[c].to_numpy(dtype="float64", na_value=np.nan) for c in _SUMMARY_FIELDS[2:]}
    key = np.array([f"{v}\x1f{b}" if v is not None and v == v else f"\x00\x1f{b}" for v, b in zip(views, bys)],
                   dtype=object)
    starts = [0, *(np.flatnonzero(key[1:] != key[:-1]) + 1).tolist()]
    frames: dict = {}
    spend: dict = {}
    for a, b in zip(starts, [*starts[1:], len(rows)]):
        view = views[a] if isinstance(views[a], str) else None
        by = bys[a] or None
        if by == _SPEND:
            spend[view] = _spend_frame(periods[a:b], numbers["spend"][a:b], numbers["hours"][a:b],
                                       numbers["fte"][a:b], numbers["assignments"][a:b])
            continue
        out = {"period": periods[a:b]}
        if by:  # as disclosure.compliance.summaries gives it: a service's job types come out of
            # splitting "service, job type" labels (object), the directorate's from the read (str)
            out["group"] = pd.Series(groups[a:b], dtype="str" if view is None else object)
        else:
            out["group"] = np.full(b - a, np.nan)
        for col in _SUMMARY_FIELDS[2:]:
            out[col] = numbers[col][a:b].astype("int64") if col in _SUMMARY_INTS else numbers[col][a:b]
        frames[(view, by)] = pd.DataFrame(out)
    return frames, spend


def _summaries_answer(con: duckdb.DuckDBPyConnection, prints: Mapping[str, str] | None, signature: str) -> bool:
    """Whether the kept summaries answer: every month of `prints` (checked_prints now) kept from
    those rows under `signature`, and no other month."""
    return bool(prints) and bool(_columns(con, SUMMARIES)) and summary_prints(con, signature=signature) == dict(prints)


def _spend_frame(periods: np.ndarray, spend: np.ndarray, hours: np.ndarray, fte: np.ndarray,
                 assignments: np.ndarray) -> pd.DataFrame:
    """A view's kept spend rows as monthly_spend gives them (the spend a sum of Python floats: object)."""
    return pd.DataFrame({"period": periods, "spend": pd.Series(spend.tolist(), dtype=object),
                         "hours": hours, "fte": fte, "assignments": assignments.astype("int64")})


def kept_spend(con: duckdb.DuckDBPyConnection, *, prints: Mapping[str, str] | None, signature: str,
               view: str | None) -> pd.DataFrame | None:
    """`kept_summaries(...)[1][view]` (monthly_spend of the view's checked rows; view None: the
    directorate) read alone: a page that shows one view's spend reads its few rows instead of
    every view's summaries. None when `kept_summaries` would be None or hold no spend of `view`."""
    if not _summaries_answer(con, prints, signature):
        return None
    rows = con.execute(f"SELECT period, spend, hours, fte, assignments FROM {SUMMARIES} "
                       "WHERE breakdown = ? AND view IS NOT DISTINCT FROM ? ORDER BY period, pos",
                       [_SPEND, view]).df()
    if rows.empty:
        return None
    numbers = {c: rows[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("spend", "hours", "fte", "assignments")}
    return _spend_frame(pd.to_datetime(rows["period"]).dt.date.to_numpy(dtype=object), numbers["spend"],
                        numbers["hours"], numbers["fte"], numbers["assignments"])


def checks_frame(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules | None = None
                 ) -> pd.DataFrame:
    """Every assignment with the rules checked, typed for the engine's "agency" source.

    The engine registers it for a query (the catalogue's agency measures read it): rules come
    from data/agency_rules.toml unless given; a bad rules file is a MetricError naming the line.
    """
    from agency.rules import AgencyRulesError, load_rules
    from metrics.sqlgen import SOURCE_COLUMNS

    if rules is None:
        try:
            rules = load_rules()
        except AgencyRulesError as exc:
            raise MetricError(f"The agency measures need a valid rules file: {exc}") from None
    if "employee_id" not in _columns(con, "agency_assignments"):
        frame = pd.DataFrame(columns=["period", "employee_id", "job_type"])
    else:
        frame = checked(con, rules=rules)
    cols = sorted(SOURCE_COLUMNS["agency"] - {"d"})
    out = {}
    for col in cols:
        series = frame[col] if col in frame else pd.Series([None] * len(frame), dtype=object)
        if col == "period":
            out[col] = pd.to_datetime(series).astype("datetime64[s]")
        elif col in FLAG_COLUMNS:
            out[col] = series.astype(bool)
        elif col in ("employee_id", "job_type"):
            out[col] = series.astype(object)
        else:
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
    return pd.DataFrame(out)


def summarise(checked_frame: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Compliance measures per period (and group): one row per period x group.

    Columns: period, group, assignments, with_cap, within_cap, agency_within_cap_share,
    agency_above_cap_per_hour, the counts of _COUNT_FLAGS, spend, hours, fte.
    """
    if by is not None and by not in AGENCY_BREAKDOWNS:
        raise MetricError(f"Cannot break agency figures down by {by!r}: choose one of "
                          f"{', '.join(AGENCY_BREAKDOWNS)}")
    f = checked_frame.copy()
    f["group"] = f[by].fillna("Not on Staff sheet") if by else None
    f["excess"] = np.where(f["above_cap"], f["excess_per_hour"].astype(float), np.nan)
    f["fte"] = f["fte"].astype(float) if "fte" in f else np.nan
    keys = ["period", "group"]
    agg = {
        "assignments": ("employee_id", "size"),
        "with_cap": ("with_cap", "sum"),
        "within_cap": ("within_cap", "sum"),
        "agency_above_cap_per_hour": ("excess", "mean"),
        "spend": ("spend", "sum"),
        "hours": ("hours", "sum"),
        "fte": ("fte", "sum"),
    }
    for measure, flag in _COUNT_FLAGS.items():
        agg[measure] = (flag, "sum")
    if f.empty:
        cols = keys + list(agg) + ["agency_within_cap_share"]
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    out = f.groupby(keys, dropna=False, sort=True).agg(**agg).reset_index()
    out["agency_within_cap_share"] = np.where(out["with_cap"] > 0,
                                              out["within_cap"] / out["with_cap"].where(
                                                  out["with_cap"] > 0), np.nan)
    for col in ("assignments", "with_cap", "within_cap", *_COUNT_FLAGS):
        out[col] = out[col].astype("int64")
    out["agency_above_cap_per_hour"] = out["agency_above_cap_per_hour"].round(2)
    out["spend"] = out["spend"].astype(float).round(2)
    return out


def compliance(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
               by: str | None = None,
               filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The compliance measures at `period` (one row, or one per group)."""
    frame = checked(con, rules=rules, start=period, end=period, filters=filters)
    return summarise(frame, by=by)


def compliance_history(con: duckdb.DuckDBPyConnection, *, rules: AgencyRules,
                       by: str | None = None,
                       filters: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """The compliance measures for every month with assignments loaded (trends)."""
    return summarise(checked(con, rules=rules, filters=filters), by=by)


# --------------------------------------------------------------------------- cost


def _months_back(period: date, n: int) -> date:
    total = period.year * 12 + period.month - 1 - n
    return date(total // 12, total % 12 + 1, 1)


def spend_by_month(checked_frame: pd.DataFrame) -> pd.DataFrame:
    """Agency spend (charge rate x hours) per month and over the rolling 12 months.

    Columns: period, spend, hours, fte, assignments, spend_12m, months_covered (loaded months of
    the 12 to the period; fewer than 12 = partial).
    """
    if checked_frame.empty:
        return pd.DataFrame(columns=["period", "spend", "hours", "fte", "assignments",
                                     "spend_12m", "months_covered"])
    return rolling_spend(monthly_spend(checked_frame))


def monthly_spend(checked_frame: pd.DataFrame) -> pd.DataFrame:
    """The sums `spend_by_month` starts from, one row a month (period, spend unrounded, hours,
    fte, assignments): what the kept summaries keep of each month (`keep_summaries`)."""
    return (checked_frame.assign(fte=checked_frame["fte"].astype(float))
            .groupby("period", sort=True)
            .agg(spend=("spend", "sum"), hours=("hours", "sum"), fte=("fte", "sum"),
                 assignments=("employee_id", "size"))
            .reset_index())


def rolling_spend(monthly: pd.DataFrame) -> pd.DataFrame:
    """`spend_by_month` from its monthly sums (`monthly_spend`: months ascending, each once)."""
    monthly = monthly.copy()
    rolling, covered = [], []
    periods, spend = monthly["period"].tolist(), monthly["spend"]
    for i, p in enumerate(periods):  # months ascending, each once: the window is rows lo..i
        back = _months_back(p, 12)
        lo = next(j for j in range(i + 1) if periods[j] > back)
        window = spend.iloc[lo:i + 1]  # (positions, not a filter of the date column per month)
        rolling.append(round(float(window.sum()), 2))
        covered.append(len(window))
    monthly["spend"] = monthly["spend"].round(2)
    monthly["spend_12m"] = rolling
    monthly["months_covered"] = covered
    return monthly


#: Staff role group -> the cap job type the census pay items give an employed cost for (only the
#: unambiguous ones; a senior practitioner may be a senior social worker or an advanced
#: practitioner, so those job types keep the configured figure)
PAY_JOB_TYPES: dict[str, str] = {"Social worker": "Social worker", "Team manager": "Team manager"}
#: where an employed cost per FTE came from
PAY_SOURCE, RULES_SOURCE = "census pay items", "rules file"


def employed_cost_per_fte(rules: AgencyRules, pay: pd.DataFrame | None = None) -> dict[str, float]:
    """Annual cost of one employed FTE by job type: from the census pay items where the Staff
    sheet gives them (`pay`, from `employed_pay`), else the rules file's on-cost-inclusive figure."""
    out = dict(rules.employed_annual_per_fte)
    if pay is not None:
        out.update({j: float(v) for j, v in zip(pay["job_type"], pay["cost_per_fte"])})
    return out


def employed_pay(con: duckdb.DuckDBPyConnection, *, period: date) -> pd.DataFrame:
    """Employed cost per FTE from the census pay items, by cap job type, at the latest month up
    to `period` whose Staff sheet gives a base salary: (base salary + recruitment and retention +
    other payments) summed over the directly employed qualified social workers with a base salary,
    over their FTE (salaries are as paid, full-time equivalent not applied). Columns job_type,
    pay, fte, people, cost_per_fte, period; empty when no month gives the pay items."""
    groups = list(PAY_JOB_TYPES)
    frame = con.execute(
        f"""WITH p AS (SELECT max(period) AS period FROM staff
                       WHERE period <= ? AND base_salary IS NOT NULL)
            SELECT s.role_group, s.period,
                   sum(s.base_salary + coalesce(s.rr_payments, 0) + coalesce(s.other_payments, 0)) AS pay,
                   sum(s.fte) AS fte, count(*) AS people
            FROM staff s JOIN p ON s.period = p.period
            WHERE {EMPLOYED_SQL} AND s.qualified_social_worker AND s.base_salary IS NOT NULL
              AND s.fte > 0 AND list_contains(?, s.role_group)
            GROUP BY s.role_group, s.period""",
        [date(period.year, period.month, 1), groups]).df()
    frame = frame.assign(job_type=frame["role_group"].map(PAY_JOB_TYPES),
                         cost_per_fte=frame["pay"] / frame["fte"])
    return frame[["job_type", "pay", "fte", "people", "cost_per_fte", "period"]].reset_index(drop=True)


#: `cost_comparison`'s columns, in order (`cost_table` adds `workers`)
COMPARISON_COLUMNS: tuple[str, ...] = (
    "job_type", "agency_fte_now", "spend_12m", "fte_months", "months_covered",
    "agency_cost_per_fte", "employed_cost_per_fte", "employed_cost_source", "premium_per_fte",
    "premium_share", "premium_per_year")


def cost_comparison(checked_frame: pd.DataFrame, *, period: date,
                    rules: AgencyRules, pay: pd.DataFrame | None = None) -> pd.DataFrame:
    """Agency cost per FTE beside employed cost per FTE, by job type, over the 12 months to period.

    The employed cost comes from the census pay items (`pay`, from `employed_pay`) where they are
    given, else from the rules file. Columns: job_type, agency_fte_now, spend_12m, fte_months,
    months_covered, agency_cost_per_fte, employed_cost_per_fte, employed_cost_source (PAY_SOURCE,
    RULES_SOURCE, both for the mix, or None), premium_per_fte, premium_share, premium_per_year
    (premium_per_fte x agency FTE now). Last row "All job types".
    """
    window = checked_frame[(checked_frame["period"] > _months_back(period, 12))
                           & (checked_frame["period"] <= period)].copy()
    window["fte"] = window["fte"].astype(float)
    months = window["period"].nunique()
    employed = employed_cost_per_fte(rules, pay)
    from_pay = set(pay["job_type"]) if pay is not None else set()
    rows = []
    for job, grp in window.groupby("job_type", sort=False):
        now = grp[grp["period"] == period]
        rows.append({"job_type": job, "agency_fte_now": float(now["fte"].sum()),
                     "spend_12m": float(grp["spend"].sum()),
                     "fte_months": float(grp["fte"].sum())})
    order = {j: i for i, j in enumerate(SOCIAL_WORK_JOB_TYPES + ("Other",))}
    rows.sort(key=lambda r: order.get(r["job_type"], 99))
    total = {"job_type": "All job types",
             "agency_fte_now": sum(r["agency_fte_now"] for r in rows),
             "spend_12m": sum(r["spend_12m"] for r in rows),
             "fte_months": sum(r["fte_months"] for r in rows)}
    for r in rows:
        r["employed_cost_per_fte"] = employed.get(r["job_type"])
        r["employed_cost_source"] = (None if r["employed_cost_per_fte"] is None else
                                     PAY_SOURCE if r["job_type"] in from_pay else RULES_SOURCE)
    # the employed cost of the mix: weighted by the FTE-months of each job type
    known = [r for r in rows if r["employed_cost_per_fte"] is not None and r["fte_months"] > 0]
    weight = sum(r["fte_months"] for r in known)
    total["employed_cost_per_fte"] = (
        sum(r["employed_cost_per_fte"] * r["fte_months"] for r in known) / weight if weight else None)
    sources = sorted({r["employed_cost_source"] for r in known})
    total["employed_cost_source"] = " and ".join(sources) if sources else None
    out = []
    for r in rows + [total]:
        agency_cost = annual_cost_per_fte(spend=r["spend_12m"], fte_months=r["fte_months"])
        emp = r["employed_cost_per_fte"]
        premium = agency_cost - emp if agency_cost is not None and emp is not None else None
        if r is total and premium is not None:
            per_year = sum((x["premium_per_year"] or 0.0) for x in out)
        else:
            per_year = premium * r["agency_fte_now"] if premium is not None else None
        out.append(r | {
            "months_covered": months,
            "agency_cost_per_fte": None if agency_cost is None else round(agency_cost, 2),
            "premium_per_fte": None if premium is None else round(premium, 2),
            "premium_share": None if premium is None or not emp else round(premium / emp, 4),
            "premium_per_year": None if per_year is None else round(per_year, 2),
        })
    return pd.DataFrame(out, columns=list(COMPARISON_COLUMNS))


def conversion_what_if(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
                       converted: int, checked_frame: pd.DataFrame | None = None) -> WhatIf:
    """What converting `converted` agency social workers to employed posts would save.

    Agency social workers are this month's assignments in the social-work job types; their cost
    per FTE is the last 12 months' (cost_comparison); the permanent share is the 80:20 ratio's
    (qualified social workers on the Staff sheet, by FTE).
    """
    return what_if(converted=converted, **conversion_basis(con, period=period, rules=rules,
                                                           checked_frame=checked_frame))


def conversion_basis(con: duckdb.DuckDBPyConnection, *, period: date, rules: AgencyRules,
                     checked_frame: pd.DataFrame | None = None, pay: pd.DataFrame | None = None) -> dict:
    """Everything `conversion_what_if` rests on but the number converted (`agency.costs.what_if(
    converted=n, **basis)`): read once for a page that asks about several numbers. `pay`, when
    given, is `employed_pay(con, period=period)` as the caller already read it."""
    from metrics import engine  # the one definition of the 80:20 ratio

    frame = checked_frame if checked_frame is not None else checked(
        con, rules=rules, start=_months_back(period, 11), end=period)
    sw = frame[frame["job_type"].isin(SOCIAL_WORK_JOB_TYPES)]
    if pay is None:
        pay = employed_pay(con, period=period)
    comp = cost_comparison(sw, period=period, rules=rules, pay=pay)
    total = comp[comp["job_type"] == "All job types"].iloc[0] if len(comp) else None
    now = sw[sw["period"] == period]
    ratio = engine.compute(con, period=period, scope="social_workers",
                           metric_ids=["agency_rate_fte"])
    agency_fte = float(ratio["numerator"].iloc[0] or 0.0) if len(ratio) else 0.0
    total_fte = float(ratio["denominator"].iloc[0] or 0.0) if len(ratio) else 0.0
    return dict(
        agency_workers=len(now),
        workers_fte=float(now["fte"].astype(float).sum()), agency_fte=agency_fte,
        employed_fte=total_fte - agency_fte,
        agency_cost_per_fte=None if total is None else total["agency_cost_per_fte"],
        employed_cost_per_fte=None if total is None else total["employed_cost_per_fte"],
        months_covered=int(total["months_covered"]) if total is not None else 0,
        cost_source=_cost_source(total, pay, rules),
    )


def _cost_source(total: pd.Series | None, pay: pd.DataFrame, rules: AgencyRules) -> str:
    """Where the what-if's employed cost came from, in words."""
    rules_words = ("on-costs included; data/agency_rules.toml"
                   + (", EXAMPLE figures" if rules.cost_is_example else ""))
    source = "" if total is None else str(total["employed_cost_source"] or "")
    if PAY_SOURCE not in source:
        return rules_words
    month = pd.Timestamp(pay["period"].iloc[0]).strftime("%B %Y")
    words = (f"census pay items of {int(pay['people'].sum())} employed social workers in {month}: "
             "base salary, recruitment and retention and other payments, without employer on-costs")
    return words + (f"; other job types from {rules_words}" if RULES_SOURCE in source else "")


# --------------------------------------------------------------------------- the cost panel kept per load
# What the cost panel (ui.agency_cost: Agency & 80:20 and Agency rules) reads on its first view,
# worked out by each load after the stored values (metrics.engine registers `keep_cost`) and kept
# whole in store.frames: the latest month's cost table of the directorate and of each service with
# assignments in its 12 months, the what-if's basis and its limit. Working them out on a page's
# first view read 12 months of checked rows and the census pay items, and the 80:20 ratio (~35 ms
# of the page's 300). Read only under the key they would be worked out under now (`cost_key`).

#: the kept body's name (store.frames)
COST_VIEW = "agency_cost.view"
#: the project files whose code shapes the kept figures: the checked rows, the pay items, the
#: stored 80:20 ratio (the engine, its declarations and the store it reads), the sums
_COST_CODE = ("agency/*.py", "metrics/*.py", "store/*.py", "store/migrations/*.py", "store/migrations/*.sql")


def cost_table(checked_frame: pd.DataFrame, *, period: date, rules: AgencyRules,
               pay: pd.DataFrame | None = None) -> pd.DataFrame:
    """`cost_comparison` with `workers`: the agency workers of each job type at `period` (distinct
    ids; on "All job types" the sum of the job types'), what the cost table's disclosure rule rests
    on (ui.data.agency: a job type's cost over 1 to 4 workers gives away a charge rate)."""
    frame = cost_comparison(checked_frame, period=period, rules=rules, pay=pay)
    month = checked_frame[checked_frame["period"] == period] if len(checked_frame) else checked_frame
    workers = month.groupby("job_type")["employee_id"].nunique()
    frame["workers"] = [int(workers.sum()) if j == "All job types" else int(workers.get(j, 0))
                        for j in frame["job_type"]]
    return frame


def social_workers(checked_frame: pd.DataFrame, *, period: date) -> int:
    """Agency social workers with an assignment at `period` (distinct ids in the social-work job
    types): how many the what-if may convert."""
    if checked_frame.empty:
        return 0
    month = checked_frame[(checked_frame["period"] == period)
                          & checked_frame["job_type"].isin(SOCIAL_WORK_JOB_TYPES)]
    return int(month["employee_id"].nunique())


@dataclass(frozen=True)
class KeptCost:
    """The cost panel's figures at `period` (the latest month with assignments), as the last load
    worked them out: `tables` {view (None: the directorate; else a service): `cost_table` of its
    checked rows}, `basis` (`conversion_basis`, the directorate's) and `social_workers`."""

    period: date
    tables: dict
    basis: dict
    social_workers: int


def cost_key(con: duckdb.DuckDBPyConnection, rules: AgencyRules) -> str | None:
    """What kept cost figures must have been worked out under to be read: the code that shapes
    them and the library versions (store.frames.code_key), the checks' code and `rules`, the data
    (the active loads, a hash of every assignment row: `_data_print`) and every month's checked
    rows fingerprint (`checked_prints`). None when the checked rows are not kept for `rules` (then
    nothing is kept or read). Staff rows change only through loads, which move the data print."""
    from store import frames

    prints = checked_prints(con, rules=rules)
    if not prints:
        return None
    return hashlib.sha256("\x1f".join((
        frames.code_key(*_COST_CODE), checks_signature(rules), _data_print(con),
        json.dumps(prints, sort_keys=True))).encode()).hexdigest()[:32]


def keep_cost(con: duckdb.DuckDBPyConnection) -> int:
    """Work out the cost panel's figures at the latest month (`KeptCost`) and keep them under
    `cost_key`, in the caller's transaction (a load's, after the stored values the 80:20 ratio is
    read from); returns the bytes kept. When they cannot be worked out (no assignments, a bad rules
    file, checked rows not kept) nothing is kept: pages work them out as before."""
    from agency.rules import AgencyRulesError, load_rules
    from store import frames

    try:
        rules = load_rules()
        key = cost_key(con, rules)
        months = assignment_periods(con) if key else []
        body = _cost_body(con, rules, months[-1]) if months else None
    except (AgencyRulesError, MetricError, OSError):
        body = None
    if body is None:
        frames.forget(con, COST_VIEW)
        return 0
    try:
        return frames.write(con, COST_VIEW, key, body)
    except frames.FrameError:
        frames.forget(con, COST_VIEW)
        return 0


def _cost_body(con: duckdb.DuckDBPyConnection, rules: AgencyRules, period: date) -> dict[str, pd.DataFrame]:
    """The labelled frames `keep_cost` keeps: "facts" (the month, the basis as JSON, the limit)
    and "cost <view as JSON>" per view, from one read of the 12 months' checked rows (each view's
    rows are the directorate's of its service, in the same order, as a read of that service gives)."""
    rows = checked(con, rules=rules, start=_months_back(period, 11), end=period, columns=(*COST_COLUMNS, "service"))
    pay = employed_pay(con, period=period)
    whole = rows.drop(columns="service")
    basis = conversion_basis(con, period=period, rules=rules, checked_frame=whole, pay=pay)
    body = {"facts": pd.DataFrame({"period": [period.isoformat()], "basis": [json.dumps(basis)],
                                   "social_workers": [social_workers(whole, period=period)]})}
    views: list[str | None] = [None, *sorted(rows["service"].dropna().unique().tolist())]
    for view in views:
        part = whole if view is None else whole[(rows["service"] == view).to_numpy()].reset_index(drop=True)
        body[f"cost {json.dumps(view)}"] = cost_table(part, period=period, rules=rules, pay=pay)
    return body


def kept_cost(con: duckdb.DuckDBPyConnection, rules: AgencyRules) -> KeptCost | None:
    """`KeptCost` as the last load kept it (`keep_cost`), when kept under the key it would be
    worked out under now (`cost_key`); None otherwise, or for a body not as `keep_cost` writes it
    (the page then works the figures out from the checked rows)."""
    from store import frames

    key = cost_key(con, rules)
    if key is None:
        return None
    body = frames.read(con, COST_VIEW, key, many=True)
    if body is None:
        return None
    try:
        facts = body["facts"].iloc[0]
        basis = json.loads(facts["basis"])
        tables = {json.loads(label.partition(" ")[2]): f for label, f in body.items() if label.startswith("cost ")}
        # what the page does with them must not fail: the basis is what-if's keywords, each table
        # a cost_table (a body under the right key but not as keep_cost writes it is not read)
        if not isinstance(basis, dict) or set(basis) != _BASIS_KEYS:
            raise TypeError("the basis is not what the what-if takes")
        if None not in tables or any(tuple(f.columns) != (*COMPARISON_COLUMNS, "workers") for f in tables.values()):
            raise TypeError("a cost table is not as cost_table gives it")
        return KeptCost(period=date.fromisoformat(facts["period"]), tables=tables, basis=basis,
                        social_workers=int(facts["social_workers"]))
    except (KeyError, ValueError, IndexError, TypeError):
        return None


#: the keywords `conversion_basis` gives: those of agency.costs.what_if but the number converted
_BASIS_KEYS = frozenset(inspect.signature(what_if).parameters) - {"converted"}


__all__ = [
    "AGENCY_BREAKDOWNS", "COST_COLUMNS", "FLAG_COLUMNS", "SUMMARY_COLUMNS", "checks_frame",
    "assignment_periods", "checked", "checked_prints",
    "compliance", "compliance_history", "conversion_basis", "conversion_what_if", "cost_comparison",
    "employed_cost_per_fte", "employed_pay", "has_assignments", "read_assignments", "read_employment",
    "spend_by_month", "summarise", "monthly_spend", "rolling_spend",
    "keep_summaries", "kept_summaries", "kept_spend", "forget_summaries", "summary_prints",
    "COMPARISON_COLUMNS", "COST_VIEW", "KeptCost", "cost_key", "cost_table", "keep_cost", "kept_cost",
    "social_workers",
]
