"""Units of measure, defined once: how a figure in each unit is rounded, written and charted.

Why one module: a rate is a fraction 0..1 in the engine, a percentage on a card, a "points" change
in a sentence and a ".0%" tick on a chart axis. Every formatter (narrative, cards, charts, packs,
exports) reads the unit's entry here, so adding a unit (or changing how one reads) is one edit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from metrics.types import MetricError, as_float

#: the GSS symbol for a figure hidden to protect individuals: the one definition (the disclosure
#: policy writes it, every formatter, page, pack and file reads it through `is_hidden`)
SUPPRESSED = "c"
#: the GSS symbol for a figure not available (not published for this period: the early-leaver
#: rate outside the year to 30 September, disclosure.policy.YEAR_TO_SEPTEMBER)
NOT_AVAILABLE = "x"
NO_DATA = "no data"


def is_hidden(value: Any) -> bool:
    """True for a figure hidden by the disclosure policy (the symbol "c"), whatever else its
    column holds (numbers, other symbols, None)."""
    return isinstance(value, str) and value == SUPPRESSED


def is_not_available(value: Any) -> bool:
    """True for a figure the disclosure policy does not publish for its period (the symbol "x")."""
    return isinstance(value, str) and value == NOT_AVAILABLE


@dataclass(frozen=True, kw_only=True)
class Unit:
    """One unit: `percent_scale` 100 for fractions shown as %, `places` decimals shown."""

    id: str
    places: int                 # decimals a value is shown with
    percent_scale: float = 1.0  # 100 for fractions (0.234 -> 23.4%)
    percent_sign: bool = False  # "23.4%"
    suffix: str = ""            # long form only: " cases per FTE", " out of 100"
    thousands: bool = False     # "1,234"
    change_words: str = ""      # " points", " cases per FTE"; "" for counts (more/fewer)
    axis_title: str = ""        # chart axis title
    hover: str = "%{y:,.1f}"    # Plotly hover template for the value
    tickformat: str | None = None
    ticksuffix: str | None = None
    prefix: str = ""            # "£" for money: written before the number and on axis ticks
    words: str = ""             # a table column's unit, e.g. "Turnover (%)", "Caseload (cases per FTE)"

    def number(self, value: float, places: int | None = None) -> str:
        """`value` rounded half away from zero, without the unit words (no "no data" handling)."""
        p = self.places if places is None else places
        shown = round_half_up(value * self.percent_scale, p)
        text = f"{abs(shown):,.{p}f}" if self.thousands else f"{abs(shown):.{p}f}"
        sign = "-" if shown < 0 else ""
        return sign + self.prefix + text + ("%" if self.percent_sign else "")


UNITS: dict[str, Unit] = {u.id: u for u in (
    Unit(id="rate", places=1, percent_scale=100.0, percent_sign=True, change_words=" points",
         axis_title="Per cent", hover="%{y:.1%}", tickformat=".0%", words="%"),
    Unit(id="percent", places=1, percent_sign=True, change_words=" points",
         axis_title="Per cent", hover="%{y:.1f}%", ticksuffix="%", words="%"),
    Unit(id="count", places=0, thousands=True, axis_title="People", hover="%{y:,.0f}",
         tickformat=",d", words="people"),
    Unit(id="caseload", places=1, suffix=" cases per FTE", change_words=" cases per FTE",
         axis_title="Cases per FTE", hover="%{y:.1f} cases per FTE", words="cases per FTE"),
    Unit(id="score", places=0, suffix=" out of 100", change_words=" points",
         axis_title="Score (0–100)", hover="%{y:.0f} / 100", words="out of 100"),
    Unit(id="fte", places=1, thousands=True, suffix=" FTE", change_words=" FTE",
         axis_title="FTE", hover="%{y:,.1f} FTE", words="FTE"),
    # agency cost (issue 14): sums in whole pounds, charge rates in pounds and pence an hour
    Unit(id="money", places=0, thousands=True, prefix="£", axis_title="Pounds (£)",
         hover="£%{y:,.0f}", tickformat=",.0f", words="£"),
    Unit(id="money_per_hour", places=2, thousands=True, prefix="£", suffix=" an hour",
         axis_title="Pounds per hour (£)", hover="£%{y:,.2f} an hour", tickformat=",.2f",
         words="£ per hour"),
    # working days (the census's working days lost to sickness): a total, to one decimal
    Unit(id="days", places=1, thousands=True, suffix=" days", change_words=" days",
         axis_title="Working days", hover="%{y:,.1f} days", words="days"),
)}
#: Units a catalogue metric may use (the engine's values are in these; "percent" is for
#: published figures that arrive in per cent).
METRIC_UNITS: tuple[str, ...] = ("rate", "count", "caseload", "score", "fte", "money_per_hour")


def get(unit: str) -> Unit:
    """The unit's entry; a named error lists the known units."""
    try:
        return UNITS[unit]
    except KeyError:
        raise MetricError(f"Unknown unit {unit!r}: units are {', '.join(UNITS)}") from None


def round_half_up(v: float, places: int) -> float:
    """Round half away from zero (as people expect 0.25 -> 0.3), and never show -0.0."""
    q = 10**places
    out = math.floor(abs(v) * q + 0.5 + 1e-9) / q
    out = math.copysign(out, v)
    return 0.0 if out == 0 else out


def format_number(value: Any, unit: str, *, short: bool = False) -> str:
    """The one formatter of a figure by its unit (pages, packs and sentences all use it).

    "rate" (fraction -> 23.4%), "percent" (already in percent, as DfE publishes), "caseload",
    "count", "score", "fte"; an unknown unit gets one decimal. "c" stays "c", "x" stays "x"; missing
    -> "no data".
    `short` drops the unit words (for cards and tables).
    """
    if is_hidden(value):
        return SUPPRESSED
    if is_not_available(value):
        return NOT_AVAILABLE
    v = as_float(value)
    if v is None:
        return NO_DATA
    u = UNITS.get(unit)
    if u is None:
        return f"{round_half_up(v, 1):,.1f}"
    if u.id == "count":
        return f"{int(round_half_up(v, 0)):,}"
    return u.number(v) + ("" if short else u.suffix)


def format_target(value: Any, unit: str, *, short: bool = False) -> str:
    """A target as it was set: a whole number without decimals ('20%', '18 cases per FTE', not
    '20.0%'), anything else as `format_number` writes a figure ('11.8%'). Every page, sentence,
    pack and chart label writes targets through this."""
    v = as_float(value)
    u = UNITS.get(unit)
    if isinstance(value, str) or v is None or u is None:
        return format_number(value, unit, short=short)
    scaled = v * u.percent_scale
    if abs(scaled - round(scaled)) > 1e-9:
        return format_number(v, unit, short=short)
    return u.number(v, places=0) + ("" if short else u.suffix)


def _change(change: Any, unit: str) -> tuple[float, Unit, float] | None:
    """A change, its unit and its size as shown (rounded, a rate in points); None when missing."""
    c = as_float(change)
    if c is None:
        return None
    u = get(unit)
    return c, u, round_half_up(abs(c) * u.percent_scale, u.places)


def format_change(change: Any, unit: str, *, signed: bool = False) -> str:
    """A change on an earlier figure, in words for a sentence: '15.6 points lower' / '0.9 cases per
    FTE higher' / '3 more' / 'the same' ('' when missing).

    `signed`: for a table cell, with its sign and unit: '+1.2 points' (a rate's change is in
    percentage points), '−0.4 cases per FTE', '+3 people', '—' when missing, 'c' kept. A true
    minus sign (−), and 'No change' rather than '+0.0'."""
    if signed and isinstance(change, str):
        return change if is_hidden(change) else "—"
    found = _change(change, unit)
    if found is None:
        return "—" if signed else ""
    c, u, size = found
    if size == 0:
        return "No change" if signed else "the same"
    number = f"{size:,.{u.places}f}" if u.thousands else f"{size:.{u.places}f}"
    if not signed:
        if not u.change_words:
            return f"{int(size):,} {'more' if c > 0 else 'fewer'}"
        return f"{number}{u.change_words} {'higher' if c > 0 else 'lower'}"
    words = u.change_words or u.suffix
    if u.id == "count":
        words = " person" if size == 1 else " people"
    return f"{'+' if c > 0 else chr(0x2212)}{u.prefix}{number}{words}"

