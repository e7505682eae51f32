"""Text alternatives: one plain sentence under each chart (and the notes beside them)."""

from __future__ import annotations

import pandas as pd

from disclosure import SUPPRESSED, Disclosed, is_hidden
from metrics.narrative import target_words
from metrics.units import is_not_available
from ui.data.base import metric
from ui.data.measures import _clean, agency_target_words, at_period, target_info, trend
from ui.data.trends import england, permanent_share_trend
from ui.filters import Filters


def _fmt(value: object, unit: str) -> str:
    from ui.charts import format_value

    return format_value(_clean(value) if not isinstance(value, str) else value, unit)


#: a hidden figure named in a sentence (the legend's words for "c")
HIDDEN = "hidden to protect individuals (c)"


def _was(value: object, unit: str) -> str:
    """A figure in a sentence: 'hidden to protect individuals (c)' rather than a bare 'c'."""
    return HIDDEN if is_hidden(value) else "not available (x)" if is_not_available(value) else _fmt(value, unit)


def _against(value: object, unit: str) -> str:
    """The year-ago figure after 'against': 'a hidden figure (c)' rather than a bare 'c'."""
    return "a hidden figure (c)" if is_hidden(value) else _fmt(value, unit)


def trend_alt(metric_id: str, filters: Filters, *, label: str | None = None,
              series: pd.DataFrame | None = None) -> str:
    """'Agency share of FTE was 18.1% in October 2026, against 23.0% twelve months earlier; the
    target is at most 20%.'"""
    m = metric(metric_id)
    frame = series if series is not None else trend(metric_id, filters)
    name = label or m.label
    values = frame.dropna(subset=["value"])
    yearly = values["value"].map(is_not_available)
    if yearly.any():  # published for the year to 30 September only (disclosure.policy.YEAR_TO_SEPTEMBER)
        values = values[~yearly.to_numpy()]
        if values.empty:
            from ui.charts import NOT_AVAILABLE_WHY

            return f"{name}: not available (x): {NOT_AVAILABLE_WHY}."
    if values.empty:
        return f"{name}: no data for this selection yet."
    last = values.iloc[-1]
    text = f"{name} was {_was(last['value'], m.unit)} in {last['period']:%B %Y}"
    if yearly.any():
        text = f"{name} was {_was(last['value'], m.unit)} in the 12 months to {last['period']:%B %Y}"
        ago = values[pd.to_datetime(values["period"]) == pd.Timestamp(last["period"]) - pd.DateOffset(years=1)]
        if not ago.empty:
            text += f", against {_against(ago.iloc[-1]['value'], m.unit)} a year earlier"
        text += " (published for the 12 months to 30 September only; other months show x, not available)"
    elif len(values) > 12:
        text += f", against {_against(values.iloc[-13]['value'], m.unit)} twelve months earlier"
    tg = target_info(metric_id)["value"] if label is None else None
    if tg is not None:
        text += f"; the target is {target_words(tg, m.unit, m.direction)}"
    return text + "."


def permanent_share_alt(filters: Filters, projection_message: str) -> str:
    share = permanent_share_trend(filters)
    text = trend_alt("agency_rate_fte", filters, label="The permanent share of FTE", series=share)
    words = agency_target_words()
    if words["permanent"] is None:
        return text
    by = f" by {words['date']}" if words["date"] else ""
    return text[:-1] + f"; the target is at least {words['permanent']} permanent{by}."


def _frame(frame: pd.DataFrame | Disclosed) -> pd.DataFrame:
    return frame.shown if isinstance(frame, Disclosed) else frame


def breakdown_alt(metric_id: str, frame: pd.DataFrame, *, by: str) -> str:
    m = metric(metric_id)
    frame = _frame(frame)
    nums = frame.assign(v=pd.to_numeric(frame["value"], errors="coerce")).dropna(subset=["v"])
    word = {"service": "service", "team": "team", "role_group": "job type"}[by]
    if nums.empty:
        return f"{m.label} by {word}: no figures to show."
    hi = nums.loc[nums["v"].idxmax()]
    lo = nums.loc[nums["v"].idxmin()]
    hidden = int((frame["value"] == SUPPRESSED).sum())
    if len(nums) == 1:  # one figure shown: it is neither a highest nor a lowest
        text = f"{m.label} by {word}: only {hi['group']} shown ({_fmt(hi['v'], m.unit)})."
    else:
        text = (f"{m.label} by {word}: highest {hi['group']} ({_fmt(hi['v'], m.unit)}), "
                f"lowest {lo['group']} ({_fmt(lo['v'], m.unit)}).")
    if hidden:
        text += f" {hidden} {word}{'s' if hidden > 1 else ''} not shown (c: hidden to protect individuals)."
    return text


def cover_alt(cover: pd.DataFrame) -> str:
    cover = _frame(cover)
    if cover.empty:
        return "No vacancies recorded for this selection."
    total_vacant = cover["Vacant FTE"].sum()
    total_cover = cover["Covered by agency FTE"].sum()
    share = total_cover / total_vacant * 100 if total_vacant else float("nan")
    return (f"{total_vacant:.1f} FTE vacant across {len(cover)} services, of which agency workers "
            f"cover {total_cover:.1f} FTE ({share:.0f}%).")


def conversions_alt(filters: Filters) -> str:
    row = at_period(filters, ["agency_conversions_12m"]).iloc[0]
    value = row["value"]
    shown = value if isinstance(value, str) else ("no data" if value is None else f"{value:.0f}")
    return (f"Agency workers who became employees in the 12 months to {state_period(filters)}: "
            f"{shown} people.")


def state_period(filters: Filters) -> str:
    from ui.state import period_label

    return period_label(filters.period) if filters.period else "no month"


def england_note(metric_id: str) -> str:
    """' England: 15.2 (30 September 2025).' or a note that the DfE figures are not imported."""
    eng = england(metric_id)
    if eng.empty:
        return (" England's published figures are not imported yet (Benchmarks page), so only the "
                "target line is shown.")
    last = eng.iloc[-1]
    return f" England: {_fmt(last['value'], metric(metric_id).unit)} at {last['period']:%-d %B %Y}."


def partial_note(metric_id: str, filters: Filters) -> str:
    """Say when a rolling 12-month figure covers fewer than 12 loaded months."""
    row = at_period(filters, [metric_id]).iloc[0]
    if row["partial"] and row["months_covered"]:
        return (f"{row['label']} for {state_period(filters)} covers only {row['months_covered']} "
                "of the 12 months (fewer months are loaded), so it is marked partial.")
    return "Rolling 12-month figures cover the 12 months to the chosen month end."


def year_to_september_note(metric_id: str, filters: Filters) -> str:
    """Under a measure published to this role for the 12 months to 30 September only
    (disclosure.policy.YEAR_TO_SEPTEMBER: its other months read "x"): what "x" means and which
    month to read; "" where the series has no "x" (roles with exact figures)."""
    frame = trend(metric_id, filters)
    if frame.empty or not frame["value"].map(is_not_available).any():
        return ""
    shown = frame[~frame["value"].map(is_not_available).to_numpy()]
    where = (f"; see {pd.Timestamp(shown['period'].iloc[-1]):%B %Y}" if not shown.empty
             else "; none yet: no 12 months to a 30 September are all loaded")
    now = ("The chosen month's figure reads x (not available). " if is_not_available(frame["value"].iloc[-1])
           else "Other months read x (not available). ")
    return (f"{now}{metric(metric_id).label} is published for the 12 months to 30 September only (the "
            f"year of DfE's children's social work workforce census){where}. Figures for overlapping "
            "12-month windows could be subtracted to work out a few people's leaving.")


def over_threshold_alt(filters: Filters, threshold: float) -> str:
    row = at_period(filters, ["caseload_over_threshold_rate"]).iloc[0]
    value = row["value"]
    if value is None:
        return "No case holders in this selection."
    shown = _fmt(value, "rate")
    return (f"{shown} of case holders carried more than {threshold:g} cases per FTE at the end of "
            f"{state_period(filters)}; the bars show how many people sit at each level.")


def counts_alt(frame: pd.DataFrame, category: str, value: str, what: str) -> str:
    """'Of 147 people, the largest group is 35 to 44 (53).' with suppressed groups named."""
    why = frame.caption() if isinstance(frame, Disclosed) else ""
    frame = _frame(frame)
    if frame.empty:  # (a table not published yet: its caption says why)
        return f"No {what} for this selection. {why}".strip()
    nums = pd.to_numeric(frame[value], errors="coerce")
    if nums.notna().sum() == 0:
        return f"All {what} figures are hidden to protect individuals. {why}".strip()
    top = frame.loc[nums.idxmax()]
    hidden = int((frame[value] == SUPPRESSED).sum())
    text = f"{what[0].upper()}{what[1:]}: {int(nums.sum())} in the groups shown; the largest group is {top[category]} ({int(nums.max())})."
    if hidden:
        text += f" {hidden} group{'s' if hidden > 1 else ''} not shown. {why}".rstrip()
    elif why:  # what the published figures are of (a year to 30 September), where they say
        text += f" {why}"
    return text


def ethnicity_alt(filters: Filters, county: pd.DataFrame) -> str:
    row = at_period(filters, ["ethnic_minority_rate"]).iloc[0]
    if is_hidden(row["value"]):
        return f"The share of staff of known ethnicity from ethnic minorities is {HIDDEN}."
    text = f"{_fmt(row['value'], 'rate')} of staff of known ethnicity are from ethnic minorities (not White)"
    if not county.empty:
        white = county.loc[county["Ethnic group"] == "White", "Share (%)"]
        if len(white):
            text += f", against {100 - float(white.iloc[0]):.1f}% of the county population"
    return text + "."


def local_alt(frame: pd.DataFrame) -> str:
    frame = _frame(frame)
    nums = pd.to_numeric(frame["Share living in county (%)"], errors="coerce") if not frame.empty else None
    if nums is None or nums.notna().sum() == 0:
        return "No figures on where staff live for this selection."
    hi = frame.loc[nums.idxmax()]
    lo = frame.loc[nums.idxmin()]
    if nums.notna().sum() == 1:
        return f"Share living in the county by job type: only {hi['Job type']} shown ({nums.max():.0f}%)."
    return (f"Share living in the county by job type: highest {hi['Job type']} ({nums.max():.0f}%), "
            f"lowest {lo['Job type']} ({nums.min():.0f}%).")


def slug(text: str) -> str:
    from ui.downloads import file_stem

    return file_stem(text)


def census_note(points: pd.DataFrame, unit: str) -> str:
    """' Census returns (30 September): 2023 4; 2024 6.' — nothing when no return is held."""
    if points.empty:
        return ""
    parts = [f"{p:%Y} {_fmt(v, unit)}" for p, v in zip(points["period"], points["value"])]
    return " Census returns (30 September): " + "; ".join(parts) + "."


def headcount_alt(series: pd.DataFrame) -> str:
    """'Directly employed people in post: 150 at the end of September 2026, against 143 twelve
    months earlier.'"""
    values = series.dropna(subset=["value"])
    if values.empty:
        return "Directly employed people in post: no data for this selection yet."
    last = values.iloc[-1]
    text = f"Directly employed people in post: {_was(last['value'], 'count')} at the end of {last['period']:%B %Y}"
    if len(values) > 12:
        text += f", against {_against(values.iloc[-13]['value'], 'count')} twelve months earlier"
    return text + "."
