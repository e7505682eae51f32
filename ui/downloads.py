"""Every table leaves the app as xlsx and csv: small numbers suppressed, safe to open in Excel.

Why here: the issue asks for small-number suppression "for the scrutiny role and for anything
exported". Leadership and HR see exact figures on screen, but a file that leaves the dashboard can
go anywhere, so every download passes metrics.suppression (primary and secondary) first, whatever
the role. Each table declares what it holds (a `Disclosure`, a required keyword of
`download_table` and `ui.layout.show_table`): which columns are counts of people, which are rates
and on which base they rest, or why the table holds no people counts (`exempt`). A new table
cannot forget the declaration, so nothing is exported unsuppressed by omission. Files then go
through metrics.export, which neutralises formula injection while numbers stay numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import streamlit as st

from metrics.export import FileHeader, to_csv_bytes, to_xlsx_bytes
from metrics.suppression import EXPLANATION, MIN_COUNT, SUPPRESSED, suppress_counts, suppress_rates
from ui.auth import audited

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTE_PREFIX = "Note: "


class DisclosureError(ValueError):
    """A table's declaration does not fit the table (a named column is missing)."""


@dataclass(frozen=True)
class Disclosure:
    """What a table holds, so its downloads can be suppressed (or why they need not be).

    Build one with `people`, `measures`, `breakdown`, `prepared` or `exempt`, not directly.
    """

    counts: tuple[str, ...] = ()                  # columns holding counts of people
    rates: tuple[tuple[str, str], ...] = ()       # (rate column, base column it rests on)
    follow: tuple[tuple[str, str], ...] = ()      # (column, column whose "c" it must copy)
    within: str | None = None                     # counts add up within each value of this column
    row_total: str | None = None                  # a count column each row's other counts are part of
    additive: bool = True                         # a count column adds up to a known total
    rows: Callable[[pd.DataFrame], Sequence[bool]] | None = None  # only these rows hold people
    row_bases: tuple[float | None, ...] | None = None  # people each row rests on (not shown)
    row_cols: tuple[str, ...] = ()                # columns hidden where the row base is 1-4
    export: pd.DataFrame | None = field(default=None, compare=False)  # suppressed frame to export
    exempt: str | None = None                     # why no suppression is needed

    @property
    def suppresses(self) -> bool:
        return self.exempt is None


def people(*, counts: Iterable[str] = (), rates: Mapping[str, str] | None = None,
           follow: Mapping[str, str | Sequence[str]] | None = None, within: str | None = None,
           additive: bool = True, rows: Callable[[pd.DataFrame], Sequence[bool]] | None = None,
           row_total: str | None = None) -> Disclosure:
    """A table of people: `counts` columns (each adds up to a known total over the rows, or within
    each value of `within`; `additive=False` when rows are separate months), `rates` {rate: base},
    `follow` {column: column(s)} hidden wherever those are (an FTE or share beside a count).

    `row_total` names a count column the row's other counts are part of (living in the county of
    those recorded): the rest (total minus the parts) is a count too, so it is protected as well."""
    counts = tuple(counts)
    if row_total is not None and row_total not in counts:
        counts = (*counts, row_total)
    pairs: list[tuple[str, str]] = []
    for col, src in (follow or {}).items():
        for s in ([src] if isinstance(src, str) else list(src)):
            pairs.append((col, s))
    return Disclosure(counts=counts, rates=tuple((rates or {}).items()), follow=tuple(pairs),
                      within=within, additive=additive, rows=rows, row_total=row_total)


def exempt(reason: str) -> Disclosure:
    """A table with no counts of people (posts, files, published figures, text): exported as is.
    The reason is written into the Excel file's Notes sheet."""
    if not reason or not reason.strip():
        raise DisclosureError("exempt() needs a reason saying why the table holds no counts of people.")
    return Disclosure(exempt=reason.strip())


def prepared(frame: pd.DataFrame, *, by: str) -> Disclosure:
    """Export `frame` instead of the table shown: a copy suppressed upstream (`by` says where)."""
    return Disclosure(export=frame, exempt=f"suppressed by {by}")


def measures(rows: pd.DataFrame, *, columns: Sequence[str] = ("Value", "Change on a year ago", "Status", "People")
             ) -> Disclosure:
    """For `ui.data.measures_table(rows)`: each row is a measure resting on `rows.base_count`
    people (a count measure also on its value); hide the row's figures where that is 1-4.

    A change on a year ago is hidden with the value, and also when a count measure's year-ago
    value was 1-4 (value minus change would give it back)."""
    from metrics import catalogue

    bases: list[float | None] = []
    for r in rows.to_dict("records"):
        m = catalogue.CATALOGUE.get(r["metric_id"])
        if m is not None and not m.counts_people:
            bases.append(None)
            continue
        candidates = [r.get("base_count")]
        if (m is not None and m.unit == "count") or r.get("unit") == "count":
            candidates += [r.get("value"), r.get("year_ago_value")]
        small = [float(v) for v in candidates
                 if v is not None and not isinstance(v, str) and not pd.isna(v) and 0 < float(v) < MIN_COUNT]
        bases.append(min(small) if small else None)
    return Disclosure(row_bases=tuple(bases), row_cols=tuple(columns))


def breakdown(table: pd.DataFrame, *, metric_id: str) -> Disclosure:
    """For `ui.data.breakdown_table`: groups' people add up to the overall figure (secondary
    suppression), the value rests on them, the status would say which side of the target it is."""
    from metrics import catalogue

    m = catalogue.get(metric_id)
    if not m.counts_people:
        return exempt(f"{m.label} does not count people (for example vacancies are posts).")
    value_col = next(c for c in table.columns[1:] if c not in ("People", "Status"))
    counts = ["People"] + ([value_col] if m.unit == "count" else [])
    return people(counts=counts, rates={value_col: "People"}, follow={"Status": counts})


# ------------------------------------------------------------------------------------------
# applying a declaration


def _check(frame: pd.DataFrame, cols: Iterable[str], name: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DisclosureError(
            f"The declaration for '{name}' names column(s) {', '.join(map(repr, missing))} that the "
            f"table does not have (columns: {', '.join(map(str, frame.columns))})."
        )


def _is_c(series: pd.Series) -> np.ndarray:
    return np.array([isinstance(v, str) and v == SUPPRESSED for v in series], dtype=bool)


def _hide(frame: pd.DataFrame, col: str, where: np.ndarray) -> None:
    if where.any():
        frame[col] = frame[col].astype(object)
        frame.loc[where, col] = SUPPRESSED


def _counts(frame: pd.DataFrame, d: Disclosure) -> pd.DataFrame:
    counts = list(d.counts)
    if not counts or frame.empty:
        return frame
    if any(_is_c(frame[c]).any() for c in counts):
        return frame  # suppressed upstream (scrutiny): its "c" already carry secondary protection
    rows = np.ones(len(frame), dtype=bool) if d.rows is None else np.asarray(d.rows(frame), dtype=bool)
    groups = ([np.flatnonzero(rows)] if d.within is None else
              [np.flatnonzero(rows & (frame[d.within] == g).to_numpy())
               for g in pd.unique(frame.loc[rows, d.within])])
    out = frame.copy()
    rest = "\x00rest"  # the part of each row total not shown (a count of people too)
    for idx in groups:
        if idx.size == 0:
            continue
        part = frame.iloc[idx][counts].reset_index(drop=True)
        if d.row_total is not None:
            parts = [c for c in counts if c != d.row_total]
            total = pd.to_numeric(part[d.row_total], errors="coerce")
            part[rest] = total - part[parts].apply(pd.to_numeric, errors="coerce").sum(axis=1)
            done = suppress_counts(part, count_cols=[*parts, rest], total_col=d.row_total,
                                   column_totals_known=d.additive)
        else:
            done = suppress_counts(part, count_cols=counts, column_totals_known=d.additive)
        for c in counts:
            _hide(out, c, np.isin(np.arange(len(out)), idx[_is_c(done[c])]))
    return out


def protect(frame: pd.DataFrame, disclosure: Disclosure, *, name: str = "table") -> pd.DataFrame:
    """The frame as it may leave the dashboard: declared people figures suppressed ("c")."""
    if not isinstance(disclosure, Disclosure):
        raise DisclosureError(
            f"'{name}' needs a Disclosure (ui.downloads.people / measures / breakdown / exempt), "
            f"not {type(disclosure).__name__}."
        )
    if disclosure.export is not None:
        return disclosure.export.copy()
    out = frame.copy()
    out.attrs = {}
    if not disclosure.suppresses:
        return out
    d = disclosure
    _check(out, [*d.counts, *(c for pair in d.rates for c in pair), *(c for pair in d.follow for c in pair),
                 *d.row_cols, *([d.within] if d.within else [])], name)
    out = _counts(out, d)
    for rate, base in d.rates:
        rows = np.ones(len(out), dtype=bool) if d.rows is None else np.asarray(d.rows(out), dtype=bool)
        done = suppress_rates(out, rate_col=rate, base_col=base, min_base=MIN_COUNT)
        _hide(out, rate, rows & _is_c(done[rate]))
        _hide(out, base, rows & _is_c(done[base]))
    for _ in range(2):  # a follower may itself be followed
        for col, src in d.follow:
            _hide(out, col, _is_c(out[src]))
    if d.row_bases is not None:
        if len(d.row_bases) != len(out):
            raise DisclosureError(f"'{name}': {len(d.row_bases)} row bases for {len(out)} rows.")
        small = np.array([b is not None and not math.isnan(float(b)) and 0 < float(b) < MIN_COUNT
                          for b in d.row_bases], dtype=bool)
        for col in d.row_cols:
            _hide(out, col, small)
    out.attrs = {}
    return out


def _notes(frame: pd.DataFrame, disclosure: Disclosure) -> pd.DataFrame:
    hidden = int(sum(_is_c(frame[c]).sum() for c in frame.columns))
    if disclosure.suppresses or disclosure.export is not None:
        lines = [EXPLANATION,
                 f"This file: {hidden} figure{'s' if hidden != 1 else ''} shown as c.",
                 "Small-number suppression applies to every file downloaded from the dashboard, "
                 "whoever downloads it."]
    else:
        lines = [f"No small-number suppression: {disclosure.exempt}"]
    return pd.DataFrame({"Note": lines})


def export_frames(frame: pd.DataFrame, disclosure: Disclosure, *, name: str = "table"
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the protected data, its notes): what both files are built from."""
    data = protect(frame, disclosure, name=name)
    return data, _notes(data, disclosure)


@dataclass(frozen=True, kw_only=True)
class About:
    """What a downloaded table is about, for its file's header block (metrics.export.FileHeader):
    the month, population and service in words (None: not applicable / whole directorate) and
    where the figures come from. `current_about()` builds it from the shared filters."""

    source: str
    month: str | None = None
    population: str | None = None
    service: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


def file_header(name: str, *, about: About | None, notes: Sequence[str]) -> FileHeader:
    """The header block of a table's files: `about` plus the suppression note the caller's
    disclosure gave (`notes`), titled with the table's name."""
    about = about or About(source="The Children's Workforce Dashboard")
    return FileHeader(title=name, month=about.month, population=about.population, service=about.service,
                      source=about.source, extra=about.extra, suppression=tuple(str(n) for n in notes))


def current_about(**words: str) -> About:
    """The shared filters (month, population, service or team) and the month's extract, in words;
    `words` replace any of them (e.g. population="Agency workers" where the scope does not act)."""
    from ui import data, state

    f = state.get_filters()
    where = f"{f.service or 'Whole directorate'} (team: {f.team})" if f.team else f.service
    about = About(month=state.period_label(f.period) if f.period else None,
                  population=state.SCOPE_LABELS.get(f.scope, f.scope), service=where,
                  source=data.extract_source(f.period) if f.period else "Monthly workforce extracts loaded by HR")
    return replace(about, **words) if words else about


def xlsx_bytes(frame: pd.DataFrame, *, name: str, disclosure: Disclosure, about: About | None = None) -> bytes:
    """The Excel file of a table: a Data sheet (suppressed) and a Notes sheet explaining "c",
    each under the header block."""
    data, notes = export_frames(frame, disclosure, name=name)
    return to_xlsx_bytes({"Data": data, "Notes": notes},
                         header=file_header(name, about=about, notes=list(notes["Note"])))


def csv_bytes(frame: pd.DataFrame, *, name: str = "table", disclosure: Disclosure, about: About | None = None) -> bytes:
    """The CSV file of a table (suppressed) under the header block, whose suppression rows
    explain any "c"."""
    data, notes = export_frames(frame, disclosure, name=name)
    return to_csv_bytes(data, header=file_header(name, about=about, notes=list(notes["Note"])))


def file_stem(name: str) -> str:
    """'Leavers by reason (Oct 2026)' -> 'leavers-by-reason-oct-2026' (safe in any file system)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:80] or "table"


def download_table(frame: pd.DataFrame, *, name: str, key: str, disclosure: Disclosure,
                   about: About | None = None) -> None:
    """Two buttons (Excel and CSV) under a table; the files are built (and suppressed) only when
    clicked. `disclosure` has no default on purpose: every table says what it holds. `about`
    (default: the shared filters) fills the files' header block; it is read now, while the page
    runs."""
    if not isinstance(disclosure, Disclosure):
        raise DisclosureError(f"download_table('{name}') needs a ui.downloads Disclosure.")
    stem = file_stem(name)
    snapshot = frame.copy()
    about = about or current_about()
    with st.container(horizontal=True):
        st.download_button(
            "Download Excel", data=audited(lambda: xlsx_bytes(snapshot, name=name, disclosure=disclosure,
                                                              about=about),
                              what=name, fmt="xlsx"),
            file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}-xlsx",
            icon=":material/download:", on_click="ignore",
        )
        st.download_button(
            "Download CSV", data=audited(lambda: csv_bytes(snapshot, name=name, disclosure=disclosure,
                                                           about=about),
                              what=name, fmt="csv"),
            file_name=f"{stem}.csv", mime="text/csv", key=f"{key}-csv",
            icon=":material/download:", on_click="ignore",
        )
