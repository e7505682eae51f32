"""A synthetic census return built to an authority's published DfE totals for one year.

The people are invented; only the totals (in post, starters, leavers, agency, vacancies, case
holders, cases, working days lost) are DfE's, so the rates computed from the return can be
set against the published rates.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from census.model import CensusReturn, Worker


def published(reference_dir: Path, *, la_code: str, year: int) -> dict[str, float]:
    """The DfE indicators row for one authority and year (numbers only)."""
    path = reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv"
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["old_la_code"] == la_code and row["time_period"] == str(year):
                out = {}
                for k, v in row.items():
                    try:
                        out[k] = float(v)
                    except (TypeError, ValueError):
                        pass
                return out
    raise KeyError((la_code, year))


def split(count: int, total: float) -> list[float]:
    """`count` FTEs in (0, 1] summing to `total` (whole-time, some half-time, one remainder)."""
    values = [1.0] * count
    deficit = round(count - total, 6)
    i = 0
    while deficit >= 0.5 - 1e-9 and i < count:
        values[i] = 0.5
        deficit = round(deficit - 0.5, 6)
        i += 1
    if deficit > 1e-9:
        values[i] = round(values[i] - deficit, 6)
    assert abs(sum(values) - total) < 1e-6 and all(0 < v <= 1 for v in values)
    return values


def _spread(total: float, n: int, places: int) -> list[float]:
    each = round(total / n, places)
    out = [each] * n
    out[-1] = round(total - each * (n - 1), places)
    return out


def build(pub: dict[str, float], *, year: int, lea: str) -> CensusReturn:
    """The return: employed in post (starters, case holders, others), leavers, agency."""
    ref, start = date(year, 9, 30), date(year - 1, 10, 1)
    in_post, starters = int(pub["inpost_headcount"]), int(pub["starters_headcount"])
    agency_n, agency_fte = int(pub["agency_headcount"]), pub["agency_fte"]
    employed_ch_fte = round(pub["case_holders_fte"] - agency_fte, 1)
    employed_ch = max(1, round(employed_ch_fte + 0.5))
    others = in_post - starters - employed_ch
    others_fte = round(pub["inpost_fte"] - pub["starters_fte"] - employed_ch_fte, 1)
    groups = [("starter", split(starters, pub["starters_fte"])),
              ("holder", split(employed_ch, employed_ch_fte)),
              ("other", split(others, others_fte))]
    days = _spread(pub["working_days_lost_fte"], in_post, 2)
    holders = employed_ch + agency_n
    cases = [int(pub["cases"]) // holders] * holders
    for k in range(int(pub["cases"]) - sum(cases)):
        cases[k] += 1
    workers: list[Worker] = []
    n = 0

    def add(**items: str) -> None:
        nonlocal n
        n += 1
        w = Worker(items={k: [v] for k, v in items.items() if v is not None}, record=n)
        w.items["SWENo"] = [f"SW{700000 + n}"]
        workers.append(w)

    sex = "F" if year >= 2024 else None
    k_case = 0
    for kind, ftes in groups:
        for fte in ftes:
            started = start + timedelta(days=30 + len(workers) % 300) if kind == "starter" \
                else date(2015, 1, 1)
            items = dict(AgencyWorker="0", FTE=f"{fte:.6f}", Sex=sex, Ethnicity="WBRI",
                         OrgRole="5" if kind == "holder" else "6",
                         RoleStartDate=started.isoformat(),
                         StartOrigin="2" if kind == "starter" else None, FTE30=f"{fte:.6f}",
                         WorkingDaysLost=f"{days[len(workers)]:.2f}", Absat30Sept="0")
            if kind == "holder":
                items["Cases30"] = str(cases[k_case])
                k_case += 1
            add(**items)
    for fte in split(int(pub["leavers_headcount"]), pub["leavers_fte"]):
        add(AgencyWorker="0", FTE=f"{fte:.6f}", Sex=sex, Ethnicity="WBRI", OrgRole="5",
            RoleStartDate="2016-05-01", RoleEndDate=(ref - timedelta(days=40)).isoformat(),
            LeaverDestination="3", ReasonLeave="1")
    for fte in split(agency_n, agency_fte):
        add(AgencyWorker="1", FTE=f"{fte:.6f}", OrgRole="5", FTE30=f"{fte:.6f}",
            Cases30=str(cases[k_case]))
        k_case += 1
    la = {"NumberOfVacancies": [f"{pub['vacancy_fte']:.2f}"],
          "NoAgencyFTE": [f"{agency_fte:.2f}"], "NoAgencyHeadcount": [str(agency_n)]}
    if year >= 2025:
        la.update({tag: ["0"] for tag in ("RecruitmentBonus", "RetentionBonus",
                                          "PerformanceAward", "CarAllowance",
                                          "RelocationPackage", "RegionalWeighting", "CostSWE",
                                          "CostDBS")})
        la["OtherAllowances"] = ["None"]
    if year <= 2024:  # QualInst is required (for every record) to 2024
        for w in workers:
            w.items["QualInst"] = ["University of Worcester"]
    return CensusReturn(year=year, la=la, workers=workers, lea=lea, source="import")
