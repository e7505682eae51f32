"""agency.checks.check_assignments, column-wise, is the row-by-row definition it replaced.

The reference below is that definition as it stood (one Python pass per assignment-month, the
cost of ~9 s a page at 100x): the column-wise checks must give the same frame (values, dtypes,
the Python type of each object) on every demo month, and the hand-worked cases at the rules'
edges (month-end clamping, the cool-off's last day, strictly-before, registration matches).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agency.checks import FLAG_COLUMNS, _as_date, _flag, _num, check_assignments
from agency.rules import FULL_SIGN_OFF, SOCIAL_WORK_JOB_TYPES, AgencyRules, add_months, load_rules, month_end
from tests.integration.agency_fixtures import write_rules

# ------------------------------------------------------------------ the row-by-row reference

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


class _Index:
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


def reference_check(assignments: pd.DataFrame, *, rules: AgencyRules,
                      employed: pd.DataFrame | None = None) -> pd.DataFrame:
    """The row-by-row definition (main before the column-wise rewrite), kept as the reference.

    `assignments` holds store rows of agency_assignments (with `period`, and `service`, `team`,
    `fte` from the Staff sheet where joined). Adds: on (month end), cap, excess_per_hour,
    spend, experience_years, months_running, cool_off_left_on and the boolean FLAG_COLUMNS.
    """
    out = assignments.copy()
    n = len(out)
    index = _Index(employed)
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



# ------------------------------------------------------------------------------ the tests


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want)
    for col in want.columns:
        if want[col].dtype == object:
            assert [type(v) for v in got[col]] == [type(v) for v in want[col]], col


def test_every_demo_month_is_checked_as_row_by_row(demo_db: Path) -> None:
    from metrics import agency as A
    from store import connect

    rules = load_rules()
    con = connect(demo_db, read_only=True)
    try:
        frame = A.read_assignments(con)
        employed = A.read_employment(con)
    finally:
        con.close()
    assert frame["period"].nunique() >= 24 and len(employed)
    want = reference_check(frame, rules=rules, employed=employed)
    # the demo exercises every rule (a check that never fires would compare nothing)
    assert all(want[c].any() for c in FLAG_COLUMNS if c != "cap_signed"), want[list(FLAG_COLUMNS)].sum()
    _same(check_assignments(frame, rules=rules, employed=employed), want)
    for period, month in frame.groupby("period"):  # and month by month, as a page reads one
        _same(check_assignments(month, rules=rules, employed=employed),
              reference_check(month, rules=rules, employed=employed))
    # a rule with another value moves the same rows both ways
    import dataclasses
    tight = dataclasses.replace(rules, min_notice_weeks=9.0, long_assignment_months=3,
                                cool_off_default_months=24, cool_off_regions={})
    _same(check_assignments(frame, rules=tight, employed=employed),
          reference_check(frame, rules=tight, employed=employed))


@pytest.fixture
def rules(tmp_path: Path) -> AgencyRules:
    return load_rules(write_rules(tmp_path / "rules.toml"))


def _assignment(ref: str, period: date, start: date, **extra) -> dict:
    return {"period": period, "employee_id": ref, "swe_registration": extra.pop("reg", None),
            "agency": "A1", "job_type": extra.pop("job", "Social worker"),
            "hourly_rate": extra.pop("rate", 40.0), "hours": extra.pop("hours", 10.0),
            "start_date": start, "notice_weeks": extra.pop("notice", 4.0),
            "date_qualified": extra.pop("qualified", None), "years_pqe": extra.pop("pqe", 5.0),
            "references_received": extra.pop("refs", 2), "project_team": extra.pop("team", None),
            "cap_signoff_date": extra.pop("signed_on", None),
            "cap_signoff_by": extra.pop("signed_by", None), **extra}


def test_hand_worked_edges(rules: AgencyRules) -> None:
    """West Midlands (cool-off 12 months), caps £40 social worker / £50 team manager from
    31/10/2024, long assignment = more than 12 months, 3 years' experience, 4 weeks, 2 refs."""
    feb25, mar25, oct24 = date(2025, 2, 1), date(2025, 3, 1), date(2024, 10, 1)
    rows = [
        # 0: started 31/01/2024; +12 months = 31/01/2025 < 28/02/2025: long; 12 whole months
        _assignment("A1", feb25, date(2024, 1, 31)),
        # 1: started 29/02/2024; +12 months clamps to 28/02/2025, not before 28/02/2025: not long;
        #    11 whole months (the 28th is before the 29th)
        _assignment("A2", feb25, date(2024, 2, 29)),
        # 2: left as E1 (same registration) 31/03/2024; +12 months = 31/03/2025 = start: breach
        _assignment("A3", mar25, date(2025, 3, 31), reg="SW1"),
        # 3: left 30/03/2024 under its own reference and in post 31/03/2024 as E2 (same
        #    registration): the later day counts, so the breach runs to 31/03/2025: start 31/03 breach
        _assignment("A4", mar25, date(2025, 3, 31), reg="SW2"),
        # 4: last employed day equal to the start is not before it; the one before is 2 years ago
        _assignment("A5", mar25, date(2025, 3, 1)),
        # 5: "Other" job type: no cool-off, no experience rule; no cap: excess None
        _assignment("A6", mar25, date(2025, 3, 1), job="Other", pqe=0.5),
        # 6: cap in force from 31/10/2024: October 2024's month end has it; £40.005 is above £40;
        #    signed by the DCS alone: unsigned; qualified 01/11/2023: 0.999 years
        _assignment("A7", oct24, date(2024, 10, 1), rate=40.005, hours=3.0,
                    signed_on=date(2024, 10, 2), signed_by="DCS", qualified=date(2023, 11, 1)),
        # 7: team manager £55, fully signed; notice 3.5; 1 reference; project team
        _assignment("A8", mar25, date(2025, 1, 1), job="Team manager", rate=55.0, notice=3.5,
                    refs=1, team=True, signed_on=date(2025, 1, 5), signed_by=FULL_SIGN_OFF),
    ]
    employed = pd.DataFrame({
        "employee_id": ["E1", "A4", "E2", "A5", "A5"],
        "swe_registration": ["SW1", None, "SW2", None, None],
        "on": pd.to_datetime([date(2024, 3, 31), date(2024, 3, 30), date(2024, 3, 31),
                              date(2025, 3, 1), date(2023, 2, 28)]),
    })
    got = check_assignments(pd.DataFrame(rows), rules=rules, employed=employed)
    assert got["long_assignment"].tolist() == [True, False, False, False, False, False, False, False]
    assert got["months_running"].tolist()[:2] == [12, 11]
    assert got["cool_off_breach"].tolist() == [False, False, True, True, False, False, False, False]
    assert got["cool_off_left_on"].tolist()[2:5] == [date(2024, 3, 31), date(2024, 3, 31), None]
    assert got["on"].tolist()[6] == date(2024, 10, 31) and got["on"].tolist()[1] == date(2025, 2, 28)
    assert got["cap"].tolist() == [40.0, 40.0, 40.0, 40.0, 40.0, None, 40.0, 50.0]
    assert got["excess_per_hour"].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0, None, 0.01, 5.0]
    assert got["above_cap"].tolist() == [False] * 6 + [True, True]
    assert got["cap_unsigned"].tolist() == [False] * 6 + [True, False]
    assert got["cap_signed"].tolist() == [False] * 7 + [True]
    assert got["spend"].tolist()[6:] == [round(40.005 * 3.0, 2), 550.0]
    assert got["experience_years"].tolist()[6] == round(365 / 365.25, 2) == 1.0
    assert got["under_experience"].tolist() == [False] * 6 + [True, False]  # not "Other" (0.5)
    assert got["notice_below"].tolist() == [False] * 7 + [True]
    assert got["references_incomplete"].tolist() == [False] * 7 + [True]
    assert got["project_team"].tolist() == [False] * 7 + [True]
    # the reference agrees on every one of them
    _same(got, reference_check(pd.DataFrame(rows), rules=rules, employed=employed))


def test_no_assignments_and_no_employment(rules: AgencyRules) -> None:
    empty = pd.DataFrame(columns=list(_assignment("A", date(2025, 1, 1), date(2025, 1, 1))))
    got = check_assignments(empty, rules=rules)
    assert got.empty and set(FLAG_COLUMNS) <= set(got.columns)
    one = pd.DataFrame([_assignment("A1", date(2025, 3, 1), date(2024, 1, 31))])
    _same(check_assignments(one, rules=rules), reference_check(one, rules=rules))
    _same(check_assignments(one, rules=rules, employed=pd.DataFrame(columns=["employee_id", "on"])),
          reference_check(one, rules=rules, employed=pd.DataFrame(columns=["employee_id", "on"])))
