"""Continuity with last year's return: the movements DfE's collection system asks about."""

from __future__ import annotations

from census import figures
from census.model import CensusReturn
from census.rules.base import return_rule

#: a change larger than these (against last year's return) is queried
HEADCOUNT_CHANGE = 0.20
RATE_CHANGE_POINTS = 0.10


def _pair(ret: CensusReturn, previous: CensusReturn | None, measure: str):
    if previous is None:
        return None, None
    return figures.compute(ret)[measure].value, figures.compute(previous)[measure].value


@return_rule("Q20", "query", "CSWWWorker", "Headcount close to last year's")
def headcount_moved(ret: CensusReturn, previous: CensusReturn | None) -> list:
    now, before = _pair(ret, previous, "inpost_headcount")
    if now is None or not before:
        return []
    change = (now - before) / before
    if abs(change) > HEADCOUNT_CHANGE:
        return [(None, f"{now:.0f} LA-employed social workers in post against {before:.0f} in "
                       f"{previous.year}'s return ({change:+.0%}); DfE will ask why: confirm "
                       "every social worker is included.")]
    return []


def _rate_moved(ret, previous, measure: str, what: str) -> list:
    now, before = _pair(ret, previous, measure)
    if now is None or before is None:
        return []
    if abs(now - before) > RATE_CHANGE_POINTS:
        return [(None, f"the {what} is {now:.1%} against {before:.1%} in {previous.year}'s "
                       f"return ({(now - before) * 100:+.1f} points): confirm the totals.")]
    return []


@return_rule("Q21", "query", "NoAgencyFTE", "Agency rate close to last year's")
def agency_rate_moved(ret: CensusReturn, previous: CensusReturn | None) -> list:
    return _rate_moved(ret, previous, "agency_rate_fte", "agency rate")


@return_rule("Q22", "query", "NumberOfVacancies", "Vacancy rate close to last year's")
def vacancy_rate_moved(ret: CensusReturn, previous: CensusReturn | None) -> list:
    return _rate_moved(ret, previous, "vacancy_rate_fte", "vacancy rate")
