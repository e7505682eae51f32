"""Published benchmarks: DfE CSWW indicators, statistical neighbours, ONS ethnicity by area.

Why: a figure means little to a committee until it is set beside England, the region and the
council's statistical neighbours (the DfE's own comparison group). The project ships none of these
files; users import the published CSVs (or download them where the machine has internet).

Each import recognises the file from its header, validates it completely, and writes in one
transaction (a wrong or damaged file writes nothing). Every import is recorded in
`benchmark_imports` with the file name, SHA-256, who and when; importing the same file twice
changes nothing.

Units: DfE figures are kept as published (rates in percent, caseload in cases per FTE); our own
values beside them (`our_value`) are converted to the same units.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from metrics.types import MetricError

DEFAULT_LA_CODE = "884"  # Herefordshire (DfE old LA code); override with WORKFORCE_LA_CODE
LA_CODE_ENV = "WORKFORCE_LA_CODE"
MAX_FILE_BYTES = 200 * 1024 * 1024

# The published Explore Education Statistics dataset ("Children's social work workforce",
# indicators by local authority). The address can move between releases: pass --url to override.
DEFAULT_DOWNLOAD_URL = (
    "https://explore-education-statistics.service.gov.uk/find-statistics/"
    "children-s-social-work-workforce"
)

DFE_ID_COLUMNS: tuple[str, ...] = (
    "time_period", "time_identifier", "geographic_level", "country_code", "country_name",
    "region_code", "region_name", "old_la_code", "new_la_code", "la_name",
)
DFE_INDICATORS: tuple[str, ...] = (
    "inpost_fte", "inpost_headcount", "starters_fte", "starters_headcount", "leavers_fte",
    "leavers_headcount", "turnover_rate_fte", "turnover_rate_headcount", "agency_fte",
    "agency_headcount", "agency_rate_fte", "agency_rate_headcount", "agency_cover_fte",
    "agency_cover_rate_fte", "vacancy_fte", "vacancy_rate_fte", "vacancy_agency_cover_rate_fte",
    "case_holders_fte", "cases", "caseload_fte", "working_days_lost_fte", "absence_rate_fte",
)
DFE_LEVELS: tuple[str, ...] = ("National", "Regional", "Local authority")

INDICATOR_UNITS: dict[str, str] = {
    **{i: "FTE" for i in DFE_INDICATORS if i.endswith("_fte")},
    **{i: "headcount" for i in DFE_INDICATORS if i.endswith("_headcount")},
    **{i: "percent" for i in DFE_INDICATORS if "_rate_" in i},
    "cases": "cases",
    "caseload_fte": "cases per FTE",
    "working_days_lost_fte": "days",
}

# our catalogue id -> DfE indicator (the five figures DfE publishes at 30 September)
OUR_TO_DFE: dict[str, str] = {
    "agency_rate_fte": "agency_rate_fte",
    "turnover_rate_fte_12m": "turnover_rate_fte",
    "vacancy_rate_fte": "vacancy_rate_fte",
    "avg_caseload": "caseload_fte",
    "absence_rate": "absence_rate_fte",
}

SN_COLUMNS: tuple[str, ...] = ("old_la_code", "la_name", *(f"SN_{k}" for k in range(1, 11)))

ONS_CATEGORY_CODE = "Ethnic group (20 categories) Code"
ONS_CATEGORY = "Ethnic group (20 categories)"
ONS_OBSERVATION = "Observation"
ONS_GROUPS: tuple[str, ...] = ("White", "Mixed", "Asian", "Black", "Other")
_ONS_PREFIX: tuple[tuple[str, str], ...] = (
    ("asian", "Asian"),
    ("black", "Black"),
    ("mixed", "Mixed"),
    ("white", "White"),
    ("other ethnic group", "Other"),
)

KINDS: dict[str, str] = {
    "dfe_indicators": "DfE children's social work workforce indicators (csww_indicators_*.csv)",
    "sn_model": "DfE statistical neighbour model (sn_model_*_wide.csv)",
    "ons_ethnicity": "ONS Census 2021 ethnic group (20 categories) by area (ons-ethnic-population-*.csv)",
}

# The tables (benchmark_imports, dfe_indicators, sn_model, ons_ethnicity) are in store/migrations.


_TABLE_OF = {"dfe_indicators": "dfe_indicators", "sn_model": "sn_model", "ons_ethnicity": "ons_ethnicity"}


class BenchmarkError(MetricError):
    """A benchmark request that cannot be answered (nothing imported, unknown local authority)."""


class BenchmarkFileError(BenchmarkError):
    """A file that is not one of the published benchmark files, or is damaged; nothing written."""


def default_la_code() -> str:
    """The chosen local authority: `$WORKFORCE_LA_CODE`, else 884 (Herefordshire)."""
    return (os.environ.get(LA_CODE_ENV) or DEFAULT_LA_CODE).strip()


# ------------------------------------------------------------------------------------------
# reading and validating


@dataclass(frozen=True, kw_only=True)
class ParsedFile:
    """One validated file ready to write."""

    kind: str
    file_name: str
    sha256: str
    frame: pd.DataFrame            # rows in the shape of the target table (without import_id)
    scope: str | None = None       # ons_ethnicity: the area level it covers
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    kind: str
    file_name: str
    sha256: str
    rows: int
    outcome: str                   # "imported" | "replaced" | "unchanged"
    import_id: int | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.file_name}: {KINDS[self.kind]} — {self.outcome}, {self.rows:,} rows"


def _read_csv(data: bytes, file_name: str) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise BenchmarkFileError(f"{file_name}: not a text CSV file ({exc}).") from exc
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise BenchmarkFileError(f"{file_name}: could not be read as CSV ({exc}).") from exc


def _norm_header(col: object) -> str:
    return str(col).replace("\ufeff", "").strip()


def detect_kind(columns: Sequence[str]) -> str:
    """Which published file a header belongs to; a named error says what was expected."""
    cols = [_norm_header(c) for c in columns]
    colset = set(cols)
    if {"time_period", "geographic_level"} <= colset:
        missing = [c for c in DFE_ID_COLUMNS + DFE_INDICATORS if c not in colset]
        if missing:
            raise BenchmarkFileError(
                "This looks like a DfE indicators file but lacks the columns "
                f"{', '.join(missing)}. Download the 'children's social work workforce indicators' "
                "CSV from Explore Education Statistics (columns as in csww_indicators_2017_to_2025.csv)."
            )
        return "dfe_indicators"
    if "old_la_code" in colset and any(re.fullmatch(r"SN_?\d+", c) for c in cols):
        missing = [c for c in SN_COLUMNS if c not in colset]
        if missing:
            raise BenchmarkFileError(
                "This looks like a statistical neighbour file but lacks the columns "
                f"{', '.join(missing)} (expected the format of sn_model_2025_wide.csv)."
            )
        return "sn_model"
    if ONS_CATEGORY in colset or ONS_OBSERVATION in colset:
        ok = (
            len(cols) >= 5
            and cols[0].endswith(" Code")
            and cols[2:5] == [ONS_CATEGORY_CODE, ONS_CATEGORY, ONS_OBSERVATION]
        )
        if not ok:
            raise BenchmarkFileError(
                "This looks like an ONS census file but its columns are "
                f"{', '.join(cols[:6])}; expected '<area> Code', '<area>', "
                f"'{ONS_CATEGORY_CODE}', '{ONS_CATEGORY}', '{ONS_OBSERVATION}' "
                "(ethnic group, 20 categories, by area)."
            )
        return "ons_ethnicity"
    raise BenchmarkFileError(
        "Not a benchmark file this dashboard knows. Expected one of: "
        + "; ".join(KINDS.values())
        + f". Its first columns are: {', '.join(cols[:6]) or '(none)'}."
    )


def _bad_rows(problems: list[str], file_name: str) -> None:
    if problems:
        shown = problems[:10]
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise BenchmarkFileError(
            f"{file_name}: nothing imported; fix these and import again: " + "; ".join(shown) + more
        )


def _parse_dfe(raw: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    raw = raw.rename(columns=_norm_header)
    raw = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    problems: list[str] = []
    notes: list[str] = []
    line = pd.Series(range(2, len(raw) + 2), index=raw.index)  # line 1 is the header
    years = pd.to_numeric(raw["time_period"], errors="coerce")
    bad_year = years.isna() | ~years.between(2000, 2100)
    for i in raw.index[bad_year][:10]:
        problems.append(f"line {line[i]}: time_period {raw.at[i, 'time_period']!r} is not a year")
    unknown_level = ~raw["geographic_level"].isin(DFE_LEVELS)
    if unknown_level.any():
        levels = sorted(set(raw.loc[unknown_level, "geographic_level"]))
        notes.append(f"{int(unknown_level.sum())} rows at other levels ({', '.join(levels)}) ignored")
    la = raw["geographic_level"] == "Local authority"
    for i in raw.index[la & (raw["old_la_code"] == "")][:10]:
        problems.append(f"line {line[i]}: a local authority row without old_la_code")
    keep = ~unknown_level & ~bad_year
    if not (raw["geographic_level"] == "National").any():
        problems.append("no National (England) rows")
    if len(raw) == 0:
        problems.append("the file has no rows")
    dup = raw[keep].duplicated(subset=["time_period", "geographic_level", "region_code", "old_la_code"], keep=False)
    for i in raw[keep].index[dup][:5]:
        problems.append(f"line {line[i]}: the same area and year appears twice")
    _bad_rows(problems, file_name)
    body = raw[keep].copy()
    body["year"] = years[keep].astype(int)
    long = body.melt(
        id_vars=["year", "geographic_level", "country_code", "region_code", "region_name",
                 "old_la_code", "new_la_code", "la_name"],
        value_vars=list(DFE_INDICATORS), var_name="indicator", value_name="text",
    )
    long["value"] = pd.to_numeric(long["text"].str.replace(",", "", regex=False), errors="coerce")
    infinite = long["value"].abs() == float("inf")  # "inf", "-Infinity", "1e999": never a figure
    for r in long[infinite].head(10).itertuples(index=False):
        problems.append(f"{r.indicator} for {r.la_name or r.region_name or 'England'} in {r.year} "
                        f"is {r.text!r}, not a finite number")
    _bad_rows(problems, file_name)
    long["marker"] = long["text"].where(long["value"].isna() & (long["text"] != ""), None)
    long = long.drop(columns="text")
    for col in ("country_code", "region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        long[col] = long[col].where(long[col] != "", None)
    order = ["year", "geographic_level", "country_code", "region_code", "region_name",
             "old_la_code", "new_la_code", "la_name", "indicator", "value", "marker"]
    return long[order], tuple(notes)


def _parse_sn(raw: pd.DataFrame, file_name: str) -> pd.DataFrame:
    raw = raw.rename(columns=_norm_header)
    raw = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    problems: list[str] = []
    rows = []
    for n, (i, r) in enumerate(raw.iterrows(), start=2):
        code = r["old_la_code"]
        if not re.fullmatch(r"\d{3}", code or ""):
            problems.append(f"line {n}: old_la_code {code!r} is not a 3-digit LA code")
            continue
        for k in range(1, 11):
            sn = r[f"SN_{k}"]
            if sn == "":
                continue
            if not re.fullmatch(r"\d{3}", sn):
                problems.append(f"line {n}: SN_{k} {sn!r} is not a 3-digit LA code")
                continue
            rows.append({
                "old_la_code": code, "la_name": r["la_name"],
                "region_name": r.get("region_name") or None, "rank": k,
                "sn_old_la_code": sn, "closeness": (r.get(f"SN_{k}P") or None),
            })
    if raw["old_la_code"].duplicated().any():
        problems.append("an old_la_code appears on more than one line")
    if not rows:
        problems.append("the file has no neighbours")
    _bad_rows(problems, file_name)
    return pd.DataFrame(rows, columns=["old_la_code", "la_name", "region_name", "rank", "sn_old_la_code", "closeness"])


def _ons_group(category: str) -> str | None:
    low = category.strip().lower()
    for prefix, group in _ONS_PREFIX:
        if low.startswith(prefix):
            return group
    return None


def _parse_ons(raw: pd.DataFrame, file_name: str) -> tuple[pd.DataFrame, str]:
    cols = [_norm_header(c) for c in raw.columns]
    raw = raw.copy()
    raw.columns = cols
    raw = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
    area_kind = cols[1].lower()
    level = "national" if "countr" in area_kind else "regional" if "region" in area_kind else "local authority"
    problems: list[str] = []
    out = []
    for n, r in enumerate(raw.itertuples(index=False), start=2):
        code_text, category, obs_text = r[2], r[3], r[4]
        try:
            code = int(code_text)
            obs = int(float(obs_text))  # "inf" overflows and "nan" is no number: both refused
        except (ValueError, OverflowError):
            problems.append(f"line {n}: category code {code_text!r} / observation {obs_text!r} not whole numbers")
            continue
        if code < 0:  # "Does not apply"
            continue
        group = _ons_group(category)
        if group is None:
            problems.append(f"line {n}: ethnic group {category!r} is not one of the ONS 20 categories")
            continue
        if obs < 0:
            problems.append(f"line {n}: observation {obs} is negative")
            continue
        out.append({"area_level": level, "area_code": r[0], "area_name": r[1], "category_code": code,
                    "category": category, "ethnic_group": group, "observation": obs})
    if not out:
        problems.append("the file has no ethnic group rows")
    _bad_rows(problems, file_name)
    return pd.DataFrame(out), level


def parse_file(*, path: str | Path | None = None, data: bytes | None = None, file_name: str | None = None) -> ParsedFile:
    """Read and validate one benchmark file (from `path`, or `data` uploaded with `file_name`)."""
    if data is None:
        if path is None:
            raise BenchmarkFileError("Give a file path or the file's bytes.")
        p = Path(path)
        if not p.is_file():
            raise BenchmarkFileError(f"{p}: no such file.")
        if p.stat().st_size > MAX_FILE_BYTES:
            raise BenchmarkFileError(f"{p.name}: larger than {MAX_FILE_BYTES // 2**20} MB; not a benchmark file.")
        data = p.read_bytes()
        file_name = file_name or p.name
    name = file_name or "uploaded file"
    if len(data) > MAX_FILE_BYTES:
        raise BenchmarkFileError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB; not a benchmark file.")
    if data[:2] == b"PK":
        raise BenchmarkFileError(f"{name}: this is a zip or Excel file; import the CSV inside it.")
    raw = _read_csv(data, name)
    try:
        kind = detect_kind(list(raw.columns))
    except BenchmarkFileError as exc:
        raise BenchmarkFileError(f"{name}: {exc}") from None
    sha = hashlib.sha256(data).hexdigest()
    if kind == "dfe_indicators":
        frame, notes = _parse_dfe(raw, name)
        return ParsedFile(kind=kind, file_name=name, sha256=sha, frame=frame, notes=notes)
    if kind == "sn_model":
        return ParsedFile(kind=kind, file_name=name, sha256=sha, frame=_parse_sn(raw, name))
    frame, level = _parse_ons(raw, name)
    return ParsedFile(kind=kind, file_name=name, sha256=sha, frame=frame, scope=level)


# ------------------------------------------------------------------------------------------
# writing


def _current_sha(con: duckdb.DuckDBPyConnection, kind: str, scope: str | None) -> str | None:
    row = con.execute(
        "SELECT sha256 FROM benchmark_imports WHERE kind = ? AND scope IS NOT DISTINCT FROM ? "
        "ORDER BY import_id DESC LIMIT 1",
        [kind, scope],
    ).fetchone()
    return row[0] if row else None


def import_parsed(
    con: duckdb.DuckDBPyConnection, *, files: Sequence[ParsedFile], imported_by: str = "cli"
) -> list[ImportResult]:
    """Write validated files in one transaction: each replaces the earlier import of its kind."""
    results: list[ImportResult] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for f in files:
            table = _TABLE_OF[f.kind]
            if _current_sha(con, f.kind, f.scope) == f.sha256:
                results.append(ImportResult(kind=f.kind, file_name=f.file_name, sha256=f.sha256,
                                            rows=len(f.frame), outcome="unchanged", import_id=None, notes=f.notes))
                continue
            if f.kind == "ons_ethnicity":
                had = con.execute(f"SELECT count(*) FROM {table} WHERE area_level = ?", [f.scope]).fetchone()[0]
                con.execute(f"DELETE FROM {table} WHERE area_level = ?", [f.scope])
            else:
                had = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                con.execute(f"DELETE FROM {table}")
            import_id = con.execute("SELECT nextval('benchmark_import_seq')").fetchone()[0]
            con.execute(
                "INSERT INTO benchmark_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [import_id, f.kind, f.scope, f.file_name, f.sha256, len(f.frame), imported_by,
                 datetime.now(timezone.utc).replace(tzinfo=None)],
            )
            frame = f.frame.copy()
            frame.insert(0, "import_id", import_id)
            con.register("_benchmark_rows", frame)
            try:
                cols = ", ".join(frame.columns)
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _benchmark_rows")
            finally:
                con.unregister("_benchmark_rows")
            results.append(ImportResult(kind=f.kind, file_name=f.file_name, sha256=f.sha256,
                                        rows=len(f.frame), outcome="replaced" if had else "imported",
                                        import_id=int(import_id), notes=f.notes))
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return results


def import_files(
    con: duckdb.DuckDBPyConnection, *, paths: Iterable[str | Path], imported_by: str = "cli"
) -> list[ImportResult]:
    """Validate every file first, then write them all in one transaction (any error: nothing)."""
    parsed = [parse_file(path=p) for p in paths]
    kinds = [(f.kind, f.scope) for f in parsed]
    if len(set(kinds)) != len(kinds):
        raise BenchmarkFileError("Two of the files are the same kind of benchmark; import one of each.")
    return import_parsed(con, files=parsed, imported_by=imported_by)


def import_bytes(
    con: duckdb.DuckDBPyConnection, *, data: bytes, file_name: str, imported_by: str
) -> ImportResult:
    """The upload button's path: one file's bytes, validated and written in one transaction."""
    return import_parsed(con, files=[parse_file(data=data, file_name=file_name)], imported_by=imported_by)[0]


def imports(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The import ledger, newest first."""
    return con.execute("SELECT * FROM benchmark_imports ORDER BY import_id DESC").df()


# ------------------------------------------------------------------------------------------
# reading back


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
    dfe_to_ours = {v: k for k, v in OUR_TO_DFE.items()}
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
    published_value (DfE units: rates in percent), months_covered, partial.
    """
    from metrics import engine  # lazily: the engine is the layer beside us, not below

    cols = ["year", "metric_id", "indicator", "value", "published_value", "months_covered", "partial"]
    septembers = [p for p in engine.periods(con) if p.month == 9]
    if not septembers:
        return pd.DataFrame(columns=cols)
    parts = [
        engine.compute(con, period=p, scope=scope, metric_ids=list(OUR_TO_DFE)) for p in septembers
    ]
    res = pd.concat(parts, ignore_index=True)
    res = res[res["group"].isna()] if "group" in res.columns else res
    res["year"] = pd.to_datetime(res["period"]).dt.year
    res["indicator"] = res["metric_id"].map(OUR_TO_DFE)
    rate = res["indicator"].map(INDICATOR_UNITS).eq("percent")
    value = pd.to_numeric(res["value"], errors="coerce")
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
# download (where the machine has internet)


def download(*, url: str = DEFAULT_DOWNLOAD_URL, out: str | Path, timeout: float = 30.0) -> list[Path]:
    """Fetch a published CSV (or the release's "download all data" zip) into `out`.

    Returns the benchmark CSVs saved (from a zip: every member this module recognises). A named
    error says plainly when the machine is offline or the address gives a web page instead.
    """
    import urllib.error
    import urllib.request
    import zipfile

    if not url.lower().startswith(("https://", "http://")):
        raise BenchmarkError(f"Only http(s) addresses can be downloaded, not {url!r}.")
    target = Path(out)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - http(s) only
            data = resp.read(MAX_FILE_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise BenchmarkError(
            f"Could not download {url} ({exc}). This machine may have no internet: download the "
            "CSV in a browser from Explore Education Statistics and run "
            "`python -m metrics.benchmarks import FILE`."
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise BenchmarkError(f"{url} is larger than {MAX_FILE_BYTES // 2**20} MB; not a benchmark file.")
    if data[:15].lstrip().lower().startswith((b"<!doctype", b"<html")):
        raise BenchmarkError(
            f"{url} returned a web page, not a CSV. Open it in a browser, download the CSV (or the "
            "'Download all data' zip) and import it, or pass --url with the file's own address."
        )
    if data[:2] != b"PK":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return [target]
    saved: list[Path] = []
    folder = target.parent if target.suffix else target
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if not info.filename.lower().endswith(".csv") or info.file_size > MAX_FILE_BYTES:
                continue
            member = zf.read(info)
            try:
                detect_kind(list(_read_csv(member[:20000].split(b"\n", 1)[0] + b"\n", info.filename).columns))
            except BenchmarkFileError:
                continue
            path = folder / Path(info.filename).name   # never a path from inside the zip
            path.write_bytes(member)
            saved.append(path)
    if not saved:
        raise BenchmarkError(f"{url}: the zip holds no benchmark CSV this dashboard recognises.")
    return saved


# ------------------------------------------------------------------------------------------
# command line


def _fmt(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else f"{v:g}" if isinstance(v, float) else str(v)


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open the workforce store (store.connect), naming a failure as a BenchmarkError (a busy
    store stays store.StoreBusy, so the command line can exit with store.EXIT_BUSY)."""
    from store import StoreBusy, StoreError
    from store import connect as store_connect

    try:
        return store_connect(path)
    except StoreBusy:
        raise
    except StoreError as exc:
        raise BenchmarkError(str(exc)) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """python -m metrics.benchmarks import FILE... | show [--la 884] | download [--url URL]."""
    from store import BUSY_HELP, EXIT_BUSY, StoreBusy

    parser = argparse.ArgumentParser(prog="python -m metrics.benchmarks", description=__doc__.splitlines()[0],
                                     epilog="exit codes: 0 done; 2 bad file, arguments or store; " + BUSY_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    p_imp = sub.add_parser("import", help="import published benchmark CSVs (recognised from their header)")
    p_imp.add_argument("files", nargs="+", metavar="FILE")
    p_imp.add_argument("--db", help="workforce store (default $WORKFORCE_DB or data/workforce.duckdb)")
    p_imp.add_argument("--by", default=os.environ.get("USER", "cli"), help="who is importing (for the ledger)")
    p_show = sub.add_parser("show", help="print the comparison for a local authority")
    p_show.add_argument("--la", default=None, help=f"old or new LA code (default ${LA_CODE_ENV} or {DEFAULT_LA_CODE})")
    p_show.add_argument("--db")
    p_show.add_argument("--year", type=int, default=None, help="only this year (default: latest)")
    p_dl = sub.add_parser("download", help="download the published indicators CSV and import it")
    p_dl.add_argument("--url", default=DEFAULT_DOWNLOAD_URL)
    p_dl.add_argument("--out", default=None, help="where to save the CSV")
    p_dl.add_argument("--db")
    args = parser.parse_args(argv)

    try:
        if args.command == "import":
            con = connect(args.db)
            try:
                for r in import_files(con, paths=args.files, imported_by=args.by):
                    print(r)
                    for note in r.notes:
                        print(f"  note: {note}")
            finally:
                con.close()
        elif args.command == "show":
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
        else:
            out = Path(args.out) if args.out else Path("data") / "benchmarks" / "csww_indicators_download.csv"
            paths = download(url=args.url, out=out)
            con = connect(args.db)
            try:
                for r in import_files(con, paths=paths, imported_by="download"):
                    print(r)
            finally:
                con.close()
    except StoreBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except MetricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
