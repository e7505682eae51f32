"""The drill's default view kept whole per load (disclosure.breakdowns.keep_frames, store.frames):
each drill section's first measure by service for the directorate at the latest month, both scopes, for
roles with exact figures and for the others. Kept == what a page works out per view (the same
functions fed by the page's cached reads: every column, dtype, cell type and the left-out count),
the page reads the kept one (one changed in the store is what it shows), and nothing kept is read
after a load that did not keep it nor for another month. Real stores built through the real
loader."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from disclosure import breakdowns as drill
from store import connect, frames, loaded_periods
from tests.integration.test_published_history import load_next_month_without

SCOPES = ("social_workers", "all_staff")


def _cell_types(f: pd.DataFrame) -> dict:
    return {c: [type(v).__name__ for v in f[c]] for c in f.columns}


def _latest(path) -> str:
    with connect(path, read_only=True) as con:
        return loaded_periods(con)[-1].strftime("%Y-%m")


def _views(monkeypatch, role: str, period: str, *, kept: bool) -> dict:
    """{(scope, measure): (breakdown, what changed)} of the default view through the data layer,
    reading the kept views or (kept=False) working every one out per view."""
    from ui import data
    from ui import db as ui_db
    from ui.data import breakdowns as ui_breakdowns
    from ui.filters import Filters

    monkeypatch.setenv("WORKFORCE_ROLE", role)
    real = ui_breakdowns._kept_drill
    if not kept:
        monkeypatch.setattr(ui_breakdowns, "_kept_drill", lambda *a, **k: None)
    ui_db.clear_caches()
    st.cache_data.clear()
    try:
        out = {}
        for scope in SCOPES:
            f = Filters(period=period, scope=scope)
            for mid in drill.DRILL_PAGES:  # (every measure: those not kept are worked out per view)
                out[(scope, mid)] = (data.breakdown(mid, f, by="service"), data.what_changed(mid, f, by="service"))
        return out
    finally:
        monkeypatch.setattr(ui_breakdowns, "_kept_drill", real)
        ui_db.clear_caches()
        st.cache_data.clear()


@pytest.mark.parametrize("role", ["hr", "scrutiny"])
def test_the_kept_default_view_is_what_the_page_works_out(demo_db, monkeypatch, role):
    monkeypatch.setenv("WORKFORCE_DB", str(demo_db))
    period = _latest(demo_db)
    with connect(demo_db, read_only=True) as con:
        got = drill.kept(con, period)
        assert set(drill.DEFAULT_MEASURES) == {"agency_rate_fte", "avg_caseload", "turnover_rate_fte_12m",
                                                "ethnic_minority_rate"}  # the measure each page's drill opens on
        for scope in SCOPES:  # the demo's last load kept each one's, both copies, and no other
            for mid in drill.DRILL_PAGES:
                for suppressed in (False, True):
                    picked = drill.picked(got, mid, scope, suppressed=suppressed)
                    assert (picked is not None) == (mid in drill.DEFAULT_MEASURES), (mid, scope)
    kept = _views(monkeypatch, role, period, kept=True)
    live = _views(monkeypatch, role, period, kept=False)
    hidden = left_out = 0
    for key, (breakdown, changed) in live.items():
        for a, b in zip(kept[key], (breakdown, changed)):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=str(key))
            assert _cell_types(a) == _cell_types(b) and a.attrs == b.attrs, key
        assert len(breakdown) >= 4  # the demo's services, real figures
        hidden += int(breakdown["published_hidden"].sum())
        left_out += changed.attrs["left_out"]
    # real decisions: groups hidden among them (scrutiny: left out of "what changed", shown as "c")
    assert hidden > 0
    assert (left_out > 0) == (role == "scrutiny")
    if role == "scrutiny":
        values = [v for (b, _) in live.values() for v in b["value"]]
        assert "c" in values


def test_the_page_reads_the_kept_view_and_never_a_stale_one(copy_demo_db, monkeypatch):
    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    period = _latest(copy_demo_db)
    mid, scope = drill.DEFAULT_MEASURES[0], "social_workers"
    name = f"{drill.FRAMES_PREFIX}{scope}.{mid}"
    with connect(copy_demo_db) as con:  # the exact copy's first group 1000 more, in the store
        key, body = frames.bodies(con, drill.FRAMES_PREFIX)[name]
        assert key == drill.frames_key(con, period)
        assert drill.kept(con, "2026-09").key != key  # another month: another key
        kept = frames.loads_map(body)
        was = kept["breakdown.exact"]["value"].iloc[0]
        kept["breakdown.exact"].iloc[0, list(kept["breakdown.exact"].columns).index("value")] = was + 1000
        frames.write(con, name, key, kept)
    views = _views(monkeypatch, "hr", period, kept=True)
    assert views[(scope, mid)][0]["value"].iloc[0] == was + 1000  # the kept view, read
    live = _views(monkeypatch, "hr", period, kept=False)
    assert live[(scope, mid)][0]["value"].iloc[0] == was
    # a load without the hook: nothing kept before it is read; the page works its view out
    later = load_next_month_without(copy_demo_db, drill._after_load, monkeypatch)
    with connect(copy_demo_db, read_only=True) as con:
        for at in (period, later):
            got = drill.kept(con, at)
            assert got.bodies and all(drill.picked(got, m, s, suppressed=x) is None
                                      for m in drill.DEFAULT_MEASURES for s in SCOPES for x in (False, True))
    views = _views(monkeypatch, "hr", later, kept=True)
    live = _views(monkeypatch, "hr", later, kept=False)
    for k, (b, c) in live.items():
        pd.testing.assert_frame_equal(views[k][0], b, check_exact=True)
        pd.testing.assert_frame_equal(views[k][1], c, check_exact=True)
