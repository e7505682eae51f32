"""The figures DfE publishes from a return, computed the way DfE defines them.

Definitions (CSWW statistics; names as in DfE's indicators file):
- in post: LA-employed (AgencyWorker 0) workers in post at 30 September; FTE is the FTE item.
- agency rate = NoAgencyFTE / (NoAgencyFTE + in-post FTE)            (LA-level agency totals)
- vacancy rate = NumberOfVacancies / (NumberOfVacancies + in-post FTE)
- turnover = FTE of LA-employed leavers in the year / in-post FTE
- caseload = Cases30 / FTE30 of case holders (Cases30 > 0, FTE > 0), agency included
- absence rate = WorkingDaysLost of those in post / (in-post FTE x 253, 254 in a leap year)
Rates are fractions (0..1) like the metrics engine's; a zero denominator gives None.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from census.items import working_days_in_year
from census.model import CensusReturn, Worker

#: measure id -> (label, unit, DfE indicators-file column, the metric id on the dashboard)
MEASURES: dict[str, tuple[str, str, str | None, str | None]] = {
    "inpost_fte": ("Social workers in post (FTE)", "fte", "inpost_fte", None),
    "inpost_headcount": ("Social workers in post (headcount)", "count", "inpost_headcount", None),
    "starters_fte": ("Starters in the year (FTE)", "fte", "starters_fte", None),
    "leavers_fte": ("Leavers in the year (FTE)", "fte", "leavers_fte", None),
    "leavers_headcount": ("Leavers in the year (headcount)", "count", "leavers_headcount", None),
    "agency_fte": ("Agency workers (FTE)", "fte", "agency_fte", None),
    "agency_headcount": ("Agency workers (headcount)", "count", "agency_headcount", None),
    "vacancy_fte": ("Vacancies (FTE)", "fte", "vacancy_fte", None),
    "case_holders_fte": ("Case holders (FTE)", "fte", "case_holders_fte", None),
    "cases": ("Cases at 30 September", "count", "cases", None),
    "working_days_lost": ("Working days lost", "days", "working_days_lost_fte", None),
    "agency_rate_fte": ("Agency rate (FTE)", "rate", "agency_rate_fte", "agency_rate_fte"),
    "vacancy_rate_fte": ("Vacancy rate (FTE)", "rate", "vacancy_rate_fte", "vacancy_rate_fte"),
    "turnover_rate_fte": ("Turnover rate (FTE)", "rate", "turnover_rate_fte",
                          "turnover_rate_fte_12m"),
    "caseload_fte": ("Average caseload (cases per case-holder FTE)", "ratio", "caseload_fte",
                     "avg_caseload"),
    "absence_rate_fte": ("Absence rate", "rate", "absence_rate_fte", "absence_rate"),
    "ethnic_minority_rate": ("Ethnic minority rate (known ethnicity)", "rate", None,
                             "ethnic_minority_rate"),
}


@dataclass(frozen=True)
class Figure:
    """One figure with what it rests on (so a difference can be explained)."""

    measure: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def label(self) -> str:
        return MEASURES[self.measure][0]

    @property
    def unit(self) -> str:
        return MEASURES[self.measure][1]


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den <= 0:
        return None
    return num / den


def _fte(w: Worker) -> float:
    value = w.number("FTE")
    if value is None:
        value = w.number("FTE30")
    return value or 0.0


def _minority(code: str | None) -> bool | None:
    """True for a known non-White ethnicity, None when not known."""
    if code is None or code in ("REFU", "NOBT"):
        return None
    return not code.startswith("W")


_MEMO = threading.local()


@contextmanager
def remembered():
    """Within the block, `compute` works each return out once (the rules ask for the same
    figures of this year's and last year's return several times). Returns must not change
    inside the block."""
    outer = getattr(_MEMO, "found", None)
    _MEMO.found = {} if outer is None else outer
    try:
        yield
    finally:
        _MEMO.found = outer


def compute(ret: CensusReturn) -> dict[str, Figure]:
    """Every measure of MEASURES for one return."""
    found = getattr(_MEMO, "found", None)
    if found is not None:
        hit = found.get(id(ret))
        if hit is not None and hit[0] is ret:
            return hit[1]
        result = _compute(ret)
        found[id(ret)] = (ret, result)
        return result
    return _compute(ret)


def _compute(ret: CensusReturn) -> dict[str, Figure]:
    employed_in_post = [w for w in ret.workers if not w.agency and ret.in_post(w)]
    leavers = [w for w in ret.workers if ret.leaver(w)]
    starters = [w for w in ret.workers if ret.starter(w)]
    inpost_fte = sum(_fte(w) for w in employed_in_post)
    holders = []
    for w in ret.workers:
        cases = w.number("Cases30")
        fte30 = w.number("FTE30")
        fte30 = _fte(w) if fte30 is None else fte30
        if ret.in_post(w) and cases and cases > 0 and fte30 > 0:
            holders.append((cases, fte30))
    cases = float(sum(c for c, _ in holders))
    holders_fte = sum(f for _, f in holders)
    agency_fte = ret.la_number("NoAgencyFTE")
    vacancies = ret.la_number("NumberOfVacancies")
    days = sum(w.number("WorkingDaysLost") or 0.0 for w in employed_in_post)
    known = [m for m in (_minority(w.get("Ethnicity")) for w in employed_in_post) if m is not None]
    absence_den = inpost_fte * working_days_in_year(ret.year)
    out = [
        Figure("inpost_fte", inpost_fte),
        Figure("inpost_headcount", float(len(employed_in_post))),
        Figure("starters_fte", sum(_fte(w) for w in starters)),
        Figure("leavers_fte", sum(_fte(w) for w in leavers)),
        Figure("leavers_headcount", float(len(leavers))),
        Figure("agency_fte", agency_fte),
        Figure("agency_headcount", ret.la_number("NoAgencyHeadcount")),
        Figure("vacancy_fte", vacancies),
        Figure("case_holders_fte", holders_fte),
        Figure("cases", cases),
        Figure("working_days_lost", days),
        Figure("agency_rate_fte", _ratio(agency_fte, None if agency_fte is None
                                         else agency_fte + inpost_fte),
               agency_fte, None if agency_fte is None else agency_fte + inpost_fte),
        Figure("vacancy_rate_fte", _ratio(vacancies, None if vacancies is None
                                          else vacancies + inpost_fte),
               vacancies, None if vacancies is None else vacancies + inpost_fte),
        Figure("turnover_rate_fte", _ratio(sum(_fte(w) for w in leavers), inpost_fte),
               sum(_fte(w) for w in leavers), inpost_fte),
        Figure("caseload_fte", _ratio(cases, holders_fte), cases, holders_fte),
        Figure("absence_rate_fte", _ratio(days, absence_den), days, absence_den),
        Figure("ethnic_minority_rate", _ratio(float(sum(known)), float(len(known))),
               float(sum(known)), float(len(known))),
    ]
    return {f.measure: f for f in out}
