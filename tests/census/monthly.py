"""A small directorate's monthly extracts for one census year, with every census item.

The people's dates suit the 2025 census year (October 2024 to September 2025).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

STAFF_COLS = ["employee_id", "team", "service", "role_group", "qualified_social_worker",
              "worker_type", "fte", "start_date", "cases", "absence_days", "gender",
              "ethnicity", "age", "swe_number", "census_sex", "census_ethnicity",
              "qualification_level", "step_up_graduate", "frontline_graduate", "start_origin",
              "absent_at_month_end", "absence_reason", "contracted_weeks", "base_salary",
              "rr_payments", "other_payments"]

#  id, role, worker type, fte, start, cases, sex, code, qual, origin, weeks, salary
PEOPLE = [
    ("E01", "Social worker", "Permanent", 1.0, "2019-04-01", 16, "F", "WBRI", "Under-graduate",
     None, None, 41000.0),
    ("E02", "Social worker", "Permanent", 0.6, "2025-02-03", 9, "M", "BAFR", "Post-graduate",
     "Agency or consultancy in social work (in England)", 39.0, 39500.5),
    ("E03", "Team manager", "Permanent", 1.0, "2012-09-01", None, "F", "MWAS", "Other", None,
     None, 52000.0),
    ("E04", "Senior practitioner", "Fixed-term", 1.0, "2024-11-11", 12, "M", "AIND",
     "Under-graduate", "Newly qualified social worker", None, 45000.0),
    ("E05", "Social worker", "Permanent", 0.8, "2021-06-01", None, "F", "REFU", "Under-graduate",
     None, None, 40000.0),
    ("A01", "Social worker", "Agency", 1.0, "2025-01-06", 18, None, None, None, None, None, None),
    ("A02", "Senior practitioner", "Agency", 0.5, "2024-06-01", 7, None, None, None, None, None,
     None),
    ("S01", "Family support / practitioner", "Permanent", 1.0, "2020-01-01", None, "F", "WBRI",
     None, None, None, 28000.0),  # not a qualified social worker: never in the census
]
LEAVER = ("E09", "Social worker", "Permanent", 0.5, "2016-03-01")


def months(year: int) -> list[date]:
    """October of the year before to September: the census year's months."""
    return [date(year - 1 if m >= 10 else year, m, 1) for m in (10, 11, 12, *range(1, 10))]


def frames_for(period: date, year: int) -> dict[str, pd.DataFrame]:
    rows = []
    for k, (eid, role, wt, fte, start, cases, sex, code, qual, origin, weeks, salary) in \
            enumerate(PEOPLE):
        if date.fromisoformat(start) > period:
            continue
        agency = wt == "Agency"
        rows.append({
            "employee_id": eid, "team": "Team A", "service": "Children in Care",
            "role_group": role, "qualified_social_worker": "N" if eid == "S01" else "Y",
            "worker_type": wt, "fte": fte, "start_date": start, "cases": cases,
            "absence_days": None if agency else float(k % 3) * 0.5, "gender": None if agency
            else ("Female" if sex == "F" else "Male"), "ethnicity": code, "age": 40,
            "swe_number": None if eid == "S01" else f"SW{900000 + k}",
            "census_sex": sex, "census_ethnicity": code, "qualification_level": qual,
            "step_up_graduate": None if agency else "N",
            "frontline_graduate": None if agency else ("Y" if eid == "E02" else "N"),
            "start_origin": origin,
            "absent_at_month_end": None if agency else ("Y" if eid == "E05" else "N"),
            "absence_reason": "Sick leave" if eid == "E05" else None,
            "contracted_weeks": weeks, "base_salary": salary,
            "rr_payments": None if agency else (1500.0 if eid == "E04" else 0.0),
            "other_payments": None if agency else 0.0,
        })
    if period < date(year, 3, 1):  # E09 in post until leaving in March
        eid, role, wt, fte, start = LEAVER
        rows.append({"employee_id": eid, "team": "Team A", "service": "Children in Care",
                     "role_group": role, "qualified_social_worker": "Y", "worker_type": wt,
                     "fte": fte, "start_date": start, "cases": 10, "absence_days": 1.0,
                     "gender": "Male", "ethnicity": "WBRI", "age": 50, "swe_number": "SW912345",
                     "census_sex": "M", "census_ethnicity": "WOTH",
                     "qualification_level": "Post-graduate", "step_up_graduate": "Y",
                     "frontline_graduate": "N", "absent_at_month_end": "N",
                     "base_salary": 43000.0, "rr_payments": 0.0, "other_payments": 250.0})
    staff = pd.DataFrame(rows, columns=STAFF_COLS)
    leavers = pd.DataFrame(columns=["employee_id", "leave_date", "reason", "team", "service",
                                    "role_group", "qualified_social_worker", "worker_type", "fte",
                                    "start_date", "leaver_destination",
                                    "census_leaving_reason"])
    if period == date(year, 3, 1):
        eid, role, wt, fte, start = LEAVER
        leavers.loc[0] = [eid, f"{year}-03-14", "Resignation", "Team A", "Children in Care",
                          role, "Y", wt, fte, start,
                          "Agency or consultancy in social work (in England)", None]
    vacancies = pd.DataFrame([{"team": "Team A", "service": "Children in Care",
                               "role_group": "Social worker", "qualified_social_worker": "Y",
                               "vacant_fte": 2.0, "covered_by_agency_fte": 1.5},
                              {"team": "Team A", "service": "Children in Care",
                               "role_group": "Family support / practitioner",
                               "qualified_social_worker": "N", "vacant_fte": 1.0,
                               "covered_by_agency_fte": 0.0}])
    return {"Staff": staff, "Leavers": leavers, "Vacancies": vacancies}


def load_year(con, year: int) -> None:
    from ingest.loader import load_frames

    for period in months(year):
        load_frames(con=con, frames=frames_for(period, year), period=f"{period:%Y-%m}",
                    loaded_by="test", file_name=f"extract-{period:%Y-%m}.xlsx")
