"""Every rule: a clean return passes, one breach gives exactly that rule's problem."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from census.model import CensusReturn, Worker
from census.rules import RULES, check
from tests.census.returns import clean_return, previous_return

HELD, STARTER, LEAVER, AGENCY = 0, 1, 2, 3


def _set(index: int, **items: str | None) -> Callable[[CensusReturn], int]:
    """Mutation: set (or with None remove) items of one baseline worker; returns its index."""
    def mutate(ret: CensusReturn) -> int:
        for tag, value in items.items():
            if value is None:
                ret.workers[index].items.pop(tag, None)
            else:
                ret.workers[index].items[tag] = [value]
        return index
    return mutate


# code -> (mutation of a worker, the codes that breach must produce on that worker)
WORKER_BREACHES: dict[str, tuple[Callable, set[str]]] = {
    "E01": (_set(HELD, FTE="1.500000"), {"E01"}),
    "E02": (_set(HELD, RoleStartDate="2025-10-05", FTE30=None, Cases30=None, Absat30Sept=None),
            {"E02"}),
    "E03": (_set(LEAVER, RoleEndDate="2024-08-01"), {"E03"}),
    "E04": (_set(LEAVER, RoleStartDate="2025-07-01", StartOrigin="2"), {"E04"}),
    "E05": (_set(STARTER, StartOrigin=None), {"E05"}),
    "E06": (_set(LEAVER, LeaverDestination=None), {"E06"}),
    "E07": (_set(LEAVER, ReasonLeave=None), {"E07"}),
    "E08": (_set(HELD, OrgRole="6"), {"E08"}),
    "E09": (_set(HELD, Absat30Sept="1"), {"E09"}),
    "E10": (_set(HELD, SWENo="12345"), {"E10"}),
    "E11": (_set(HELD, AgencyWorker="2"), {"E11"}),
    "Q01": (_set(AGENCY, Ethnicity="WBRI"), {"Q01"}),
    "Q02": (_set(HELD, Cases30=None), {"Q02"}),
    "Q03": (_set(HELD, Cases30="45"), {"Q03"}),
    "Q04": (_set(HELD, WorkingDaysLost="300.00"), {"Q04"}),
    "Q05": (_set(HELD, Ethnicity="NOBT"), {"Q05"}),
    "Q06": (_set(HELD, Sex=None), {"Q06"}),
    "Q07": (_set(LEAVER, FTE30="0.800000"), {"Q07"}),
}


def _la(**items: str | None) -> Callable[[CensusReturn], None]:
    def mutate(ret: CensusReturn) -> None:
        for tag, value in items.items():
            if value is None:
                ret.la.pop(tag, None)
            else:
                ret.la[tag] = [value]
    return mutate


def _duplicate(ret: CensusReturn) -> None:
    ret.workers[STARTER].items["SWENo"] = ["SW100001"]


# code -> (mutation of the return, use last year's return?, expected (code, record or None))
RETURN_BREACHES: dict[str, tuple[Callable, bool, set[tuple[str, str | None]]]] = {
    "E20": (_duplicate, False, {("E20", "record 1"), ("E20", "record 2")}),
    "E21": (_la(NoAgencyHeadcount=None), False, {("E21", None)}),
    "E22": (_la(NoAgencyFTE="1.50"), False, {("E22", None)}),
    "E23": (_la(CostDBS=None), False, {("E23", None)}),
    "Q23": (_la(NoAgencyHeadcount="0", NoAgencyFTE="0.00"), False, {("Q23", None)}),
    "Q20": (None, True, {("Q20", None)}),
    "Q21": (_la(NoAgencyFTE="4.00", NoAgencyHeadcount="4"), True, {("Q21", None)}),
    "Q22": (_la(NumberOfVacancies="5.00"), True, {("Q22", None)}),
}


def _grown_previous() -> CensusReturn:
    """Last year with three more people in post, at almost no FTE: only the headcount moves."""
    prev = previous_return()
    for n in range(3):
        extra = copy.deepcopy(prev.workers[HELD])
        extra.items["SWENo"] = [f"SW20000{n}"]
        extra.items["FTE"] = ["0.000001"]
        prev.workers.append(extra)
    return prev


def test_clean_return_has_no_problems():
    assert check(clean_return(), previous=previous_return()) == []


def test_every_rule_has_a_breach_case():
    assert set(RULES) == set(WORKER_BREACHES) | set(RETURN_BREACHES)


@pytest.mark.parametrize("code", sorted(WORKER_BREACHES))
def test_worker_rule(code):
    ret = clean_return()
    mutate, expected = WORKER_BREACHES[code]
    index = mutate(ret)
    problems = check(ret)
    assert {(p.code, p.worker) for p in problems} == {(c, f"record {index + 1}")
                                                     for c in expected}
    p = problems[0]
    assert p.severity == RULES[code].severity and p.item == RULES[code].item and p.message


@pytest.mark.parametrize("code", sorted(RETURN_BREACHES))
def test_return_rule(code):
    ret = clean_return()
    mutate, with_previous, expected = RETURN_BREACHES[code]
    if mutate:
        mutate(ret)
    previous = None
    if with_previous:
        previous = _grown_previous() if code == "Q20" else previous_return()
    problems = check(ret, previous=previous)
    assert {(p.code, p.worker) for p in problems} == expected
    assert all(p.severity == RULES[code].severity and p.message for p in problems)


def test_one_return_with_every_breach_gives_exactly_the_expected_problems():
    """Each worker breach on its own copy of a baseline worker, plus LA and continuity breaches."""
    ret = clean_return()
    expected: set[tuple[str, str | None]] = set()
    for n, (code, (mutate, codes)) in enumerate(sorted(WORKER_BREACHES.items())):
        scratch = clean_return()
        index = mutate(scratch)
        clone: Worker = scratch.workers[index]
        if code != "E10":
            clone.items["SWENo"] = [f"SW9{n:05d}"]
        clone.employee_id = f"P{n:03d}"
        ret.workers.append(clone)
        expected |= {(c, f"employee P{n:03d}") for c in codes}
    for i, w in enumerate(ret.workers, 1):
        w.record = i
    _duplicate(ret)
    expected |= {("E20", "record 1"), ("E20", "record 2")}
    _la(NumberOfVacancies=None, NoAgencyFTE="1.50", CostDBS=None)(ret)  # E21, E22, E23
    # two agency records (baseline + the Q01 clone) against a headcount of 1: Q23
    expected |= {("E21", None), ("E22", None), ("E23", None), ("Q23", None)}
    # against last year (5 in post, agency rate 40%) the clones multiply the headcount (Q20) and
    # the agency rate falls by more than 10 points (Q21)
    expected |= {("Q20", None), ("Q21", None)}
    problems = check(ret, previous=_grown_previous())
    got = {(p.code, p.worker) for p in problems}
    assert got == expected
    assert len(problems) == len(got)
    errors = [p for p in problems if p.severity == "error"]
    assert problems[: len(errors)] == errors  # errors first
