"""Census readiness: completeness, problems and the figures DfE would publish, with context.

"If the census were taken at the end of this month": the return is built from the monthly loads
up to the latest loaded month of the census year (or taken from an imported return), checked by
the year's rules, and its figures are set beside last year's published figures and the
dashboard's own monthly figures, each difference explained in words.
Nothing here shows a registration number: only whether it is given. PersonBirthDate is not
expected: the store keeps ages, never dates of birth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from census import figures as F
from census.build import CensusConfig
from census.items import reference_date, worker_items
from census.model import CensusReturn, Worker
from census.rules import CensusProblem, check
from census.service import (
    CensusError, imported_return, latest_schema_note, monthly_return, previous_return,
)

#: codes that stand for "not yet collected": present in the return, but a gap to close
NOT_YET = {"Ethnicity": "NOBT", "StartOrigin": "10", "LeaverDestination": "9",
           "ReasonLeave": "10"}

#: the measures the report compares, in order
COMPARED = ("agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte", "caseload_fte",
            "absence_rate_fte", "inpost_headcount", "inpost_fte")

#: why the census figure and the dashboard's monthly figure can differ
EXPLAIN = {
    "agency_rate_fte": "Same definition: agency FTE / (agency + employed FTE) of qualified social "
                       "workers. The census takes agency FTE from the LA-level total; built from "
                       "the loads that total is the Staff sheet's agency FTE, so the two agree "
                       "at the reference month.",
    "vacancy_rate_fte": "Same definition: vacant FTE / (vacant + employed FTE); the census counts "
                        "vacancies in qualified social worker posts only, as does the dashboard's "
                        "social-worker scope.",
    "turnover_rate_fte": "The census counts leavers in the census year (1 October to 30 "
                         "September) so far; the dashboard counts the 12 months to the month end. "
                         "They agree in September; earlier in the year the census figure is "
                         "lower because the year is incomplete.",
    "caseload_fte": "The census divides cases by the FTE at 30 September (FTE30) of case holders "
                    "with FTE above 0, agency included; the dashboard divides cases by the FTE "
                    "of staff holding at least one case at the month end: the same people.",
    "absence_rate_fte": "The census divides the year's working days lost by in-post FTE x 253 "
                        "(254 in a leap year); the dashboard divides one month's days by "
                        "employed FTE x that month's working days. A part year gives a lower "
                        "census figure; in September the census figure is a whole year's rate.",
    "inpost_headcount": "LA-employed qualified social workers in post; the dashboard's "
                        "headcount figures include agency workers unless split.",
    "inpost_fte": "FTE of LA-employed qualified social workers in post (the census's in-post "
                  "FTE, the denominator of turnover and absence).",
}


def _given(w: Worker, tag: str) -> str:
    """'given', 'not yet collected' or 'missing' for one item of one worker."""
    value = w.get(tag)
    if value is None:
        return "missing"
    if NOT_YET.get(tag) == value:
        return "not yet collected"
    return "given"


def expected_items(ret: CensusReturn, w: Worker) -> list[str]:
    """The items DfE expects for this worker (by employment, starter, leaver, in post)."""
    tags = {i.tag for i in worker_items(ret.year)}
    want = ["SWENo", "FTE", "OrgRole"]
    if ret.in_post(w):
        want.append("FTE30")
        if w.get("OrgRole") == "5":
            want.append("Cases30")
    if not w.agency:
        want += ["Sex" if "Sex" in tags else "GenderCurrent", "Ethnicity",
                 "QualLevel", "StepUpGrad", "FrontlineGrad", "RoleStartDate", "WorkingDaysLost"]
        want += [t for t in ("BaseSalary", "RRPayments", "OtherPayments") if t in tags]
        if ret.in_post(w):
            want.append("Absat30Sept")
        if ret.starter(w):
            want.append("StartOrigin")
        if ret.leaver(w):
            want += ["RoleEndDate", "LeaverDestination", "ReasonLeave"]
    return [t for t in want if t in tags]


def completeness(ret: CensusReturn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per item: expected, given, not yet collected, missing, complete %;
    per worker: worker, kind, gaps) — only workers with gaps are listed."""
    counts: dict[str, list[int]] = {}
    people = []
    for w in ret.workers:
        gaps = []
        for tag in expected_items(ret, w):
            state = _given(w, tag)
            c = counts.setdefault(tag, [0, 0, 0, 0])
            c[0] += 1
            c[{"given": 1, "not yet collected": 2, "missing": 3}[state]] += 1
            if state != "given":
                gaps.append(f"{tag} ({state})")
        if gaps:
            kind = "agency" if w.agency else ("leaver" if ret.leaver(w) else
                                              "starter" if ret.starter(w) else "in post")
            people.append((w.employee_id or f"record {w.record}", kind, ", ".join(gaps),
                           len(gaps)))
    order = [i.tag for i in worker_items(ret.year)]
    items = pd.DataFrame(
        [(t, c[0], c[1], c[2], c[3], c[1] / c[0] if c[0] else None)
         for t, c in sorted(counts.items(), key=lambda kv: order.index(kv[0]))],
        columns=["item", "expected", "given", "not_yet_collected", "missing", "complete"])
    workers = pd.DataFrame(people, columns=["worker", "kind", "gaps", "gap_count"])
    return items, workers


@dataclass
class Report:
    year: int
    source: str  # "monthly loads" | "imported return"
    reference: date  # the month standing for 30 September (its first day) or 30 Sept itself
    schema_note: str
    figures: pd.DataFrame
    items: pd.DataFrame
    workers: pd.DataFrame
    problems: list[CensusProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def queries(self) -> int:
        return sum(p.severity == "query" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict]:
            return json.loads(frame.to_json(orient="records", date_format="iso"))
        return {"year": self.year, "source": self.source, "reference": self.reference.isoformat(),
                "schema": self.schema_note, "errors": self.errors, "queries": self.queries,
                "figures": records(self.figures), "completeness": records(self.items),
                "workers_with_gaps": records(self.workers),
                "problems": [p.to_dict() for p in self.problems], "notes": self.notes}


def _published(con: Any, years: list[int], la_code: str | None) -> dict[tuple[str, int], float]:
    """DfE's published figures for the authority (percent for rates), where imported."""
    try:
        from metrics.benchmarks import comparison
        frame = comparison(con, la_code=la_code, include_ours=False,
                           indicators=[F.MEASURES[m][2] for m in COMPARED if F.MEASURES[m][2]])
    except Exception:  # noqa: BLE001 - nothing imported yet: the report says so
        return {}
    frame = frame[frame["year"].isin(years)]
    return {(r.indicator, int(r.year)): r.la_value for r in frame.itertuples()
            if pd.notna(r.la_value)}


def _monthly(con: Any, period: date) -> dict[str, float]:
    """The dashboard's own figures at the reference month (engine units)."""
    from metrics import engine
    wanted = [F.MEASURES[m][3] for m in COMPARED if F.MEASURES[m][3]]
    try:
        frame = engine.compute(con, period=period, scope="social_workers", metric_ids=wanted)
    except Exception:  # noqa: BLE001 - no month loaded: no monthly column
        return {}
    frame = frame[frame["group"].isna()] if "group" in frame.columns else frame
    return {r.metric_id: r.value for r in frame.itertuples() if pd.notna(r.value)}


def _as_published(measure: str, value: float | None) -> float | None:
    """Engine units -> DfE's published units (rates in percent)."""
    if value is None or pd.isna(value):
        return None
    return value * 100 if F.MEASURES[measure][1] == "rate" else value


def report(con: Any, *, year: int, config: CensusConfig, as_at: date | None = None,
           source: str = "auto") -> Report:
    """The readiness report for `year`.

    source "auto": the monthly loads when any month of the year is loaded, else an imported
    return; "monthly" or "import" to choose.
    """
    ret: CensusReturn | None = None
    notes: list[str] = []
    reference = reference_date(year)
    monthly_period: date | None = None
    if source in ("auto", "monthly"):
        try:
            ret, monthly_period = monthly_return(con, year=year, config=config,
                                                 as_at=as_at or reference_date(year))
            reference = monthly_period
            used = "monthly loads"
            if monthly_period.month != 9:
                notes.append(f"The census year is not over: {monthly_period:%B %Y} stands in for "
                             f"30 September {year} (leavers, starters and days lost are the year "
                             "so far).")
        except CensusError as exc:
            if source == "monthly":
                raise
            notes.append(str(exc))
    if ret is None:
        ret = imported_return(con, year=year)
        used = "imported return"
        if ret is None:
            raise CensusError(f"Nothing to report for {year}: no month of the census year "
                              f"(October {year - 1} to September {year}) is loaded and no "
                              f"{year} return is imported.")
    problems = check(ret, previous=previous_return(con, year=year, config=config))
    items, workers = completeness(ret)
    ours = F.compute(ret)
    published = _published(con, [year, year - 1], ret.lea or config.lea)
    monthly = _monthly(con, monthly_period) if monthly_period else {}
    rows = []
    for m in COMPARED:
        label, unit, dfe, metric_id = F.MEASURES[m]
        rows.append({
            "measure": m, "label": label, "unit": "percent" if unit == "rate" else unit,
            "census": _as_published(m, ours[m].value),
            "published_last_year": published.get((dfe, year - 1)) if dfe else None,
            "published_this_year": published.get((dfe, year)) if dfe else None,
            "dashboard_monthly": _as_published(m, monthly.get(metric_id)) if metric_id else None,
            "explanation": EXPLAIN.get(m, ""),
        })
    frame = pd.DataFrame(rows)
    frame["difference"] = frame["census"] - frame["dashboard_monthly"]
    if not published:
        notes.append("DfE's published figures are not imported: import the CSWW indicators file "
                     "(python -m metrics.benchmarks import FILE) to compare with them.")
    return Report(year=year, source=used, reference=reference,
                  schema_note=latest_schema_note(year), figures=frame, items=items,
                  workers=workers, problems=problems, notes=notes)


def _num(value: object, unit: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def as_table(rep: Report) -> str:
    """The report as plain text for a terminal."""
    lines = [f"CSWW census {rep.year}: from the {rep.source}, reference "
             f"{rep.reference:%B %Y}; {rep.schema_note}.",
             f"{rep.errors} errors, {rep.queries} queries; "
             f"{len(rep.workers)} workers with gaps.", ""]
    lines += [f"NOTE {n}" for n in rep.notes]
    lines.append(f"{'figure':46} {'census':>9} {'DfE last yr':>11} {'DfE this yr':>11} "
                 f"{'dashboard':>9}")
    for r in rep.figures.itertuples():
        lines.append(f"{r.label[:46]:46} {_num(r.census, r.unit):>9} "
                     f"{_num(r.published_last_year, r.unit):>11} "
                     f"{_num(r.published_this_year, r.unit):>11} "
                     f"{_num(r.dashboard_monthly, r.unit):>9}")
    lines.append("")
    lines.append("Why the census and dashboard figures can differ:")
    lines += [f"- {r.label}: {r.explanation}" for r in rep.figures.itertuples() if r.explanation]
    lines.append("")
    lines.append(f"{'item':20} {'expected':>8} {'given':>6} {'not yet':>8} {'missing':>8} "
                 f"{'complete':>9}")
    for r in rep.items.itertuples():
        lines.append(f"{r.item:20} {r.expected:>8} {r.given:>6} {r.not_yet_collected:>8} "
                     f"{r.missing:>8} {_num(r.complete * 100, 'percent'):>9}")
    if rep.problems:
        lines.append("")
        lines += [str(p) for p in rep.problems]
    if len(rep.workers):
        lines.append("")
        lines.append("Workers with gaps:")
        lines += [f"- {r.worker} ({r.kind}): {r.gaps}" for r in rep.workers.itertuples()]
    return "\n".join(lines)
