"""Which agency rule each assignment breaks, and what to do about it.

Why plain DataFrames: the store is read by metrics/agency.py (SQL lives there); the rules
themselves are policy arithmetic that a test can work through by hand on three rows. Every check
is made at the month end of the assignment's reporting period.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from agency.rules import FULL_SIGN_OFF, SOCIAL_WORK_JOB_TYPES, AgencyRules, add_months, month_end

#: The breach kinds, in the order the page and the quarterly file list them.
BREACHES: dict[str, str] = {
    "cap_unsigned": "Above the price cap without full sign-off",
    "cap_signed": "Above the price cap, signed off",
    "cool_off": "Cool-off breach",
    "experience": "Under the minimum experience",
    "notice": "Notice below the minimum",
    "references": "References incomplete",
    "long_assignment": "Assignment over the maximum length",
    "project_team": "Project team",
}

FLAG_COLUMNS: tuple[str, ...] = (
    "with_cap", "within_cap", "above_cap", "cap_unsigned", "cap_signed", "under_experience", "notice_below",
    "references_incomplete", "cool_off_breach", "long_assignment", "project_team",
)


def _as_date(value: object) -> date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).date()
    if isinstance(value, date):
        return value
    return None


def _flag(value: object) -> bool:
    """A stored Y/N flag as a bool (blank = N)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return False
    return bool(value)


def _num(value: object) -> float | None:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(out) else out


def _days(values: object, n: int) -> np.ndarray:
    """Dates as `_as_date` reads each one (date, Timestamp, datetime64; anything else is none), as
    datetime64[D] with NaT for none."""
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    series = pd.Series(values).reset_index(drop=True)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) not in (
            "date", "datetime", "datetime64", "empty"):
        series = series.map(_as_date)
    return pd.to_datetime(series, errors="coerce").to_numpy().astype("datetime64[D]")


def _numbers(values: object, n: int) -> np.ndarray:
    """Numbers as float64 (NaN where missing or not a number), as `_num` reads each one."""
    if values is None:
        return np.full(n, np.nan)
    series = pd.Series(values)
    if series.dtype.kind in "biuf":
        return series.to_numpy(dtype=float, na_value=np.nan)
    return np.array([np.nan if (x := _num(v)) is None else x for v in series], dtype=float)


def _flags(values: object, n: int) -> np.ndarray:
    """Stored Y/N flags as bools, as `_flag` reads each one (blank = N)."""
    if values is None:
        return np.zeros(n, dtype=bool)
    series = pd.Series(values)
    if series.dtype == bool:
        return series.to_numpy()
    return np.array([_flag(v) for v in series], dtype=bool)


def _round2(values: np.ndarray) -> np.ndarray:
    """Python's round(x, 2) of each value (correctly rounded, unlike numpy's), once per distinct
    value: a published figure must not move by a cent because of how it was rounded."""
    if not len(values):
        return values.astype(float)
    uniq, back = np.unique(values, return_inverse=True)
    return np.array([round(float(x), 2) for x in uniq], dtype=float)[back.reshape(-1)]


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """agency.rules.add_months over datetime64[D] (clamped to the month's last day; NaT stays)."""
    month = days.astype("datetime64[M]")
    day = (days - month.astype("datetime64[D]")).astype("int64")
    first = (month + months).astype("datetime64[D]")
    last = (month + months + 1).astype("datetime64[D]") - 1
    return np.minimum(first + day, last)


def _objects(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    """Values as Python objects (float, int, date) with None where `missing`."""
    out = values.astype(object)
    out[missing] = None
    return out


def _keys(values: object, n: int) -> pd.Series:
    """References or registration numbers as match keys: a non-empty string, else None."""
    if values is None:
        return pd.Series([None] * n, dtype=object)
    series = pd.Series(values).reset_index(drop=True)
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        ok = series.notna() & series.astype(object).ne("")
    else:
        ok = series.map(lambda v: isinstance(v, str) and bool(v)).astype(bool)
    return series.astype(object).where(ok.to_numpy(), None)


def last_employed(employed: pd.DataFrame | None, *, references: object, registrations: object,
                  before: np.ndarray) -> np.ndarray:
    """For each row, the last day strictly before `before` on which this person was in an
    employed social-work post here (for the cool-off check); NaT where none or `before` is NaT.

    `employed` has columns employee_id, on (a leave date, or a month end at which the person was
    in post as an employee) and swe_registration where known (metrics.agency.read_employment). A
    person is matched by the same reference always, and by registration number where both sides
    have one. All rows at once (a sorted as-of join per key kind), not a lookup per row.
    """
    n = len(before)
    best = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if employed is None or employed.empty or not n:
        return best
    days = _days(employed["on"], len(employed))
    regs = employed["swe_registration"] if "swe_registration" in employed else None
    for mine, theirs in ((references, employed["employee_id"]), (registrations, regs)):
        table = pd.DataFrame({"key": _keys(theirs, len(employed)), "day": days})
        table = table[table["key"].notna() & table["day"].notna()]
        rows = pd.DataFrame({"key": _keys(mine, n), "before": before, "row": np.arange(n)})
        rows = rows[rows["key"].notna() & rows["before"].notna()]
        rows = rows[rows["key"].isin(table["key"])]
        if rows.empty or table.empty:
            continue
        found = pd.merge_asof(rows.sort_values("before"), table.sort_values("day"), left_on="before",
                              right_on="day", by="key", allow_exact_matches=False,
                              direction="backward")
        found = found[found["day"].notna()]
        at = found["row"].to_numpy()
        got = found["day"].to_numpy().astype("datetime64[D]")
        best[at] = np.where(np.isnat(best[at]) | (got > best[at]), got, best[at])
    return best


def cool_off_left_on(assignments: pd.DataFrame, *, rules: AgencyRules,
                     employed: pd.DataFrame | None) -> np.ndarray:
    """Per assignment, the day its worker left an employed social-work post here when the
    assignment started within the cool-off after it (a breach); NaT otherwise. Social-work job
    types only. Needs only job_type, employee_id, swe_registration and start_date: a load
    re-checks it for every month, since a later Leavers or Staff sheet can move an earlier
    month's answer (metrics.agency.keep_checked)."""
    n = len(assignments)
    col = assignments.get
    jobs = assignments["job_type"].to_numpy(dtype=object) if n else np.array([], dtype=object)
    social_work = np.isin(jobs, np.array(SOCIAL_WORK_JOB_TYPES, dtype=object))
    start = _days(col("start_date"), n)
    last = last_employed(employed, references=col("employee_id"),
                         registrations=col("swe_registration"),
                         before=np.where(social_work, start, np.datetime64("NaT")))
    breach = ~np.isnat(last) & (start <= _add_months(last, rules.cool_off_months))
    return np.where(breach, last, np.datetime64("NaT"))


def check_assignments(assignments: pd.DataFrame, *, rules: AgencyRules,
                      employed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per assignment with the cap, the checks and the month's spend.

    `assignments` holds store rows of agency_assignments (with `period`, and `service`, `team`,
    `fte` from the Staff sheet where joined). Adds: on (month end), cap, excess_per_hour,
    spend, experience_years, months_running, cool_off_left_on and the boolean FLAG_COLUMNS.

    Column-wise (numpy) rather than row by row: at 100x the demo there are ~150,000
    assignment-months, and a Python loop over them cost ~9 s of a page and of every load. Each
    rule is the same arithmetic as the row-by-row definition (tests/unit/test_agency_checks.py
    compares the two on every demo month).
    """
    out = assignments.copy()
    n = len(out)
    col = out.get
    on = _days(col("period"), n)
    on = (on.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1  # the month end
    jobs = out["job_type"].to_numpy(dtype=object) if n else np.array([], dtype=object)
    social_work = np.isin(jobs, np.array(SOCIAL_WORK_JOB_TYPES, dtype=object))
    rate = np.nan_to_num(_numbers(col("hourly_rate"), n), nan=0.0)
    hours = np.nan_to_num(_numbers(col("hours"), n), nan=0.0)
    # the cap in force for each (job type, month end): a few dozen distinct pairs
    pairs = pd.DataFrame({"job": jobs, "on": on})
    found = pairs.drop_duplicates()
    found["cap"] = [np.nan if (c := rules.cap_for(job, on=pd.Timestamp(day).date())) is None
                    else float(c) for job, day in found.itertuples(index=False)]
    cap = pairs.merge(found, on=["job", "on"], how="left")["cap"].to_numpy(dtype=float)
    has_cap = ~np.isnan(cap)
    above = has_cap & (rate > cap + 1e-9)
    signers = col("cap_signoff_by")
    signer_ok = (pd.Series(signers).eq(FULL_SIGN_OFF).fillna(False).to_numpy(dtype=bool)
                 if signers is not None else np.zeros(n, dtype=bool))
    signed = above & ~np.isnat(_days(col("cap_signoff_date"), n)) & signer_ok
    qualified = _days(col("date_qualified"), n)
    from_date = np.maximum(0.0, (on - qualified).astype("int64") / 365.25)
    years = np.where(np.isnat(qualified), _numbers(col("years_pqe"), n), from_date)
    start = _days(col("start_date"), n)
    no_start = np.isnat(start)
    on_m, start_m = on.astype("datetime64[M]"), start.astype("datetime64[M]")
    running = (on_m - start_m).astype("int64")
    running -= ((on - on_m.astype("datetime64[D]")) < (start - start_m.astype("datetime64[D]")))
    running = np.where(no_start, 0, np.maximum(0, running))
    last = cool_off_left_on(out, rules=rules, employed=employed)
    breach = ~np.isnat(last)
    notice = _numbers(col("notice_weeks"), n)
    refs = _numbers(col("references_received"), n)
    excess = np.where(above, _round2(rate - np.nan_to_num(cap)), 0.0)
    out["on"] = _objects(on, np.isnat(on))  # datetime64[D] as objects: datetime.date
    out["cap"] = _objects(cap, ~has_cap)
    out["excess_per_hour"] = _objects(excess, ~above & ~(has_cap & (cap != 0)))
    out["spend"] = _objects(_round2(rate * hours), np.zeros(n, dtype=bool))
    out["experience_years"] = _objects(_round2(np.nan_to_num(years)), np.isnan(years))
    out["months_running"] = _objects(running, np.zeros(n, dtype=bool))
    out["cool_off_left_on"] = _objects(last, ~breach)
    flags = {
        "with_cap": has_cap,
        "within_cap": has_cap & ~above,
        "above_cap": above,
        "cap_unsigned": above & ~signed,
        "cap_signed": signed,
        "under_experience": social_work & ~np.isnan(years) & (years < rules.min_experience_years),
        "notice_below": ~np.isnan(notice) & (notice < rules.min_notice_weeks),
        "references_incomplete": ~np.isnan(refs) & (refs < rules.references_required),
        "cool_off_breach": breach,
        "long_assignment": ~no_start & (_add_months(start, rules.long_assignment_months) < on),
        "project_team": _flags(col("project_team"), n),
    }
    for k in FLAG_COLUMNS:
        out[k] = pd.Series(np.asarray(flags[k], dtype=bool), index=out.index, dtype=bool)
    return out


#: The columns check_assignments adds besides the flags, and the dates among them.
CHECKED_COLUMNS: tuple[str, ...] = ("on", "cap", "excess_per_hour", "spend", "experience_years",
                                    "months_running", "cool_off_left_on")
_CHECKED_DATES = ("on", "cool_off_left_on")


def stored_types(checked: pd.DataFrame) -> pd.DataFrame:
    """A checked frame with its added columns as plain column types (dates as datetime64, None as
    NaN), for writing to the store; `checked_types` turns what is read back into the frame
    check_assignments gives."""
    out = checked.copy()
    for col in CHECKED_COLUMNS:
        if col in _CHECKED_DATES:
            out[col] = pd.to_datetime(pd.Series(out[col], dtype=object)).astype("datetime64[s]")
        else:
            out[col] = pd.to_numeric(pd.Series(out[col], dtype=object), errors="coerce").astype(
                "int64" if col == "months_running" else "float64")
    return out


def checked_types(stored: pd.DataFrame) -> pd.DataFrame:
    """The added columns of a checked frame read back from the store, as check_assignments gives
    them: Python objects (date, float, int) with None for missing, and the flags as bools."""
    out = stored
    for col in CHECKED_COLUMNS:
        if col not in out:  # a narrow read (metrics.agency.checked's columns)
            continue
        values = out[col].to_numpy()
        if col in _CHECKED_DATES:
            days = values.astype("datetime64[D]")
            out[col] = _objects(days, np.isnat(days))
        elif col == "months_running":
            out[col] = _objects(values.astype("int64"), np.zeros(len(values), dtype=bool))
        else:
            floats = values.astype(float)
            out[col] = _objects(floats, np.isnan(floats))
    for col in FLAG_COLUMNS:
        if col in out:
            out[col] = out[col].astype(bool)
    return out


def _money(x: float) -> str:
    return f"£{x:,.2f}"


def breach_list(checked: pd.DataFrame, *, rules: AgencyRules) -> pd.DataFrame:
    """One row per breach: assignment reference, job type, team, the breach and what to do.

    Names assignments by their reference only (never a name).
    """
    rows = []
    for r in checked.itertuples(index=False):
        base = {"Agency reference": r.employee_id, "Job type": r.job_type,
                "Service": getattr(r, "service", None), "Team": getattr(r, "team", None),
                "Agency": r.agency}
        if r.cap_unsigned:
            signer = getattr(r, "cap_signoff_by", None)
            partial = (f" Signed so far: {signer}; the guidance needs both the DCS and the chief "
                       "executive." if isinstance(signer, str) and signer else "")
            rows.append(base | {
                "Breach": BREACHES["cap_unsigned"],
                "Detail": f"Charge rate {_money(r.hourly_rate)}/h is {_money(r.excess_per_hour)}/h "
                          f"above the {_money(r.cap)}/h cap.{partial}",
                "What to do": "Get the Director of Children's Services' and the chief executive's "
                              "sign-off, or agree a rate within the cap with the agency; report "
                              "it in the quarterly return."})
        if r.cap_signed:
            rows.append(base | {
                "Breach": BREACHES["cap_signed"],
                "Detail": f"Charge rate {_money(r.hourly_rate)}/h is {_money(r.excess_per_hour)}/h "
                          f"above the {_money(r.cap)}/h cap; signed off on "
                          f"{_as_date(r.cap_signoff_date):%d/%m/%Y} by {r.cap_signoff_by}.",
                "What to do": "Report it in the quarterly return; review the rate at the next "
                              "extension."})
        if r.cool_off_breach:
            rows.append(base | {
                "Breach": BREACHES["cool_off"],
                "Detail": f"Left an employed social-work post here on "
                          f"{r.cool_off_left_on:%d/%m/%Y}; the assignment started "
                          f"{_as_date(r.start_date):%d/%m/%Y}, within the "
                          f"{rules.cool_off_months}-month cool-off.",
                "What to do": "The guidance says not to engage them through an agency within the "
                              "cool-off: review the engagement with HR and the agency, and offer "
                              "an employed post instead."})
        if r.under_experience:
            rows.append(base | {
                "Breach": BREACHES["experience"],
                "Detail": f"{r.experience_years:.1f} years' post-qualifying experience "
                          f"(minimum {rules.min_experience_years:g}).",
                "What to do": "Do not extend the assignment; plan its replacement by an "
                              "experienced or employed social worker."})
        if r.notice_below:
            rows.append(base | {
                "Breach": BREACHES["notice"],
                "Detail": f"Notice period {r.notice_weeks:g} week"
                          f"{'' if r.notice_weeks == 1 else 's'} (minimum "
                          f"{rules.min_notice_weeks:g}).",
                "What to do": f"Vary the contract with the agency to at least "
                              f"{rules.min_notice_weeks:g} weeks' notice (or record that the "
                              "substantive notice period is shorter)."})
        if r.references_incomplete:
            rows.append(base | {
                "Breach": BREACHES["references"],
                "Detail": f"{int(r.references_received)} of {rules.references_required} practice "
                          "references received.",
                "What to do": "Obtain the missing practice-based references from the agency."})
        if r.long_assignment:
            rows.append(base | {
                "Breach": BREACHES["long_assignment"],
                "Detail": f"Running {r.months_running} months (since "
                          f"{_as_date(r.start_date):%d/%m/%Y}).",
                "What to do": "Review the post: recruit to it permanently or offer the worker an "
                              "employed post."})
        if r.project_team:
            rows.append(base | {
                "Breach": BREACHES["project_team"],
                "Detail": "Part of an agency project team.",
                "What to do": "Confirm the project team meets the guidance's conditions (time "
                              "limited, agreed outcomes, exit plan) and is reported."})
    columns = ["Agency reference", "Breach", "Detail", "What to do", "Job type", "Service",
               "Team", "Agency"]
    return pd.DataFrame(rows, columns=columns)
