"""The disclosure audit: what a scrutiny member (or anyone holding a published file) can see, and
whether any small group can be found in it or worked out from it.

Used by tests/app/test_disclosure_audit.py. It renders the real pages in AppTest as the scrutiny
role, records every table (the frame drawn by st.dataframe and the Disclosed behind its
downloads) and every chart's data and hover text, then:
  - counts: no count of people of 1 to threshold-1 is visible, nor the rest of a row total
    ("17 of 18"), nor a rate or share beside a hidden count;
  - charts: no category hidden in the page's tables carries a number in a chart or its hover;
  - arithmetic: for each table, the directorate and every service together, the published cells
    and the constraints a reader knows (each table's column totals, the services adding up to the
    directorate, a row total made of its parts) are solved by linear programming
    (disclosure.audit.intervals); every hidden count must stay uncertain by at least the threshold;
  - over time: a cell hidden in one month's view is hidden in every view that repeats it, and a
    change on a year ago is hidden where the year-ago figure was.
Months are sampled (see SAMPLE in the test) to keep the audit within about a minute.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from disclosure import SUPPRESSED, Disclosed, rules
from disclosure.audit import intervals, too_narrow

APP = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "dashboard.py")
#: the pages a scrutiny member may open whose figures follow the month, scope and service filters
FILTERED_PAGES = ("overview", "themes", "agency", "caseloads", "turnover", "profile", "agency_rules")
#: the pages that do not (rendered once per store)
UNFILTERED_PAGES = ("benchmarks", "tracker")
PAGES = FILTERED_PAGES + UNFILTERED_PAGES
#: columns that count people, wherever they appear
PEOPLE_COLUMNS = ("People", "Leavers", "Case holders", "Conversions", "Living in county", "People recorded", "people",
                  "People now", "People a year ago", "Assignments", "With a cap", "Cap breaches not signed off",
                  "Under 3 years", "Notice below minimum", "References incomplete", "Cool-off breaches",
                  "Over 12 months", "Project team")
#: tables whose cells add up (within a table, and across services), with their declared counts
LINKED = {
    "Staff by ethnic group": dict(counts=("People",)),
    "Staff by age": dict(counts=("People",)),
    "Staff by gender": dict(counts=("People",)),
    "Staff by disability": dict(counts=("People",)),
    "Leavers by reason": dict(counts=("Leavers",)),
    "Length of service at leaving": dict(counts=("Leavers",)),
    "Case holders by caseload band": dict(counts=("Case holders",)),
    "Living in the county by job type": dict(counts=("Living in county",), row_total="People recorded"),
    "Agency share by job type": dict(counts=("People",)),
    "Permanent and agency FTE by month": dict(counts=("People",), additive=False),
    "Agency to employee conversions by month": dict(counts=("Conversions",), additive=False),
}


def is_c(v: Any) -> bool:
    return isinstance(v, str) and v.strip() == SUPPRESSED


def number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, str):
        try:
            return float(v.replace(",", ""))
        except ValueError:
            return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


@dataclass
class View:
    store: str
    period: str
    scope: str
    service: str | None
    page: str
    tables: dict[str, Disclosed] = field(default_factory=dict)
    frames: list[pd.DataFrame] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)


def render(monkeypatch, *, store: str, period: str, scope: str, service: str | None,
           pages=PAGES) -> list[View]:
    """Every page of one filter combination as a scrutiny member sees it."""
    from ui import layout

    seen: dict[str, Disclosed] = {}
    real = layout.download_table

    def record(frame, *, name, key, disclosure, about=None):
        if isinstance(frame, Disclosed):
            seen[name] = frame
        real(frame, name=name, key=key, disclosure=disclosure, about=about)

    monkeypatch.setattr(layout, "download_table", record)
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"period": period, "scope": scope, **({"service": service} if service else {})})
    at.run()
    views = []
    for page in pages:
        seen.clear()
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        v = View(store, period, scope, service, page, tables=dict(seen),
                 frames=[df.value for df in at.dataframe],
                 charts=[json.loads(c.proto.spec) for c in at.get("plotly_chart")])
        views.append(v)
    monkeypatch.setattr(layout, "download_table", real)
    return views


# --- checks: each returns a list of violations (empty = protected) ----------------------------


def _label(row: pd.Series) -> str:
    """The row's category (and job type): its leading text cells that are not figures."""
    parts = []
    for x in row.iloc[:2]:
        if isinstance(x, str) and not is_c(x) and number(x) is None:
            parts.append(x)
        else:
            break
    return " / ".join(parts)


def _unrecorded(row: pd.Series) -> bool:
    words = set(rules().unrecorded) if not rules().unrecorded_is_sensitive else set()
    return any(isinstance(x, str) and x in words for x in row)


def small_counts(frame: pd.DataFrame, where: str) -> list[str]:
    t = rules().threshold
    out = []
    for _, row in frame.iterrows():
        if _unrecorded(row):
            continue
        for col in frame.columns:
            x = number(row[col]) if col in PEOPLE_COLUMNS else None
            if x is not None and 0 < x < t:
                out.append(f"{where}: {col} = {x:g} for {_label(row)}")
        if "Unit" in frame.columns and row.get("Unit") == "people":
            x = number(row.get("Value"))
            if x is not None and 0 < x < t:
                out.append(f"{where}: {row.iloc[0]} = {x:g} people")
        if {"Living in county", "People recorded"} <= set(frame.columns):
            a, b = number(row["Living in county"]), number(row["People recorded"])
            if a is not None and b is not None and 0 < b - a < t:
                out.append(f"{where}: {b:g} recorded, {a:g} living in the county: {b - a:g} do not")
        people = [c for c in frame.columns if c in PEOPLE_COLUMNS]
        if any(is_c(row[c]) for c in people):
            for col in frame.columns:
                if ("%" in str(col) or "FTE" in str(col) or str(col).startswith(("Share", "Agency share"))) \
                        and number(row[col]) is not None:
                    out.append(f"{where}: {col} shown beside a hidden count for {_label(row)}")
    return out


def _array(x: Any) -> list:
    """A Plotly JSON array: a list, or {"dtype", "bdata"} (base64 numpy) in Plotly 6."""
    if x is None:
        return []
    if isinstance(x, dict) and "bdata" in x:
        import base64

        import numpy as np

        arr = np.frombuffer(base64.b64decode(x["bdata"]), dtype=np.dtype(x["dtype"]))
        return arr.reshape(x["shape"]).tolist() if "shape" in x and isinstance(x["shape"], list) else arr.tolist()
    return list(x) if isinstance(x, (list, tuple)) else [x]


def chart_leaks(view: View) -> list[str]:
    """A category hidden in the table a chart draws must carry no number in the chart or its hover.

    A chart is matched to the table it draws: same categories, and its visible bars equal one of
    the table's columns (as a fraction or a percentage)."""
    tables = []
    for d in view.tables.values():
        if not d.table.suppresses and d.table.export is None:
            continue  # posts, files, published figures: no people to hide
        frame = d.shown
        people = [c for c in frame.columns if c in PEOPLE_COLUMNS]
        rows = {}
        for _, row in frame.iterrows():
            rows[_label(row).split(" / ")[-1]] = (any(is_c(row[c]) for c in people), row)
        tables.append(rows)
    out = []
    for spec in view.charts:
        for trace in spec.get("data", []):
            if trace.get("type") != "bar":
                continue
            horizontal = trace.get("orientation") == "h"
            cats = [str(c) for c in _array(trace.get("y" if horizontal else "x"))]
            vals = _array(trace.get("x" if horizontal else "y"))
            texts = _array(trace.get("text") or trace.get("hovertext"))
            texts = texts if len(texts) == len(cats) else texts[:1] * len(cats)
            for rows in tables:
                if not cats or not set(cats) <= set(rows):
                    continue
                shown = [(number(vals[i]) if i < len(vals) else None, rows[c][1]) for i, c in enumerate(cats)
                         if not rows[c][0]]
                # matched only on bars it shows (a chart of some other table with the same
                # categories, all hidden here, is not this table's chart)
                drawn = any(v is not None for v, _ in shown) and any(
                    all(v is None or any(number(r[col]) is not None and abs(number(r[col]) - v * k) < 0.06
                                         for k in (1, 100)) for v, r in shown)
                    for col in next(iter(rows.values()))[1].index)
                if not drawn:
                    continue
                for i, cat in enumerate(cats):
                    if not rows[cat][0]:
                        continue
                    v = number(vals[i]) if i < len(vals) else None
                    if v:  # a hidden bar is drawn empty (0) and labelled "c"; any other length is a figure
                        out.append(f"{view.page}: chart shows {v:g} for hidden {cat!r}")
                    if i < len(texts) and re.search(r"\d", str(texts[i] or "")):
                        out.append(f"{view.page}: hover text {texts[i]!r} for hidden {cat!r}")
    return out


def recoverable(views: list[View], truth) -> list[str]:
    """Solve each linked table (directorate and services together) as a reader would."""
    t = rules().threshold
    groups: dict[tuple, dict[str | None, pd.DataFrame]] = defaultdict(dict)
    for v in views:
        for name, d in v.tables.items():
            if name in LINKED:
                groups[(v.store, v.period, v.scope, name)][v.service] = d.published
    out = []
    for (store, period, scope, name), tables in groups.items():
        spec = LINKED[name]
        counts, row_total, additive = spec["counts"], spec.get("row_total"), spec.get("additive", True)
        known: dict[tuple, float] = {}
        hidden: list[tuple] = []
        eqs: list[tuple[list, float]] = []
        labels: dict[str | None, list[str]] = {}
        watch: list[tuple] = []
        for svc, f in tables.items():
            labels[svc] = [_label(r) or str(r.iloc[0]) for _, r in f.iterrows()]
            cols = list(counts) + ([row_total] if row_total else [])
            for lab, (_, row) in zip(labels[svc], f.iterrows()):
                for col in cols:
                    key = (svc, lab, col)
                    if is_c(row[col]):
                        hidden.append(key)
                        if not _unrecorded(row):  # a count of blank answers describes nobody
                            watch.append(key)
                    else:
                        known[key] = number(row[col]) or 0.0
                if row_total:
                    rest = (svc, lab, "rest")
                    hidden.append(rest)
                    eqs.append(([((svc, lab, counts[0]), 1), (rest, 1), ((svc, lab, row_total), -1)], 0))
                    exact = truth(store, period, scope, svc, name)
                    true_rest = exact.get((lab, row_total), 0) - exact.get((lab, counts[0]), 0)
                    if 0 < true_rest < t:
                        watch.append(rest)
            if additive:
                exact = truth(store, period, scope, svc, name)
                for col in cols:
                    # a total is known to a reader when it could be published: one of fewer than
                    # the threshold would itself be hidden wherever it appeared
                    total = sum(v for (lab, c), v in exact.items() if c == col)
                    if total >= t or total == 0:
                        eqs.append(([((svc, lab, col), 1) for lab in labels[svc]], total))
        if None in tables:
            for lab in labels[None]:
                for col in list(counts) + ([row_total] if row_total else []):
                    parts = [((s, lab, col), 1) for s in tables if s is not None and lab in labels[s]]
                    if len(parts) == len(tables) - 1:  # every service's table has the row
                        eqs.append((parts + [((None, lab, col), -1)], 0))
        if not watch:
            continue
        found = intervals(known=known, hidden=hidden, equations=eqs)
        for key, (lo, hi) in too_narrow(found, threshold=t, cells=watch).items():
            if hi == lo == 0:
                continue  # pinned to zero: a hidden "nobody" says nothing about anyone
            out.append(f"{store} {period} {scope} {name}: {key} lies in [{lo:g}, {hi:g}]")
    return out


def repeated_cells(views: list[View]) -> list[str]:
    """A month row repeated in several months' views (the 80:20 table, conversions) is hidden in
    all of them or none; a change on a year ago is hidden where the year-ago figure was."""
    cells: dict[tuple, set] = defaultdict(set)
    for v in views:
        for name in ("Permanent and agency FTE by month", "Agency to employee conversions by month"):
            d = v.tables.get(name)
            if d is None:
                continue
            for _, row in d.published.iterrows():
                for col in d.published.columns[1:]:
                    cells[(v.store, v.scope, v.service, name, row.iloc[0], col)].add(is_c(row[col]))
    out = [f"{k}: hidden in one month's view, shown in another" for k, s in cells.items() if len(s) > 1]
    values: dict[tuple, Any] = {}
    for v in views:
        for name, d in v.tables.items():
            if name == "Headline measures":
                for _, row in d.published.iterrows():
                    values[(v.store, v.scope, v.service, v.period, row["Measure"])] = row
    for (store, scope, service, period, measure), row in values.items():
        ago = (pd.Period(period, "M") - 12).strftime("%Y-%m")
        before = values.get((store, scope, service, ago, measure))
        if before is not None and is_c(before["Value"]) and not is_c(row["Value"]) \
                and number(row["Change on a year ago"]) is not None:
            out.append(f"{store} {scope} {service} {measure}: {period} change shown, {ago} value hidden")
    return out


def audit(views: list[View], truth) -> list[str]:
    problems = []
    for v in views:
        where = f"{v.store} {v.period} {v.scope} {v.service or 'directorate'} {v.page}"
        for frame in v.frames:
            problems += small_counts(frame, where)
        for name, d in v.tables.items():
            problems += small_counts(d.published, f"{where} file '{name}'")
        problems += chart_leaks(v)
    problems += recoverable(views, truth)
    problems += repeated_cells(views)
    return problems
