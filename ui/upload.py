"""Glue for the Upload page: validate an uploaded extract, preview it, load it on confirm.

Why a module of its own: the page stays thin and the steps (validate -> preview -> confirm) can be
driven directly by tests and the e2e run. Uploaded bytes only ever live in a temporary file for the
length of one loader call; nothing personal is kept once the load is done.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from ingest.reader import MAX_FILE_BYTES  # noqa: E402  (the loader's own limit, one source)

#: Largest extract the Upload page accepts (MB): the loader's limit, also given to the widget.
MAX_UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)

ERROR_COLUMNS = ("Sheet", "Row", "Column", "Value", "Problem")


class UploadRefused(ValueError):
    """The upload cannot be taken as given (too large, wrong type, bad month); the message says why."""


@dataclass(frozen=True, kw_only=True)
class UploadPreview:
    """What a confirm would change, in plain figures, before anything is written."""

    period: str                        # 'YYYY-MM'
    previous_period: str | None        # the loaded month compared against
    replaces: bool                     # the month already has data that the load would replace
    identical: bool                    # same file (SHA-256) as the active load: nothing would change
    rows: pd.DataFrame                 # Sheet, Rows in this file, Rows loaded now for the month
    movement: pd.DataFrame             # Measure, previous month, this file, Change


def _period_str(value: object) -> str:
    if isinstance(value, str):
        return value[:7]
    if isinstance(value, (date, pd.Timestamp)):
        return f"{value.year:04d}-{value.month:02d}"
    raise UploadRefused(f"Not a month: {value!r}")


def next_month(period: str) -> str:
    """The month after 'YYYY-MM'."""
    y, m = (int(p) for p in period.split("-"))
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return f"{y:04d}-{m:02d}"


def previous_month(period: str) -> str:
    """The month before 'YYYY-MM'."""
    y, m = (int(p) for p in period.split("-"))
    y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return f"{y:04d}-{m:02d}"


def loaded_periods(con) -> list[str]:
    """Loaded months as 'YYYY-MM', ascending (from the metric engine's list)."""
    from metrics import engine

    return [_period_str(p) for p in engine.periods(con)]


def default_month(con, *, today: date | None = None) -> str:
    """The month HR most likely wants: the one after the latest loaded, else last month."""
    periods = loaded_periods(con)
    if periods:
        return next_month(periods[-1])
    today = today or date.today()
    return previous_month(f"{today.year:04d}-{today.month:02d}")


def month_options(con, *, today: date | None = None, back: int = 36) -> list[str]:
    """Months offered in the picker, newest first: the default, then every earlier month."""
    first = default_month(con, today=today)
    out = [first]
    for _ in range(back):
        out.append(previous_month(out[-1]))
    return out


def check_size(*, size: int) -> None:
    """Refuse a file larger than MAX_UPLOAD_MB before any reading starts."""
    if size > MAX_UPLOAD_MB * 1024 * 1024:
        raise UploadRefused(
            f"The file is {size / 1024 / 1024:.1f} MB; the most this page accepts is {MAX_UPLOAD_MB} MB. "
            "Remove unused sheets or columns and upload again."
        )


@contextmanager
def temp_copy(*, data: bytes, file_name: str) -> Iterator[Path]:
    """The uploaded bytes in a private temporary file, deleted as soon as the block ends."""
    suffix = Path(file_name).suffix.lower() or ".xlsx"
    fd, name = tempfile.mkstemp(prefix="workforce-upload-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        yield path
    finally:
        path.unlink(missing_ok=True)


def validate_upload(*, con, data: bytes, file_name: str, period: str):
    """Run the loader's validation on uploaded bytes; returns its Validation (nothing written)."""
    from ingest.loader import validate_file

    check_size(size=len(data))
    with temp_copy(data=data, file_name=file_name) as path:
        return validate_file(path=path, period=period, con=con, file_name=file_name)


def problems_table(problems: Sequence) -> pd.DataFrame:
    """Every problem as one row (sheet, Excel row, column, value, what is wrong) for screen and download."""
    rows = [
        {
            "Sheet": p.sheet or "(whole file)",
            "Row": p.row if p.row is not None else pd.NA,
            "Column": p.column or "",
            "Value": "" if p.value is None else str(p.value),
            "Problem": p.message,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=list(ERROR_COLUMNS))
    frame["Row"] = frame["Row"].astype("Int64")
    return frame


def _summary_from_metrics(con, *, period: str) -> dict[str, float | None]:
    """Headcount, FTE, agency share, vacancies for one loaded month, from the metric engine."""
    from metrics import engine

    out: dict[str, float | None] = {
        "headcount": None,
        "fte": None,
        "agency_share_sw": None,
        "vacant_fte": None,
    }
    all_staff = engine.compute(
        con, period=period, scope="all_staff", metric_ids=["agency_rate_fte", "vacancy_rate_fte"]
    ).set_index("metric_id")
    sw = engine.compute(con, period=period, scope="social_workers", metric_ids=["agency_rate_fte"])
    if "agency_rate_fte" in all_staff.index:
        row = all_staff.loc["agency_rate_fte"]
        out["fte"] = _num(row["denominator"])
        out["headcount"] = _num(row["base_count"])
    if "vacancy_rate_fte" in all_staff.index:
        out["vacant_fte"] = _num(all_staff.loc["vacancy_rate_fte"]["numerator"])
    if len(sw):
        out["agency_share_sw"] = _num(sw.iloc[0]["value"])
    return out


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _scratch_store(*, validation, period: str):
    """An in-memory store holding only the validated month, so the engine measures it exactly
    as the dashboard will once it is loaded (one definition of every figure)."""
    import duckdb

    from ingest.loader import load_frames
    from ingest.store import ensure_schema

    mem = duckdb.connect(":memory:")
    ensure_schema(mem)
    load_frames(
        con=mem,
        frames=validation.frames,
        period=period,
        loaded_by="preview",
        file_name="preview",
        sha256=getattr(validation, "sha256", None),
    )
    return mem


def preview_changes(*, con, validation, period: str) -> UploadPreview:
    """Row counts per sheet and movement on the previous loaded month, computed by the engine."""
    period = _period_str(period)
    rows_new = dict(getattr(validation, "rows", {}) or {})
    loaded = loaded_periods(con)
    replaces = period in loaded
    earlier = [p for p in loaded if p < period]
    previous = earlier[-1] if earlier else None

    ledger = _active_loads(con)
    current = ledger.get(period)
    identical = bool(current is not None and current.get("sha256") == getattr(validation, "sha256", None))

    sheets = ("staff", "leavers", "vacancies", "training", "survey")
    rows = pd.DataFrame(
        {
            "Sheet": [s.capitalize() for s in sheets],
            "Rows in this file": [int(rows_new.get(s, rows_new.get(s.capitalize(), 0)) or 0) for s in sheets],
            f"Rows loaded now for {period}": [
                int(current.get(f"rows_{s}", 0)) if current is not None else 0 for s in sheets
            ],
        }
    )

    mem = _scratch_store(validation=validation, period=period)
    try:
        new = _summary_from_metrics(mem, period=period)
    finally:
        mem.close()
    new["leavers"] = float(rows_new.get("leavers", 0) or 0)
    old: dict[str, float | None] = {k: None for k in new}
    if previous is not None:
        old = _summary_from_metrics(con, period=previous)
        prev_load = ledger.get(previous)
        old["leavers"] = float(prev_load.get("rows_leavers", 0)) if prev_load is not None else None

    labels = (
        ("headcount", "Headcount (all staff)", "count"),
        ("fte", "FTE in post (all staff)", "fte"),
        ("agency_share_sw", "Agency share of social-worker FTE", "rate"),
        ("leavers", "Leavers in the month", "count"),
        ("vacant_fte", "Vacant FTE", "fte"),
    )
    movement = pd.DataFrame(
        [
            {
                "Measure": label,
                f"{previous or 'Previous month'}": _fmt(old.get(key), unit),
                f"{period} (this file)": _fmt(new.get(key), unit),
                "Change": _fmt_change(old.get(key), new.get(key), unit),
            }
            for key, label, unit in labels
        ]
    )
    return UploadPreview(
        period=period,
        previous_period=previous,
        replaces=replaces,
        identical=identical,
        rows=rows,
        movement=movement,
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "no data"
    if unit == "rate":
        return f"{value * 100:.1f}%"
    if unit == "fte":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def _fmt_change(old: float | None, new: float | None, unit: str) -> str:
    if old is None or new is None:
        return "—"
    diff = new - old
    if unit == "rate":
        return f"{diff * 100:+.1f} points"
    if unit == "fte":
        return f"{diff:+,.1f}"
    return f"{diff:+,.0f}"


def _active_loads(con) -> dict[str, dict]:
    """The active ledger row of each loaded month, keyed 'YYYY-MM'."""
    from metrics import detail

    frame = detail.load_ledger(con) if hasattr(detail, "load_ledger") else detail.load_touch(con)
    out: dict[str, dict] = {}
    if frame is None or frame.empty:
        return out
    active = frame[frame["active"]] if "active" in frame.columns else frame
    for rec in active.to_dict("records"):
        out[_period_str(rec["period"])] = rec
    return out


def confirm_upload(*, con, data: bytes, file_name: str, period: str, loaded_by: str):
    """Load the file for `period` (HR only, under the write lock), then drop every cached figure.

    Re-validates inside the loader, so what is written is exactly what the file holds now.
    Raises the loader's ExtractRejected when the file has errors (nothing written).
    """
    from ingest.loader import load_file
    from ui import db
    from ui.state import check_role

    check_role("hr")  # the write path checks again: a callback or a direct call cannot skip the page guard
    check_size(size=len(data))
    with db.write_lock:
        with temp_copy(data=data, file_name=file_name) as path:
            result = load_file(con=con, path=path, period=period, loaded_by=loaded_by, file_name=file_name)
    db.clear_caches()
    return result


@dataclass(frozen=True, kw_only=True)
class UploadCheck:
    """Everything the page shows after validating a file (no personal rows kept)."""

    headline: str
    errors: pd.DataFrame
    warnings: pd.DataFrame
    preview: UploadPreview | None


def check_upload(*, con, data: bytes, file_name: str, period: str) -> UploadCheck:
    """Validate, then (when there are no errors) preview; raises UploadRefused for a file too large."""
    validation = validate_upload(con=con, data=data, file_name=file_name, period=period)
    errors = problems_table(validation.errors)
    warnings = problems_table(validation.warnings)
    if len(errors):
        n = len(errors)
        headline = f"{n} problem{'s' if n != 1 else ''} found in {file_name}"
        return UploadCheck(headline=headline, errors=errors, warnings=warnings, preview=None)
    preview = preview_changes(con=con, validation=validation, period=period)
    headline = f"{file_name} passed every check" + (
        f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if len(warnings) else ""
    )
    return UploadCheck(headline=headline, errors=errors, warnings=warnings, preview=preview)


def result_message(result, *, period: str) -> str:
    """One plain sentence saying what the load did."""
    rows = getattr(result, "rows", {}) or {}
    counts = ", ".join(f"{n} {sheet.lower()}" for sheet, n in rows.items() if n)
    outcome = getattr(result, "outcome", "loaded")
    if outcome == "unchanged":
        return f"{period}: identical to the file already loaded, nothing changed."
    verb = "replaced" if outcome == "replaced" else "loaded"
    return f"{period} {verb} ({counts} rows). Every page now shows the new figures."


def load_history(con) -> pd.DataFrame:
    """The load ledger for display (newest first, plain column names, no personal data)."""
    from metrics import detail

    if hasattr(detail, "load_ledger"):
        raw = detail.load_ledger(con)
        cols = {
            "period": "Month", "file_name": "File", "loaded_by": "Loaded by", "loaded_at": "Loaded at",
            "outcome": "Outcome", "active": "In use now", "rows_staff": "Staff rows",
            "rows_leavers": "Leaver rows", "rows_vacancies": "Vacancy rows", "warnings": "Warnings",
            "sha256": "SHA-256",
        }
    else:  # until metrics.detail.load_ledger exists: the active load of each month
        raw = detail.load_touch(con)
        cols = {
            "period": "Month", "file_name": "File", "loaded_by": "Loaded by", "loaded_at": "Loaded at",
            "times_loaded": "Times loaded", "rows_staff": "Staff rows", "rows_leavers": "Leaver rows",
            "rows_vacancies": "Vacancy rows",
        }
    if raw.empty:
        return pd.DataFrame(columns=list(cols.values()))
    out = raw[[c for c in cols if c in raw.columns]].rename(columns=cols)
    out["Month"] = out["Month"].map(_period_str)
    if "SHA-256" in out.columns:
        out["SHA-256"] = out["SHA-256"].astype(str).str[:12]
    if "Warnings" in out.columns:
        out["Warnings"] = out["Warnings"].map(_count_json_list).astype("Int64")
    if "Outcome" in out.columns:
        out["Outcome"] = out["Outcome"].map({"loaded": "First load", "replaced": "Replaced earlier load"}).fillna(out["Outcome"])
    if "In use now" in out.columns:
        out["In use now"] = out["In use now"].map({True: "Yes", False: "No (replaced)"})
    if "load_id" not in raw.columns:  # load_touch is per month: newest month first
        out = out.sort_values("Month", ascending=False)
    return out.reset_index(drop=True)


def _count_json_list(value: object) -> int:
    """Number of warnings stored with a load (the ledger keeps them as a JSON list)."""
    import json

    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return 0
    try:
        items = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return 1
    return len(items) if isinstance(items, list) else 1


# --- data quality (HR and leadership) ---------------------------------------------------------

OPTIONAL_LABELS = {
    "cases": "Cases", "absence_days": "Absence days", "gender": "Gender", "ethnicity": "Ethnicity",
    "age": "Age (or date of birth)", "disability": "Disability", "lives_in_county": "Lives in county",
    "converted_from_agency": "Converted from agency",
}
MOVEMENT_THRESHOLD = 0.20
#: Movements on a base smaller than this (e.g. 2 -> 3 vacant posts) are ordinary noise, not a data problem.
MOVEMENT_MIN_BASE = 5.0


def completeness_table(con) -> pd.DataFrame:
    """% of staff rows with each optional column filled, one row per month (newest first)."""
    from metrics import detail

    long = detail.completeness(con)
    if long.empty:
        return pd.DataFrame()
    long = long.assign(
        Month=long["period"].map(_period_str),
        column=long["column"].map(lambda c: OPTIONAL_LABELS.get(c, c)),
        pct=(long["share"].astype(float) * 100).round(0),
    )
    wide = long.pivot(index="Month", columns="column", values="pct")
    wide = wide[[v for v in OPTIONAL_LABELS.values() if v in wide.columns]]
    return wide.sort_index(ascending=False).reset_index()


def unusual_movements(con, *, threshold: float = MOVEMENT_THRESHOLD) -> pd.DataFrame:
    """Month-on-month changes larger than `threshold` in headcount, FTE, leavers or vacancies,
    per service and per team (small bases included: HR checks the figures, not people)."""
    from metrics import detail

    if hasattr(detail, "unusual_movements"):
        return detail.unusual_movements(con, threshold=threshold)
    return _movements_from_engine(con, threshold=threshold)


def _movements_from_engine(con, *, threshold: float) -> pd.DataFrame:
    """Built from engine.history (headcount, FTE and vacant FTE per service and team) and the
    ledger (leavers for the whole directorate) until metrics.detail offers unusual_movements."""
    from metrics import engine

    frames = []
    for by, level in (("service", "Service"), ("team", "Team")):
        hist = engine.history(con, scope="all_staff", by=by,
                              metric_ids=["agency_rate_fte", "vacancy_rate_fte"])
        if hist.empty:
            continue
        agency = hist[hist["metric_id"] == "agency_rate_fte"]
        vac = hist[hist["metric_id"] == "vacancy_rate_fte"]
        parts = {
            "Headcount": agency[["period", "group", "base_count"]].rename(columns={"base_count": "v"}),
            "FTE in post": agency[["period", "group", "denominator"]].rename(columns={"denominator": "v"}),
            "Vacant FTE": vac[["period", "group", "numerator"]].rename(columns={"numerator": "v"}),
        }
        for measure, part in parts.items():
            part = part.dropna(subset=["group"]).copy()
            part["v"] = pd.to_numeric(part["v"], errors="coerce")
            frames.append(_flag(part.sort_values(["group", "period"]), level=level, measure=measure,
                                threshold=threshold))
    # Leavers: the ledger's row counts give the directorate's leavers month by month.
    from metrics import detail

    touch = detail.load_touch(con)
    if not touch.empty:
        part = pd.DataFrame({"period": touch["period"], "group": "Whole directorate",
                             "v": pd.to_numeric(touch["rows_leavers"], errors="coerce")})
        frames.append(_flag(part.sort_values("period"), level="Directorate", measure="Leavers",
                            threshold=threshold))
    if not frames:
        return pd.DataFrame(columns=["Month", "Level", "Name", "Measure", "Previous month",
                                     "This month", "Change"])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["Month", "Level", "Name", "Measure"],
                           ascending=[False, True, True, True]).reset_index(drop=True)


def _flag(part: pd.DataFrame, *, level: str, measure: str, threshold: float) -> pd.DataFrame:
    """Rows of (period, group, v) whose change on the group's previous month exceeds `threshold`."""
    part = part.copy()
    part["prev"] = part.groupby("group")["v"].shift(1)
    part["change"] = (part["v"] - part["prev"]) / part["prev"]
    flagged = part[(part["prev"] >= MOVEMENT_MIN_BASE) & (part["change"].abs() > threshold)]
    return pd.DataFrame({
        "Month": flagged["period"].map(_period_str),
        "Level": level,
        "Name": flagged["group"],
        "Measure": measure,
        "Previous month": flagged["prev"].astype(float).round(1),
        "This month": flagged["v"].astype(float).round(1),
        "Change": (flagged["change"].astype(float) * 100).round(1),
    })


def load_impact(con) -> pd.DataFrame:
    """For each month's active load: the monthly figures it sets and the 12-month measures whose
    windows include it (that month and the eleven after, as far as months are loaded)."""
    from metrics import catalogue, detail

    touch = detail.load_touch(con)
    if touch.empty:
        return pd.DataFrame()
    loaded = sorted(_period_str(p) for p in touch["period"])
    rolling = [m for m in catalogue.CATALOGUE.values() if m.window_months == 12]
    rows = []
    for rec in touch.to_dict("records"):
        p = _period_str(rec["period"])
        later = [q for q in loaded if q >= p][:12]
        window = [q for q in later if _months_between(p, q) < 12]
        rows.append({
            "Month": p,
            "File in use": rec.get("file_name"),
            "Loaded by": rec.get("loaded_by"),
            "Loaded at": rec.get("loaded_at"),
            "Times loaded": rec.get("times_loaded"),
            "Month-end figures": f"all, for {p}",
            "Rolling 12-month figures": (
                f"{len(rolling)} measures, for {window[0]} to {window[-1]}" if len(window) > 1
                else f"{len(rolling)} measures, for {p}"
            ),
        })
    return pd.DataFrame(rows).sort_values("Month", ascending=False).reset_index(drop=True)


def rolling_measure_labels() -> list[str]:
    """Labels of the rolling 12-month measures (named once under the 'what each load touched' table)."""
    from metrics import catalogue

    return [m.label for m in catalogue.CATALOGUE.values() if m.window_months == 12]


def _months_between(a: str, b: str) -> int:
    ya, ma = (int(x) for x in a.split("-"))
    yb, mb = (int(x) for x in b.split("-"))
    return (yb - ya) * 12 + (mb - ma)


def template_bytes() -> bytes:
    """The blank extract template workbook (from ingest.template)."""
    from ingest import template

    return template.template_bytes()


# --- cached frames for the pages (role-checked on the server, refreshed by every load) ---------

_QUALITY_FRAMES = {
    "ledger": load_history,
    "completeness": completeness_table,
    "movements": unusual_movements,
    "impact": load_impact,
}


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_quality(kind: str, path: str, version: str) -> pd.DataFrame:
    from ui import db

    cur = db.cursor()
    try:
        return _QUALITY_FRAMES[kind](cur)
    finally:
        cur.close()


def quality_frame(kind: str) -> pd.DataFrame:
    """One data-quality frame ('ledger', 'completeness', 'movements', 'impact') for HR or leadership.

    Cached on (store, data version), so a new load shows at once; the role is checked first.
    """
    from ui import db
    from ui.state import check_role

    check_role("hr", "leadership")
    if kind not in _QUALITY_FRAMES:
        raise KeyError(f"Unknown data-quality frame {kind!r}; choose one of {', '.join(_QUALITY_FRAMES)}")
    return _cached_quality(kind, db.db_path(), db.data_version())


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
BENCHMARK_SERIES: tuple[tuple[str, str], ...] = (
    ("la_value", "{la}"),
    ("region_value", "{region}"),
    ("england_value", "England"),
    ("sn_median", "Statistical neighbours (median)"),
)


from metrics.benchmarks import BenchmarkError  # noqa: E402  (re-exported for the page)


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


def _benchmark_version(con) -> str:
    from metrics import benchmarks

    ledger = benchmarks.imports(con)
    return f"{len(ledger)}:{ledger['import_id'].max() if len(ledger) else 0}"


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_view(path: str, version: str, bversion: str, la_code: str) -> BenchmarkView:
    from metrics import benchmarks
    from ui import db

    cur = db.cursor()
    try:
        try:
            la = benchmarks.local_authority(cur, la_code=la_code)
        except benchmarks.BenchmarkError as exc:
            raise BenchmarksNotImported(str(exc)) from None
        frame = benchmarks.comparison(cur, la_code=la.old_la_code)
        try:
            sn = benchmarks.neighbours(cur, la_code=la.old_la_code)
        except benchmarks.BenchmarkError:
            sn = pd.DataFrame(columns=["rank", "old_la_code", "la_name", "closeness"])
        ours = benchmarks.our_30_september(cur)
        return BenchmarkView(la_code=la.old_la_code, la_name=la.la_name, region_name=la.region_name,
                             comparison=frame, neighbours=sn, ours=ours)
    finally:
        cur.close()


def benchmark_view(*, la_code: str | None = None) -> BenchmarkView:
    """The chosen LA beside its region, England and neighbours (every role; published aggregates).

    Raises BenchmarksNotImported when no DfE indicators have been imported yet.
    """
    from metrics import benchmarks
    from ui import db
    from ui.state import check_role

    check_role("hr", "leadership", "scrutiny")
    code = (la_code or benchmarks.default_la_code()).strip()
    cur = db.cursor()
    try:
        bversion = _benchmark_version(cur)
    finally:
        cur.close()
    return _cached_view(db.db_path(), db.data_version(), bversion, code)


def benchmark_imports() -> pd.DataFrame:
    """Which published files were imported, by whom and when (newest first)."""
    from metrics import benchmarks
    from ui import db
    from ui.state import check_role

    check_role("hr", "leadership")
    cur = db.cursor()
    try:
        raw = benchmarks.imports(cur)
    finally:
        cur.close()
    cols = {"kind": "File", "scope": "Area level", "file_name": "File name", "rows": "Rows",
            "imported_by": "Imported by", "imported_at": "Imported at"}
    out = raw[[c for c in cols if c in raw.columns]].rename(columns=cols)
    out["File"] = out["File"].map(lambda k: benchmarks.KINDS.get(k, k).split(" (")[0])
    return out


def import_benchmarks(*, files: Sequence[tuple[str, bytes]], imported_by: str) -> list:
    """Validate every published CSV, then write them in one transaction (HR and leadership only).

    Raises metrics.benchmarks.BenchmarkError (nothing written) when any file is wrong.
    """
    from metrics import benchmarks
    from ui import db
    from ui.state import check_role

    check_role("hr", "leadership")
    parsed = [benchmarks.parse_file(data=data, file_name=name) for name, data in files]
    kinds = [(f.kind, f.scope) for f in parsed]
    if len(set(kinds)) != len(kinds):
        raise benchmarks.BenchmarkFileError("Two of the files are the same kind; import one of each.")
    with db.write_lock:
        cur = db.cursor()
        try:
            results = benchmarks.import_parsed(cur, files=parsed, imported_by=imported_by)
        finally:
            cur.close()
    db.clear_caches()
    return results


def benchmark_figure(frame: pd.DataFrame, *, indicator: str, unit: str, la_name: str,
                     region_name: str | None, ours: pd.DataFrame | None = None):
    """Years across, one line per comparison (own colour, marker and dash: never colour alone),
    and our own 30 September figures from the monthly extracts as large stars."""
    import plotly.graph_objects as go

    from ui import charts

    part = frame[frame["indicator"] == indicator].sort_values("year")
    value_cols = [c for c, _ in BENCHMARK_SERIES]
    if part.empty or part[value_cols].apply(pd.to_numeric, errors="coerce").notna().sum().sum() == 0:
        return charts.no_data("No published figures for this indicator.")
    hover = "%{y:.1f}%" if unit == "percent" else "%{y:.1f}"
    fig = go.Figure()
    fig.update_layout(template=charts.TEMPLATE_NAME, height=360)
    for i, (col, name) in enumerate(BENCHMARK_SERIES):
        label = name.format(la=la_name, region=region_name or "Region")
        fig.add_trace(go.Scatter(
            x=part["year"], y=pd.to_numeric(part[col], errors="coerce"), name=label,
            mode="lines+markers", connectgaps=False,
            line=dict(color=charts.PALETTE[i], width=3 if i == 0 else 2, dash=charts.DASHES[i]),
            marker=dict(symbol=charts.MARKERS[i], size=8),
            hovertemplate=f"30 Sep %{{x}}: {hover}<extra>{label}</extra>",
        ))
    mine = _our_points(ours, indicator)
    if not mine.empty:
        fig.add_trace(go.Scatter(
            x=mine["year"], y=mine["published_value"], name="Our own figure at 30 September",
            mode="markers", marker=dict(symbol="star", size=16, color=charts.PALETTE[4],
                                        line=dict(color="black", width=1)),
            hovertemplate=f"Our extract, 30 Sep %{{x}}: {hover}<extra></extra>",
        ))
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
                      margin=dict(t=20, b=110))
    fig.update_xaxes(title_text=None, dtick=1, tickformat="d")
    fig.update_yaxes(title_text="Per cent" if unit == "percent" else unit[:1].upper() + unit[1:],
                     ticksuffix="%" if unit == "percent" else "")
    return fig


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


def _our_points(ours: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    if ours is None or ours.empty:
        return pd.DataFrame(columns=["year", "published_value"])
    mine = ours[ours["indicator"] == indicator].copy()
    mine["published_value"] = pd.to_numeric(mine["published_value"], errors="coerce")
    return mine.dropna(subset=["published_value"]).sort_values("year")


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
    mine = _our_points(ours, indicator)
    if not mine.empty:
        o = mine.iloc[-1]
        text += f" Our own latest figure, from the monthly extract: {f(o['published_value'])} at 30 September {int(o['year'])}."
    return text
