"""Suppression of the engine's real breakdowns on the demo store: no hidden group recoverable."""

from __future__ import annotations

import pandas as pd
import pytest

from store import connect
from metrics import engine
from disclosure.cells import SUPPRESSED, suppress_metric_frame


@pytest.mark.parametrize("by", ["team", "service", "role_group"])
def test_no_hidden_group_can_be_worked_out_from_the_overall(demo_db, by):
    con = connect(demo_db, read_only=True)
    try:
        period = engine.latest_period(con)
        groups = engine.compute(con, period=period, by=by)
        overall = engine.compute(con, period=period)
    finally:
        con.close()
    out = suppress_metric_frame(pd.concat([overall, groups], ignore_index=True))
    checked = 0
    for metric_id, block in out.groupby("metric_id"):
        raw = pd.concat([overall, groups])
        raw = raw[raw["metric_id"] == metric_id]
        if metric_id == "engagement_score":
            assert not block["suppressed"].any()
            continue
        base = dict(zip(raw["group"].fillna("__all__"), raw["base_count"]))
        small = [g for g, b in base.items() if b is not None and not pd.isna(b) and 0 < b < 5]
        shown = dict(zip(block["group"].fillna("__all__"), block["base_count"]))
        for g in small:
            assert shown[g] == SUPPRESSED, (metric_id, g)
        hidden = [g for g in shown if g != "__all__" and shown[g] == SUPPRESSED]
        # overall minus the visible groups must not single out one hidden group
        assert len(hidden) != 1 or shown.get("__all__") == SUPPRESSED, (metric_id, hidden)
        if len(hidden) >= 2 and shown.get("__all__") != SUPPRESSED:
            rest = sum(base[g] for g in hidden)
            assert rest >= 5 or rest == 0
        checked += bool(hidden)
        for col in ("value", "numerator", "denominator"):
            assert (block.loc[block["suppressed"], col] == SUPPRESSED).all()
    if by == "team":
        assert checked > 0   # the demo has small teams: the rule really ran
