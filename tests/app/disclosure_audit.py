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
  - over time: a cell hidden in one month's view is hidden in every view that repeats it, a
    change on a year ago is hidden where the year-ago figure was, and the 12-month leavers tables
    of two successive months they are published for (the Septembers) are solved together
    (`over_two_months`);
  - the agency rules page's compliance tables, solved across services (`agency_recoverable`).
The data layer is checked for every loaded month; the pages at the latest month, each page table
held to the data layer's table of the same name and view (`page_tables_checked`).
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from disclosure import SUPPRESSED, Disclosed, rules
from metrics.units import NOT_AVAILABLE
from disclosure.audit import intervals, primary_range, too_narrow
from ui.data.people import MARGINS

APP = str(__import__("pathlib").Path(__file__).resolve().parents[2] / "dashboard.py")
#: the pages a scrutiny member may open whose figures follow the month, scope and service filters
FILTERED_PAGES = ("overview", "themes", "agency", "caseloads", "turnover", "profile", "agency_rules")
#: the pages that do not (rendered once per store)
UNFILTERED_PAGES = ("benchmarks", "tracker")
PAGES = FILTERED_PAGES + UNFILTERED_PAGES
#: columns that count people, wherever they appear
PEOPLE_COLUMNS = ("People", "Leavers", "Case holders", "Conversions", "Living in county", "People recorded", "people",
                  "People now", "People a year ago", "Assignments", "With a cap", "Within cap",
                  "Cap breaches not signed off",
                  "Under 3 years", "Notice below minimum", "References incomplete", "Cool-off breaches",
                  "Over 12 months", "Project team")
#: tables whose cells add up (within a table, and across services), with their declared counts
LINKED = {
    "Staff by ethnic group": dict(counts=("People",)),
    "Staff by age": dict(counts=("People",)),
    "Staff by gender": dict(counts=("People",)),
    "Staff by disability": dict(counts=("People",)),
    "Leavers by reason": dict(counts=("Leavers",), dimension="reason"),  # (the rules' merges of that dimension)
    "Length of service at leaving": dict(counts=("Leavers",)),
    "Case holders by caseload band": dict(counts=("Case holders",)),
    "Living in the county by job type": dict(counts=("Living in county",), row_total="People recorded"),
    "Permanent and agency FTE by month": dict(counts=("People",), additive=False, exact=True),
    # months are rows; each month's 12-month window adds up to at least the history's 12-month
    # conversions (ROLLING_SUMS)
    "Agency to employee conversions by month": dict(counts=("Conversions",), additive=False, exact=True),
    # the Workforce profile's headcount line: months are rows (not additive), services add up
    "Employed headcount by month": dict(counts=("People",), additive=False, exact=True),
}


def linked_spec(name: str) -> dict | None:
    """How a table's people add up (None: not a table of counts that add up), by its name: the
    named tables above, and every measure broken down by job type (its People)."""
    if name in LINKED:
        return LINKED[name]
    if name in {f"{SHORT.get(m, label)} by job type" for m, label in _drill_measures().items()}:
        return dict(counts=("People",))
    return None


def is_c(v: Any) -> bool:
    return isinstance(v, str) and v.strip() == SUPPRESSED


def is_x(v: Any) -> bool:
    """GSS "x": not available (not published for the period: disclosure.policy.YEAR_TO_SEPTEMBER)."""
    return isinstance(v, str) and v.strip() == NOT_AVAILABLE


def note_cell(known: dict, hidden: list, key: Any, shown: float | None) -> None:
    """Record one published cell in a system being built: a shown figure becomes known (and stops
    being hidden: another table showed what one hid), a hidden one (`shown` None) joins `hidden`
    unless it is already known or hidden."""
    if shown is not None:
        known[key] = shown
        if key in hidden:
            hidden.remove(key)
    elif key not in known and key not in hidden:
        hidden.append(key)


#: how a finding on a cell its caption calls primary ends (the caption's bound is what narrows it)
CAPTIONED = " (captioned fewer than the threshold)"
#: a bound on people counts for the mixed-integer programmes' either-or (`Captions.not_small`): no
#: count of people here comes near it (the demo's directorate has about 500 staff)
MOST = 1e4


#: the tables whose captions the audit's own checks read (`read_caption`): the policy's linked
#: tables of categories that add up (disclosure.linked), where the policy protects what a reader of
#: each hidden cell's caption knows (disclosure.system `System.protect`)
CAPTIONED_TABLES = ("Staff by ethnic group", "Staff by age", "Staff by gender", "Staff by disability",
                    "Leavers by reason", "Length of service at leaving", "Case holders by caseload band",
                    "Living in the county by job type")


def read_caption(name: str, d: Disclosed, i: int, col: str, *, per_cell: bool = False) -> str | None:
    """What the audit's checks read of a hidden cell's caption (row position `i`, column `col`): in
    CAPTIONED_TABLES, "primary" where its own reason is "fewer than 5 people" (a reader who can
    tell which "c" is which knows that cell is 1 to threshold-1; the policy holds each such cell to
    what the captions alone leave it: `narrow`'s `alone`); nothing of other reasons (a secondary
    cell's "0 or at least the threshold" is an either-or the policy does not read). With
    `per_cell` (not asserted), every table's cells, every reason."""
    why = reason_at(d, i, col)
    if per_cell:
        return why
    return why if name in CAPTIONED_TABLES and why == "primary" else None


def reason_at(d: Disclosed, i: int, col: str) -> str | None:
    """The reason of a published table's cell (row position `i`, column `col`), as its caption
    gives it (`Disclosed.reasons`; None where there is none)."""
    if col not in d.reasons.columns or i >= len(d.reasons):
        return None
    why = d.reasons[col].iat[i]
    return why if isinstance(why, str) else None


@dataclass
class Captions:
    """What the captions of a system's tables tell a reader of its hidden cells, each cell's own
    reason read (`reason_at`; disclosure.policy.true_reason decides them from the counts a cell
    rests on). A caption gives how many figures are hidden for each reason, not which: a reader
    who can tell which cell is which knows at most this, so a system holding against it holds
    against the caption. A count captioned "fewer than 5 people" (primary) is 1 to threshold-1
    (`disclosure.audit.primary_range`); one captioned "hidden so that a small group cannot be
    worked out" (secondary) rests on no count of 1 to threshold-1: it is 0 or at least the
    threshold (`not_small`, an either-or no linear programme holds: `caption_intervals` solves it
    as a mixed-integer one); a rate captioned primary rests on at least one such count (`small`,
    a group of its numerator, the rest and its base), secondary on none. Class and over-time
    reasons say why a row is hidden, not how big its counts are: nothing is read of them. (Not
    read, and so not checked: a class caption's either-or, one of a small group's "c"s its answer
    and the others 0, which gives the answer away where the figures prove a cell of the group at
    least 1: docs/DECISIONS.md, lead30, "Left".)"""

    small: list[tuple] = field(default_factory=list)  # groups of cells: at least one is 1 to threshold-1
    not_small: set = field(default_factory=set)        # cells each 0 or at least the threshold
    #: the cells a reader knows without the tables (a total the history or a page shows, a cell
    #: the history publishes): known beside the captions alone (`narrow`'s `given`)
    given: set = field(default_factory=set)

    def read(self, key: Any, reason: str | None, rests: Sequence | None = None) -> None:
        """Read a hidden cell's reason: `rests` the system's cells its figure rests on (None: it is
        a count, it rests on itself)."""
        cells = (key,) if rests is None else tuple(rests)
        if reason == "primary" and cells:
            self.small.append(cells)
        elif reason == "secondary":
            self.not_small.update(cells)

    def prefixed(self, prefix: tuple) -> "Captions":
        """The same, each cell named with `prefix` before it (`over_two_months`' month)."""
        return Captions(small=[tuple((*prefix, *c) for c in g) for g in self.small],
                        not_small={(*prefix, *c) for c in self.not_small},
                        given={(*prefix, *c) for c in self.given})

    def update(self, other: "Captions") -> None:
        self.small += other.small
        self.not_small |= other.not_small
        self.given |= other.given

    def bounds(self, hidden: Sequence) -> dict[Any, tuple[float, float]]:
        """{hidden cell captioned primary itself: its caption's range} (`intervals`' `bounds`)."""
        inside = set(hidden)
        return {g[0]: primary_range(rules().threshold) for g in self.small if len(g) == 1 and g[0] in inside}

    def either_or(self, hidden: Sequence) -> bool:
        """Whether any of it is more than a bound on one hidden cell (`caption_intervals`)."""
        inside = set(hidden)
        return bool(self.not_small & inside) or any(len(g) > 1 and inside & set(g) for g in self.small)


def caption_intervals(known: Mapping, hidden: Sequence, eqs: Sequence, cells: Sequence,
                      captions: "Captions | None" = None) -> dict[Any, tuple[float, float]]:
    """`intervals` of `cells` with what the captions tell (`Captions`): each primary cell within its
    caption's range (`intervals`' `bounds`) and, where the captions say more (a cell 0 or at
    least the threshold, one of a rate's counts small), the lowest and highest of each cell
    over every way of meeting them (scipy's mixed-integer HiGHS: a binary per either-or)."""
    captions = captions or Captions()
    bounds = captions.bounds(hidden)
    if not captions.either_or(hidden):
        return intervals(known=known, hidden=hidden, equations=eqs, cells=cells, bounds=bounds)
    from scipy.optimize import Bounds, LinearConstraint, milp

    from disclosure.audit import System

    t = rules().threshold
    system = System(known=known, hidden=hidden, equations=eqs, bounds=bounds)
    n = len(system.hidden)
    rows: list[tuple[dict[int, float], float, float]] = []  # ({column: coef}, low, high)
    binaries = 0

    def binary() -> int:
        nonlocal binaries
        binaries += 1
        return n + binaries - 1

    for c in sorted(captions.not_small & set(system.pos), key=str):  # 0, or at least t: x <= MOST z, x >= t z
        z, x = binary(), system.pos[c]
        rows += [({x: 1.0, z: -MOST}, -np.inf, 0.0), ({x: 1.0, z: -float(t)}, 0.0, np.inf)]
    for group in captions.small:
        if len(group) == 1 or any(g in known and rules().small(float(known[g])) for g in group):
            continue  # a bound (`bounds`), or a count shown small: the caption says nothing more
        members = [g for g in group if g in system.pos]
        if not members or any(g not in system.pos and g not in known for g in group):
            continue  # (one of its counts is not in this system: it might be the small one)
        chosen = []
        for g in members:  # s = 1: g is 1 to t-1 (x >= s, x <= t-1 + MOST (1 - s))
            s, x = binary(), system.pos[g]
            chosen.append(s)
            rows += [({x: 1.0, s: -1.0}, 0.0, np.inf), ({x: 1.0, s: MOST}, -np.inf, t - 1 + MOST)]
        rows.append(({s: 1.0 for s in chosen}, 1.0, np.inf))
    width = n + binaries
    a = np.zeros((len(rows) + (0 if system.a_eq is None else len(system.a_eq)), width))
    low, high = np.empty(len(a)), np.empty(len(a))
    for i, (coefs, lo, hi) in enumerate(rows):
        for j, v in coefs.items():
            a[i, j] = v
        low[i], high[i] = lo, hi
    if system.a_eq is not None:
        a[len(rows):, :n] = system.a_eq
        low[len(rows):] = high[len(rows):] = system.b_eq
    integrality = np.r_[np.zeros(n), np.ones(binaries)]
    box = Bounds(np.r_[system.lower, np.zeros(binaries)],
                 np.r_[np.minimum(system.upper_of, MOST), np.ones(binaries)])
    constraint = LinearConstraint(a, low, high)
    out = {}
    for key in dict.fromkeys(cells):
        if key not in system.pos:
            continue
        ends = []
        for sense in (1.0, -1.0):
            cost = np.zeros(width)
            cost[system.pos[key]] = sense
            res = milp(cost, constraints=constraint, integrality=integrality, bounds=box)
            ends.append(sense * res.fun if res.status == 0 else np.nan)
        out[key] = (ends[0], np.inf if ends[1] >= MOST - 1e-6 else ends[1])
    return out


def narrow(known: Mapping, hidden: Sequence, eqs: Sequence, watch: Sequence,
           captions: Captions | None = None, *, alone: bool = False,
           given: Collection = ()) -> dict[Any, tuple[float, float]]:
    """The watched hidden cells a reader pins down by solving the system (disclosure.audit
    `intervals`) with what the captions tell (`Captions`, `caption_intervals`): {cell: its
    feasible [low, high]}. Each must stay uncertain by at least the threshold (`too_narrow`)
    unless pinned to 0 (a hidden "nobody" says nothing about anyone), solved with the captions'
    either-ors but not their bounds on cells called primary (a cell within [1, threshold-1], or
    beside one, is narrower than the threshold by the caption alone); and a cell its caption
    calls primary must keep, solved with every caption, the whole [1, threshold-1] the caption
    already gives (GSS: the published figures teach nothing more of a small cell than that it is
    small: `too_narrow`'s `captioned`). Each solved first as linear programmes (the either-ors
    left out: a cell narrow there is narrow), then the cells that held, where the captions say
    more than bounds, exactly (`caption_intervals`). With `alone` the captions are read as the
    policy's protection reads them (disclosure.system `System.protect`, the agency compliance and
    the linked tables: each primary cell's own bound, no either-or) and a cell its caption calls
    primary must keep what the captions alone leave it (`captions_alone`, with the cells in
    `given` known beside them: the agency totals decided before the tables by job type, the
    linked tables' totals and cells the history or a page shows), not the whole [1, threshold-1]."""
    t = rules().threshold
    if not watch:
        return {}
    captions = captions or Captions()
    if alone:
        captions = Captions(small=[g for g in captions.small if len(g) == 1])

    ranges: dict = {}

    def short(found: Mapping, cells: Sequence, captioned: Sequence) -> dict:
        out = {k: (lo, hi) for k, (lo, hi) in too_narrow(found, threshold=t, cells=cells, captioned=captioned).items()
               if not hi == lo == 0}
        return {k: v for k, v in out.items() if k not in ranges or not (
            v[0] <= ranges[k][0] + 1e-9 and v[1] >= ranges[k][1] - 1e-9)}

    def solve(cells: Sequence, said: Captions, captioned: Sequence) -> dict:
        found = intervals(known=known, hidden=hidden, equations=eqs, cells=cells, bounds=said.bounds(hidden))
        out = short(found, cells, captioned)
        if said.either_or(hidden):
            held = [k for k in cells if k in found and k not in out]
            out.update(short(caption_intervals(known, hidden, eqs, held, said), held, captioned))
        return out

    out = solve(watch, Captions(small=[g for g in captions.small if len(g) > 1], not_small=captions.not_small), ())
    primary = captions.bounds(hidden)
    bounded = [k for k in watch if k in primary and k not in out]
    if bounded and alone:
        ranges.update(captions_alone(known, hidden, eqs, bounded, primary, given))
    if bounded:
        out.update(solve(bounded, captions, bounded))
    return out


def captions_alone(known: Mapping, hidden: Sequence, eqs: Sequence, cells: Sequence,
                   bounds: Mapping, given: Collection = ()) -> dict[Any, tuple[float, float]]:
    """{cell: what the captions alone leave it}: `cells` solved with every published cell hidden
    too, except those in `given` (a reader of the captions and of what is known without the
    tables: the equations' own figures, e.g. a total the history shows, and the figures decided
    before the tables, e.g. the month's agency totals) and each primary cell within its caption's
    `bounds`. The audit's own reading of what disclosure.cells `caption_ranges` gives the policy
    (which reads the captions beside the figures it was handed as decided: `System`'s `fixed`):
    no protection by hiding in the tables can leave a cell more than this, so it is what the
    tables' figures must not narrow."""
    keep = {k: v for k, v in known.items() if k in given}
    return intervals(known=keep, hidden=[*hidden, *(k for k in known if k not in keep)], equations=eqs,
                     cells=cells, bounds=bounds)


def finding(key: Any, captions: Captions | None, lo: float, hi: float) -> str:
    """How a narrow cell is reported: its interval, and CAPTIONED where it is a cell its caption
    calls primary narrowed within the caption's range (`narrow`)."""
    primary = captions is not None and any(g == (key,) for g in captions.small)
    return f"lies in [{lo:g}, {hi:g}]" + (CAPTIONED if primary and 1 <= lo <= hi <= rules().threshold - 1 else "")


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


def render(monkeypatch, *, store: str, scopes, services, pages=FILTERED_PAGES,
           once=UNFILTERED_PAGES) -> list[View]:
    """Every page a scrutiny member may open, as they see it, at the latest month: one AppTest
    for the store, the population and service switched through the sidebar's own widgets (as a
    member would), every filtered page for each combination, and `once` the pages without
    filters. Each View holds what the page drew: its dataframes, its charts' data and the
    Disclosed behind each download."""
    from ui import layout, state

    seen: dict[str, Disclosed] = {}
    real = layout.download_table

    def record(frame, *, name, key, disclosure, about=None):
        if isinstance(frame, Disclosed):
            seen[name] = frame
        real(frame, name=name, key=key, disclosure=disclosure, about=about)

    monkeypatch.setattr(layout, "download_table", record)
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    period = at.sidebar.selectbox(key=state.widget_key("period")).value

    def view(page: str, scope: str, service: str | None) -> View:
        assert not at.exception, (page, [e.value for e in at.exception])
        return View(store, period, scope, service, page, tables=dict(seen),
                    frames=[df.value for df in at.dataframe],
                    charts=[json.loads(c.proto.spec) for c in at.get("plotly_chart")])

    views = []
    try:
        for scope in scopes:
            for service in services:
                for i, page in enumerate(pages):
                    seen.clear()
                    at.switch_page(f"views/{page}.py").run()
                    if i == 0:  # the filters, once per combination: they stay as pages change
                        seen.clear()
                        at.sidebar.radio(key=state.widget_key("scope")).set_value(scope)
                        at.sidebar.selectbox(key=state.widget_key("service")).set_value(service or state.ALL)
                        at.run()
                    views.append(view(page, scope, service))
        for page in once:
            seen.clear()
            at.switch_page(f"views/{page}.py").run()
            views.append(view(page, "", None))
    finally:
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
    words = rules().shown_whatever_size
    return any(isinstance(x, str) and x in words for x in row)


#: shares whose part and base are columns of the same table (policy: `people(numerators=...)`):
#: the share is checked against them, not against the row's other counts
RATE_PARTS = {"Within cap (%)": ("Within cap", "With a cap")}


def _own_parts_shown(frame: pd.DataFrame, row: pd.Series, col: str) -> bool:
    """A share with its part and base both shown beside it (checked above, against them)."""
    parts = RATE_PARTS.get(col)
    return parts is not None and all(c in frame.columns and number(row[c]) is not None for c in parts)


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
        for rate, (part, base) in RATE_PARTS.items():  # a share shown gives its part and the rest
            if rate in frame.columns and number(row[rate]) is not None and base in frame.columns:
                b = number(row[base])
                if b is not None:
                    n = round(b * number(row[rate]) / 100)
                    if 0 < n < t or 0 < b - n < t:
                        out.append(f"{where}: {rate} {number(row[rate]):g} of {b:g} gives away {n:g} and {b - n:g}"
                                   f" for {_label(row)}")
        people = [c for c in frame.columns if c in PEOPLE_COLUMNS]
        if any(is_c(row[c]) for c in people):
            for col in frame.columns:
                if ("%" in str(col) or "FTE" in str(col) or str(col).startswith(("Share", "Agency share"))) \
                        and number(row[col]) is not None and not _own_parts_shown(frame, row, col):
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
        # a row's own figure hidden while its People are shown (a drill row whose rate rests on a
        # few leavers: the policy publishes its People) is hidden too: every other figure "c"
        figures = [c for c in frame.columns[1:] if c not in PEOPLE_COLUMNS and c != "Small group"]
        rows = {}
        for _, row in frame.iterrows():
            rows[_label(row).split(" / ")[-1]] = (any(is_c(row[c]) for c in people)
                                                  or (bool(figures) and all(is_c(row[c]) for c in figures)), row)
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


#: tables that count the same people (their totals are one figure, solved together)
FAMILIES = {"Staff by ethnic group": "staff", "Staff by age": "staff", "Staff by gender": "staff",
            "Staff by disability": "staff", "Leavers by reason": "leavers",
            "Length of service at leaving": "leavers"}
#: where a family's total for the directorate and each service is published: the measure history
#: (the cards, themes, trends and by-service tables read it) of the measure counting the same
#: people, and its column (ui.data.people.MARGINS, the same sources the policy is told about; the
#: audit checks each figure equals the table's total). Where the history hides a total it is
#: hidden to the reader too; a family without a source (or a figure that is not the total)
#: has every total of at least the threshold known.
TOTAL_SOURCES = {"staff": MARGINS["profile"], "Case holders by caseload band": MARGINS["caseload_bands"],
                 "leavers": MARGINS["leavers_by_reason"],
                 "Living in the county by job type": MARGINS["local_by_job"]}
#: a page table that shows a family's total too, for one month: (table, its month column, its column)
ALSO_SHOWN = {"staff": ("Permanent and agency FTE by month", "Month", "People")}
#: one cell of a table that the measure history publishes too, where it publishes the figure:
#: (table, row, column) -> (measure, the history's column). The early leavers (leave date before
#: the first anniversary of the start date, employed leavers of the 12 months: metrics.catalogue)
#: are the length-of-service table's "Under 1 year" leavers (metrics.detail's first band)
CELL_SOURCES = {("Length of service at leaving", "Under 1 year", "Leavers"): ("early_leaver_rate_12m", "numerator")}


def table_month(view: View, d: Disclosed) -> str | None:
    """The month ("YYYY-MM") whose figures a table publishes: the view's, or the one the table says
    (`Disclosed.period`: a 12-month leavers table is published for the year to 30 September);
    None where it publishes nothing yet (empty, with a note saying why)."""
    if getattr(d, "period", None):
        return d.period
    if d.published.empty and getattr(d, "note", None):
        return None
    return view.period


def _history_index(history: Sequence[tuple]) -> dict[tuple, dict]:
    """{(store, scope, metric, month, service): the published history's overall row}."""
    published = {}
    for store, scope, frame, _ in history:
        for r in frame.to_dict("records"):
            if r.get("group") is None or (isinstance(r.get("group"), float) and math.isnan(r["group"])):
                svc = r["service"] if isinstance(r["service"], str) else None
                published[(store, scope, r["metric_id"], pd.Timestamp(r["period"]), svc)] = r
    return published


def year_to_september(views: list[View], history: Sequence[tuple]) -> list[str]:
    """The 12-month leavers tables (ROLLING) a suppressed role sees, at any month, are a year to 30
    September's, on or before the month (or nothing yet: empty, with a note saying why), never the
    12 months to another month: successive 12-month tables differ by the month's leavers less
    those of 12 months before, and their "Under 1 year" row is the early leavers the measure
    history withholds ("x") at such months. Each says so (a note). And a table's cell the history
    publishes too (CELL_SOURCES: the early leavers) is that September's figure in both, or
    hidden in both (one figure, one decision)."""
    published = _history_index(history)
    out = []
    for v in views:
        for name in ROLLING:
            d = v.tables.get(name)
            if d is None:
                continue
            where = f"{v.store} {v.period} {v.scope} {v.service or 'directorate'} '{name}'"
            at = table_month(v, d)
            if at is None:
                if not d.published.empty or not d.note:
                    out.append(f"{where}: publishes nothing, but not as an empty table that says why")
                continue
            if pd.Period(at, "M").month != 9 or pd.Period(at, "M") > pd.Period(v.period, "M") \
                    or pd.Period(at, "M") < pd.Period(v.period, "M") - 12:
                out.append(f"{where}: the 12 months to {at}, not the latest year to 30 September")
            if not d.note or at[:4] not in d.note:
                out.append(f"{where}: does not say it is the year to 30 September {at[:4]} ({d.note!r})")
            for (table, label, col), (mid, hcol) in CELL_SOURCES.items():
                if table != name:
                    continue
                rows = d.published[d.published.iloc[:, 0].astype(str) == label]
                theirs = _published(published, v.store, v.scope, at, v.service, mid, hcol)
                if theirs is None or rows.empty:
                    continue
                mine = rows[col].iloc[0]
                if is_c(mine) != (theirs == SUPPRESSED) or (not is_c(mine) and number(mine) != theirs):
                    out.append(f"{where}: {label!r} {mine!r}, the measure history's {mid} {hcol} of {at} {theirs!r}")
    return out


def _family(name: str) -> str:
    return FAMILIES.get(name, name)


def _source(family: str) -> tuple[str, dict] | None:
    if family in TOTAL_SOURCES:
        return TOTAL_SOURCES[family]
    mid = next((m for m, label in _drill_measures().items() if f"{SHORT.get(m, label)} by job type" == family), None)
    return None if mid is None else (mid, {"People": "base_count"})


def _published(history: Mapping, store: str, scope: str, period: str, service: str | None,
               metric_id: str, column: str) -> float | str | None:
    """A figure of the published history: a number, "c" when hidden, None when not there."""
    row = history.get((store, scope, metric_id, pd.Timestamp(period + "-01"), service))
    if row is None:
        return None
    return SUPPRESSED if is_c(row[column]) else number(row[column])


def _same_figures(history: Sequence[tuple]) -> dict[tuple, float]:
    """{(store, scope, measure's declared key, month, service, column): the figure} for every
    figure of SAME_FIGURE_COLS an overall row of the published history shows: a reader has it from
    any row publishing it, whichever measure's (disclosure.policy.same_figure_keys: the turnover
    rate's People, employed staff in post, are the vacancy rate's and the starters'; never
    matched by value)."""
    from disclosure.policy import SAME_FIGURE_COLS, same_figure_keys

    keys: dict[str, dict] = {}
    out: dict[tuple, float] = {}
    for store, scope, frame, _ in history:
        for r in frame.to_dict("records"):
            if isinstance(r.get("group"), str):
                continue
            mine = keys.setdefault(r["metric_id"], same_figure_keys(r["metric_id"]))
            svc = r["service"] if isinstance(r["service"], str) else None
            for col in SAME_FIGURE_COLS:
                x = None if is_c(r.get(col)) or col not in mine else number(r.get(col))
                if x is not None:
                    out.setdefault((store, scope, mine[col], pd.Timestamp(r["period"]), svc, col), x)
    return out


def _published_anyway(history: Mapping, same: Mapping, store: str, scope: str, period: str, service: str | None,
                      metric_id: str, column: str) -> float | str | None:
    """`_published`, or where the row hides the figure (or is not there) the same figure as any
    other row of the published history shows it (`_same_figures`)."""
    from disclosure.policy import same_figure_keys

    own = _published(history, store, scope, period, service, metric_id, column)
    if isinstance(own, float):
        return own
    key = same_figure_keys(metric_id).get(column)
    twin = None if key is None else same.get((store, scope, key, pd.Timestamp(period + "-01"), service, column))
    return own if twin is None else twin


def _true(exact: Mapping[tuple, float], label: str, col: str, shown: Sequence[str]) -> float:
    """A published row's exact count: a merged category ("55 and over") is its members that are
    not rows of their own."""
    value = exact.get((label, col), 0.0)
    for m in rules().merges:
        if m.into == label:
            value += sum(exact.get((x, col), 0.0) for x in m.members if x not in shown and x != label)
    return value


def recoverable(views: list[View], truth, history: Sequence[tuple] = (), *, solve: bool = True,
                per_cell: bool = False) -> list:
    """Solve each family of linked tables (the directorate and every service, and the tables that
    count the same people) as a reader would: the published cells; each table's column total,
    known where a page shows it (the measure history, TOTAL_SOURCES; a job-type breakdown's from
    its own measure, or any row of the history that publishes the same figure by declaration:
    `_published_anyway`; ALSO_SHOWN), hidden where the history hides it, and otherwise known when at
    least the threshold; the services adding up to the directorate; a row total made of its
    parts; what each hidden cell's caption tells (`Captions`: a cell captioned primary is 1 to
    threshold-1, one captioned secondary 0 or at least the threshold; a caption that is not the
    true reason is a finding of its own). Every hidden count must stay uncertain by at least the
    threshold, and a cell captioned "fewer than 5 people" must keep what the captions alone leave
    it, read beside the figures a reader has without the tables (`narrow`'s `alone`: the totals
    and cells the history or a page shows, `Captions.given`), as the policy protects it
    (disclosure.system `System.protect`). Captions read (`read_caption`): each hidden cell's own
    "fewer than 5 people" in CAPTIONED_TABLES; with `per_cell` each hidden cell's own reason in
    every table, either-ors too, each captioned cell asked the whole 1 to threshold-1 (not asserted)."""
    t = rules().threshold
    groups: dict[tuple, dict[tuple, Disclosed]] = defaultdict(dict)
    services: dict[str, set] = defaultdict(set)
    published = _history_index(history)
    same = _same_figures(history)  # (a total the history shows in another measure's row)
    shown_totals: dict[tuple, float] = {}  # a family's total a page shows besides the history
    for v in views:
        services[v.store].add(v.service)
        for name, d in v.tables.items():
            at = table_month(v, d)  # (a 12-month leavers table: its year to 30 September's figures)
            if linked_spec(name) and at is not None:
                groups[(v.store, at, v.scope, _family(name))][(name, v.service)] = d
        for family, (name, month_col, col) in ALSO_SHOWN.items():
            d = v.tables.get(name)
            if d is None:
                continue
            month = pd.Timestamp(v.period + "-01").strftime("%b %Y")
            for m, x in zip(d.published[month_col], d.published[col]):
                if m == month and number(x) is not None:
                    shown_totals[(v.store, v.period, v.scope, family, v.service, col)] = number(x)
    out = []
    for (store, period, scope, family), tables in groups.items():
        known: dict[tuple, float] = {}
        hidden: list[tuple] = []
        eqs: list[tuple[list, float]] = []
        watch: list[tuple] = []
        captions = Captions()
        source = _source(family)
        exacts: dict[tuple, Mapping] = {}
        names = sorted({n for n, _ in tables})
        for name in names:
            spec = linked_spec(name)
            counts, row_total, additive = spec["counts"], spec.get("row_total"), spec.get("additive", True)
            cols = list(counts) + ([row_total] if row_total else [])
            labels: dict[str | None, list[str]] = {}
            for (n, svc), d in tables.items():
                if n != name:
                    continue
                f = d.published
                exact = truth(store, period, scope, svc, name) if additive or row_total or spec.get("exact") \
                    else {}
                exacts[(name, svc)] = exact
                labels[svc] = [_label(r) or str(r.iloc[0]) for _, r in f.iterrows()]
                for i, (lab, (_, row)) in enumerate(zip(labels[svc], f.iterrows())):
                    for col in cols:
                        key = (name, svc, lab, col)
                        if is_c(row[col]):
                            hidden.append(key)
                            true = _true(exact, lab, col, labels[svc])
                            why = read_caption(name, d, i, col, per_cell=per_cell)
                            if why in ("primary", "secondary") and (why == "primary") != (0 < true < t) \
                                    and (additive or row_total or spec.get("exact")):
                                # the caption's reason is not the true one (its own finding: solve)
                                (out if solve else []).append(f"{store} {period} {scope} {name}: {key[1:]} is {true:g}, captioned "
                                           + (f"fewer than {t} people" + CAPTIONED if why == "primary" else why))
                            else:
                                captions.read(key, why)
                            # a small group (a count of blank answers describes nobody); a large
                            # count hidden to protect one may be worked out (GSS: secondary cells
                            # protect the primary ones, which are watched)
                            if not _unrecorded(row) and 0 < true < t:
                                watch.append(key)
                        else:
                            known[key] = number(row[col]) or 0.0
                    if row_total:
                        rest = (name, svc, lab, "rest")
                        hidden.append(rest)
                        eqs.append(([((name, svc, lab, counts[0]), 1), (rest, 1),
                                     ((name, svc, lab, row_total), -1)], 0))
                        true_rest = exact.get((lab, row_total), 0) - exact.get((lab, counts[0]), 0)
                        if 0 < true_rest < t:
                            watch.append(rest)
                for (table, label, col), (mid, hcol) in CELL_SOURCES.items():
                    key = (name, svc, label, col)
                    if table != name or (key not in hidden and key not in known):
                        continue
                    found = _published(published, store, scope, period, svc, mid, hcol)
                    if isinstance(found, float):  # the history publishes it: a reader knows it
                        if key in hidden:
                            hidden.remove(key)
                        if key in watch:
                            watch.remove(key)
                        known[key] = found
                        captions.given.add(key)  # (known beside the captions alone, shown here or not)
                if not additive:
                    continue
                for col in cols:
                    total = sum(v for (lab, c), v in exact.items() if c == col)
                    tkey = ("total", family, svc, col)
                    if tkey not in known and tkey not in hidden:
                        # its total (the view's People) as any row of the history shows it: its
                        # source's own row, or a row publishing the same figure by declaration
                        # (`_published_anyway`), whichever family (a reader does not ask the policy
                        # which row it meant to show)
                        found = None if source is None or col not in source[1] else _published_anyway(
                            published, same, store, scope, period, svc, source[0], source[1][col])
                        also = shown_totals.get((store, period, scope, family, svc, col))
                        if also is not None and abs(also - total) < 0.5:
                            known[tkey] = total  # a page shows it (the 80:20 table's People)
                        elif found == SUPPRESSED:
                            hidden.append(tkey)
                        elif found is not None and abs(found - total) < 0.5:
                            known[tkey] = total
                        elif total >= t or total == 0:  # no published source: assume it is known
                            known[tkey] = total
                        else:
                            hidden.append(tkey)
                        if tkey in known:
                            captions.given.add(tkey)
                    eqs.append(([((name, svc, lab, col), 1) for lab in labels[svc]] + [(tkey, -1)], 0))
            if name in ROLLING_SUMS:
                eqs += _window_bounds(name, labels, published, store, scope, hidden)
            if name in KNOWN_ANSWERS:
                eqs += _known_answer_links(name, labels, published, store, scope, period, hidden, watch,
                                           {svc: e for (n, svc), e in exacts.items() if n == name})
            if None in labels and len(labels) > 1 and set(labels) >= services[store]:  # (services add up)
                for lab in labels[None]:
                    for col in cols:
                        parts = [((name, s, lab, col), 1) for s in labels if s is not None and lab in labels[s]]
                        eqs.append((parts + [((name, None, lab, col), -1)], 0))
        if not solve:  # the systems themselves (over_two_months joins two months' of them)
            out.append(((store, period, scope, family), known, hidden, eqs, watch, captions))
            continue
        for key, (lo, hi) in narrow(known, hidden, eqs, watch, captions, alone=not per_cell,
                                    given=captions.given).items():
            out.append(f"{store} {period} {scope} {key[0]}: {key[1:]} " + finding(key, captions, lo, hi))
    return out


def _window_bounds(name: str, labels: Mapping[str | None, list[str]], published: Mapping, store: str, scope: str,
                   hidden: list) -> list[tuple[list, float]]:
    """A table of months (ROLLING_SUMS): for each view and each month whose whole 12-month window
    is listed, the window's cells minus a hidden slack (at least 0) = the history's 12-month figure
    where the history shows it."""
    metric_id, column = ROLLING_SUMS[name]
    col = LINKED[name]["counts"][0]
    out = []
    for svc, months in labels.items():
        when = {lab: pd.Period(pd.Timestamp(lab), "M") for lab in months}
        for lab, m in when.items():
            window = [x for x, n in when.items() if m - 11 <= n <= m]
            figure = _published(published, store, scope, m.strftime("%Y-%m"), svc, metric_id, column)
            if len(window) < 12 or figure is None or figure == SUPPRESSED:
                continue
            slack = ("converted and gone", name, svc, lab)
            hidden.append(slack)
            out.append(([((name, svc, x, col), 1) for x in window] + [(slack, -1)], figure))
    return out


#: profile tables whose answers a measure of the history counts (the cards, Strategy themes and
#: packs publish its numerator and denominator): table -> (measure, the answers its numerator
#: counts); its denominator counts every recorded answer (an unrecorded one, rules' `unrecorded`,
#: is in neither). Before, the audit solved these apart: "Other" ethnicity was the numerator 41
#: less "Mixed, Asian or Black" 37 (demo, all staff).
KNOWN_ANSWERS = {"Staff by ethnic group": ("ethnic_minority_rate", frozenset({"Mixed", "Asian", "Black", "Other"})),
                 "Staff by age": ("aged_55_plus_rate", frozenset({"55 to 64", "65 and over"})),
                 # the share of case holders over the caseload threshold (20, the bands the page draws
                 # by default): its numerator is the bands above it (disclosure.linked.OVER_THRESHOLD;
                 # the adversarial store, all staff, 2025-11: the directorate's "Over 20" 5 is the
                 # history's, so the services' four hidden 1 to 4 are each 1 or 2 by their captions)
                 "Case holders by caseload band": ("caseload_over_threshold_rate",
                                                   frozenset({"Over 20 to 25", "Over 25"}))}
#: KNOWN_ANSWERS whose denominator the audit does not read as the table's recorded answers (the
#: caseload share's counts the case holders as its measure does; the table's total is its margin,
#: TOTAL_SOURCES), and whose numerator it reads only where it is the table's sum (as
#: disclosure.linked.sums does)
NUMERATOR_ONLY = frozenset({"Case holders by caseload band"})


def _members(label: str, dimension_labels: Sequence[str]) -> list[str]:
    """The answers a published row counts: a merged row's members not shown as rows of their own."""
    for m in rules().merges:
        if m.into == label:
            return [x for x in m.members if x not in dimension_labels or x == label] or [label]
    return [label]


def _known_answer_links(name: str, labels: Mapping[str | None, list[str]], published: Mapping, store: str,
                        scope: str, period: str, hidden: list, watch: list, exact: Mapping[str | None, Mapping]
                        ) -> list[tuple[list, float]]:
    """Each view's table beside the history's known-answer rate of the same month (KNOWN_ANSWERS):
    its rows counting the numerator's answers add up to the numerator, its recorded answers to the
    denominator, where the history shows them. A merged row whose answers fall on both sides
    (or are partly unrecorded) is split into hidden parts (at least 0) adding up to it; a part of
    1 to threshold-1 people who answered (not unrecorded) is watched like a hidden count."""
    t = rules().threshold
    metric_id, counted = KNOWN_ANSWERS[name]
    unrecorded = set(rules().unrecorded)
    col = LINKED[name]["counts"][0]
    out = []
    for svc, labs in labels.items():
        num = _published(published, store, scope, period, svc, metric_id, "numerator")
        den = _published(published, store, scope, period, svc, metric_id, "denominator")
        if num is None or den is None or SUPPRESSED in (num, den):
            continue
        on_num, on_den = [], []
        for lab in labs:
            cell = (name, svc, lab, col)
            sides: dict[str, list[str]] = defaultdict(list)
            for x in _members(lab, labs):
                sides["num" if x in counted else "unrecorded" if x in unrecorded else "rest"].append(x)
            if len(sides) == 1:
                parts = {next(iter(sides)): cell}
            else:
                parts = {side: ("part of", name, svc, lab, side) for side in sides}
                hidden.extend(parts.values())
                for side, members in sides.items():
                    true = sum(exact.get(svc, {}).get((x, col), 0.0) for x in members)
                    if side != "unrecorded" and 0 < true < t:
                        watch.append(parts[side])
                out.append(([(p, 1) for p in parts.values()] + [(cell, -1)], 0))
            on_num += [p for side, p in parts.items() if side == "num"]
            on_den += [p for side, p in parts.items() if side != "unrecorded"]
        if name in NUMERATOR_ONLY:
            summed = sum(exact.get(svc, {}).get((x, col), 0.0) for lab in labs for x in _members(lab, labs)
                         if x in counted)
            if abs(summed - num) < 0.5:
                out.append(([(c, 1) for c in on_num], num))
            continue
        out.append(([(c, 1) for c in on_num], num))
        out.append(([(c, 1) for c in on_den], den))
    return out


#: tables of people over the 12 months to the month: the next month's table shares 11 of them, so
#: a reader subtracts last month's table from this month's (this month's leavers minus those of the
#: month that dropped out of the window, by category)
ROLLING = ("Leavers by reason", "Length of service at leaving")
#: each month's 12-month total of those people in the measure history (metric, column)
ROLLING_TOTAL = ("early_leaver_rate_12m", "denominator")


def monthly_flows(history: Sequence[tuple]) -> dict[tuple, dict[pd.Period, float | None]]:
    """{(store, scope, service): {month: the people who left in that month}} as a reader works them
    out from the published 12-month totals of every month: X(m) = D(m) - D(m-1) + X(m-12), with
    nothing before the first loaded month; None from the first month whose total is hidden."""
    mid, col = ROLLING_TOTAL
    out: dict[tuple, dict] = {}
    for store, scope, frame, _ in history:
        rows = frame[(frame["metric_id"] == mid) & frame["group"].isna()]
        first = pd.Period(pd.to_datetime(frame["period"]).min(), "M")
        last = pd.Period(pd.to_datetime(frame["period"]).max(), "M")
        totals: dict[tuple, dict] = defaultdict(dict)
        for svc, when, d in zip(rows["service"], pd.to_datetime(rows["period"]), rows[col]):
            totals[svc if isinstance(svc, str) else None][pd.Period(when, "M")] = None if is_c(d) else number(d)
        for svc, d in totals.items():
            x: dict[pd.Period, float | None] = {}
            m = first
            while m <= last:
                now, before = d.get(m), (0.0 if m == first else d.get(m - 1))
                ago = 0.0 if m - 12 < first else x.get(m - 12)
                x[m] = None if None in (now, before, ago) else now - before + ago
                m += 1
            out[(store, scope, svc)] = x
    return out


def _merge_group(label: str, dimension: str | None) -> str:
    """The category a label is counted in across months (a merged category and its members are one),
    by the rules' merges of the table's dimension (a reason's "Other" is one of "Other reasons", not
    of the staff tables' "Other or not known"). An answer that records nothing ("Not known") is
    never folded (disclosure.policy.merge_plan) unless the rules call it sensitive: a month
    without its row had none."""
    r = rules()
    if label in r.shown_whatever_size:
        return label
    for m in r.merges_for(dimension):
        if label == m.into or label in m.members:
            return m.into
    return label


def over_two_months(views: list[View], truth, history: Sequence[tuple] = (), *,
                    solved: list | None = None, classes: list | None = None, per_cell: bool = False) -> list[str]:
    """The 12-month tables (ROLLING) of two successive months they are published for (the years to
    30 September: the September before; successive months, were they published monthly) solved
    together, as a reader who subtracts the earlier published table from the later: each month's
    own system (what `recoverable` solves, the history's figures known) and, per table, view and
    category, the later month's cells minus the earlier's = the people who left in the months
    between (after the earlier, to the later) minus those who left in the same months a year
    before (both unknown, at least 0, adding up over the categories to those months' leavers
    where the history's 12-month totals give them: `monthly_flows`; nobody before the first
    loaded month). Every hidden count of 1 to threshold-1 in either month must stay uncertain by
    at least the threshold. `solved`: a list the (store, scope, earlier, later) pairs are added to.
    `classes`: a list the groups of one answer (`_one_answer_groups`, either month's) whose class
    the two months solved together give away are added to, as (store, month, scope, service,
    table, column, answer)."""
    t = rules().threshold
    systems = {key: rest for key, *rest in recoverable(views, truth, history, solve=False, per_cell=per_cell)}
    flows = monthly_flows(history)
    published: dict[tuple, list[str]] = defaultdict(list)  # each family's months, as published
    for store, period, scope, family in systems:
        published[(store, scope, family)].append(period)
    out = []
    for (store, period, scope, family), now in systems.items():
        earlier = [p for p in published[(store, scope, family)] if p < period]
        before_month = max(earlier) if earlier else None
        before = systems.get((store, before_month, scope, family))
        cells = [k for k in [*now[0], *now[1]] if k[0] in ROLLING]
        if before is None or not cells:
            continue
        gap = (pd.Period(period, "M") - pd.Period(before_month, "M")).n  # months between them
        if solved is not None:
            solved.append((store, scope, before_month, period))
        known, hidden, eqs, watch, captions = {}, [], [], [], Captions()
        for p, (kn, hi, eq, wa, ca) in ((period, now), (before_month, before)):
            captions.update(ca.prefixed((p,)))
            known.update({(p, *k): v for k, v in kn.items()})
            hidden += [(p, *k) for k in hi]
            eqs += [([((p, *k), c) for k, c in terms], rhs) for terms, rhs in eq]
            watch += [(p, *k) for k in wa]
        tables = {(k[0], k[1]) for k in cells}
        for name, svc in sorted(tables, key=str):
            merged: dict[str, dict[str, list]] = defaultdict(lambda: {period: [], before_month: []})
            for p in (period, before_month):
                for key in [*known, *hidden]:
                    if key[0] == p and key[1] == name and key[2] == svc and key[4] in LINKED[name]["counts"]:
                        merged[_merge_group(key[3], LINKED[name].get("dimension"))][p].append(key)
            groups: dict[str, dict[str, list]] = {}
            for g, parts in merged.items():  # a category shown alike in both months is its own group
                labels = {p: sorted(k[3] for k in keys) for p, keys in parts.items()}
                if labels[period] == labels[before_month]:
                    for label in labels[period]:
                        groups[label] = {p: [k for k in keys if k[3] == label] for p, keys in parts.items()}
                else:  # folded in one month, not the other: only the whole is the same people
                    groups[g] = parts
            x = flows.get((store, scope, svc), {})
            ins, outs = [], []
            for g, parts in groups.items():
                came, went = ("left in the months between", period, name, svc, g), \
                    ("left a year before them", period, name, svc, g)
                hidden += [came, went]
                ins.append(came)
                outs.append(went)
                eqs.append(([(k, 1) for k in parts[period]] + [(k, -1) for k in parts[before_month]]
                            + [(came, -1), (went, 1)], 0))
            for side, last in ((ins, pd.Period(period, "M")), (outs, pd.Period(period, "M") - 12)):
                each = [x.get(m, 0.0 if m not in x and m < min(x, default=m) else None)
                        for m in (last - i for i in range(gap))]
                if None not in each:
                    eqs.append(([(k, 1) for k in side], sum(each)))
        if classes is not None:
            for p in (period, before_month):
                groups = _one_answer_groups(views, truth, systems).get((store, p, scope, family), [])
                classes += [(store, p, scope, svc, name, col, answer) for name, svc, col, answer
                            in _classes_known(known, hidden, eqs, groups, prefix=(p,), captions=captions)]
        for key, (lo, hi) in narrow(known, hidden, eqs, watch, captions, alone=not per_cell,
                                    given=captions.given).items():
            out.append(f"{store} {period} less {before_month} {scope} {key[1]}: {key[2:]} (of {key[0]}) "
                       + finding(key, captions, lo, hi))
    return out


def repeated_cells(views: list[View]) -> list[str]:
    """A month row repeated in several months' views (the 80:20 table, conversions) is hidden in
    all of them or none; a change on a year ago is hidden where the year-ago figure was."""
    cells: dict[tuple, set] = defaultdict(set)
    for v in views:
        for name in ("Permanent and agency FTE by month", "Agency to employee conversions by month",
                     "Agency rules by month"):
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


# --- the data layer: every month, through the functions the pages call ------------------------

#: measures each drill section offers (ui.drill.DRILL_PAGES): their tables by job type and service
def _drill_measures() -> dict[str, str]:
    from ui import data
    from ui.drill import DRILL_PAGES

    return {mid: data.metric(mid).label for mid in DRILL_PAGES}


SHORT = {"agency_rate_fte": "Agency share", "avg_caseload": "Average caseload",
         "turnover_rate_fte_12m": "Turnover"}


def data_tables(filters, *, latest: bool = True) -> dict[str, Disclosed]:
    """The tables the filtered pages draw for `filters`, by the names the pages give them, read
    through the same ui.data functions (as the role in $WORKFORCE_ROLE): the linked tables, every
    measure a drill section offers by job type (the pages draw one at a time; the rest are a click
    away) and the agency rules page's tables in a month with assignments. `latest` (the month the
    pages are drawn): also the tables made of the measure history's rows (headline, themes, each
    drill measure by service; the history is checked for every month, `history_leaks`) and the
    "what changed since a year ago" tables (each drill measure by service, as the pages draw
    first: the breakdowns' people at the month and a year earlier, for groups published in both),
    so that `page_tables_checked` can hold every page table to this list."""
    from ui import data
    from ui.data import agency

    out = {
        "Staff by ethnic group": data.profile(filters, dimension="ethnicity"),
        "Staff by age": data.profile(filters, dimension="age_band"),
        "Staff by gender": data.profile(filters, dimension="gender"),
        "Staff by disability": data.profile(filters, dimension="disability"),
        "Living in the county by job type": data.local_by_job(filters),
        "Leavers by reason": data.leavers_by_reason(filters),
        "Length of service at leaving": data.length_of_service(filters),
        "Case holders by caseload band": data.caseload_bands(filters, threshold=data.caseload_threshold()),
        "Permanent and agency FTE by month": data.ratio_table(filters),
        "Agency to employee conversions by month": data.conversions(filters),
        "Employed headcount by month": _line_table(data.headcount_trend(filters)),
    }
    if latest:
        out["Headline measures"] = data.headline_table(filters)
        # the Turnover page's published years of the early-leaver rate (the history's rows)
        out["Early leavers, year to 30 September"] = data.early_leavers_by_september(filters)
        out["Vacancies covered by agency"] = data.agency_cover(filters)
        for theme, rows in data.themes(filters).items():
            if not rows.empty:
                out[f"{theme} measures"] = data.measures_table(rows)
    for mid, label in _drill_measures().items():
        short = SHORT.get(mid, label)
        for by, word in (("role_group", "job type"), ("service", "service")):
            if by == "service" and not latest:
                continue
            frame = data.breakdown(mid, filters, by=by)
            out[f"{short} by {word}"] = data.breakdown_table(frame, metric_id=mid, by=by)
        if latest:
            moved = data.what_changed(mid, filters, by="service")
            if not moved.empty:
                out[f"What changed - {short} by service"] = data.what_changed_table(moved, metric_id=mid,
                                                                                    by="service")
    if filters.period in agency.loaded_months():
        out["Agency rules compliance"] = agency.summary(filters)
        for by in ("job_type", "service"):
            out[f"Agency compliance by {agency.AGENCY_BY_LABELS[by].lower()}"] = agency.by_group(filters, by=by)
        out["Agency rules by month"] = agency.trend(filters).drop(["period", "within_cap"])
        out["Agency and employed cost per FTE"] = agency.cost_table(filters)
    return out


def _line_table(line: pd.DataFrame) -> Disclosed:
    """A chart's line (`period`, `value`: people) as the table a reader can read off it."""
    from disclosure import disclose, prepared

    frame = pd.DataFrame({"Month": pd.to_datetime(line["period"]).dt.strftime("%b %Y"), "People": line["value"]})
    return disclose(frame, prepared(frame, by="the chart"))


#: tables of months whose People are a column of metrics.detail.ratio_trend
_EXACT_LINES = {"Employed headcount by month": "employed_headcount",
                "Permanent and agency FTE by month": "headcount"}
_EXACT_PEOPLE = {
    "Staff by ethnic group": ("profile", dict(dimension="ethnicity", by_job=False)),
    "Staff by age": ("profile", dict(dimension="age_band", by_job=False)),
    "Staff by gender": ("profile", dict(dimension="gender", by_job=False)),
    "Staff by disability": ("profile", dict(dimension="disability", by_job=False)),
    "Living in the county by job type": ("local_by_job", {}),
    "Leavers by reason": ("leavers_by_reason", {}),
    "Length of service at leaving": ("length_of_service", {}),
    "Case holders by caseload band": ("caseload_bands", None),
    "Agency to employee conversions by month": ("conversions", {}),
}
#: tables of months whose last 12 rows count at least the people of a measure of the history
#: (table: (measure, column)): the conversions by month and the agency workers converted in the
#: 12 months (those converted and still in post: never more than the 12 months' conversions)
ROLLING_SUMS = {"Agency to employee conversions by month": ("agency_conversions_12m", "value")}


def exact_figures(name: str, *, period: str, scope: str, service: str | None) -> dict[tuple, float]:
    """{(label, column): exact count} of a linked table, from the builders the pages' tables are
    made from (before the policy): what the audit checks the published cells against."""
    from ui import data, db
    from ui.data import measures, people

    path, version = db.db_path(), db.data_version()
    if name in _EXACT_LINES:
        from metrics import detail
        from ui.data.base import _engine_filters

        with db.open_cursor() as cur:
            df = detail.ratio_trend(cur, scope=scope, filters=_engine_filters(service, None), end=period)
        return {(pd.Timestamp(p).strftime("%b %Y"), "People"): float(v)
                for p, v in zip(df["period"], df[_EXACT_LINES[name]])}
    if name in _EXACT_PEOPLE:
        table, extra = _EXACT_PEOPLE[name]
        extra = dict(threshold=data.caseload_threshold()) if extra is None else extra
        build, _ = people._table_for(table, extra)
        frame = build(path, version, period, scope, service, None, **extra)
        return {(_label(r) or str(r.iloc[0]), c): float(r[c]) for _, r in frame.iterrows()
                for c in frame.columns if c in PEOPLE_COLUMNS and number(r[c]) is not None}
    mid = next((m for m, label in _drill_measures().items() if f"{SHORT.get(m, label)} by job type" == name), None)
    assert mid is not None, name
    frame = measures._by_job_exact(path, version, scope, mid, service)  # what public_by_job reads
    frame = frame[frame["group"].notna() & (pd.to_datetime(frame["period"]) == pd.Timestamp(period + "-01"))]
    return {(g, "People"): float(b) for g, b in zip(frame["group"], frame["base_count"]) if number(b) is not None}


def shown_as_recorded(view: View) -> list[str]:
    """Each table recorded behind a download is the one the page drew (so the arithmetic below
    reads what a member sees, not what the policy says it published)."""
    from ui.layout import display_frame

    drawn = [f.reset_index(drop=True).astype(str) for f in view.frames]
    out = []
    for name, d in view.tables.items():
        mine = display_frame(d.shown).reset_index(drop=True).astype(str)
        if not any(f.shape == mine.shape and list(f.columns) == list(mine.columns) and f.equals(mine) for f in drawn):
            out.append(f"{view.store} {view.scope} {view.service} {view.page}: '{name}' is not the table on the page")
    return out


def history_leaks(store: str, scope: str, published: pd.DataFrame, exact: pd.DataFrame) -> list[str]:
    """Every measure, every month (the history the cards, themes, trends and by-service tables
    read): the services add up to the directorate, so the hidden services' people (base, and for
    a rate of headcounts its numerator and the rest) must add up to 0 or at least the threshold,
    and no hidden one may be alone; a change on a year ago is hidden where the year-ago figure is.
    Solved in closed form (one equation per measure and month: each hidden part lies in [0, the
    hidden sum])."""
    from disclosure.cells import PEOPLE_RATES
    from metrics.catalogue import CATALOGUE

    t = rules().threshold
    key = lambda f: list(zip(f["metric_id"], pd.to_datetime(f["period"]),  # noqa: E731
                             [s if isinstance(s, str) else None for s in f["service"]]))
    truth = dict(zip(key(exact), exact.to_dict("records")))
    rows = dict(zip(key(published), published.to_dict("records")))
    out = []
    by_cell: dict[tuple, list] = defaultdict(list)
    for (mid, when, svc), row in rows.items():
        if svc is not None:
            by_cell[(mid, when)].append((svc, row))
    for (mid, when), parts in by_cell.items():
        m = CATALOGUE.get(mid)
        if m is None or not m.counts_people or (mid, when, None) not in truth:
            continue
        layers = {"base_count": lambda r: number(r["base_count"])}
        if mid in PEOPLE_RATES:
            layers = {"numerator": lambda r: number(r["numerator"]),
                      "rest": lambda r: None if number(r["numerator"]) is None or number(r["denominator"]) is None
                      else number(r["denominator"]) - number(r["numerator"])}
        sums = {}
        for layer, get in layers.items():
            whole = get(truth[(mid, when, None)])
            if whole is None or 0 < whole < t:
                continue  # a small directorate figure is hidden itself: nothing to subtract from
            # a hidden row's People (base) may be published on its own (the policy shows a figure
            # the history publishes anyway): each cell hidden or shown as published
            off = (lambda r: is_c(r["base_count"])) if layer == "base_count" else (lambda r: is_c(r["value"]))
            hidden = [svc for svc, r in parts if off(r)]
            if not hidden:
                continue
            shown = sum(get(r) or 0 for svc, r in parts if not off(r))
            rest = whole - shown
            sums[layer] = rest
            if (0 < rest < t) or (len(hidden) == 1 and rest != 0):
                out.append(f"{store} {scope} {when:%Y-%m} {mid} {layer}: hidden {hidden} add up to {rest:g}")
        if mid in PEOPLE_RATES and len(sums) == 2:
            # the People/rate link: a hidden rate whose denominator (its People) is shown splits
            # that known figure into its numerator and rest, each at most its layer's hidden sum
            for svc, r in parts:
                den = number(r["denominator"]) if not is_c(r["denominator"]) else None
                true = truth.get((mid, when, svc))
                if not is_c(r["value"]) or den is None or true is None:
                    continue
                num = number(true["numerator"])
                if num is None or not (0 < num < t or 0 < den - num < t):
                    continue
                lo, hi = max(0.0, den - sums["rest"]), min(sums["numerator"], den)
                if hi - lo < t - 1e-9:
                    out.append(f"{store} {scope} {when:%Y-%m} {mid} {svc}: its shown denominator {den:g} "
                               f"leaves its numerator in [{lo:g}, {hi:g}]")
    for (mid, when, svc), row in rows.items():
        ago = rows.get((mid, when - pd.DateOffset(years=1), svc))
        if ago is not None and is_c(ago["value"]) and number(row.get("change_on_year")) is not None:
            out.append(f"{store} {scope} {when:%Y-%m} {mid} {svc}: change shown, a year earlier hidden")
    return out


def history_captions(store: str, scope: str, published: pd.DataFrame, exact: pd.DataFrame) -> list[str]:
    """Every measure, every month of the history (the by-service tables, cards and themes read it),
    each month's directorate and services solved with what each hidden row's captions tell, as
    its by-service table captions it (ui.data.breakdowns.breakdown_table: each cell's true
    reason, disclosure.policy.true_reason of the counts it rests on, `rests_on`): its People (the
    base) a count, its value resting on the base and, for a rate of headcounts, its numerator and
    the rest (`Captions`). The services add up to the directorate in each of these where the
    exact figures do. Every hidden count of 1 to threshold-1 must stay uncertain by at least the
    threshold, or keep its caption's whole range (`narrow`). (`history_leaks` reads the sums
    without the captions, in closed form.)"""
    from disclosure.cells import PEOPLE_RATES
    from disclosure.policy import rests_on, true_reason

    r = rules()
    t = r.threshold
    overall = lambda f: f[f["group"].isna()] if "group" in f.columns else f  # noqa: E731
    key = lambda f: list(zip(f["metric_id"], pd.to_datetime(f["period"]),  # noqa: E731
                             [s if isinstance(s, str) else None for s in f["service"]]))
    truth = dict(zip(key(overall(exact)), overall(exact).to_dict("records")))
    rows = dict(zip(key(overall(published)), overall(published).to_dict("records")))
    by_cell: dict[tuple, list] = defaultdict(list)
    for (mid, when, svc), row in rows.items():
        by_cell[(mid, when)].append((svc, row))
    out = []
    for (mid, when), views in by_cell.items():
        if not any(is_c(row["value"]) for _, row in views):
            continue
        layers = {"base": lambda x: number(x["base_count"])}
        if mid in PEOPLE_RATES:
            layers.update(num=lambda x: number(x["numerator"]),
                          rest=lambda x: None if number(x["numerator"]) is None or number(x["denominator"]) is None
                          else number(x["denominator"]) - number(x["numerator"]))
        known, hidden, eqs, watch, captions = {}, [], [], [], Captions()
        true: dict[tuple, float] = {}
        for svc, row in views:
            exact_row = truth.get((mid, when, svc))
            if exact_row is None:
                continue
            for layer, get in layers.items():
                true[(layer, svc)] = get(exact_row)
                if is_c(row["value"]) or get(row) is None:
                    hidden.append((layer, svc))
                    if true[(layer, svc)] is not None and 0 < true[(layer, svc)] < t:
                        watch.append((layer, svc))
                else:
                    known[(layer, svc)] = get(row)
            if is_c(row["value"]):
                reason = row.get("suppression")
                counts = rests_on(mid, value=exact_row["value"], numerator=exact_row["numerator"],
                                  denominator=exact_row["denominator"], base_count=exact_row["base_count"])
                captions.read(("base", svc), true_reason(reason, [number(exact_row["base_count"])], r))
                rests = [("base", svc), *([("num", svc), ("rest", svc)] if mid in PEOPLE_RATES else [])]
                if len(counts) == len(rests):  # (a count measure's value, an FTE numerator: no cell here)
                    captions.read(("value", svc), true_reason(reason, counts, r), rests)
        for svc, _ in views:  # a rate of headcounts over its base: its numerator and the rest are it
            got = [true.get((layer, svc)) for layer in ("base", "num", "rest")]
            if mid in PEOPLE_RATES and None not in got and abs(got[0] - got[1] - got[2]) < 0.5:
                eqs.append(([(("base", svc), 1), (("num", svc), -1), (("rest", svc), -1)], 0))
        parts = [svc for svc, _ in views if svc is not None and ("base", svc) in true]
        for layer in layers:
            whole = true.get((layer, None))
            figures = [true.get((layer, s)) for s in parts]
            if whole is not None and parts and None not in figures and abs(sum(figures) - whole) < 0.5:
                eqs.append(([((layer, s), 1) for s in parts] + [((layer, None), -1)], 0))
        if not watch:
            continue
        for cell, (lo, hi) in narrow(known, hidden, eqs, watch, captions).items():
            out.append(f"{store} {scope} {when:%Y-%m} {mid} history: {cell} (true {true[cell]:g}) "
                       + finding(cell, captions, lo, hi))
    return out


def history_classes(store: str, scope: str, published: pd.DataFrame, exact: pd.DataFrame, *,
                    smallest: int | None = None) -> list[str]:
    """Class disclosure in the history (every measure, every month): a service's rate of
    headcounts over a group of `smallest` (default the threshold) to class_group_under-1 people,
    all of whom gave one answer (SEND's 9 social workers of known ethnicity, all White), hidden,
    must not be known to be all one answer from the sums the history publishes: its other
    answer's count (the minorities, 0) must not be forced to 0. The hidden services' numerators
    (and rests) add up to the directorate's shown figure less the shown services'; where that is
    0, each hidden one is 0 (no count is below 0) and every such group's answer is known (demo,
    social workers, July and October 2026: 11 - 5 - 6 = 0 and 10 - 5 - 5 = 0 gave SEND's all-White
    group away). Solved in closed form, one equation per measure, month and layer: a hidden part
    is forced to 0 exactly when the hidden parts add up to 0."""
    from disclosure.cells import PEOPLE_RATES

    r = rules()
    low = r.threshold if smallest is None else smallest
    key = lambda f: list(zip(f["metric_id"], pd.to_datetime(f["period"]),  # noqa: E731
                             [s if isinstance(s, str) else None for s in f["service"]]))
    overall = lambda f: f[f["group"].isna()] if "group" in f.columns else f  # noqa: E731
    truth = dict(zip(key(overall(exact)), overall(exact).to_dict("records")))
    rows = dict(zip(key(overall(published)), overall(published).to_dict("records")))
    layers = {"numerator": lambda x: number(x["numerator"]),
              "rest": lambda x: None if number(x["numerator"]) is None or number(x["denominator"]) is None
              else number(x["denominator"]) - number(x["numerator"])}
    by_cell: dict[tuple, list] = defaultdict(list)
    for (mid, when, svc), row in rows.items():
        if svc is not None and mid in PEOPLE_RATES:
            by_cell[(mid, when)].append((svc, row))
    out = []
    for (mid, when), parts in by_cell.items():
        whole = rows.get((mid, when, None))
        hidden = [svc for svc, row in parts if is_c(row["value"])]
        if whole is None or is_c(whole["value"]) or not hidden:
            continue
        for layer, get in layers.items():
            shown = [get(row) for svc, row in parts if not is_c(row["value"])]
            if get(whole) is None or any(v is None for v in shown):
                continue  # a figure not published ("x"): this sum is not known to a reader
            if abs(get(whole) - sum(shown)) > 1e-9:
                continue
            for svc in hidden:
                true = truth.get((mid, when, svc), {})
                group, answer = number(true.get("denominator")), get(true) if true else None
                if group is not None and answer == 0 and low <= group < r.class_group_under:
                    other = "rest" if layer == "numerator" else "numerator"
                    out.append(f"{store} {scope} {when:%Y-%m} {mid} {svc}: its {group:g} people are all "
                               f"one answer ({other}), known: the hidden services' {layer} add up to "
                               f"0 ({hidden})")
    return out


def check_views(views: list[View], truth, history: Sequence[tuple] = (), *, arithmetic: bool = True) -> list[str]:
    """The checks of each view on its own month: small counts on show, charts, the table recorded
    being the table drawn, and (`arithmetic`) each family of linked tables solved."""
    problems = []
    for v in views:
        where = f"{v.store} {v.period} {v.scope} {v.service or 'directorate'} {v.page}"
        for frame in v.frames:
            problems += small_counts(frame, where)
        for name, d in v.tables.items():
            problems += small_counts(d.published, f"{where} file '{name}'")
        if v.page in PAGES:
            problems += shown_as_recorded(v)
        problems += chart_leaks(v)
    if arithmetic:
        problems += recoverable(views, truth, history)
        problems += one_answer_shown(views, truth)
    return problems


#: linked tables whose rows are answers about people (the class check reads them)
ANSWER_TABLES = (*FAMILIES, "Case holders by caseload band")


def one_answer_shown(views: list[View], truth) -> list[str]:
    """Class disclosure: a group of 1 to class_group_under-1 people (a linked table's column, for
    the directorate or a service) all of whom gave one answer, published so that every other
    answer reads 0: whether that answer is shown or "c", the reader learns it of each of them
    (every leaver from Youth resigned). Answers that record nothing ("Not known") are not one."""
    under = rules().class_group_under
    out = []
    for v in views:
        for name, d in v.tables.items():
            spec = linked_spec(name)
            if not spec or name not in ANSWER_TABLES:
                continue
            at = table_month(v, d)
            if at is None:
                continue
            exact = truth(v.store, at, v.scope, v.service, name)
            f = d.published
            labels = [_label(r) or str(r.iloc[0]) for _, r in f.iterrows()]
            for col in spec["counts"]:
                true = [_true(exact, lab, col, labels) for lab in labels]
                zeros = [number(x) == 0 and not is_c(x) for x in f[col]]
                rest = [i for i, z in enumerate(zeros) if not z]
                if len(rest) == 1 and len(f) > 1 and 1 <= sum(true) < under and not _unrecorded(f.iloc[rest[0]]):
                    out.append(f"{v.store} {v.period} {v.scope} {v.service or 'directorate'} {name}: all "
                               f"{sum(true):g} {col.lower()} are '{labels[rest[0]]}' (every other answer shows 0)")
    return out


def leavers_over_months(store: str, scope: str, published: pd.DataFrame, exact: pd.DataFrame, *,
                        early: bool = False) -> list[str]:
    """The history's 12 months' leavers (ROLLING_TOTAL) of every view and EVERY month solved as
    one system, as a reader who reads the whole published history: each month's figure is last
    month's plus the month's leavers less those of 12 months before (all at least 0; nobody
    before the first loaded month), the services add up to the directorate (figures and monthly
    leavers), and a shown turnover beside a hidden count bounds it from below: its numerator is
    the same leavers' FTE, each person more than 0 and at most 1 FTE (an FTE of 0 says nobody
    left). Every hidden count of 1 to threshold-1 must stay uncertain by at least the threshold.
    `early`: the early leavers among them (the rate's numerator) chained the same way too, each
    month's early leavers some of its leavers, and the early leavers and the rest watched, "x"
    (not published for the month: the policy publishes them for the year to 30 September only,
    disclosure.policy.YEAR_TO_SEPTEMBER) as unknown as "c" and watched alike."""
    from disclosure.cells import FTE_OF_PEOPLE, fewest_people

    t = rules().threshold
    mid, col = ROLLING_TOTAL

    def rows_of(frame: pd.DataFrame, metric: str) -> dict[tuple, dict]:
        f = frame[(frame["metric_id"] == metric) & frame["group"].isna()]
        return {(s if isinstance(s, str) else None, pd.Period(p, "M")): r
                for s, p, r in zip(f["service"], pd.to_datetime(f["period"]), f.to_dict("records"))}

    shown, truth = rows_of(published, mid), rows_of(exact, mid)
    months = sorted({m for _, m in shown})
    views = sorted({v for v, _ in shown}, key=lambda v: (v is not None, str(v)))
    services = [v for v in views if v is not None]
    known, hidden, eqs, watch = {}, [], [], []
    for (v, m), r in shown.items():
        true = truth.get((v, m), {})
        figures = {"L": (r[col], number(true.get(col))), "E": (r["numerator"], number(true.get("numerator")))}
        for kind, (seen, value) in list(figures.items())[:2 if early else 1]:
            if is_c(seen) or is_x(seen):  # "x" (not published for the month) is as unknown as "c"
                hidden.append((kind, v, m))
                if value is not None and 0 < value < t:
                    watch.append((kind, v, m))
            elif number(seen) is not None:
                known[(kind, v, m)] = float(number(seen))
        if not early:
            continue
        hidden.append(("R", v, m))  # the rest: leavers with a year's service or more
        eqs.append(([(("L", v, m), 1), (("E", v, m), -1), (("R", v, m), -1)], 0))
        rest = (number(true.get(col)) or 0) - (number(true.get("numerator")) or 0)
        if is_c(r[col]) or is_c(r["numerator"]) or is_x(r["numerator"]):
            if 0 < rest < t:
                watch.append(("R", v, m))
    cells = {*known, *hidden}
    for v in views:
        for m in months:
            if (v, m) not in shown or (m != months[0] and (v, m - 1) not in shown) \
                    or any((k, v, m) not in cells for k in ("L", "E")[:2 if early else 1]):
                break  # a view missing a month (or a figure): its chain is not read past the gap
            hidden.append(("flow", v, m))
            if early:  # the month's early leavers are some of its leavers
                hidden += [("early flow", v, m), ("later flow", v, m)]
                eqs.append(([(("flow", v, m), 1), (("early flow", v, m), -1), (("later flow", v, m), -1)], 0))
            for kind, flow in (("L", "flow"), ("E", "early flow"))[:2 if early else 1]:
                terms = [((kind, v, m), 1), ((flow, v, m), -1)]
                if m != months[0]:
                    terms.append(((kind, v, m - 1), -1))
                if m - 12 >= months[0]:
                    terms.append(((flow, v, m - 12), 1))
                eqs.append((terms, 0))
    cells = {*known, *hidden}
    for m in months:
        for kind in ("L", "E", "flow", "early flow"):
            parts = [(kind, s, m) for s in services]
            if (kind, None, m) in cells and all(p in cells for p in parts):
                eqs.append(([(p, 1) for p in parts] + [((kind, None, m), -1)], 0))
    for fte_of, (of, of_col) in FTE_OF_PEOPLE.items():
        if (of, of_col) != ROLLING_TOTAL:
            continue
        for key, r in rows_of(published, fte_of).items():
            x = number(r["numerator"])
            if ("L", *key) not in hidden or is_c(r["value"]) or x is None:
                continue
            low = fewest_people(x)
            if low == 0:
                eqs.append(([(("L", *key), 1)], 0))
            else:
                hidden.append(("above the fewest", *key))
                eqs.append(([(("L", *key), 1), (("above the fewest", *key), -1)], low))
    if not watch:
        return []
    names = {"L": "12 months' leavers", "E": "early leavers", "R": "leavers with a year's service or more"}
    return [f"{store} {scope} {m} {names[k]} of {v or 'the directorate'} lie in [{lo:g}, {hi:g}]"
            for (k, v, m), (lo, hi) in narrow(known, hidden, eqs, watch).items()]


def over_time(views: list[View], history: Sequence[tuple] = ()) -> list[str]:
    """The checks across months: repeated month rows hidden alike, a change on a year ago hidden
    where the year-ago figure was, and the measure history of every month (its classes too:
    `history_classes`), its 12 months' leavers across every month."""
    problems = repeated_cells(views)
    for store, scope, published, exact in history:
        problems += history_leaks(store, scope, published, exact)
        problems += history_classes(store, scope, published, exact)
        problems += leavers_over_months(store, scope, published, exact)
    return problems


def audit(views: list[View], truth, history: list[tuple] = ()) -> list[str]:
    """Every check on everything observed: a list of problems (empty = protected)."""
    return check_views(views, truth, history) + over_time(views, history)


def page_tables_checked(pages: list[View], layer: list[View]) -> list[str]:
    """Every table a filtered page drew is a data-layer table checked in every month: the same
    view (month, population, service), the same name and the same published cells; or it holds no
    people (declared exempt: posts, money). So the pages, drawn at the latest month, need not be
    drawn for every month: what they would draw is checked month by month on the data layer."""
    tables = {(v.store, v.period, v.scope, v.service): v.tables for v in layer if v.page == "data"}
    out = []
    for v in pages:
        if v.page not in FILTERED_PAGES:
            continue
        mine = tables.get((v.store, v.period, v.scope, v.service), {})
        for name, d in v.tables.items():
            where = f"{v.store} {v.period} {v.scope} {v.service or 'directorate'} {v.page} '{name}'"
            other = mine.get(name)
            if other is None:
                if d.table.suppresses or d.table.export is not None:
                    out.append(f"{where}: not a data-layer table the audit checks every month")
                continue
            a, b = (x.published.reset_index(drop=True).astype(str) for x in (d, other))
            if list(a.columns) != list(b.columns) or not a.equals(b):
                out.append(f"{where}: not the data layer's table of that name")
    return out


# --- the agency rules page: compliance by job type and by service, solved across services -----

#: the compliance summary's rows that count people, and the by-group column they total
AGENCY_SUMMARY = {"Agency assignments": "Assignments", "Cap breaches without full sign-off": "Cap breaches not signed off",
                  "Under 3 years' post-qualifying experience": "Under 3 years",
                  "Notice below the minimum": "Notice below minimum", "References incomplete": "References incomplete",
                  "Cool-off breaches": "Cool-off breaches", "Assignments running more than 12 months": "Over 12 months",
                  "Project-team workers": "Project team"}
#: the by-group table's count columns and the exact (metrics.agency.summarise) column of each
AGENCY_FLAGS = {"Assignments": "assignments", "With a cap": "with_cap", "Within cap": "within_cap",
                "Cap breaches not signed off":
                "agency_cap_breaches_unsigned", "Under 3 years": "agency_under_experience",
                "Notice below minimum": "agency_notice_below_minimum", "References incomplete":
                "agency_references_incomplete", "Cool-off breaches": "agency_cool_off_breaches",
                "Over 12 months": "agency_long_assignments", "Project team": "agency_project_team_workers"}
AGENCY_TABLES = ("Agency rules compliance", "Agency compliance by job type", "Agency compliance by service")


def agency_exact(period: str, service: str | None, by: str | None) -> pd.DataFrame:
    """The compliance counts at `period` for a view (None: the directorate), exact (before the
    policy), overall (`by` None) or by job type or service: what the page's tables are built from."""
    from metrics.agency import summarise
    from ui import db
    from ui.data import agency

    checked = agency._checked(db.db_path(), db.data_version(), agency._rules_version(), service, None)
    month = checked[pd.to_datetime(checked["period"]) == pd.Timestamp(period + "-01")]
    return summarise(month, by=by)


#: the measure history's agency measures (cards, Strategy themes, packs): their numerator and
#: denominator are the compliance tables' totals of a view (column of the by-group table)
AGENCY_MEASURES = {"agency_within_cap_rate": ("Within cap", "With a cap"),
                   "agency_unsigned_cap_breach_rate": ("Cap breaches not signed off", "Assignments"),
                   "agency_under_experience_rate": ("Under 3 years", "Assignments"),
                   "agency_short_notice_rate": ("Notice below minimum", "Assignments"),
                   "agency_references_incomplete_rate": ("References incomplete", "Assignments"),
                   "agency_cool_off_breach_rate": ("Cool-off breaches", "Assignments"),
                   "agency_long_assignment_rate": ("Over 12 months", "Assignments"),
                   "agency_project_team_rate": ("Project team", "Assignments")}
#: the measure history's agency measures whose denominator is a view's assignments above the price
#: cap: those with a cap less those within it (the £ above the cap is averaged over them)
AGENCY_ABOVE_CAP = ("agency_above_cap_per_hour",)
#: the key of that figure in `_agency_history` (not a column of the tables)
ABOVE_THE_CAP = "above the cap"


def _agency_history(history: Sequence[tuple], store: str, period: str) -> dict[tuple, set[float]]:
    """{(view, column): figures} the measure history publishes for the compliance tables' totals
    at `period` (AGENCY_MEASURES; every population's history: the Agency rules page does not
    follow the People filter, so a figure is linked only where it is the table's total), and
    {(view, ABOVE_THE_CAP): figures} of the assignments above the cap (AGENCY_ABOVE_CAP's
    denominators: the total with a cap less the total within it, where it is that figure)."""
    out: dict[tuple, set[float]] = defaultdict(set)
    for st, _, frame, _ in history:
        if st != store:
            continue
        at = frame[frame["metric_id"].isin([*AGENCY_MEASURES, *AGENCY_ABOVE_CAP]).to_numpy()
                   & (pd.to_datetime(frame["period"]) == pd.Timestamp(period + "-01")).to_numpy()
                   & frame["group"].map(lambda g: not isinstance(g, str)).to_numpy(dtype=bool)]
        for mid, svc, num, den in zip(at["metric_id"], at["service"], at["numerator"], at["denominator"]):
            svc = svc if isinstance(svc, str) else None
            part, whole = AGENCY_MEASURES.get(mid, (None, ABOVE_THE_CAP))
            for col, x in ((part, num), (whole, den)):
                if col is None:  # the £ above the cap: not a count
                    continue
                if number(x) is not None:
                    out[(svc, col)].add(number(x))
    return out


def agency_recoverable(views: list[View], exact=agency_exact, history: Sequence[tuple] = (), *,
                       rests: bool = False, solve: bool = True, per_cell: bool = False,
                       alone: bool = False) -> list:
    """The agency rules page's compliance tables, solved as a reader would, for each month: every
    view's summary (the totals it shows), its table by job type and (the directorate's) by
    service; each job-type table adds up to its view's totals, the services' job-type tables (and
    the directorate's rows that belong to no service, e.g. "Not on Staff sheet", whose job types
    are unknown) add up to the directorate's, each service's row of the by-service table is its
    totals, no count exceeds its row's assignments and none within the cap exceeds its row's
    assignments with a cap; a view's total the measure history shows (`history`: its agency
    measures' numerators and denominators, AGENCY_MEASURES) is known, and so are its assignments
    above the cap (with a cap less within it) where the history shows them (AGENCY_ABOVE_CAP's
    denominator). What the price caps tell is known too: the cap in force is the job type's
    (agency.checks), so a job type's assignments all have a cap or none has (read from the exact
    row: 0 with a cap, or all of them; a row with some is told nothing). Every hidden count of 1
    to threshold-1 must stay uncertain by at least the threshold; with `rests`, so must every
    view's and job type's assignments above the cap of 1 to threshold-1 (the rest of the share
    within the cap, never published: "23 of 24 within the cap" gives the 1 above it away).
    `solve` False: the systems themselves, [((store, period), known, hidden, equations, watch,
    by_view, captions)] (`agency_by_role` adds the history's rows by job type to them). What each
    hidden count's caption tells is read with `per_cell` (`Captions`: the summary's, the tables' by
    job type and by service); a caption that is not the true reason is then a finding of its own.
    `alone` (implies `per_cell`): read as the policy reads them (`narrow`'s `alone`: each captioned
    cell keeps what the captions alone leave it, beside the month's totals: every view's summary
    and the by-service tables' rows, as published. The policy decides the totals first and the
    tables by job type around them (disclosure.compliance `jobs_decided`, disclosure.policy `disclose_with_totals`'
    `decided`), so a captioned cell's range is what the captions leave it with the totals known:
    a total published beside it is not a figure the job tables could have hidden. docs/DECISIONS.md,
    "The agency totals count as known beside the captions")."""
    per_cell = per_cell or alone
    from metrics.agency import _COUNT_FLAGS
    from ui.data.agency import BY_GROUP, COUNT_COLUMNS

    t = rules().threshold
    flags = AGENCY_FLAGS
    assert set(flags) == set(COUNT_COLUMNS) == set(BY_GROUP.counts) and set(_COUNT_FLAGS) < set(flags.values())
    months: dict[tuple, dict] = defaultdict(dict)
    for v in views:
        if all(n in v.tables for n in AGENCY_TABLES):
            months[(v.store, v.period)].setdefault(v.service, v)  # the People filter does not act here
    out = []
    for (store, period), by_view in months.items():
        if solve:
            out += _trend_as_summary(store, period, by_view)
        if None not in by_view:
            continue
        known: dict[tuple, float] = {}
        hidden: list[tuple] = []
        eqs: list[tuple[list, float]] = []
        watch: list[tuple] = []
        captions = Captions()

        def cell(key, value, true, why=None):
            why = why if per_cell else None
            if is_c(value):
                hidden.append(key)
                if 0 < true < t:
                    watch.append(key)
                if why in ("primary", "secondary") and (why == "primary") != (0 < true < t):
                    out.append(f"{store} {period} agency compliance: {key} is {true:g}, captioned {why}")
                else:
                    captions.read(key, why)
            else:
                known[key] = number(value) or 0.0

        memo: dict[tuple, list] = {}

        def rows(svc, by):
            """[(label, published row, exact row or None, {column: reason})] of a view's table by job
            type or service."""
            if (svc, by) not in memo:
                d = by_view[svc].tables[f"Agency compliance by {'job type' if by == 'job_type' else 'service'}"]
                truth = exact(period, svc, by).set_index("group")
                memo[(svc, by)] = [(str(r.iloc[0]), r, truth.loc[r.iloc[0]] if r.iloc[0] in truth.index else None,
                                    {c: reason_at(d, i, c) for c in d.published.columns})
                                   for i, (_, r) in enumerate(d.published.iterrows())]
            return memo[(svc, by)]

        shown_by_history = _agency_history(history, store, period)
        for svc, v in by_view.items():
            totals = exact(period, svc, None)
            for col in COUNT_COLUMNS:  # a total the measure history shows (the same figure) is known
                true = float(totals[flags[col]].iloc[0]) if len(totals) else 0.0
                if any(abs(x - true) < 0.5 for x in shown_by_history.get((svc, col), ())):
                    eqs.append(([(("total", svc, col), 1)], true))
            d = v.tables["Agency rules compliance"]
            summary = d.published
            for i, (measure, value) in enumerate(zip(summary["Measure"], summary["Value"])):
                if measure in AGENCY_SUMMARY:
                    col = AGENCY_SUMMARY[measure]
                    true = float(totals[flags[col]].iloc[0]) if len(totals) else 0.0
                    cell(("total", svc, col), value, true, reason_at(d, i, "Value"))
            for col in COUNT_COLUMNS:
                if ("total", svc, col) not in known and ("total", svc, col) not in hidden:
                    hidden.append(("total", svc, col))  # not in the summary: unknown
            above = ("total above the cap", svc)  # with a cap less within it
            true_above = float(totals["with_cap"].iloc[0] - totals["within_cap"].iloc[0]) if len(totals) else 0.0
            hidden.append(above)
            eqs.append(([(("total", svc, "With a cap"), 1), (("total", svc, "Within cap"), -1), (above, -1)], 0))
            if any(abs(x - true_above) < 0.5 for x in shown_by_history.get((svc, ABOVE_THE_CAP), ())):
                eqs.append(([(above, 1)], true_above))  # the history shows it
            elif rests and 0 < true_above < t:
                watch.append(above)
            jobs = rows(svc, "job_type")
            for job, r, true, why in jobs:
                for col in COUNT_COLUMNS:
                    cell(("job", svc, job, col), r[col], 0.0 if true is None else float(true[flags[col]]), why[col])
                    if col != "Assignments":  # no count exceeds the row's assignments
                        slack = ("slack", svc, job, col)
                        hidden.append(slack)
                        eqs.append(([(("job", svc, job, "Assignments"), 1), (("job", svc, job, col), -1),
                                     (slack, -1)], 0))
                slack = ("above the cap", svc, job)  # within the cap <= with a cap
                hidden.append(slack)
                eqs.append(([(("job", svc, job, "With a cap"), 1), (("job", svc, job, "Within cap"), -1),
                             (slack, -1)], 0))
                if rests and true is not None and 0 < float(true["with_cap"] - true["within_cap"]) < t:
                    watch.append(slack)
                if true is not None and float(true["assignments"]) > 0:  # what the caps tell
                    if float(true["with_cap"]) == 0:  # no cap in force for the job type: none has one
                        eqs.append(([(("job", svc, job, "With a cap"), 1)], 0))
                    elif float(true["with_cap"]) == float(true["assignments"]):  # a cap: all have one
                        eqs.append(([(("job", svc, job, "With a cap"), 1), (("job", svc, job, "Assignments"), -1)], 0))
            for col in COUNT_COLUMNS:
                eqs.append(([(("job", svc, job, col), 1) for job, *_ in jobs] + [(("total", svc, col), -1)], 0))
            for row_svc, r, true, why in rows(svc, "service"):
                for col in COUNT_COLUMNS:
                    key = ("row", svc, row_svc, col)
                    cell(key, r[col], 0.0 if true is None else float(true[flags[col]]), why[col])
                    if row_svc in by_view:
                        eqs.append(([(key, 1), (("total", row_svc, col), -1)], 0))
                    elif svc is None:  # a row of no service's own (not on the Staff sheet): its job types unknown
                        for job, *_ in rows(None, "job_type"):
                            hidden.append(("job", row_svc, job, col))
                        eqs.append(([(("job", row_svc, job, col), 1) for job, *_ in rows(None, "job_type")]
                                    + [(key, -1)], 0))
        parts = [s for s in by_view if s is not None]
        extra = [row_svc for row_svc, *_ in rows(None, "service") if row_svc not in by_view]
        for job, *_ in rows(None, "job_type"):
            for col in COUNT_COLUMNS:
                terms = [(("job", s, job, col), 1) for s in parts
                         if any(j == job for j, *_ in rows(s, "job_type"))]
                terms += [(("job", s, job, col), 1) for s in extra]
                eqs.append((terms + [(("job", None, job, col), -1)], 0))
        for col in COUNT_COLUMNS:
            eqs.append(([(("total", s, col), 1) for s in parts] + [(("row", None, s, col), 1) for s in extra]
                        + [(("total", None, col), -1)], 0))
        if not solve:
            out.append(((store, period), known, hidden, eqs, watch, by_view, captions))
            continue
        if not watch:
            continue
        given = [k for k in known if k[0] in ("total", "row")]  # the totals, decided first
        for key, (lo, hi) in narrow(known, hidden, eqs, watch, captions, alone=alone, given=given).items():
            out.append(f"{store} {period} agency compliance: {key} " + finding(key, captions, lo, hi))
    return out


def _trend_as_summary(store: str, period: str, by_view: Mapping) -> list[str]:
    """The by-month table's row for the month publishes what the month's summary publishes (the
    same people's figures: a count hidden in one and shown in the other would be given away)."""
    out = []
    month = pd.Period(period, "M").strftime("%b %Y")
    for svc, v in by_view.items():
        trend = v.tables.get("Agency rules by month")
        if trend is None:
            continue
        rows = trend.published[trend.published["Month"] == month]
        summary = v.tables["Agency rules compliance"].published
        for measure, value in zip(summary["Measure"], summary["Value"]):
            col = AGENCY_SUMMARY.get(measure)
            if col in trend.published.columns and len(rows) and is_c(value) != is_c(rows[col].iloc[0]):
                out.append(f"{store} {period} {svc}: '{col}' is {value} in the summary, "
                           f"{rows[col].iloc[0]} in the by-month table")
    return out


# --- one figure published twice: the assignments above the price cap ---------------------------

#: the measure history's share within the price cap (numerator: within it; denominator: with a
#: cap) and the £ above the cap per hour (denominator: the assignments above it, with a cap less
#: within it): the assignments above the cap are published by both, each decided on its own rows
WITHIN_CAP_SHARE, POUNDS_ABOVE_CAP = "agency_within_cap_rate", "agency_above_cap_per_hour"


def above_cap_twice(store: str, scope: str, published: pd.DataFrame, exact: pd.DataFrame) -> list[str]:
    """The history's agency measures of each month (overall rows: the directorate and each service)
    solved as one system, as a reader holding the whole history would: a view's assignments with a
    cap are those within it plus those above it (the within-cap share's denominator, numerator and
    the £ above the cap's denominator), at most its assignments (the denominator of each share over
    all assignments, AGENCY_MEASURES), each share's numerator at most its assignments; the services
    add up to the directorate in each of these (where the exact figures do: the history counts the
    assignments on the Staff sheet). Every hidden count of 1 to threshold-1 (within, with a cap,
    above, all assignments, those without a cap, each share's numerator) must stay uncertain by at
    least the threshold."""
    t = rules().threshold
    over_all = [m for m, (_, whole) in AGENCY_MEASURES.items() if whole == "Assignments"]
    wanted = [WITHIN_CAP_SHARE, POUNDS_ABOVE_CAP, *over_all]

    def rows(f: pd.DataFrame) -> dict[tuple, dict]:
        f = f[f["metric_id"].isin(wanted).to_numpy() & f["group"].map(lambda g: not isinstance(g, str)).to_numpy()]
        return {(m, pd.Timestamp(p), s if isinstance(s, str) else None): r
                for m, p, s, r in zip(f["metric_id"], f["period"], f["service"], f.to_dict("records"))}

    true_rows, shown_rows = rows(exact), rows(published)
    out = []
    for when in sorted({k[1] for k in true_rows}):
        known: dict[tuple, float] = {}
        hidden: list[tuple] = []
        truth: dict[tuple, float] = {}
        eqs: list[tuple[list, float]] = []

        def cell(key, true, shown):
            truth[key] = true
            note_cell(known, hidden, key, shown)

        views = sorted({k[2] for k in true_rows if k[1] == when}, key=lambda v: (v is not None, v or ""))
        for v in views:
            for mid in wanted:
                r, p = true_rows.get((mid, when, v)), shown_rows.get((mid, when, v))
                if r is None:
                    continue
                gone = p is None or is_c(p["denominator"]) or is_c(p["value"])
                num, den = number(r["numerator"]) or 0.0, number(r["denominator"]) or 0.0
                shown_num = None if gone else number(p["numerator"])
                shown_den = None if gone else number(p["denominator"])
                if mid == WITHIN_CAP_SHARE:
                    cell(("within", v), num, shown_num)
                    cell(("with a cap", v), den, shown_den)
                elif mid == POUNDS_ABOVE_CAP:  # its numerator is pounds, not people
                    cell(("above", v), den, shown_den)
                else:
                    cell(("assignments", v), den, shown_den)
                    cell((mid, v), num, shown_num)
                    slack = ("rest", mid, v)
                    hidden.append(slack)
                    truth[slack] = den - num
                    eqs.append(([(("assignments", v), 1), ((mid, v), -1), (slack, -1)], 0))
            for k in ("within", "with a cap", "above", "assignments"):
                if (k, v) not in truth:  # no row: nothing published, nobody counted
                    cell((k, v), 0.0, None)
            eqs.append(([(("with a cap", v), 1), (("within", v), -1), (("above", v), -1)], 0))
            uncapped = ("without a cap", v)
            hidden.append(uncapped)
            truth[uncapped] = truth[("assignments", v)] - truth[("with a cap", v)]
            eqs.append(([(("assignments", v), 1), (("with a cap", v), -1), (uncapped, -1)], 0))
        parts = [v for v in views if v is not None]
        if None in views and parts:
            for k in ("within", "with a cap", "above", "assignments", "without a cap", *over_all):
                if all((k, v) in truth for v in views) \
                        and abs(sum(truth[(k, v)] for v in parts) - truth[(k, None)]) < 0.5:
                    eqs.append(([((k, v), 1) for v in parts] + [((k, None), -1)], 0))
        watch = [k for k in hidden if 0 < truth[k] < t]
        if not watch:
            continue
        for key, (lo, hi) in narrow(known, hidden, eqs, watch).items():
            out.append(f"{store} {scope} {when:%Y-%m} {key}: true {truth[key]:g} lies in [{lo:g}, {hi:g}]")
    return out


# --- tables by job type beside the measure history's rows by job type --------------------------

#: tables by job type whose rows are the measure history's rows by job type of one measure (the
#: drill section's breakdown by job type, "<measure> by job type"): {table: (measure, its count
#: columns as (numerator, denominator))}
BY_JOB_TABLES = {"Living in the county by job type": ("local_residence_rate", ("Living in county", "People recorded"))}


def by_job_recoverable(views: list[View], truth, history: Sequence[tuple] = (), *, per_cell: bool = False
                       ) -> list[str]:
    """Each table of BY_JOB_TABLES solved with the drill's breakdown of its measure by job type
    (the same people's figures, each row its numerator and denominator: the share times the
    People, and the People) and the history's overall rows of the measure (each view's totals,
    where shown), for the directorate and every service at each month: each view's job types add
    up to its totals, the services' to the directorate's, a numerator is part of its denominator.
    Every hidden count of 1 to threshold-1 (numerator, denominator, the rest) must stay uncertain
    by at least the threshold; with `per_cell`, solved with what each hidden cell's caption tells
    (`Captions`: the county table's counts, the drill's People and its share, resting on the People,
    the count and the rest). `truth(store, period, scope, service, table)`: the table's exact
    {(job type, column): count}."""
    t = rules().threshold
    label_of = {mid: SHORT.get(mid, label) for mid, label in _drill_measures().items()}
    months: dict[tuple, dict] = defaultdict(dict)
    for v in views:
        months[(v.store, v.period, v.scope)][v.service] = v
    published = _history_index(history)
    out = []
    for (store, period, scope), by_view in months.items():
        if None not in by_view:
            continue
        for name, (mid, (num_col, den_col)) in BY_JOB_TABLES.items():
            drill = f"{label_of[mid]} by job type"
            if not all(name in v.tables and drill in v.tables for v in by_view.values()):
                continue
            known: dict[tuple, float] = {}
            hidden: list[tuple] = []
            true: dict[tuple, float] = {}
            eqs: list[tuple[list, float]] = []
            jobs: set[str] = set()
            captions = Captions()

            def cell(key, value, why=None, rests=None):
                note_cell(known, hidden, key, None if is_c(value) else number(value))
                if is_c(value) and per_cell:
                    captions.read(key, why, rests)

            for svc, v in by_view.items():
                exact = truth(store, period, scope, svc, name)
                f = v.tables[name].published
                for i, (_, r) in enumerate(f.iterrows()):
                    job = str(r.iloc[0])
                    jobs.add(job)
                    for k, col in (("num", num_col), ("den", den_col)):
                        true[(k, svc, job)] = exact.get((job, col), 0.0)
                        cell((k, svc, job), r[col], reason_at(v.tables[name], i, col))
                d = v.tables[drill].published
                value_col = d.columns[1]
                for i, (_, r) in enumerate(d.iterrows()):
                    job = str(r.iloc[0])
                    if (("den", svc, job)) not in true:  # a job type with nobody recorded: 0 in the table
                        for k in ("num", "den"):
                            true[(k, svc, job)] = 0.0
                            cell((k, svc, job), 0)
                        jobs.add(job)
                    if not is_c(r["People"]) and number(r["People"]) is not None:
                        share = number(r[value_col])
                        cell(("den", svc, job), r["People"])
                        if share is not None:  # the share of the People, rounded as shown
                            cell(("num", svc, job), round(share / 100 * number(r["People"])))
                    # the captions: the People a count; the share rests on its numerator, the rest
                    # and its People (disclosure.policy.rests_on)
                    if is_c(r["People"]):
                        cell(("den", svc, job), r["People"], reason_at(v.tables[drill], i, "People"))
                    if is_c(r[value_col]) and per_cell:
                        captions.read(("share", svc, job), reason_at(v.tables[drill], i, value_col),
                                      [(k, svc, job) for k in ("den", "num", "rest")])
                row = published.get((store, scope, mid, pd.Timestamp(period + "-01"), svc))
                for k, col in (("num", "numerator"), ("den", "denominator")):
                    true[(k, svc, "all")] = sum(true.get((k, svc, j), 0.0) for j in jobs)
                    cell((k, svc, "all"), None if row is None or row.get("suppressed") else row.get(col))
            for svc in by_view:
                for j in [*jobs, "all"]:
                    for k in ("num", "den"):
                        if (k, svc, j) not in true:
                            true[(k, svc, j)] = 0.0
                            cell((k, svc, j), 0)
                    rest = ("rest", svc, j)
                    true[rest] = true[("den", svc, j)] - true[("num", svc, j)]
                    hidden.append(rest)
                    eqs.append(([(("den", svc, j), 1), (("num", svc, j), -1), (rest, -1)], 0))
                for k in ("num", "den", "rest"):
                    eqs.append(([((k, svc, j), 1) for j in jobs] + [((k, svc, "all"), -1)], 0))
            parts = [s for s in by_view if s is not None]
            for j in [*jobs, "all"]:
                for k in ("num", "den", "rest"):  # where they do (everyone in post has a service)
                    if abs(sum(true[(k, s, j)] for s in parts) - true[(k, None, j)]) < 0.5:
                        eqs.append(([((k, s, j), 1) for s in parts] + [((k, None, j), -1)], 0))
            watch = [k for k in hidden if 0 < true[k] < t]
            if not watch:
                continue
            for key, (lo, hi) in narrow(known, hidden, eqs, watch, captions).items():
                out.append(f"{store} {period} {scope} '{name}' with '{drill}': {key} "
                           f"(true {true[key]:g}) " + finding(key, captions, lo, hi))
    return out


# --- the agency rules page's tables by job type beside the history's agency rows by job type -----

#: the measure history's agency measures by job type (the Staff sheet's role group; published by
#: `python -m metrics --suppress --by role_group`, the directorate's rows of each population): each
#: measure's (numerator's, denominator's) column of the compliance tables (AGENCY_MEASURES), and the
#: £ above the cap's denominator: the assignments above the cap (ABOVE_THE_CAP)
ROLE_MEASURES = {**AGENCY_MEASURES, **{m: (None, ABOVE_THE_CAP) for m in AGENCY_ABOVE_CAP}}


def agency_role_rows(con, scope: str, months: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(published, exact): the history's agency measures by job type (role group) for `scope`,
    every month (or `months`, "YYYY-MM"), as `python -m metrics --history --suppress --by
    role_group` publishes them (metrics.__main__.suppress: each measure's rows decided alone) and
    exact."""
    from metrics import engine
    from metrics.__main__ import suppress

    exact = engine.evaluate_history(con, scope=scope, by="role_group", metric_ids=list(ROLE_MEASURES))
    wanted = None if months is None else [pd.Timestamp(m + "-01") for m in months]
    published = suppress(exact, con=con, scope=scope, by="role_group", months=wanted)
    if wanted is not None:
        at = lambda f: f[pd.to_datetime(f["period"]).isin(wanted).to_numpy()].reset_index(drop=True)  # noqa: E731
        published, exact = at(published), at(exact)
    return published, exact


def agency_by_role(views: list[View], exact=agency_exact, history: Sequence[tuple] = (),
                   roles: Sequence[tuple] = (), *, rests: bool = True, solved: list | None = None,
                   per_cell: bool = False) -> list[str]:
    """The agency rules page's compliance tables (each month's system of `agency_recoverable`:
    every view's summary, its table by the assignment's job type and the directorate's by service,
    the history's totals) solved with the measure history's agency rows by job type (`roles`:
    [(store, scope, published, exact)] of the directorate's rows by the Staff sheet's role group,
    every month: `agency_role_rows`), as a reader holding both would. The two are two partitions of
    the same assignments (those on the Staff sheet), linked by an unknown cross-table: for each
    service, assignment job type and role group, its count of each column (at least 0; each flag
    at most the cell's assignments, within the cap at most with a cap; what the caps tell: a job
    type of a service with no cap has none with a cap, one with all has all), adding up to the
    service's job-type rows one way and to the role groups' rows the other. A role group's rows
    are one figure in both populations where they are (the same people), and add up to the
    services' totals where the exact figures do. Every hidden count of 1 to threshold-1 of either
    must stay uncertain by at least the threshold (with `rests`, the assignments above the cap
    too). `solved`: a list the (store, period, populations linked) are added to."""
    from ui.data.agency import COUNT_COLUMNS

    t = rules().threshold
    flags = AGENCY_FLAGS
    cols = [*COUNT_COLUMNS, ABOVE_THE_CAP]
    months: dict[tuple, dict] = defaultdict(dict)  # (store, period) -> {scope: ({(mid, group): row}, exact)}
    for store, scope, pub, ex in roles:
        for frame, which in ((pub, 0), (ex, 1)):
            f = frame[frame["metric_id"].isin(list(ROLE_MEASURES)).to_numpy()
                      & frame["group"].map(lambda g: isinstance(g, str)).to_numpy(dtype=bool)]
            for mid, p, g, r in zip(f["metric_id"], pd.to_datetime(f["period"]), f["group"], f.to_dict("records")):
                month = months[(store, p.strftime("%Y-%m"))].setdefault(scope, ({}, {}))
                month[which][(mid, g)] = r
    out = []
    for (store, period), known, hidden, eqs, watch, by_view, captions in agency_recoverable(
            views, exact, history, rests=rests, solve=False, per_cell=per_cell):
        scopes = months.get((store, period))
        if not scopes:
            continue
        known, hidden, eqs, watch = dict(known), list(hidden), list(eqs), list(watch)
        truth: dict[tuple, float] = {}

        def cell(key, value, true):
            truth[key] = true
            note_cell(known, hidden, key, None if is_c(value) else number(value))

        parts = [s for s in by_view if s is not None]
        on_sheet = {col: sum(float(exact(period, s, None)[flags[col]].sum()) for s in parts) for col in COUNT_COLUMNS}
        on_sheet[ABOVE_THE_CAP] = on_sheet["With a cap"] - on_sheet["Within cap"]
        groups: dict[str, str] = {}  # role group -> the population whose cells the cross-table adds up to
        linked = []
        for scope, (shown, true_rows) in sorted(scopes.items()):
            mine = sorted({g for _, g in true_rows})
            for (mid, g), r in true_rows.items():
                part, whole = ROLE_MEASURES[mid]
                p = shown.get((mid, g), {})
                for col, side in ((part, "numerator"), (whole, "denominator")):
                    if col is not None:
                        cell(("role", scope, g, col), p.get(side), number(r[side]) or 0.0)
            for g in mine:
                for col in cols:
                    if ("role", scope, g, col) not in truth:  # no row: nobody (a reader sees none)
                        cell(("role", scope, g, col), 0, 0.0)
                for col in COUNT_COLUMNS:  # no count exceeds the group's assignments
                    if col != "Assignments":
                        slack = ("role slack", scope, g, col)
                        hidden.append(slack)
                        eqs.append(([(("role", scope, g, "Assignments"), 1), (("role", scope, g, col), -1),
                                     (slack, -1)], 0))
                eqs.append(([(("role", scope, g, "With a cap"), 1), (("role", scope, g, "Within cap"), -1),
                             (("role", scope, g, ABOVE_THE_CAP), -1)], 0))
                for col in cols:
                    key = ("role", scope, g, col)
                    if key in hidden and 0 < truth[key] < t and (col != ABOVE_THE_CAP or rests):
                        watch.append(key)
                    other = groups.get(g)
                    if other is not None and truth[("role", other, g, col)] == truth[key]:
                        eqs.append(([(key, 1), (("role", other, g, col), -1)], 0))  # the same people
                groups.setdefault(g, scope)
            together = all(abs(sum(truth[("role", scope, g, col)] for g in mine) - on_sheet[col]) < 0.5 for col in cols)
            if not together:
                continue  # not the same assignments as the tables' (another population's)
            linked.append(scope)
            for col in cols:
                whole = [(("total", s, col), 1) for s in parts] if col != ABOVE_THE_CAP else \
                    [(("total above the cap", s), 1) for s in parts]
                eqs.append(([(("role", scope, g, col), 1) for g in mine] + [(k, -c) for k, c in whole], 0))
        if not linked:
            continue
        ref = linked[0]
        mine = sorted(g for g, s in groups.items() if ("role", ref, g, "Assignments") in truth)
        jobs = {s: [str(x) for x in by_view[s].tables["Agency compliance by job type"].published.iloc[:, 0]]
                for s in parts}
        for s in parts:
            caps = exact(period, s, "job_type").set_index("group")
            for job in jobs[s]:
                x = {(g, col): ("cross", s, job, g, col) for g in mine for col in COUNT_COLUMNS}
                hidden.extend(x.values())
                for col in COUNT_COLUMNS:
                    eqs.append(([(x[(g, col)], 1) for g in mine] + [(("job", s, job, col), -1)], 0))
                for g in mine:
                    for col in COUNT_COLUMNS:
                        if col != "Assignments":
                            slack = ("cross slack", s, job, g, col)
                            hidden.append(slack)
                            eqs.append(([(x[(g, "Assignments")], 1), (x[(g, col)], -1), (slack, -1)], 0))
                    slack = ("cross above the cap", s, job, g)
                    hidden.append(slack)
                    eqs.append(([(x[(g, "With a cap")], 1), (x[(g, "Within cap")], -1), (slack, -1)], 0))
                    if job in caps.index and float(caps.loc[job, "assignments"]) > 0:  # what the caps tell
                        if float(caps.loc[job, "with_cap"]) == 0:
                            eqs.append(([(x[(g, "With a cap")], 1)], 0))
                        elif float(caps.loc[job, "with_cap"]) == float(caps.loc[job, "assignments"]):
                            eqs.append(([(x[(g, "With a cap")], 1), (x[(g, "Assignments")], -1)], 0))
        for g in mine:
            for col in COUNT_COLUMNS:
                eqs.append(([(("cross", s, job, g, col), 1) for s in parts for job in jobs[s]]
                            + [(("role", ref, g, col), -1)], 0))
        if solved is not None:
            solved.append((store, period, tuple(linked)))
        if not watch:
            continue
        for key, (lo, hi) in narrow(known, hidden, eqs, watch, captions).items():
            true = f" (true {truth[key]:g})" if key in truth else ""
            out.append(f"{store} {period} agency compliance with the history by job type: {key}{true} "
                       + finding(key, captions, lo, hi))
    return out



def _class_tables(views: list[View], systems: Mapping):
    """(view, table name, Disclosed, its spec, system key) of every table the class checks read (a
    linked table of ANSWER_TABLES or with a row total, of a system in `systems`)."""
    for v in views:
        for name, d in v.tables.items():
            spec = linked_spec(name)
            at = table_month(v, d)
            if not spec or (name not in ANSWER_TABLES and not spec.get("row_total")) or at is None:
                continue
            key = (v.store, at, v.scope, _family(name))
            if key in systems:
                yield v, name, d, spec, key


def _all_one_published(views: list[View], systems: Mapping) -> set[tuple]:
    """{(system key, table, answer's row, answer's column)}: the directorate's groups of at least
    class_group_under people (no class) whose one answer the directorate's own table publishes: a
    column of ANSWER_TABLES whose answers (not those that record nothing) are all shown, all 0 but
    one of at least class_group_under ("Resignation 12, Other reasons 0"), or a row with a row total
    shown whole ("Team manager 15 of 15": its answer "Living in county"; "0 of 15": "rest"). Every
    service's group of the same row and column is then known to be all that answer from the
    published fact itself, whatever else is hidden (docs/DECISIONS.md: a class a published larger
    group's one answer implies)."""
    under = rules().class_group_under
    out = set()
    for v, name, d, spec, key in _class_tables(views, systems):
        if v.service is not None:
            continue
        f = d.published
        labels = [_label(r) or str(r.iloc[0]) for _, r in f.iterrows()]
        answers = [i for i in range(len(f)) if not _unrecorded(f.iloc[i])]

        def shown(i, col):
            return None if is_c(f.iloc[i][col]) else number(f.iloc[i][col])

        for col in spec["counts"] if name in ANSWER_TABLES else ():
            values = [shown(i, col) for i in answers]
            nonzero = [i for i, x in zip(answers, values) if x != 0]
            if len(answers) >= 2 and None not in values and len(nonzero) == 1 and shown(nonzero[0], col) >= under:
                out.add((key, name, labels[nonzero[0]], col))
        row_total = spec.get("row_total")
        for i in answers if row_total else ():
            part, whole = shown(i, spec["counts"][0]), shown(i, row_total)
            if part is not None and whole is not None and whole >= under and part in (0, whole):
                out.add((key, name, labels[i], spec["counts"][0] if part else "rest"))
    return out


def _all_one_totals(views: list[View], systems: Mapping) -> set[tuple]:
    """{(system key, table, service, answer's column)}: the tables with a row total whose published
    totals (the history's, as `recoverable` knows them) are a group of at least class_group_under
    people all of one answer: "Children in Care 19 of 19 living in the county" (answer "Living in
    county"; "0 of 19": "rest"). Every row of that table (of every service, where it is the
    directorate's) is then known to be all that answer from the published total itself (the
    adversarial store, all staff, 2025-11: Early Help's 43 of 43, so each of its job types)."""
    under = rules().class_group_under
    out = set()
    for v, name, d, spec, key in _class_tables(views, systems):
        row_total = spec.get("row_total")
        if not row_total:
            continue
        known = systems[key][0]
        part = known.get(("total", key[3], v.service, spec["counts"][0]))
        whole = known.get(("total", key[3], v.service, row_total))
        if part is not None and whole is not None and whole >= under and part in (0, whole):
            out.add((key, name, v.service, spec["counts"][0] if part else "rest"))
    return out


def _one_answer_groups(views: list[View], truth, systems: Mapping, *,
                       implied: list | None = None) -> dict[tuple, list[tuple]]:
    """{system key: [(name, service, column, its answer's cell, the other answers' cells)]}: each
    group of 1 to class_group_under-1 people (a linked table's column, ANSWER_TABLES, for the
    directorate or a service, of a system in `systems`; or a row of a table with a row total:
    "Living in the county by job type", a job type's people recorded, all living in the county
    or none) all of one answer (not one that records nothing, "Not known"), as `recoverable`
    names the cells. A service's group whose answer the directorate's published group of the same
    row and column implies (`_all_one_published`), or a row whose answer its table's published
    totals imply (`_all_one_totals`), is no class finding, wherever the class checks read it: it
    goes to `implied` (as (system key, group)) instead."""
    under = rules().class_group_under
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    parents = _all_one_published(views, systems)
    wholes = _all_one_totals(views, systems)
    seen = set()
    for v, name, d, spec, key in _class_tables(views, systems):
        if (key, name, v.service) in seen:
            continue
        seen.add((key, name, v.service))
        found: list[tuple] = []
        exact = truth(v.store, key[1], v.scope, v.service, name)
        f = d.published
        labels = [_label(r) or str(r.iloc[0]) for _, r in f.iterrows()]
        answers = [i for i in range(len(f)) if not _unrecorded(f.iloc[i])]
        for col in spec["counts"] if name in ANSWER_TABLES else ():
            true = {i: _true(exact, labels[i], col, labels) for i in answers}
            nonzero = [i for i in answers if true[i] != 0]
            if len(nonzero) != 1 or len(answers) < 2 or not 1 <= sum(true.values()) < under:
                continue
            others = [(name, v.service, labels[i], col) for i in answers if i != nonzero[0]]
            found.append((name, v.service, col, (name, v.service, labels[nonzero[0]], col), others))
        row_total = spec.get("row_total")
        for i in answers if row_total else ():  # a row's people split by its count and the rest
            part = exact.get((labels[i], spec["counts"][0]), 0.0)
            whole = exact.get((labels[i], row_total), 0.0)
            if 1 <= whole < under and (part == 0 or part == whole):
                cells = [(name, v.service, labels[i], c) for c in (spec["counts"][0], "rest")]
                answer = cells[0] if part else cells[1]
                found.append((name, v.service, row_total, answer, [c for c in cells if c != answer]))
        for group in found:
            col = group[3][3]
            if (v.service is not None and (key, name, *group[3][2:]) in parents) or \
                    (key, name, v.service, col) in wholes or (key, name, None, col) in wholes:
                if implied is not None:
                    implied.append((key, group))
            else:
                groups[key].append(group)
    return groups


def _answer(cell: tuple, col: str) -> str:
    """A group's one answer, as a finding names it: its row, and its column where the group is a row."""
    return cell[-2] if cell[-1] == col else f"{cell[-2]}: {cell[-1]}"


def _classes_known(known: Mapping, hidden: list, eqs: list, found_groups: list[tuple], *,
                   prefix: tuple = (), captions: Captions | None = None) -> list[tuple]:
    """The groups of `found_groups` (`_one_answer_groups`, cells named with `prefix` in this
    system) whose other answers are all 0, shown or forced by the system and what the captions
    tell (`caption_intervals`), some hidden, and whose answer is at least 1: [(name, service,
    column, answer)]."""
    name_ = lambda c: (*prefix, *c)  # noqa: E731
    cells = [name_(c) for *_, answer, others in found_groups for c in [answer, *others] if name_(c) in hidden]
    if not cells:
        return []
    found = caption_intervals(known, hidden, eqs, cells, captions)

    def top(c):
        c = name_(c)
        return known[c] if c in known else found[c][1] if c in found else math.inf

    def bottom(c):
        c = name_(c)
        return known[c] if c in known else found[c][0] if c in found else 0.0

    return [(name, svc, col, _answer(answer, col)) for name, svc, col, answer, others in found_groups
            if not all(name_(c) in known for c in others)  # every other answer shown: `one_answer_shown`
            and all(top(c) <= 1e-9 for c in others) and bottom(answer) >= 1 - 1e-9]


def hidden_classes(views: list[View], truth, history: Sequence[tuple] = (), *,
                   checked: list | None = None, exempt: list | None = None) -> list[str]:
    """Class disclosure worked out by the sums: a group of 1 to class_group_under-1 people (a linked
    table's column for the directorate or a service, ANSWER_TABLES) all of whom gave one answer,
    whose other answers are hidden ("c", the policy's class zeros) but forced to 0 by what is
    published: each family of linked tables solved as `recoverable` solves it (the directorate
    and every service, the history's totals, the tables counting the same people), the other
    answers' highest feasible values all 0 and the group not empty (its answer at least 1), so a
    reader knows every member's answer (every leaver from Youth resigned) although no cell says
    it. `one_answer_shown` reads the zeros shown; this reads the zeros worked out. Answers that
    record nothing ("Not known") are not one. Not a finding: a service's group whose one answer the
    directorate's own published group implies (`_all_one_published`: "Team manager 15 of 15", a
    group of at least class_group_under; docs/DECISIONS.md); `exempt`: a list those of them the
    sums do work out are added to, as findings are worded. `checked`: a list each group looked at
    (exempt ones aside) is added to."""
    systems = {key: rest for key, *rest in recoverable(views, truth, history, solve=False)}
    implied: list[tuple] = []
    groups = _one_answer_groups(views, truth, systems, implied=implied)
    if checked is not None:
        checked += [(key, name, svc, col) for key, found_groups in groups.items()
                    for name, svc, col, *_ in found_groups]
    out = _class_findings(systems, groups)
    if exempt is not None:
        by_key: dict[tuple, list[tuple]] = defaultdict(list)
        for key, group in implied:
            by_key[key].append(group)
        exempt += _class_findings(systems, by_key)
    return out


def _class_findings(systems: Mapping, groups: Mapping[tuple, list[tuple]]) -> list[str]:
    """`hidden_classes`' findings among `groups` ({system key: groups of `_one_answer_groups`})."""
    out = []
    for key, found_groups in groups.items():
        known, hidden, eqs, _, captions = systems[key]
        store, period, scope, _ = key
        out += [f"{store} {period} {scope} {svc or 'directorate'} '{name}' {col}: every one is '{answer}', "
                f"the other answers hidden but worked out as 0"
                for name, svc, col, answer in _classes_known(known, hidden, eqs, found_groups, captions=captions)]
    return out
