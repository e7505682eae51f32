"""Drill to the cause: the same breakdowns on every workforce page, and what changed on a year.

Why one function: a director asking "which team moved this figure?" should find the same three
choices (service, team where the role may see teams, job type) and the same "what changed" panel
on every workforce page, in the same place.
"""

from __future__ import annotations

import streamlit as st

# where each measure's breakdowns are: page key, drill section key (a load keeps their default views)
from disclosure.breakdowns import DRILL_PAGES
from ui import charts, data, layout, state


#: the label of the control that picks the breakdown (tests and the disclosure audit find it by it)
BY_LABEL = "Break down by"


def breakdown_choices() -> list[str]:
    """Service, team (only for roles that may see teams) and job type."""
    return ["service"] + (["team"] if state.can_see_teams() else []) + ["role_group"]


#: the query parameter an Overview card's link sets: which measure to open, then scroll to it
FOCUS_PARAM = "drill"


def page_measures(key: str) -> list[str]:
    """The measures a page's drill section offers (DRILL_PAGES order)."""
    return [mid for mid, (_, k) in DRILL_PAGES.items() if k == key]


def drill_link(metric_id: str) -> None:
    """On an Overview card: a link to the page section that breaks this measure down."""
    from pathlib import Path

    found = DRILL_PAGES.get(metric_id)
    if found is None or not state.allowed(state.current_role(), f"page:{found[0]}"):
        return
    page = Path(__file__).resolve().parent.parent / "views" / f"{found[0]}.py"
    st.page_link(str(page), label="Which services and teams moved it",
                 icon=":material/account_tree:", query_params={FOCUS_PARAM: metric_id})


def _target(metric_id: str) -> tuple[float | None, str | None]:
    from metrics.narrative import target_words

    tg = data.target_info(metric_id)
    if tg["value"] is None:
        return None, None
    m = data.metric(metric_id)
    return tg["value"], f"Target: {target_words(tg['value'], m.unit, tg['direction'] or m.direction)}"


def drill_section(metric_id: str, filters, *, key: str, short: str | None = None,
                  target: float | None = None, target_label: str | None = None) -> None:
    """One breakdown at a time (service first; a "Break down by" choice picks team or job type):
    the sorted bar chart and table (base size on every row), then the groups that moved the
    figure most since a year ago. Where the page has more measures
    (DRILL_PAGES), a choice above picks which one is broken down; an Overview card's
    link opens its own measure and scrolls here."""
    choices = breakdown_choices()
    anchor = f"{key}-drill"
    st.header("By service, " + ("team and " if "team" in choices else "") + "job type", anchor=anchor)
    measures = page_measures(key) or [metric_id]
    if metric_id not in measures:
        measures.insert(0, metric_id)
    pick = f"{key}-drill-measure"
    focus = st.query_params.get(FOCUS_PARAM)
    if focus in measures:
        st.session_state[pick] = focus
        del st.query_params[FOCUS_PARAM]
        _scroll_to(anchor)
    if len(measures) > 1:
        chosen = st.radio("Measure to break down", measures, key=pick, horizontal=True,
                          format_func=lambda mid: data.metric(mid).label)
    else:
        chosen = metric_id
    if chosen != metric_id:
        short, (target, target_label) = None, _target(chosen)
        metric_id = chosen
    m = data.metric(metric_id)
    short = short or m.label
    # one breakdown at a time, picked by a plain radio group (keyboard: arrow keys): tabs would
    # build every breakdown's chart, tables and disclosure on each view, shown or not
    by = st.radio(BY_LABEL, choices, key=f"{key}-drill-by", horizontal=True,
                  format_func=lambda b: data.BY_LABELS[b])
    _one(metric_id, filters, by=by, key=f"{key}-by-{by}", short=short, target=target,
         target_label=target_label)


def axis_title(m) -> str:
    """A measure's axis title with its unit: '(%)' ticks say themselves, other units are named."""
    words = data.UNIT_WORDS.get(m.unit, "")
    return m.label if m.unit == "rate" or not words else f"{m.label} ({words})"


def _scroll_to(anchor: str) -> None:
    """Bring the section into view once it is drawn (a link cannot carry a #anchor between
    pages of the app)."""
    st.html(
        "<script>(function(){var n=0;var t=setInterval(function(){var e=document.getElementById("
        f"{anchor!r});if(e){{e.scrollIntoView({{block:'start'}});clearInterval(t);}}"
        "if(++n>50){clearInterval(t);}},100);})();</script>",
        unsafe_allow_javascript=True,
    )


def _one(metric_id: str, filters, *, by: str, key: str, short: str, target, target_label) -> None:
    m = data.metric(metric_id)
    word = data.BY_LABELS[by].lower()
    frame = data.breakdown(metric_id, filters, by=by)
    layout.chart(
        charts.bar_chart(frame, category="group", value="value", unit=m.unit, target=target,
                         target_label=target_label, axis_title=axis_title(m)),
        alt=data.breakdown_alt(metric_id, frame, by=by), key=key,
    )
    table = data.breakdown_table(frame, metric_id=metric_id, by=by)
    layout.show_table(table, f"{short} by {word}", key=f"{key}-table", disclosure=None)
    st.markdown(f"**What changed since a year ago: the {word}s that moved {short.lower()} most**")
    moved = data.what_changed(metric_id, filters, by=by)
    if moved.empty:
        st.caption(f"The {word} figures are hidden (c) now or a year ago, to protect individuals, "
                   "so no change can be shown." if moved.attrs.get("left_out") else
                   "No figure for the same month a year earlier to compare with.")
        return
    view = data.what_changed_table(moved, metric_id=metric_id, by=by)
    layout.show_table(view, f"What changed - {short} by {word}", key=f"{key}-changed", disclosure=None,
                      caption="Largest movement, weighted by the people in the group, first. "
                              + ("Groups whose figure is hidden (c), now or a year ago, are left out."
                                 if state.is_suppressed() else ""))
