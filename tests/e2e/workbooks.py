"""Test extracts: the month after a store's latest, written as a real .xlsx the way HR would send it.

Why here: the AppTest upload tests and the browser run both need "a new month's workbook"; the
demo generator makes it, and half of the agency workers become permanent so the agency share
moves visibly (a test that sees the figure change cannot pass by accident).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd


def next_month(period: str) -> str:
    from store import periods

    return periods.period_key(periods.next_period(period))


def latest_loaded(db: Path) -> str:
    """The latest loaded month of the store at `db`, 'YYYY-MM' (via the metric engine)."""
    from store import connect
    from metrics import engine

    con = connect(db)
    try:
        return engine.latest_period(con).strftime("%Y-%m")
    finally:
        con.close()


def day_after_next_month(db: Path) -> str:
    """'YYYY-MM-DD': the first day after the month that follows the store's latest month.

    Tests that upload "next month" pin the clock here ($WORKFORCE_TODAY), because only months
    that have ended can be loaded and the demo ends at the last complete month.
    """
    y, m = (int(p) for p in next_month(next_month(latest_loaded(db))).split("-"))
    return f"{y:04d}-{m:02d}-01"


def month_frames(*, period: str, convert_agency: bool = True) -> dict[str, pd.DataFrame]:
    """Contract-shaped frames for `period` from the demo generator (optionally fewer agency staff)."""
    from demo import generate

    months = generate(months=37, end_period=period)
    last_period, frames = months[-1]
    assert last_period == period, (last_period, period)
    frames = {name: frame.copy() for name, frame in frames.items()}
    if convert_agency:
        staff_key = next(k for k in frames if k.lower() == "staff")
        staff = frames[staff_key]
        wt = next(c for c in staff.columns if str(c).lower().replace(" ", "_") == "worker_type")
        agency_rows = staff.index[staff[wt].astype(str).str.lower() == "agency"]
        staff.loc[agency_rows[::2], wt] = "Permanent"
        if "Agency assignments" in frames:  # the converted are no longer on assignment
            converted = set(staff.loc[agency_rows[::2], "employee_id"])
            assignments = frames["Agency assignments"]
            frames["Agency assignments"] = assignments[
                ~assignments["employee_id"].isin(converted)].reset_index(drop=True)
    return frames


def workbook_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """An .xlsx with one tab per sheet (Staff, Leavers, ...), written by the demo's own writer."""
    from demo import write_workbook

    with tempfile.TemporaryDirectory(prefix="workforce-test-") as tmp:
        path = write_workbook(path=Path(tmp) / "extract.xlsx", frames=frames)
        return path.read_bytes()


def bad_workbook_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """The same month with two rows broken (an FTE of 1.7 and a blank team): must load nothing."""
    frames = {name: frame.copy() for name, frame in frames.items()}
    staff_key = next(k for k in frames if k.lower() == "staff")
    staff = frames[staff_key]
    fte = next(c for c in staff.columns if str(c).lower() == "fte")
    team = next(c for c in staff.columns if str(c).lower() == "team")
    staff[fte] = staff[fte].astype(object)
    staff.loc[staff.index[4], fte] = 1.7
    staff.loc[staff.index[5], team] = None
    return workbook_bytes(frames)
