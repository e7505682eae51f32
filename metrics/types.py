"""Shared value types of the metric engine.

Why a module of its own: the catalogue, the SQL, targets, projection, suppression, narrative, the
CLI and the pages all pass these around; declaring them once keeps the layers agreeing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Scope = Literal["social_workers", "all_staff"]
Breakdown = Literal["service", "team", "role_group"]
Unit = Literal["rate", "count", "caseload", "score", "fte"]
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


# --- the computation of a metric (dbt MetricFlow: measures, then metrics built from them) -------
#
# A Measure is one aggregate over one source (a scoped, filtered view of one store table that the
# engine builds, with the breakdown column as `grp`): `agg(expr) FILTER (WHERE filter)` per
# period and group. A metric's computation refers to measures by id, bare (the month's value) or
# wrapped in Window (the sum over the loaded months p-11..p). See docs/INTERFACES.md.

SOURCES: tuple[str, ...] = ("staff", "leavers", "vacancies", "training", "agency")
AGGREGATIONS: tuple[str, ...] = ("sum", "count")  # additive: a window sums the monthly values


@dataclass(frozen=True, kw_only=True)
class Measure:
    """`agg(expr)` over the rows of `source` matching `filter` (SQL over the source's columns)."""

    id: str
    source: str                # one of SOURCES
    agg: str                   # "sum" | "count" (count ignores expr and counts rows)
    expr: str = "1"            # SQL expression over the source's columns
    filter: str | None = None  # SQL predicate over the source's columns; None = every row
    description: str = ""


@dataclass(frozen=True)
class Window:
    """A measure summed over the loaded months p-(months-1)..p (a rolling window)."""

    measure: str
    months: int = 12


@dataclass(frozen=True, kw_only=True)
class Distinct:
    """Distinct `key`s of `source` rows matching `filter` over the months p-(months-1)..p."""

    source: str
    key: str
    months: int = 12
    filter: str | None = None


Ref = str | Window | Distinct


@dataclass(frozen=True, kw_only=True)
class Ratio:
    """value = numerator / denominator (NULL when the denominator is 0 or missing).

    A tuple denominator is the sum of its parts (each missing part counts 0). `base` (the people
    the figure rests on, for suppression) defaults to the row count behind the denominator."""

    numerator: Ref
    denominator: Ref | tuple[Ref, ...]
    base: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class Count:
    """value = the measure (0 in a loaded month with none); `base` defaults to the measure."""

    measure: Ref
    base: Ref | None = None


@dataclass(frozen=True, kw_only=True)
class Cohort:
    """Of the `source` rows matching `member` `months` earlier (in scope and group then), the
    share whose `key` matches `still` at p anywhere in the directorate (e.g. stability index)."""

    member: str
    still: str
    source: str = "staff"
    key: str = "employee_id"
    months: int = 12


@dataclass(frozen=True, kw_only=True)
class Custom:
    """Escape hatch for a figure no kind above expresses: `build(by, filters)` returns CTEs ending
    in `m(period, grp, num, den, base)`; `sources` names the engine sources it reads (s, l, v).
    `kind` is "ratio" | "count" | "score". `additive=True` (a count of people, each in one group)
    lets the per-load aggregates keep it. Prefer the kinds above."""

    build: Any  # Callable[[str | None, dict[str, list[str]]], str]
    kind: str
    sources: tuple[str, ...] = ()
    additive: bool = False  # num and base add up across groups: kept per load in the cube


Computation = Ratio | Count | Cohort | Custom


@dataclass(frozen=True, kw_only=True)
class DefaultTarget:
    """The target a metric ships with; an entry in data/targets.toml overrides it."""

    value: float
    amber_band: float = 0.0
    target_date: date | None = None
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One catalogue entry: its words, unit, direction and its computation, declared together."""

    id: str
    label: str                 # short plain-English name, e.g. "Agency share of social-worker FTE"
    description: str           # one or two plain-English sentences for a councillor
    theme: str                 # one of THEMES
    numerator: str             # plain-English numerator
    denominator: str | None    # plain-English denominator (None for counts/scores)
    unit: Unit                 # a metrics.units unit; "rate" values are fractions 0..1
    direction: Direction | None  # which way is better; None = neither
    window_months: int | None  # 12 for 12-month measures, else None
    definition: str            # definition note, naming the DfE definition where it follows one
    dfe_indicator: str | None = None  # column in the DfE indicators file, e.g. "agency_rate_fte"
    dfe_compare: str = "value" # which of our figures matches the DfE's: "value" or "numerator"
    dfe_unit: str | None = None  # unit of our compared figure when not `unit` (e.g. "fte")
    headline: bool = False     # shown as an Overview card
    counts_people: bool = True # value/denominator rest on people (suppression applies)
    compute: Any = None        # Ratio | Count | Cohort | Custom (metrics.types)
    phrase: str | None = None  # sentence subject: {v} value, {s} scope word ("social-worker")
    target_name: str | None = None  # how a sentence names the target, e.g. "the 80:20 target"
    target: DefaultTarget | None = None  # default target (data/targets.toml overrides)

    @property
    def needs_history(self) -> bool:
        """True when the figure reads earlier months (months_covered / partial apply)."""
        c = self.compute
        if isinstance(c, Cohort):
            return True
        if isinstance(c, Custom):
            return self.window_months is not None
        return any(isinstance(r, (Window, Distinct)) for r in refs(c))


def refs(compute: Any) -> list[Ref]:
    """Every measure reference of a Ratio or Count (numerator, denominator parts, base)."""
    if isinstance(compute, Ratio):
        den = compute.denominator if isinstance(compute.denominator, tuple) else (compute.denominator,)
        out: list[Ref] = [compute.numerator, *den]
        return out + ([compute.base] if compute.base is not None else [])
    if isinstance(compute, Count):
        return [compute.measure] + ([compute.base] if compute.base is not None else [])
    return []


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
