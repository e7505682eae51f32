"""KPI cards: the value, its target, the status in colour AND words, the change on a year ago.

Why a pure `card_model` beside the drawing: the wording (which a councillor reads) is tested
without Streamlit, and the card never relies on colour alone.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from types import SimpleNamespace

import streamlit as st

from disclosure import SUPPRESSED, is_hidden, rules
from metrics.narrative import base_words
from metrics.targets import STATUS_WORDS
from metrics.units import NOT_AVAILABLE, UNITS, format_target, is_not_available
from ui.charts import NOT_AVAILABLE_WHY, SPARK_HEIGHT, format_value, spark_svg

STATUS_BADGE = {  # st.badge colour and icon: the shape differs as well as the colour
    "green": ("green", ":material/check_circle:"),
    "amber": ("orange", ":material/error:"),
    "red": ("red", ":material/cancel:"),
    "grey": ("gray", ":material/remove:"),
}


#: One colour for every card's line and change arrow, so the only red/amber/green on a card is
#: the status badge (target status); whether the change is better or worse is said in words.
TREND_COLOUR = "blue"
#: Decimal places each unit is normally shown with (rates as percentages).
PLACES = {u: UNITS[u].places for u in ("rate", "percent", "caseload", "score")}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fixed(value: float, unit: str, places: int) -> str:
    """`value` in `unit` with `places` decimals, halves away from zero (as format_number does)."""
    u = UNITS[unit]
    shown = value * u.percent_scale
    text = str(Decimal(repr(shown)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return f"{text}%" if u.percent_sign else text


def value_and_target_texts(value: object, target: object, unit: str) -> tuple[str, str]:
    """The value and target as shown on a card. When they would read the same but differ (15.24
    against 'at most 15.2' looks on target yet is not), both get one more decimal (two at most),
    so the status beside them can be explained from the figures."""
    value_text, target_text = format_value(value, unit), format_value(target, unit)
    if (unit not in PLACES or isinstance(value, str) or _missing(value) or _missing(target)
            or value_text != target_text or float(value) == float(target)):
        return value_text, (target_text if _missing(target) or isinstance(target, str) else format_target(target, unit))
    base = PLACES[unit]
    for places in (base + 1, base + 2):
        v, t = _fixed(float(value), unit, places), _fixed(float(target), unit, places)
        if v != t:
            break
    else:
        return value_text, target_text
    suffix = UNITS[unit].suffix
    return v + suffix, t + suffix


def format_change(change: object, *, unit: str, direction: str | None) -> tuple[str | None, str]:
    """(short delta for st.metric, sentence with direction words) for a change on a year ago."""
    if is_not_available(change):
        return None, "Change on a year ago not available (x)."
    if isinstance(change, str):
        return None, "Change on a year ago suppressed (small numbers)."
    if _missing(change):
        return None, "No figure for a year ago to compare with."
    c = float(change)
    if unit == "rate":
        size, unit_words = abs(c) * 100, "percentage points"
        short = f"{c * 100:+.1f} pts"
    elif unit == "count":
        size, unit_words = abs(c), "people" if abs(c) != 1 else "person"
        short = f"{c:+,.0f}"
    elif unit == "score":
        size, unit_words = abs(c), "points"
        short = f"{c:+.0f}"
    else:
        size, unit_words = abs(c), "cases per FTE"
        short = f"{c:+.1f}"
    shown = f"{size:,.1f}" if unit != "count" else f"{size:,.0f}"
    if round(size, 1) == 0:
        return short, "Unchanged on a year ago."
    way = "Up" if c > 0 else "Down"
    verdict = ""
    if direction in ("lower", "higher"):
        better = (c < 0) == (direction == "lower")
        verdict = " (better)" if better else " (worse)"
    return short, f"{way} {shown} {unit_words} on a year ago{verdict}."


@dataclass(frozen=True)
class Card:
    label: str
    value_text: str
    target_text: str
    status: str
    status_words: str
    delta: str | None
    change_text: str
    delta_color: str
    spark: list[float] = field(default_factory=list)
    help: str | None = None
    note: str | None = None
    spark_unit: str = "count"            # the sparkline's unit (rates drawn as percentages)
    spark_target: float | None = None    # the target on the sparkline's scale
    direction: str | None = None         # which side of the target is met (the shaded band)


def card_model(
    *,
    label: str,
    value: object,
    unit: str,
    target: object = None,
    status: str | None = "grey",
    change_on_year: object = None,
    direction: str | None = None,
    spark: Sequence[object] = (),
    help: str | None = None,
    partial_months: int | None = None,
    target_date: object = None,
    base_count: object = None,
    travel: str | None = None,
    benchmark: str | None = None,
) -> Card:
    """Everything a card says, worked out without Streamlit."""
    status = status if status in STATUS_WORDS else "grey"
    if is_hidden(value):
        value_text = SUPPRESSED
        note = f"Hidden to protect individuals (c): the figure {rules().hidden_why()}."
        status = "grey"
    elif is_not_available(value):
        value_text = NOT_AVAILABLE
        note = f"Not available (x): {NOT_AVAILABLE_WHY}."
        status = "grey"
    else:
        value_text, _ = value_and_target_texts(value, target, unit)
        note = None
    if unit == "caseload":  # the unit goes in the label so the number fits the card
        value_text = value_text.replace(" cases per FTE", "")
        label = f"{label} (cases per FTE)"
    if _missing(target):
        target_text = "No target set"
        if status != "grey":
            status = "grey"
    else:
        comparator = {"lower": "at most ", "higher": "at least "}.get(direction or "", "")
        target_text = f"Target: {comparator}{value_and_target_texts(value, target, unit)[1]}"
        if target_date is not None and target_date == target_date:  # NaT != NaT
            target_text += f" by {target_date:%-d %B %Y}"
    if value_text == "no data":
        value_text = "No data yet"
        status = "grey"
        note = "No data for this measure in the loaded months yet."
    if partial_months is not None:  # no verdict (and no colour) on a part-year figure
        status = "grey"
    if value_text not in ("No data yet", SUPPRESSED, NOT_AVAILABLE) and (base := base_words(base_count)):
        note = (note + " " if note else "") + base
    if isinstance(benchmark, str) and benchmark and value_text not in ("No data yet", SUPPRESSED, NOT_AVAILABLE):
        note = (note + " " if note else "") + benchmark[:1].upper() + benchmark[1:] + "."
    delta, change_text = format_change(change_on_year, unit=unit, direction=direction)
    if change_text == "Unchanged on a year ago.":
        delta = "No change"  # an up arrow on "+0.0" would suggest a rise
    for verdict in ("better", "worse"):  # said in words: the arrow's colour no longer says it
        if delta is not None and change_text.endswith(f"({verdict})."):
            delta = f"{delta} ({verdict})"
    delta_color = TREND_COLOUR
    points = [float(v) for v in spark if not isinstance(v, str) and not _missing(v)]
    spark_target = None if _missing(target) or isinstance(target, str) else float(target)
    if unit == "rate":
        points = [round(p * 100, 2) for p in points]
        spark_target = None if spark_target is None else round(spark_target * 100, 2)
    words = STATUS_WORDS[status]
    if value_text == "No data yet":
        words = "No data yet"
    elif value_text == SUPPRESSED:
        words = "Suppressed"
    elif value_text == NOT_AVAILABLE:
        words = "Published for the year to 30 September"
    elif partial_months is not None:
        words = f"Not enough months loaded (covers {partial_months} of 12)"
    elif _missing(target) and isinstance(travel, str) and travel != "Not enough data":
        words = f"No target · {travel} over 12 months"
    return Card(label=label, value_text=value_text, target_text=target_text, status=status,
                status_words=words, delta=delta, change_text=change_text,
                delta_color=delta_color, spark=points, help=help, note=note,
                spark_unit="percent" if unit == "rate" else unit, spark_target=spark_target,
                direction=direction)


def render_card(card: Card) -> None:
    """Draw one card in a bordered box."""
    with st.container(border=True):
        # The label is written above the figure, where it wraps: st.metric's own label is cut
        # with an ellipsis on a narrow card ("Turnover rate (FTE, 12 mont..." on Strategy themes),
        # so it stays only for screen readers and tests.
        st.markdown(f"**{card.label}**", help=card.help)
        st.metric(
            card.label, card.value_text, delta=card.delta, delta_color=card.delta_color,
            label_visibility="collapsed", delta_description="on a year ago" if card.delta else None,
            delta_arrow="off" if card.delta == "No change" else "auto",
        )
        if len(card.spark) >= 2:
            st.html(spark_markup(card))
        colour, icon = STATUS_BADGE[card.status]
        st.badge(card.status_words, icon=icon, color=colour)
        st.caption(f"{card.target_text}. {card.change_text}" + (f" {card.note}" if card.note else ""))


def spark_markup(card: Card) -> str:
    """The card's last 12 months on a fixed scale from 0, with the target band (ui.charts.spark_svg),
    as an image as wide as the card whose alternative and tooltip say it in words (`spark_alt`).
    An image: Streamlit's HTML sanitiser keeps no SVG drawn in the page."""
    svg = spark_svg(card.spark, unit=card.spark_unit, target=card.spark_target,
                    direction=card.direction)
    alt = html.escape(spark_alt(card))
    return (f'<img class="cwd-spark" src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}" '
            f'alt="{alt}" title="{alt}" width="100%" height="{SPARK_HEIGHT}" style="display:block">')


def spark_alt(card: Card) -> str:
    """The sparkline in words: first and latest of the months drawn, and the target."""
    first, last = (format_value(v, card.spark_unit) for v in (card.spark[0], card.spark[-1]))
    target = ("" if card.spark_target is None else
              f"; target {format_target(card.spark_target, card.spark_unit)}")
    return f"{card.label}, last {len(card.spark)} months: from {first} to {last}{target}."


def kpi_card(**kwargs) -> Card:
    """Build (see `card_model`) and draw a card; returns the model (handy in tests)."""
    card = card_model(**kwargs)
    render_card(card)
    return card


#: the columns of a measure row (ui.data.headline / ui.data.themes) a card reads; the optional ones
#: are None where the frame lacks them
CARD_FIELDS = ("label", "value", "unit", "target", "status", "change_on_year", "direction", "spark",
               "description", "partial", "months_covered")
CARD_OPTIONAL = ("metric_id", "target_date", "base_count", "travel", "gap")


def card_rows(rows) -> Iterator[SimpleNamespace]:
    """Each row of `rows` as the fields a card reads (`CARD_FIELDS`, `CARD_OPTIONAL`), the values
    `rows.itertuples()` gives, reading only those columns: itertuples walked all 23 columns of a
    theme's frame and made a class for each frame (~8 ms for Strategy themes' 10 frames)."""
    names = (*CARD_FIELDS, *CARD_OPTIONAL)
    columns = [rows[c] if c in rows.columns or c in CARD_FIELDS else repeat(None) for c in names]
    for values in zip(*columns):
        yield SimpleNamespace(**dict(zip(names, values)))


def card_grid(rows, *, per_row: int = 3, link=None) -> None:
    """Draw one card per measure row (ui.data.headline / ui.data.themes frames), `per_row` a line;
    `link(metric_id)`, when given, draws under each card a link to where the measure is broken down."""
    columns = st.columns(per_row)
    for i, row in enumerate(card_rows(rows)):
        with columns[i % per_row]:
            kpi_card(
                label=row.label, value=row.value, unit=row.unit, target=row.target,
                status=row.status, change_on_year=row.change_on_year, direction=row.direction,
                spark=row.spark, help=row.description,
                partial_months=int(row.months_covered) if row.partial and row.months_covered == row.months_covered
                else None,
                target_date=row.target_date,
                base_count=row.base_count,
                travel=row.travel,
                benchmark=row.gap,
            )
            if link is not None:
                link(row.metric_id)
