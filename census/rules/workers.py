"""Checks of one worker record. Each returns what is wrong and how to fix it, or None."""

from __future__ import annotations

import re

from census.items import item, swe_pattern, working_days_in_year
from census.model import CensusReturn, Worker
from census.rules.base import worker_rule

#: cases per FTE above which DfE's system asks a council to confirm a caseload
CASELOAD_QUERY = 30


@worker_rule("E01", "error", "FTE", "FTE more than 0 and at most 1")
def fte_in_range(ret: CensusReturn, w: Worker) -> str | None:
    for tag in ("FTE", "FTE30"):
        value = w.number(tag)
        if w.get(tag) is not None and (value is None or not 0 < value <= 1):
            return (f"{tag} is {w.get(tag)}; it must be more than 0 and at most 1. Correct the "
                    "FTE in the Staff sheet (1 = full time).")
    return None


@worker_rule("E02", "error", "RoleStartDate", "Role starts on or before 30 September")
def start_before_reference(ret: CensusReturn, w: Worker) -> str | None:
    start = w.day("RoleStartDate")
    if start is not None and start > ret.reference_date:
        return (f"the role starts on {start:%d/%m/%Y}, after the census date "
                f"{ret.reference_date:%d/%m/%Y}: leave this person out of the {ret.year} "
                "return, or correct the start date.")
    return None


@worker_rule("E03", "error", "RoleEndDate", "A leaver's end date falls inside the census year")
def end_inside_year(ret: CensusReturn, w: Worker) -> str | None:
    end = w.day("RoleEndDate")
    if end is not None and not w.agency and not ret.start <= end <= ret.reference_date:
        return (f"the role ended on {end:%d/%m/%Y}, outside the census year "
                f"{ret.start:%d/%m/%Y} to {ret.reference_date:%d/%m/%Y}: only leavers in the "
                "year are returned; correct the leave date or remove the record.")
    return None


@worker_rule("E04", "error", "RoleEndDate", "Role end date not before its start date")
def end_after_start(ret: CensusReturn, w: Worker) -> str | None:
    start, end = w.day("RoleStartDate"), w.day("RoleEndDate")
    if start is not None and end is not None and end < start:
        return (f"the role ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y}): "
                "correct one of the dates.")
    return None


@worker_rule("E05", "error", "StartOrigin", "Starters in the year have an origin")
def starter_origin(ret: CensusReturn, w: Worker) -> str | None:
    if ret.starter(w) and w.get("StartOrigin") is None:
        return ("this person started in the year but has no origin: add 'Starter origin' in "
                "the Staff sheet (where they came from).")
    return None


@worker_rule("E06", "error", "LeaverDestination", "Leavers in the year have a destination")
def leaver_destination(ret: CensusReturn, w: Worker) -> str | None:
    if ret.leaver(w) and w.get("LeaverDestination") is None:
        return ("this person left in the year but has no destination: add 'Leaver destination' "
                "in the Leavers sheet.")
    return None


@worker_rule("E07", "error", "ReasonLeave", "Leavers in the year have a reason for leaving")
def leaver_reason(ret: CensusReturn, w: Worker) -> str | None:
    if ret.leaver(w) and w.get("ReasonLeave") is None:
        return ("this person left in the year but has no census reason for leaving: add "
                "'Census leaving reason' in the Leavers sheet.")
    return None


@worker_rule("E08", "error", "Cases30", "Only case holders hold cases")
def cases_for_non_case_holder(ret: CensusReturn, w: Worker) -> str | None:
    cases = w.number("Cases30")
    if w.get("OrgRole") == "6" and cases is not None and cases > 0:
        return (f"{int(cases)} cases are given for someone whose role is 'qualified without "
                "cases': correct the cases or the role group.")
    return None


@worker_rule("E09", "error", "ReasonAbsence", "Absence at 30 September has a reason")
def absence_reason(ret: CensusReturn, w: Worker) -> str | None:
    if "1" in w.items.get("Absat30Sept", []) and not w.items.get("ReasonAbsence"):
        return ("absent at 30 September but no reason is given: add 'Absence reason' in the "
                "September Staff sheet.")
    return None


@worker_rule("E10", "error", "SWENo", "Social Work England number present and well formed")
def swe_number(ret: CensusReturn, w: Worker) -> str | None:
    value = w.get("SWENo")
    if value is None:
        return ("no Social Work England registration number: add it in the Staff sheet "
                "(e.g. SW123456).")
    if not re.fullmatch(swe_pattern(ret.year), value):
        return ("the registration number is not in the form DfE accepts for "
                f"{ret.year} (two letters then digits, e.g. SW123456): check it against the "
                "Social Work England register.")
    return None


@worker_rule("E11", "error", "AgencyWorker", "Agency worker flag is 0 or 1")
def agency_flag(ret: CensusReturn, w: Worker) -> str | None:
    if w.get("AgencyWorker") not in item("AgencyWorker").codes:
        return (f"the agency flag is {w.get('AgencyWorker') or 'missing'}; it must be 0 "
                "(LA-employed) or 1 (agency): check the worker type.")
    return None


@worker_rule("Q01", "query", "AgencyWorker", "Agency workers carry agency items only")
def agency_with_employment_items(ret: CensusReturn, w: Worker) -> str | None:
    if not w.agency:
        return None
    extra = [tag for tag in w.items if item(tag).employed_only]
    if extra:
        return (f"an agency worker's record holds employment-only items ({', '.join(extra)}); "
                "DfE collects these for LA-employed staff only: check the worker type.")
    return None


@worker_rule("Q02", "query", "Cases30", "Case holders hold cases")
def case_holder_without_cases(ret: CensusReturn, w: Worker) -> str | None:
    if w.get("OrgRole") == "5" and not w.number("Cases30") and ret.in_post(w):
        return ("a case holder with no cases at 30 September: give the cases in the September "
                "Staff sheet, or the role is 'qualified without cases'.")
    return None


@worker_rule("Q03", "query", "Cases30", "Caseload within a believable range")
def caseload_high(ret: CensusReturn, w: Worker) -> str | None:
    cases, fte = w.number("Cases30"), w.number("FTE30") or w.number("FTE")
    if cases and fte and cases / fte > CASELOAD_QUERY:
        return (f"{int(cases)} cases on {fte:g} FTE is {cases / fte:.0f} per FTE, above "
                f"{CASELOAD_QUERY}: confirm the count (children, not families or episodes).")
    return None


@worker_rule("Q04", "query", "WorkingDaysLost", "Days lost fit the working year")
def days_lost_high(ret: CensusReturn, w: Worker) -> str | None:
    days, fte = w.number("WorkingDaysLost"), w.number("FTE") or 1.0
    most = working_days_in_year(ret.year) * fte
    if days is not None and days > most:
        return (f"{days:g} working days lost is more than the {most:g} days this FTE works in "
                "a year: check the monthly absence days.")
    return None


@worker_rule("Q05", "query", "Ethnicity", "Ethnicity known for LA-employed staff")
def ethnicity_not_known(ret: CensusReturn, w: Worker) -> str | None:
    if not w.agency and w.get("Ethnicity") in (None, "NOBT"):
        return ("ethnicity not yet obtained: give 'Ethnicity (census code)' (one of the 18 "
                "census codes) or a detailed Ethnicity in the Staff sheet.")
    return None


@worker_rule("Q06", "query", "Sex", "Sex given for LA-employed staff", years=(2024, None))
def sex_missing(ret: CensusReturn, w: Worker) -> str | None:
    if not w.agency and w.get("Sex") is None:
        return "sex (M or F) is not given: add 'Sex (census)' in the Staff sheet."
    return None


@worker_rule("Q07", "query", "FTE30", "30 September items only for those in post then")
def leaver_with_30_sept_items(ret: CensusReturn, w: Worker) -> str | None:
    if ret.in_post(w):
        return None
    given = [t for t in ("FTE30", "Cases30", "Absat30Sept") if w.items.get(t)]
    if given:
        return (f"left before 30 September but has {', '.join(given)}: these describe people in "
                "post on 30 September; remove them.")
    return None
