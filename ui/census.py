"""Glue for the HR census page: readiness report, building the return, importing past returns.

Why here: the page stays thin; every function checks the role on the server (HR only: the
return carries registration numbers, and the readiness lists name workers by employee id).
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from census import report as R
from census import service
from census.config import config_path, load_config
from census.items import FIRST_YEAR, worker_items
from metrics import units
from ui import db
from ui.downloads import About
from ui.state import check

CENSUS = "page:census"  # the permission every function here checks
#: the header block of the imported-returns download
RETURNS_ABOUT = About(month="Every imported census year", population="Not applicable (files)",
                      source="Census (CSWW) returns imported into the dashboard")


def about(rep) -> About:
    """The header block of a readiness table's files: the census year and where it comes from."""
    return About(month=f"30 September {rep.reference:%Y} (census year {rep.year})",
                 population="Children and family social workers and agency workers in the census return",
                 source=f"The Children's social work workforce census (CSWW) return for {rep.year}, from the "
                        f"{rep.source}")


def census_year(today: date | None = None) -> int:
    """The census year under way: the one whose 30 September is next (or today)."""
    today = today or date.today()
    return today.year if (today.month, today.day) <= (9, 30) else today.year + 1


def year_options(today: date | None = None) -> list[int]:
    """Census years offered, newest first."""
    return list(range(census_year(today), FIRST_YEAR - 1, -1))


def default_year(today: date | None = None) -> int:
    """The year HR is most likely working on: from October to January DfE collects the return
    for the 30 September just gone; the rest of the year, the census under way is rehearsed."""
    today = today or date.today()
    return census_year(today) - 1 if today.month in (10, 11, 12, 1) else census_year(today)


def readiness(year: int, *, as_at: date | None = None) -> R.Report:
    """The readiness report for `year` (HR only). Worked out once per data version, census
    settings file and year: at 100x a report walks ~17,000 workers, which must not be paid on
    every rerun of the page (each click of a widget)."""
    check(CENSUS)
    path = config_path()
    try:
        settings = (str(path), path.stat().st_mtime_ns)
    except OSError:
        settings = (str(path), None)  # load_config names the missing file
    return _readiness(db.db_path(), db.data_version(), settings, year, as_at)


#: Up to this many staff rows in the latest loaded month the readiness report is worked out as
#: the page opens; above it, on request. Why: the report walks every worker's year (~0.3 ms a
#: staff row): a children's services workforce of a few hundred people takes ~0.1 s, but 100x the
#: demo (65,000 rows a month) took 4-6 s, which would hold up the page's first view.
READINESS_AUTO_ROWS = 10_000


def _large_store() -> bool:
    from store import ledger

    with db.open_cursor() as cur:
        months = ledger.loaded_periods(cur)
        latest = ledger.active_load(cur, months[-1]) if months else None
    return latest is not None and latest[2].get("staff", 0) > READINESS_AUTO_ROWS


def readiness_shown(year: int) -> bool:
    """Whether to show `year`'s readiness report now: always on a store of a usual size; on a
    very large one once asked for (a button, remembered for the session), saying why it waits."""
    check(CENSUS)
    asked = f"census_readiness_{year}"
    if st.session_state.get(asked) or not _large_store():
        return True
    st.markdown(f"This store is large (more than {READINESS_AUTO_ROWS:,} staff rows a month), so "
                "the readiness report, which checks every worker's year, is worked out when you "
                "ask for it. It takes a few seconds, once for each load.")
    if st.button(f"Check readiness for {year}", key=f"{asked}_button", icon=":material/fact_check:"):
        st.session_state[asked] = True
        return True
    return False


@st.cache_data(show_spinner=False, max_entries=8)
def _readiness(path: str, version: str, settings: tuple, year: int, as_at: date | None) -> R.Report:
    with db.open_cursor() as cur:
        return R.report(cur, year=year, config=load_config(), as_at=as_at)


def problems_table(rep: R.Report) -> pd.DataFrame:
    """Errors then queries: code, kind, worker, item, what to fix."""
    return pd.DataFrame([{"Code": p.code, "Kind": p.severity, "Worker": p.worker or "LA level",
                          "Item": p.item, "What to fix": p.message} for p in rep.problems],
                        columns=["Code", "Kind", "Worker", "Item", "What to fix"])


#: census.report's units as metrics.units names them: a figure's unit words, a difference's sign,
#: decimals and words all come from there
_UNITS = {"percent": "percent", "fte": "fte", "count": "count", "ratio": "caseload", "days": "days"}
#: Screen widths (px) of the figures table's columns and shorter headings, so at 1440 px the unit
#: ("cases per FTE") reads whole and everything up to the difference fits beside the sidebar (about
#: 980 px); "Why they can differ" is scrolled to. Downloads are unaffected.
FIGURE_WIDTHS = {"Figure": 280, "Unit": 120, "Census (this return)": 140, "DfE published": 130,
                 "Dashboard (monthly)": 140, "Difference (census minus dashboard)": 160,
                 "Why they can differ": 420}
FIGURE_LABELS = {"Difference (census minus dashboard)": "Census minus dashboard"}


def unit_words(unit: str) -> str:
    """A census figure's unit as a reader says it ("%", "cases per FTE", "days"; metrics.units)."""
    return units.get(_UNITS[unit]).words


def difference_text(value: object, unit: str) -> str:
    """A census-minus-dashboard difference for a table cell, in the figure's own unit and DfE's
    decimals, with its sign: '−2.6 points' (a rate's difference is in percentage points), '+0.4
    cases per FTE', '+3 people', '+2.0 days', 'No difference'; '—' where there is nothing to
    compare (metrics.units.format_change)."""
    if value is None or pd.isna(value):
        return "—"
    text = units.format_change(value, _UNITS[unit], signed=True)
    return "No difference" if text == "No change" else text


def figure_columns(frame: pd.DataFrame) -> dict:
    """Column config for the figures table (FIGURE_WIDTHS): widths, shorter headings, the figure
    pinned; plain columns, so numbers keep their own display."""
    out = {}
    for col in frame.columns:
        width = FIGURE_WIDTHS.get("DfE published" if str(col).startswith("DfE published") else col)
        if width is not None:
            out[col] = st.column_config.Column(FIGURE_LABELS.get(col, col), width=width,
                                               pinned=col == "Figure")
    return out


def figures_table(rep: R.Report) -> pd.DataFrame:
    """The figures DfE would publish beside last year's published and the dashboard's own, in
    DfE's units (a Unit column), rounded as DfE publishes them: counts whole, the rest to one
    decimal place; the difference (of the figures as shown) in words with its sign and unit
    (`difference_text`)."""
    f = rep.figures
    places = f["unit"].map(lambda u: 0 if u == "count" else 1)

    def rounded(col: str) -> pd.Series:
        return pd.Series([None if pd.isna(v) else round(float(v), int(p)) + 0.0  # + 0.0: no "-0"
                          for v, p in zip(f[col], places)], dtype=object)

    census, monthly = rounded("census"), rounded("dashboard_monthly")
    # the difference of the two figures as shown, so that a reader's own subtraction agrees
    difference = [None if c is None or m is None else c - m for c, m in zip(census, monthly)]
    return pd.DataFrame({
        "Figure": f["label"], "Unit": f["unit"].map(unit_words),
        "Census (this return)": census,
        f"DfE published {rep.year - 1}": rounded("published_last_year"),
        "Dashboard (monthly)": monthly,
        "Difference (census minus dashboard)": [difference_text(v, u) for v, u in zip(difference, f["unit"])],
        "Why they can differ": f["explanation"],
    })


def items_table(rep: R.Report) -> pd.DataFrame:
    """Completeness by census item, in words: the item's name beside its XML element."""
    labels = {i.tag: i.label for i in worker_items(rep.year)}
    t = rep.items
    return pd.DataFrame({
        "Item": [labels.get(tag, tag) for tag in t["item"]], "Census element": t["item"],
        "Expected (workers)": t["expected"], "Given": t["given"],
        "Not yet collected": t["not_yet_collected"], "Missing": t["missing"],
        "Complete (%)": [None if pd.isna(v) else round(100 * float(v), 1) for v in t["complete"]],
    })


def workers_table(rep: R.Report) -> pd.DataFrame:
    """Workers with gaps: pseudonymous id, kind, the gaps and how many."""
    return rep.workers.rename(columns={"worker": "Worker (employee id)", "kind": "Kind",
                                       "gaps": "Gaps", "gap_count": "Number of gaps"})


def build_return(year: int, *, produced_by: str) -> tuple[service.ExportOutcome, bytes | None]:
    """Build `year`'s return; the XML bytes only when it validates (HR only). A valid return is
    recorded as produced, so its figures stand on the trends as that year's 30 September."""
    check(CENSUS)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"csww_{year}.xml"
        with db.write_lock:
            with db.open_cursor() as cur:
                outcome = service.export_return(cur, year=year, out=out, config=load_config(),
                                                produced_by=produced_by)
        data = out.read_bytes() if outcome.written else None
    if outcome.written:
        db.clear_caches()
    return outcome, data


def import_upload(*, data: bytes, file_name: str, imported_by: str,
                  year: int | None = None) -> service.ImportOutcome:
    """Import an uploaded past return (HR only); ReturnRejected says why when it cannot."""
    check(CENSUS)
    safe_name = Path(file_name).name or "return.xml"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe_name
        path.write_bytes(data)
        with db.write_lock:
            with db.open_cursor() as cur:
                outcome = service.import_return(cur, path=path, imported_by=imported_by,
                                                year=year)
    db.clear_caches()
    return outcome


def returns_table() -> pd.DataFrame:
    """The census ledger (imported returns), newest year first."""
    check(CENSUS)
    from store.census import returns
    with db.open_cursor() as cur:
        frame = returns(cur)
    frame["gaps"] = frame["gaps"].map(lambda g: len(pd.read_json(g)) if g and g != "[]" else 0)
    return frame.rename(columns={
        "year": "Year", "file_name": "File", "workers": "Worker records", "imported_by": "By",
        "imported_at": "When (UTC)", "outcome": "Outcome", "gaps": "Gaps", "active": "Live",
    })[["Year", "File", "Worker records", "Gaps", "Outcome", "Live", "By", "When (UTC)"]]
