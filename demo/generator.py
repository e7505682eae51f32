"""Demo data: a seeded month-by-month simulation of a children's services directorate.

Why a simulation and not hand-typed rows: every page, metric and test needs data that behaves
like the real thing over three years (people persist, leave, convert from agency; the agency
share falls on Herefordshire's published path), and the same seed must always give the same
figures. The extracts are written as workbooks and loaded through `ingest.loader.load_file`,
the loader HR uses, so the demo also exercises the real ingest path.

Why a package of its own (not in ingest/): invented data must never reach a real store by
accident, so only the demo command (`python -m demo`), tests and benchmarks import it
(import-linter forbids it to every layer of the app).
"""

from __future__ import annotations

import datetime as _dt
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SEED",
    "DemoError",
    "DemoRefused",
    "build_demo_db",
    "default_end_period",
    "generate",
    "month_periods",
    "write_workbook",
    "write_workbooks",
]

DEFAULT_SEED = 20240613  # the date of the executive's response to scrutiny (13 June 2024)


class DemoError(ValueError):
    """The demo was asked for something it cannot build (bad period, months or scale)."""


class DemoRefused(DemoError):
    """The store holds real loads: the demo never writes invented months over real ones."""


DEMO_REFUSED = ("{db} holds real loads (extracts loaded from files, not by the demo command). "
                "The demo never writes invented figures into a store with real data: nothing was "
                "changed. Build the demo in another file (--db /tmp/demo.duckdb).")


# --------------------------------------------------------------------------- knobs
# Social-worker agency share (agency FTE / all qualified social worker FTE in post) at the DfE
# census date (30 September). Source: DfE "Children's social work workforce" indicators,
# Herefordshire (LA 884), agency_rate_fte for 2022-2025 (../shared/reference/dfe/
# csww_indicators_2017_to_2025.csv): 54.9%, 55.2%, 33.9%, 18.3% — the "55% / 34% / 18%" path
# the council reported to scrutiny. Between anchors the share moves linearly; before the first
# anchor and after the last it is held (we do not invent a future).
SW_AGENCY_ANCHORS: tuple[tuple[str, float], ...] = (
    ("2022-09", 0.549),
    ("2023-09", 0.552),
    ("2024-09", 0.339),
    ("2025-09", 0.183),
)
# Agency share among staff who are not social workers (family support, business support...):
# an assumption — low, and easing as the directorate's recruitment improved.
OTHER_AGENCY_ANCHORS: tuple[tuple[str, float], ...] = (("2022-09", 0.09), ("2025-09", 0.045))
# Funded social-work posts left vacant with no agency cover. DfE 2025 for Herefordshire shows
# 60 vacant FTE of which 28.2 agency-covered (~17% of establishment uncovered); we use a milder
# 10% so the in-post numbers stay near the directorate's ~140 FTE.
SW_UNCOVERED_VACANCY = 0.10
OTHER_UNCOVERED_VACANCY = 0.06
# Monthly noise (standard deviation) on the agency share target, so lines are not ruler-straight.
AGENCY_SHARE_NOISE = 0.006

# Leaving (employees only). Monthly hazards; together they give ~14-16% a year, inside the
# 12-18% band the directorate reports (DfE England 2025 social-worker turnover is 11.8%).
RESIGN_HAZARD = {"sw": 0.0100, "other": 0.0085}
EARLY_LEAVER_FACTOR = 1.6        # people in their first year leave more often
FIXED_TERM_END_HAZARD = 0.030    # fixed-term contracts ending
FIXED_TERM_SHARE = 0.10          # of new employees (and of those in post at the start)
RETIRE_HAZARD_60 = 0.012         # per month from age 60; 0.05 from 65; all go at 67
RETIRE_HAZARD_65 = 0.05
RESIGNATION_SPLIT = {            # what a "voluntary" leave is recorded as
    "Resignation": 0.80,
    "Moved to another council role": 0.08,
    "Dismissal": 0.04,
    "Redundancy": 0.03,
    "Other": 0.03,
    "Not known": 0.02,
}
AGENCY_CHURN_HAZARD = 0.045      # agency assignments ending each month (replaced by new agency)
# Agency workers converting to employees in the post they cover. Herefordshire cut its social
# worker agency share from 55% to 18% largely by recruiting and converting its agency staff, so
# conversions track the fall: each month a group converts (filled FTE) x (a small baseline rate
# + CONVERSION_FALL_SHARE x the month's fall in the published share). For social workers
# (~140 filled FTE) that is ~1.1 a month in 2023-24 and ~0.9 in 2024-25 while the share falls
# (11-14 a year) and ~0.4 a month once it is flat (~5 a year). The monthly expectation is
# accumulated and converted at whole numbers (systematic rounding from a random start), so a
# year's count stays within one of its expectation instead of wandering with Poisson noise.
CONVERSION_BASE_RATE = {"other": 0.0005, "sw": 0.0028}   # per filled FTE per month
CONVERSION_FALL_SHARE = 0.30
CONVERSION_REUSES_AGENCY_ID = 0.25  # of conversions, payroll keeps the agency reference (no Y flag)

# Role groups (from the contract) with abbreviations used in the team table below.
ROLE = {
    "SM": "Senior manager",
    "MM": "Middle manager",
    "TM": "Team manager",
    "SP": "Senior practitioner",
    "SW": "Social worker",
    "FS": "Family support / practitioner",
    "BS": "Business support",
    "OT": "Other",
}
# How readily a vacant post of this role is covered by an agency worker (relative weights), and
# how readily that agency worker is released first when the share has to fall: team managers and
# managers are covered less and released first ("mostly permanent, agency managers early on").
AGENCY_WEIGHT = {"SM": 0.15, "MM": 0.3, "TM": 0.45, "SP": 0.8, "SW": 1.0, "FS": 0.8,
                 "BS": 0.4, "OT": 0.6}
RELEASE_WEIGHT = {"SM": 4.0, "MM": 3.0, "TM": 3.0, "SP": 1.3, "SW": 1.0, "FS": 1.0,
                  "BS": 1.0, "OT": 1.0}

# The establishment (funded posts) at scale 1: (service, team, case-holding roles, posts) where
# posts are (role, qualified social worker?, count). Team names follow a typical English
# children's services structure; the sizes give ~700 funded posts, ~650 people in post and
# ~140 FTE qualified social workers in post (DfE 2023-25 for Herefordshire: 125-175 FTE).
SFS, CIC, EH, SEND, YOUTH = (
    "Safeguarding and Family Support", "Children in Care", "Early Help", "SEND", "Youth",
)
SERVICES: tuple[str, ...] = (SFS, CIC, EH, SEND, YOUTH)
TEAMS: tuple[tuple[str, str, tuple[str, ...], tuple[tuple[str, bool, int], ...]], ...] = (
    (SFS, "Multi-Agency Safeguarding Hub", (),
     (("SM", True, 1), ("MM", True, 1), ("TM", True, 2), ("SP", True, 2), ("SW", True, 8),
      ("FS", False, 3), ("BS", False, 8))),
    (SFS, "Assessment Team North", ("SW", "SP"),
     (("MM", True, 1), ("TM", True, 1), ("SP", True, 2), ("SW", True, 13), ("FS", False, 2),
      ("BS", False, 2))),
    (SFS, "Assessment Team South", ("SW", "SP"),
     (("TM", True, 1), ("SP", True, 2), ("SW", True, 13), ("FS", False, 2), ("BS", False, 2))),
    (SFS, "Child Protection and Court Team", ("SW", "SP"),
     (("MM", True, 1), ("TM", True, 2), ("SP", True, 3), ("SW", True, 18), ("FS", False, 3),
      ("BS", False, 3))),
    (SFS, "Edge of Care", ("SW", "SP", "FS"),
     (("TM", True, 1), ("SP", True, 1), ("SW", True, 3), ("FS", False, 14), ("BS", False, 1))),
    (SFS, "Safeguarding and Review Unit", (),
     (("MM", True, 1), ("OT", True, 10), ("BS", False, 4))),
    (CIC, "Children in Care Team North", ("SW", "SP"),
     (("SM", True, 1), ("MM", True, 1), ("TM", True, 1), ("SP", True, 2), ("SW", True, 11),
      ("FS", False, 2), ("BS", False, 2))),
    (CIC, "Children in Care Team South", ("SW", "SP"),
     (("TM", True, 1), ("SP", True, 2), ("SW", True, 11), ("FS", False, 2), ("BS", False, 1))),
    (CIC, "Care Leavers Team", ("SW",),
     (("TM", True, 1), ("SP", True, 1), ("SW", True, 3), ("OT", False, 12), ("BS", False, 1))),
    (CIC, "Fostering", ("SW", "SP"),
     (("MM", True, 1), ("TM", True, 1), ("SP", True, 2), ("SW", True, 9), ("FS", False, 4),
      ("BS", False, 3))),
    (CIC, "Adoption and Permanence", ("SW", "SP"),
     (("TM", True, 1), ("SP", True, 1), ("SW", True, 5), ("BS", False, 1))),
    (CIC, "Residential Children's Homes", (),
     (("TM", False, 3), ("FS", False, 74), ("OT", False, 7), ("BS", False, 2))),
    (EH, "Early Help North", ("FS",),
     (("SM", False, 1), ("MM", False, 1), ("TM", False, 2), ("FS", False, 35),
      ("BS", False, 2))),
    (EH, "Early Help South", ("FS",),
     (("TM", False, 2), ("FS", False, 35), ("BS", False, 2))),
    (EH, "Family Hubs", (),
     (("MM", False, 1), ("TM", False, 3), ("FS", False, 56), ("OT", False, 16),
      ("BS", False, 7))),
    (SEND, "SEND Assessment and Review", (),
     (("SM", False, 1), ("MM", False, 1), ("TM", False, 3), ("OT", False, 46),
      ("BS", False, 8))),
    (SEND, "Educational Psychology", (),
     (("TM", False, 1), ("OT", False, 18), ("BS", False, 1))),
    (SEND, "Children with Disabilities Team", ("SW", "SP"),
     (("TM", True, 1), ("SP", True, 1), ("SW", True, 8), ("FS", False, 10), ("BS", False, 1))),
    (SEND, "Inclusion and Access", (),
     (("TM", False, 2), ("OT", False, 24), ("BS", False, 4))),
    (YOUTH, "Youth Justice Service", ("SW", "FS"),
     (("SM", False, 1), ("MM", True, 1), ("TM", True, 1), ("SW", True, 4), ("FS", False, 18),
      ("OT", False, 3), ("BS", False, 2))),
    (YOUTH, "Youth Service", (),
     (("TM", False, 2), ("FS", False, 48), ("OT", False, 14), ("BS", False, 2))),
    (YOUTH, "Exploitation and Missing Team", ("SW", "FS"),
     (("TM", True, 1), ("SW", True, 4), ("FS", False, 6), ("BS", False, 1))),
)
# The funded FTE of a post: mostly full time, some part time (0.5-0.9).
PART_TIME_SHARE = 0.18
PART_TIME_FTES = (0.5, 0.6, 0.7, 0.8, 0.9)

# Caseloads (cases per FTE) for case holders: DfE England 2025 average 15.2, Herefordshire
# 13.6-15.7 in 2023-25. Mean per FTE by role, a few outliers above 25, easing over the window.
CASELOAD_MEAN = {"SW": 17.0, "SP": 15.0, "FS": 12.0}
CASELOAD_SD = 3.0
CASELOAD_OUTLIER_SHARE = 0.04
CASELOAD_TREND = (1.05, 0.92)    # multiplier at the first and last month

# Sickness absence per employee per month: a short spell (1-5 days) or a long-term spell
# (15-22 working days, lasting 1-4 months). Gives ~3% of working days (DfE England 2025: 3.5%).
SHORT_ABSENCE_PROB = 0.11
LONG_ABSENCE_START_PROB = 0.008

# People. Social work is ~85% female (DfE); Herefordshire is ~93% White (ONS Census 2021,
# ../shared/reference/dfe/ons-ethnic-population-la.csv); the agency workforce is more diverse.
FEMALE_SHARE = {"sw": 0.85, "other": 0.80}
ETHNICITY_MIX = {  # DfE code -> share, for employees and for agency workers
    "employee": {"WBRI": 0.870, "WIRI": 0.005, "WOTH": 0.045, "WROM": 0.002, "MWBC": 0.008,
                 "MWAS": 0.006, "MOTH": 0.005, "AIND": 0.008, "APKN": 0.003, "AOTH": 0.004,
                 "CHNE": 0.002, "BCRB": 0.005, "BAFR": 0.010, "OOTH": 0.004, "REFU": 0.008,
                 "NOBT": 0.015},
    "agency": {"WBRI": 0.640, "WIRI": 0.015, "WOTH": 0.090, "MWBC": 0.020, "MOTH": 0.015,
               "AIND": 0.030, "APKN": 0.020, "AOTH": 0.010, "BCRB": 0.030, "BAFR": 0.080,
               "BOTH": 0.010, "OOTH": 0.015, "NOBT": 0.025},
}
# ONS 2021 labels used where a record came from the older HR system (or an agency's return).
ONS_LABEL = {
    "WBRI": "White: English, Welsh, Scottish, Northern Irish or British",
    "WIRI": "White: Irish", "WOTH": "White: Other White", "WROM": "White: Roma",
    "MWBC": "Mixed or Multiple ethnic groups: White and Black Caribbean",
    "MWAS": "Mixed or Multiple ethnic groups: White and Asian",
    "MOTH": "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    "AIND": "Asian, Asian British or Asian Welsh: Indian",
    "APKN": "Asian, Asian British or Asian Welsh: Pakistani",
    "AOTH": "Asian, Asian British or Asian Welsh: Other Asian",
    "CHNE": "Asian, Asian British or Asian Welsh: Chinese",
    "BCRB": "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
    "BAFR": "Black, Black British, Black Welsh, Caribbean or African: African",
    "BOTH": "Black, Black British, Black Welsh, Caribbean or African: Other Black",
    "OOTH": "Other ethnic group: Any other ethnic group",
    "REFU": "Prefer not to say", "NOBT": "Not known",
}
ONS_LABEL_SHARE = {"employee": 0.2, "agency": 0.7}
DISABILITY_MIX = {"Y": 0.06, "N": 0.80, "Not known": 0.14}
LIVES_IN_COUNTY = {"employee": 0.84, "agency": 0.35}
# Share of the people in post at the start whose optional fields (disability, lives in county,
# ethnicity) HR had not yet recorded: they fill in over the first year (data-quality page).
EARLY_BLANK_SHARE = 0.35
EARLY_BLANK_MONTHS = 12

# Training completions (Training sheet): monthly chance an employee completes a course
# (agency workers less often), and the courses by category.
TRAINING_PROB = {"employee": 0.11, "agency": 0.04}
COURSES: dict[str, tuple[str, ...]] = {
    "Safeguarding": ("Safeguarding Children Level 3", "Working Together to Safeguard Children 2023",
                     "Contextual Safeguarding", "Domestic Abuse Awareness"),
    "Practice": ("Signs of Safety", "Motivational Interviewing", "Court Skills",
                 "Direct Work with Children", "Life Story Work"),
    "Leadership": ("Aspiring Team Managers", "Practice Supervisor Development Programme",
                   "Leading Teams Through Change"),
    "Wellbeing": ("Managing Stress and Resilience", "Mental Health First Aid"),
    "Equality and diversity": ("Anti-Racist Practice", "Unconscious Bias"),
    "Mandatory": ("Data Protection and Information Governance", "Health and Safety",
                  "Fire Safety", "Equality and Diversity Essentials"),
}
# Quarterly engagement survey (Survey sheet in March, June, September and December): measures,
# their starting score and how much they rise over the window.
SURVEY_MONTHS = (3, 6, 9, 12)
SURVEY_MEASURES: dict[str, tuple[float, float]] = {
    "Overall engagement": (62.0, 7.0),   # metrics.engine reads this name
    "Wellbeing": (58.0, 6.0),
    "Manageable workload": (48.0, 9.0),
    "Supervision": (70.0, 4.0),
    "Would recommend": (55.0, 8.0),
}
SURVEY_RESPONSE_RATE = 0.62

STAFF_COLUMNS = (
    "employee_id", "team", "service", "role_group", "qualified_social_worker", "worker_type",
    "fte", "start_date", "cases", "absence_days", "gender", "ethnicity", "date_of_birth",
    "disability", "lives_in_county", "converted_from_agency",
)
LEAVER_COLUMNS = (
    "employee_id", "leave_date", "reason", "team", "service", "role_group",
    "qualified_social_worker", "worker_type", "fte", "start_date",
)
VACANCY_COLUMNS = (
    "team", "service", "role_group", "qualified_social_worker", "vacant_fte",
    "covered_by_agency_fte",
)
TRAINING_COLUMNS = ("employee_id", "course", "category", "completed_date")
SURVEY_COLUMNS = ("team", "measure", "score", "respondents")
SHEET_ORDER = ("Staff", "Leavers", "Vacancies", "Training", "Survey", "Agency assignments")
DATE_COLUMNS = {"start_date", "date_of_birth", "leave_date", "completed_date", "planned_end_date",
                "date_qualified", "cap_signoff_date"}

_DAY = np.timedelta64(1, "D")


# --------------------------------------------------------------------------- periods


def default_end_period(today: _dt.date | None = None) -> str:
    """The last complete month before `today` (default: today), as 'YYYY-MM'."""
    today = today or _dt.date.today()
    first = today.replace(day=1)
    last = first - _dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _parse_period(period: str) -> np.datetime64:
    try:
        value = np.datetime64(str(period), "M")
        if len(str(period)) != 7:
            raise ValueError
    except ValueError as exc:
        raise DemoError(f"end_period must look like 'YYYY-MM', got {period!r}") from exc
    return value


def month_periods(*, months: int = 36, end_period: str | None = None) -> list[str]:
    """The 'YYYY-MM' periods the demo covers, oldest first, ending at `end_period`."""
    if not isinstance(months, int) or months < 1 or months > 240:
        raise DemoError(f"months must be a whole number from 1 to 240, got {months!r}")
    end = _parse_period(end_period or default_end_period())
    return [str(end - np.timedelta64(k, "M")) for k in range(months - 1, -1, -1)]


def _share_on(anchors: tuple[tuple[str, float], ...], month: np.datetime64) -> float:
    """Linear interpolation of an anchored path at `month` (held flat outside the anchors)."""
    xs = np.array([np.datetime64(p, "M").astype(int) for p, _ in anchors], dtype=float)
    ys = np.array([v for _, v in anchors], dtype=float)
    return float(np.interp(float(month.astype(int)), xs, ys))


# --------------------------------------------------------------------------- people store


class _People:
    """Column arrays for everyone who ever appears, grown in blocks (vectorised, no per-row objects)."""

    FIELDS: dict[str, Any] = {
        "pid": object, "agency": bool, "wtype": object, "fte": float, "start": "datetime64[D]",
        "dob": "datetime64[D]", "gender": object, "eth": object, "disab": object,
        "lives": object, "conv": object, "blank_until": np.int32, "case_rate": float,
        "post": np.int64, "lt_left": np.int32, "dob_blank": bool,
    }

    def __init__(self, capacity: int) -> None:
        self.n = 0
        self.cap = max(capacity, 16)
        self.a = {k: np.empty(self.cap, dtype=t) for k, t in self.FIELDS.items()}

    def add(self, **cols: np.ndarray) -> np.ndarray:
        k = len(next(iter(cols.values())))
        if self.n + k > self.cap:
            new_cap = max(self.cap * 2, self.n + k)
            for name, arr in self.a.items():
                grown = np.empty(new_cap, dtype=arr.dtype)
                grown[: self.n] = arr[: self.n]
                self.a[name] = grown
            self.cap = new_cap
        idx = np.arange(self.n, self.n + k)
        for name in self.FIELDS:
            self.a[name][idx] = cols[name]
        self.n += k
        return idx


# --------------------------------------------------------------------------- simulation


def _pick(rng: np.random.Generator, cand: np.ndarray, fte: np.ndarray, weight: np.ndarray,
          target: float) -> np.ndarray:
    """Weighted sample without replacement (Efraimidis-Spirakis) of `cand` whose FTE adds up to
    about `target` (an item is taken when the midpoint of its FTE falls within the target)."""
    if target <= 0 or cand.size == 0:
        return cand[:0]
    keys = np.log(rng.random(cand.size)) / weight
    order = np.argsort(-keys, kind="stable")
    cs = np.cumsum(fte[order])
    return cand[order[(cs - fte[order] / 2.0) < target]]


class _Directorate:
    """The month-by-month state: funded posts, who holds them, and the people store."""

    def __init__(self, rng: np.random.Generator, scale: float, first_month: np.datetime64,
                 n_months: int) -> None:
        self.rng = rng
        self.first_month = first_month
        self.n_months = n_months
        rows = []
        for t_i, (service, team, holders, posts) in enumerate(TEAMS):
            for role, qsw, count in posts:
                n = max(1, int(round(count * scale)))
                rows.append((t_i, service, team, role, qsw, role in holders, n))
        team_i = np.concatenate([np.full(r[6], r[0]) for r in rows])
        self.team_names = np.array([t[1] for t in TEAMS], dtype=object)
        self.team_service = np.array([t[0] for t in TEAMS], dtype=object)
        self.p_team = team_i
        self.p_role = np.concatenate([np.full(r[6], r[3], dtype=object) for r in rows])
        self.p_qsw = np.concatenate([np.full(r[6], r[4]) for r in rows])
        self.p_cases = np.concatenate([np.full(r[6], r[5]) for r in rows])
        n_posts = team_i.size
        part = rng.random(n_posts) < PART_TIME_SHARE
        self.p_fte = np.where(part, rng.choice(PART_TIME_FTES, n_posts), 1.0)
        self.p_fte[np.isin(self.p_role, ("SM", "MM", "TM"))] = 1.0
        self.p_agency_w = np.array([AGENCY_WEIGHT[r] for r in self.p_role])
        self.p_release_w = np.array([RELEASE_WEIGHT[r] for r in self.p_role])
        self.p_role_name = np.array([ROLE[r] for r in self.p_role], dtype=object)
        self.holder = np.full(n_posts, -1, dtype=np.int64)
        self.people = _People(int(n_posts * 3))
        self.next_emp = int(rng.integers(2000, 6000))
        self.next_agy = 10000 + int(rng.integers(0, 300))
        self.conv_due = rng.random(2)  # conversions accumulated (others, social workers)

    # ---- ids
    def _ids(self, prefix: str, k: int) -> np.ndarray:
        step = self.rng.integers(1, 4, size=k)
        if prefix == "E":
            nums = self.next_emp + np.cumsum(step)
            self.next_emp = int(nums[-1]) if k else self.next_emp
            return np.array([f"E{n:06d}" for n in nums], dtype=object)
        nums = self.next_agy + np.cumsum(step)
        self.next_agy = int(nums[-1]) if k else self.next_agy
        return np.array([f"AG{n:05d}" for n in nums], dtype=object)

    # ---- new people
    def _new_people(self, posts: np.ndarray, *, agency: bool, start: np.ndarray,
                    month_i: int, age_mean: float, initial: bool) -> np.ndarray:
        rng, k = self.rng, posts.size
        if k == 0:
            return posts[:0]
        kind = "agency" if agency else "employee"
        qsw = self.p_qsw[posts]
        ref = self._month_end(max(month_i, 0))
        age = np.clip(rng.normal(age_mean, 10.0 if not agency else 8.5, k), 22.3,
                      62.0 if not initial else 64.5)
        dob = ref - (age * 365.25).astype(np.int64) * _DAY
        if initial:  # nobody started (or took an agency assignment) before they were 21
            earliest = dob + int(21 * 365.25) * _DAY
            start = np.maximum(start, earliest)
        female = rng.random(k) < np.where(qsw, FEMALE_SHARE["sw"], FEMALE_SHARE["other"])
        g_other = rng.random(k)
        gender = np.where(female, "Female", "Male").astype(object)
        gender[g_other < 0.006] = "Other"
        gender[(g_other >= 0.006) & (g_other < 0.016)] = "Not known"
        mix = ETHNICITY_MIX[kind]
        codes = np.array(list(mix), dtype=object)
        p = np.array(list(mix.values()))
        eth = rng.choice(codes, k, p=p / p.sum())
        ons = rng.random(k) < ONS_LABEL_SHARE[kind]
        eth[ons] = [ONS_LABEL[c] for c in eth[ons]]
        dkeys = np.array(list(DISABILITY_MIX), dtype=object)
        disab = rng.choice(dkeys, k, p=np.array(list(DISABILITY_MIX.values())))
        lives = np.where(rng.random(k) < LIVES_IN_COUNTY[kind], "Y", "N").astype(object)
        if initial:
            blank = np.where(rng.random(k) < EARLY_BLANK_SHARE,
                             rng.integers(1, EARLY_BLANK_MONTHS + 1, k), 0)
        else:  # a few new starters' optional fields are recorded a month or two late
            blank = np.where(rng.random(k) < 0.04, month_i + rng.integers(1, 3, k), 0)
        role = self.p_role[posts]
        mean = np.array([CASELOAD_MEAN.get(r, 0.0) for r in role])
        rate = np.clip(rng.normal(mean, CASELOAD_SD), 6.0, 24.0)
        outlier = rng.random(k) < CASELOAD_OUTLIER_SHARE
        rate[outlier] = rng.uniform(26.0, 32.0, int(outlier.sum()))
        holds = self.p_cases[posts] & np.isin(role, ("SW", "SP", "FS"))
        rate[~holds] = np.nan
        if agency:
            wtype = np.full(k, "Agency", dtype=object)
        else:
            u = rng.random(k)
            wtype = np.where(u < FIXED_TERM_SHARE, "Fixed-term", "Permanent").astype(object)
            casual_ok = ~qsw & np.isin(role, ("FS", "OT", "BS"))
            wtype[casual_ok & (u > 0.97)] = "Casual"
            # a few records keep the HR system's own spelling (the contract accepts both)
            wtype[(wtype == "Fixed-term") & (rng.random(k) < 0.2)] = "Fixed Term"
        return self.people.add(
            pid=self._ids("AG" if agency else "E", k), agency=np.full(k, agency), wtype=wtype,
            fte=self.p_fte[posts], start=start, dob=dob, gender=gender, eth=eth, disab=disab,
            lives=lives, conv=np.full(k, None if agency else "N", dtype=object),
            blank_until=blank.astype(np.int32), case_rate=rate, post=posts,
            lt_left=np.where(initial & (rng.random(k) < 0.02), rng.integers(1, 4, k), 0)
            .astype(np.int32),
            dob_blank=rng.random(k) < 0.005,
        )

    def _month_start(self, i: int) -> np.datetime64:
        return (self.first_month + np.timedelta64(i, "M")).astype("datetime64[D]")

    def _month_end(self, i: int) -> np.datetime64:
        return (self.first_month + np.timedelta64(i + 1, "M")).astype("datetime64[D]") - _DAY

    def _day_in_month(self, i: int, k: int) -> np.ndarray:
        ms, me = self._month_start(i), self._month_end(i)
        days = int((me - ms) / _DAY) + 1
        return ms + self.rng.integers(0, days, k) * _DAY

    def _targets(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        month = self.first_month + np.timedelta64(i, "M")
        noise = self.rng.normal(0.0, AGENCY_SHARE_NOISE, 2)
        share = np.array([_share_on(OTHER_AGENCY_ANCHORS, month),
                          _share_on(SW_AGENCY_ANCHORS, month)]) + noise
        uncovered = np.array([OTHER_UNCOVERED_VACANCY, SW_UNCOVERED_VACANCY])
        return np.clip(share, 0.0, 0.95), uncovered

    # ---- set-up
    def initialise(self) -> None:
        """Fill the posts as they stood at the end of the month before the window."""
        rng = self.rng
        share, uncovered = self._targets(-1)
        before = self._month_end(-1)
        for g in (0, 1):
            posts = np.flatnonzero(self.p_qsw == bool(g))
            total = self.p_fte[posts].sum()
            filled = total * (1 - uncovered[g])
            agy = _pick(rng, posts, self.p_fte[posts], self.p_agency_w[posts], share[g] * filled)
            rest = np.setdiff1d(posts, agy)
            emp = _pick(rng, rest, self.p_fte[rest], np.ones(rest.size), (1 - share[g]) * filled)
            # agency assignments began 0-30 months ago; employees' service is long-tailed
            a_start = before - np.minimum(rng.exponential(300, agy.size), 900).astype(int) * _DAY
            e_start = before - np.minimum(rng.exponential(2200, emp.size), 12000).astype(int) * _DAY
            order = np.argsort(e_start, kind="stable")  # payroll numbers grow with start date
            emp, e_start = emp[order], e_start[order]
            self.holder[agy] = self._new_people(agy, agency=True, start=a_start, month_i=-1,
                                                age_mean=40.0, initial=True)
            self.holder[emp] = self._new_people(emp, agency=False, start=e_start, month_i=-1,
                                                age_mean=45.0, initial=True)

    # ---- one month
    def step(self, i: int) -> dict[str, pd.DataFrame]:
        rng, pe = self.rng, self.people.a
        ms, me = self._month_start(i), self._month_end(i)
        filled = np.flatnonzero(self.holder >= 0)
        who = self.holder[filled]
        is_agy = pe["agency"][who]

        # 1. employees leave
        emp_posts, emp = filled[~is_agy], who[~is_agy]
        age = (ms - pe["dob"][emp]) / np.timedelta64(1, "D") / 365.25  # at month start
        service_m = (ms - pe["start"][emp]) / np.timedelta64(1, "D") / 30.4
        resign = np.where(self.p_qsw[emp_posts], RESIGN_HAZARD["sw"], RESIGN_HAZARD["other"])
        resign = resign * np.where(service_m < 12, EARLY_LEAVER_FACTOR, 1.0)
        ft = np.where(np.isin(pe["wtype"][emp], ("Fixed-term", "Fixed Term")),
                      FIXED_TERM_END_HAZARD, 0.0)
        retire = np.where(age >= 65, RETIRE_HAZARD_65, np.where(age >= 60, RETIRE_HAZARD_60, 0.0))
        retire = np.where(age >= 67, 1.0, retire)
        total = np.minimum(resign + ft + retire, 1.0)
        # How many leave is the expected number, randomly rounded (so the yearly rate stays in
        # its band instead of wandering with binomial noise); who leaves is drawn in proportion
        # to each person's hazard, and everyone at 67 goes.
        forced = total >= 1.0
        n_leave = int(np.floor(total.sum() + rng.random()))
        others = np.flatnonzero(~forced)
        chosen = _pick(rng, others, np.ones(others.size), total[others] + 1e-12,
                       n_leave - int(forced.sum()))
        leaving = forced.copy()
        leaving[chosen] = True
        # the reason follows which hazard "fired"
        ur = rng.random(int(leaving.sum())) * total[leaving]
        r_res, r_ft = resign[leaving], ft[leaving]
        reason = np.where(ur < r_res, "R", np.where(ur < r_res + r_ft, "F", "T")).astype(object)
        split = np.array(list(RESIGNATION_SPLIT), dtype=object)
        is_r = reason == "R"
        reason[is_r] = rng.choice(split, int(is_r.sum()), p=np.array(list(RESIGNATION_SPLIT.values())))
        reason[reason == "F"] = "End of fixed-term contract"
        reason[reason == "T"] = "Retirement"
        lv_posts, lv = emp_posts[leaving], emp[leaving]
        leave_date = self._day_in_month(i, lv.size)
        leavers = self._frame_leavers(lv_posts, lv, leave_date, reason)
        self.holder[lv_posts] = -1

        # 2. agency assignments end (and over-age agency workers stop)
        agy_posts, agy = filled[is_agy], who[is_agy]
        a_age = (me - pe["dob"][agy]) / np.timedelta64(1, "D") / 365.25
        ends = (rng.random(agy.size) < AGENCY_CHURN_HAZARD) | (a_age >= 66)
        self.holder[agy_posts[ends]] = -1

        # 3. steer each group (others / social workers) to its agency share
        share, uncovered = self._targets(i)
        for g in (0, 1):
            posts = np.flatnonzero(self.p_qsw == bool(g))
            fte = self.p_fte
            total_fte = fte[posts].sum()
            target_filled = total_fte * (1 - uncovered[g])
            target_agy = share[g] * target_filled
            h = self.holder[posts]
            agy_mask = h >= 0
            agy_mask[agy_mask] = pe["agency"][h[agy_mask]]
            agy_now = posts[agy_mask]
            excess = fte[agy_now].sum() - target_agy
            rel = (_pick(rng, agy_now, fte[agy_now], self.p_release_w[agy_now], excess)
                   if excess > 0 else agy_now[:0])
            n_conv = self._conversions_due(g, i, target_filled)
            if n_conv and agy_now.size:
                # those released as the share falls convert first, then others in post; longer
                # assignments and practitioners (not managers) are likelier to go permanent
                months_in = (ms - pe["start"][self.holder[agy_now]]) / np.timedelta64(1, "D") / 30.4
                w = (1.0 + np.maximum(months_in, 0.0) / 6.0) / self.p_release_w[agy_now]
                w = w * np.where(np.isin(agy_now, rel), 50.0, 1.0)
                conv = _pick(rng, agy_now, np.ones(agy_now.size), w, n_conv)
                self._convert(conv, i)
                rel = np.setdiff1d(rel, conv)
            self.holder[rel] = -1
            h = self.holder[posts]
            emp_mask = h >= 0
            emp_mask[emp_mask] = ~pe["agency"][h[emp_mask]]
            need_emp = (target_filled - target_agy) - fte[posts[emp_mask]].sum()
            vacant = posts[self.holder[posts] < 0]
            if need_emp > 0:
                hire_w = np.where(np.isin(self.p_role[vacant], ("TM", "MM", "SM")), 2.0, 1.0)
                hires = _pick(rng, vacant, fte[vacant], hire_w, need_emp)
                self.holder[hires] = self._new_people(
                    hires, agency=False, start=self._day_in_month(i, hires.size), month_i=i,
                    age_mean=36.0, initial=False)
            h = self.holder[posts]
            agy_mask = h >= 0
            agy_mask[agy_mask] = pe["agency"][h[agy_mask]]
            need_agy = target_agy - fte[posts[agy_mask]].sum()
            vacant = posts[self.holder[posts] < 0]
            if need_agy > 0:
                new = _pick(rng, vacant, fte[vacant], self.p_agency_w[vacant], need_agy)
                self.holder[new] = self._new_people(
                    new, agency=True, start=self._day_in_month(i, new.size), month_i=i,
                    age_mean=40.0, initial=False)

        return {
            "Staff": self._frame_staff(i),
            "Leavers": leavers,
            "Vacancies": self._frame_vacancies(),
            "Training": self._frame_training(i),
            "Survey": self._frame_survey(i),
        }

    def _conversions_due(self, g: int, i: int, filled_fte: float) -> int:
        """How many of group `g`'s agency workers convert in month `i` (see CONVERSION_*)."""
        anchors = SW_AGENCY_ANCHORS if g == 1 else OTHER_AGENCY_ANCHORS
        month = self.first_month + np.timedelta64(i, "M")
        fall = max(_share_on(anchors, month - np.timedelta64(1, "M")) - _share_on(anchors, month),
                   0.0)
        rate = CONVERSION_BASE_RATE["sw" if g == 1 else "other"] + CONVERSION_FALL_SHARE * fall
        before = self.conv_due[g]
        self.conv_due[g] = before + filled_fte * rate
        return int(np.floor(self.conv_due[g]) - np.floor(before))

    def _convert(self, posts: np.ndarray, i: int) -> None:
        """Agency workers taking a permanent post: the same person, a new employee record."""
        if posts.size == 0:
            return
        rng, pe = self.rng, self.people.a
        old = self.holder[posts]
        k = posts.size
        # (not in the first month: the agency record before it is not in any extract, so a reused
        # id would look like an employee with an agency reference and no history)
        reuse = (rng.random(k) < CONVERSION_REUSES_AGENCY_ID) & (i > 0)
        pid = self._ids("E", k)
        pid[reuse] = pe["pid"][old[reuse]]
        conv = np.where(reuse, None, "Y").astype(object)  # payroll kept the agency id, no flag
        # the person often moves into the area once permanent
        lives = pe["lives"][old].copy()
        lives[rng.random(k) < 0.3] = "Y"
        self.holder[posts] = self.people.add(
            pid=pid, agency=np.zeros(k, bool), wtype=np.full(k, "Permanent", dtype=object),
            fte=pe["fte"][old], start=self._day_in_month(i, k), dob=pe["dob"][old],
            gender=pe["gender"][old], eth=pe["eth"][old], disab=pe["disab"][old], lives=lives,
            conv=conv, blank_until=pe["blank_until"][old], case_rate=pe["case_rate"][old],
            post=posts, lt_left=np.zeros(k, dtype=np.int32), dob_blank=pe["dob_blank"][old],
        )

    # ---- frames
    def _frame_staff(self, i: int) -> pd.DataFrame:
        rng, pe = self.rng, self.people.a
        posts = np.flatnonzero(self.holder >= 0)
        who = self.holder[posts]
        k = who.size
        agy = pe["agency"][who]
        ms, me = self._month_start(i), self._month_end(i)
        # caseloads: per-person rate x FTE x the directorate trend, a little monthly noise
        frac = i / max(self.n_months - 1, 1)
        trend = CASELOAD_TREND[0] + (CASELOAD_TREND[1] - CASELOAD_TREND[0]) * frac
        rate = pe["case_rate"][who]
        new_this_month = pe["start"][who] >= ms
        raw = rate * pe["fte"][who] * trend * np.where(new_this_month, 0.5, 1.0)
        raw = raw + rng.normal(0.0, 1.2, k)
        holds = ~np.isnan(rate)
        cases = pd.array(np.where(holds, np.maximum(np.rint(np.nan_to_num(raw)), 0), 0),
                         dtype="Int64")
        cases[~holds] = pd.NA
        # sickness: employees only (agency sickness is not recorded by HR)
        workdays = int(np.busday_count(ms, me + _DAY))
        lt = pe["lt_left"][who]
        start_lt = (~agy) & (lt == 0) & (rng.random(k) < LONG_ABSENCE_START_PROB)
        lt = np.where(start_lt, rng.integers(1, 5, k), lt)
        long_days = np.minimum(rng.integers(15, 23, k), workdays)
        short = rng.random(k) < SHORT_ABSENCE_PROB
        short_days = rng.choice(np.array([1, 1, 1, 2, 2, 3, 3, 4, 5]), k)
        absence = np.where(lt > 0, long_days, np.where(short, short_days, 0)).astype(float)
        pe["lt_left"][who] = np.maximum(lt - 1, 0)
        absence_col = pd.array(absence, dtype="Float64")
        absence_col[agy] = pd.NA
        # optional fields not yet recorded in the early months
        blank = pe["blank_until"][who] > i
        eth = pe["eth"][who].copy()
        eth[blank & (rng.random(k) < 0.5)] = None
        disab = pe["disab"][who].copy()
        disab[blank] = None
        lives = pe["lives"][who].copy()
        lives[blank] = None
        dob = pe["dob"][who].copy()
        dob[pe["dob_blank"][who]] = np.datetime64("NaT")
        conv = pe["conv"][who].copy()
        conv[blank & ~agy] = None
        team = self.p_team[posts]
        return pd.DataFrame({
            "employee_id": pe["pid"][who],
            "team": self.team_names[team],
            "service": self.team_service[team],
            "role_group": self.p_role_name[posts],
            "qualified_social_worker": np.where(self.p_qsw[posts], "Y", "N").astype(object),
            "worker_type": pe["wtype"][who],
            "fte": pe["fte"][who],
            "start_date": pe["start"][who].astype("datetime64[s]"),
            "cases": cases,
            "absence_days": absence_col,
            "gender": pe["gender"][who],
            "ethnicity": eth,
            "date_of_birth": dob.astype("datetime64[s]"),
            "disability": disab,
            "lives_in_county": lives,
            "converted_from_agency": conv,
        }, columns=list(STAFF_COLUMNS))  # in post order: grouped by team, then role, as HR extracts usually are

    def _frame_leavers(self, posts: np.ndarray, who: np.ndarray, leave_date: np.ndarray,
                       reason: np.ndarray) -> pd.DataFrame:
        pe = self.people.a
        team = self.p_team[posts]
        return pd.DataFrame({
            "employee_id": pe["pid"][who],
            "leave_date": leave_date.astype("datetime64[s]"),
            "reason": reason.astype(object),
            "team": self.team_names[team],
            "service": self.team_service[team],
            "role_group": self.p_role_name[posts],
            "qualified_social_worker": np.where(self.p_qsw[posts], "Y", "N").astype(object),
            "worker_type": pe["wtype"][who],
            "fte": pe["fte"][who],
            "start_date": pe["start"][who].astype("datetime64[s]"),
        }, columns=list(LEAVER_COLUMNS)).sort_values(
            ["leave_date", "employee_id"], kind="stable", ignore_index=True)

    def _frame_vacancies(self) -> pd.DataFrame:
        pe = self.people.a
        vacant = self.holder < 0
        h = self.holder
        covered = np.zeros(h.size, dtype=bool)
        covered[h >= 0] = pe["agency"][h[h >= 0]]
        open_post = vacant | covered
        frame = pd.DataFrame({
            "t": self.p_team[open_post],
            "role_group": self.p_role_name[open_post],
            "q": self.p_qsw[open_post],
            "vacant_fte": self.p_fte[open_post],
            "covered_by_agency_fte": np.where(covered[open_post], self.p_fte[open_post], 0.0),
        })
        agg = frame.groupby(["t", "role_group", "q"], sort=True, as_index=False)[
            ["vacant_fte", "covered_by_agency_fte"]].sum()
        out = pd.DataFrame({
            "team": self.team_names[agg["t"].to_numpy()],
            "service": self.team_service[agg["t"].to_numpy()],
            "role_group": agg["role_group"].to_numpy(),
            "qualified_social_worker": np.where(agg["q"].to_numpy(), "Y", "N").astype(object),
            "vacant_fte": agg["vacant_fte"].round(2).to_numpy(),
            "covered_by_agency_fte": agg["covered_by_agency_fte"].round(2).to_numpy(),
        }, columns=list(VACANCY_COLUMNS))
        return out

    def _frame_training(self, i: int) -> pd.DataFrame:
        rng, pe = self.rng, self.people.a
        posts = np.flatnonzero(self.holder >= 0)
        who = self.holder[posts]
        agy = pe["agency"][who]
        p = np.where(agy, TRAINING_PROB["agency"], TRAINING_PROB["employee"])
        done = rng.random(who.size) < p
        who, posts = who[done], posts[done]
        k = who.size
        role = self.p_role[posts]
        leader = np.isin(role, ("SM", "MM", "TM", "SP"))
        practice = self.p_qsw[posts] | (role == "FS")
        cats = np.array(list(COURSES), dtype=object)
        # category weights: Safeguarding, Practice, Leadership, Wellbeing, E&D, Mandatory
        w = np.tile(np.array([0.25, 0.0, 0.0, 0.08, 0.07, 0.35]), (k, 1))
        w[:, 1] = np.where(practice, 0.25, 0.0)
        w[:, 2] = np.where(leader, 0.2, 0.0)
        w = w / w.sum(axis=1, keepdims=True)
        cat_i = (rng.random((k, 1)) > np.cumsum(w, axis=1)).sum(axis=1)
        cat_i = np.minimum(cat_i, len(cats) - 1)
        category = cats[cat_i]
        course = np.empty(k, dtype=object)
        for c_i, c in enumerate(cats):
            m = cat_i == c_i
            course[m] = rng.choice(np.array(COURSES[c], dtype=object), int(m.sum()))
        ms = self._month_start(i)
        start = pe["start"][who]
        day = self._day_in_month(i, k)
        day = np.maximum(day, np.maximum(start, ms))  # not before they started
        return pd.DataFrame({
            "employee_id": pe["pid"][who],
            "course": course,
            "category": category,
            "completed_date": day.astype("datetime64[s]"),
        }, columns=list(TRAINING_COLUMNS)).sort_values(
            ["completed_date", "employee_id"], kind="stable", ignore_index=True)

    def _frame_survey(self, i: int) -> pd.DataFrame:
        month = self.first_month + np.timedelta64(i, "M")
        if int(str(month)[5:7]) not in SURVEY_MONTHS:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in SURVEY_COLUMNS})
        rng = self.rng
        frac = i / max(self.n_months - 1, 1)
        posts = np.flatnonzero(self.holder >= 0)
        heads = np.bincount(self.p_team[posts], minlength=len(TEAMS))
        resp = rng.binomial(heads, SURVEY_RESPONSE_RATE)
        team_effect = rng.normal(0.0, 4.0, len(TEAMS))
        rows = []
        for measure, (base, rise) in SURVEY_MEASURES.items():
            scores = np.clip(base + rise * frac + team_effect
                             + rng.normal(0.0, 3.0, len(TEAMS)), 0, 100)
            ok = resp > 0
            overall = float(np.average(scores[ok], weights=resp[ok])) if ok.any() else base
            rows.append(("All", measure, round(overall, 1), int(resp.sum())))
            for t in np.flatnonzero(ok):
                rows.append((self.team_names[t], measure, round(float(scores[t]), 1), int(resp[t])))
        return pd.DataFrame(rows, columns=list(SURVEY_COLUMNS))


# --------------------------------------------------------------------------- public API


def generate(*, months: int = 36, end_period: str | None = None, seed: int = DEFAULT_SEED,
             scale: float = 1.0) -> list[tuple[str, dict[str, pd.DataFrame]]]:
    """Simulate `months` monthly extracts ending `end_period` (default: last complete month).

    Returns [(period 'YYYY-MM', {sheet name: contract-shaped raw DataFrame})], oldest first.
    Same arguments -> identical frames (one numpy Generator seeded with `seed`).
    """
    if not (isinstance(scale, (int, float)) and 0 < scale <= 1000):
        raise DemoError(f"scale must be a number more than 0 and at most 1000, got {scale!r}")
    periods = month_periods(months=months, end_period=end_period)
    rng = np.random.default_rng(seed)
    sim = _Directorate(rng, float(scale), np.datetime64(periods[0], "M"), len(periods))
    sim.initialise()
    from demo.agency import add_assignments  # the MSP's monthly report (issue 14)
    from demo.census import add_census_items  # the census items, a pass of their own

    return add_assignments([(period, add_census_items(period, sim.step(i)))
                            for i, period in enumerate(periods)], seed=seed)


def _cell(value: Any) -> Any:
    """pandas/numpy scalars -> what openpyxl writes (None for blanks, date for timestamps)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _sheet_rows(frame: pd.DataFrame) -> list[list[Any]]:
    cols = []
    for name in frame.columns:
        s = frame[name]
        if name in DATE_COLUMNS:
            s = pd.to_datetime(s)
            vals = [None if pd.isna(x) else x.date() for x in s]
        else:
            vals = [_cell(x) for x in s.astype(object).tolist()]
        cols.append(vals)
    return [list(r) for r in zip(*cols)] if cols else []


def write_workbook(*, path: str | Path, frames: dict[str, pd.DataFrame],
                   period: str | None = None) -> Path:
    """One month's extract as an .xlsx (sheets Staff, Leavers, Vacancies, Training, Survey).

    The file's internal timestamps are fixed (to the evening of the month's last day when
    `period` is given), so the same frames always give byte-identical files.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    path = Path(path)
    if period is not None:
        last = (np.datetime64(_parse_period(period) + np.timedelta64(1, "M"), "D") - _DAY)
        stamp = _dt.datetime.combine(last.astype(_dt.date), _dt.time(18, 0))
    else:
        stamp = _dt.datetime(2000, 1, 1)
    wb = Workbook(write_only=True)
    for name in SHEET_ORDER:
        if name not in frames:
            continue
        frame = frames[name]
        ws = wb.create_sheet(name)
        header = []
        for col in frame.columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        # One styled cell per date column, reused row after row: write-only mode serialises
        # each row as it is appended, and this saves a third of the writing time.
        date_cells = {}
        for j, c in enumerate(frame.columns):
            if c in DATE_COLUMNS:
                date_cells[j] = WriteOnlyCell(ws)
                date_cells[j].number_format = "DD/MM/YYYY"
        for row in _sheet_rows(frame):
            for j, cell in date_cells.items():
                if row[j] is not None:
                    cell.value = row[j]
                    row[j] = cell
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.properties.creator = "Workforce dashboard demo"
    wb.properties.created = stamp
    wb.save(path)
    _freeze_timestamps(path, stamp)
    return path


def _freeze_timestamps(path: Path, stamp: _dt.datetime) -> None:
    """Rewrite the saved zip with fixed member times and 'modified' property.

    Why: openpyxl stamps the save time into the file, so the same month would hash differently
    on every run and a re-run of the demo would "replace" every period instead of reporting it
    "unchanged" (the loader compares SHA-256).
    """
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + iso + rb"\g<2>",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def write_workbooks(*, out_dir: str | Path, months: int = 36, end_period: str | None = None,
                    seed: int = DEFAULT_SEED, scale: float = 1.0) -> list[tuple[str, Path]]:
    """Write one workbook per month (workforce_YYYY-MM.xlsx) into `out_dir`; [(period, path)]."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for period, frames in generate(months=months, end_period=end_period, seed=seed, scale=scale):
        written.append((period, write_workbook(path=out / f"workforce_{period}.xlsx",
                                               frames=frames, period=period)))
    return written


def build_demo_db(*, db_path: str | Path, months: int = 36, end_period: str | None = None,
                  seed: int = DEFAULT_SEED, scale: float = 1.0) -> list[Any]:
    """Write the demo workbooks to a temporary folder and load each through the users' loader.

    Every load is marked demo in the ledger. Refuses (DemoRefused, store unchanged) a store that
    holds real loads. Returns the loader's LoadResult per month. Raises
    ingest.loader.ExtractRejected if a month fails validation (a bug in this generator).
    """
    from ingest import loader
    from store import connect, holds_real_loads, writing

    db = Path(db_path)
    if db.is_file():  # checked before the minute of generating, and again under the write
        with connect(db) as con:
            if holds_real_loads(con):
                raise DemoRefused(DEMO_REFUSED.format(db=db))
    results = []
    with tempfile.TemporaryDirectory(prefix="workforce-demo-") as tmp:
        files = write_workbooks(out_dir=tmp, months=months, end_period=end_period, seed=seed,
                                scale=scale)
        with writing(db, who="python -m demo (building the demo store)") as con:
            if holds_real_loads(con):
                raise DemoRefused(DEMO_REFUSED.format(db=db))
            for period, path in files:
                results.append(loader.load_file(con=con, path=path, period=period,
                                                loaded_by="demo", demo=True))
    return results
