"""Small hand-made census returns for the rule tests (every value chosen to pass every rule)."""

from __future__ import annotations

import copy

from census.model import CensusReturn, Worker


def worker(**items: str) -> Worker:
    return Worker(items={k: [v] for k, v in items.items()})


def clean_return(year: int = 2025) -> CensusReturn:
    """In post (case holder), a starter, a leaver and an agency case holder; no problems."""
    held = worker(AgencyWorker="0", SWENo="SW100001", FTE="1.000000", Sex="F", Ethnicity="WBRI", QualLevel="1",
                  StepUpGrad="0", OrgRole="5", RoleStartDate="2018-01-01", FTE30="1.000000",
                  Cases30="15", WorkingDaysLost="4.00", FrontlineGrad="0", Absat30Sept="0",
                  BaseSalary="41000.00", RRPayments="0.00", OtherPayments="0.00")
    starter = worker(AgencyWorker="0", SWENo="SW100002", FTE="0.500000", Sex="M", Ethnicity="BAFR", QualLevel="2",
                     StepUpGrad="0", OrgRole="6", RoleStartDate="2025-03-01", StartOrigin="1",
                     FTE30="0.500000", WorkingDaysLost="0.00", FrontlineGrad="1",
                     Absat30Sept="0", BaseSalary="35000.00", RRPayments="0.00",
                     OtherPayments="0.00")
    leaver = worker(AgencyWorker="0", SWENo="SW100003", FTE="0.800000", Sex="F", Ethnicity="AIND", QualLevel="3",
                    StepUpGrad="1", OrgRole="5", RoleStartDate="2015-01-01",
                    RoleEndDate="2025-06-30", LeaverDestination="3", ReasonLeave="1",
                    WorkingDaysLost="10.50", FrontlineGrad="0", BaseSalary="44000.00",
                    RRPayments="1000.00", OtherPayments="0.00")
    agency = worker(AgencyWorker="1", SWENo="SW100004", FTE="1.000000", OrgRole="5",
                    FTE30="1.000000", Cases30="18")
    ret = CensusReturn(year=year, lea="884", workers=[held, starter, leaver, agency], la={
        "NumberOfVacancies": ["2.00"], "NoAgencyFTE": ["1.00"], "NoAgencyHeadcount": ["1"],
        "RecruitmentBonus": ["0"], "RetentionBonus": ["0"], "PerformanceAward": ["0"],
        "CarAllowance": ["0"], "RelocationPackage": ["0"], "RegionalWeighting": ["0"],
        "CostSWE": ["1"], "CostDBS": ["1"], "OtherAllowances": ["None"]})
    for i, w in enumerate(ret.workers, 1):
        w.record = i
    return ret


def previous_return() -> CensusReturn:
    """Last year's return, close enough that no continuity query fires."""
    ret = copy.deepcopy(clean_return(2024))
    for w in ret.workers:
        for tag in ("BaseSalary", "RRPayments", "OtherPayments"):
            w.items.pop(tag, None)
        if w.get("RoleEndDate"):
            w.items["RoleEndDate"] = ["2024-06-30"]
        if w.get("RoleStartDate") == "2025-03-01":
            w.items["RoleStartDate"] = ["2024-03-01"]
    for tag in list(ret.la):
        if tag not in ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount"):
            del ret.la[tag]
    return ret
