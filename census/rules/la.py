"""Checks of the LA-level block and of the return as a whole."""

from __future__ import annotations

from census.items import PAY_FLAGS, la_items
from census.model import CensusReturn
from census.rules.base import return_rule


@return_rule("E20", "error", "SWENo", "Each registration number appears once")
def duplicate_registration(ret: CensusReturn, previous: CensusReturn | None) -> list:
    seen: dict[str, list] = {}
    for w in ret.workers:
        if w.get("SWENo"):
            seen.setdefault(w.get("SWENo").upper(), []).append(w)
    out = []
    for group in seen.values():
        if len(group) > 1:
            others = ", ".join(w.ref for w in group)
            for w in group:
                out.append((w, f"the same registration number is on {len(group)} records "
                               f"({others}): one person has one record; merge them or correct "
                               "the number."))
    return out


@return_rule("E21", "error", "LALevelVacancies", "Vacancy and agency totals present, not negative")
def la_totals(ret: CensusReturn, previous: CensusReturn | None) -> list:
    out = []
    for it in la_items(ret.year):
        if it.tag in PAY_FLAGS or it.kind == "text":
            continue
        value = ret.la_number(it.tag)
        if value is None:
            out.append((None, f"{it.tag} ({it.label}) is missing: it is required."))
        elif value < 0:
            out.append((None, f"{it.tag} ({it.label}) is {value:g}; it cannot be negative."))
    return out


@return_rule("E22", "error", "NoAgencyFTE", "Agency FTE fits the agency headcount")
def agency_fte_vs_headcount(ret: CensusReturn, previous: CensusReturn | None) -> list:
    fte, heads = ret.la_number("NoAgencyFTE"), ret.la_number("NoAgencyHeadcount")
    if fte is not None and heads is not None and fte > heads + 1e-9:
        return [(None, f"agency FTE {fte:g} is more than the agency headcount {heads:g}; each "
                       "person is at most 1 FTE: check both totals.")]
    return []


@return_rule("E23", "error", "RecruitmentBonus", "Pay and allowance flags given",
             years=(2025, None))
def pay_flags(ret: CensusReturn, previous: CensusReturn | None) -> list:
    missing = [tag for tag in PAY_FLAGS if not ret.la.get(tag)]
    if missing or not ret.la.get("OtherAllowances"):
        missing += [] if ret.la.get("OtherAllowances") else ["OtherAllowances"]
        return [(None, f"{', '.join(missing)} not set: fill in [pay] in data/census.toml "
                       "(0 no, 1 all LA-employed social workers eligible, 2 some).")]
    return []


@return_rule("Q23", "query", "NoAgencyHeadcount", "Agency records agree with the agency total")
def agency_records_vs_total(ret: CensusReturn, previous: CensusReturn | None) -> list:
    heads = ret.la_number("NoAgencyHeadcount")
    records = sum(1 for w in ret.workers if w.agency and ret.in_post(w))
    if heads is not None and records > heads:
        return [(None, f"{records} agency workers have records but the agency headcount is "
                       f"{heads:g}: the total should count every agency social worker.")]
    return []
