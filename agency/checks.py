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


def experience_years(*, date_qualified: date | None, years_pqe: float | None,
                     on: date) -> float | None:
    """Years of post-qualifying experience on `on` (from the date qualified, else the years given)."""
    if date_qualified is not None:
        return max(0.0, (on - date_qualified).days / 365.25)
    return years_pqe


def months_running(*, start: date, on: date) -> int:
    """Whole months from the assignment start to `on` (12 = a full year has passed)."""
    months = (on.year - start.year) * 12 + on.month - start.month
    if on.day < start.day:
        months -= 1
    return max(0, months)


class EmploymentIndex:
    """When each person was last in an employed social-work post here (for the cool-off check).

    Built once from `employed` (columns employee_id, on, and swe_registration where known): `on`
    is a leave date, or a month end at which the person was in post as an employee. A person is
    matched by registration number where both sides have one, and always by the same reference.
    """

    def __init__(self, employed: pd.DataFrame | None):
        self._by_id: dict[str, list[date]] = {}
        self._by_reg: dict[str, list[date]] = {}
        if employed is None or employed.empty:
            return
        regs = (employed["swe_registration"] if "swe_registration" in employed
                else pd.Series([None] * len(employed), index=employed.index))
        for ref, reg, on in zip(employed["employee_id"], regs, employed["on"]):
            day = _as_date(on)
            if day is None:
                continue
            if isinstance(ref, str) and ref:
                self._by_id.setdefault(ref, []).append(day)
            if isinstance(reg, str) and reg:
                self._by_reg.setdefault(reg, []).append(day)

    def last_before(self, *, reference: str, registration: str | None, before: date) -> date | None:
        """The last employed date of this person strictly before `before`, or None."""
        days = list(self._by_id.get(reference, ()))
        if isinstance(registration, str) and registration:
            days += self._by_reg.get(registration, ())
        earlier = [d for d in days if d < before]
        return max(earlier) if earlier else None


def check_assignments(assignments: pd.DataFrame, *, rules: AgencyRules,
                      employed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per assignment with the cap, the checks and the month's spend.

    `assignments` holds store rows of agency_assignments (with `period`, and `service`, `team`,
    `fte` from the Staff sheet where joined). Adds: on (month end), cap, excess_per_hour,
    spend, experience_years, months_running, cool_off_left_on and the boolean FLAG_COLUMNS.
    """
    out = assignments.copy()
    n = len(out)
    index = EmploymentIndex(employed)
    cols: dict[str, list] = {k: [] for k in (
        "on", "cap", "excess_per_hour", "spend", "experience_years", "months_running",
        "cool_off_left_on", *FLAG_COLUMNS)}
    for row in out.itertuples(index=False):
        on = month_end(_as_date(row.period))
        job = row.job_type
        social_work = job in SOCIAL_WORK_JOB_TYPES
        rate = _num(row.hourly_rate) or 0.0
        hours = _num(row.hours) or 0.0
        cap = rules.cap_for(job, on=on)
        above = cap is not None and rate > cap + 1e-9
        signer = getattr(row, "cap_signoff_by", None)
        signed = (above and _as_date(getattr(row, "cap_signoff_date", None)) is not None
                  and signer == FULL_SIGN_OFF)
        years = experience_years(date_qualified=_as_date(getattr(row, "date_qualified", None)),
                                 years_pqe=_num(getattr(row, "years_pqe", None)), on=on)
        start = _as_date(row.start_date)
        running = months_running(start=start, on=on) if start else 0
        left = None
        if social_work and start is not None:
            last = index.last_before(reference=row.employee_id,
                                     registration=getattr(row, "swe_registration", None),
                                     before=start)
            if last is not None and start <= add_months(last, rules.cool_off_months):
                left = last
        cols["on"].append(on)
        cols["cap"].append(cap)
        cols["excess_per_hour"].append(round(rate - cap, 2) if above else (0.0 if cap else None))
        cols["spend"].append(round(rate * hours, 2))
        cols["experience_years"].append(None if years is None else round(years, 2))
        cols["months_running"].append(running)
        cols["cool_off_left_on"].append(left)
        cols["with_cap"].append(cap is not None)
        cols["within_cap"].append(cap is not None and not above)
        cols["above_cap"].append(above)
        cols["cap_unsigned"].append(above and not signed)
        cols["cap_signed"].append(bool(signed))
        cols["under_experience"].append(
            social_work and years is not None and years < rules.min_experience_years)
        notice = _num(row.notice_weeks)
        cols["notice_below"].append(notice is not None and notice < rules.min_notice_weeks)
        refs = _num(row.references_received)
        cols["references_incomplete"].append(refs is not None and refs < rules.references_required)
        cols["cool_off_breach"].append(left is not None)
        cols["long_assignment"].append(
            start is not None and add_months(start, rules.long_assignment_months) < on)
        cols["project_team"].append(_flag(getattr(row, "project_team", None)))
    for k, v in cols.items():
        out[k] = pd.Series(v, index=out.index, dtype=bool if k in FLAG_COLUMNS else object) \
            if n else pd.Series([], dtype=bool if k in FLAG_COLUMNS else object)
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
