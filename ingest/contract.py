"""The monthly HR extract, declared once (DESIGN §3).

Why one declaration: the validator, the template generator, the Instructions sheet and the docs
all read these objects, so a column added here is validated, offered in the template and
explained to HR without touching anything else.

Kinds: text, number, whole (whole number), date, flag (Y/N -> boolean), choice (one of `choices`).
Headers and controlled values match after `normalise_key` (case-, space- and
punctuation-insensitive), so "Fixed Term" = "Fixed-term" and "PAYROLL_NO" = "Payroll No".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import census_codes as CC
from store import AGENCY_WORKER_TYPE as _AGENCY
from store import RESTRICTED_TABLE as _RESTRICTED

_HEADER_KEYS: dict[int, frozenset[str]] = {}
_HEADER_INDEX: dict[int, dict[str, "Column"]] = {}

KINDS = ("text", "number", "whole", "date", "flag", "choice")

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_key(text: object) -> str:
    """Lower-case `text` and drop everything but letters and digits ("Fixed Term" -> "fixedterm")."""
    return _NON_ALNUM.sub("", str(text).strip().lower())


# --------------------------------------------------------------------------- controlled lists

ROLE_GROUPS: tuple[str, ...] = (
    "Senior manager",
    "Middle manager",
    "Team manager",
    "Senior practitioner",
    "Social worker",
    "Family support / practitioner",
    "Business support",
    "Other",
)

#: Casual counts as employed; only Agency is agency (DESIGN §4).
WORKER_TYPES: tuple[str, ...] = ("Permanent", "Fixed-term", "Casual", "Agency")
EMPLOYED_WORKER_TYPES: tuple[str, ...] = ("Permanent", "Fixed-term", "Casual")
AGENCY_WORKER_TYPE = _AGENCY  # the store's employed/agency predicate rests on this value

LEAVER_REASONS: tuple[str, ...] = (
    "Resignation",
    "Retirement",
    "Dismissal",
    "End of fixed-term contract",
    "Redundancy",
    "Moved to another council role",
    "Other",
    "Not known",
)

GENDERS: tuple[str, ...] = ("Female", "Male", "Other", "Not known")

ETHNIC_GROUPS: tuple[str, ...] = ("White", "Mixed", "Asian", "Black", "Other", "Not known")

DISABILITY_VALUES: tuple[str, ...] = ("Y", "N", "Not known")

#: Sex as the CSWW census collects it from 2024 (beside gender, which stays as it is)
CENSUS_SEX: tuple[str, ...] = tuple(CC.SEX)

#: The HR-only table: the registration number lives here, apart from `staff`, read only by the
#: census export and HR's data-quality views.
RESTRICTED_TABLE = _RESTRICTED  # store.RESTRICTED_TABLE: the name is the store's
RESTRICTED_COLUMNS: tuple[str, ...] = ("employee_id", "swe_number")

#: Social Work England registration numbers as the census accepts them (2023 onwards)
SWE_NUMBER = re.compile(r"[A-Za-z]{2}\d{1,10}")

YES_NO: tuple[str, ...] = ("Y", "N")

TRAINING_CATEGORIES_EXAMPLE: tuple[str, ...] = (
    "Safeguarding",
    "Practice",
    "Leadership",
    "Wellbeing",
    "Equality and diversity",
    "Mandatory",
    "Other",
)

SURVEY_MEASURES_EXAMPLE: tuple[str, ...] = (
    "Engagement",
    "Wellbeing",
    "Manageable workload",
    "Supervision",
    "Would recommend",
)

SERVICES_EXAMPLE: tuple[str, ...] = (
    "Safeguarding and Family Support",
    "Children in Care",
    "Early Help",
    "SEND",
    "Youth",
)

FLAG_TRUE = frozenset({"y", "yes", "true", "t", "1", "10"})  # "10" = "1.0" normalised
FLAG_FALSE = frozenset({"n", "no", "false", "f", "0", "00"})

# Ethnicity: DfE codes (school/workforce census) and ONS 2021 labels -> the six groups we store.
# Chinese sits in Asian, as in the ONS 2021 classification.
ETHNICITY_CODES: dict[str, str] = {
    "WBRI": "White", "WIRI": "White", "WOTH": "White", "WIRT": "White", "WROM": "White",
    "WENG": "White", "WSCO": "White", "WWEL": "White", "WOWB": "White", "WCOR": "White",
    "WALB": "White", "WBOS": "White", "WCRO": "White", "WGRE": "White", "WGRK": "White",
    "WGRC": "White", "WITA": "White", "WKOS": "White", "WPOR": "White", "WSER": "White",
    "WTUR": "White", "WTUK": "White", "WTUC": "White", "WEUR": "White", "WOTW": "White",
    "MWBC": "Mixed", "MWBA": "Mixed", "MWAS": "Mixed", "MOTH": "Mixed", "MAOE": "Mixed",
    "MABL": "Mixed", "MACH": "Mixed", "MWCH": "Mixed", "MOTM": "Mixed",
    "AIND": "Asian", "APKN": "Asian", "ABAN": "Asian", "AOTH": "Asian", "CHNE": "Asian",
    "AAFR": "Asian", "AKPA": "Asian", "AMPK": "Asian", "AOPK": "Asian", "ANEP": "Asian",
    "ASLT": "Asian", "ASNL": "Asian", "AOTA": "Asian",
    "BCRB": "Black", "BAFR": "Black", "BOTH": "Black", "BANN": "Black", "BCON": "Black",
    "BGHA": "Black", "BNGN": "Black", "BSLN": "Black", "BSOM": "Black", "BSUD": "Black",
    "BAOF": "Black", "BEUR": "Black", "BNAM": "Black", "BOTB": "Black",
    "OOTH": "Other", "OARA": "Other", "OAFG": "Other", "OEGY": "Other", "OFIL": "Other",
    "OIRN": "Other", "OIRQ": "Other", "OJPN": "Other", "OKOR": "Other", "OKRD": "Other",
    "OLAM": "Other", "OLEB": "Other", "OLIB": "Other", "OMAL": "Other", "OMRC": "Other",
    "OPOL": "Other", "OTHR": "Other", "OVIE": "Other", "OYEM": "Other", "OOEG": "Other",
    "REFU": "Not known", "NOBT": "Not known",
}

ETHNICITY_LABELS: dict[str, str] = {
    # ONS 2021 high-level groups and common short forms
    "White": "White",
    "White British": "White",
    "Mixed": "Mixed",
    "Mixed or Multiple ethnic groups": "Mixed",
    "Mixed or multiple": "Mixed",
    "Mixed / Multiple ethnic groups": "Mixed",
    "Dual heritage": "Mixed",
    "Asian": "Asian",
    "Asian or Asian British": "Asian",
    "Asian, Asian British or Asian Welsh": "Asian",
    "Chinese": "Asian",
    "Indian": "Asian",
    "Pakistani": "Asian",
    "Bangladeshi": "Asian",
    "Black": "Black",
    "Black or Black British": "Black",
    "Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Caribbean": "Black",
    "African": "Black",
    "Other": "Other",
    "Other ethnic group": "Other",
    "Any other ethnic group": "Other",
    "Arab": "Other",
    # ONS 2021 detailed labels (the group prefix also matches, see ethnic_group())
    "White: English, Welsh, Scottish, Northern Irish or British": "White",
    "White: Irish": "White",
    "White: Gypsy or Irish Traveller": "White",
    "White: Roma": "White",
    "White: Other White": "White",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "Mixed",
    "Mixed or Multiple ethnic groups: White and Black African": "Mixed",
    "Mixed or Multiple ethnic groups: White and Asian": "Mixed",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "Mixed",
    "Asian, Asian British or Asian Welsh: Indian": "Asian",
    "Asian, Asian British or Asian Welsh: Pakistani": "Asian",
    "Asian, Asian British or Asian Welsh: Bangladeshi": "Asian",
    "Asian, Asian British or Asian Welsh: Chinese": "Asian",
    "Asian, Asian British or Asian Welsh: Other Asian": "Asian",
    "Black, Black British, Black Welsh, Caribbean or African: African": "Black",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "Black",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "Black",
    "Other ethnic group: Arab": "Other",
    "Other ethnic group: Any other ethnic group": "Other",
    # not known
    "Not known": "Not known",
    "Unknown": "Not known",
    "Not stated": "Not known",
    "Prefer not to say": "Not known",
    "Refused": "Not known",
    "Information not yet obtained": "Not known",
    "Not recorded": "Not known",
}

_ETHNICITY_LOOKUP: dict[str, str] = {normalise_key(k): v for k, v in ETHNICITY_LABELS.items()}
_ETHNICITY_LOOKUP.update({normalise_key(k): v for k, v in ETHNICITY_CODES.items()})
_ETHNICITY_LOOKUP.update({normalise_key(g): g for g in ETHNIC_GROUPS})
_ETHNICITY_PREFIXES: tuple[tuple[str, str], ...] = (
    ("white", "White"),
    ("mixed", "Mixed"),
    ("multiple", "Mixed"),
    ("asian", "Asian"),
    ("black", "Black"),
    ("anyother", "Other"),
    ("otherethnic", "Other"),
)


def ethnic_group(value: object) -> str | None:
    """The stored group for an ONS 2021 label, DfE code or group name; None when unrecognised."""
    key = normalise_key(value)
    if not key:
        return None
    if key in _ETHNICITY_LOOKUP:
        return _ETHNICITY_LOOKUP[key]
    for prefix, group in _ETHNICITY_PREFIXES:
        if key.startswith(prefix):
            return group
    return None


#: Headers that name or contact a person: dropped on read, never stored (DESIGN §3).
NAME_COLUMNS: tuple[str, ...] = (
    "name", "names", "forename", "forenames", "first name", "firstname", "given name",
    "given names", "middle name", "middle names", "surname", "last name", "family name",
    "full name", "preferred name", "known as", "employee name", "staff name", "worker name",
    "title", "initials", "email", "e-mail", "email address", "e-mail address", "work email",
    "personal email", "mobile", "phone", "telephone", "phone number", "address", "home address",
    "postcode", "post code", "ni number", "ni no", "national insurance number",
    "national insurance no",
)
_NAME_KEYS = frozenset(normalise_key(n) for n in NAME_COLUMNS)


def is_personal_header(header: object) -> bool:
    """True when a header names, contacts or otherwise identifies a person (never stored)."""
    key = normalise_key(header)
    if not key:
        return False
    return (
        key in _NAME_KEYS
        or key.endswith("name")
        or key.endswith("names")
        or "email" in key
        or key.endswith("surname")
        or "nationalinsurance" in key
        or key.startswith("address")
        or key.endswith("postcode")
    )


#: Headers that state the reporting period in the file (checked against the period given).
PERIOD_HEADERS: tuple[str, ...] = (
    "period", "reporting period", "reporting month", "report month", "month", "extract month",
    "period ending", "month ending", "snapshot month", "snapshot date", "as at", "as at date",
)
_PERIOD_KEYS = frozenset(normalise_key(h) for h in PERIOD_HEADERS)


def is_period_header(header: object) -> bool:
    """True when a header states the reporting period (e.g. "Reporting month")."""
    return normalise_key(header) in _PERIOD_KEYS


# --------------------------------------------------------------------------- declaration


@dataclass(frozen=True)
class Column:
    """One contract column: how it is named, typed, checked and explained."""

    name: str
    kind: str
    required: bool
    label: str
    help: str
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    example: str = ""
    #: accepted spellings of controlled values -> canonical value (matched by normalise_key)
    value_aliases: dict[str, str] = field(default_factory=dict)
    minimum: float | None = None
    minimum_inclusive: bool = True
    maximum: float | None = None
    #: the store column it fills (date_of_birth fills `age`); None = not stored
    store_as: str | None = ""
    #: controlled list offered as a dropdown in the template even if `kind` is text
    suggestions: tuple[str, ...] = ()
    #: personal data kept in the HR-only table (RESTRICTED_TABLE), never in `staff`
    restricted: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for column {self.name}")
        if self.store_as == "":
            object.__setattr__(self, "store_as", self.name)

    @property
    def header_keys(self) -> frozenset[str]:
        """Every normalised header that means this column."""
        keys = _HEADER_KEYS.get(id(self))
        if keys is None:
            keys = frozenset({normalise_key(self.name), normalise_key(self.label)} | {
                normalise_key(a) for a in self.aliases
            })
            _HEADER_KEYS[id(self)] = keys
        return keys

    def allowed_text(self) -> str:
        """Plain-English statement of what the column accepts (Instructions sheet, messages)."""
        if self.kind == "choice":
            return "one of: " + ", ".join(self.choices)
        if self.kind == "flag":
            return "Y or N (Yes/No, TRUE/FALSE and 1/0 also work)"
        if self.kind == "date":
            return "a date (an Excel date, dd/mm/yyyy or yyyy-mm-dd)"
        if self.kind in ("number", "whole"):
            word = "a whole number" if self.kind == "whole" else "a number"
            bounds = []
            if self.minimum is not None:
                bounds.append(
                    f"at least {self.minimum:g}" if self.minimum_inclusive
                    else f"more than {self.minimum:g}"
                )
            if self.maximum is not None:
                bounds.append(f"at most {self.maximum:g}")
            return word + (", " + " and ".join(bounds) if bounds else "")
        return "text"


@dataclass(frozen=True)
class Sheet:
    """One contract sheet (a workbook tab, or one CSV in a zip)."""

    name: str
    required: bool
    may_be_empty: bool
    description: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    table: str = ""

    def __post_init__(self) -> None:
        if not self.table:
            object.__setattr__(self, "table", self.name.lower())

    def column(self, name: str) -> Column:
        """The column called `name` (KeyError if the contract has none)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")

    @property
    def sheet_keys(self) -> frozenset[str]:
        """Normalised names that identify this sheet (tab name or CSV file stem)."""
        return frozenset({normalise_key(self.name)} | {normalise_key(a) for a in self.aliases})


_WORKER_TYPE_ALIASES = {
    "Perm": "Permanent", "Permanent contract": "Permanent", "Established": "Permanent",
    "Substantive": "Permanent", "Fixed term": "Fixed-term", "Fixed term contract": "Fixed-term",
    "FTC": "Fixed-term", "Temporary": "Fixed-term", "Temp": "Fixed-term",
    "Secondment": "Fixed-term", "Bank": "Casual", "Sessional": "Casual", "Relief": "Casual",
    "Zero hours": "Casual", "Locum": "Agency", "Agency worker": "Agency", "Interim": "Agency",
    "Agency locum": "Agency",
}
_ROLE_ALIASES = {
    "Family support": "Family support / practitioner",
    "Family support worker": "Family support / practitioner",
    "Practitioner": "Family support / practitioner",
    "Family practitioner": "Family support / practitioner",
    "Social work": "Social worker", "SW": "Social worker", "Social workers": "Social worker",
    "ASYE": "Social worker", "Advanced practitioner": "Senior practitioner",
    "Senior social worker": "Senior practitioner", "Consultant social worker": "Senior practitioner",
    "Practice supervisor": "Senior practitioner", "Team leader": "Team manager",
    "Service manager": "Middle manager", "Head of service": "Senior manager",
    "Director": "Senior manager", "Assistant director": "Senior manager",
    "Admin": "Business support", "Administration": "Business support",
    "Business support officer": "Business support",
}
_GENDER_ALIASES = {
    "F": "Female", "Woman": "Female", "W": "Female", "M": "Male", "Man": "Male",
    "Non-binary": "Other", "Nonbinary": "Other", "X": "Other", "Prefer to self-describe": "Other",
    "Unknown": "Not known", "U": "Not known", "Prefer not to say": "Not known",
    "Not stated": "Not known", "Not recorded": "Not known",
}
_DISABILITY_ALIASES = {
    "Yes": "Y", "No": "N", "True": "Y", "False": "N", "1": "Y", "0": "N",
    "Unknown": "Not known", "Prefer not to say": "Not known", "Not stated": "Not known",
    "Not recorded": "Not known", "U": "Not known",
}
_REASON_ALIASES = {
    "Resigned": "Resignation", "Voluntary resignation": "Resignation",
    "Resignation - other": "Resignation", "Retired": "Retirement", "Ill health retirement": "Retirement",
    "Dismissed": "Dismissal", "End of contract": "End of fixed-term contract",
    "End of fixed term contract": "End of fixed-term contract", "Contract ended": "End of fixed-term contract",
    "Redundant": "Redundancy", "Internal transfer": "Moved to another council role",
    "Moved to another council role": "Moved to another council role",
    "Transfer to another directorate": "Moved to another council role",
    "Unknown": "Not known", "Not stated": "Not known",
}

_EMPLOYEE_ID = Column(
    "employee_id", "text", True, "Employee ID",
    "Payroll number, or the agency reference for agency workers. A pseudonymous id only, "
    "never a name. Must be unique in the Staff sheet.",
    aliases=("Employee Number", "Employee No", "Employee Ref", "Employee Reference", "Emp No",
             "Emp ID", "Payroll No", "Payroll Number", "Payroll ID", "Payroll Ref", "Staff ID",
             "Staff Number", "Staff No", "Person ID", "Person Number", "Worker ID",
             "Assignment Number", "Agency Reference", "ID"),
    example="P10234",
)
_TEAM = Column(
    "team", "text", True, "Team", "The team the person works in, as the directorate names it.",
    aliases=("Team Name", "Team Description", "Unit", "Cost Centre Name", "Org Unit"),
    example="Hereford Safeguarding 1",
)
_SERVICE = Column(
    "service", "text", True, "Service",
    "The service the team belongs to (e.g. Safeguarding and Family Support, Children in Care, "
    "Early Help, SEND, Youth).",
    aliases=("Service Area", "Service Name", "Division", "Department"),
    example="Children in Care", suggestions=SERVICES_EXAMPLE,
)
_ROLE_GROUP = Column(
    "role_group", "choice", True, "Role group",
    "The broad role: pick the nearest from the list.",
    choices=ROLE_GROUPS, aliases=("Role", "Role Group", "Job Family", "Job Group", "Role Type",
                                  "Post Group"),
    example="Social worker", value_aliases=_ROLE_ALIASES,
)
_QSW = Column(
    "qualified_social_worker", "flag", True, "Qualified social worker",
    "Y when the person is a qualified social worker registered with Social Work England, else N.",
    aliases=("QSW", "Qualified SW", "Qualified", "Registered social worker", "SWE registered",
             "Social Work England registered", "Is qualified social worker"),
    example="Y",
)
_WORKER_TYPE = Column(
    "worker_type", "choice", True, "Worker type",
    "Permanent, Fixed-term, Casual (all count as employed) or Agency.",
    choices=WORKER_TYPES,
    aliases=("Contract Type", "Employment Type", "Worker Type", "Contract", "Employment Status",
             "Worker Category", "Staff Type", "Engagement Type"),
    example="Permanent", value_aliases=_WORKER_TYPE_ALIASES,
)
_FTE = Column(
    "fte", "number", True, "FTE",
    "Full-time equivalent: 1 for full time, 0.5 for half time. More than 0 and at most 1.",
    aliases=("Hours FTE", "FTE Hours", "Full Time Equivalent", "Full-time equivalent", "WTE",
             "Whole Time Equivalent", "Contracted FTE"),
    example="1", minimum=0, minimum_inclusive=False, maximum=1,
)
_START_DATE = Column(
    "start_date", "date", True, "Start date",
    "Date the person started in the directorate (agency workers: the assignment start). "
    "Not after the end of the month.",
    aliases=("Start", "Date Started", "Start Date", "Employment Start Date", "Date of Joining",
             "Join Date", "Joined", "Continuous Service Date", "Assignment Start",
             "Assignment Start Date", "Hire Date"),
    example="15/09/2021",
)

STAFF = Sheet(
    "Staff", True, False,
    "Everyone in post on the last day of the month, employees and agency workers alike.",
    (
        _EMPLOYEE_ID, _TEAM, _SERVICE, _ROLE_GROUP, _QSW, _WORKER_TYPE, _FTE, _START_DATE,
        Column("cases", "whole", False, "Cases",
               "Number of cases (children) the person holds at month end. Blank = holds no cases.",
               aliases=("Caseload", "Case Load", "Number of Cases", "Open Cases", "Allocated Cases"),
               example="16", minimum=0),
        Column("absence_days", "number", False, "Absence days",
               "Working days lost to sickness absence in the month (0 or more).",
               aliases=("Sickness Days", "Sickness Absence Days", "Days Lost", "Absence",
                        "Sickness", "Days Absent", "FTE Days Lost"),
               example="0", minimum=0),
        Column("gender", "choice", False, "Gender", "Female, Male, Other or Not known.",
               choices=GENDERS, aliases=("Sex", "Gender Identity"), example="Female",
               value_aliases=_GENDER_ALIASES),
        Column("ethnicity", "choice", False, "Ethnicity",
               "An ONS 2021 ethnic group label or a DfE code (e.g. WBRI, ABAN); stored as White, "
               "Mixed, Asian, Black, Other or Not known.",
               choices=ETHNIC_GROUPS, aliases=("Ethnic Group", "Ethnic Origin", "Ethnicity Code",
                                               "Ethnic Code"),
               example="White"),
        Column("date_of_birth", "date", False, "Date of birth",
               "Used only to work out age in whole years at month end; the date itself is "
               "never stored. You may give an Age column instead.",
               aliases=("DOB", "D.O.B.", "Birth Date", "Date of Birth", "Birthdate"),
               example="03/04/1985", store_as="age"),
        Column("age", "whole", False, "Age",
               "Age in whole years at month end (instead of Date of birth).",
               aliases=("Age in Years", "Age Years", "Age at Month End"), example="38",
               minimum=14, maximum=100),
        Column("disability", "choice", False, "Disability",
               "Y, N or Not known (whether the person has declared a disability).",
               choices=DISABILITY_VALUES, aliases=("Disabled", "Disability Declared",
                                                   "Has Disability"),
               example="N", value_aliases=_DISABILITY_ALIASES),
        Column("lives_in_county", "flag", False, "Lives in county",
               "Y when the person lives in the county, else N.",
               aliases=("Lives in County", "Resident in County", "Local Resident", "In County",
                        "County Resident", "Lives Locally"),
               example="Y"),
        Column("converted_from_agency", "flag", False, "Converted from agency",
               "Y for an employee who previously worked here through an agency, else N.",
               aliases=("Converted from Agency", "Ex Agency", "Former Agency", "Agency Conversion",
                        "Previously Agency"),
               example="N"),
        Column("swe_number", "text", False, "SWE registration number",
               "Social Work England registration number: SW followed by digits (e.g. "
               "SW123456). Used only for the CSWW census return: kept apart from everything "
               "else and shown only to HR.",
               aliases=("Social Work England number", "Social Work England registration number",
                        "SWE number", "SWE No", "SWENo", "SWE registration", "SWE reg no",
                        "Registration number", "Professional registration number"),
               example="SW123456", restricted=True),
        Column("census_sex", "choice", False, "Sex (census)",
               "M or F: sex as the CSWW census collects it (from 2024). Kept beside Gender, "
               "which is unchanged.",
               choices=CENSUS_SEX, aliases=("Census sex", "Sex census", "Legal sex",
                                            "Sex M/F", "Sex (M/F)"),
               example="F", value_aliases={"Male": "M", "Female": "F"}),
        Column("census_ethnicity", "choice", False, "Ethnicity (census code)",
               "One of the 18 CSWW census ethnicity codes (e.g. WBRI, MWBC, BAFR, REFU) or its "
               "words (e.g. White British): the detail the census needs.",
               choices=tuple(CC.ETHNICITY), aliases=("Census ethnicity", "Ethnicity census",
                                                     "Detailed ethnicity", "DfE ethnicity code",
                                                     "CSWW ethnicity"),
               example="WBRI",
               value_aliases={**{v: k for k, v in CC.ETHNICITY.items()}, **CC.ETHNICITY_ALIASES}),
        Column("qualification_level", "choice", False, "Qualification level",
               "The social work qualification: Under-graduate, Post-graduate or Other.",
               choices=tuple(CC.QUAL_LEVEL.values()),
               aliases=("Qual level", "QualLevel", "Social work qualification level",
                        "Qualification"),
               example="Under-graduate", value_aliases=dict(CC.QUAL_LEVEL)),
        Column("step_up_graduate", "flag", False, "Step Up graduate",
               "Y when the person qualified through Step Up to Social Work, else N.",
               aliases=("Step Up", "StepUpGrad", "Step Up to Social Work"), example="N"),
        Column("frontline_graduate", "flag", False, "Frontline graduate",
               "Y when the person qualified through Frontline, else N.",
               aliases=("Frontline", "FrontlineGrad"), example="N"),
        Column("start_origin", "choice", False, "Starter origin",
               "For people who started in the last 12 months: where they came from (the census "
               "list; 'Agency or consultancy in social work (in England)' for former agency "
               "workers).",
               choices=tuple(CC.START_ORIGIN.values()),
               aliases=("Start origin", "StartOrigin", "Origin of starter", "Previous employer type",
                        "Came from"),
               example="Newly qualified social worker", value_aliases=dict(CC.START_ORIGIN)),
        Column("absent_at_month_end", "flag", False, "Absent at month end",
               "Y when the person was absent on the last day of the month (any reason).",
               aliases=("Absent", "Absent at 30 September", "Absat30Sept", "Absent on last day"),
               example="N"),
        Column("absence_reason", "choice", False, "Absence reason",
               "When absent at month end: why (the census list, e.g. Sick leave).",
               choices=tuple(CC.REASON_ABSENCE.values()),
               aliases=("Reason for absence", "ReasonAbsence", "Absence type"),
               example="Sick leave", value_aliases=dict(CC.REASON_ABSENCE)),
        Column("contracted_weeks", "number", False, "Contracted weeks",
               "Weeks a year the contract covers, where it is not the whole year (e.g. 39 for "
               "term-time only).",
               aliases=("Contract weeks", "ContractWeeks", "Weeks per year"), example="52",
               minimum=0, minimum_inclusive=False, maximum=53),
        Column("base_salary", "number", False, "Base salary",
               "Annual base salary in pounds at month end (full-time equivalent not applied).",
               aliases=("Salary", "Basic salary", "BaseSalary", "Annual salary"),
               example="41500", minimum=0),
        Column("rr_payments", "number", False, "R&R payments",
               "Recruitment and retention payments in pounds a year.",
               aliases=("Recruitment and retention payments", "RRPayments", "R and R payments",
                        "Market supplement"),
               example="0", minimum=0),
        Column("other_payments", "number", False, "Other payments",
               "Other regular payments in pounds a year (allowances).",
               aliases=("OtherPayments", "Allowances"), example="0", minimum=0),
    ),
    aliases=("Staff in post", "In post", "Staff list", "Workforce", "Employees", "Headcount"),
)

LEAVERS = Sheet(
    "Leavers", True, True,
    "Directly employed staff whose employment in the directorate ended in the month (a move "
    "between teams is not a leaver). Keep the sheet with its headers even if nobody left.",
    (
        _EMPLOYEE_ID,
        Column("leave_date", "date", True, "Leave date",
               "Last day of employment; must fall inside the reporting month.",
               aliases=("Leaving Date", "Date Left", "End Date", "Termination Date",
                        "Leaver Date", "Last Day", "Date of Leaving"),
               example="28/03/2025"),
        Column("reason", "choice", True, "Reason", "Why the person left: pick from the list.",
               choices=LEAVER_REASONS,
               aliases=("Leaving Reason", "Reason for Leaving", "Leaver Reason",
                        "Termination Reason"),
               example="Resignation", value_aliases=_REASON_ALIASES),
        _TEAM, _SERVICE, _ROLE_GROUP, _QSW, _WORKER_TYPE, _FTE, _START_DATE,
        Column("leaver_destination", "choice", False, "Leaver destination",
               "Where the person went (the census list; 'Agency or consultancy in social work "
               "(in England)' for those who left for agency work).",
               choices=tuple(CC.LEAVER_DESTINATION.values()),
               aliases=("Destination", "LeaverDestination", "Destination of leaver",
                        "Going to"),
               example="Social worker role in a different local authority in England",
               value_aliases=dict(CC.LEAVER_DESTINATION)),
        Column("census_leaving_reason", "choice", False, "Census leaving reason",
               "The reason for leaving in the census's words (e.g. Voluntary redundancy); "
               "blank uses Reason where it says the same thing.",
               choices=tuple(CC.REASON_LEAVE.values()),
               aliases=("ReasonLeave", "CSWW leaving reason", "Census reason"),
               example="Resignation", value_aliases=dict(CC.REASON_LEAVE)),
    ),
    aliases=("Leaver", "Leavers in month", "Starters and leavers", "Terminations"),
)

VACANCIES = Sheet(
    "Vacancies", True, True,
    "Vacant funded posts at month end. Keep the sheet with its headers even if there are none.",
    (
        _TEAM, _SERVICE, _ROLE_GROUP, _QSW,
        Column("vacant_fte", "number", True, "Vacant FTE",
               "Vacant funded FTE (more than 0).",
               aliases=("Vacancy FTE", "FTE Vacant", "Vacant", "Vacancies FTE", "Vacant Posts FTE"),
               example="1", minimum=0, minimum_inclusive=False),
        Column("covered_by_agency_fte", "number", True, "Covered by agency FTE",
               "How much of the vacant FTE an agency worker covers (0 up to the vacant FTE).",
               aliases=("Agency Cover", "Agency Cover FTE", "Covered by Agency", "Cover FTE",
                        "Agency FTE"),
               example="0.5", minimum=0),
    ),
    aliases=("Vacancy", "Vacant posts", "Vacancies in month"),
)

TRAINING = Sheet(
    "Training", False, True,
    "Optional: training completions in the month, one row per person per course.",
    (
        _EMPLOYEE_ID,
        Column("course", "text", True, "Course", "Course title.",
               aliases=("Course Name", "Course Title", "Training", "Training Course", "Module"),
               example="Working with risk"),
        Column("category", "text", True, "Category",
               "Course category (e.g. Safeguarding, Practice, Leadership).",
               aliases=("Course Category", "Training Category", "Type"),
               example="Safeguarding", suggestions=TRAINING_CATEGORIES_EXAMPLE),
        Column("completed_date", "date", True, "Completed date",
               "Date the course was completed; not after the end of the month.",
               aliases=("Completion Date", "Date Completed", "Completed", "Completed On"),
               example="12/03/2025"),
    ),
    aliases=("Training completions", "Learning", "Courses"),
)

SURVEY = Sheet(
    "Survey", False, True,
    "Optional: staff survey results (scores 0-100), per team or 'All'.",
    (
        Column("team", "text", True, "Team", "A team name, or All for the whole directorate.",
               aliases=("Team Name",), example="All"),
        Column("measure", "text", True, "Measure", "What the score measures (e.g. Engagement).",
               aliases=("Question", "Indicator", "Theme"), example="Engagement",
               suggestions=SURVEY_MEASURES_EXAMPLE),
        Column("score", "number", True, "Score", "Score from 0 to 100.",
               aliases=("Score %", "Percent", "Percentage", "Result"), example="72",
               minimum=0, maximum=100),
        Column("respondents", "whole", False, "Respondents", "How many people answered.",
               aliases=("Responses", "Number of Respondents", "Response Count", "N"),
               example="85", minimum=0),
    ),
    aliases=("Staff survey", "Engagement survey", "Pulse survey"),
)

# --------------------------------------------------------------------------- agency assignments
#: Job types of the national agency rules' regional price caps (DfE statutory guidance, 2024).
AGENCY_JOB_TYPES: tuple[str, ...] = (
    "Social worker",
    "Senior social worker",
    "Advanced practitioner",
    "Team manager",
    "IRO / child protection chair",
    "Other",
)
#: Who signed a cap breach off. The guidance needs the DCS *and* the chief executive; a role is
#: recorded, never a person's name.
CAP_SIGNERS: tuple[str, ...] = (
    "DCS and chief executive",
    "DCS only",
    "Chief executive only",
    "Other",
)
_JOB_TYPE_ALIASES = {
    "SW": "Social worker", "Social worker level 1": "Social worker", "Level 1": "Social worker",
    "Senior SW": "Senior social worker", "Social worker level 2": "Senior social worker",
    "Level 2": "Senior social worker", "Senior practitioner": "Senior social worker",
    "AP": "Advanced practitioner", "Consultant social worker": "Advanced practitioner",
    "Practice supervisor": "Advanced practitioner", "TM": "Team manager",
    "Team leader": "Team manager", "IRO": "IRO / child protection chair",
    "Independent reviewing officer": "IRO / child protection chair",
    "Child protection chair": "IRO / child protection chair",
    "CP chair": "IRO / child protection chair",
    "Independent reviewing officer / child protection chair": "IRO / child protection chair",
    "IRO/CP chair": "IRO / child protection chair",
}
_SIGNER_ALIASES = {
    "DCS and CEO": "DCS and chief executive", "DCS & CEO": "DCS and chief executive",
    "DCS and chief exec": "DCS and chief executive", "DCS & chief executive": "DCS and chief executive",
    "Both": "DCS and chief executive", "DCS": "DCS only",
    "Director of Children's Services": "DCS only", "CEO": "Chief executive only",
    "Chief executive": "Chief executive only", "Chief exec": "Chief executive only",
}

AGENCY_ASSIGNMENTS = Sheet(
    "Agency assignments", False, True,
    "Optional: one row per agency worker in post at month end, from the managed-service "
    "provider's report. Used to check the national agency rules (price caps, experience, notice, "
    "cool-off, references, project teams) and to cost agency cover.",
    (
        Column("employee_id", "text", True, "Agency reference",
               "The worker's reference exactly as it appears in the Staff sheet's Employee ID "
               "(where the worker must be listed as Agency). A pseudonymous id, never a name.",
               aliases=("Employee ID", "Agency Ref", "Worker Reference", "Worker Ref",
                        "Candidate ID", "Candidate Reference", "Assignment Reference",
                        "Assignment Ref", "Worker ID", "Reference", "Ref", "Placement ID"),
               example="A10234"),
        Column("swe_registration", "text", False, "SWE registration number",
               "Social Work England registration number (SW followed by digits). Needed for "
               "every job type except Other: it is how a cool-off breach is found.",
               aliases=("SWE Number", "SWE No", "SWE Registration", "SWE Reg No", "SWE Ref",
                        "SWE ID", "Social Work England Number", "Registration Number",
                        "Registration No", "Professional Registration Number", "HCPC Number"),
               example="SW123456"),
        Column("agency", "text", True, "Agency",
               "The agency (supplier) that provides the worker.",
               aliases=("Agency Name", "Supplier", "Supplier Name", "Provider", "Agency Supplier",
                        "Recruitment Agency", "Vendor"),
               example="Example Recruitment Ltd"),
        Column("job_type", "choice", True, "Job type",
               "The job type the regional price cap is set for: pick from the list.",
               choices=AGENCY_JOB_TYPES,
               aliases=("Cap Job Type", "Job Title", "Role", "Position", "Grade", "Cap Category",
                        "Price Cap Role"),
               example="Social worker", value_aliases=_JOB_TYPE_ALIASES),
        Column("hourly_rate", "number", True, "Hourly charge rate",
               "What the council pays per hour for the worker (the charge rate, in pounds, "
               "including the agency's margin), more than 0 and at most 500.",
               aliases=("Charge Rate", "Hourly Rate", "Rate per Hour", "Charge Rate per Hour",
                        "Bill Rate", "Hourly Charge Rate (£)", "Charge Rate (£)", "Rate"),
               example="42.50", minimum=0, minimum_inclusive=False, maximum=500),
        Column("hours", "number", True, "Hours in month",
               "Hours charged for the month (0 up to 744, the hours in a 31-day month).",
               aliases=("Hours", "Hours Worked", "Hours Charged", "Timesheet Hours",
                        "Hours This Month", "Billed Hours"),
               example="150", minimum=0, maximum=744),
        Column("start_date", "date", True, "Assignment start",
               "First day of this assignment here. Not after the end of the month.",
               aliases=("Start Date", "Assignment Start Date", "Placement Start", "Start"),
               example="06/01/2025"),
        Column("planned_end_date", "date", False, "Planned end",
               "The planned last day of the assignment (not before its start).",
               aliases=("End Date", "Planned End Date", "Assignment End", "Assignment End Date",
                        "Expected End Date", "Placement End"),
               example="04/07/2025"),
        Column("notice_weeks", "number", True, "Notice period (weeks)",
               "The notice period in the worker's contract, in weeks (0 to 52).",
               aliases=("Notice Period", "Notice", "Notice Weeks", "Notice Period Weeks"),
               example="4", minimum=0, maximum=52),
        Column("date_qualified", "date", False, "Date qualified",
               "Date the worker qualified as a social worker. Give this or Years PQE; needed "
               "for every job type except Other.",
               aliases=("Qualification Date", "Qualified Date", "Date of Qualification",
                        "Date Qualified as Social Worker"),
               example="01/07/2016"),
        Column("years_pqe", "number", False, "Years PQE",
               "Years of post-qualifying experience at month end (instead of Date qualified).",
               aliases=("PQE", "PQE Years", "Years Post Qualifying Experience",
                        "Post Qualifying Experience", "Years Qualified"),
               example="8", minimum=0, maximum=60),
        Column("references_received", "whole", True, "Practice references received",
               "How many practice-based references the council has received for the worker.",
               aliases=("References", "References Received", "Practice References",
                        "No of References", "Number of References"),
               example="2", minimum=0, maximum=10),
        Column("project_team", "flag", False, "Project team",
               "Y when the worker is part of an agency project team (blank = N).",
               aliases=("Project Team Flag", "Managed Team", "Project", "Part of Project Team"),
               example="N"),
        Column("cap_signoff_date", "date", False, "Cap breach sign-off date",
               "Only for a rate above the price cap: the date the breach was signed off. "
               "Not after the end of the month.",
               aliases=("Sign-off Date", "Signoff Date", "Cap Sign-off Date",
                        "Cap Exception Date", "Exception Sign-off Date"),
               example="14/02/2025"),
        Column("cap_signoff_by", "choice", False, "Cap breach signed off by",
               "Only for a rate above the price cap: who signed it off, as a role (the guidance "
               "needs the Director of Children's Services and the chief executive). Never a name.",
               choices=CAP_SIGNERS,
               aliases=("Signed Off By", "Sign-off By", "Cap Sign-off By", "Approved By",
                        "Exception Approved By"),
               example="DCS and chief executive", value_aliases=_SIGNER_ALIASES),
    ),
    aliases=("Agency", "Agency workers", "Agency assignment", "Assignments", "MSP report",
             "Agency report", "Agency placements"),
    table="agency_assignments",
)

SHEETS: dict[str, Sheet] = {s.name: s for s in (STAFF, LEAVERS, VACANCIES, TRAINING, SURVEY,
                                                  AGENCY_ASSIGNMENTS)}
REQUIRED_SHEETS: tuple[str, ...] = tuple(n for n, s in SHEETS.items() if s.required)

#: Store column order per table (what the loader writes, after period and load_id).
STORE_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": ("employee_id", "team", "service", "role_group", "qualified_social_worker",
              "worker_type", "fte", "start_date", "cases", "absence_days", "gender", "ethnicity",
              "age", "disability", "lives_in_county", "converted_from_agency",
              "census_sex", "census_ethnicity", "qualification_level", "step_up_graduate",
              "frontline_graduate", "start_origin", "absent_at_month_end", "absence_reason",
              "contracted_weeks", "base_salary", "rr_payments", "other_payments"),
    "leavers": ("employee_id", "leave_date", "reason", "team", "service", "role_group",
                "qualified_social_worker", "worker_type", "fte", "start_date",
                "leaver_destination", "census_leaving_reason"),
    "vacancies": ("team", "service", "role_group", "qualified_social_worker", "vacant_fte",
                  "covered_by_agency_fte"),
    "training": ("employee_id", "course", "category", "completed_date"),
    "survey": ("team", "measure", "score", "respondents"),
    "agency_assignments": tuple(c.name for c in AGENCY_ASSIGNMENTS.columns),
}


def sheet_for(name: object) -> Sheet | None:
    """The contract sheet a tab name or CSV file stem means (case/space-insensitive), or None."""
    key = normalise_key(name)
    for sheet in SHEETS.values():
        if key in sheet.sheet_keys:
            return sheet
    return None


def column_for(sheet: Sheet, header: object) -> Column | None:
    """The contract column a header means in `sheet`, or None."""
    key = normalise_key(header)
    if not key:
        return None
    index = _HEADER_INDEX.get(id(sheet))
    if index is None:
        index = {}
        for col in reversed(sheet.columns):  # first declared wins on a clash
            for k in col.header_keys:
                index[k] = col
        _HEADER_INDEX[id(sheet)] = index
    return index.get(key)


def choice_lookup(column: Column) -> dict[str, str]:
    """normalise_key(spelling) -> canonical value, for a choice or flag-like column."""
    table = {normalise_key(v): v for v in column.choices}
    table.update({normalise_key(k): v for k, v in column.value_aliases.items()})
    return table
