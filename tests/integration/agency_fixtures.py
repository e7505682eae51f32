"""A small directorate with agency assignments over several months, for the agency tests.

Every figure the tests assert is worked out by hand in the test, from the rows below. The rules
are the test's own file (not the shipped examples), so a change to the example caps cannot move
a test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ingest.loader import load_frames
from store import connect

RULES_TOML = """
[council]
region = "West Midlands"

[rules]
min_experience_years = 3
min_notice_weeks = 4
references_required = 2
long_assignment_months = 12

[cool_off]
default_months = 3

[cool_off.regions]
"West Midlands" = 12

[[caps]]
region = "West Midlands"
job_type = "Social worker"
hourly_rate = 40.0
effective_from = 2024-10-31

[[caps]]
region = "West Midlands"
job_type = "Team manager"
hourly_rate = 50.0
effective_from = 2024-10-31

[[caps]]
region = "North West"
job_type = "Social worker"
hourly_rate = 35.0
effective_from = 2024-10-31

[cost]
hours_per_fte_year = 1929

[cost.employed_annual_per_fte]
"Social worker" = 50000
"Team manager" = 66000
"""

STAFF_COLS = ["employee_id", "team", "service", "role_group", "qualified_social_worker",
              "worker_type", "fte", "start_date"]
ASSIGNMENT_COLS = ["employee_id", "swe_registration", "agency", "job_type", "hourly_rate",
                   "hours", "start_date", "planned_end_date", "notice_weeks", "date_qualified",
                   "years_pqe", "references_received", "project_team", "cap_signoff_date",
                   "cap_signoff_by"]
LEAVER_COLS = ["employee_id", "leave_date", "reason", "team", "service", "role_group",
               "qualified_social_worker", "worker_type", "fte", "start_date"]

SG, CIC = "Safeguarding and Family Support", "Children in Care"

# employed staff present every month
_EMPLOYED = [
    ["E001", "Safeguarding 1", SG, "Social worker", "Y", "Permanent", 1.0, date(2019, 4, 1)],
    ["E002", "Safeguarding 1", SG, "Team manager", "Y", "Permanent", 1.0, date(2018, 1, 1)],
    ["E003", "Children in Care 2", CIC, "Social worker", "Y", "Permanent", 1.0, date(2020, 1, 1)],
    ["E004", "Children in Care 2", CIC, "Social worker", "Y", "Fixed-term", 0.5, date(2022, 1, 1)],
]


def _agency_staff(ref: str, team: str, service: str, role: str, fte: float, start: date) -> list:
    return [ref, team, service, role, "Y", "Agency", fte, start]


def month_frames(period: str) -> dict[str, pd.DataFrame]:
    """Contract-shaped frames for one of 2024-11, 2025-02, 2025-03."""
    staff = [list(r) for r in _EMPLOYED]
    leavers: list[list] = []
    assignments: list[list] = []
    if period == "2024-11":
        # E777 (registration SW777777) leaves an employed post on 15/11/2024; E888 on 20/11/2024
        leavers = [
            ["E777", date(2024, 11, 15), "Resignation", "Children in Care 2", CIC,
             "Social worker", "Y", "Permanent", 1.0, date(2021, 5, 1)],
            ["E888", date(2024, 11, 20), "Resignation", "Safeguarding 1", SG,
             "Social worker", "Y", "Permanent", 1.0, date(2020, 5, 1)],
        ]
        staff.append(_agency_staff("A004", "Safeguarding 1", SG, "Social worker", 0.5,
                                   date(2023, 12, 1)))
        assignments = [
            ["A004", "SW400400", "Acme Social Care", "Social worker", 38.0, 80, date(2023, 12, 1),
             None, 2, None, 2, 1, "N", None, None],
        ]
    else:
        staff += [
            _agency_staff("A003", "Children in Care 2", CIC, "Social worker", 1.0,
                          date(2025, 1, 13)),
            _agency_staff("A004", "Safeguarding 1", SG, "Social worker", 0.5, date(2023, 12, 1)),
            _agency_staff("A005", "Safeguarding 1", SG, "Team manager", 1.0, date(2025, 2, 3)),
            # the same person as leaver E888, back through an agency under the same reference
            _agency_staff("E888", "Safeguarding 1", SG, "Social worker", 1.0, date(2025, 2, 1)),
        ]
        hours = {"2025-02": (140, 70, 150, 140), "2025-03": (150, 80, 160, 150)}[period]
        assignments = [
            # A003 = the leaver E777 (same registration): cool-off breach; £5/h above the cap
            ["A003", "SW777777", "Acme Social Care", "Social worker", 45.0, hours[0],
             date(2025, 1, 13), date(2025, 7, 11), 4, date(2015, 6, 1), None, 2, "N", None,
             None],
            # A004: within cap, under 3 years' experience, notice 2 weeks, 1 reference, long
            ["A004", "SW400400", "Acme Social Care", "Social worker", 38.0, hours[1],
             date(2023, 12, 1), None, 2, None, 2, 1, "N", None, None],
            # A005: team manager £5/h above the cap, signed off by both; project team
            ["A005", "SW500500", "Beta Locums", "Team manager", 55.0, hours[2], date(2025, 2, 3),
             None, 4, date(2010, 1, 1), None, 2, "Y", date(2025, 2, 10),
             "DCS and chief executive"],
            # E888: cool-off breach by reference; at the cap exactly (within); DCS-only sign-off
            # is recorded but no breach to sign off
            ["E888", "SW888888", "Beta Locums", "Social worker", 40.0, hours[3], date(2025, 2, 1),
             None, 4, date(2012, 9, 1), None, 2, "N", None, None],
        ]
    return {
        "Staff": pd.DataFrame(staff, columns=STAFF_COLS),
        "Leavers": pd.DataFrame(leavers, columns=LEAVER_COLS),
        "Vacancies": pd.DataFrame(columns=["team", "service", "role_group",
                                           "qualified_social_worker", "vacant_fte",
                                           "covered_by_agency_fte"]),
        "Agency assignments": pd.DataFrame(assignments, columns=ASSIGNMENT_COLS),
    }


PERIODS = ("2024-11", "2025-02", "2025-03")


def build_store(path: Path) -> Path:
    """Load the three months through the real loader into a DuckDB file at `path`; then give
    leaver E777 the registration number the census items would carry (SW777777 = A003's)."""
    con = connect(path)
    try:
        for period in PERIODS:
            load_frames(con=con, frames=month_frames(period), period=period, loaded_by="test",
                        file_name=f"{period}.xlsx")
        con.execute("ALTER TABLE leavers ADD COLUMN IF NOT EXISTS swe_registration VARCHAR")
        con.execute("UPDATE leavers SET swe_registration = 'SW777777' WHERE employee_id = 'E777'")
    finally:
        con.close()
    return path


def write_rules(path: Path, text: str = RULES_TOML) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def spy(monkeypatch: Any, owner: Any, name: str, record: Callable[[tuple, dict, Any], Any]) -> list:
    """Wrap `owner.name` so each call still runs and appends `record(args, kwargs, result)` to the
    returned list (until `monkeypatch.undo()`): what a load asked of it."""
    calls: list = []
    real = getattr(owner, name)

    def spying(*args: Any, **kwargs: Any) -> Any:
        out = real(*args, **kwargs)
        calls.append(record(args, kwargs, out))
        return out

    monkeypatch.setattr(owner, name, spying)
    return calls

