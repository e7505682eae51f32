"""Importing the published benchmark files: DfE CSWW indicators, the DfE statistical-neighbour
model, ONS Census 2021 ethnicity by area. Ingestion, so it lives in ingest/ (metrics.benchmarks
reads the imported tables back and compares them with our figures).

Why: a figure means little to a committee until it is set beside England, the region and the
council's statistical neighbours (the DfE's own comparison group). The project ships none of these
files; users import the published CSVs (or download them where the machine has internet).

Each import recognises the file from its header, validates it completely, and writes in one
transaction (a wrong or damaged file writes nothing). Every import is recorded in
`benchmark_imports` with the file name, SHA-256, who and when; importing the same file twice
changes nothing. DfE figures are kept as published (rates in percent, caseload in cases per FTE).

CLI: `python -m ingest.published import FILE... [--db PATH] [--by NAME]` and
`python -m ingest.published download [--url URL] [--out FILE] [--db PATH]`
(`python -m metrics.benchmarks import|download|show` still works and adds `show`).
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

from ingest.problems import IngestError

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


class BenchmarkError(IngestError):
    """A benchmark file or request that cannot be handled (nothing imported, unknown authority...)."""


class BenchmarkFileError(BenchmarkError):
    """A file that is not one of the published benchmark files, or is damaged; nothing written."""


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


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m ingest.published") -> int:
    """import FILE... | download [--url URL]: the published files into the store."""
    from store import BUSY_HELP, EXIT_BUSY, StoreBusy

    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0],
                                     epilog="exit codes: 0 done; 2 bad file, arguments or store; " + BUSY_HELP)
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    args = parser.parse_args(argv)
    try:
        run_command(args)
    except StoreBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except BenchmarkError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The `import` and `download` subcommands (metrics.benchmarks adds `show` beside them)."""
    p_imp = sub.add_parser("import", help="import published benchmark CSVs (recognised from their header)")
    p_imp.add_argument("files", nargs="+", metavar="FILE")
    p_imp.add_argument("--db", help="workforce store (default $WORKFORCE_DB or data/workforce.duckdb)")
    p_imp.add_argument("--by", default=os.environ.get("USER", "cli"), help="who is importing (for the ledger)")
    p_dl = sub.add_parser("download", help="download the published indicators CSV and import it")
    p_dl.add_argument("--url", default=DEFAULT_DOWNLOAD_URL)
    p_dl.add_argument("--out", default=None, help="where to save the CSV")
    p_dl.add_argument("--db")


def run_command(args: argparse.Namespace) -> None:
    """Run `import` or `download` (BenchmarkError when a file or the store is wrong)."""
    if args.command == "import":
        paths, by = args.files, args.by
    else:
        out = Path(args.out) if args.out else Path("data") / "benchmarks" / "csww_indicators_download.csv"
        paths, by = download(url=args.url, out=out), "download"
    con = connect(args.db)
    try:
        for r in import_files(con, paths=paths, imported_by=by):
            print(r)
            for note in r.notes:
                print(f"  note: {note}")
    finally:
        con.close()


if __name__ == "__main__":
    raise SystemExit(main())
