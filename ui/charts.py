"""One Plotly style and the chart builders every page uses (DataFrame in, Figure out).

Why: a councillor should read every chart the same way. The palette is Okabe-Ito (safe for the
common colour-vision deficiencies) and colour is never the only cue: each series also has its
own marker and dash pattern and is named in the legend; targets are labelled lines; hover shows
exact values with units; empty data gives a "no data" figure instead of an empty or zero chart.
Rates arrive as fractions 0..1 and are shown on a percent axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from metrics.units import UNITS, format_number

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]
MARKERS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down"]
DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

SERIES_COLOUR = OKABE_ITO["blue"]
COMPARISON_COLOUR = OKABE_ITO["orange"]
TARGET_COLOUR = OKABE_ITO["vermillion"]
PROJECTION_COLOUR = OKABE_ITO["green"]
CENSUS_COLOUR = OKABE_ITO["purple"]
FONT = "Source Sans Pro, Arial, Helvetica, sans-serif"
TEMPLATE_NAME = "workforce"

#: Axis title of each unit (metrics.units is the one definition).
UNIT_AXIS = {u.id: u.axis_title for u in UNITS.values()}

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=14, color="#1f2933"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        hovermode="closest",
        hoverlabel=dict(font=dict(family=FONT, size=14), bgcolor="white"),
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0),
        margin=dict(l=60, r=30, t=50, b=60),
        xaxis=dict(showgrid=False, linecolor="#6b7280", ticks="outside", automargin=True),
        yaxis=dict(gridcolor="#e5e7eb", zerolinecolor="#9ca3af", automargin=True, rangemode="tozero"),
    )
)


class ChartError(ValueError):
    """A builder was given a frame without the columns it was told to draw."""


# --- formatting --------------------------------------------------------------------------------


def format_value(value: object, unit: str) -> str:
    """Plain-English value with its unit: 0.234 'rate' -> '23.4%' (metrics.narrative formats it)."""
    if isinstance(value, str) and value != "c":
        return value
    return format_number(value, unit)


def _hover_number(unit: str) -> str:
    u = UNITS.get(unit)
    return u.hover if u is not None else "%{y:,.1f}"


def _axis_format(fig: go.Figure, unit: str, axis: str = "y", title: str | None = None,
                 max_value: float | None = None) -> None:
    spec: dict = {"title": {"text": title or UNIT_AXIS.get(unit, "")}}
    u = UNITS.get(unit)
    if u is not None and u.tickformat:
        spec["tickformat"] = u.tickformat
    if u is not None and u.ticksuffix:
        spec["ticksuffix"] = u.ticksuffix
    if u is not None and u.prefix:
        spec["tickprefix"] = u.prefix
    if unit == "count":
        spec["rangemode"] = "tozero"
        if max_value is not None and max_value < 10:
            spec["dtick"] = 1
    if axis == "y":
        fig.update_yaxes(**spec)
    else:
        fig.update_xaxes(**spec)


def _base(title: str | None = None, height: int = 380) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME, height=height)
    if title:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left", font=dict(size=16)))
    return fig


def _require(frame: pd.DataFrame, *cols: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ChartError(f"Chart data lacks column(s) {missing}; it has {list(frame.columns)}")


def _numeric(series: pd.Series) -> pd.Series:
    """Numbers stay numbers; suppressed cells ('c') and blanks become NaN (not drawn)."""
    return pd.to_numeric(series, errors="coerce").astype(float)


def _as_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return pd.Timestamp(value).to_pydatetime()


def no_data(message: str = "No data for this selection yet.", *, height: int = 240) -> go.Figure:
    """A figure that says there is nothing to show (never an empty axis that looks like zero)."""
    fig = _base(height=height)
    fig.add_annotation(
        text=message, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
        font=dict(size=16, color="#4b5563"),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(meta={"no_data": True})
    return fig


def is_no_data(fig: go.Figure) -> bool:
    meta = fig.layout.meta
    return isinstance(meta, dict) and bool(meta.get("no_data"))


# --- builders ----------------------------------------------------------------------------------


def trend_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    name: str,
    unit: str,
    target: float | None = None,
    target_label: str | None = None,
    target_date: date | None = None,
    comparison: pd.DataFrame | None = None,
    comparison_name: str = "England",
    projection: pd.DataFrame | None = None,
    projection_name: str = "Projection if the trend continues",
    census: pd.DataFrame | None = None,
    census_name: str = "Census return, 30 September",
    title: str | None = None,
    no_data_message: str = "No data for this measure yet.",
) -> go.Figure:
    """A monthly trend: our line, the target (labelled), the target date, England, a projection.

    `comparison` and `projection` use the same column names `x` and `y`; a projection may also
    carry `low` and `high` columns, drawn as a shaded likely range.
    """
    _require(frame, x, y)
    values = _numeric(frame[y])
    if frame.empty or values.notna().sum() == 0:
        if len(frame) and (frame[y] == "c").any():
            return no_data("Not shown: each month's figure rests on fewer than 5 people (c).")
        return no_data(no_data_message)
    fig = _base(title)
    partial = (
        frame["partial"].fillna(False).astype(bool).to_numpy()
        if "partial" in frame.columns else np.zeros(len(frame), dtype=bool)
    )
    partial = partial & values.notna().to_numpy()
    if partial.any():
        # rolling figures before 12 months are loaded: drawn apart, hollow, and named as such
        fig.add_trace(
            go.Scatter(
                x=frame[x][partial], y=values[partial], name=f"{name}: partial (under 12 months loaded)",
                mode="lines+markers", line=dict(color="#6b7280", width=1.5, dash="dot"),
                marker=dict(symbol="circle-open", size=7),
                hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)} (partial)<extra>{name}</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=frame[x][~partial], y=values[~partial], name=name, mode="lines+markers",
            line=dict(color=SERIES_COLOUR, width=3, dash="solid"),
            marker=dict(symbol="circle", size=7),
            hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)}<extra>{name}</extra>",
        )
    )
    if comparison is not None and not comparison.empty:
        _require(comparison, x, y)
        # published years long before our first month would squeeze our own line
        start = pd.Timestamp(frame[x].min()) - pd.DateOffset(months=12)
        comparison = comparison[pd.to_datetime(comparison[x]) >= start]
        fig.add_trace(
            go.Scatter(
                x=comparison[x], y=_numeric(comparison[y]), name=comparison_name,
                mode="lines+markers",
                line=dict(color=COMPARISON_COLOUR, width=2, dash="dash"),
                marker=dict(symbol="square", size=8),
                hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)}<extra>{comparison_name}</extra>",
            )
        )
    if census is not None and not census.empty:
        _require(census, x, y)
        # annual points from imported census returns: markers only, never joined to the months
        fig.add_trace(
            go.Scatter(
                x=census[x], y=_numeric(census[y]), name=census_name, mode="markers",
                marker=dict(symbol="diamond", size=11, color=CENSUS_COLOUR,
                            line=dict(color="#ffffff", width=1)),
                text=census["source"] if "source" in census.columns else None,
                hovertemplate=f"%{{x|%-d %B %Y}}: {_hover_number(unit)}"
                              + (" (%{text})" if "source" in census.columns else "")
                              + f"<extra>{census_name}</extra>",
            )
        )
    if projection is not None and not projection.empty:
        _require(projection, x, y)
        if {"low", "high"} <= set(projection.columns):
            fig.add_trace(
                go.Scatter(
                    x=list(projection[x]) + list(projection[x])[::-1],
                    y=list(_numeric(projection["high"])) + list(_numeric(projection["low"]))[::-1],
                    fill="toself", fillcolor="rgba(0,158,115,0.15)", line=dict(width=0),
                    name="Likely range of the projection", hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=projection[x], y=_numeric(projection[y]), name=projection_name,
                mode="lines", line=dict(color=PROJECTION_COLOUR, width=2, dash="dot"),
                hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)}<extra>Projection</extra>",
            )
        )
    if target is not None and not (isinstance(target, float) and np.isnan(target)):
        label = target_label or f"Target {format_value(target, unit)}"
        fig.add_trace(
            go.Scatter(
                x=[frame[x].min(), _target_x_end(frame, x, target_date, projection)],
                y=[target, target], name=label, mode="lines",
                line=dict(color=TARGET_COLOUR, width=2, dash="dashdot"),
                hovertemplate=f"{label}<extra></extra>",
            )
        )
    if target_date is not None:
        when = _as_datetime(target_date)
        fig.add_shape(
            type="line", x0=when, x1=when, xref="x", y0=0, y1=1, yref="paper",
            line=dict(color=TARGET_COLOUR, width=1.5, dash="dot"),
        )
        fig.add_annotation(
            x=when, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
            text=f"Target date {when:%-d %B %Y}", font=dict(size=12, color=TARGET_COLOUR),
        )
    _axis_format(fig, unit, max_value=float(values.max()))
    fig.update_xaxes(title_text=None, tickformat="%b %Y")
    if unit in ("rate", "percent") and projection is not None and {"low", "high"} <= set(projection.columns):
        _fit_percent_axis(fig, unit, [values, comparison[y] if comparison is not None and not comparison.empty
                                      else None, projection[y], projection["low"], projection["high"],
                                      None if target is None else pd.Series([target])])
    return fig


def _fit_percent_axis(fig: go.Figure, unit: str, series: list) -> None:
    """Tighten a percent axis to the data when a projection interval is drawn.

    Why: a share near 80% with an interval a few points wide is a flat band on a 0-100% axis.
    Count axes keep their zero; this one is padded around the lowest and highest of the line,
    the comparison, the interval and the target, and kept within 0-100%.
    """
    nums = pd.concat([_numeric(pd.Series(list(s))) for s in series if s is not None and len(s)], ignore_index=True)
    nums = nums.dropna()
    if nums.empty:
        return
    top = 1.0 if unit == "rate" else 100.0
    lo, hi = float(nums.min()), float(nums.max())
    pad = max((hi - lo) * 0.15, top * 0.02)
    lo = max(0.0, lo - pad)
    hi = hi + pad if hi > top else min(top, hi + pad)
    fig.update_yaxes(range=[lo, hi], autorange=False, rangemode="normal")


def _target_x_end(frame, x, target_date, projection):
    ends = [frame[x].max()]
    if target_date is not None:
        ends.append(_as_datetime(target_date))
    if projection is not None and not projection.empty:
        ends.append(projection[x].max())
    return max(pd.Timestamp(e) for e in ends)


def bar_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    unit: str,
    series: str | None = None,
    horizontal: bool = True,
    target: float | None = None,
    target_label: str | None = None,
    title: str | None = None,
    axis_title: str | None = None,
    no_data_message: str = "No data for this selection.",
) -> go.Figure:
    """Bars by category (optionally grouped by `series`), each labelled with its exact value.

    Suppressed cells ('c') get no bar but keep their label 'c', so a gap never looks like zero.
    """
    _require(frame, category, value, *( [series] if series else [] ))
    nums = _numeric(frame[value])
    if frame.empty or (nums.notna().sum() == 0 and not (frame[value] == "c").any()):
        return no_data(no_data_message)
    if (frame[value] == "c").any() and nums.fillna(0).eq(0).all():
        return no_data("Not shown: the groups with anyone in them have fewer than 5 people (c).")
    fig = _base(title, height=max(300, 34 * frame[category].nunique() + 140) if horizontal else 380)
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    for i, (gname, part) in enumerate(groups):
        vals = _numeric(part[value])
        text = [
            "c" if isinstance(raw, str) and raw == "c" else format_value(v, unit).replace(" cases per FTE", "")
            for raw, v in zip(part[value], vals)
        ]
        colour = PALETTE[i % len(PALETTE)]
        label = str(gname) if gname is not None else (axis_title or UNIT_AXIS.get(unit, value))
        kw = dict(
            name=label, text=text, textposition="outside", cliponaxis=False,
            marker=dict(color=colour, pattern=dict(shape=["", "/", ".", "x", "-", "\\"][i % 6])),
            hovertemplate=(
                f"%{{{'y' if horizontal else 'x'}}}: %{{text}}<extra>{label}</extra>"
            ),
        )
        if horizontal:
            fig.add_trace(go.Bar(y=part[category].astype(str), x=vals.fillna(0), orientation="h", **kw))
        else:
            fig.add_trace(go.Bar(x=part[category].astype(str), y=vals.fillna(0), **kw))
    fig.update_layout(barmode="group", showlegend=series is not None,
                      legend=dict(yanchor="bottom", y=1.02))  # above: the axis title is below
    if target is not None:
        label = target_label or f"Target {format_value(target, unit)}"
        if horizontal:
            fig.add_vline(x=target, line=dict(color=TARGET_COLOUR, dash="dashdot", width=2))
            fig.add_annotation(x=target, y=1, yref="paper", yanchor="bottom", text=label,
                               showarrow=False, font=dict(color=TARGET_COLOUR, size=12))
        else:
            fig.add_hline(y=target, line=dict(color=TARGET_COLOUR, dash="dashdot", width=2))
            fig.add_annotation(y=target, x=1, xref="paper", xanchor="right", yanchor="bottom",
                               text=label, showarrow=False, font=dict(color=TARGET_COLOUR, size=12))
    _axis_format(fig, unit, axis="x" if horizontal else "y", title=axis_title,
                 max_value=float(nums.max()) if nums.notna().any() else None)
    if horizontal:
        fig.update_yaxes(autorange="reversed", title_text=None)
        fig.update_xaxes(rangemode="tozero")
    else:
        fig.update_xaxes(title_text=None)
    return fig


def histogram_with_threshold(
    frame: pd.DataFrame,
    *,
    x: str,
    threshold: float,
    x_title: str = "Cases per FTE",
    threshold_label: str | None = None,
    bin_size: float = 2.0,
    title: str | None = None,
    no_data_message: str = "No case holders in this selection.",
) -> go.Figure:
    """How many people sit at each level, with the threshold drawn and the share above it named."""
    _require(frame, x)
    vals = _numeric(frame[x]).dropna()
    if vals.empty:
        return no_data(no_data_message)
    over = int((vals > threshold).sum())
    fig = _base(title)
    fig.add_trace(
        go.Histogram(
            x=vals, name="Case holders", xbins=dict(start=0, size=bin_size),
            marker=dict(color=SERIES_COLOUR, line=dict(color="white", width=1)),
            hovertemplate=f"{x_title} %{{x}}: %{{y}} people<extra></extra>",
        )
    )
    label = threshold_label or f"Threshold {threshold:g}: {over} of {len(vals)} above"
    fig.add_vline(x=threshold, line=dict(color=TARGET_COLOUR, width=2, dash="dashdot"))
    fig.add_annotation(x=threshold, y=1, yref="paper", yanchor="bottom", xanchor="left",
                       text=label, showarrow=False, font=dict(color=TARGET_COLOUR, size=12))
    fig.update_xaxes(title_text=x_title, rangemode="tozero")
    fig.update_yaxes(title_text="People", tickformat=",d")
    fig.update_layout(showlegend=False, bargap=0.05)
    return fig


def sparkline(frame: pd.DataFrame, *, x: str, y: str, unit: str, height: int = 60) -> go.Figure:
    """A tiny trend with no axes, for cards; hover still gives the exact value."""
    _require(frame, x, y)
    values = _numeric(frame[y])
    if frame.empty or values.notna().sum() == 0:
        return no_data("No data", height=height)
    fig = go.Figure(
        go.Scatter(x=frame[x], y=values, mode="lines", line=dict(color=SERIES_COLOUR, width=2),
                   hovertemplate=f"%{{x|%b %Y}}: {_hover_number(unit)}<extra></extra>")
    )
    fig.update_layout(template=TEMPLATE_NAME, height=height, margin=dict(l=0, r=0, t=0, b=0),
                      showlegend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, rangemode="normal")
    return fig


def stacked_share_chart(
    frame: pd.DataFrame,
    *,
    category: str,
    part: str,
    share: str,
    title: str | None = None,
    reference: pd.DataFrame | None = None,
    reference_name: str = "County population",
    no_data_message: str = "No data for this selection.",
) -> go.Figure:
    """Side-by-side shares (e.g. staff ethnicity beside the county population), one bar per group."""
    _require(frame, category, part, share)
    if frame.empty or _numeric(frame[share]).notna().sum() == 0 and not (frame[share] == "c").any():
        return no_data(no_data_message)
    data = frame[[category, part, share]].copy()
    if reference is not None and not reference.empty:
        ref = reference[[part, share]].copy()
        ref[category] = reference_name
        data = pd.concat([data, ref[[category, part, share]]], ignore_index=True)
    return bar_chart(data, category=part, value=share, unit="percent", series=category,
                     horizontal=True, title=title, axis_title="Share of people (%)")


def order_categories(frame: pd.DataFrame, column: str, order: Sequence[str]) -> pd.DataFrame:
    """Sort rows by a known category order (e.g. age bands), unknown values last."""
    rank = {v: i for i, v in enumerate(order)}
    return frame.sort_values(column, key=lambda s: s.map(lambda v: rank.get(v, len(rank))))


# --- benchmarks (DfE published figures at 30 September) -------------------------------------

#: The comparison lines on a benchmark chart: column of metrics.benchmarks.comparison, legend label.
BENCHMARK_SERIES: tuple[tuple[str, str], ...] = (
    ("la_value", "{la}"),
    ("region_value", "{region}"),
    ("england_value", "England"),
    ("sn_median", "Statistical neighbours (median)"),
)


def benchmark_figure(frame: pd.DataFrame, *, indicator: str, unit: str, la_name: str,
                     region_name: str | None, ours: pd.DataFrame | None = None) -> go.Figure:
    """Years across, one line per comparison (own colour, marker and dash: never colour alone),
    and our own 30 September figures from the monthly extracts as large stars."""
    part = frame[frame["indicator"] == indicator].sort_values("year")
    value_cols = [c for c, _ in BENCHMARK_SERIES]
    if part.empty or part[value_cols].apply(pd.to_numeric, errors="coerce").notna().sum().sum() == 0:
        return no_data("No published figures for this indicator.")
    hover = "%{y:.1f}%" if unit == "percent" else "%{y:.1f}"
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME, height=360)
    for i, (col, name) in enumerate(BENCHMARK_SERIES):
        label = name.format(la=la_name, region=region_name or "Region")
        fig.add_trace(go.Scatter(
            x=part["year"], y=pd.to_numeric(part[col], errors="coerce"), name=label,
            mode="lines+markers", connectgaps=False,
            line=dict(color=PALETTE[i], width=3 if i == 0 else 2, dash=DASHES[i]),
            marker=dict(symbol=MARKERS[i], size=8),
            hovertemplate=f"30 Sep %{{x}}: {hover}<extra>{label}</extra>",
        ))
    mine = our_points(ours, indicator)
    if not mine.empty:
        fig.add_trace(go.Scatter(
            x=mine["year"], y=mine["published_value"], name="Our own figure at 30 September",
            mode="markers", marker=dict(symbol="star", size=16, color=PALETTE[4],
                                        line=dict(color="black", width=1)),
            hovertemplate=f"Our extract, 30 Sep %{{x}}: {hover}<extra></extra>",
        ))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                      margin=dict(t=20, b=110))
    fig.update_xaxes(title_text=None, dtick=1, tickformat="d")
    fig.update_yaxes(title_text="Per cent" if unit == "percent" else unit[:1].upper() + unit[1:],
                     ticksuffix="%" if unit == "percent" else "")
    return fig


def our_points(ours: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Our own 30 September figures for one DfE indicator (year, published_value), by year."""
    if ours is None or ours.empty:
        return pd.DataFrame(columns=["year", "published_value"])
    mine = ours[ours["indicator"] == indicator].copy()
    mine["published_value"] = pd.to_numeric(mine["published_value"], errors="coerce")
    return mine.dropna(subset=["published_value"]).sort_values("year")
