"""Glue for the Upload page: validate an uploaded extract, preview it, load it on confirm.

Why a module of its own: the page stays thin and the steps (validate -> preview -> confirm) can be
driven directly by tests and the e2e run. Uploaded bytes only ever live in a temporary file for the
length of one loader call; nothing personal is kept once the load is done.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from ingest import clock
from ingest.reader import MAX_FILE_BYTES  # noqa: E402  (the loader's own limit, one source)
from store import loaded_periods as store_loaded_periods  # noqa: E402
from store import periods  # noqa: E402
from ui.filters import period_label  # noqa: E402

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


def period_str(value: object) -> str:
    """'YYYY-MM' of a month (store.periods); UploadRefused when it is not one."""
    try:
        return periods.period_key(value)
    except periods.PeriodError:
        raise UploadRefused(f"Not a month: {value!r}") from None


def next_month(period: str) -> str:
    """The month after 'YYYY-MM'."""
    return periods.period_key(periods.next_period(period))


def previous_month(period: str) -> str:
    """The month before 'YYYY-MM'."""
    return periods.period_key(periods.previous_period(period))


def loaded_periods(con) -> list[str]:
    """Loaded months as 'YYYY-MM', ascending (store.loaded_periods)."""
    return [periods.period_key(p) for p in store_loaded_periods(con)]


def latest_ended_month(*, today: date | None = None) -> str:
    """The newest month whose last day has passed (ingest.clock.today by default)."""
    today = today or clock.today()
    return previous_month(f"{today.year:04d}-{today.month:02d}")


def default_month(con, *, today: date | None = None) -> str:
    """The month HR most likely wants: the one after the latest loaded, unless that month has
    not ended yet (then the newest ended month); with nothing loaded, the newest ended month."""
    ended = latest_ended_month(today=today)
    loaded = loaded_periods(con)
    return min(next_month(loaded[-1]), ended) if loaded else ended


def month_options(con, *, today: date | None = None, back: int = 36) -> list[str]:
    """Months offered in the picker, newest first: only months that have ended, back far enough
    to include `default_month`."""
    oldest = default_month(con, today=today)
    out = [latest_ended_month(today=today)]
    while len(out) <= back or out[-1] > oldest:
        out.append(previous_month(out[-1]))
    return out


def file_key(data: bytes) -> str:
    """A short name for one file's content (keys the check cache and the page's confirmation)."""
    return hashlib.sha256(data).hexdigest()


def waiting_month_note(con, *, today: date | None = None) -> str | None:
    """When the month after the latest loaded has not ended: when it can be loaded."""
    loaded = loaded_periods(con)
    if not loaded:
        return None
    nxt = next_month(loaded[-1])
    if nxt <= latest_ended_month(today=today):
        return None
    opens = periods.month_end(nxt) + timedelta(days=1)
    return (f"{period_label(nxt)} is the next month to load: it can be loaded once it has "
            f"ended, from {opens:%-d %B %Y}.")


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


def validate_upload(*, con, data: bytes, file_name: str, period: str, confirm_repeat: bool = False):
    """Run the loader's validation on uploaded bytes; returns its Validation (nothing written).

    The file is read in the loader's bounded child process; the temporary copy is removed
    whatever happens there."""
    from ingest.loader import validate_file

    check_size(size=len(data))
    with temp_copy(data=data, file_name=file_name) as path:
        return validate_file(path=path, period=period, con=con, file_name=file_name,
                             confirm_repeat=confirm_repeat)


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
    from store import ensure_schema

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
    period = period_str(period)
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
        out[period_str(rec["period"])] = rec
    return out


def confirm_upload(*, con, data: bytes, file_name: str, period: str, loaded_by: str,
                   confirm_repeat: bool = False):
    """Load the file for `period` (HR only, under the write lock), then drop every cached figure.

    Re-validates inside the loader, so what is written is exactly what the file holds now.
    Raises the loader's ExtractRejected when the file has errors (nothing written).
    """
    from ingest.loader import load_file
    from ui import db
    from ui.state import check, current_person

    role = check("load_data")  # the write path checks again: a callback or a direct call cannot skip the page guard
    check_size(size=len(data))
    with db.write_lock:
        with temp_copy(data=data, file_name=file_name) as path:
            result = load_file(con=con, path=path, period=period, loaded_by=loaded_by, file_name=file_name,
                               role=role, subject=current_person().subject,
                               confirm_repeat=confirm_repeat)
    db.clear_caches()
    return result


@dataclass(frozen=True, kw_only=True)
class UploadCheck:
    """Everything the page shows after validating a file (no personal rows kept)."""

    headline: str
    errors: pd.DataFrame
    warnings: pd.DataFrame
    preview: UploadPreview | None
    #: the loaded month whose staff rows this file repeats (HR may confirm and load anyway)
    repeat_of: str | None = None


def check_upload(*, con, data: bytes, file_name: str, period: str,
                 confirm_repeat: bool = False) -> UploadCheck:
    """Validate, then (when there are no errors) preview; raises UploadRefused for a file too large."""
    validation = validate_upload(con=con, data=data, file_name=file_name, period=period,
                                 confirm_repeat=confirm_repeat)
    errors = problems_table(validation.errors)
    warnings = problems_table(validation.warnings)
    repeat_of = getattr(validation, "repeat_of", None)
    if len(errors):
        n = len(errors)
        headline = f"{n} problem{'s' if n != 1 else ''} found in {file_name}"
        return UploadCheck(headline=headline, errors=errors, warnings=warnings, preview=None,
                           repeat_of=repeat_of)
    preview = preview_changes(con=con, validation=validation, period=period)
    headline = f"{file_name} passed every check" + (
        f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if len(warnings) else ""
    )
    return UploadCheck(headline=headline, errors=errors, warnings=warnings, preview=preview,
                       repeat_of=repeat_of)


#: session-state key holding the last check (one file's check is reused across reruns)
CHECK_CACHE = "upload_check"


def check_once(cache: MutableMapping, *, con, data: bytes, file_name: str, period: str,
               data_version: str, confirm_repeat: bool = False) -> UploadCheck:
    """`check_upload`, run once per (file content, month, confirmation, store version).

    Streamlit reruns the page on every click; reading a workbook again each time would cost a
    child process per click. Only the latest check is kept (no file bytes, just the result).
    """
    key = (file_key(data), file_name, period, bool(confirm_repeat), data_version)
    held = cache.get(CHECK_CACHE)
    if held is not None and held[0] == key:
        return held[1]
    check = check_upload(con=con, data=data, file_name=file_name, period=period,
                         confirm_repeat=confirm_repeat)
    cache[CHECK_CACHE] = (key, check)
    return check


def result_message(result, *, period: str) -> str:
    """One plain sentence saying what the load did."""
    rows = getattr(result, "rows", {}) or {}
    counts = ", ".join(f"{n} {sheet.lower()}" for sheet, n in rows.items() if n)
    outcome = getattr(result, "outcome", "loaded")
    if outcome == "unchanged":
        return f"{period}: identical to the file already loaded, nothing changed."
    verb = "replaced" if outcome == "replaced" else "loaded"
    return f"{period} {verb} ({counts} rows). Every page now shows the new figures."


def template_bytes() -> bytes:
    """The blank extract template workbook (from ingest.template)."""
    from ingest import template

    return template.template_bytes()
