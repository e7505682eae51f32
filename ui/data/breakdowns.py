"""A measure at the month by service, team or job type (with the overall figure, so small groups
get secondary protection against it)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import engine
from metrics.suppression import suppress_metric_frame
from ui import db
from ui.data.base import BY_LABELS, CACHE, _ctx, _engine_filters, _fkey, metric
from metrics.narrative import SMALL_BASE
from ui.data.measures import UNIT_WORDS, _clean, _shown, status_words
from ui.filters import Filters
from ui.state import is_suppressed


def breakdown(metric_id: str, filters: Filters, *, by: str) -> pd.DataFrame:
    """A measure at the month by service, team or role group: group, value, base_count, status.

    Team breakdowns are refused (PermissionError) for roles without team access; for scrutiny
    small groups show 'c' (with secondary suppression against the overall figure).
    """
    ctx = _ctx(filters=filters, by=by)
    return _breakdown(ctx.path, ctx.version, ctx.role, metric_id, by, *_fkey(filters))


@st.cache_data(**CACHE)
def _breakdown(path, version, role, metric_id, by, period, scope, service, team) -> pd.DataFrame:
    with db.open_cursor() as cur:
        flt = _engine_filters(service, team)
        groups = engine.evaluate(cur, period=period, scope=scope, by=by, metric_ids=[metric_id], filters=flt)
        overall = engine.evaluate(cur, period=period, scope=scope, metric_ids=[metric_id], filters=flt)
    frame = pd.concat([overall, groups], ignore_index=True)
    if is_suppressed(role):
        frame = suppress_metric_frame(frame)
        frame.loc[frame["suppressed"], "status"] = "grey"
    frame = frame[frame["group"].notna()].sort_values("group").reset_index(drop=True)
    return frame[["group", "value", "base_count", "target", "status", "partial", "months_covered"]]


def breakdown_table(frame: pd.DataFrame, *, metric_id: str, by: str) -> pd.DataFrame:
    """`breakdown` as a readable table (rates as percentages; 'c' kept)."""
    m = metric(metric_id)
    label = BY_LABELS[by]
    value_col = f"{m.label} ({UNIT_WORDS.get(m.unit, '')})"
    return pd.DataFrame({
        label: frame["group"],
        value_col: [_shown(_clean(v), m.unit) for v in frame["value"]],
        "People": [_clean(v) for v in frame["base_count"]],
        "Small group": ["Yes" if isinstance(b, float) and b < SMALL_BASE else "—"
                        for b in (_clean(v) for v in frame["base_count"])],
        "Status": [status_words(s, value=_clean(v), target=_clean(t), partial=bool(p), months=mc)
                   for s, v, t, p, mc in zip(frame["status"], frame["value"], frame["target"],
                                             frame["partial"].fillna(False), frame["months_covered"])],
    })
