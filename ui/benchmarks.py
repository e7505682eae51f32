"""Glue for the Benchmarks page: the DfE published figures for the council, its region, England
and statistical neighbours, cached per import, and the import of the published CSV files.

Why a module of its own: the page stays thin, and the import path checks the role again on the
server. The chart itself is `ui.charts.benchmark_figure` (one Plotly style for every chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from ui.charts import BENCHMARK_SERIES, our_points
from ui.downloads import About

# --- published benchmark files (DfE indicators, statistical neighbours, ONS) -------------------

#: The DfE indicators charted on the Benchmarks page (the five we also compute ourselves).
BENCHMARK_INDICATORS: tuple[tuple[str, str, str], ...] = (
    # (DfE indicator, plain-English label, unit as published)
    ("agency_rate_fte", "Agency worker rate (share of social-worker FTE)", "percent"),
    ("vacancy_rate_fte", "Vacancy rate (FTE)", "percent"),
    ("turnover_rate_fte", "Turnover rate (FTE, year to 30 September)", "percent"),
    ("caseload_fte", "Average caseload (cases per case-holding FTE)", "cases per FTE"),
    ("absence_rate_fte", "Sickness absence rate (working days lost)", "percent"),
)


from ingest import published  # noqa: E402  (importing the published files is ingestion)
from metrics.benchmarks import BenchmarkError  # noqa: E402  (re-exported for the page)


def display_name(name: object) -> str:
    """A council as people say it: DfE's "Herefordshire, County of" -> "Herefordshire",
    "Bristol, City of" -> "City of Bristol"; any other name unchanged."""
    text = str(name).strip()
    head, sep, tail = text.rpartition(",")
    if sep and tail.strip().lower() == "county of":
        return head.strip()
    if sep and tail.strip().lower() == "city of":
        return f"City of {head.strip()}"
    return text


class BenchmarksNotImported(RuntimeError):
    """No DfE indicators in the store yet; the message says what to do."""


@dataclass(frozen=True, kw_only=True)
class BenchmarkView:
    la_code: str
    la_name: str
    region_name: str | None
    comparison: pd.DataFrame      # metrics.benchmarks.comparison for the LA
    neighbours: pd.DataFrame      # rank, old_la_code, la_name, closeness
    ours: pd.DataFrame            # our own 30 September figures: year, indicator, published_value
    is_home: bool = True          # our own council: only then do our own figures sit beside it


def _benchmark_version(con) -> str:
    from metrics import benchmarks

    ledger = published.imports(con)
    return f"{len(ledger)}:{ledger['import_id'].max() if len(ledger) else 0}"


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_view(path: str, version: str, bversion: str, la_code: str, home_code: str) -> BenchmarkView:
    from metrics import benchmarks
    from ui import db

    with db.open_cursor() as cur:
        try:
            la = benchmarks.local_authority(cur, la_code=la_code)
        except benchmarks.BenchmarkError as exc:
            raise BenchmarksNotImported(str(exc)) from None
        try:
            is_home = la.old_la_code == benchmarks.local_authority(cur, la_code=home_code).old_la_code
        except benchmarks.BenchmarkError:
            is_home = False
        # our extract describes our council only: never set our figures beside another one
        frame = benchmarks.comparison(cur, la_code=la.old_la_code, include_ours=is_home)
        try:
            sn = benchmarks.neighbours(cur, la_code=la.old_la_code)
        except benchmarks.BenchmarkError:
            sn = pd.DataFrame(columns=["rank", "old_la_code", "la_name", "closeness"])
        ours = (benchmarks.our_30_september(cur) if is_home
                else pd.DataFrame(columns=["year", "metric_id", "indicator", "value", "published_value"]))
        sn = sn.assign(la_name=sn["la_name"].map(display_name))
        return BenchmarkView(la_code=la.old_la_code, la_name=display_name(la.la_name),
                             region_name=la.region_name,
                             comparison=frame, neighbours=sn, ours=ours, is_home=is_home)


def benchmark_view(*, la_code: str | None = None) -> BenchmarkView:
    """The chosen LA beside its region, England and neighbours (every role; published aggregates).

    Our own 30 September figures come with it only for the home authority ($WORKFORCE_LA_CODE).
    Raises BenchmarksNotImported when no DfE indicators have been imported yet (or the LA is unknown).
    """
    from metrics import benchmarks
    from ui import db
    from ui.state import check

    check("page:benchmarks")
    home_code = benchmarks.default_la_code()
    code = (la_code or home_code).strip()
    with db.open_cursor() as cur:
        bversion = _benchmark_version(cur)
    return _cached_view(db.db_path(), db.data_version(), bversion, code, home_code)


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_authorities(path: str, bversion: str) -> pd.DataFrame:
    from metrics import benchmarks
    from ui import db

    with db.open_cursor() as cur:
        return benchmarks.local_authorities(cur)


def authority_options(*, home: BenchmarkView) -> dict[str, str]:
    """Old LA code -> label for the page's chooser: the home authority first, then its
    statistical neighbours (closest first), then every other authority in the DfE file by name.

    Why this order: the usual comparisons are at the top, yet any council can be chosen (the
    select box filters as the user types). Councils since reorganised say their last year.
    """
    from metrics import benchmarks
    from ui import db
    from ui.state import check

    check("page:benchmarks")
    with db.open_cursor() as cur:
        bversion = _benchmark_version(cur)
    try:
        las = _cached_authorities(db.db_path(), bversion)
    except benchmarks.BenchmarkError as exc:
        raise BenchmarksNotImported(str(exc)) from None
    latest = int(las["last_year"].max()) if len(las) else 0

    def label(code: str, name: object, last_year: int | None, note: str = "") -> str:
        gone = f", to {last_year}" if last_year is not None and last_year < latest else ""
        return f"{display_name(name)} ({code}{gone}){note}"

    info = {r.old_la_code: (r.la_name, int(r.last_year)) for r in las.itertuples()}
    out: dict[str, str] = {home.la_code: label(home.la_code, home.la_name,
                                               info.get(home.la_code, (None, None))[1], " — our council")}
    for code, name in zip(home.neighbours["old_la_code"], home.neighbours["la_name"]):
        if code not in out:
            out[code] = label(code, name, info.get(code, (None, None))[1], " — statistical neighbour")
    rest = sorted((c for c in info if c not in out), key=lambda c: (display_name(info[c][0]).lower(), c))
    for code in rest:
        out[code] = label(code, *info[code])
    return out


def benchmark_imports() -> pd.DataFrame:
    """Which published files were imported, by whom and when (newest first)."""
    from metrics import benchmarks
    from metrics.narrative import format_when
    from ui import db
    from ui.state import check

    check("import_benchmarks")
    with db.open_cursor() as cur:
        raw = published.imports(cur)
    cols = {"kind": "File", "scope": "Area level", "file_name": "File name", "rows": "Rows",
            "imported_by": "Imported by", "imported_at": "Imported at"}
    out = raw[[c for c in cols if c in raw.columns]].rename(columns=cols)
    out["File"] = out["File"].map(lambda k: published.KINDS.get(k, k).split(" (")[0])
    if "Imported at" in out:  # UK time in words, as every time a person reads
        out["Imported at"] = out["Imported at"].map(format_when)
    return out


def import_benchmarks(*, files: Sequence[tuple[str, bytes]], imported_by: str) -> list:
    """Validate every published CSV, then write them in one transaction (HR and leadership only).

    Raises metrics.benchmarks.BenchmarkError (nothing written) when any file is wrong.
    """
    from metrics import benchmarks
    from metrics.narrative import format_when
    from ui import db
    from ui.state import check

    check("import_benchmarks")
    parsed = [published.parse_file(data=data, file_name=name) for name, data in files]
    kinds = [(f.kind, f.scope) for f in parsed]
    if len(set(kinds)) != len(kinds):
        raise published.BenchmarkFileError("Two of the files are the same kind; import one of each.")
    with db.write_lock:
        with db.open_cursor() as cur:
            results = published.import_parsed(cur, files=parsed, imported_by=imported_by)
    db.clear_caches()
    return results


DFE_SOURCE = ("Department for Education, 'Children's social work workforce' statistics "
              "(explore-education-statistics.service.gov.uk), as imported into the dashboard")
#: the header block of the imported-files download
ABOUT_IMPORTS = About(month="Not applicable (published files)", population="Not applicable (files)",
                      service="Not applicable", source=DFE_SOURCE)


def about(view: BenchmarkView) -> About:
    """The header block of a benchmark table's files: DfE years, not the month in the filters."""
    years = sorted({int(y) for y in view.comparison["year"].dropna()}) if not view.comparison.empty else []
    span = f"30 September {years[0]} to 30 September {years[-1]}" if years else "No years published"
    ours = (" Our own figures: the monthly workforce extracts loaded by HR, at each 30 September."
            if view.is_home and view.ours is not None and not view.ours.empty else "")
    return About(month=f"{span} (DfE years)", population="Children and family social workers (as the DfE counts them)",
                 service=f"Whole authority: {view.la_name}", source=DFE_SOURCE + "." + ours)


def benchmark_table(view: BenchmarkView, *, with_ours: bool = True) -> pd.DataFrame:
    """The charted figures as one plain table: indicator, year, each comparison and our own."""
    frame = view.comparison
    labels = {i: label for i, label, _ in BENCHMARK_INDICATORS}
    part = frame[frame["indicator"].isin(list(labels))].copy()
    out = pd.DataFrame({
        "Indicator": part["indicator"].map(labels),
        "Year (30 September)": part["year"].astype(int),
        view.la_name: pd.to_numeric(part["la_value"], errors="coerce").round(1),
        view.region_name or "Region": pd.to_numeric(part["region_value"], errors="coerce").round(1),
        "England": pd.to_numeric(part["england_value"], errors="coerce").round(1),
        "Statistical neighbours (median)": pd.to_numeric(part["sn_median"], errors="coerce").round(1),
    })
    if with_ours and view.ours is not None and not view.ours.empty:
        mine = view.ours[view.ours["indicator"].isin(list(labels))]
        extra = pd.DataFrame({
            "Indicator": mine["indicator"].map(labels),
            "Year (30 September)": mine["year"].astype(int),
            "Our own figure": pd.to_numeric(mine["published_value"], errors="coerce").round(1),
        })
        out = out.merge(extra, on=["Indicator", "Year (30 September)"], how="outer")
    order = {label: k for k, (_, label, _) in enumerate(BENCHMARK_INDICATORS)}
    out = out.sort_values(["Indicator", "Year (30 September)"],
                          key=lambda s: s.map(order) if s.name == "Indicator" else s)
    return out.reset_index(drop=True)


#: Screen widths (px) of the benchmark table's columns: at 1440 px the whole table fits beside the
#: sidebar (about 980 px) with the indicator pinned; the authority and region columns are named
#: after the authority chosen, so every column that is not one of these is a value column.
TABLE_WIDTHS = {"Indicator": 260, "Year (30 September)": 70, "Statistical neighbours (median)": 140}
VALUE_WIDTH = 115
#: Shorter headings on screen, so none is cut (the downloads keep the full names).
TABLE_LABELS = {"Year (30 September)": "Year", "Statistical neighbours (median)": "Neighbours' median"}
#: The imported-files table: what, where, who and when at a glance.
IMPORT_WIDTHS = {"File": 230, "Area level": 100, "File name": 260, "Rows": 70, "Imported by": 170,
                 "Imported at": 160}


def table_columns(frame: pd.DataFrame) -> dict:
    """Column config for `benchmark_table` (as ui.layout.measure_columns is for the measures
    tables): widths, the indicator pinned, years without a thousands comma, figures to one decimal."""
    out = {}
    for col in frame.columns:
        label, width = TABLE_LABELS.get(col, col), TABLE_WIDTHS.get(col, VALUE_WIDTH)
        if col == "Indicator":
            out[col] = st.column_config.TextColumn(label, width=width, pinned=True)
        elif col == "Year (30 September)":
            out[col] = st.column_config.NumberColumn(label, width=width, format="%d",
                                                     help="Figures at 30 September of the year")
        else:
            out[col] = st.column_config.NumberColumn(label, width=width, format="%.1f")
    return out


def import_columns(frame: pd.DataFrame) -> dict:
    """Column config for `benchmark_imports`: widths, row counts with a thousands comma."""
    return {col: (st.column_config.NumberColumn(col, width=IMPORT_WIDTHS[col], format="localized")
                  if col == "Rows" else st.column_config.TextColumn(col, width=IMPORT_WIDTHS[col]))
            for col in frame.columns if col in IMPORT_WIDTHS}


def benchmark_sentence(frame: pd.DataFrame, *, indicator: str, label: str, unit: str,
                       la_name: str, ours: pd.DataFrame | None = None) -> str:
    """One-sentence text alternative: the latest year's figures side by side."""
    part = frame[frame["indicator"] == indicator].sort_values("year")
    part = part[pd.to_numeric(part["la_value"], errors="coerce").notna()
                | pd.to_numeric(part["england_value"], errors="coerce").notna()]
    if part.empty:
        return f"{label}: no published figures yet."
    last = part.iloc[-1]

    def f(v: object) -> str:
        v = pd.to_numeric(v, errors="coerce")
        if pd.isna(v):
            return "not published"
        return f"{v:.1f}%" if unit == "percent" else f"{v:.1f}"

    text = (f"{label} at 30 September {int(last['year'])}: {la_name} {f(last['la_value'])}, "
            f"region {f(last['region_value'])}, England {f(last['england_value'])}, "
            f"statistical neighbours' median {f(last['sn_median'])}.")
    mine = our_points(ours, indicator)
    if not mine.empty:
        o = mine.iloc[-1]
        text += f" Our own latest figure, from the monthly extract: {f(o['published_value'])} at 30 September {int(o['year'])}."
    return text
