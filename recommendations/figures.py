"""Mark the meeting on a trend chart: the before/after view of a linked measure.

Why separate from ui.charts: the trend itself is drawn by ui.charts.trend_chart (one app style);
this adds only the tracker's own mark, a vertical line at the meeting date, so a member sees
which part of the line came after the recommendation. Plotly only, no Streamlit.
"""

from __future__ import annotations

from datetime import date, datetime

import plotly.graph_objects as go

MEETING_COLOUR = "#6f72af"


def mark_meeting(fig: go.Figure, *, meeting_date: date, label: str | None = None) -> go.Figure:
    """Add a dashed vertical line and label at `meeting_date`; returns the same figure."""
    when = datetime(meeting_date.year, meeting_date.month, meeting_date.day)
    text = label or f"Recommendation made {meeting_date:%-d %B %Y}"
    fig.add_shape(type="line", x0=when, x1=when, xref="x", y0=0, y1=1, yref="paper",
                  line=dict(color=MEETING_COLOUR, width=2, dash="dash"), name="meeting")
    fig.add_annotation(x=when, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False,
                       text=text, font=dict(size=12, color=MEETING_COLOUR))
    return fig
