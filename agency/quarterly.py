"""The quarterly agency summary: usage, cost and rule compliance for one quarter, as a workbook.

Why a declared layout: the guidance makes a quarterly data return on agency use a legal
requirement, but DfE's exact return template is not public here. The workbook is built from the
guidance's headings, and every sheet, column and the figure it shows is declared once in LAYOUT,
so a council holding DfE's template changes LAYOUT (headers, order, sheet names), not the sums.

Quarters are calendar quarters: 2026-Q3 = July, August and September 2026. Figures are exact
(the return goes to DfE); `suppress=True` passes the aggregate sheets through the small-number
policy and leaves out the breach list, for anything shared more widely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from agency.checks import BREACHES, breach_list
from agency.rules import SOCIAL_WORK_JOB_TYPES, AgencyRules, month_end
from ingest.contract import AGENCY_JOB_TYPES
from metrics import agency as figures
from disclosure.cells import suppress_table
from metrics.export import FileHeader, to_xlsx_bytes

TEMPLATE_NOTE = (
    "DfE's exact template for the quarterly agency data return is not public here. This summary "
    "follows the headings of the statutory guidance (use and cost of agency social workers by "
    "job type, price cap compliance, breaches and their sign-off, experience and notice). Its "
    "layout is declared in one place (LAYOUT in agency/quarterly.py): when the council has DfE's "
    "template, change the sheet and column names and order there to match it."
)


class QuarterError(ValueError):
    """The quarter asked for is not one, or has no agency assignments loaded."""


@dataclass(frozen=True)
class Field:
    """One column of a sheet: its header in the file and the figure it shows."""

    header: str
    figure: str      # a column of the computed frame (see _job_type_figures / _breaches)
    kind: str = "count"   # count | money | rate | text | date | number


@dataclass(frozen=True)
class Section:
    """One sheet of the workbook."""

    sheet: str
    title: str
    rows: str        # "job_type" (one row per job type + all) or "breach" (one row per breach)
    fields: tuple[Field, ...]


#: THE layout of the quarterly summary (edit here to match DfE's template).
LAYOUT: tuple[Section, ...] = (
    Section("Usage and cost", "Agency workers and what they cost, by job type", "job_type", (
        Field("Job type", "job_type", "text"),
        Field("Agency workers in the quarter", "workers"),
        Field("Agency FTE at quarter end", "fte_end", "number"),
        Field("Hours charged in the quarter", "hours", "number"),
        Field("Spend in the quarter (£)", "spend", "money"),
        Field("Average charge rate (£ per hour)", "average_rate", "money"),
        Field("Price cap at quarter end (£ per hour)", "cap", "money"),
    )),
    Section("Cap compliance", "Charge rates against the regional price caps", "job_type", (
        Field("Job type", "job_type", "text"),
        Field("Assignments with a price cap", "with_cap"),
        Field("Within the cap", "within_cap"),
        Field("Share within the cap", "within_cap_share", "rate"),
        Field("Above the cap, signed off by DCS and chief executive", "cap_signed"),
        Field("Above the cap, not fully signed off", "cap_unsigned"),
        Field("Average £ per hour above the cap", "excess_per_hour", "money"),
    )),
    Section("Cap breaches", "Assignments above the price cap and their sign-off", "breach", (
        Field("Agency reference", "employee_id", "text"),
        Field("Month", "month", "text"),
        Field("Job type", "job_type", "text"),
        Field("Charge rate (£ per hour)", "hourly_rate", "money"),
        Field("Price cap (£ per hour)", "cap", "money"),
        Field("Above the cap (£ per hour)", "excess_per_hour", "money"),
        Field("Signed off on", "cap_signoff_date", "date"),
        Field("Signed off by", "cap_signoff_by", "text"),
        Field("Fully signed off", "signed", "text"),
    )),
    Section("Experience and notice", "The guidance's other conditions, by job type", "job_type", (
        Field("Job type", "job_type", "text"),
        Field("Assignments", "assignments"),
        Field("Under the minimum post-qualifying experience", "under_experience"),
        Field("Notice below the minimum", "notice_below"),
        Field("Practice references incomplete", "references_incomplete"),
        Field("Cool-off breaches", "cool_off_breach"),
        Field("Project-team workers", "project_team"),
        Field("Assignments over the maximum length", "long_assignment"),
    )),
)

_QUARTER = re.compile(r"\s*(\d{4})-?Q([1-4])\s*", re.IGNORECASE)


def quarter_months(quarter: str) -> tuple[date, date, date]:
    """'2026-Q3' -> the first days of July, August and September 2026."""
    m = _QUARTER.fullmatch(str(quarter))
    if not m:
        raise QuarterError(f"{quarter!r} is not a quarter: write it like 2026-Q3 (calendar "
                           "quarters: Q1 = January to March)")
    year, q = int(m.group(1)), int(m.group(2))
    return tuple(date(year, 3 * (q - 1) + k, 1) for k in (1, 2, 3))  # type: ignore[return-value]


def _latest_rows(checked: pd.DataFrame) -> pd.DataFrame:
    """Each assignment once: its row in the latest month of the quarter it appears in."""
    if checked.empty:
        return checked
    return (checked.sort_values(["employee_id", "period"])
            .groupby("employee_id", as_index=False, sort=False).tail(1))


def _job_type_figures(checked: pd.DataFrame, *, end_month: date,
                      rules: AgencyRules) -> pd.DataFrame:
    """One row per job type present (in the contract's order) plus 'All job types'."""
    latest = _latest_rows(checked)
    caps = rules.caps_in_force(on=month_end(end_month))
    rows = []
    present = [j for j in AGENCY_JOB_TYPES if j in set(checked["job_type"])]
    for job in present + ["All job types"]:
        sel = checked if job == "All job types" else checked[checked["job_type"] == job]
        last = latest if job == "All job types" else latest[latest["job_type"] == job]
        end = sel[sel["period"] == sel["period"].max()] if len(sel) else sel
        hours = float(sel["hours"].sum())
        spend = float(sel["spend"].sum())
        with_cap = last[last["cap"].notna()]
        above = with_cap[with_cap["above_cap"]]
        rows.append({
            "job_type": job,
            "workers": int(sel["employee_id"].nunique()),
            "fte_end": round(float(pd.to_numeric(end["fte"], errors="coerce").sum()), 2),
            "hours": round(hours, 2),
            "spend": round(spend, 2),
            "average_rate": round(spend / hours, 2) if hours else None,
            "cap": caps.get(job),
            "assignments": int(len(last)),
            "with_cap": int(len(with_cap)),
            "within_cap": int((~with_cap["above_cap"]).sum()),
            "within_cap_share": (round(float((~with_cap["above_cap"]).mean()), 4)
                                 if len(with_cap) else None),
            "cap_signed": int(last["cap_signed"].sum()),
            "cap_unsigned": int(last["cap_unsigned"].sum()),
            "excess_per_hour": (round(float(above["excess_per_hour"].astype(float).mean()), 2)
                                if len(above) else None),
            **{flag: int(last[flag].sum()) for flag in (
                "under_experience", "notice_below", "references_incomplete", "cool_off_breach",
                "project_team", "long_assignment")},
        })
    return pd.DataFrame(rows)


def _breaches(checked: pd.DataFrame) -> pd.DataFrame:
    """Every month an assignment was above its cap in the quarter, with its sign-off."""
    above = checked[checked["above_cap"]].sort_values(["period", "employee_id"])
    return pd.DataFrame({
        "employee_id": above["employee_id"],
        "month": [f"{p:%Y-%m}" for p in above["period"]],
        "job_type": above["job_type"],
        "hourly_rate": above["hourly_rate"],
        "cap": above["cap"],
        "excess_per_hour": above["excess_per_hour"],
        "cap_signoff_date": above["cap_signoff_date"],
        "cap_signoff_by": above["cap_signoff_by"],
        "signed": ["Yes" if s else "No" for s in above["cap_signed"]],
    })


def _render(section: Section, frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({f.header: frame[f.figure].tolist() if f.figure in frame else []
                         for f in section.fields})


def _suppress(section: Section, table: pd.DataFrame) -> pd.DataFrame:
    """The aggregate sheets through the small-number policy (people counts and their rates)."""
    counts = [f.header for f in section.fields if f.kind == "count"]
    if section.sheet == "Cap compliance":
        return suppress_table(table, count_cols=counts,
                              rate_cols={"Share within the cap": "Assignments with a price cap"},
                              total_row="All job types", label_col="Job type")
    return suppress_table(table, count_cols=counts, total_row="All job types",
                          label_col="Job type")


def quarter_words(quarter: str) -> str:
    """'2026-Q4' -> 'October to December 2026 (2026-Q4)'."""
    first, _, last = quarter_months(quarter)
    return f"{first:%B} to {last:%B %Y} ({quarter})"


@dataclass
class QuarterlySummary:
    """The computed summary: one frame per LAYOUT section (headers as in the file) and notes."""

    quarter: str
    months_loaded: tuple[date, ...]
    sheets: dict[str, pd.DataFrame]
    notes: list[str]

    def to_xlsx_bytes(self) -> bytes:
        about = pd.DataFrame({"About this summary": self.notes})
        loaded = ", ".join(f"{m:%B %Y}" for m in self.months_loaded) or "none"
        header = FileHeader(
            title=f"Agency workers: quarterly summary {self.quarter}", month=quarter_words(self.quarter),
            population="Agency workers", source=f"Monthly workforce extracts loaded by HR (Agency assignments "
                                                f"sheet); months loaded: {loaded}",
            suppression=("None: exact figures for the quarterly return to DfE. Do not publish.",))
        return to_xlsx_bytes({"About": about} | self.sheets, header=header)

    def write(self, path: str | Path) -> Path:
        out = Path(path)
        out.write_bytes(self.to_xlsx_bytes())
        return out


def build(con: duckdb.DuckDBPyConnection, *, quarter: str, rules: AgencyRules,
          suppress: bool = False, council: str | None = None) -> QuarterlySummary:
    """The quarterly summary from the loaded months of `quarter` (QuarterError when none)."""
    months = quarter_months(quarter)
    label = f"{months[0].year}-Q{(months[0].month - 1) // 3 + 1}"
    checked = figures.checked(con, rules=rules, start=months[0], end=months[-1])
    loaded = tuple(sorted(set(checked["period"]))) if len(checked) else ()
    if not loaded:
        have = ", ".join(f"{p:%Y-%m}" for p in figures.assignment_periods(con)) or "none"
        raise QuarterError(f"No Agency assignments sheet is loaded for {label} "
                           f"({months[0]:%B} to {months[-1]:%B %Y}). Months with assignments "
                           f"loaded: {have}.")
    by_job = _job_type_figures(checked, end_month=loaded[-1], rules=rules)
    breaches = _breaches(checked)
    sheets: dict[str, pd.DataFrame] = {}
    for section in LAYOUT:
        if section.rows == "breach":
            if suppress:
                continue  # one row per assignment: never in a shared file
            sheets[section.sheet] = _render(section, breaches)
        else:
            table = _render(section, by_job)
            sheets[section.sheet] = _suppress(section, table) if suppress else table
    missing = [m for m in months if m not in loaded]
    generated = datetime.now(timezone.utc).strftime("%d/%m/%Y %H:%M UTC")
    notes = [
        f"Quarter: {label} ({months[0]:%B} to {months[-1]:%B %Y}), calendar quarters."
        + (f" Council: {council}." if council else ""),
        "Months with agency assignments loaded: "
        + ", ".join(f"{m:%B %Y}" for m in loaded)
        + (f". NOT loaded: {', '.join(f'{m:%B %Y}' for m in missing)} - the figures are partial."
           if missing else "."),
        "Usage and spend add up every month of the quarter (spend = charge rate x hours charged). "
        "Compliance counts each assignment once, as it stood in the latest month of the quarter "
        "it appears in; 'Cap breaches' lists every month an assignment was above its cap.",
        f"Social-work job types: {', '.join(SOCIAL_WORK_JOB_TYPES)}. A cap breach counts as "
        "signed off only when both the Director of Children's Services and the chief executive "
        "signed it.",
        *rules.assumptions(),
        TEMPLATE_NOTE,
        ("Small numbers are suppressed (c) and the breach list is left out: this copy may be "
         "shared." if suppress else
         "Exact figures, for the return to DfE and for HR: do not publish (the breach list names "
         "assignments by reference)."),
        f"Breach kinds on the dashboard: {'; '.join(BREACHES.values())}.",
        f"Produced {generated} by the Children's Workforce Dashboard (python -m agency quarterly).",
    ]
    return QuarterlySummary(quarter=label, months_loaded=loaded, sheets=sheets, notes=notes)
