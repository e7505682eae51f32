"""Published benchmarks read back: DfE CSWW indicators, statistical neighbours, ONS ethnicity.

Why: a figure means little to a committee until it is set beside England, the region and the
council's statistical neighbours (the DfE's own comparison group). Importing the published files
is ingestion (ingest.published); this module reads the imported tables and sets our own figures
beside them.

Units: DfE figures are kept as published (rates in percent, caseload in cases per FTE); our own
values beside them (`our_value`) are converted to the same units. Which of our metrics matches
which DfE column is declared on the metric (metrics.catalogue: `dfe_indicator`, `dfe_compare`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from ingest.published import (  # noqa: F401  (the names pages and tests use from here)
    DFE_INDICATORS, DFE_LEVELS, INDICATOR_UNITS, KINDS, ONS_GROUPS, BenchmarkError,
    BenchmarkFileError, add_commands, connect, imports, run_command,
)
from metrics.catalogue import CATALOGUE
from metrics.types import MetricError

DEFAULT_LA_CODE = "884"  # Herefordshire (DfE old LA code); override with WORKFORCE_LA_CODE
LA_CODE_ENV = "WORKFORCE_LA_CODE"

#: our catalogue id -> the DfE indicator it is compared with (declared on each metric)
DFE_MAPPING: dict[str, str] = {m.id: m.dfe_indicator for m in CATALOGUE.values() if m.dfe_indicator}
#: those whose value itself is the published figure (in our units once rates are fractions), so the
#: pages can set England's figure beside ours; starters is compared by its numerator (FTE) instead
OUR_TO_DFE: dict[str, str] = {
    mid: ind for mid, ind in DFE_MAPPING.items() if CATALOGUE[mid].dfe_compare == "value"}


def default_la_code() -> str:
    """The chosen local authority: `$WORKFORCE_LA_CODE`, else 884 (Herefordshire)."""
    return (os.environ.get(LA_CODE_ENV) or DEFAULT_LA_CODE).strip()


@dataclass(frozen=True, kw_only=True)
class LocalAuthority:
    old_la_code: str
    new_la_code: str | None
    la_name: str
    region_code: str | None
    region_name: str | None


def _has_rows(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def local_authority(con: duckdb.DuckDBPyConnection, *, la_code: str | None = None) -> LocalAuthority:
    """The LA by old (884) or new (E06000019) code, from the latest DfE year that has it."""
    code = (la_code or default_la_code()).strip()
    if not _has_rows(con, "dfe_indicators"):
        raise BenchmarkError(
            "No DfE indicators imported yet: run `python -m metrics.benchmarks import "
            "csww_indicators_....csv` (or use the import button on the Benchmarks page)."
        )
    row = con.execute(
        """SELECT old_la_code, new_la_code, la_name, region_code, region_name
           FROM dfe_indicators
           WHERE geographic_level = 'Local authority' AND (old_la_code = ? OR new_la_code = ?)
           ORDER BY year DESC LIMIT 1""",
        [code, code],
    ).fetchone()
    if row is None:
        raise BenchmarkError(f"Local authority {code!r} is not in the imported DfE indicators (use the old 3-digit code such as 884, or the new code such as E06000019).")
    return LocalAuthority(old_la_code=row[0], new_la_code=row[1], la_name=row[2], region_code=row[3], region_name=row[4])


LOCAL_AUTHORITY_COLUMNS: tuple[str, ...] = ("old_la_code", "new_la_code", "la_name", "region_name", "last_year")


def local_authorities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every local authority in the imported DfE indicators, sorted by name, so any can be compared.

    One row per old LA code, described as in the latest year that has it: old_la_code,
    new_la_code, la_name, region_name, last_year (earlier than the file's latest year for a
    council since reorganised, e.g. Dorset 835 to 2018). Raises BenchmarkError when no DfE
    indicators have been imported.
    """
    if not _has_rows(con, "dfe_indicators"):
        raise BenchmarkError(
            "No DfE indicators imported yet, so there are no local authorities to choose from: run "
            "`python -m metrics.benchmarks import csww_indicators_....csv` (or use the import button "
            "on the Benchmarks page)."
        )
    return con.execute(
        """SELECT old_la_code,
                  arg_max(new_la_code, year) AS new_la_code,
                  arg_max(la_name, year) AS la_name,
                  arg_max(region_name, year) AS region_name,
                  max(year)::INTEGER AS last_year
           FROM dfe_indicators
           WHERE geographic_level = 'Local authority' AND old_la_code IS NOT NULL
           GROUP BY old_la_code
           ORDER BY la_name, old_la_code"""
    ).df()[list(LOCAL_AUTHORITY_COLUMNS)].reset_index(drop=True)


def neighbours(con: duckdb.DuckDBPyConnection, *, la_code: str | None = None) -> pd.DataFrame:
    """The LA's statistical neighbours (rank, code, name, closeness); empty when no model imported."""
    la = local_authority(con, la_code=la_code)
    return con.execute(
        """SELECT s.rank, s.sn_old_la_code AS old_la_code,
                  coalesce(max(d.la_name), max(o.la_name)) AS la_name, s.closeness
           FROM sn_model s
           LEFT JOIN dfe_indicators d ON d.old_la_code = s.sn_old_la_code AND d.geographic_level = 'Local authority'
           LEFT JOIN sn_model o ON o.old_la_code = s.sn_old_la_code
           WHERE s.old_la_code = ?
           GROUP BY s.rank, s.sn_old_la_code, s.closeness ORDER BY s.rank""",
        [la.old_la_code],
    ).df()


_COMPARISON_SQL = """
WITH sn AS (SELECT sn_old_la_code FROM sn_model WHERE old_la_code = $la)
SELECT indicator, year,
       max(value) FILTER (WHERE geographic_level = 'Local authority' AND old_la_code = $la) AS la_value,
       max(value) FILTER (WHERE geographic_level = 'Regional' AND region_code = $region) AS region_value,
       max(value) FILTER (WHERE geographic_level = 'National') AS england_value,
       median(value) FILTER (WHERE geographic_level = 'Local authority'
                             AND old_la_code IN (SELECT sn_old_la_code FROM sn)) AS sn_median,
       count(value) FILTER (WHERE geographic_level = 'Local authority'
                            AND old_la_code IN (SELECT sn_old_la_code FROM sn)) AS sn_count
FROM dfe_indicators
GROUP BY indicator, year
"""


def comparison(
    con: duckdb.DuckDBPyConnection,
    *,
    la_code: str | None = None,
    indicators: Sequence[str] | None = None,
    include_ours: bool = True,
    scope: str = "social_workers",
) -> pd.DataFrame:
    """Long table: indicator, year, la_value, region_value, england_value, sn_median, sn_count.

    Also unit, metric_id (our catalogue id where we compute the same figure) and our_value (our 30
    September value in the published unit) when `include_ours` and the workforce store has it.
    """
    la = local_authority(con, la_code=la_code)
    frame = con.execute(_COMPARISON_SQL, {"la": la.old_la_code, "region": la.region_code}).df()
    order = {ind: k for k, ind in enumerate(DFE_INDICATORS)}
    if indicators is not None:
        unknown = [i for i in indicators if i not in order]
        if unknown:
            raise BenchmarkError(f"Unknown DfE indicator(s) {', '.join(unknown)}; known: {', '.join(DFE_INDICATORS)}.")
        frame = frame[frame["indicator"].isin(list(indicators))]
    frame = frame.assign(_o=frame["indicator"].map(order)).sort_values(["_o", "year"]).drop(columns="_o")
    frame["sn_count"] = frame["sn_count"].astype(int)
    frame["year"] = frame["year"].astype(int)
    frame["unit"] = frame["indicator"].map(INDICATOR_UNITS)
    dfe_to_ours = {v: k for k, v in DFE_MAPPING.items()}
    frame["metric_id"] = frame["indicator"].map(dfe_to_ours)
    frame["our_value"] = float("nan")
    if include_ours and _has_workforce(con):
        ours = our_30_september(con, scope=scope)
        if not ours.empty:
            lookup = {(r.indicator, int(r.year)): r.published_value for r in ours.itertuples()}
            frame["our_value"] = [
                lookup.get((ind, int(y)), float("nan")) for ind, y in zip(frame["indicator"], frame["year"])
            ]
    frame.insert(0, "la_code", la.old_la_code)
    frame.insert(1, "la_name", la.la_name)
    return frame.reset_index(drop=True)


def _has_workforce(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return bool(con.execute("SELECT count(*) FROM loads WHERE active").fetchone()[0])
    except duckdb.Error:
        return False


def our_30_september(con: duckdb.DuckDBPyConnection, *, scope: str = "social_workers") -> pd.DataFrame:
    """Our own figures at each loaded September month end, beside the DfE's 30 September census.

    Columns: year, metric_id, indicator, value (engine units: rates as fractions),
    published_value (DfE units: rates in percent), months_covered, partial. Where a metric is
    declared `dfe_compare="numerator"` (DfE publishes our numerator, e.g. starters FTE), value is
    that numerator.
    """
    from metrics import engine  # lazily: the engine is heavier than the comparison needs

    cols = ["year", "metric_id", "indicator", "value", "published_value", "months_covered", "partial"]
    septembers = [p for p in engine.periods(con) if p.month == 9]
    if not septembers:
        return pd.DataFrame(columns=cols)
    # one read from the first September to the last, its Septembers kept: a read per September
    # checked the kept values and the loaded months again each time (~10 ms a September)
    every = engine.history(con, scope=scope, metric_ids=list(DFE_MAPPING), start=septembers[0], end=septembers[-1])
    res = every[pd.to_datetime(every["period"]).dt.month.isin([9]).to_numpy()].reset_index(drop=True)
    res = res[res["group"].isna()] if "group" in res.columns else res
    res["year"] = pd.to_datetime(res["period"]).dt.year
    res["indicator"] = res["metric_id"].map(DFE_MAPPING)
    rate = res["indicator"].map(INDICATOR_UNITS).eq("percent")
    by_numerator = res["metric_id"].map(lambda m: CATALOGUE[m].dfe_compare == "numerator")
    value = pd.to_numeric(res["value"].where(~by_numerator, res["numerator"]), errors="coerce")
    res["value"] = value
    res["published_value"] = value.where(~rate, value * 100)
    for c in ("months_covered", "partial"):
        if c not in res.columns:
            res[c] = None
    return res[cols].sort_values(["metric_id", "year"]).reset_index(drop=True)


def county_ethnicity(
    con: duckdb.DuckDBPyConnection, *, la_code: str | None = None, la_name: str | None = None
) -> pd.DataFrame:
    """The county population by ethnic group (ONS Census 2021): group, count, share (0..1)."""
    if not _has_rows(con, "ons_ethnicity"):
        raise BenchmarkError(
            "No ONS ethnicity by area imported yet: run `python -m metrics.benchmarks import "
            "ons-ethnic-population-la.csv`."
        )
    area_code = None
    if la_name is not None and la_code is None:
        row = con.execute(
            "SELECT area_code FROM ons_ethnicity WHERE lower(area_name) = lower(?) LIMIT 1", [la_name.strip()]
        ).fetchone()
        if row is None and _has_rows(con, "dfe_indicators"):
            row = con.execute(
                "SELECT new_la_code FROM dfe_indicators WHERE lower(la_name) = lower(?) LIMIT 1", [la_name.strip()]
            ).fetchone()
        if row is None:
            raise BenchmarkError(f"No area called {la_name!r} in the ONS ethnicity or DfE files.")
        area_code = row[0]
    else:
        code = (la_code or default_la_code()).strip()
        if re.fullmatch(r"[EWSN]\d{8}", code):
            area_code = code
        else:
            area_code = local_authority(con, la_code=code).new_la_code
    frame = con.execute(
        """SELECT ethnic_group AS "group", sum(observation)::BIGINT AS count
           FROM ons_ethnicity WHERE area_code = ? GROUP BY ethnic_group""",
        [area_code],
    ).df()
    if frame.empty:
        raise BenchmarkError(f"Area {area_code} is not in the imported ONS ethnicity file.")
    frame["group"] = pd.Categorical(frame["group"], categories=list(ONS_GROUPS), ordered=True)
    frame = frame.sort_values("group").reset_index(drop=True)
    frame["group"] = frame["group"].astype(str)
    frame["share"] = frame["count"] / frame["count"].sum()
    return frame


# ------------------------------------------------------------------------------------------
# command line


def _fmt(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else f"{v:g}" if isinstance(v, float) else str(v)


def main(argv: Sequence[str] | None = None) -> int:
    """python -m metrics.benchmarks import FILE... | show [--la 884] | download [--url URL]."""
    from store import BUSY_HELP, StoreBusy, report_for_cli

    parser = argparse.ArgumentParser(prog="python -m metrics.benchmarks", description=__doc__.splitlines()[0],
                                     epilog="exit codes: 0 done; 2 bad file, arguments or store; " + BUSY_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)  # import, download: ingest.published
    p_show = sub.add_parser("show", help="print the comparison for a local authority")
    p_show.add_argument("--la", default=None, help=f"old or new LA code (default ${LA_CODE_ENV} or {DEFAULT_LA_CODE})")
    p_show.add_argument("--db")
    p_show.add_argument("--year", type=int, default=None, help="only this year (default: latest)")
    args = parser.parse_args(argv)
    try:
        if args.command != "show":
            run_command(args)
            return 0
        con = connect(args.db)
        try:
            frame = comparison(con, la_code=args.la)
        finally:
            con.close()
        year = args.year or int(frame["year"].max())
        frame = frame[frame["year"] == year]
        print(f"{frame['la_name'].iloc[0]} ({frame['la_code'].iloc[0]}), 30 September {year}")
        cols = ["indicator", "unit", "la_value", "region_value", "england_value", "sn_median", "sn_count", "our_value"]
        print(frame[cols].to_string(index=False, formatters={c: _fmt for c in cols}))
    except StoreBusy as exc:
        return report_for_cli(exc)
    except (BenchmarkError, MetricError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
