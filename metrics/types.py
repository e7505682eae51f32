"""Shared value types of the metric engine.

Why a module of its own: the catalogue, the SQL, targets, projection, suppression, narrative, the
CLI and the pages all pass these around; declaring them once keeps the layers agreeing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

Scope = Literal["social_workers", "all_staff"]
Breakdown = Literal["service", "team", "role_group"]
Unit = Literal["rate", "count", "caseload", "score"]
Direction = Literal["lower", "higher"]
Status = Literal["green", "amber", "red", "grey"]

SCOPES: tuple[str, ...] = ("social_workers", "all_staff")
BREAKDOWNS: tuple[str, ...] = ("service", "team", "role_group")

THEMES: tuple[str, ...] = (
    "Our commitment to equality and diversity",
    "Your wellbeing",
    "A workforce that is engaged",
    "A workforce that is agile and adaptable",
    "A workforce that is skilled",
    "Our leadership",
)


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One catalogue entry (dbt MetricFlow vocabulary)."""

    id: str
    label: str                 # short plain-English name, e.g. "Agency share of social-worker FTE"
    description: str           # one or two plain-English sentences for a councillor
    theme: str                 # one of THEMES
    numerator: str             # plain-English numerator
    denominator: str | None    # plain-English denominator (None for counts/scores)
    unit: Unit                 # "rate" values are fractions 0..1
    direction: Direction | None  # which way is better; None = neither
    window_months: int | None  # 12 for rolling 12-month measures, else None
    definition: str            # definition note, naming the DfE definition where it follows one
    dfe_indicator: str | None = None  # column in the DfE indicators file, e.g. "agency_rate_fte"
    headline: bool = False     # shown as an Overview card
    counts_people: bool = True # value/denominator rest on people (suppression applies)


@dataclass(frozen=True, kw_only=True)
class Target:
    metric_id: str
    value: float | None        # in the metric's unit (rates as fractions)
    direction: Direction       # "lower": value <= target meets; "higher": value >= target meets
    amber_band: float          # distance beyond the target still amber (same unit)
    target_date: date | None = None
    source: str = ""           # plain-English origin, e.g. "England 2025 (DfE)"


def as_float(value: object) -> float | None:
    """A figure as a float, or None for missing/NA/NaN/text such as the suppression mark "c"."""
    if value is None or isinstance(value, str):
        return None
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


class MetricError(ValueError):
    """A metric request that cannot be answered (unknown id, bad period, bad scope...)."""
