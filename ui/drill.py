"""Drill to the cause: the same breakdowns on every workforce page, and what changed on a year.

Why one function: a director asking "which team moved this figure?" should find the same three
choices (service, team where the role may see teams, job type) and the same "what changed" panel
on every workforce page, in the same place.
"""

from __future__ import annotations

import streamlit as st

from ui import charts, data, downloads, layout, state


def breakdown_choices() -> list[str]:
    """Service, team (only for roles that may see teams) and job type."""
    return ["service"] + (["team"] if state.can_see_teams() else []) + ["role_group"]


def drill_section(metric_id: str, filters, *, key: str, short: str | None = None,
                  target: float | None = None, target_label: str | None = None) -> None:
    """One tab per breakdown: the sorted bar chart and table (base size on every row), then the
    groups that moved the figure most since a year ago."""
    m = data.metric(metric_id)
    short = short or m.label
    choices = breakdown_choices()
    st.header("By service, " + ("team and " if "team" in choices else "") + "job type", anchor=f"{key}-drill")
    for tab, by in zip(st.tabs([data.BY_LABELS[b] for b in choices]), choices):
        with tab:
            _one(metric_id, filters, by=by, key=f"{key}-by-{by}", short=short, target=target,
                 target_label=target_label)


def _one(metric_id: str, filters, *, by: str, key: str, short: str, target, target_label) -> None:
    m = data.metric(metric_id)
    word = data.BY_LABELS[by].lower()
    frame = data.breakdown(metric_id, filters, by=by)
    layout.chart(
        charts.bar_chart(frame, category="group", value="value", unit=m.unit, target=target,
                         target_label=target_label, axis_title=m.label),
        alt=data.breakdown_alt(metric_id, frame, by=by), key=key,
    )
    table = data.breakdown_table(frame, metric_id=metric_id, by=by)
    layout.show_table(table, f"{short} by {word}", key=f"{key}-table",
                      disclosure=downloads.breakdown(table, metric_id=metric_id))
    st.markdown(f"**What changed since a year ago: the {word}s that moved {short.lower()} most**")
    moved = data.what_changed(metric_id, filters, by=by)
    if moved.empty:
        st.caption("No figure for the same month a year earlier to compare with.")
        return
    view = data.what_changed_table(moved, metric_id=metric_id, by=by)
    now_col = view.columns[1]
    rests = downloads.people(counts=["People now", "People a year ago"], additive=False,
                             rates={now_col: "People now", "A year ago": "People a year ago"},
                             follow={"Change": ["People now", "People a year ago"]})
    layout.show_table(view, f"What changed - {short} by {word}", key=f"{key}-changed", disclosure=rests,
                      caption="Largest movement, weighted by the people in the group, first. "
                              + ("Groups of fewer than 5 people (now or a year ago) are left out."
                                 if state.is_suppressed() else ""))
