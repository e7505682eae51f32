"""The shared pieces of every metric query: periods, scope and filter checks, bind parameters.

Why a module of its own: the engine (catalogue figures) and metrics.detail (the pages' breakdown
frames) read the store by the same rules; both import these from here, so neither imports the
other (import-linter keeps it that way). Only identifiers from fixed whitelists (the breakdown
column) are ever placed into SQL text; values always travel as bind parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from metrics.types import BREAKDOWNS, SCOPES, MetricError
from store import AGENCY_SQL, EMPLOYED_SQL, LOADED_PERIODS_SQL, loaded_periods  # noqa: F401 (AGENCY_SQL, EMPLOYED_SQL: re-exported to the metric modules)
from store import periods as periods_

FILTER_KEYS = ("service", "team", "role_group")
#: Cases per FTE above which a case holder counts as over the threshold (DESIGN §4).
DEFAULT_CASELOAD_THRESHOLD = 20.0


def parse_period(value: date | datetime | str) -> date:
    """'YYYY-MM', 'YYYY-MM-DD' or a date -> first day of that month (store.periods), as a MetricError."""
    try:
        return periods_.parse_period(value)
    except periods_.PeriodError:
        raise MetricError(f"Period {value!r} is not a month: write it as YYYY-MM, e.g. 2025-09") from None


def check_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise MetricError(f"Unknown scope {scope!r}: choose one of {', '.join(SCOPES)}")


def check_by(by: str | None) -> None:
    if by is not None and by not in BREAKDOWNS:
        raise MetricError(f"Cannot break down by {by!r}: choose one of {', '.join(BREAKDOWNS)}")


def check_filters(filters: Mapping[str, Iterable[str]] | None) -> dict[str, list[str]]:
    clean: dict[str, list[str]] = {}
    for key, values in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise MetricError(f"Unknown filter {key!r}: filters are {', '.join(FILTER_KEYS)}")
        if values is None:
            continue
        if isinstance(values, str):
            values = [values]
        vals = [str(v) for v in values]
        if vals:
            clean[key] = vals
    return clean


def bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Only the named parameters the SQL uses (DuckDB refuses extras)."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in used}


def where(alias: str, filters: Mapping[str, list[str]], *, scoped: bool = True) -> str:
    """Scope (`$sw`) and filter (`$f_<key>`) predicate on a table aliased `alias` ('' or 'x.')."""
    parts = ["TRUE"]
    if scoped:
        parts.append(f"(NOT $sw OR {alias}qualified_social_worker)")
    for key in filters:
        parts.append(f"list_contains($f_{key}, {alias}{key})")
    return " AND ".join(parts)


def grp(alias: str, by: str | None) -> str:
    """The breakdown column (from the BREAKDOWNS whitelist) or a NULL group."""
    check_by(by)
    return f"{alias}{by}" if by else "NULL::VARCHAR"


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.UK(subdiv="ENG", years=year))


def working_days(period: date) -> int:
    """Mon-Fri in the month of `period` less England bank holidays (holidays.UK(subdiv='ENG'))."""
    start = parse_period(period)
    nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return int(np.busday_count(start, nxt, holidays=sorted(_bank_holidays(start.year))))


def calendar(pers: Sequence[date]) -> pd.DataFrame:
    """period, working_days for each period (registered as a relation by the engine)."""
    return pd.DataFrame(
        {"period": pd.to_datetime(list(pers)).date if pers else [],
         "working_days": [working_days(p) for p in pers]}
    ).astype({"working_days": "int64"})


def periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Loaded periods ascending (store.loaded_periods: active loads, plus any month with staff rows)."""
    return loaded_periods(con)


def latest_period(con: duckdb.DuckDBPyConnection) -> date:
    """The most recent loaded period; a named error when the store is empty."""
    pers = periods(con)
    if not pers:
        raise MetricError("No months are loaded yet: load a monthly extract first (python -m ingest)")
    return pers[-1]


def require_period(con: duckdb.DuckDBPyConnection, period: date | str) -> date:
    """`period` as a date when it is loaded; a named error listing the loaded periods otherwise."""
    p = parse_period(period)
    pers = periods(con)
    if p not in pers:
        loaded = ", ".join(x.strftime("%Y-%m") for x in pers) or "none"
        raise MetricError(f"Period {p:%Y-%m} is not loaded. Loaded periods: {loaded}")
    return p


#: Loaded periods, and how many of the months p-11..p are loaded (rolling windows).
PER_CTE = f"per AS ({LOADED_PERIODS_SQL})"
COV_CTE = (
    "cov AS (SELECT a.period, count(*)::INTEGER AS months_covered FROM per a JOIN per b "
    "ON b.period > a.period - INTERVAL 12 MONTH AND b.period <= a.period GROUP BY a.period)"
)
