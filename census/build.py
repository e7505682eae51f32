"""Build a census return from the monthly loads of a census year (1 October - 30 September).

Who is in it (DfE's guidance, applied to the monthly extract):
- every qualified social worker in post on the reference month's last day (30 September for
  the real return; the latest loaded month for a readiness check), employed and agency;
- every LA-employed qualified social worker who left in the year (Leavers sheets of the year's
  months), with the personal items from their last Staff row.
Derived items: OrgRole from role group and cases (a social worker with cases is a case holder,
without cases "qualified without cases"); WorkingDaysLost is the sum of the monthly absence
days over the year; FTE30 and Cases30 come from the reference month. "Not known"/"not yet
collected" codes are written only for items whose code list has them (Ethnicity, StartOrigin,
LeaverDestination, ReasonLeave); any other missing item is left out and reported as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from census.items import PAY_FLAGS, item, la_items, schema_year, worker_items
from census.model import CensusReturn, Worker
from ingest import contract as C

#: monthly Leavers reasons that name one census reason without doubt
REASON_FROM_MONTHLY = {"Resignation": "1", "Dismissal": "4", "Retirement": "5"}

#: role group -> OrgRole for roles that do not depend on cases
ORG_ROLE_FROM_GROUP = {"Senior manager": "1", "Middle manager": "2", "Team manager": "3",
                       "Senior practitioner": "4"}

GENDER_CODES = {"Male": "1", "Female": "2", "Other": "9", "Not known": "0"}


@dataclass
class CensusConfig:
    """The LA-level items the monthly extract does not hold (data/census.toml)."""

    lea: str | None = None
    pay: dict[str, str] = field(default_factory=dict)
    other_allowances: str | None = None


@dataclass
class MonthlyData:
    """What the store holds for one census year, as store-shaped frames."""

    staff: pd.DataFrame  # every month of the year and the one before; period = first day
    leavers: pd.DataFrame
    vacancies: pd.DataFrame  # the reference month only
    restricted: pd.DataFrame  # employee_id, swe_number (latest per employee)
    reference_period: date  # first day of the month standing for 30 September


#: id of a code list -> {normalised meaning: code} (the code lists are module constants)
_MEANINGS: dict[int, dict[str, str]] = {}


def _code(codes: dict[str, str], label: object) -> str | None:
    """The census code for a stored label (or a code stored as such)."""
    if label is None or (isinstance(label, float) and pd.isna(label)) or label is pd.NA:
        return None
    text = str(label)
    if text in codes:
        return text
    meanings = _MEANINGS.get(id(codes))
    if meanings is None:
        meanings = _MEANINGS[id(codes)] = {C.normalise_key(m): c for c, m in reversed(codes.items())}
    return meanings.get(C.normalise_key(text))


def _dec(value: object, places: int) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    q = Decimal(1).scaleb(-places)
    return str(Decimal(str(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def _flag(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return "1" if bool(value) else "0"


def _day(value: object) -> str | None:
    if value is None or value is pd.NA or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def _value(row: dict, name: str) -> object:
    return row.get(name)


def org_role(role_group: str, cases: object) -> str:
    """DfE's organisational role from the dashboard's role group and the cases held."""
    if role_group in ORG_ROLE_FROM_GROUP:
        return ORG_ROLE_FROM_GROUP[role_group]
    has_cases = cases is not None and cases is not pd.NA and not pd.isna(cases) and cases > 0
    return "5" if has_cases else "6"


def _put(items: dict[str, list[str]], tag: str, value: str | None, allowed: set[str]) -> None:
    if value is not None and tag in allowed:
        items[tag] = [value]


def _personal(items: dict[str, list[str]], row: dict, year: int,
              allowed: set[str]) -> None:
    """Items about the person (employed staff only), from their Staff row.

    PersonBirthDate (optional in the schema) is never written: the store keeps age, not dates
    of birth."""
    if schema_year(year) >= 2024:
        sex = _value(row, "census_sex")
        _put(items, "Sex", sex if sex in ("M", "F") else None, allowed)
    else:
        _put(items, "GenderCurrent", GENDER_CODES.get(_value(row, "gender")), allowed)
    _put(items, "Ethnicity", _code(item("Ethnicity").codes, _value(row, "census_ethnicity"))
         or "NOBT", allowed)
    _put(items, "QualLevel", _code(item("QualLevel").codes, _value(row, "qualification_level")),
         allowed)
    _put(items, "StepUpGrad", _flag(_value(row, "step_up_graduate")), allowed)


def _later(items: dict[str, list[str]], row: dict, days: float | None,
           allowed: set[str]) -> None:
    _put(items, "WorkingDaysLost", _dec(days, 2), allowed)
    _put(items, "ContractWeeks", _dec(_value(row, "contracted_weeks"), 1), allowed)
    _put(items, "FrontlineGrad", _flag(_value(row, "frontline_graduate")), allowed)


def _pay(items: dict[str, list[str]], row: dict, allowed: set[str]) -> None:
    for tag, col in (("BaseSalary", "base_salary"), ("RRPayments", "rr_payments"),
                     ("OtherPayments", "other_payments")):
        _put(items, tag, _dec(_value(row, col), 2), allowed)


def build(*, year: int, data: MonthlyData, config: CensusConfig) -> CensusReturn:
    """The return for census `year` from the monthly loads in `data`."""
    allowed = {i.tag for i in worker_items(year)}
    start = date(year - 1, 10, 1)
    staff = data.staff[data.staff["qualified_social_worker"].fillna(False).astype(bool)]
    staff = staff.sort_values(["employee_id", "period"])
    ref = staff[staff["period"] == pd.Timestamp(data.reference_period)]
    last_rows = staff.drop_duplicates("employee_id", keep="last").set_index("employee_id")
    in_year = staff["period"] >= pd.Timestamp(start)
    absence = staff[in_year].groupby("employee_id")["absence_days"].sum(min_count=1)
    absence = {str(k): v for k, v in absence.items()}
    numbers = (dict(zip(data.restricted["employee_id"].astype(str), data.restricted["swe_number"]))
               if len(data.restricted) else {})  # the latest row per employee wins

    def swe(eid: str) -> str | None:
        value = numbers.get(eid)
        return None if value is None or pd.isna(value) else str(value)

    workers: list[Worker] = []
    in_post_ids: set[str] = set()
    for row in ref.to_dict("records"):
        eid = str(row["employee_id"])
        in_post_ids.add(eid)
        agency = row["worker_type"] == C.AGENCY_WORKER_TYPE
        items: dict[str, list[str]] = {"AgencyWorker": ["1" if agency else "0"]}
        _put(items, "SWENo", swe(eid), allowed)
        _put(items, "FTE", _dec(row["fte"], 6), allowed)
        if not agency:
            _personal(items, row, year, allowed)
        _put(items, "OrgRole", org_role(row["role_group"], row["cases"]), allowed)
        if not agency:
            begun = pd.Timestamp(row["start_date"]).date()
            _put(items, "RoleStartDate", begun.isoformat(), allowed)
            if begun >= start:
                _put(items, "StartOrigin", _code(item("StartOrigin").codes,
                                                 _value(row, "start_origin")) or "10", allowed)
        _put(items, "FTE30", _dec(row["fte"], 6), allowed)
        cases = row["cases"]
        if cases is not None and cases is not pd.NA and not pd.isna(cases):
            _put(items, "Cases30", str(int(cases)), allowed)
        if not agency:
            _later(items, row, absence.get(eid), allowed)
            absent = _flag(_value(row, "absent_at_month_end"))
            _put(items, "Absat30Sept", absent, allowed)
            if absent == "1":
                _put(items, "ReasonAbsence", _code(item("ReasonAbsence").codes,
                                                   _value(row, "absence_reason")), allowed)
            _pay(items, row, allowed)
        workers.append(Worker(items=items, employee_id=eid))

    leavers = data.leavers
    if len(leavers):
        leavers = leavers[leavers["qualified_social_worker"].fillna(False).astype(bool)
                          & (leavers["worker_type"] != C.AGENCY_WORKER_TYPE)
                          & (pd.to_datetime(leavers["leave_date"]) >= pd.Timestamp(start))]
        leavers = leavers.sort_values(["employee_id", "leave_date"]).drop_duplicates(
            "employee_id", keep="last")
    rows = leavers.to_dict("records") if len(leavers) else []
    wanted = [str(r["employee_id"]) for r in rows if str(r["employee_id"]) not in in_post_ids]
    last_of = {str(r["employee_id"]): r for r in
               last_rows[last_rows.index.isin(wanted)].reset_index().to_dict("records")}
    for row in rows:
        eid = str(row["employee_id"])
        if eid in in_post_ids:
            continue  # left and came back: the census counts the role they hold at 30 Sept
        last = last_of.get(eid, row)
        items = {"AgencyWorker": ["0"]}
        _put(items, "SWENo", swe(eid), allowed)
        _put(items, "FTE", _dec(row["fte"], 6), allowed)
        _personal(items, last, year, allowed)
        role_cases = last.get("cases")
        _put(items, "OrgRole", org_role(row["role_group"], role_cases), allowed)
        begun = pd.Timestamp(row["start_date"]).date()
        _put(items, "RoleStartDate", begun.isoformat(), allowed)
        if begun >= start:
            _put(items, "StartOrigin", _code(item("StartOrigin").codes,
                                             _value(last, "start_origin")) or "10", allowed)
        _put(items, "RoleEndDate", _day(row["leave_date"]), allowed)
        _put(items, "LeaverDestination", _code(item("LeaverDestination").codes,
                                               _value(row, "leaver_destination")) or "9", allowed)
        reason = (_code(item("ReasonLeave").codes, _value(row, "census_leaving_reason"))
                  or REASON_FROM_MONTHLY.get(row["reason"]) or "10")
        _put(items, "ReasonLeave", reason, allowed)
        _later(items, last, absence.get(eid), allowed)
        _pay(items, last, allowed)
        workers.append(Worker(items=items, employee_id=eid))

    for i, w in enumerate(workers, 1):
        w.record = i
    agency = ref[ref["worker_type"] == C.AGENCY_WORKER_TYPE]
    vac = data.vacancies
    if len(vac):
        vac = vac[vac["qualified_social_worker"].fillna(False).astype(bool)]
    la = {
        "NumberOfVacancies": [_dec(vac["vacant_fte"].sum() if len(vac) else 0.0, 2)],
        "NoAgencyFTE": [_dec(agency["fte"].sum() if len(agency) else 0.0, 2)],
        "NoAgencyHeadcount": [str(len(agency))],
    }
    tags = {i.tag for i in la_items(year)}
    for tag in PAY_FLAGS:
        if tag in tags and config.pay.get(tag) is not None:
            la[tag] = [str(config.pay[tag])]
    if "OtherAllowances" in tags and config.other_allowances is not None:
        la["OtherAllowances"] = [config.other_allowances]
    return CensusReturn(year=year, la=la, workers=workers, lea=config.lea, source="monthly")
