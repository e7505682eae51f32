"""Glue for the Data quality page (and the Upload page's load history): the load ledger, how
complete the optional columns are, unusual month-on-month movements, what each load feeds.

Why a module of its own: these frames are read by HR and leadership (not only on upload) and are
cached on the store's data version, so a new load shows at once on every page that lists them.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from store import periods
from ui.downloads import About
from ui.upload import period_str

#: the header block of the Data quality and load-history downloads (every load, every month)
LOADS_ABOUT = About(month="Every loaded month", population="All staff in each extract",
                    source="The dashboard's load ledger: the monthly workforce extracts loaded by HR")

def load_history(con) -> pd.DataFrame:
    """The load ledger for display (newest first, plain column names, no personal data)."""
    from metrics import detail

    if hasattr(detail, "load_ledger"):
        raw = detail.load_ledger(con)
        cols = {
            "period": "Month", "file_name": "File", "loaded_by": "Loaded by", "loaded_at": "Loaded at",
            "outcome": "Outcome", "active": "In use now", "rows_staff": "Staff rows",
            "rows_leavers": "Leaver rows", "rows_vacancies": "Vacancy rows", "warnings": "Warnings",
            "repeat_of": "Confirmed repeat of", "sha256": "SHA-256",
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
    out["Month"] = out["Month"].map(period_str)
    if "Confirmed repeat of" in out.columns:  # a month loaded although its staff repeat this one
        out["Confirmed repeat of"] = out["Confirmed repeat of"].map(
            lambda d: "" if d is None or pd.isna(d) else period_str(d))
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
    return _in_words(out.reset_index(drop=True))


def _in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Months and times as a reader says them ('October 2026', '3 Nov 2026, 9:12am' UK time),
    never ISO; blanks as '—'. Applied after sorting (on the ISO keys)."""
    from metrics.narrative import format_when

    out = frame.copy()
    for col in ("Month", "Confirmed repeat of"):
        if col in out.columns:
            out[col] = out[col].map(lambda p: "—" if p is None or p == "" or (isinstance(p, float) and pd.isna(p))
                                    else periods.period_label(p))
    for col in ("Loaded at",):
        if col in out.columns:
            out[col] = out[col].map(lambda t: "—" if t is None or pd.isna(t) else format_when(t))
    return out


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
        Month=long["period"].map(period_str),
        column=long["column"].map(lambda c: OPTIONAL_LABELS.get(c, c)),
        pct=(long["share"].astype(float) * 100).round(0),
    )
    wide = long.pivot(index="Month", columns="column", values="pct")
    wide = wide[[v for v in OPTIONAL_LABELS.values() if v in wide.columns]]
    return _in_words(wide.sort_index(ascending=False).reset_index())


MOVEMENT_MEASURES = {"headcount": "Headcount", "fte": "FTE in post", "leavers": "Leavers",
                     "vacant_fte": "Vacant FTE"}
MOVEMENT_COLUMNS = ["Month", "Level", "Name", "Measure", "Previous month", "This month", "Change"]


def unusual_movements(con, *, threshold: float = MOVEMENT_THRESHOLD) -> pd.DataFrame:
    """Month-on-month changes larger than `threshold` in headcount, FTE, leavers or vacant FTE,
    per service and per team (metrics.detail finds them), in plain column names; Change in %."""
    from metrics import detail

    raw = detail.unusual_movements(con, threshold=threshold, min_base=MOVEMENT_MIN_BASE)
    if raw.empty:
        return pd.DataFrame(columns=MOVEMENT_COLUMNS)
    out = pd.DataFrame({
        "Month": raw["period"].map(period_str),
        "Level": raw["level"].str.capitalize(),
        "Name": raw["group"],
        "Measure": raw["measure"].map(MOVEMENT_MEASURES).fillna(raw["measure"]),
        "Previous month": raw["previous"].round(1),
        "This month": raw["current"].round(1),
        "Change": (raw["change_rate"] * 100).round(1),
    })
    return _in_words(out.reset_index(drop=True))


def load_impact(con) -> pd.DataFrame:
    """For each month's active load: the monthly figures it sets and the 12-month measures whose
    windows include it (that month and the eleven after, as far as months are loaded)."""
    from metrics import catalogue, detail

    touch = detail.load_touch(con)
    if touch.empty:
        return pd.DataFrame()
    loaded = sorted(period_str(p) for p in touch["period"])
    rolling = [m for m in catalogue.CATALOGUE.values() if m.window_months == 12]
    rows = []
    for rec in touch.to_dict("records"):
        p = period_str(rec["period"])
        later = [q for q in loaded if q >= p][:12]
        window = [q for q in later if _months_between(p, q) < 12]
        rows.append({
            "Month": p,
            "File in use": rec.get("file_name"),
            "Loaded by": rec.get("loaded_by"),
            "Loaded at": rec.get("loaded_at"),
            "Times loaded": rec.get("times_loaded"),
            "Month-end figures": f"all, for {periods.period_label(p)}",
            "Rolling 12-month figures": (
                f"{len(rolling)} measures, for {periods.period_label(window[0])} to "
                f"{periods.period_label(window[-1])}" if len(window) > 1
                else f"{len(rolling)} measures, for {periods.period_label(p)}"
            ),
        })
    return _in_words(pd.DataFrame(rows).sort_values("Month", ascending=False).reset_index(drop=True))


def rolling_measure_labels() -> list[str]:
    """Labels of the rolling 12-month measures (named once under the 'what each load touched' table)."""
    from metrics import catalogue

    return [m.label for m in catalogue.CATALOGUE.values() if m.window_months == 12]


_months_between = periods.months_between


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

    with db.open_cursor() as cur:
        return _QUALITY_FRAMES[kind](cur)


def quality_frame(kind: str) -> pd.DataFrame:
    """One data-quality frame ('ledger', 'completeness', 'movements', 'impact') for HR or leadership.

    Cached on (store, data version), so a new load shows at once; the role is checked first.
    """
    from ui import db
    from ui.state import check

    check("page:data_quality")
    if kind not in _QUALITY_FRAMES:
        raise KeyError(f"Unknown data-quality frame {kind!r}; choose one of {', '.join(_QUALITY_FRAMES)}")
    return _cached_quality(kind, db.db_path(), db.data_version())
