"""metrics.detail.by_service: the detail frames behind the pages' tables of people, for every
service from one query, each exactly what the frame filtered to that service gives (the pages
protect the directorate's table and every service's together, and used to run one query per
service). Real DuckDB store built through the real loader (the demo)."""

from __future__ import annotations

import pandas as pd
import pytest

from metrics import detail, engine
from store import connect

CASES = [
    ("ratio_trend", {}),
    ("leavers_by_reason", {"period": True}),
    ("length_of_service_at_leaving", {"period": True}),
    ("caseload_distribution", {"period": True, "threshold": 18.0}),
    *[("profile", {"period": True, "dimension": d}) for d in detail.PROFILE_DIMENSIONS],
    ("conversions_by_month", {}),
]


@pytest.mark.parametrize("scope", ["social_workers", "all_staff"])
@pytest.mark.parametrize("name, extra", CASES, ids=[f"{n}-{e.get('dimension', '')}" for n, e in CASES])
def test_each_service_is_its_own_filtered_frame(demo_db, name, extra, scope):
    con = connect(demo_db, read_only=True)
    try:
        services = sorted({s for s, _ in detail.dimension_pairs(con)}) + ["A service with nobody"]
        kw = dict(extra, scope=scope)
        if kw.pop("period", False):
            kw["period"] = engine.periods(con)[-2]
        got = detail.by_service(con, name, services=services, **kw)
        assert list(got) == services
        fn = getattr(detail, name)
        rows = 0
        for s in services:
            want = fn(con, filters={"service": [s]}, **kw)
            pd.testing.assert_frame_equal(got[s], want, check_dtype=not want.empty)
            rows += len(want)
        assert rows > 0 and len(got["A service with nobody"]) == len(fn(con, filters={"service": ["A service with nobody"]}, **kw))
    finally:
        con.close()


def test_by_service_refuses_a_service_filter_and_unknown_frames(demo_db):
    from metrics.types import MetricError

    con = connect(demo_db, read_only=True)
    try:
        with pytest.raises(MetricError, match="by service"):
            detail.by_service(con, "agency_cover", services=["x"], period=engine.periods(con)[-1])
        with pytest.raises(MetricError, match="filter"):
            detail.by_service(con, "ratio_trend", services=["x"], filters={"service": ["x"]})
    finally:
        con.close()


@pytest.mark.parametrize("name", ["leavers_by_reason", "length_of_service_at_leaving"])
def test_a_leavers_tables_three_windows_from_one_query_are_its_own_frames(demo_db, name):
    """metrics.detail.leavers_windows: this month's 12 months, last month's and this month alone,
    for the directorate and every service, from one query: every month of the demo, both scopes,
    each frame exactly (values to the last bit, dtypes, row order: the order breaks ties in the
    disclosure policy's picks) what the pages read from the table's own queries (the
    directorate's and metrics.detail.by_service)."""
    from store.periods import previous_period

    con = connect(demo_db, read_only=True)
    try:
        services = sorted({s for s, _ in detail.dimension_pairs(con)}) + ["A service with nobody"]
        periods = [p.strftime("%Y-%m") for p in engine.periods(con)]
        fn = getattr(detail, name)
        compared = 0
        for scope in ("social_workers", "all_staff"):
            for period in periods[1:]:
                got = detail.leavers_windows(con, name, period=period, services=services, scope=scope)
                before = previous_period(period).strftime("%Y-%m")
                for window, (at, months) in {"now": (period, 12), "before": (before, 12),
                                             "month": (period, 1)}.items():
                    want = {None: fn(con, period=at, scope=scope, months=months),
                            **detail.by_service(con, name, services=services, scope=scope, period=at,
                                                months=months)}
                    assert list(got[window]) == list(want)
                    for view, frame in want.items():
                        pd.testing.assert_frame_equal(got[window][view], frame, check_exact=True,
                                                      obj=f"{period} {scope} {window} {view}")
                        compared += len(frame)
        assert compared > 1000
    finally:
        con.close()
