"""Every table leaves the app as xlsx and csv, through the disclosure policy, safe to open in Excel.

Why here: a file that leaves the dashboard can go anywhere, so every download is built from the
published version of a `disclosure.Disclosed` (whatever the role; leadership and HR see exact
figures on screen only). Each table declares what it holds (`people`, `measures`, `breakdown`,
`exempt`, `prepared` - re-exported from disclosure/): a new table cannot forget the declaration,
so nothing is exported unsuppressed by omission. Files then go through metrics.export, which
neutralises formula injection while numbers stay numbers; each carries a header block (what the
table is about, `About`) whose suppression note is the Disclosed's `notes()`: the GSS legend and
the true reason for each hidden cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import streamlit as st

from disclosure import (  # noqa: F401  (the declarations pages build)
    SUPPRESSED,
    Disclosed,
    DisclosureError,
    Table,
    breakdown,
    disclose,
    exempt,
    measures,
    people,
    prepared,
    protect,
)
from metrics.export import FileHeader, to_csv_bytes, to_xlsx_bytes
from ui.auth import audited

#: the declaration type (the name pages and tests know)
Disclosure = Table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTE_PREFIX = "Note: "


def _as_disclosed(frame: pd.DataFrame | Disclosed, disclosure: Table | None, name: str) -> Disclosed:
    if isinstance(frame, Disclosed):
        return frame
    if not isinstance(disclosure, Table):
        raise DisclosureError(
            f"'{name}' needs a Disclosure (ui.downloads.people / measures / breakdown / exempt), "
            f"not {type(disclosure).__name__}."
        )
    return disclose(frame, disclosure, name=name)


def export_frames(frame: pd.DataFrame | Disclosed, disclosure: Table | None = None, *, name: str = "table"
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the published data, its notes): what both files are built from."""
    d = _as_disclosed(frame, disclosure, name)
    data = d.published.copy()
    data.attrs = {}
    return data, pd.DataFrame({"Note": d.notes()})


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


#: the header row saying which year a file's figures cover where they are not the month's own
COVERS = "Figures cover"


def covering(d: Disclosed, about: About | None) -> About | None:
    """`about` with a row (COVERS) saying plainly which year the file's figures cover where they
    are not the month's own (`Disclosed.period`: a 12-month leavers table is published for the
    year to 30 September, so a file asked for October 2026 holds the year to September 2026's)."""
    if d.period is None:
        return about
    from ui.data import year_words

    about = about or About(source="The Children's Workforce Dashboard")
    end = pd.Timestamp(d.period + "-01")
    start = end - pd.DateOffset(months=11)
    words = (f"The {year_words(d.period)} ({start:%B %Y} to {end:%B %Y}), not "
             f"{about.month or 'the month asked for'}: these figures are published once a year.")
    return replace(about, extra=(*about.extra, (COVERS, words)))


def xlsx_bytes(frame: pd.DataFrame | Disclosed, *, name: str, disclosure: Table | None = None,
               about: About | None = None) -> bytes:
    """The Excel file of a table: a Data sheet (published version) and a Notes sheet (legend,
    reasons), each under the header block (with the year its figures cover: `covering`)."""
    d = _as_disclosed(frame, disclosure, name)
    data, notes = export_frames(d, name=name)
    return to_xlsx_bytes({"Data": data, "Notes": notes},
                         header=file_header(name, about=covering(d, about), notes=list(notes["Note"])))


def csv_bytes(frame: pd.DataFrame | Disclosed, *, name: str = "table", disclosure: Table | None = None,
              about: About | None = None) -> bytes:
    """The CSV file of a table (published version) under the header block (with the year its
    figures cover: `covering`), whose suppression rows carry the legend and the reasons for any "c"."""
    d = _as_disclosed(frame, disclosure, name)
    data, notes = export_frames(d, name=name)
    return to_csv_bytes(data, header=file_header(name, about=covering(d, about), notes=list(notes["Note"])))


def file_stem(name: str) -> str:
    """'Leavers by reason (Oct 2026)' -> 'leavers-by-reason-oct-2026' (safe in any file system)."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return stem[:80] or "table"


def download_table(frame: pd.DataFrame | Disclosed, *, name: str, key: str, disclosure: Table | None,
                   about: About | None = None) -> None:
    """Two buttons (Excel and CSV) under a table; the files are built (from the published
    version) only when clicked. A DataFrame needs its declaration (`disclosure`, no default);
    a `Disclosed` carries its own (pass disclosure=None). `about` (default: the shared filters)
    fills the files' header block; it is read now, while the page runs."""
    if not isinstance(frame, Disclosed) and not isinstance(disclosure, Table):
        raise DisclosureError(f"download_table('{name}') needs a ui.downloads Disclosure.")
    stem = file_stem(name)
    snapshot = _as_disclosed(frame, disclosure, name)
    about = about or current_about()
    with st.container(horizontal=True):
        st.download_button(
            "Download Excel", data=audited(lambda: xlsx_bytes(snapshot, name=name, about=about),
                              what=name, fmt="xlsx"),
            file_name=f"{stem}.xlsx", mime=XLSX_MIME, key=f"{key}-xlsx",
            icon=":material/download:", on_click="ignore",
        )
        st.download_button(
            "Download CSV", data=audited(lambda: csv_bytes(snapshot, name=name, about=about),
                              what=name, fmt="csv"),
            file_name=f"{stem}.csv", mime="text/csv", key=f"{key}-csv",
            icon=":material/download:", on_click="ignore",
        )
