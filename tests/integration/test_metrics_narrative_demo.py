"""The Overview paragraph and projection built from the engine's figures on the demo store."""

from __future__ import annotations

import re

from store import connect
from metrics import engine
from metrics.narrative import format_value, paragraph, sentence
from metrics.projection import project
from metrics.targets import load_targets


def test_overview_paragraph_from_the_demo_store(demo_db):
    con = connect(demo_db, read_only=True)
    try:
        period = engine.latest_period(con)
        ev = engine.evaluate(con, period=period)
        hist = engine.history(con, metric_ids=["agency_rate_fte"])
    finally:
        con.close()
    target = load_targets()["agency_rate_fte"]
    proj = project(periods=list(hist["period"]), values=list(hist["value"]), target=target.value,
                   direction=target.direction, target_date=target.target_date,
                   target_label="the 80:20 target")
    text = paragraph(ev, projection=proj)
    parts = [p for p in re.split(r"(?<=\.)\s+(?=[A-Z0-9])", text) if p]
    assert 3 <= len(parts) <= 5
    agency = ev[(ev["metric_id"] == "agency_rate_fte") & ev["group"].isna()].iloc[0]
    assert parts[0].startswith(f"Agency workers are {format_value('agency_rate_fte', agency['value'])} of social-worker FTE")
    assert parts[0] == sentence(metric="agency_rate_fte", value=agency["value"], target=agency["target"],
                                status=agency["status"], year_ago_value=agency["year_ago_value"])
    rated = ev[ev["group"].isna() & ev["status"].isin(["green", "amber", "red"])]
    assert f"Of the {len(rated)} measures with a target" in text
