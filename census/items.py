"""The CSWW census items, declared once per collection year.

Why declared here rather than read from DfE's XSD: the project does not ship the schema files
(they are DfE's, and change each year). Each item says its XML tag, type, code list, how often
it may occur and which years collect it; `census.schema` turns a year's declaration into the
XML Schema that export and import validate against, and the tests check that generated schema
against DfE's published files (../shared/reference/csww-census/).

Years: 2021 and 2022 share one item list (GenderCurrent, QualInst required, CFKSSstatus);
2023 allows SWE numbers of 1-10 digits; 2024 replaces GenderCurrent with Sex (M/F); 2025 adds
the LA-level pay and allowance flags and BaseSalary, RRPayments, OtherPayments and drops QualInst
and CFKSSstatus. A year after the latest known one uses the latest item list (and says so).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date

from ingest.census_codes import (
    AGENCY, CFKSS, ETHNICITY, GENDER_CURRENT, LEAVER_DESTINATION, NO_ALL_SOME, ORG_ROLE,
    QUAL_LEVEL, REASON_ABSENCE, REASON_LEAVE, SEX, START_ORIGIN, YES_NO,
)

FIRST_YEAR = 2021
LATEST_SCHEMA_YEAR = 2025

#: Item kinds: how a value is written and checked.
#:   code    one of `codes` (keys are what the XML holds)
#:   date    YYYY-MM-DD
#:   fte     decimal 0..1, at most 6 decimal places
#:   dec2    decimal, at most 2 decimal places
#:   dec1    decimal, at most 1 decimal place
#:   int     whole number
#:   swe     two letters then 1-10 digits (exactly 10 in 2021-2022)
#:   text    free text
KINDS = ("code", "date", "fte", "dec2", "dec1", "int", "swe", "text")

_ALL = tuple(range(FIRST_YEAR, LATEST_SCHEMA_YEAR + 1))
_TO_2023 = tuple(y for y in _ALL if y <= 2023)
_TO_2024 = tuple(y for y in _ALL if y <= 2024)
_FROM_2024 = tuple(y for y in _ALL if y >= 2024)
_FROM_2025 = tuple(y for y in _ALL if y >= 2025)


@dataclass(frozen=True)
class Item:
    """One census item: its XML element and what it may hold."""

    tag: str
    label: str
    kind: str
    years: tuple[int, ...] = _ALL
    codes: dict[str, str] = field(default_factory=dict)
    min_occurs: int = 0
    max_occurs: int | None = 1  # None = unbounded
    #: the codes that mean "not known" / "not yet collected", used only where the schema has them
    not_known: str | None = None
    #: True when DfE collects the item for LA-employed workers only (agency: a query)
    employed_only: bool = False
    #: personal data: readable only by the census export and HR data quality
    restricted: bool = False
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for {self.tag}")
        if (self.kind == "code") != bool(self.codes):
            raise ValueError(f"{self.tag}: codes go with kind 'code' only")

    def label_of(self, code: str | None) -> str:
        """The plain-English meaning of a code (the code itself when unknown)."""
        if code is None:
            return ""
        return self.codes.get(code, code)


WORKER_ITEMS: tuple[Item, ...] = (
    Item("AgencyWorker", "Agency worker", "code", codes=AGENCY, min_occurs=1,
         help="1 for an agency worker, 0 for an LA-employed social worker."),
    Item("SWENo", "Social Work England registration number", "swe", min_occurs=1,
         restricted=True, help="SW followed by digits, e.g. SW123456."),
    Item("FTE", "FTE", "fte", help="Full-time equivalent in the role (at leaving, for leavers)."),
    Item("PersonBirthDate", "Date of birth", "date", employed_only=True),
    Item("GenderCurrent", "Gender", "code", _TO_2023, GENDER_CURRENT, not_known="0",
         employed_only=True),
    Item("Sex", "Sex", "code", _FROM_2024, SEX, employed_only=True),
    Item("Ethnicity", "Ethnicity", "code", codes=ETHNICITY, not_known="NOBT",
         employed_only=True),
    Item("QualInst", "Qualifying institution", "text", _TO_2024, min_occurs=1, max_occurs=None,
         employed_only=True),
    Item("QualLevel", "Qualification level", "code", codes=QUAL_LEVEL, employed_only=True),
    Item("StepUpGrad", "Step Up to Social Work graduate", "code", codes=YES_NO,
         employed_only=True),
    Item("OrgRole", "Organisational role", "code", codes=ORG_ROLE),
    Item("RoleStartDate", "Role start date", "date", employed_only=True),
    Item("StartOrigin", "Origin of starter", "code", codes=START_ORIGIN, not_known="10",
         employed_only=True),
    Item("RoleEndDate", "Role end date", "date", employed_only=True),
    Item("LeaverDestination", "Destination of leaver", "code", codes=LEAVER_DESTINATION,
         not_known="9", employed_only=True),
    Item("ReasonLeave", "Reason for leaving", "code", codes=REASON_LEAVE, not_known="10",
         employed_only=True),
    Item("FTE30", "FTE at 30 September", "fte"),
    Item("Cases30", "Cases at 30 September", "int"),
    Item("WorkingDaysLost", "Working days lost", "dec2", employed_only=True),
    Item("ContractWeeks", "Contracted weeks", "dec1", max_occurs=None, employed_only=True),
    Item("FrontlineGrad", "Frontline graduate", "code", codes=YES_NO, employed_only=True),
    Item("Absat30Sept", "Absent at 30 September", "code", codes=YES_NO, max_occurs=None,
         employed_only=True),
    Item("ReasonAbsence", "Reason for absence", "code", codes=REASON_ABSENCE, max_occurs=None,
         employed_only=True),
    Item("CFKSSstatus", "Child and family knowledge and skills status", "code", _TO_2024, CFKSS,
         max_occurs=None, employed_only=True),
    Item("BaseSalary", "Base salary", "dec2", _FROM_2025, employed_only=True),
    Item("RRPayments", "Recruitment and retention payments", "dec2", _FROM_2025,
         employed_only=True),
    Item("OtherPayments", "Other payments", "dec2", _FROM_2025, employed_only=True),
)

LA_ITEMS: tuple[Item, ...] = (
    Item("NumberOfVacancies", "Vacancies (FTE)", "dec2", min_occurs=1),
    Item("NoAgencyFTE", "Agency workers (FTE)", "dec2", min_occurs=1),
    Item("NoAgencyHeadcount", "Agency workers (headcount)", "int", min_occurs=1),
    Item("RecruitmentBonus", "Recruitment bonus", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("RetentionBonus", "Retention bonus", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("PerformanceAward", "Performance award", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("CarAllowance", "Car allowance", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("RelocationPackage", "Relocation package", "code", _FROM_2025, NO_ALL_SOME,
         min_occurs=1),
    Item("RegionalWeighting", "Regional weighting", "code", _FROM_2025, NO_ALL_SOME,
         min_occurs=1),
    Item("CostSWE", "Social Work England fee paid", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("CostDBS", "DBS check paid", "code", _FROM_2025, NO_ALL_SOME, min_occurs=1),
    Item("OtherAllowances", "Other allowances", "text", _FROM_2025, min_occurs=1),
)

#: The LA-level pay and allowance flags (2025 onwards) that come from data/census.toml.
PAY_FLAGS: tuple[str, ...] = tuple(i.tag for i in LA_ITEMS if i.kind == "code")


class CensusYearError(ValueError):
    """A census year the dashboard cannot handle (before 2021)."""


def schema_year(year: int) -> int:
    """The item list a census year uses: itself, or the latest known for a later year."""
    if year < FIRST_YEAR:
        raise CensusYearError(
            f"{year} is before {FIRST_YEAR}, the first census year this dashboard reads.")
    return min(year, LATEST_SCHEMA_YEAR)


def worker_items(year: int) -> tuple[Item, ...]:
    """The worker-level items of `year`, in schema order."""
    y = schema_year(year)
    return tuple(i for i in WORKER_ITEMS if y in i.years)


def la_items(year: int) -> tuple[Item, ...]:
    """The LA-level (LALevelVacancies) items of `year`, in schema order."""
    y = schema_year(year)
    return tuple(i for i in LA_ITEMS if y in i.years)


def item(tag: str) -> Item:
    """The item called `tag` (any year)."""
    return _BY_TAG[tag]  # KeyError for a tag no year has


_BY_TAG: dict[str, Item] = {}
for _it in WORKER_ITEMS + LA_ITEMS:
    _BY_TAG.setdefault(_it.tag, _it)


def reference_date(year: int) -> date:
    """30 September of the census year."""
    return date(year, 9, 30)


def year_start(year: int) -> date:
    """1 October of the year before: the first day of the census year."""
    return date(year - 1, 10, 1)


def working_days_in_year(year: int) -> int:
    """DfE's absence denominator per FTE: 253, or 254 when the census year holds 29 February."""
    return 254 if calendar.isleap(year) else 253


def swe_pattern(year: int) -> str:
    """The SWENo pattern of `year` (XML Schema regex, implicitly anchored)."""
    return r"[A-Za-z]{2}\d{10}" if schema_year(year) <= 2022 else r"[A-Za-z]{2}\d{1,10}"
