"""The one disclosure policy: every role-bound figure passes `disclose` before anyone sees it.

Why one entry point: scrutiny members' views and every file that leaves the dashboard (downloads,
meeting packs, tracker answers, `python -m metrics --suppress`) are public in effect. A table
declares what its cells count (`people`, `exempt`, `measures`, `breakdown`, `MEASURES` for an
engine frame); the policy (data/disclosure.toml) decides what may be published:
  - categories merged first (55-64 and 65+ into "55 and over", small "Other"/"Not known" into
    "Other or not known"), so large groups are not hidden for the sake of small ones;
  - primary: counts of 1 to threshold-1 people, the rest of a row total ("17 of 18" reveals 1),
    and any rate or share resting on them;
  - class: a small group all in one category;
  - secondary: the smallest further cells until no hidden count can be worked out from the rows,
    columns and totals - across linked tables too (the directorate and each service);
  - GSS symbols with a legend, and each hidden cell's true reason.
The result is a `Disclosed`: `shown` (what this role sees on screen: exact for the roles in
access's `exact_figures`, else the published version) and `published` (what may leave), with `reasons`.
Page renderers accept only a `Disclosed` for tables of people (ui.layout.show_table).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Hashable

import numpy as np
import pandas as pd

from disclosure.cells import (
    CENSUS_MONTH,
    FTE_OF_PEOPLE,
    PEOPLE_IN_VIEW,
    PEOPLE_RATES,
    SUPPRESSED,
    YEAR_TO_SEPTEMBER,
    Equation,
    attack_equations,
    is_hidden,
    narrow_anyway,
    not_available,
    number,
    protect_over_months,
    suppress_metric_frame,
    widen,
)
from disclosure.rules import Rules, rules
from disclosure.system import Builder, System
from metrics.units import NOT_AVAILABLE as _NOT_AVAILABLE
from store.periods import year_ago

REST = "\x00rest"  # the part of a row total not shown (a count of people too)
LOW = "low"  # GSS: a rate that rounds to zero (shown to one decimal place)
NOT_APPLICABLE = "z"  # GSS: a rate over nobody (no base to be a share of)
FORCED = "hidden_elsewhere"  # engine frame column: True where another publication hid the row
KNOWN = "known_elsewhere"  # engine frame column: True where a reader knows the row's people anyway
#: engine frame column: True where a row hidden elsewhere (FORCED) has people a reader knows anyway
#: (its base_count, for a rate of headcounts its denominator: published by a row of the same
#: figure): known, so the cells beside it are protected as if a reader had it
PEOPLE_KNOWN = "people_known_elsewhere"
#: GSS "x" (not available): the figure is not published for its period (`not_available`)
NOT_AVAILABLE = _NOT_AVAILABLE
#: engine frame column of a published frame: True where the row's rate and numerator read "x"
NOT_AVAILABLE_COL = "not_available"


class DisclosureError(ValueError):
    """A table's declaration does not fit the table (a named column is missing)."""


# ------------------------------------------------------------------------------------------
# declarations: what a table's cells count


@dataclass(frozen=True)
class Table:
    """What a table holds, so the policy can decide what may be shown (or why it need not).

    Build one with `people`, `measures`, `breakdown`, `prepared` or `exempt`, not directly.
    """

    counts: tuple[str, ...] = ()                  # columns holding counts of people
    rates: tuple[tuple[str, str], ...] = ()       # (rate column, base column it rests on)
    numerators: tuple[tuple[str, str], ...] = ()  # (rate column, count column it is the share of the base of)
    shares: tuple[tuple[str, str], ...] = ()      # (share % column, count column it is the share of)
    follow: tuple[tuple[str, str], ...] = ()      # (column, column whose "c" it must copy)
    within: str | None = None                     # counts add up within each value of this column
    row_total: str | None = None                  # a count column each row's other counts are part of
    additive: bool = True                         # a count column adds up to a known total
    rows: Callable[[pd.DataFrame], Sequence[bool]] | None = None  # only these rows hold people
    row_bases: tuple[float | None, ...] | None = None  # people each row rests on (not shown)
    row_cols: tuple[str, ...] = ()                # columns hidden where the row base is small
    category: str | None = None                   # the column of category labels (merges apply)
    dimension: str | None = None                  # which merge rules (data/disclosure.toml)
    metric_frame: bool = False                    # an engine frame (metric_id, group, value, ...)
    across: str | None = None                     # engine frame: rows of parts (e.g. "service")
    hidden_before: tuple[str, ...] = ()           # engine frame: metric ids an earlier publication hid
    headcount: float | None = None                # engine frame: people in the scope (not-known answers)
    export: pd.DataFrame | None = field(default=None, compare=False)  # suppressed upstream
    rolling: bool = False                         # over the 12 months to the month, published monthly
    exempt: str | None = None                     # why no suppression is needed

    @property
    def suppresses(self) -> bool:
        return self.exempt is None


def people(*, counts: Iterable[str] = (), rates: Mapping[str, str] | None = None,
           numerators: Mapping[str, str] | None = None, shares: Mapping[str, str] | None = None,
           follow: Mapping[str, str | Sequence[str]] | None = None, within: str | None = None,
           additive: bool = True, rows: Callable[[pd.DataFrame], Sequence[bool]] | None = None,
           row_total: str | None = None, category: str | None = None,
           dimension: str | None = None, rolling: bool = False) -> Table:
    """A table of people: `counts` columns (each adds up to a known total over the rows, or within
    each value of `within`; `additive=False` when rows are separate months), `rates` {rate: base},
    `shares` {share column: count column} (recomputed when categories merge), `follow`
    {column: column(s)} hidden wherever those are (an FTE beside a count).

    `numerators` {rate: count column} says what a rate counts: such a rate is hidden where its
    numerator, its base or the rest of the base (base minus numerator: "24 of 27 within the cap"
    gives away 3 above it) is small or hidden, and not for the row's other counts; the numerator
    column is hidden wherever its rate is. A rate without one is hidden wherever any count of its
    row is (it may be made of any of them). A rate over a base of 0 is "z" (not applicable).

    `row_total` names a count column the row's other counts are part of (living in the county of
    those recorded): the rest (total minus the parts) is a count too, so it is protected as well.
    `category`/`dimension` name the label column and its merge rules in data/disclosure.toml."""
    counts = tuple(counts)
    follow = dict(follow or {})
    for rate, numerator in (numerators or {}).items():
        if rate not in (rates or {}):
            raise DisclosureError(f"numerator of '{rate}' given, but '{rate}' is not among the rates.")
        follow[numerator] = [*([follow[numerator]] if isinstance(follow.get(numerator), str)
                               else follow.get(numerator, [])), rate]
    if row_total is not None and row_total not in counts:
        counts = (*counts, row_total)
    pairs: list[tuple[str, str]] = []
    for col, src in follow.items():
        for s in ([src] if isinstance(src, str) else list(src)):
            pairs.append((col, s))
    return Table(counts=counts, rates=tuple((rates or {}).items()),
                 numerators=tuple((numerators or {}).items()), shares=tuple((shares or {}).items()),
                 follow=tuple(pairs), within=within, additive=additive, rows=rows, row_total=row_total,
                 category=category, dimension=dimension, rolling=rolling)


def exempt(reason: str) -> Table:
    """A table with no counts of people (posts, files, published figures, text): shown as is.
    The reason is written into the Excel file's Notes sheet."""
    if not reason or not reason.strip():
        raise DisclosureError("exempt() needs a reason saying why the table holds no counts of people.")
    return Table(exempt=reason.strip())


def prepared(frame: pd.DataFrame, *, by: str) -> Table:
    """Publish `frame` instead of the table shown: a copy that passed the policy upstream."""
    return Table(export=frame, exempt=f"suppressed by {by}")


def resting_on(bases: Sequence[float | None], *, columns: Sequence[str]) -> Table:
    """A table whose rows each rest on a number of people not shown in it (`bases`, one per row,
    None where a row counts no people): `columns` are hidden where a row's base is small."""
    return Table(row_bases=tuple(None if b is None or (isinstance(b, float) and math.isnan(b)) else float(b)
                                 for b in bases), row_cols=tuple(columns))


#: an engine frame (metrics.engine compute/evaluate/history output)
MEASURES = Table(metric_frame=True)
def pack_items(*, hidden_before: Iterable[str] = (), headcount: float | None = None) -> Table:
    """A meeting pack's figures (overall engine rows at one month): the figures an earlier pack
    hid stay hidden (over time), and numerators and denominators are withheld where the people
    with no recorded answer (the scope's `headcount` minus a known-answer denominator) are few
    and the rules call unrecorded answers sensitive (the one rule a "Not known" row follows:
    `Rules.shown_whatever_size`)."""
    return Table(metric_frame=True, hidden_before=tuple(hidden_before), headcount=headcount)


#: engine frames for the directorate and each service (a `service` column, None = directorate),
#: each overall and by group: protected as one two-way table with its margins
ACROSS_SERVICES = Table(metric_frame=True, across="service")
#: the measure history (disclosure.history): every loaded month from the first, for the
#: directorate and each service: each month as ACROSS_SERVICES, then the 12 months' leavers of
#: every view across months (disclosure.cells.protect_over_months)
MEASURES_ACROSS_SERVICES = Table(metric_frame=True, across="service", rolling=True)


def measures(rows: pd.DataFrame, *, columns: Sequence[str] = ("Value", "Change on a year ago", "Status", "People")
             ) -> Table:
    """For a table of measures at one month (ui.data measures_table): a row is hidden where its
    published figure is hidden (`rows.published_hidden`, from the engine frame through the policy),
    or, without that column, where it rests on few people (`base_count`, a count's value)."""
    from metrics import catalogue

    t = rules().threshold
    bases: list[float | None] = []
    for r in rows.to_dict("records"):
        if "published_hidden" in r:
            bases.append(1.0 if bool(r["published_hidden"]) else None)
            continue
        m = catalogue.CATALOGUE.get(r["metric_id"])
        if m is not None and not m.counts_people:
            bases.append(None)
            continue
        candidates = [r.get("base_count")]
        if (m is not None and m.unit == "count") or r.get("unit") == "count":
            candidates += [r.get("value"), r.get("year_ago_value")]
        small = [float(v) for v in candidates
                 if v is not None and not isinstance(v, str) and not pd.isna(v) and 0 < float(v) < t]
        bases.append(min(small) if small else None)
    return Table(row_bases=tuple(bases), row_cols=tuple(columns))


def breakdown(table: pd.DataFrame, *, metric_id: str) -> Table:
    """For a measure by group (ui.data breakdown_table): groups' people add up to the overall
    figure, the value rests on them, the status would say which side of the target it is."""
    from metrics import catalogue

    m = catalogue.get(metric_id)
    if not m.counts_people:
        return exempt(f"{m.label} does not count people (for example vacancies are posts).")
    value_col = next(c for c in table.columns[1:] if c not in ("People", "Status"))
    counts = ["People"] + ([value_col] if m.unit == "count" else [])
    return people(counts=counts, rates={value_col: "People"}, follow={"Status": counts})


# ------------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class Disclosed:
    """A table after the policy: what this role sees, what may be published, and why each hidden
    cell is hidden. Page renderers take this, not a DataFrame, for tables of people."""

    shown: pd.DataFrame                   # on screen for this role
    published: pd.DataFrame               # downloads, packs, anything leaving the dashboard
    reasons: pd.DataFrame                 # like `published`: None or primary/secondary/class/over_time
    table: Table
    exact: bool = False                   # `shown` holds exact figures (a role allowed "exact_figures")
    #: the month ("YYYY-MM") whose figures `published` holds where it is not the month asked for (a
    #: 12-month leavers table is published for the year to 30 September: disclosure.linked.
    #: published_month); None: the month asked (or, with `note`, nothing published for it yet)
    period: str | None = None
    note: str | None = None               # what the published version is, said under it and in its files

    @property
    def empty(self) -> bool:
        return self.shown.empty

    def drop(self, columns: Iterable[str]) -> "Disclosed":
        """The same table without some columns (chart-only columns, say), decisions kept."""
        cols = [c for c in columns if c in self.shown.columns or c in self.published.columns]
        return Disclosed(shown=self.shown.drop(columns=[c for c in cols if c in self.shown.columns]),
                         published=self.published.drop(columns=[c for c in cols if c in self.published.columns]),
                         reasons=self.reasons.drop(columns=[c for c in cols if c in self.reasons.columns]),
                         table=self.table, exact=self.exact, period=self.period, note=self.note)

    def hidden_count(self, *, published: bool = True) -> dict[str, int]:
        """How many cells are hidden for each reason (in the published or the shown version)."""
        if not published and self.exact:
            return {}
        out: dict[str, int] = {}
        for v in self.reasons.to_numpy().reshape(-1):
            if isinstance(v, str):
                out[v] = out.get(v, 0) + 1
        return out

    def caption(self, *, published: bool = False) -> str:
        """The true reasons for the hidden cells, e.g. 'c: 2 figures rest on fewer than 5 people;
        1 is hidden so that a small group cannot be worked out from the other figures.', after
        the `note` saying what the published version is wherever that version is described (the
        file's, or the screen's of a role that sees it)."""
        why = reasons_caption(self.hidden_count(published=published))
        if self.note and (published or not self.exact):
            return " ".join(x for x in (self.note, why) if x)
        return why

    def notes(self) -> list[str]:
        """The Notes of a file built from `published`: legend, reasons, what applied."""
        if not self.table.suppresses and self.table.export is None:
            return [f"No small-number suppression: {self.table.exempt}"]
        counts = self.hidden_count()
        n = sum(counts.values()) or int(sum(_is_c(self.published[c]).sum() for c in self.published.columns))
        lines = legend()
        if self.note:
            lines.append(self.note)
        lines.append(f"This file: {n} figure{'s' if n != 1 else ''} shown as c.")
        if counts:
            lines.append(reasons_caption(counts))
        if self.table.export is not None:  # prepared upstream: say by what rule
            lines.append(self.table.exempt[0].upper() + self.table.exempt[1:] + ".")
        lines.append("Small-number suppression (data/disclosure.toml) applies to every file downloaded "
                     "from the dashboard, whoever downloads it.")
        return lines


def sees_exact(role: str | None) -> bool:
    """True when `role` sees exact figures on screen (access.roles, action "exact_figures");
    None (a file, a pack, the command line) never does."""
    from access.roles import allowed

    return role is not None and allowed(role, "exact_figures")


def legend() -> list[str]:
    """The GSS symbols used in tables and files, one line each."""
    return [text for _, text in rules().symbols]


def reasons_caption(counts: Mapping[str, int]) -> str:
    if not counts:
        return ""
    r = rules()
    parts = []
    for reason in ("primary", "class", "over_time", "secondary"):
        n = counts.get(reason, 0)
        if n:
            parts.append(f"{n} figure{'s' if n != 1 else ''} {r.reason_text(reason)}")
    return "c: " + "; ".join(parts) + "."


# ------------------------------------------------------------------------------------------
# the entry point


#: {view: {count column: True where another publication shows that column's total for the view
#: (a reader knows it), False where it hides it (it must stay unknown here too)}}; a key (row
#: label, count column) says the same of one cell (the measure history's published early leavers
#: are a length-of-service table's "Under 1 year" leavers: one figure, one decision)
Margins = Mapping[Hashable, Mapping[str | tuple[str, str], bool]]
#: {view: [answers, ...]}: groups of a table's answers (its `category`'s values as built, before
#: merging) whose summed first count another publication shows for the view, so a reader knows
#: it (the measure history's known-answer rates: "Staff from ethnic minorities" 0 of 10 gives a
#: service's ethnic groups other than White (0) and its recorded answers (10), so its "Not known"
#: is its people less 10)
Sums = Mapping[Hashable, Sequence[frozenset[str]]]


def disclose(frame: pd.DataFrame | Mapping[Hashable, pd.DataFrame], table: Table, *,
             role: str | None = None, view: Hashable = None, name: str = "this table",
             margins: Margins | None = None, decided: pd.DataFrame | None = None,
             like: pd.DataFrame | None = None) -> Disclosed:
    """Pass a table through the policy for `role` (None: for publication - files, packs, CLI).

    `frame` may be a mapping of linked tables: key None is the whole (the directorate) and the
    other keys its parts (each service); they are protected together so that no part's hidden
    figure can be worked out as the whole minus the other parts. `view` picks the one returned.
    `margins` says which column totals another publication shows or hides (see `Margins`).
    `like`: a table whose answers this one lists too before protection, a missing one as 0 (a
    team's table protected alone: the directorate's), so a team listing only "No" still meets
    the class rule; `shown` to roles with exact figures stays as built.

    `decided` (one engine frame only): the `suppressed` and `suppression` columns this policy
    published for the same frame and rules before, row for row (kept per load by
    disclosure.history); they are applied as they are instead of being decided again.
    """
    if not isinstance(table, Table):
        raise DisclosureError(f"disclose() needs a disclosure.Table declaration, not {type(table).__name__}.")
    frames = dict(frame) if isinstance(frame, Mapping) else {None: frame}
    if view not in frames:
        raise DisclosureError(f"disclose(): no table for view {view!r}.")
    r = rules()
    exact = sees_exact(role)
    if table.export is not None:
        pub = table.export.copy()
        pub.attrs = {}
        shown = frames[view].copy() if exact else pub
        return Disclosed(shown=shown, published=pub, reasons=_reasons_like(pub), table=table, exact=exact)
    if not table.suppresses:
        f = frames[view].copy()
        f.attrs = {}
        return Disclosed(shown=f, published=f, reasons=_no_reasons(f), table=table, exact=exact)
    if decided is not None and not (table.metric_frame and len(frames) == 1):
        raise DisclosureError("disclose(): kept decisions apply to one engine frame only.")
    if table.metric_frame:
        pub, why = _metric_frame(frames, view, r, across=table.across, table=table, decided=decided)
    else:
        linked = frames if like is None or len(frames) > 1 else \
            {view: _align({"like": like, view: frames[view]}, table)[view]}
        pub, why = _protect_linked(linked, table, r, name=name, margins=margins)[view]
    shown = frames[view].copy() if exact else pub
    shown.attrs = {}
    return Disclosed(shown=shown, published=pub, reasons=why, table=table, exact=exact)


def disclose_all(frames: Mapping[Hashable, pd.DataFrame], table: Table, *, role: str | None = None,
                 name: str = "this table", margins: Margins | None = None,
                 before: LastMonth | None = None, after: NextMonth | None = None,
                 sums: Sums | None = None) -> dict[Hashable, Disclosed]:
    """`disclose` for every view of linked tables at once (the protection is one decision for all
    of them, so it is made once): key -> Disclosed. `before`: the table is over the 12 months to
    the month, published every month; it is also protected beside last month's (see `LastMonth`)
    and, where the next month is loaded (`after`), beside next month's (see `NextMonth`). `sums`:
    the sums of its answers another publication shows (see `Sums`)."""
    if not isinstance(table, Table):
        raise DisclosureError(f"disclose() needs a disclosure.Table declaration, not {type(table).__name__}.")
    if table.metric_frame or table.export is not None or not table.suppresses:
        return {k: disclose(frames, table, role=role, view=k, name=name) for k in frames}
    exact = sees_exact(role)
    out = {}
    for key, (pub, why) in _protect_linked(frames, table, rules(), name=name, margins=margins,
                                           before=before, after=after, sums=sums).items():
        shown = frames[key].copy() if exact else pub
        shown.attrs = {}
        out[key] = Disclosed(shown=shown, published=pub, reasons=why, table=table, exact=exact)
    return out


def disclose_family(tables: Mapping[Hashable, "Linked"], *, role: str | None = None
                    ) -> dict[Hashable, dict[Hashable, Disclosed]]:
    """`disclose_all` for tables that count the same people ({name: Linked(frames, table, margins,
    before)}: the four profile tables; leavers by reason and by length of service), decided as
    one system: each view's total of a count column of the same name is one cell of it, so no
    table's published cells give away a total another table's protection relies on (decided
    table by table, a table hid a count whose total the other table's shown cells pinned).
    {name: {view: Disclosed}}."""
    exact = sees_exact(role)
    for name, t in tables.items():
        if not isinstance(t.table, Table) or t.table.metric_frame or t.table.export is not None \
                or not t.table.suppresses:
            raise DisclosureError(f"'{name}': disclose_family needs people(...) declarations.")
    out: dict[Hashable, dict[Hashable, Disclosed]] = {}
    for name, views in _protect_family(tables, rules()).items():
        out[name] = {}
        for key, (pub, why) in views.items():
            shown = tables[name].frames[key].copy() if exact else pub
            shown.attrs = {}
            out[name][key] = Disclosed(shown=shown, published=pub, reasons=why, table=tables[name].table, exact=exact)
    return out


def protect(frame: pd.DataFrame, table: Table, *, name: str = "table") -> pd.DataFrame:
    """The frame as it may leave the dashboard (the published version of `disclose`)."""
    if not isinstance(table, Table):
        raise DisclosureError(
            f"'{name}' needs a Disclosure (ui.downloads.people / measures / breakdown / exempt), "
            f"not {type(table).__name__}."
        )
    return disclose(frame, table, name=name).published


# ------------------------------------------------------------------------------------------
# engine frames


def _metric_frame(frames: Mapping[Hashable, pd.DataFrame], view: Hashable, r: Rules, *,
                  across: str | None = None, table: Table = MEASURES,
                  decided: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metric frames: the view's rows protected with the rows of the linked frames (each part's
    figure is a group of the whole), then the change on a year ago hidden where the year-ago
    figure was."""
    whole = frames.get(None)
    if len(frames) > 1 and whole is not None:
        parts = []
        for key, f in frames.items():
            g = f.copy()
            if key is not None:
                g = g[g["group"].isna()] if "group" in g.columns else g
                g["group"] = key
            g["__view"] = [key] * len(g)
            parts.append(g)
        both = pd.concat(parts, ignore_index=True)
        done = _metric_one(both, r, across=across)
        out = done[done["__view"].map(lambda k: k == view)].drop(columns="__view")
        if view is not None:
            out["group"] = frames[view]["group"].to_numpy() if "group" in frames[view] else None
        out = out.reset_index(drop=True)
    else:
        out = _metric_one(frames[view], r, across=across, table=table, decided=decided)
    out.attrs = {}
    why = _no_reasons(out)
    for col in ("value", "change_on_year", "year_ago_value"):
        if col in out.columns:
            why[col] = [r if h else None for r, h in zip(out["suppression"], out["suppressed"])]
    for col in ("numerator", "denominator", "base_count"):
        if col in out.columns:  # (a figure published anyway is shown: `_counts_published_anyway`)
            why[col] = [r if h and is_hidden(v) else None
                        for r, h, v in zip(out["counts_reason"], out["counts_hidden"], out[col])]
    for col in ("value", "numerator", "change_on_year", "year_ago_value"):  # "x", not "c": no reason
        if col in out.columns and NOT_AVAILABLE_COL in out.columns:
            why[col] = why[col].where(~_is_x(out[col]), None)
    return out, why


def _is_x(series: pd.Series) -> np.ndarray:
    return np.array([isinstance(v, str) and v == NOT_AVAILABLE for v in series], dtype=bool)


def _none(v: object) -> object:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v


def _metric_one(frame: pd.DataFrame, r: Rules, *, across: str | None = None,
                table: Table = MEASURES, decided: pd.DataFrame | None = None) -> pd.DataFrame:
    forced = [m in table.hidden_before for m in frame["metric_id"]] if table.hidden_before else None
    if FORCED in frame.columns:  # rows another publication hid already (they stay hidden)
        mark = frame[FORCED].fillna(False).astype(bool).to_numpy()
        forced = mark if forced is None else np.asarray(forced, dtype=bool) | mark
        frame = frame.drop(columns=FORCED)
    known = None
    if KNOWN in frame.columns:  # rows whose people are published elsewhere: known, never hidden to protect
        known = frame[KNOWN].fillna(False).astype(bool).to_numpy()
        frame = frame.drop(columns=KNOWN)
    people_known = None
    if PEOPLE_KNOWN in frame.columns:  # rows hidden elsewhere whose people a reader has anyway
        people_known = frame[PEOPLE_KNOWN].fillna(False).astype(bool).to_numpy()
        frame = frame.drop(columns=PEOPLE_KNOWN)
    out = suppress_metric_frame(frame, min_count=r.threshold, class_under=r.class_group_under, across=across,
                                forced=forced, known=known, people_known=people_known,
                                decided=None if decided is None else (decided["suppressed"].to_numpy(dtype=bool),
                                                                      decided["suppression"].tolist()))
    if table.rolling and across and decided is None:  # the whole history: also across months
        hidden, why = protect_over_months(frame, out["suppressed"].to_numpy(dtype=bool), out["suppression"].tolist(),
                                          min_count=r.threshold, class_under=r.class_group_under, across=across)
        if (hidden != out["suppressed"].to_numpy(dtype=bool)).any():
            out = suppress_metric_frame(frame, min_count=r.threshold, across=across, decided=(hidden, list(why)))
    out.attrs = {}
    out["counts_hidden"] = out["suppressed"].to_numpy()
    out["counts_reason"] = out["suppression"]
    if table.headcount is not None and "denominator" in out.columns:
        from disclosure.cells import KNOWN_ANSWER_RATES

        # the rest of the headcount is the people with no recorded answer: protected by the one
        # rule every table's "Not known" row follows (rules.shown_whatever_size)
        unrecorded_shown = bool(r.shown_whatever_size)
        for i, (m, d) in enumerate(zip(out["metric_id"], out["denominator"])):
            rest = table.headcount - number(d)
            if m in KNOWN_ANSWER_RATES and not unrecorded_shown and not math.isnan(rest) and r.small(rest) \
                    and not out["suppressed"].iat[i]:
                out.iat[i, out.columns.get_loc("counts_hidden")] = True
                out.iat[i, out.columns.get_loc("counts_reason")] = "primary"
                for col in ("numerator", "denominator", "base_count"):
                    if col in out.columns:
                        out[col] = out[col].astype(object)
                        out.iat[i, out.columns.get_loc(col)] = SUPPRESSED
    return published_metric_rows(out, across=across)


def published_metric_rows(out: pd.DataFrame, *, across: str | None) -> pd.DataFrame:
    """The last steps of publishing an engine frame whose rows are decided (`out`: with
    `suppressed`, its figures already "c" where hidden): the figures decisions rested on dropped,
    the change on a year ago hidden where the year-ago figure is, the year-to-September measures'
    "x" (`_year_to_september`). Shared by `disclose` and disclosure.history's kept decisions
    applied directly (one definition of what publishing a decided row means)."""
    out = out.drop(columns=PEOPLE_IN_VIEW, errors="ignore")  # what a decision rested on, never published
    _counts_published_anyway(out, across=across)
    if "period" in out.columns and ("change_on_year" in out.columns or "year_ago_value" in out.columns):
        # a change on a year ago (or the year-ago value) would give a hidden year-ago figure back
        hidden = out["suppressed"].to_numpy(dtype=bool)
        year_ago_hidden = _year_ago_hidden(out, hidden, across=across) | hidden
        for col in ("change_on_year", "year_ago_value"):
            if col in out.columns:
                out[col] = out[col].astype(object).where(~year_ago_hidden, SUPPRESSED)
    return _year_to_september(out, across=across)


#: the figures of a row that another row of the same frame may publish by declaration
#: (`same_figure_keys`, `published_anyway`): the people a figure rests on, and a rate's denominator
SAME_FIGURE_COLS = ("base_count", "denominator")


def same_figure_keys(metric_id: str) -> dict[str, Hashable]:
    """{column: what the column of the measure's engine rows counts, by its declaration} for
    SAME_FIGURE_COLS: two measures whose keys for a column are equal give, for the same view,
    group and month, the same figure by construction (the same aggregate over the same rows: the
    turnover rate's base, employed staff in post, is the starters' and the vacancy rate's base;
    its denominator, employed FTE, is the starters'). A column left out has no such key (a
    cohort, a distinct count, a custom query, a count's denominator)."""
    return dict(_same_figure_keys(metric_id))


@functools.cache
def _same_figure_keys(metric_id: str) -> dict[str, Hashable]:
    """`same_figure_keys`, worked out once a measure (the declarations do not change while the
    process runs); asked for each measure of every frame `published_anyway` reads."""
    from metrics import catalogue
    from metrics.types import Count, Ratio, Window

    m = catalogue.CATALOGUE.get(metric_id)
    measures = catalogue.MEASURE_BY_ID

    def value(ref) -> Hashable | None:  # the reference's aggregate as the engine reads it
        if isinstance(ref, Window):
            inner = value(ref.measure)
            return None if inner is None else ("window", ref.months, inner)
        ms = measures.get(ref) if isinstance(ref, str) else None
        if ms is None:
            return None
        return ("count", ms.source, ms.filter) if ms.agg == "count" else (ms.agg, ms.source, ms.expr, ms.filter)

    def rows(ref) -> Hashable | None:  # the rows behind it (sqlgen's `rows_of`: the default base)
        if isinstance(ref, Window):
            inner = rows(ref.measure)
            return None if inner is None else ("window", ref.months, inner)
        ms = measures.get(ref) if isinstance(ref, str) else None
        return None if ms is None else ("count", ms.source, ms.filter)

    c = None if m is None else m.compute
    out: dict[str, Hashable | None] = {}
    if isinstance(c, Ratio):
        dens = c.denominator if isinstance(c.denominator, tuple) else (c.denominator,)
        parts = tuple(value(d) for d in dens)
        out["denominator"] = None if any(x is None for x in parts) else parts
        out["base_count"] = value(c.base) if c.base is not None else rows(dens[0])
    elif isinstance(c, Count):
        out["base_count"] = value(c.base) if c.base is not None else rows(c.measure)
    return {k: v for k, v in out.items() if v is not None}


def published_anyway(frame: pd.DataFrame, col: str, *, across: str | None) -> dict[int, object]:
    """{row position: figure} for each row of `frame` (an engine frame as published: a hidden
    figure reads "c") whose `col` is hidden but which a row of the same frame, month, population,
    view (`across`) and group shows as the same figure by declaration (`same_figure_keys`; never
    matched by value): a figure any reader of the frame has anyway."""
    if frame.empty or col not in frame.columns or "metric_id" not in frame.columns:
        return {}
    where = [c for c in ("period", "scope", across, "group") if c and c in frame.columns]
    place = list(zip(*(frame[c].map(_none).tolist() for c in where))) if where else [()] * len(frame)
    keys = {m: same_figure_keys(m).get(col) for m in dict.fromkeys(frame["metric_id"].tolist())}
    ids = frame["metric_id"].tolist()
    values = frame[col].tolist()
    shown: dict[tuple, object] = {}
    for i, v in enumerate(values):
        k = keys[ids[i]]
        if k is not None and not isinstance(v, str) and _none(v) is not None:
            shown.setdefault((place[i], k), v)
    if not shown:
        return {}
    out = {}
    for i, v in enumerate(values):
        k = keys[ids[i]]
        if k is not None and is_hidden(v) and (place[i], k) in shown:
            out[i] = shown[(place[i], k)]
    return out


def _counts_published_anyway(out: pd.DataFrame, *, across: str | None) -> None:
    """Show again, in place, each hidden ("c") `base_count` and `denominator` of `out` that a
    shown row of the same frame publishes anyway: the same figure by declaration
    (`same_figure_keys`) for the same month, population, view and group.

    Why: a row is hidden for any of its figures, most often its rate's numerator (the turnover
    rate of SEND resting on 1 leaver of 8, demo October 2026), and hiding its People with it hid
    a group that is no secret: the 8 employed staff in post are the starters' base, published in
    the same frame. A figure published elsewhere protects nothing by being hidden here, and
    showing it here tells a reader nothing the frame does not already say, so every protection
    decided stays exactly as strong (the numerator, the rate and the rest stay hidden). Issue 10:
    "secondary suppression picks the smallest cells that protect, never a large group when a
    smaller one will do"; decided per cell, not per row."""
    if out.empty or "suppressed" not in out.columns:
        return
    hidden = out["suppressed"].to_numpy(dtype=bool)
    if not hidden.any():
        return
    for col in SAME_FIGURE_COLS:
        again = {i: v for i, v in published_anyway(out, col, across=across).items() if hidden[i]}
        if again:
            values = out[col].to_numpy(dtype=object).copy()
            for i, v in again.items():
                values[i] = v
            out[col] = values


def _year_ago_hidden(out: pd.DataFrame, hidden: np.ndarray, *, across: str | None) -> np.ndarray:
    """True for each row of `out` whose row a year earlier (same measure, group, scope and
    `across` view; a missing group or view is one "none") is `hidden`.

    Worked out on integer codes (each row's series from the factorised key columns, each month as
    ns and its year-ago once per month): a set of key tuples cost ~8 ms on the history's 4,500 rows
    (every page's first view applies it)."""
    n = len(out)
    if not n or not hidden.any():
        return np.zeros(n, dtype=bool)
    series = np.zeros(n, dtype=np.int64)
    for col in ("metric_id", "group", "scope", across):
        if col and col in out.columns:  # (absent: None throughout, one code)
            codes, uniques = pd.factorize(out[col].to_numpy(dtype=object), use_na_sentinel=True)
            series = series * (len(uniques) + 1) + (codes.astype(np.int64) + 1)
    when = pd.to_datetime(out["period"]).to_numpy().astype("datetime64[ns]").view("int64")
    months, at = np.unique(when, return_inverse=True)
    nat = np.datetime64("NaT", "ns").view("int64")
    ago = np.array([p if p == nat else pd.Timestamp(year_ago(pd.Timestamp(p))).value for p in months.tolist()],
                   dtype=np.int64)[at]
    every, code = np.unique(np.concatenate([when, ago]), return_inverse=True)
    now_code, ago_code = code[:n], code[n:]
    width = len(every)
    return np.isin(series * width + ago_code, (series * width + now_code)[hidden])


def _year_to_september(out: pd.DataFrame, *, across: str | None) -> pd.DataFrame:
    """`out` with the rate and numerator of every `not_available` row "x" (its change on a year
    ago too, and status grey), and at a published CENSUS_MONTH the change on a year ago "x" unless
    the frame holds the year before's row and it is published too (the year before may be a
    partial year); the column NOT_AVAILABLE_COL says which rows. Reads only the measure's rows,
    column by column (the history's 4,500-5,100 rows hold about 200 of them)."""
    mine = np.flatnonzero(out["metric_id"].isin(YEAR_TO_SEPTEMBER).to_numpy(dtype=bool)) \
        if len(out) and "metric_id" in out.columns else np.zeros(0, dtype=int)
    na = not_available(out, mine=mine)
    out[NOT_AVAILABLE_COL] = na
    if not mine.size:
        return out
    ago_na = na.copy()
    if "period" in out.columns:
        def col(name: str) -> list:
            return [_none(v) for v in out[name].to_numpy()[mine]] if name and name in out.columns else [None] * len(mine)

        when = [pd.Timestamp(p) for p in out["period"].to_numpy()[mine]]
        keys = list(zip(col("metric_id"), col("group"), col("scope"), col(across)))
        published_at = {(k, p) for k, p, n in zip(keys, when, na[mine]) if not n}
        ago = {p: pd.Timestamp(year_ago(p)) for p in set(when)}
        ago_na[mine] |= np.array([(k, ago[p]) not in published_at for k, p in zip(keys, when)], dtype=bool)
    else:
        ago_na[mine] = True
    for name, rows in (("value", na), ("numerator", na), ("change_on_year", ago_na), ("year_ago_value", ago_na),
                       ("status", na)):
        if name in out.columns and rows.any():
            values = out[name].to_numpy(dtype=object).copy()
            values[rows] = "grey" if name == "status" else NOT_AVAILABLE
            out[name] = values
    return out


# ------------------------------------------------------------------------------------------
# tables of people


def _is_c(series: pd.Series) -> np.ndarray:
    return np.array([is_hidden(v) for v in series], dtype=bool)


def _no_reasons(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([None] * len(frame), index=frame.index, dtype=object)
                         for c in frame.columns}, index=frame.index)


def _reasons_like(frame: pd.DataFrame) -> pd.DataFrame:
    out = _no_reasons(frame)
    for c in frame.columns:
        out[c] = np.where(_is_c(frame[c]), "primary", None)
    return out


def _check(frame: pd.DataFrame, cols: Iterable[str], name: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DisclosureError(
            f"The declaration for '{name}' names column(s) " + ", ".join(map(repr, missing))
            + " that the table does not have (columns: " + ", ".join(map(str, frame.columns)) + ")."
        )


def _label_cols(frame: pd.DataFrame, table: Table) -> list[str]:
    if table.category:
        return ([table.within] if table.within else []) + [table.category]
    first = [c for c in frame.columns if c not in table.counts and c not in dict(table.rates)
             and c not in dict(table.follow) and c not in dict(table.shares)]
    return first[:1] if first else []


def merge_plan(frames: Iterable[pd.DataFrame], table: Table, r: Rules) -> dict[str, str]:
    """label -> merged label, decided once for all linked tables so they keep the same rows."""
    merges = r.merges_for(table.dimension)
    if not merges or not table.category:
        return {}
    frames = list(frames)
    count = table.counts[0]
    # only a small group that describes people triggers a merge: "Not known" alone need not
    # (unless the rules say unrecorded answers are sensitive)
    unrecorded = r.shown_whatever_size
    small: set[str] = set()
    for f in frames:
        for lab, v in zip(f[table.category], f[count]):
            x = number(v)
            if not math.isnan(x) and r.small(x) and str(lab) not in unrecorded:
                small.add(str(lab))
    plan: dict[str, str] = {}
    for m in merges:
        present = [x for x in m.members if any((f[table.category].astype(str) == x).any() for f in frames)]
        if m.when == "always":
            moving = present
        elif m.when == "any small":
            moving = present if any(x in small for x in present) else []
        else:  # fold small
            moving = [x for x in present if x in small]
        for x in moving:
            if x not in plan:
                plan[x] = m.into
    # a merge target that is itself a member of a later merge (e.g. folded twice) is followed
    for k in list(plan):
        seen = {k}
        while plan[k] in plan and plan[k] not in seen:
            seen.add(plan[k])
            plan[k] = plan[plan[k]]
    return plan


def _merge(frame: pd.DataFrame, table: Table, plan: Mapping[str, str]) -> pd.DataFrame:
    if not plan or frame.empty:
        return frame
    cat = table.category
    f = frame.copy()
    f[cat] = [plan.get(str(v), v) for v in f[cat]]
    keys = ([table.within] if table.within else []) + [cat]
    sums = list(dict.fromkeys([*table.counts, *(c for c, _ in table.follow if c not in keys)]))
    sums = [c for c in sums if pd.api.types.is_numeric_dtype(frame[c])]
    agg = {c: "sum" for c in sums}
    for c in f.columns:
        if c not in keys and c not in agg:
            agg[c] = "first"
    order = list(dict.fromkeys(f[cat]))
    out = f.groupby(keys, sort=False, as_index=False).agg(agg)[list(frame.columns)]
    out = out.sort_values(keys, key=lambda s: s.map(order.index) if s.name == cat else s.map(
        list(dict.fromkeys(f[s.name])).index), kind="stable").reset_index(drop=True)
    return out


def _recompute_shares(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for share, count in table.shares:
        num = pd.to_numeric(frame[count], errors="coerce")
        base = num.groupby(frame[table.within]).transform("sum") if table.within else num.sum()
        frame[share] = (num / base * 100).round(1)
    return frame


def _align(frames: dict[Hashable, pd.DataFrame], table: Table) -> dict[Hashable, pd.DataFrame]:
    """Every linked table lists the same categories (within each group it has), a missing one as 0.

    Why: a service's table that lists only "No" says that every one of its people answered "No"
    as plainly as "No 5, 100%" does, and a one-row group escapes the class-disclosure rule (a
    single part is the group itself). With the zero listed, the rule sees two parts, and the
    zero is hidden with the answer where the group is small (the secondary rule picks it)."""
    if not table.category or len(frames) < 2 or not table.additive or table.rates or table.row_total \
            or table.rows is not None:
        return frames
    group = table.within

    def keys(f: pd.DataFrame) -> list[tuple]:
        return list(zip(f[group] if group else [None] * len(f), f[table.category]))

    order: dict[tuple, int] = {}
    for f in frames.values():
        for key in keys(f):
            order.setdefault(key, len(order))
    out = {}
    for k, f in frames.items():
        have = set(keys(f))
        groups = set(f[group]) if group else {None}
        missing = [key for key in order if key not in have and (key[0] in groups or table.rolling)]
        if not missing or (f.empty and not table.rolling):
            out[k] = f
            continue
        add = pd.DataFrame({table.category: [c for _, c in missing],
                            **({group: [g for g, _ in missing]} if group else {}),
                            **{c: 0 for c in table.counts},
                            # a column that follows a count (Leavers' FTE) is nothing beside it too
                            **{c: 0 if pd.api.types.is_numeric_dtype(f[c]) else None for c, _ in table.follow
                               if c in f.columns and c not in table.counts}})
        f = pd.concat([f, add], ignore_index=True)[list(f.columns)]
        f = f.iloc[np.argsort([order[key] for key in keys(f)], kind="stable")].reset_index(drop=True)
        out[k] = _recompute_shares(f, table)
    return out


def _protect_linked(frames: Mapping[Hashable, pd.DataFrame], table: Table, r: Rules, *,
                    name: str = "this table", margins: Margins | None = None,
                    before: "LastMonth | None" = None, after: "NextMonth | None" = None,
                    sums: Sums | None = None) -> dict[Hashable, tuple[pd.DataFrame, pd.DataFrame]]:
    """Every linked table protected together. Each column's total (within each group) is a cell
    of the equations too, never published here: primary when small (a service of 4 social
    workers: its total would follow from the directorate minus the other services), hidden and
    protected where `margins` says another publication hides it (the measure history's second
    hidden service), known where `margins` says it is published or, without a word, when at least
    the threshold (a reader may know a large total; it is never hidden to protect a cell)."""
    return _protect_family({name: Linked(frames, table, margins, before, after, sums)}, r)[name]


@dataclass(frozen=True)
class Linked:
    """One table of a family (`disclose_family`): the directorate's and every service's frames
    (`frames`, as `disclose_all` takes them), what its cells count, and its `margins` and
    `before` (see `disclose_all`), and the `sums` of its answers another publication shows (see
    `Sums`)."""

    frames: Mapping[Hashable, pd.DataFrame]
    table: Table
    margins: Margins | None = None
    before: "LastMonth | None" = None
    after: "NextMonth | None" = None
    sums: Sums | None = None  # (see `Sums`; this month's only)


def _protect_family(tables: Mapping[Hashable, Linked], r: Rules
                    ) -> dict[Hashable, dict[Hashable, tuple[pd.DataFrame, pd.DataFrame]]]:
    """Linked tables that count the same people protected as one system (`_family_system`), then
    each 12-month one beside last month's (`_over_months`; last month's family decided as one
    too): {name: {view: (published, reasons)}}."""
    systems = _family_system({n: (t.frames, t.table, t.margins, t.sums) for n, t in tables.items()}, r)
    first = next(iter(systems.values()))
    # where another publication's sums are known, a protected cell they give away whatever is
    # hidden here is hidden with its reason, and nothing more is hidden for it (demo, social
    # workers, 2026-10: the history's minorities of the directorate, Children in Care and
    # Safeguarding leave SEND and Youth none, so SEND's all-White 9, a class, is known anyway;
    # protecting it hid the directorate's White and Not known for nothing)
    _partners_given_away(first)  # (in place: every table's arrays are its)
    given = _given_away_anyway(first, r) if any(t.sums for t in tables.values()) else None
    if given is not None:
        for s in systems.values():  # (one system: every table's arrays are its)
            s.primary, s.cls, s.elsewhere, s.zeros, s.virt, s.partner = first.primary, first.cls, first.elsewhere, \
                first.zeros, first.virt, first.partner
    hidden, reason = first.protect(r)  # (one system: every table's arrays are its)
    # a cell another publication of the same figures hides (`Margins`: the history's early leavers)
    # is hidden for the reason that one hides it: to protect a small group (its small ones are primary)
    reason[first.elsewhere & (reason == "over_time")] = "secondary"
    if given is not None:
        why = np.array(["secondary" if w == "over_time" else w for w in given[1]], dtype=object)
        hidden[given[0]], reason[given[0]] = True, why[given[0]]
    alone = hidden
    over = {n: t for n, t in tables.items() if t.before is not None}
    if over:
        last = _family_system({n: (t.before.frames, t.table, t.before.margins, None) for n, t in over.items()}, r)
        for n, t in over.items():
            hidden, reason = _over_months(systems[n], hidden, reason, t.before, t.table, r, name=str(n), last=last[n])
    ahead = {n: t for n, t in tables.items() if t.after is not None}
    if ahead:  # then beside next month's decision (`NextMonth`; next month's family decided as one too)
        nxt = _family_system({n: (t.after.frames, t.table, t.after.margins, None) for n, t in ahead.items()}, r)
        for n, t in ahead.items():
            hidden, reason = _before_next(systems[n], hidden, reason, alone, t.after, t.table, r, name=str(n),
                                          following=nxt[n])
    # each hidden count captioned by its own true reason (`true_reason`: the count itself the people
    # it rests on), as the protection read its caption (`System.protect`'s `captioned`): a count of
    # 1 to threshold-1 is "fewer than 5 people" whatever hid it, but a small group's one answer
    # (captioned as its class, as the zeros beside it: `System.as_class`). A small "Not known" is never hidden
    # for being small (rules.shown_whatever_size) but may be hidden to protect another: demo, social
    # workers, 2026-10, Safeguarding and Family Support's age "Not known" 1 read "hidden so that a
    # small group cannot be worked out", which says it is 0 or at least 5
    def told(k: int) -> str | None:
        v = first.vals[k]
        return reason[k] if math.isnan(v) else true_reason(reason[k] or "secondary", (v,), r)

    out: dict[Hashable, dict[Hashable, tuple[pd.DataFrame, pd.DataFrame]]] = {}
    for n, s in systems.items():
        out[n] = {}
        for key, f in s.merged.items():
            cells = [(i, c, k) for (v, i, c), k in s.index.items() if v == key and i >= 0]
            out[n][key] = _publish(f, tables[n].table, r,
                                   [(i, c, told(k)) for i, c, k in cells if c != REST and hidden[k]],
                                   {i: told(k) for i, c, k in cells if c == REST and reason[k] is not None})
    return out


def _publish(frame: pd.DataFrame, table: Table, r: Rules, hidden: Iterable[tuple[int, str, str | None]],
             rest_reason: Mapping[int, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(published, reasons) of a table whose count cells the policy decided: the `hidden` cells
    (row, column, reason) read "c", then rates, shares and followers hidden with what they rest
    on (`rest_reason`: {row: reason} where the rest of a row is protected)."""
    pub = frame.copy()
    pub.attrs = {}
    why = _no_reasons(pub)
    for i, c, reason in hidden:
        _hide(pub, why, c, int(i), reason or "secondary")
    _derived(pub, why, table, r, rest_reason)
    return pub, why


@dataclass
class _System(System):
    """Linked tables as cells and equations (`_linked_system`): a `disclosure.system.System` that
    also says where one table's cells are (in a family, every table's System holds the family's
    cells and equations; only these fields differ)."""

    merged: dict[Hashable, pd.DataFrame]   # each view's table after merging, as published
    plan: dict[str, str]                   # label -> merged label (merge_plan)
    index: dict[tuple[Hashable, int, str], int]  # (view, row, column) -> cell (row -1: a column total)
    totals: dict[tuple[Hashable, Any, str], int]  # (view, group, column) -> its total's cell
    labels_of: dict[Hashable, list[tuple]]  # each view's row labels


def _linked_system(frames: Mapping[Hashable, pd.DataFrame], table: Table, r: Rules, *,
                   name: str = "this table", margins: Margins | None = None) -> _System:
    """The cells and equations of linked tables (see `_protect_linked`), categories merged."""
    return _family_system({name: (frames, table, margins, None)}, r)[name]


def _family_system(tables: Mapping[Hashable, tuple[Mapping[Hashable, pd.DataFrame], Table, Margins | None,
                                                   Sums | None]],
                   r: Rules) -> dict[Hashable, _System]:
    """Linked tables as one system ({name: (frames, table, margins, sums)}). Tables counting the same
    people (a family: leavers by reason and by length of service) share each view's total of a
    count column of the same name: one cell, where their figures agree, so that no table's
    published cells pin a total another table's protection relies on."""
    b = Builder()
    owners: list[Hashable] = []  # each cell's view
    status: dict[int, str] = {}  # a total's: "known" / "hidden" (elsewhere)
    shared: dict[tuple[Hashable, str], int] | None = {} if len(tables) > 1 else None
    laid, table_of = {}, []  # (each cell's table: with its view, the caption it is counted in)
    for t, (name, (frames, table, margins, sums)) in enumerate(tables.items()):
        laid[name] = _lay_out(b, frames, table, r, name=str(name), margins=margins, owners=owners, status=status,
                              shared=shared, sums=sums)
        table_of += [t] * (len(b.values) - len(table_of))
    n = len(b.values)
    # each published cell's caption (its table's, in its view): where all its hidden cells are
    # primary, a reader knows each is 1 to threshold-1 (a cell shared by the family's tables is a
    # total, never published)
    views_of = {k: i for i, k in enumerate(dict.fromkeys(owners))}
    captions = np.array([t * len(views_of) + views_of[o] for t, o in zip(table_of, owners)], dtype=int)
    vals = np.array(b.values, dtype=float)
    sens = np.array(b.sensitive, dtype=bool)
    known = np.zeros(n, dtype=bool)
    known[[c for c, s in status.items() if s == "known"]] = True
    # a total another publication hides must stay unknown here (else a small one beside it
    # follows from the directorate's); one it shows, or a large one, is known: never hidden
    elsewhere = np.zeros(n, dtype=bool)
    elsewhere[[c for c, s in status.items() if s == "hidden"]] = True
    # the directorate's own figures are never hidden to protect a service's (a service's other
    # cells are hidden instead), unless they are small themselves
    views = {k for frames, _, _, _ in tables.values() for k in frames}
    keep = np.array([k is None and len(views) > 1 for k in owners], dtype=bool) | known
    zeros = np.zeros(n, dtype=bool)
    unpublished = np.zeros(n, dtype=bool)
    for name, (_, table, _, _) in tables.items():
        if not table.rolling:
            continue
        # a table over the 12 months to the month: a zero shown would bound next month's figure by
        # the month's leavers (1 to 4 of them: "at most 2 resigned"), whatever next month hides.
        # It is hidden: with the view's other figures where its total is not known; beside a known
        # total, protected like a small count (else it follows from the total)
        merged, index = laid[name]["merged"], laid[name]["index"]
        for (key, _, c), n_total in laid[name]["totals"].items():
            zero = [z for z in (index[(key, i, c)] for i in range(len(merged[key])) if (key, i, c) in index)
                    if vals[z] == 0 and sens[z]]
            if known[n_total] and vals[n_total] > 0:  # (a view of nobody: every figure is 0 anyway)
                zeros[zero] = True
            elif known[n_total]:
                continue
            else:
                unpublished[zero] = True
    zeros &= ~known  # (a zero another publication shows: known, as any figure it shows)
    unpublished &= ~known
    base = b.system(r, known=known, elsewhere=elsewhere, keep=keep, zeros=zeros, unpublished=unpublished,
                    captions=captions, partners=True)
    return {name: _System(**{f.name: getattr(base, f.name) for f in fields(System)}, **layout)
            for name, layout in laid.items()}


def _lay_out(b: Builder, frames: Mapping[Hashable, pd.DataFrame], table: Table, r: Rules, *, name: str,
             margins: Margins | None, owners: list, status: dict[int, str],
             shared: dict[tuple[Hashable, str], int] | None, sums: Sums | None = None) -> dict:
    """One linked table's cells and equations added to `b` (each cell's view to `owners`, each
    total's word from `margins` to `status`); a view's total already in `shared` (another table
    of the family, the same figure) is the same cell; each of `sums` a known cell its rows add
    up to (`_known_sums`). The table's layout (see `_System`)."""
    for f in frames.values():
        _check(f, [*table.counts, *(c for p in table.rates for c in p), *(c for p in table.follow for c in p),
                   *(c for p in table.numerators for c in p),
                   *(c for p in table.shares for c in p),
                   *([table.within] if table.within else []), *([table.category] if table.category else [])],
               name)
    plan = merge_plan(frames.values(), table, r)
    merged = {k: _recompute_shares(_merge(f.copy(), table, plan), table) if plan else f.copy()
              for k, f in frames.items()}
    for f in merged.values():
        f.attrs = {}
    merged = _align(merged, table)
    counts = list(table.counts)
    cols = [c for c in counts if c != table.row_total] + ([REST] if table.row_total else []) \
        + ([table.row_total] if table.row_total else [])
    # every cell of every linked table, with its equations
    index: dict[tuple[Hashable, int, str], int] = {}
    unrecorded = r.shown_whatever_size
    labels_of: dict[Hashable, list[tuple]] = {}
    for key, f in merged.items():
        people_rows = np.ones(len(f), dtype=bool) if table.rows is None else np.asarray(table.rows(f), dtype=bool)
        labs = _label_cols(f, table)
        labels_of[key] = [tuple(row) for row in f[labs].itertuples(index=False)] if labs else [(i,) for i in range(len(f))]
        for i in range(len(f)):
            if not people_rows[i]:
                continue
            row_unrecorded = table.category is not None and str(f[table.category].iloc[i]) in unrecorded
            for c in cols:
                if c == REST:
                    parts = [number(f[p].iloc[i]) for p in counts if p != table.row_total]
                    v = number(f[table.row_total].iloc[i]) - sum(parts)
                else:
                    v = number(f[c].iloc[i])
                    if math.isnan(v) and not pd.isna(f[c].iloc[i]) and not is_hidden(f[c].iloc[i]):
                        raise DisclosureError(f"'{c}' holds {f[c].iloc[i]!r}, which is not a number.")
                # the rest is never published; a "c" from upstream is hidden already
                index[(key, i, c)] = b.cell(v, sensitive=not row_unrecorded, virtual=c == REST or is_hidden(f[c].iloc[i]))
                owners.append(key)
    # a cell another publication shows (known: never hidden) or hides (hidden and protected here too)
    for key, labs in labels_of.items():
        said = {k: v for k, v in ((margins or {}).get(key) or {}).items() if isinstance(k, tuple)}
        for i, lab in enumerate(labs):
            for c in cols:
                word = said.get((str(lab[-1]), c))
                if word is not None and (key, i, c) in index:
                    status[index[(key, i, c)]] = "known" if word else "hidden"
    # each column's total within a group of a table: a cell of its own (never published here)
    totals: dict[tuple[Hashable, Any, str], int] = {}
    margin_of = _margin_reader(margins, table)
    for key, f in merged.items():
        groups: dict[Any, list[int]] = {}
        for i in range(len(f)):
            g = f[table.within].iloc[i] if table.within else None
            groups.setdefault(g, []).append(i)
        for c in cols:
            if not table.additive:
                break
            for g, rows_ in groups.items():
                body = [index[(key, i, c)] for i in rows_ if (key, i, c) in index]
                if not body:
                    continue
                total = float(np.sum([b.values[n] for n in body]))
                if math.isnan(total):  # a part hidden upstream: the total is not this table's to model
                    if not r.small(float(np.nansum([b.values[n] for n in body]))):
                        b.equation(body, None)
                    continue
                same = None if shared is None or g is not None else shared.get((key, c))
                if same is not None and b.values[same] == total:  # the family's total: one cell
                    totals[(key, g, c)] = same
                else:
                    said = margin_of(key, c) if g is None else None
                    totals[(key, g, c)] = b.cell(total, virtual=True)
                    owners.append(key)
                    said = "known" if said is True or (said is None and not r.small(total)) \
                        else "hidden" if said is False else None
                    if said:
                        status[totals[(key, g, c)]] = said
                    if shared is not None and g is None and same is None:
                        shared[(key, c)] = totals[(key, g, c)]
                b.equation(body, totals[(key, g, c)], partition=True)
        if table.row_total:
            for i in range(len(f)):
                if (key, i, table.row_total) in index:
                    parts = [index[(key, i, c)] for c in cols if c != table.row_total]
                    b.equation(parts, index[(key, i, table.row_total)], partition=True)
    if None in merged and len(merged) > 1:
        whole = {lab: i for i, lab in enumerate(labels_of[None])}
        for c in cols:
            for lab, i in whole.items():
                if (None, i, c) not in index:
                    continue
                body = [index[(k, j, c)] for k in merged if k is not None
                        for j, lab2 in enumerate(labels_of[k]) if lab2 == lab and (k, j, c) in index]
                b.equation(body, index[(None, i, c)], own=False)
        for c in cols:  # the services' totals add up to the directorate's (once in a family)
            if (None, None, c) in totals:
                body = [totals[(k, None, c)] for k in merged if k is not None and (k, None, c) in totals]
                if not any(e.total == totals[(None, None, c)] and e.body == body and not e.own for e in b.equations):
                    b.equation(body, totals[(None, None, c)], own=False)
    if sums:
        _known_sums(b, frames, merged, table, r, plan, index, sums, owners=owners, status=status)
    return dict(merged=merged, plan=plan, index=index, totals=totals, labels_of=labels_of)


def _known_sums(b: Builder, frames: Mapping[Hashable, pd.DataFrame], merged: Mapping[Hashable, pd.DataFrame],
                table: Table, r: Rules, plan: Mapping[str, str], index: Mapping[tuple[Hashable, int, str], int],
                sums: Sums, *, owners: list, status: dict[int, str]) -> None:
    """Each view's rows whose answers another publication sums (`sums`) add up to a cell a reader
    knows (never hidden, counted on). A merged row whose answers fall on both sides is split
    into two unpublished parts (each protected where it is 1 to threshold-1 people who answered),
    one on each side. Only a table of one group per view (no `within`) by its `category`."""
    if table.category is None or table.within is not None or not table.counts:
        return
    col = table.counts[0]
    unrecorded = r.shown_whatever_size
    for key, groups in sums.items():
        if key not in merged or not groups:
            continue
        f, raw = merged[key], frames[key]
        exact = {str(a): number(v) for a, v in zip(raw[table.category], raw[col])}
        for answers in groups:
            answers = frozenset(map(str, answers))
            body = []
            for i, lab in enumerate(map(str, f[table.category])):
                if (key, i, col) not in index:
                    continue
                members = {a for a in {*exact, *plan} if plan.get(a, a) == lab} or {lab}
                inside = members & answers
                if not inside:
                    continue
                if inside == members:
                    body.append(index[(key, i, col)])
                    continue
                parts = []
                for side in (inside, members - inside):
                    value = float(sum(exact.get(a, 0.0) for a in side))
                    parts.append(b.cell(value, sensitive=not side <= unrecorded, virtual=True))
                    owners.append(key)
                b.equation(parts, index[(key, i, col)])
                body.append(parts[0])
            whole = b.cell(float(sum(b.values[c] for c in body)), virtual=True)
            owners.append(key)
            status[whole] = "known"
            b.equation(body, whole)


@dataclass(frozen=True)
class LastMonth:
    """What protecting a table of the 12 months to a month across successive months needs: last
    month's linked tables as built (`frames`, the same views) and their `margins`, and this month's
    own people (`arrived`: the newest month of the window, by the same rows, for every view).

    Why: this month's table minus last month's is the people who left this month minus those who
    left 12 months earlier, by category (both at least 0); a reader who knows the monthly totals
    narrows hidden cells of either month. A view's month's leavers and those of 12 months before
    are taken as known where its 12-month totals are known in both months (the history's 12-month
    totals give them month by month); `first_year`: nothing is loaded 12 months before, so nobody
    left then, in every view."""

    frames: Mapping[Hashable, pd.DataFrame]
    arrived: Mapping[Hashable, pd.DataFrame]
    margins: Margins | None = None
    first_year: bool = False


@dataclass(frozen=True)
class NextMonth(LastMonth):
    """The month after, where it is loaded (`disclose_all(after=)`): its linked tables as built
    (`frames`), their `margins`, its own people (`arrived`: its newest month) and whether it is in
    the first year (`first_year`: nobody left 12 months before it).

    Why: a month's figures also bound next month's. Next month's decision protects what it can
    (it adds cells to its own alone), but where its own cells are all hidden and its total is
    published (the measure history's), only this month's shown figures are left to hide: demo
    2024-03 showed the directorate's Resignation 8 of 10 leavers social workers (the total hidden),
    April hid every cell but the history showed 11 leavers, nobody leaving 12 months before, so
    April's "Other reasons" (2) lay in [0, 11 - 8]."""


def _over_months(s: _System, hidden: np.ndarray, reason: np.ndarray, before: LastMonth, table: Table,
                 r: Rules, *, name: str, last: _System | None = None) -> tuple[np.ndarray, np.ndarray]:
    """This month's decision (`hidden`, made alone) with further cells hidden so that it is safe
    solved together with last month's table as the policy publishes it alone. Last month's real
    publication hides at least those cells (it only adds to its own decision the same way), so the
    reader knows less than assumed here: each pair of successive months is safe, and each month's
    decision reads one month back only (every page and file of a month agrees)."""
    p = last if last is not None else _linked_system(before.frames, table, r, name=name, margins=before.margins)
    p_hidden, _ = p.protect(r)  # last month as published alone
    wide = _two_months(s, hidden, p, p_hidden, before, table, r, name=name, move_later=True)
    reason = reason.copy()
    reason[wide & ~hidden] = "secondary"
    return wide, reason


def _before_next(s: _System, hidden: np.ndarray, reason: np.ndarray, alone: np.ndarray, after: NextMonth,
                 table: Table, r: Rules, *, name: str, following: _System | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """This month's decision (`hidden`) with further cells hidden so that it is safe beside next
    month's as next month makes it (its alone decision and the cells it adds against this month's
    `alone` one: `_over_months`, which reads no further back). Next month's real publication hides
    at least those cells, so the pair is safe whatever next month adds for the month after it.
    Only cells next month could not protect are left to this month (its own cells all hidden
    beside a total the history publishes)."""
    n = following if following is not None else _linked_system(after.frames, table, r, name=name,
                                                                margins=after.margins)
    n_alone, _ = n.protect(r)
    n_hidden = _two_months(n, n_alone, s, alone, after, table, r, name=name, move_later=True)
    wide = _two_months(n, n_hidden, s, hidden, after, table, r, name=name, move_later=False)
    reason = reason.copy()
    reason[wide & ~hidden] = "secondary"
    return wide, reason


def _two_months(s: _System, hidden: np.ndarray, p: _System, p_hidden: np.ndarray, month: LastMonth,
                table: Table, r: Rules, *, name: str, move_later: bool) -> np.ndarray:
    """Two successive months' linked tables (`s` the later, `p` the earlier, each with the cells
    it hides) as one system: per view and category, the later month's cells + those who left 12
    months before it = the earlier month's cells + those who left in the later month (`month`:
    the later month's `arrived` and `first_year`); both flows hidden, at least 0. Returns the
    cells the month that may move (`move_later`: the later, else the earlier) hides so that every
    small count of both months stays wide; the other month's decision is fixed."""
    if table.within or table.row_total or not table.additive or len(table.counts) != 1:
        raise DisclosureError(f"'{name}': protection across months needs one count column of categories.")
    count = table.counts[0]
    n_s, n_p = s.vals.size, p.vals.size
    values = [*s.vals.tolist(), *p.vals.tolist()]
    eqs = [*s.eqs, *(Equation([c + n_s for c in e.body], None if e.total is None else e.total + n_s, own=e.own)
                     for e in p.eqs)]
    # a merged category and the members it may fold count the same people across months; an
    # answer that records nothing is never folded (merge_plan): a month without its row had none
    never = r.shown_whatever_size
    groups = {x: m.into for m in r.merges_for(table.dimension) for x in (m.into, *m.members) if x not in never} \
        if table.dimension else {}

    def add(v: float) -> int:
        values.append(float(v))
        return len(values) - 1

    for key in s.merged:
        if key not in p.merged or key not in month.arrived:
            continue
        now = {lab[-1]: s.index[(key, i, count)] for i, lab in enumerate(s.labels_of[key]) if (key, i, count) in s.index}
        then = {lab[-1]: p.index[(key, i, count)] + n_s for i, lab in enumerate(p.labels_of[key])
                if (key, i, count) in p.index}
        arrived = month.arrived[key]
        label_col = _label_cols(arrived, table)[-1]
        came_by: dict[Any, float] = {}
        for lab, v in zip(arrived[label_col], arrived[count]):
            merged_lab = s.plan.get(str(lab), lab)
            came_by[merged_lab] = came_by.get(merged_lab, 0.0) + number(v)
        units: list[tuple[list, list]] = []  # (the later month's labels, the earlier's) counting the same people
        for g in dict.fromkeys(groups.get(str(x), x) for x in [*now, *then]):
            a = [x for x in now if groups.get(str(x), x) == g]
            b = [x for x in then if groups.get(str(x), x) == g]
            if sorted(map(str, a)) == sorted(map(str, b)):  # shown alike: each row is its own
                units += [([x], [x]) for x in a]
            else:  # folded in one month and not the other: only the whole is the same people
                units.append((a, b))
        ins, outs = [], []
        for a, b in units:
            this = sum(values[now[x]] for x in a)
            last = sum(values[then[x]] for x in b)
            came = sum(came_by.get(x, 0.0) for x in a)
            went = last - this + came
            if went < 0 or math.isnan(went):
                raise DisclosureError(f"'{name}': this month's people ({came:g}) do not fit the change "
                                      f"on last month's table ({last:g} to {this:g}).")
            c_in, c_out = add(came), add(went)
            both = add(this + went)  # this month's cells + those who left 12 months before = last month's + arrivals
            eqs += [Equation([now[x] for x in a] + [c_out], both), Equation([then[x] for x in b] + [c_in], both)]
            ins.append(c_in)
            outs.append(c_out)
        totals_known = all(sys_.known[sys_.totals[(key, None, count)]] if (key, None, count) in sys_.totals
                           else False for sys_, key in ((s, key), (p, key)))
        if ins and totals_known:  # the month's leavers and those of 12 months before (the totals give them)
            eqs += [Equation(ins, None), Equation(outs, None)]
        elif outs and month.first_year:  # nobody left 12 months before the first loaded month
            eqs.append(Equation(outs, None))
    n = len(values)
    vals = np.array(values, dtype=float)
    start = np.zeros(n, dtype=bool)
    start[:n_s] = hidden
    start[n_s:n_s + n_p] = p_hidden
    start[n_s + n_p:] = True  # the flows: never published
    # the small counts (and a 12-month table's zeros) of both months; a large total another
    # publication hides (the history's second hidden service) stays protected within its month
    protect = np.zeros(n, dtype=bool)
    protect[:n_s] = s.protected & ~s.elsewhere
    protect[n_s:n_s + n_p] = p.protected & ~p.elsewhere
    moving = slice(0, n_s) if move_later else slice(n_s, n_s + n_p)
    mover, offset = (s, 0) if move_later else (p, n_s)
    fixed = np.ones(n, dtype=bool)  # only the moving month's cells of this table may be hidden further
    own = np.array([*mover.index.values(), *mover.totals.values()], dtype=int)
    fixed[own + offset] = mover.known[own]
    keep = np.zeros(n, dtype=bool)
    keep[moving] = mover.keep
    out = widen(vals, start, eqs, protect=protect, min_count=r.threshold, keep=keep, fixed=fixed)
    if (out & ~start).any():  # (rare: most months add nothing; the check below costs linear programmes)
        # a small count still narrow with every cell the moving month may hide hidden is given away
        # by figures published elsewhere (demo 2024-08: SEND's 12-month leavers from the history's
        # totals of two months): hiding cells for it would hide large groups for nothing
        every = start | (~fixed & ~np.isnan(vals))
        hopeless = narrow_anyway(vals, every, eqs, protect & every, r.threshold)
        if hopeless.any():
            out = widen(vals, start, eqs, protect=protect & ~hopeless, min_count=r.threshold, keep=keep, fixed=fixed)
    return out[moving]


def _margin_reader(margins: Margins | None, table: Table) -> Callable[[Hashable, str], bool | None]:
    """(view, column) -> True (its total is published elsewhere), False (hidden elsewhere), None
    (no word). The rest of a row total (REST) is known where both columns are, hidden where
    either is."""
    def read(key: Hashable, col: str) -> bool | None:
        said = (margins or {}).get(key) or {}
        if col != REST:
            v = said.get(col)
            return None if v is None else bool(v)
        parts = [said.get(c) for c in (table.row_total, *(x for x in table.counts if x != table.row_total))]
        if any(p is False for p in parts):
            return False
        return True if parts and all(p is True for p in parts) else None
    return read


def _put(pub: pd.DataFrame, col: str, i: int, symbol: str) -> None:
    """Publish a GSS symbol in cell (i, col) (the column becomes object to hold it)."""
    if pub[col].dtype != object:
        pub[col] = pub[col].astype(object)
    pub.iat[i, pub.columns.get_loc(col)] = symbol


def _hide(pub: pd.DataFrame, why: pd.DataFrame, col: str, i: int, reason: str, *,
          symbol: str = SUPPRESSED, overrule: bool = False) -> None:
    """Publish `symbol` in cell (i, col) and give `reason`, unless the cell already has a reason
    and `overrule` is False (the first reason found for a hidden cell is its true one)."""
    _put(pub, col, i, symbol)
    if overrule or not isinstance(why.iat[i, why.columns.get_loc(col)], str):
        why.iat[i, why.columns.get_loc(col)] = reason


def _derived(pub: pd.DataFrame, why: pd.DataFrame, table: Table, r: Rules, rest_reason: Mapping[int, str]
             ) -> None:
    """Rates, shares and followers hidden with what they rest on; row bases."""
    people_rows = np.ones(len(pub), dtype=bool) if table.rows is None else np.asarray(table.rows(pub), dtype=bool)
    for i, reason in rest_reason.items():  # a protected rest: the row's rates would give it back
        for rate, _ in table.rates:
            _hide(pub, why, rate, i, reason)
    numerators = dict(table.numerators)
    for rate, base in table.rates:
        num = numerators.get(rate)
        for i in range(len(pub)):
            if not people_rows[i]:
                continue
            b = pub[base].iloc[i]
            small = not isinstance(b, str) and r.small(number(b))
            if is_hidden(b):
                _hide(pub, why, rate, i, why.iat[i, why.columns.get_loc(base)] or "secondary")
                continue
            if small:
                _hide(pub, why, rate, i, "primary")
                continue
            if num is None:  # the rate may be made of any count of its row
                for c in table.counts:
                    if _is_c(pub[c])[i]:
                        _hide(pub, why, rate, i, why.iat[i, why.columns.get_loc(c)] or "secondary")
                        break
                else:
                    _not_applicable(pub, rate, i, b)
                continue
            n = pub[num].iloc[i]
            if is_hidden(n):
                _hide(pub, why, rate, i, why.iat[i, why.columns.get_loc(num)] or "secondary")
            elif r.small(fewest_given_away(number(b), number(n))):  # the rest of the base is people too
                _hide(pub, why, rate, i, "primary")
            else:
                _not_applicable(pub, rate, i, b)
    for share, count in table.shares:
        for i in np.flatnonzero(_is_c(pub[count])):
            _hide(pub, why, share, int(i), why.iat[int(i), why.columns.get_loc(count)] or "secondary")
    for _ in range(2):  # a follower may itself be followed
        for col, src in table.follow:
            for i in np.flatnonzero(_is_c(pub[src])):
                _hide(pub, why, col, int(i), why.iat[int(i), why.columns.get_loc(src)] or "secondary")
    for col in dict.fromkeys([r for r, _ in table.rates] + [sh for sh, _ in table.shares]):
        for i, v in enumerate(pub[col]):  # GSS "low": a rate above zero that rounds to zero
            x = number(v)
            if not isinstance(v, str) and not math.isnan(x) and 0 < x < 0.05:
                _put(pub, col, i, LOW)
    if table.row_bases is not None:
        if len(table.row_bases) != len(pub):
            raise DisclosureError(f"{len(table.row_bases)} row bases for {len(pub)} rows.")
        for i, b in enumerate(table.row_bases):
            if b is not None and not math.isnan(float(b)) and r.small(float(b)):
                for col in table.row_cols:
                    if col in pub.columns:  # e.g. the People base, where the table shows it
                        _hide(pub, why, col, i, "primary")


def fewest_given_away(base: float, part: float) -> float:
    """The fewest people a share of `base` that is `part` gives away: its base, its part or the
    rest of the base (88.9% of 27 within the price cap gives away the 3 above it); 0 when none is
    above nobody."""
    return min([float(x) for x in (base, part, base - part) if x > 0], default=0.0)


def _not_applicable(pub: pd.DataFrame, rate: str, i: int, base: object) -> None:
    """GSS "z": a rate over a base of nobody is not applicable (not hidden, not missing)."""
    if not isinstance(base, str) and number(base) == 0 and pd.isna(pub[rate].iloc[i]):
        _put(pub, rate, i, NOT_APPLICABLE)


#: rates whose numerator is people counted by FTE (leavers, agency workers). An FTE is not a count
#: of people (2.5 FTE may be 5 people working half time: each is more than 0 and at most 1 FTE), so
#: a numerator of 1 to threshold-1 FTE is never read as "fewer than 5 people" (`rests_on`): such a
#: rate rests on the people its FTE is of where the caller knows them (`fte_people`: turnover's
#: leavers, the early-leaver rate's denominator), else on its base alone. The policy protects these
#: rates on their base (disclosure.cells PEOPLE_RATES are the rates whose numerator it protects as a
#: headcount) and turnover with its leavers (disclosure.cells.FTE_OF_PEOPLE).
PEOPLE_FTE_RATES = frozenset({"turnover_rate_fte_12m", "agency_rate_fte"})


def rests_on(metric_id: str, *, value: object, numerator: object, denominator: object, base_count: object,
             people: object = None) -> tuple[float, ...]:
    """The counts of people a figure of an engine frame row rests on (exact, never published):
    its base; a count measure's value; a rate of headcounts' (PEOPLE_RATES) numerator and the rest
    of its denominator ("17 of 18" rests on 1); a rate of people by FTE's (PEOPLE_FTE_RATES)
    `people`, the headcount its FTE numerator is of, where given (`fte_people`; never the FTE
    itself: 2.7 FTE of leavers may be 3 people or 9). What `published_rows`' `sizes` holds for a
    figure's cells, so that a cell is captioned "fewer than 5 people" only where one of them is 1
    to threshold-1 (`true_reason`)."""
    from metrics import catalogue

    m = catalogue.CATALOGUE.get(metric_id)
    out = [number(base_count)]
    if m is not None and m.unit == "count":
        out.append(number(value))
    if metric_id in PEOPLE_RATES:
        out += [number(numerator), number(denominator) - number(numerator)]
    elif metric_id in PEOPLE_FTE_RATES and people is not None:
        out.append(number(people))
    return tuple(x for x in out if not math.isnan(x))


def fte_people(metric_id: str, rows: Mapping[str, Mapping]) -> object:
    """The headcount a rate's FTE numerator is of (`rests_on`'s `people`), from `rows` {measure:
    its exact engine row in the same view and month}: turnover's leavers are the early-leaver
    rate's denominator (disclosure.cells.FTE_OF_PEOPLE); None where not known (an agency FTE's
    workers: no measure counts them)."""
    if metric_id not in FTE_OF_PEOPLE:
        return None
    of, col = FTE_OF_PEOPLE[metric_id]
    row = rows.get(of)
    return None if row is None else row.get(col)


def true_reason(reason: str | None, counts: Iterable[float], r: Rules) -> str | None:
    """A hidden cell's true reason, from the counts of people it rests on (`counts`; none for a
    cell that counts nobody: a status, "Small group"): "primary" ("fewer than 5 people") where one
    of them is 1 to threshold-1, else "secondary" ("hidden so that a small group cannot be worked
    out") where it was decided "primary" or "secondary" for its row or for what it protects (a
    drill row hidden because its rate rests on 2 leavers hides its People of 16 as well: that 16
    is not few). Class and over-time reasons stay: they say why the whole row is hidden. The one
    definition of both `published_rows`' per-cell reasons and `_counts_not_small`."""
    if reason not in ("primary", "secondary"):
        return reason
    small = any(r.small(float(x)) for x in counts if x is not None and not math.isnan(float(x)))
    return "primary" if small else "secondary"


def published_rows(frame: pd.DataFrame, *, hidden: Sequence[bool], reasons: Sequence[str | None],
                   columns: Sequence[str], exact: bool, not_available: Sequence[bool] | None = None,
                   na_columns: Sequence[str] = (),
                   sizes: Mapping[str, Sequence[Sequence[float]]] | None = None,
                   cells: Mapping[str, Sequence[bool]] | None = None) -> Disclosed:
    """A table whose rows the policy has already decided (each row one figure of an engine frame
    that passed `disclose`): `columns` hidden in the published version where `hidden`, and
    `na_columns` "x" where `not_available` (the engine frame's NOT_AVAILABLE_COL: a figure not
    published for its month, YEAR_TO_SEPTEMBER; "x" wins over "c", which would say it was small).

    `sizes` {column: per row, the exact counts of people its cell rests on (`rests_on`; never
    published)}: each hidden cell then gets its own true reason (`true_reason`; a column not in
    `sizes` counts nobody) rather than its row's: a row hidden as "primary" because its rate rests
    on 1 leaver has a People of 8 that is not "fewer than 5 people", and a row hidden as
    "secondary" whose rate rests on 1 leaver has a rate that is. Without `sizes`, the row's reason.

    `cells` {column: per row, whether its cell is hidden}: for a column of `columns` whose figure
    the engine frame publishes on its own (a hidden row's People where the frame publishes them
    anyway: `_counts_published_anyway`), hidden only where it says, with the row's reason."""
    pub = frame.copy()
    pub.attrs = {}
    why = _no_reasons(pub)
    r = rules()
    for i, (h, reason) in enumerate(zip(hidden, reasons)):
        if bool(h):
            for col in columns:
                if cells is not None and col in cells and not bool(cells[col][i]):
                    continue  # published on its own (the engine frame shows it)
                given = reason if isinstance(reason, str) else "secondary"
                if sizes is not None:
                    given = true_reason(given, sizes[col][i] if col in sizes else (), r)
                _hide(pub, why, col, i, given)
    for i, na in enumerate(not_available if not_available is not None else ()):
        if bool(na):
            for col in na_columns:
                _hide(pub, why, col, i, NOT_AVAILABLE_COL, symbol=NOT_AVAILABLE, overrule=True)
    shown = frame.copy() if exact else pub
    shown.attrs = {}
    return Disclosed(shown=shown, published=pub, reasons=why, table=Table(row_cols=tuple(columns)), exact=exact)


# ------------------------------------------------------------------------------------------
# tables by group for a whole and its parts, published with their totals
#
# Why: a page may show, for the directorate and for each service, a one-row summary (its totals)
# and a table by group (job type), and the directorate a table of its parts' totals (by service).
# Protected each alone, a service's summary showing its own 5 gave a hidden 2 away as the
# directorate's 7 minus 5. Every cell of all of them is a cell of one system (disclosure.system):
# each table's groups add up to its totals, the parts' groups to the whole's, the parts' totals to
# the whole's total, no count exceeds the count it is part of; the totals are cells that secondary
# suppression may hide. A part whose table by group is never published (assignments of no
# service) takes part with its groups as hidden cells (protected where small).


def disclose_with_totals(frames: Mapping[Hashable, pd.DataFrame], totals: pd.DataFrame, table: Table, *,
                         views: Sequence[Hashable], role: str | None = None, name: str = "this table",
                         unpublished: Iterable[Hashable] = (), within: Mapping[str, str] | None = None,
                         decided: Disclosed | None = None, blocks: Sequence[Hashable] | None = None,
                         known: Mapping[Hashable, Iterable[str]] | None = None,
                         known_rests: Mapping[Hashable, Iterable[str]] | None = None,
                         counted_rests: Iterable[str] = (), shown_totals: pd.DataFrame | None = None,
                         rests_shown: Mapping[str, str] | None = None
                         ) -> tuple[dict[Hashable, Disclosed], Disclosed]:
    """({view: its table by group}, the totals of every view) as Disclosed, decided together.

    `totals`: one row per view (`views`, aligned: None the whole, the other keys its parts; the
    parts' totals add up to the whole's), the group label in the first column; `frames` {view:
    table by group, the same columns} (may be empty: the totals alone). `table` is a
    `people(...)` declaration of the columns (counts, rates with their numerators, followers).
    `unpublished`: parts whose table by group is never shown (only their totals). `within`
    {count: count it is part of}: a count never exceeds the other in its row (a reader knows
    so); where the part is a rate's numerator and the other its base, the rest (the base minus
    the part: the assignments above the price cap) is a count of people protected too.
    `blocks` (totals alone): the rows' independent groups (one per month, each with its whole),
    decided each on its own and published as one table.

    `known` {group label: count columns}: cells of the tables by group that any reader knows
    whatever is published (their true figures, e.g. 0 with a price cap for a job type that has
    no cap in force), in every view's row of that label: never hidden, never protected, and
    counted on as known when the other cells are protected. `known_rests` {group label: parts
    of `within`}: the rest (the whole minus the part) a reader knows, alike (0 assignments
    without a cap for a job type with a cap in force). `counted_rests`: parts of `within` whose
    rest counts people published elsewhere, protected where small in every row (the assignments
    without a cap are those of the job types with no cap: a view's 24 assignments beside its 23
    with a cap give away its 1 "Other" assignment).

    `shown_totals`: the totals' count columns as another publication shows them (the measure
    history's numerators and denominators; NaN where it shows none), row for row with `totals`:
    a total whose figure is shown there is known (never hidden, never protected, counted on). A
    protected cell that such figures give away whatever is hidden here stays hidden (its reason
    kept) but nothing more is hidden for it: no choice here can protect it. `rests_shown` {part
    of `within`: a column of `shown_totals`}: that column shows the rest of the part in each
    totals row (the whole less the part: the measure history's assignments above the price cap,
    the denominator of the £ above it, are those with a cap less those within it); where it is
    the row's rest, that rest is known alike (a reader of both has the part from the whole).

    `decided`: the totals as this function decided them before with `frames` empty (cheap: the
    month rows of a trend need only the totals): a shown total is then known, a hidden one
    protected, and only the tables by group are decided (the totals returned are `decided`). The
    hidden totals are what protects the small ones among them, so the tables by group must not
    give them back."""
    if not isinstance(table, Table) or not table.counts or table.category or table.within or table.row_total:
        raise DisclosureError(f"'{name}': disclose_with_totals needs a people(counts=...) declaration "
                              "without category, within or row_total.")
    views = list(views)
    blocks = [None] * len(views) if blocks is None else list(blocks)
    if len(views) != len(totals) or len(blocks) != len(views) or set(frames) - set(views) \
            or sorted((b for b, v in zip(blocks, views) if v is None), key=str) != sorted(set(blocks), key=str) \
            or (frames and len(set(blocks)) > 1):
        raise DisclosureError(f"'{name}': one totals row per view, the whole's (None) in each block, "
                              "every table's view among them (and tables with one block only).")
    within = dict(within or {})
    columns = [*table.counts, *(c for p in table.rates for c in p), *(c for p in table.follow for c in p),
               *within, *within.values()]
    for f in [*frames.values(), totals]:
        _check(f, columns, name)
        if f.columns[0] in table.counts:
            raise DisclosureError(f"'{name}': the first column must be the group label.")
    r = rules()
    counts = list(table.counts)
    block_rows: dict[Hashable, list[int]] = {}
    for i, b in enumerate(blocks):
        block_rows.setdefault(b, []).append(i)
    figures = totals[counts].to_numpy(dtype=float)
    was = None if decided is None else decided.published[counts].to_numpy(dtype=object)
    hidden_total = np.zeros(figures.shape, dtype=bool)
    reason_total = np.full(figures.shape, None, dtype=object)
    rest_total: dict[int, str] = {}
    hidden_rows: dict[Hashable, np.ndarray] = {}
    reason_rows: dict[Hashable, np.ndarray] = {}
    rest_rows: dict[Hashable, dict[int, str]] = {}
    rests_shown = dict(rests_shown or {})
    if set(rests_shown) - set(within) or (rests_shown and shown_totals is None):
        raise DisclosureError(f"'{name}': a rest shown elsewhere must be of a count within another, "
                              "in a column of the totals shown elsewhere.")
    for b, rows in block_rows.items():
        elsewhere = None if shown_totals is None else shown_totals[counts].to_numpy(dtype=float)[rows]
        rests_elsewhere = {part: shown_totals[col].to_numpy(dtype=float)[rows] for part, col in rests_shown.items()}
        got = _totals_system(frames, figures[rows], [views[i] for i in rows], counts, table, r, within=within,
                             shown=elsewhere, shown_rests=rests_elsewhere,
                             unpublished=set(unpublished), was=None if was is None else was[rows],
                             known={str(k): set(v) for k, v in (known or {}).items()},
                             known_rests={str(k): set(v) for k, v in (known_rests or {}).items()},
                             counted_rests=set(counted_rests))
        hidden_total[rows], reason_total[rows] = got["total"][0], got["total"][1]
        rest_total.update({rows[i]: why for i, why in got["total"][2].items()})
        for k in frames:
            hidden_rows[k], reason_rows[k], rest_rows[k] = got[k]
    exact = sees_exact(role)

    def publish(frame: pd.DataFrame, hidden: np.ndarray, reason: np.ndarray, rest_reason: dict) -> Disclosed:
        pub, why = _publish(frame, table, r, [(i, c, reason[i, j]) for j, c in enumerate(counts)
                                              for i in np.flatnonzero(hidden[:, j])], rest_reason)
        _counts_not_small(frame, why, counts, r)
        shown = frame.copy() if exact else pub
        shown.attrs = {}
        return Disclosed(shown=shown, published=pub, reasons=why, table=table, exact=exact)

    by_group = {k: publish(f, hidden_rows[k], reason_rows[k], rest_rows[k]) for k, f in frames.items()
                if k not in set(unpublished)}
    return by_group, decided if decided is not None else publish(totals, hidden_total, reason_total, rest_total)


def _show_what_protects_nothing(s: System, hidden: np.ndarray, reason: np.ndarray, r: Rules,
                                ranges: dict[int, tuple[float, float]] | None = None) -> None:
    """Show again each secondary cell the protection does not need, largest first (in place).

    Why: the picks of secondary suppression (disclosure.cells.protect_grid, its widening, or
    each column alone) are made one at a time and never taken back, so a cell hidden early can
    be left hidden after later picks protect what it protected (on the demo, 96 of the 356
    secondary cells of the tables by job type, e.g. 21 social workers beside a hidden team of
    2). Each is shown again where every protected cell (primary, class, hidden elsewhere) still
    has a feasible range at least the threshold wide (disclosure.audit, the attacker's linear
    programmes over every equation of the system), largest first: a small group is hidden
    before a large one. Virtual cells (never published) and the zeros hidden beside a small
    group's one answer stay as decided. With `ranges` (`System.caption_ranges`, where `s` has
    captions) each hidden cell captioned "fewer than 5 people" keeps what its captions alone leave
    it too (`System.short_of_captions`)."""
    protected = s.protected
    candidates = [int(i) for i in np.flatnonzero(hidden & ~s.virt & ~s.lone & ~protected)
                  if reason[i] == "secondary"]
    if not candidates:
        return
    from disclosure.audit import System as AttackerSystem

    eqs = attack_equations(s.vals, s.eqs)
    near: dict[int, set[int]] = {}  # the cells sharing an equation with each cell
    for eq in s.eqs:
        cells = eq.body + ([eq.total] if eq.total is not None else [])
        for c in cells:
            near.setdefault(c, set()).update(cells)
    for c in sorted(candidates, key=lambda i: (-s.vals[i], i)):
        hidden[c] = False
        known = {i: float(s.vals[i]) for i in np.flatnonzero(~hidden)}
        attack = AttackerSystem(known=known, hidden=[int(i) for i in np.flatnonzero(hidden)], equations=eqs)
        # the protected cells beside the one shown first: the likeliest to narrow (stop at one)
        watch = sorted((int(i) for i in np.flatnonzero(hidden & protected)), key=lambda i: (i not in near.get(c, ()), i))
        if all(attack.high(i) - attack.low(i) >= r.threshold - 1e-9 for i in watch) \
                and not (ranges is not None and s.captions is not None and s.short_of_captions(hidden, r, ranges)):
            reason[c] = None
        else:
            hidden[c] = True


def _given_away_anyway(s: System, r: Rules) -> tuple[np.ndarray, np.ndarray] | None:
    """(cells, their reasons) of the protected cells that the known cells (published elsewhere)
    pin to a range narrower than the threshold whatever else is hidden (disclosure.cells.
    narrow_anyway): hiding more cannot protect them, so they are taken out of the protection (in
    place: hidden, not protected, like a cell never published) and hidden after it with their own
    reason; None when there are none. E.g. a view's assignments and those with a cap, both shown
    by the measure history, give its few "Other" assignments away."""
    from disclosure.cells import narrow_anyway

    numbers = ~np.isnan(s.vals)
    cells = s.protected & numbers
    if not cells.any():
        return None
    hopeless = narrow_anyway(s.vals, ~s.known & numbers, s.eqs, cells, r.threshold)
    if not hopeless.any():
        return None
    why = np.full(s.vals.size, None, dtype=object)
    why[hopeless & s.elsewhere] = "over_time"
    why[hopeless & s.cls] = "class"
    why[hopeless & s.primary] = "primary"
    why[hopeless & s.zeros] = "secondary"
    why[hopeless & s.as_class] = "class"  # (a small group's one answer and its zeros: System.as_class)
    if s.partner is not None:  # a partner given away is only no longer protected (not hidden for it)
        only = hopeless & s.partner & ~(s.primary | s.cls | s.elsewhere | s.zeros)
        s.partner &= ~hopeless
        for answer, zeros in s.pairs or ():  # a class given away anyway: its partners protect nothing
            if hopeless[answer]:
                s.partner &= ~zeros
        hopeless &= ~only
        if not hopeless.any():
            return None
    published = hopeless & ~s.virt
    s.primary, s.cls, s.elsewhere, s.zeros = (s.primary & ~hopeless, s.cls & ~hopeless, s.elsewhere & ~hopeless,
                                              s.zeros & ~hopeless)
    s.virt = s.virt | hopeless
    return published, why


def _partners_given_away(s: System) -> None:
    """The class partners (`System.partner`) that the known cells pin to 0 whatever else is hidden
    (the group's one answer is given away anyway, e.g. by the history's sums: SEND's all-White 9,
    its minorities 0 = the directorate's 10 less a's 5 and c's 5) taken out of the protection, in
    place: protecting them would hide cells for nothing."""
    numbers = ~np.isnan(s.vals)
    if s.partner is None or not (s.partner & numbers).any():
        return
    from disclosure.audit import System as AttackerSystem

    eqs = attack_equations(s.vals, s.eqs)
    attack = AttackerSystem(known={int(i): float(s.vals[i]) for i in np.flatnonzero(s.known & numbers)},
                            hidden=[int(i) for i in np.flatnonzero(~s.known & numbers)], equations=eqs)
    for c in np.flatnonzero(s.partner & numbers):
        if attack.high(int(c)) < 1 - 1e-9:
            s.partner[c] = False


def _counts_not_small(frame: pd.DataFrame, why: pd.DataFrame, counts: list[str], r: Rules) -> None:
    """Each hidden count's true reason (`true_reason`, the count itself the people it rests on): a
    count that is not 1 to threshold-1 people is never "primary" ("fewer than 5 people"), it is
    hidden so that a small group cannot be worked out (secondary). Such a count came to read
    "primary" from what it protects, not from itself: the part of a base whose rest is small (23
    of 24 within the price cap hides the 1 above it), or a numerator hidden with its share where
    the share rests on a few (a 0 within the cap of 1 assignment with a cap)."""
    for c in counts:
        col = why.columns.get_loc(c)
        values = frame[c].to_numpy(dtype=float)
        for i in range(len(frame)):
            if isinstance(why.iat[i, col], str):
                why.iat[i, col] = true_reason(why.iat[i, col], (values[i],), r)


def _totals_system(frames: Mapping[Hashable, pd.DataFrame], figures: np.ndarray, views: list, counts: list[str],
                   table: Table, r: Rules, *, within: Mapping[str, str], unpublished: set,
                   was: np.ndarray | None, known: Mapping[str, set[str]], known_rests: Mapping[str, set[str]],
                   counted_rests: set[str], shown: np.ndarray | None = None,
                   shown_rests: Mapping[str, np.ndarray] | None = None) -> dict:
    """One block's decision (`disclose_with_totals`): {"total" or view: (hidden, reason: arrays
    like its counts, {row: reason of a protected rest})}. `shown`, `shown_rests` {part: figures}:
    the totals' counts and rests another publication shows (NaN where it shows none)."""
    rest_of = {num: dict(table.rates)[rate] for rate, num in table.numerators}  # numerator -> its rate's base
    b = Builder()
    index: dict[tuple, int] = {}
    row = {k: i for i, k in enumerate(views)}
    rows: list[tuple[str, Hashable, int, np.ndarray]] = []  # (table, row, its counts)
    for k, f in frames.items():
        block = f[counts].to_numpy(dtype=float)
        rows += [(k, i, block[i]) for i in range(len(f))]
    rows += [("total", i, figures[i]) for i in range(len(figures))]
    for where, i, fig in rows:
        for c, v in zip(counts, fig):
            index[(where, i, c)] = b.cell(v, virtual=where != "total" and where in unpublished)
    for k, f in frames.items():
        for c in counts:
            body = [index[(k, i, c)] for i in range(len(f))]
            if body:
                b.equation(body, index[("total", row[k], c)], partition=k not in unpublished)
    if None in frames:  # the whole's groups are the parts' groups of the same label
        labels = {k: [str(x) for x in f.iloc[:, 0]] for k, f in frames.items()}
        for i, lab in enumerate(labels[None]):
            for c in counts:
                body = [index[(k, j, c)] for k in frames if k is not None
                        for j, other in enumerate(labels[k]) if other == lab]
                b.equation(body, index[(None, i, c)], own=False)
    # the parts' totals add up to the whole's (the whole's table by part)
    columns = [b.equation([index[("total", row[k], c)] for k in views if k is not None],
                          index[("total", row[None], c)], own=False, partition=True) for c in counts]
    n_plain = len(b.values)
    bounds: list[Equation] = []
    rests: dict[tuple, int] = {}
    for where, i, _ in rows:  # a count within another: the rest is a count too (never published)
        for part, whole in within.items():
            rest = b.values[index[(where, i, whole)]] - b.values[index[(where, i, part)]]
            protected = rest_of.get(part) == whole or part in counted_rests  # a rate's numerator in its base
            rests[(where, i, part)] = index[(where, i, "rest", part)] = b.cell(rest, sensitive=protected, virtual=True)
            bounds.append(b.equation([index[(where, i, part)], rests[(where, i, part)]], index[(where, i, whole)]))
    n = len(b.values)
    # the whole's own figures are never hidden to protect a part's (unless nothing else will do)
    keep = np.zeros(n, dtype=bool)
    for (where, i, *_), c in index.items():
        keep[c] = where is None or (where == "total" and views[i] is None)
    fixed = forced = None
    if known or known_rests:  # cells of the tables by group a reader knows anyway (`known`)
        fixed = np.zeros(n, dtype=bool)
        for k, f in frames.items():
            for i, label in enumerate(f.iloc[:, 0].tolist()):
                for c in known.get(str(label), ()):
                    if c in counts:
                        fixed[index[(k, i, c)]] = True
                for part in known_rests.get(str(label), ()):
                    if (k, i, "rest", part) in index:
                        fixed[index[(k, i, "rest", part)]] = True
        if not fixed.any():
            fixed = None
    if shown is not None:  # the totals another publication shows: known
        same = np.isclose(shown, figures, rtol=0.0, atol=1e-9)
        if same.any():
            fixed = np.zeros(n, dtype=bool) if fixed is None else fixed
            for i, j in zip(*np.nonzero(same)):
                fixed[index[("total", int(i), counts[int(j)])]] = True
    for part, got in (shown_rests or {}).items():  # a rest another publication shows: known
        cells = [index[("total", i, "rest", part)] for i in range(len(figures))]
        same = np.isclose(got, np.array(b.values, dtype=float)[cells], rtol=0.0, atol=1e-9)
        if same.any():
            fixed = np.zeros(n, dtype=bool) if fixed is None else fixed
            fixed[np.array(cells)[same]] = True
    if was is not None:  # the totals decided before: a shown one known, a hidden one protected
        fixed = np.zeros(n, dtype=bool) if fixed is None else fixed
        forced = np.zeros(n, dtype=bool)
        for i in range(len(figures)):
            for j, c in enumerate(counts):
                forced[index[("total", i, c)]] = is_hidden(was[i, j])
                fixed[index[("total", i, c)]] = not forced[index[("total", i, c)]]
    # each published cell's caption (its table: a view's by group, or the totals'); a reader of a
    # caption reads each hidden count of 1 to threshold-1 as "fewer than 5 people" (`_counts_not_small`)
    tables = {where: t for t, where in enumerate(dict.fromkeys(where for where, _, _ in rows))}
    captions = np.full(n, -1, dtype=int)
    for key, c in index.items():
        if len(key) == 3:  # (a rest is never published: no caption)
            captions[c] = tables[key[0]]
    s = b.system(r, known=fixed, elsewhere=forced, keep=keep, class_of_virtual=False, lone_zeros=False,
                 captions=captions)
    hopeless = _given_away_anyway(s, r) if (shown is not None or shown_rests) and fixed is not None else None
    ranges = s.caption_ranges(r)
    # the totals alone: each count's column is one equation; bounds checked after
    hidden, reason = s.protect(r, columns=None if frames else (columns, bounds, n_plain), ranges=ranges)
    if hopeless is not None:
        hidden[hopeless[0]], reason[hopeless[0]] = True, hopeless[1][hopeless[0]]
    _show_what_protects_nothing(s, hidden, reason, r, ranges)
    out = {}
    for where, n_rows in [*((k, len(f)) for k, f in frames.items()), ("total", len(figures))]:
        h = np.array([[hidden[index[(where, i, c)]] for c in counts] for i in range(n_rows)], dtype=bool)
        why = np.array([[reason[index[(where, i, c)]] for c in counts] for i in range(n_rows)], dtype=object)
        rest_reason = {i: reason[rests[(where, i, part)]] for i in range(n_rows) for part in within
                       if rest_of.get(part) == within[part] and reason[rests[(where, i, part)]] is not None}
        out[where] = (h.reshape(n_rows, len(counts)), why.reshape(n_rows, len(counts)), rest_reason)
    return out
