"""One Plotly style and the chart builders every page uses (DataFrame in, Figure out).

Why: a councillor should read every chart the same way. The palette is Okabe-Ito (safe for the
common colour-vision deficiencies) and colour is never the only cue: each series also has its
own marker and dash pattern and is named in the legend; targets are labelled lines; hover shows
exact values with units; empty data gives a "no data" figure instead of an empty or zero chart.
Rates arrive as fractions 0..1 and are shown on a percent axis.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

from disclosure import SUPPRESSED, Disclosed, is_hidden, rules
from metrics.units import UNITS, format_number, format_target, is_not_available

#: why a figure reads "x" (disclosure.policy.YEAR_TO_SEPTEMBER), in words after "Not available (x): "
NOT_AVAILABLE_WHY = ("published to this role only for the 12 months to 30 September (DfE's census year), "
                     "once all 12 of those months are loaded")

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

#: One look per kind of line, on every chart: a colour AND a dash pattern AND a marker, so no
#: two kinds are told apart by colour alone (England and the target were both orange once).
STYLES: dict[str, dict] = {
    "ours": dict(color=OKABE_ITO["blue"], dash="solid", symbol="circle", width=3),
    "england": dict(color=OKABE_ITO["orange"], dash="dash", symbol="square", width=2),
    "neighbours": dict(color=OKABE_ITO["purple"], dash="dot", symbol="triangle-up", width=2),
    "region": dict(color=OKABE_ITO["sky"], dash="longdashdot", symbol="diamond", width=2),
    "target": dict(color=OKABE_ITO["black"], dash="dashdot", symbol="line-ew", width=2),
    "projection": dict(color=OKABE_ITO["green"], dash="longdash", symbol="circle", width=2),
    "census": dict(color=OKABE_ITO["vermillion"], dash="solid", symbol="diamond", width=0),
}
SERIES_COLOUR = STYLES["ours"]["color"]
COMPARISON_COLOUR = STYLES["england"]["color"]
NEIGHBOURS_COLOUR = STYLES["neighbours"]["color"]
TARGET_COLOUR = STYLES["target"]["color"]
PROJECTION_COLOUR = STYLES["projection"]["color"]
CENSUS_COLOUR = STYLES["census"]["color"]
#: shading of months with no figure on a trend (hidden by disclosure, or never loaded)
GAP_FILL = "rgba(107,114,128,0.14)"
GAP_WORDS = {"hidden": "Hidden to protect individuals", "not_loaded": "Not loaded",
             "missing": "No figure", "too_early": "Not enough months loaded",
             "not_applicable": "Not applicable",
             "not_available": "x: published for the year to 30 September"}
#: a chart title longer than this many characters wraps (a phone is 390 px wide)
TITLE_WRAP = 40
#: a chart's note where it has nothing to draw (`no_data`, 16 px, centred on the plot) wraps at this
#: width: a Plotly annotation never wraps, so on a phone (390 px) a longer line ran off both edges
NOTE_WRAP = 34
#: legend entries and bar category names wrap at these widths (characters)
LEGEND_WRAP = 40
CATEGORY_WRAP = 22
#: a legend above the plot, for charts with an x-axis title (a legend below would sit on it)
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02, x=0, xanchor="left")
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
    if isinstance(value, str) and not is_hidden(value):
        return value
    return format_number(value, unit)


def safe_text(text: object) -> str:
    """Text from data (team, service, group names) made inert for Plotly, which renders a
    little HTML (<b>, <a href>, <br>) in labels, legends and hover: '<' and '&' are shown as
    typed, and '%{' cannot open a hover-template field."""
    return html.escape(str(text), quote=False).replace("%{", "%&#123;")


def label_text(text: object, width: int | None = None) -> str:
    """A label from data for a legend or an axis: broken over lines of at most `width`
    characters (Plotly never wraps, so a phone cuts it), each line escaped (`safe_text`)."""
    raw = str(text)
    if width is None or len(raw) <= width:
        return safe_text(raw)
    return "<br>".join(safe_text(line) for line in textwrap.wrap(raw, width=width))


def wrap_title(text: str, width: int = TITLE_WRAP) -> str:
    """A long chart title broken over lines (Plotly never wraps, and a phone clips it)."""
    return "<br>".join(textwrap.wrap(text, width=width)) if len(text) > width else text


def _style_line(kind: str, **extra) -> dict:
    st = STYLES[kind]
    return dict(color=st["color"], dash=st["dash"], width=st["width"], **extra)


def _hover_number(unit: str) -> str:
    u = UNITS.get(unit)
    return u.hover if u is not None else "%{y:,.1f}"


def _merge(into: dict, props: dict) -> dict:
    """Deep-merge `props` into `into` (what Plotly's update_* do to nested settings)."""
    for k, v in props.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v
    return into


class _Spec:
    """A figure kept as plain dicts while it is built, made a `go.Figure` once (`figure`).

    Why: Plotly validates every property on each add_*/update_* call and deep-copies the layout on
    update_layout, which made a card's sparkline cost ~12 ms and a drill bar chart ~40 ms to
    build (a third of some pages' first render); one construction validates the same figure once
    (2-4 ms). The figure is the same: builders still return a validated go.Figure.
    """

    def __init__(self, *, height: int, title: str | None = None) -> None:
        self.data: list[dict] = []
        self.layout: dict = {"template": TEMPLATE_NAME, "height": height}
        if title:
            text = wrap_title(title)
            lines = text.count("<br>")
            self.set(title=dict(text=text, x=0, xanchor="left", font=dict(size=16)),
                     margin=dict(t=50 + 20 * lines), height=height + 20 * lines)

    def trace(self, kind: str, **props) -> None:
        self.data.append({"type": kind, **props})

    def set(self, **props) -> None:
        _merge(self.layout, props)

    def axis(self, axis: str, **props) -> None:
        _merge(self.layout.setdefault(f"{axis}axis", {}), props)

    def shape(self, **props) -> None:
        self.layout.setdefault("shapes", []).append(props)

    def note(self, **props) -> None:
        self.layout.setdefault("annotations", []).append(props)

    def hline(self, y: float, **props) -> None:
        """A line across the plot at `y` (Plotly's add_hline)."""
        self.shape(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", **props)

    def vline(self, x: object, **props) -> None:
        """A line up the plot at `x` (Plotly's add_vline)."""
        self.shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain", **props)

    def figure(self) -> go.Figure:
        # Built unchecked (`_validate=False`): Plotly's check of every property and its copy of
        # the template were two thirds of a chart's construction (a card's sparkline 1.5 -> 0.5 ms;
        # Strategy themes draws 27). Each column is handed over as the array Plotly's own check
        # makes of it, so the figure is the one a checked construction gives (the same JSON:
        # tests/unit/test_ui_charts.py checks every builder against Plotly's checked construction).
        data = [{k: _array(v) for k, v in _unset_none(trace).items()} for trace in self.data]
        layout = _unset_none(self.layout)
        if layout.get("template") == TEMPLATE_NAME:
            layout["template"] = _TEMPLATE
        return go.Figure(data=data, layout=layout, _validate=False)


#: the template as the plain dict a checked figure carries (made once)
_TEMPLATE = pio.templates[TEMPLATE_NAME].to_plotly_json()


def _unset_none(props: dict) -> dict:
    """`props` without the properties set to None, in every dict within (lists of shapes and
    notes too), and without the dicts left empty: what a checked figure holds (it leaves a
    property set to None unset, so `title=dict(text=None)` is no title). Values inside a data
    array stay as they are."""
    out = {}
    for k, v in props.items():
        if isinstance(v, dict):
            v = _unset_none(v) or None
        elif isinstance(v, list):
            v = [_unset_none(i) if isinstance(i, dict) else i for i in v]
        if v is not None:
            out[k] = v
    return out


def _array(value: object) -> object:
    """A pandas column or NumPy array as the read-only array Plotly's check makes of it (a plain
    NumPy dtype's column directly: narwhals' `to_numpy`, with no time zone to drop); anything
    else as it is."""
    if isinstance(value, pd.Series) and isinstance(value.dtype, np.dtype):
        value = value.to_numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "uifM":
        # what copy_to_readonly_numpy_array makes of a numeric or datetime array, without its
        # narwhals pass (~0.4 ms an array): a contiguous read-only copy
        out = np.ascontiguousarray(value.copy())
        out.flags.writeable = False
        return out
    if isinstance(value, (pd.Series, pd.Index, np.ndarray)):
        return copy_to_readonly_numpy_array(value)
    return value


def _axis_format(fig: _Spec, unit: str, axis: str = "y", title: str | None = None,
                 max_value: float | None = None) -> None:
    spec: dict = {"title": {"text": label_text(title, 30) if title else UNIT_AXIS.get(unit, "")}}
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
    fig.axis(axis, **spec)


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
    fig = _Spec(height=height)
    fig.note(text=wrap_title(message, NOTE_WRAP), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
             font=dict(size=16, color="#4b5563"))
    fig.axis("x", visible=False)
    fig.axis("y", visible=False)
    fig.set(meta={"no_data": True})
    return fig.figure()


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
    neighbours: pd.DataFrame | None = None,
    neighbours_name: str = "Statistical-neighbour median (30 September)",
    projection: pd.DataFrame | None = None,
    projection_name: str = "Projection if the trend continues",
    census: pd.DataFrame | None = None,
    census_name: str = "Census return, 30 September",
    title: str | None = None,
    no_data_message: str = "No data for this measure yet.",
) -> go.Figure:
    """A monthly trend: our line, the target, the target date, England, the statistical-neighbour
    median, a projection, and a shaded, labelled band over any month with no figure.

    `comparison`, `neighbours` and `projection` use the same column names `x` and `y`; a
    projection may also carry `low` and `high` columns, drawn as a shaded likely range. Each kind
    of line has its own colour, dash and marker (STYLES). The target and the target date are named
    in the legend, not written over the plot, so no label sits on a line or a point. A month
    hidden by disclosure ("c") or never loaded is a grey band saying so, never an unexplained hole.
    """
    _require(frame, x, y)
    values = _numeric(frame[y])
    if frame.empty or values.notna().sum() == 0:
        if len(frame) and frame[y].map(is_hidden).any():
            return no_data(f"Not shown (c): each month's figure {rules().hidden_why()}.")
        if len(frame) and frame[y].map(is_not_available).any():
            return no_data(f"Not available (x): {NOT_AVAILABLE_WHY}.")
        return no_data(no_data_message)
    fig = _Spec(height=380, title=title)
    frame, gaps = _with_gaps(frame, x, y)
    values = _numeric(frame[y])
    partial = (
        frame["partial"].fillna(False).astype(bool).to_numpy()
        if "partial" in frame.columns else np.zeros(len(frame), dtype=bool)
    )
    partial = partial & values.notna().to_numpy()
    raw_name, name = name, label_text(name, LEGEND_WRAP)
    if partial.any():
        # rolling figures before 12 months are loaded: drawn apart, hollow, and named as such
        fig.trace(
            "scatter", x=frame[x][partial], y=values[partial],
            name=label_text(f"{raw_name}: partial (under 12 months loaded)", LEGEND_WRAP),
            mode="lines+markers", line=dict(color="#6b7280", width=1.5, dash="dot"),
            marker=dict(symbol="circle-open", size=7),
            hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)} (partial)<extra>{name}</extra>",
        )
    fig.trace(
        "scatter", x=frame[x][~partial], y=values[~partial], name=name, mode="lines+markers",
        line=_style_line("ours"), connectgaps=False,
        marker=dict(symbol=STYLES["ours"]["symbol"], size=7),
        hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)}<extra>{name}</extra>",
    )
    start = pd.Timestamp(frame[x].min()) - pd.DateOffset(months=12)
    for kind, other, other_name in (("england", comparison, comparison_name),
                                    ("neighbours", neighbours, neighbours_name)):
        if other is None or other.empty:
            continue
        _require(other, x, y)
        # published years long before our first month would squeeze our own line
        other = other[pd.to_datetime(other[x]) >= start]
        other_name = label_text(other_name, LEGEND_WRAP)
        fig.trace(
            "scatter", x=other[x], y=_numeric(other[y]), name=other_name, mode="lines+markers",
            line=_style_line(kind), marker=dict(symbol=STYLES[kind]["symbol"], size=8),
            hovertemplate=f"%{{x|%-d %B %Y}}: {_hover_number(unit)}<extra>{other_name}</extra>",
        )
    if census is not None and not census.empty:
        _require(census, x, y)
        # annual points from imported census returns: markers only, never joined to the months
        fig.trace(
            "scatter", x=census[x], y=_numeric(census[y]), name=census_name, mode="markers",
            marker=dict(symbol=STYLES["census"]["symbol"], size=11, color=CENSUS_COLOUR,
                        line=dict(color="#ffffff", width=1)),
            text=census["source"] if "source" in census.columns else None,
            hovertemplate=f"%{{x|%-d %B %Y}}: {_hover_number(unit)}"
                          + (" (%{text})" if "source" in census.columns else "")
                          + f"<extra>{census_name}</extra>",
        )
    if projection is not None and not projection.empty:
        _require(projection, x, y)
        if {"low", "high"} <= set(projection.columns):
            fig.trace(
                "scatter", x=list(projection[x]) + list(projection[x])[::-1],
                y=list(_numeric(projection["high"])) + list(_numeric(projection["low"]))[::-1],
                fill="toself", fillcolor="rgba(0,158,115,0.15)", line=dict(width=0),
                name="Likely range of the projection", hoverinfo="skip",
            )
        fig.trace(
            "scatter", x=projection[x], y=_numeric(projection[y]), name=projection_name,
            mode="lines", line=_style_line("projection"),
            hovertemplate=f"%{{x|%B %Y}}: {_hover_number(unit)}<extra>Projection</extra>",
        )
    if target is not None and not (isinstance(target, float) and np.isnan(target)):
        label = label_text(target_label or f"Target {format_target(target, unit)}", LEGEND_WRAP)
        fig.trace(
            "scatter", x=[frame[x].min(), _target_x_end(frame, x, target_date, projection)],
            y=[target, target], name=label, mode="lines", line=_style_line("target"),
            hovertemplate=f"{label}: {format_target(target, unit)}<extra></extra>",
        )
    if target_date is not None:
        when = _as_datetime(target_date)
        fig.shape(
            type="line", x0=when, x1=when, xref="x", y0=0, y1=1, yref="paper",
            line=dict(color=TARGET_COLOUR, width=1.5, dash="dot"),
        )
        # named in the legend (a label over the plot would sit on the title or a line)
        fig.trace(
            "scatter", x=[None], y=[None], mode="lines",
            name=f"Target date {when:%-d %B %Y} (dotted upright)",
            line=dict(color=TARGET_COLOUR, width=1.5, dash="dot"), hoverinfo="skip",
        )
    _draw_gaps(fig, gaps)
    _axis_format(fig, unit, max_value=float(values.max()))
    fig.axis("x", title=dict(text=None), tickformat="%b %Y")  # month ticks say what the axis is
    if unit in ("rate", "percent") and projection is not None and {"low", "high"} <= set(projection.columns):
        _fit_percent_axis(fig, unit, [values, comparison[y] if comparison is not None and not comparison.empty
                                      else None, projection[y], projection["low"], projection["high"],
                                      None if target is None else pd.Series([target])])
    fig.set(meta={"gaps": [{"kind": k, "from": f"{a:%Y-%m}", "to": f"{b:%Y-%m}"} for k, a, b in gaps]})
    return fig.figure()


def _month_start(value: object) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return pd.Timestamp(t.year, t.month, 1)


def _with_gaps(frame: pd.DataFrame, x: str, y: str) -> tuple[pd.DataFrame, list]:
    """The frame with a blank row for every month between the first and last that was not
    loaded (so the line breaks there), and the runs of months with no figure:
    [(kind, first month, last month)], kind 'hidden' (suppressed, 'c'), 'not_applicable' (GSS 'z':
    a share of nobody), 'not_loaded' or 'missing'.
    Only monthly series are gap-checked (a yearly series has no months to miss)."""
    frame = frame.sort_values(x).reset_index(drop=True)
    months = [_month_start(v) for v in frame[x]]
    if len(months) < 2 or len(set(months)) != len(months):
        return frame, []
    step = min((b.year - a.year) * 12 + b.month - a.month for a, b in zip(months, months[1:]))
    if step != 1:
        return frame, []
    kinds: dict[pd.Timestamp, str] = {}
    for m, raw, num in zip(months, frame[y], _numeric(frame[y])):
        if is_hidden(raw):
            kinds[m] = "hidden"
        elif is_not_available(raw):
            kinds[m] = "not_available"
        elif isinstance(raw, str) and raw.strip().lower() == "z":
            kinds[m] = "not_applicable"
        elif pd.isna(num):
            kinds[m] = "missing"
    present = set(months)
    month_end = pd.Timestamp(frame[x].iloc[0]).day > 1  # the series' points sit at month ends
    extra = []
    for m in pd.date_range(months[0], months[-1], freq="MS"):
        if m not in present:
            kinds[m] = "not_loaded"
            extra.append({x: m + pd.offsets.MonthEnd(0) if month_end else m, y: np.nan})
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True).sort_values(x)
        frame = frame.reset_index(drop=True)
    runs: list = []
    for m in sorted(kinds):
        kind = kinds[m]
        if runs and runs[-1][0] == kind and runs[-1][2] + pd.DateOffset(months=1) == m:
            runs[-1][2] = m
        else:
            runs.append([kind, m, m])
    if runs and runs[0][0] == "missing" and runs[0][1] == months[0]:
        runs[0][0] = "too_early"  # a 12-month measure before a year is loaded has no figure yet
    shift = (lambda m: m + pd.offsets.MonthEnd(0)) if month_end else (lambda m: m)
    return frame, [(k, shift(a), shift(b)) for k, a, b in runs]


def _draw_gaps(fig: _Spec, gaps: list) -> None:
    """Each run of months with no figure as a grey band, with what happened written in it
    (upright, inside the band) and once in the legend."""
    named = set()
    for kind, first, last in gaps:
        x0 = first - pd.Timedelta(days=15)
        x1 = last + pd.Timedelta(days=15)
        words = GAP_WORDS[kind]
        fig.shape(type="rect", x0=x0, x1=x1, xref="x", y0=0, y1=1, yref="y domain", fillcolor=GAP_FILL,
                  line=dict(width=0), layer="below")
        fig.note(
            x=x0 + (x1 - x0) / 2, xref="x", y=0.5, yref="paper", text=words, textangle=-90,
            showarrow=False, font=dict(size=11, color="#374151"), bgcolor="rgba(255,255,255,0.7)",
        )
        if kind not in named:
            named.add(kind)
            fig.trace(
                # the first letter lower-cased only ("Grey band: hidden to ..."): the rest keeps
                # its capitals ("30 September", "DfE")
                "scatter", x=[None], y=[None], mode="markers", name=f"Grey band: {words[:1].lower()}{words[1:]}",
                marker=dict(symbol="square", size=14, color=GAP_FILL, line=dict(color="#9ca3af", width=1)),
                hoverinfo="skip",
            )


def _fit_percent_axis(fig: _Spec, unit: str, series: list) -> None:
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
    fig.axis("y", range=[lo, hi], autorange=False, rangemode="normal")


def _target_x_end(frame, x, target_date, projection):
    ends = [frame[x].max()]
    if target_date is not None:
        ends.append(_as_datetime(target_date))
    if projection is not None and not projection.empty:
        ends.append(projection[x].max())
    return max(pd.Timestamp(e) for e in ends)


#: Category columns that are a scale with its own order (bands): never re-ranked by value.
ORDERED_CATEGORIES = frozenset({"Age", "Age band", "Length of service", "Cases per FTE"})


def sort_by_value(frame: pd.DataFrame, *, category: str, value: str, series: str | None = None) -> pd.DataFrame:
    """Rows largest first, hidden ('c') and blank last; with `series`, categories ordered by the
    first series' value (so a grouped chart reads as one ranking)."""
    nums = _numeric(frame[value]).fillna(float("-inf"))
    if series is None:
        return frame.assign(_v=nums).sort_values(["_v", category], ascending=[False, True],
                                                 kind="stable").drop(columns="_v")
    first = frame[series].iloc[0]
    rank = (frame.assign(_v=nums)[frame[series] == first].sort_values("_v", ascending=False, kind="stable")
            [category].tolist())
    pos = {c: i for i, c in enumerate(rank)}
    return frame.sort_values(category, key=lambda s: s.map(lambda c: pos.get(c, len(pos))), kind="stable")


#: bar charts in these units show people (counts of people, shares of people): their data must
#: come through the disclosure policy as a `disclosure.Disclosed` (from ui.data), never a DataFrame
PEOPLE_UNITS = ("count", "percent")


def people_frame(data: pd.DataFrame | Disclosed, *, unit: str, what: str) -> pd.DataFrame:
    """The frame a chart draws: a Disclosed's version for this role (`shown`). A DataFrame is
    refused (TypeError) for units that count people, so a page cannot chart a raw people table."""
    if isinstance(data, Disclosed):
        return data.shown
    if unit in PEOPLE_UNITS:
        raise TypeError(f"{what}: a chart of people ({unit}) takes a disclosure.Disclosed from ui.data, "
                        "not a DataFrame, so it shows only what the disclosure policy allows.")
    return data


def bar_chart(frame: pd.DataFrame | Disclosed, *, category: str, value: str, unit: str, **kwargs) -> go.Figure:
    """Bars by category (optionally grouped by `series`), each labelled with its exact value.

    Suppressed cells ('c') get no bar but keep their label 'c', so a gap never looks like zero.
    Counts and shares of people come as a `Disclosed` (see `people_frame`). Keywords: series,
    horizontal, target, target_label, title, axis_title, no_data_message.
    """
    data = people_frame(frame, unit=unit, what=kwargs.get("title") or f"bar chart of {value}")
    return _bar_chart(data, category=category, value=value, unit=unit, **kwargs)


def _bar_chart(
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
    sort: bool | None = None,
    no_data_message: str = "No data for this selection.",
) -> go.Figure:
    """`bar_chart` on a frame already checked (`people_frame`): bars by category (optionally grouped by `series`), each labelled with its exact value.

    Bars are ranked largest first; an ordered scale (age bands, length of service, caseload
    bands: ORDERED_CATEGORIES, or `sort=False`) keeps its own order. Suppressed cells ('c') get no bar but keep their label 'c', so a gap never looks
    like zero. On a single set of horizontal bars the values are written in a column in the right
    margin, so no label can sit on the target line or be cut off; the target is named in the
    legend. Names from data (teams, services) are escaped: Plotly would render HTML in them.
    """
    _require(frame, category, value, *( [series] if series else [] ))
    nums = _numeric(frame[value])
    if frame.empty or (nums.notna().sum() == 0 and not frame[value].map(is_hidden).any()):
        return no_data(no_data_message)
    if frame[value].map(is_hidden).any() and nums.fillna(0).eq(0).all():
        return no_data(f"Not shown (c): each group with anyone in it {rules().hidden_why()}.")
    if sort if sort is not None else category not in ORDERED_CATEGORIES:
        frame = sort_by_value(frame, category=category, value=value, series=series)
    fig = _Spec(height=max(300, 34 * frame[category].nunique() + 140) if horizontal else 380, title=title)
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    column = horizontal and series is None  # values in a margin column
    top = float(nums.max()) if nums.notna().any() else 0.0
    for i, (gname, part) in enumerate(groups):
        vals = _numeric(part[value])
        text = [
            SUPPRESSED if is_hidden(raw) else format_value(v, unit).replace(" cases per FTE", "")
            for raw, v in zip(part[value], vals)
        ]
        colour = PALETTE[i % len(PALETTE)]
        label = safe_text(gname) if gname is not None else (axis_title or UNIT_AXIS.get(unit, value))
        cats = [label_text(c, CATEGORY_WRAP if horizontal else None) for c in part[category]]
        kw = dict(
            name=label, text=text, cliponaxis=False, showlegend=series is not None,
            textposition="none" if column else ("inside" if target is not None else "outside"),
            marker=dict(color=colour, pattern=dict(shape=["", "/", ".", "x", "-", "\\"][i % 6])),
            hovertemplate=(
                f"%{{{'y' if horizontal else 'x'}}}: %{{text}}" + _unit_tail(unit) + f"<extra>{label}</extra>"
            ),
        )
        if horizontal:
            fig.trace("bar", y=cats, x=vals.fillna(0), orientation="h", **kw)
        else:
            fig.trace("bar", x=cats, y=vals.fillna(0), **kw)
        if column:
            for c, t in zip(cats, text):
                fig.note(x=1, xref="paper", xanchor="left", xshift=8, y=c, yref="y",
                         text=t, showarrow=False, align="left", font=dict(size=13))
    legend = series is not None or target is not None
    fig.set(barmode="group", showlegend=legend,  # above: the axis title is below
            legend=LEGEND_ABOVE)
    if legend:
        fig.set(margin=dict(t=(fig.layout.get("margin", {}).get("t") or 50) + (30 if title else 0)))
    if column:
        notes = fig.layout.get("annotations", [])
        width = max(len(str(a["text"])) for a in notes) if notes else 4
        fig.set(margin=dict(r=max(60, 9 * width + 16)))
    if target is not None:
        label = safe_text(target_label or f"Target {format_target(target, unit)}")
        line = dict(color=TARGET_COLOUR, dash=STYLES["target"]["dash"], width=2)
        if horizontal:  # over the bars: no value label sits on it (they are in the margin)
            fig.vline(target, line=line)
        else:
            fig.hline(target, line=line)
        fig.trace("scatter", x=[None], y=[None], mode="lines", name=label, line=line, hoverinfo="skip")
        top = max(top, float(target))
    value_axis = "x" if horizontal else "y"
    _axis_format(fig, unit, axis=value_axis, title=axis_title, max_value=top if nums.notna().any() else None)
    if not column and top > 0:  # room for the labels outside the bars ("100.0%" is never cut)
        fig.axis(value_axis, range=[0, top * 1.18], autorange=False)
    else:
        fig.axis(value_axis, rangemode="tozero")
    if horizontal:
        fig.axis("y", autorange="reversed", title=dict(text=None), type="category")
    else:
        fig.axis("x", title=dict(text=None), type="category")
    return fig.figure()


def _unit_tail(unit: str) -> str:
    """Words after a bar's hover value where its label omits them."""
    return " cases per FTE" if unit == "caseload" else (" people" if unit == "count" else "")


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
    fig = _Spec(height=380, title=title)
    fig.trace(
        "histogram", x=vals, name="Case holders", xbins=dict(start=0, size=bin_size), showlegend=False,
        marker=dict(color=SERIES_COLOUR, line=dict(color="white", width=1)),
        hovertemplate=f"{x_title} %{{x}}: %{{y}} people<extra></extra>",
    )
    label = threshold_label or f"Threshold {threshold:g}: {over} of {len(vals)} above"
    line = dict(color=TARGET_COLOUR, width=2, dash=STYLES["target"]["dash"])
    fig.vline(threshold, line=line)
    # named in the legend above the plot, not written beside the line over the bars
    fig.trace("scatter", x=[None], y=[None], mode="lines", name=label, line=line, hoverinfo="skip")
    fig.axis("x", title=dict(text=x_title), rangemode="tozero")
    fig.axis("y", title=dict(text="People"), tickformat=",d")
    fig.set(showlegend=True, bargap=0.05,
            legend=LEGEND_ABOVE,
            margin=dict(t=(fig.layout.get("margin", {}).get("t") or 50) + (30 if title else 0)))
    return fig.figure()


def spark_range(values: Sequence[float], unit: str, target: float | None = None) -> list[float]:
    """A sparkline's fixed y scale: from 0 (or the unit's floor) to a round ceiling above the
    highest value and the target; 0-100 for a score. Never fitted to the data's own spread, so
    a 0.1-point wobble stays a flat line instead of looking like a swing."""
    if unit == "score":
        return [0.0, 100.0]
    nums = [float(v) for v in values if v is not None and not pd.isna(v)]
    if target is not None and not pd.isna(target):
        nums.append(float(target))
    top = max(nums) if nums else 1.0
    if top <= 0:
        return [0.0, 1.0]
    step = 10 ** np.floor(np.log10(top * 1.25))
    ceiling = float(np.ceil(top * 1.25 / step) * step)
    if unit == "percent":
        ceiling = min(ceiling, 100.0) if top <= 100 else ceiling
    if unit == "rate":
        ceiling = min(ceiling, 1.0) if top <= 1 else ceiling
    return [0.0, ceiling]


#: A card's sparkline, drawn as SVG in the page (`spark_svg`): its box in viewBox units (stretched
#: to the card's width; the lines keep their width), its height on the page in px (the same in
#: viewBox units), the gap above and below the line, and the target's dash pattern (Plotly's
#: "dashdot", the same as the charts' target lines).
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 300, 70, 2
SPARK_DASH = "9 3 3 3"
SPARK_BAND = "rgba(0,158,115,0.12)"


def spark_svg(values: Sequence[float], *, unit: str, height: int = SPARK_HEIGHT, target: float | None = None,
              direction: str | None = None) -> str:
    """A card's small trend as an SVG document: the points (one a month, oldest first) on a fixed
    scale from 0 (`spark_range`, in `data-range`), the band where the target is met shaded and the
    target drawn as a dashed line. A card shows it as an image with its words as the alternative
    (ui.cards.spark_markup): as a Plotly chart each card's sparkline cost a browser the Plotly
    library and ~50 ms of drawing (Strategy themes draws 27), for a line with no axes. Numbers that
    are not finite are not drawn; fewer than two points draw no line."""
    ys = [float(v) for v in values if v is not None and np.isfinite(float(v))]
    has_target = target is not None and not pd.isna(target)
    lo, hi = spark_range(ys, unit, float(target) if has_target else None)
    inner = height - 2 * SPARK_PAD

    def y(v: float) -> float:
        return round(SPARK_PAD + (hi - v) / (hi - lo) * inner, 2)

    parts = []
    if has_target:
        t = float(target)
        if direction in ("lower", "higher"):
            top, bottom = (y(t), y(lo)) if direction == "lower" else (y(hi), y(t))
            parts.append(f'<rect class="cwd-spark-band" x="0" y="{top:g}" width="{SPARK_WIDTH}" '
                         f'height="{round(bottom - top, 2):g}" fill="{SPARK_BAND}"/>')
        parts.append(f'<line class="cwd-spark-target" x1="0" x2="{SPARK_WIDTH}" y1="{y(t):g}" y2="{y(t):g}" '
                     f'stroke="{TARGET_COLOUR}" stroke-width="1" stroke-dasharray="{SPARK_DASH}" '
                     'vector-effect="non-scaling-stroke"/>')
    if len(ys) >= 2:
        step = SPARK_WIDTH / (len(ys) - 1)
        points = " ".join(f"{round(i * step, 2):g},{y(v):g}" for i, v in enumerate(ys))
        parts.append(f'<polyline class="cwd-spark-line" points="{points}" fill="none" stroke="{SERIES_COLOUR}" '
                     'stroke-width="2" stroke-linejoin="round" stroke-linecap="round" '
                     'vector-effect="non-scaling-stroke"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" data-range="{lo:g},{hi:g}" '
            f'viewBox="0 0 {SPARK_WIDTH} {height}" preserveAspectRatio="none">' + "".join(parts) + "</svg>")


def stacked_share_chart(
    frame: pd.DataFrame | Disclosed,
    *,
    category: str,
    name: str | None = None,
    part: str,
    share: str,
    title: str | None = None,
    reference: pd.DataFrame | None = None,
    reference_name: str = "County population",
    no_data_message: str = "No data for this selection.",
) -> go.Figure:
    """Side-by-side shares (e.g. staff ethnicity beside the county population), one bar per group.
    Our shares come as a `Disclosed`; `name` labels them (the `category` column) when given."""
    frame = people_frame(frame, unit="percent", what=title or f"chart of {share}")
    if name is not None:
        frame = frame.assign(**{category: name})
    _require(frame, category, part, share)
    if frame.empty or _numeric(frame[share]).notna().sum() == 0 and not frame[share].map(is_hidden).any():
        return no_data(no_data_message)
    data = frame[[category, part, share]].copy()
    if reference is not None and not reference.empty:
        ref = reference[[part, share]].copy()
        ref[category] = reference_name
        data = pd.concat([data, ref[[category, part, share]]], ignore_index=True)
    return _bar_chart(data, category=part, value=share, unit="percent", series=category,
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
    fig = _Spec(height=360)
    for (col, name), kind in zip(BENCHMARK_SERIES, ("ours", "region", "england", "neighbours")):
        label = safe_text(name.format(la=la_name, region=region_name or "Region"))
        fig.trace(
            "scatter", x=part["year"], y=pd.to_numeric(part[col], errors="coerce"), name=label,
            mode="lines+markers", connectgaps=False, line=_style_line(kind),
            marker=dict(symbol=STYLES[kind]["symbol"], size=8),
            hovertemplate=f"30 Sep %{{x}}: {hover}<extra>{label}</extra>",
        )
    mine = our_points(ours, indicator)
    if not mine.empty:
        fig.trace(
            "scatter", x=mine["year"], y=mine["published_value"], name="Our own figure at 30 September",
            mode="markers", marker=dict(symbol="star", size=16, color=CENSUS_COLOUR,
                                        line=dict(color="black", width=1)),
            hovertemplate=f"Our extract, 30 Sep %{{x}}: {hover}<extra></extra>",
        )
    fig.set(legend=LEGEND_ABOVE, margin=dict(t=20, b=60))  # the axis title is below
    fig.axis("x", title=dict(text="Year (figures at 30 September)"), dtick=1, tickformat="d")
    fig.axis("y", title=dict(text="Per cent" if unit == "percent" else unit[:1].upper() + unit[1:]),
             ticksuffix="%" if unit == "percent" else "")
    return fig.figure()


def our_points(ours: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Our own 30 September figures for one DfE indicator (year, published_value), by year."""
    if ours is None or ours.empty:
        return pd.DataFrame(columns=["year", "published_value"])
    mine = ours[ours["indicator"] == indicator].copy()
    mine["published_value"] = pd.to_numeric(mine["published_value"], errors="coerce")
    return mine.dropna(subset=["published_value"]).sort_values("year")
