"""The arithmetic of agency cost: cost per FTE, the premium, and the conversion what-if.

Why separate from the reads: the figures a leadership team quotes ("converting 10 agency social
workers saves about £400,000 a year") must be reproducible by hand from the inputs shown beside
them, so the sums live here as small pure functions with their assumptions spelled out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WhatIf:
    """Converting `converted` agency social workers to employed posts."""

    converted: int
    fte_converted: float
    saving_per_year: float
    permanent_share_now: float | None
    permanent_share_after: float | None
    assumptions: tuple[str, ...] = field(default=())
    per_worker_fte: float = 0.0
    total_fte: float = 0.0
    available: int = 0

    def workers_to_reach(self, share: float) -> int | None:
        """Agency social workers to convert for the permanent share to reach `share` (e.g. 0.8).

        0 when it is reached already; None when converting every one of them would not be enough.
        """
        if self.permanent_share_now is None or self.total_fte <= 0:
            return None
        if self.permanent_share_now >= share:
            return 0
        if self.per_worker_fte <= 0:
            return None
        needed_fte = share * self.total_fte - self.permanent_share_now * self.total_fte
        n = math.ceil(needed_fte / self.per_worker_fte - 1e-9)
        return n if n <= self.available else None

    def sentence(self) -> str:
        """The one-line answer, rounded as a person would say it."""
        if self.converted == 0:
            return "There are no agency social workers to convert in this month's assignments."
        share = ("" if self.permanent_share_after is None else
                 f" and moves the permanent share from {self.permanent_share_now:.0%} to "
                 f"{self.permanent_share_after:.0%}")
        return (f"Converting {self.converted} agency social worker"
                f"{'s' if self.converted != 1 else ''} to employed posts saves about "
                f"{round_money(self.saving_per_year)} a year{share}.")


def round_money(amount: float) -> str:
    """£ to a sensible precision for a sentence: £1,234,000 -> "£1.23 million", £412,345 -> "£412,000"."""
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    if a >= 1_000_000:
        return f"{sign}£{a / 1_000_000:.2f} million"
    if a >= 10_000:
        return f"{sign}£{round(a, -3):,.0f}"
    return f"{sign}£{round(a, -2):,.0f}"


def annual_cost_per_fte(*, spend: float, fte_months: float) -> float | None:
    """Annual cost of one FTE from spend over a run of months and the FTE in post each month.

    12 x total spend / sum of monthly FTE: the average monthly cost of an FTE, for a year.
    None when there is no FTE (no data, never 0).
    """
    if fte_months <= 0:
        return None
    return 12.0 * spend / fte_months


def what_if(*, converted: int, agency_workers: int, workers_fte: float, agency_fte: float,
            employed_fte: float, agency_cost_per_fte: float | None,
            employed_cost_per_fte: float | None, months_covered: int = 12,
            cost_source: str = "") -> WhatIf:
    """Savings and the new permanent share if `converted` agency social workers became employees.

    `agency_workers` agency social workers with assignments hold `workers_fte` FTE; each converted
    worker brings their average FTE. The saving is that FTE times the gap between the annual cost
    of an agency FTE and of an employed FTE. `employed_fte` (E) and `agency_fte` (A) are the 80:20
    ratio's totals; total FTE is unchanged, so the permanent share moves from E / (E + A) to
    (E + converted FTE) / (E + A).
    """
    if converted < 0:
        raise ValueError("the number of workers to convert cannot be negative")
    n = min(int(converted), int(agency_workers))
    per_worker = workers_fte / agency_workers if agency_workers else 0.0
    fte = n * per_worker
    gap = ((agency_cost_per_fte or 0.0) - (employed_cost_per_fte or 0.0)
           if agency_cost_per_fte is not None and employed_cost_per_fte is not None else 0.0)
    total = employed_fte + agency_fte
    now = employed_fte / total if total > 0 else None
    after = (employed_fte + fte) / total if total > 0 else None
    assumptions = [
        f"An agency social worker costs £{agency_cost_per_fte:,.0f} a year per FTE (charge rate x "
        f"hours over the last {months_covered} loaded months, annualised)."
        if agency_cost_per_fte is not None else "No agency spend is loaded, so no saving is shown.",
        f"An employed social worker costs £{employed_cost_per_fte:,.0f} a year per FTE "
        f"({cost_source or 'on-costs included; data/agency_rules.toml'})."
        if employed_cost_per_fte is not None else "No employed cost per FTE is configured.",
        f"Each converted worker brings today's average agency FTE ({per_worker:.2f}); the total "
        "FTE does not change.",
        "One-off recruitment costs, vacancy gaps while recruiting and pay progression are not "
        "included.",
    ]
    assumptions.append("The permanent share is the 80:20 measure: employed FTE of qualified social "
                       "workers over all their FTE.")
    if converted > n:
        assumptions.append(f"Only {n} agency social workers are in post, so at most {n} can "
                           "be converted.")
    return WhatIf(converted=n, fte_converted=round(fte, 4), saving_per_year=round(float(fte * gap), 2),
                  permanent_share_now=now, permanent_share_after=after,
                  assumptions=tuple(assumptions), per_worker_fte=per_worker, total_fte=total,
                  available=int(agency_workers))
