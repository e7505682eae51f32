"""Read a past census return (2021 onwards) into a `CensusReturn`, reporting its gaps.

Why gaps do not stop an import: a past return is history, not a submission. DfE accepted it
(or the council's copy has drifted); refusing it for a missing QualInst would throw away a year
of figures. We refuse only what cannot be read safely (`ReturnRejected`); schema problems are
listed with the import so nobody mistakes the data for clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from census.items import FIRST_YEAR, CensusYearError, item, la_items, worker_items
from census.model import CensusReturn
from census.schema import schema_errors
from census.xmlio import Parsed, ReturnRejected, detect_year, read_file, workers_from


@dataclass
class ImportedReturn:
    """A parsed past return with what we noticed about it."""

    ret: CensusReturn
    year_from: str
    gaps: list[str] = field(default_factory=list)
    data: bytes = b""
    file_name: str = ""


def _known_tags(year: int) -> tuple[set[str], set[str]]:
    return {i.tag for i in worker_items(year)}, {i.tag for i in la_items(year)}


def from_parsed(parsed: Parsed, *, data: bytes, year: int | None = None,
                file_name: str = "") -> ImportedReturn:
    """Build the return from parsed XML; `year` overrides (and is checked against) the header."""
    found, how = detect_year(parsed)
    if year is None:
        year = found
    elif found is not None and found != year:
        raise ReturnRejected(
            f"You said the return is for {year}, but {how} says {found}. Check the file, or "
            f"import it as {found}.")
    else:
        how = "the year you gave"
    if year is None:
        raise ReturnRejected(
            "The return does not say which census year it is for (no Header Year or "
            "ReferenceDate, and no items only one year has). Give the year: "
            "python -m census import FILE --year YYYY.")
    try:
        item("SWENo")
        if year < FIRST_YEAR:
            raise CensusYearError(f"{year}")
    except CensusYearError:
        raise ReturnRejected(
            f"The return is for {year}; this dashboard reads census returns from {FIRST_YEAR} "
            "onwards.") from None
    if not parsed.workers:
        raise ReturnRejected("The return holds no CSWWWorker records, so there is nothing to "
                             "import. Check you chose the whole return.")
    lea = parsed.header.get("LEA") or None
    ret = CensusReturn(year=year, la=dict(parsed.la), workers=workers_from(parsed), lea=lea,
                       source="import")
    gaps = []
    worker_tags, la_tags = _known_tags(year)
    unknown = sorted({t for w in parsed.workers for t in w} - worker_tags)
    if unknown:
        gaps.append(f"items not collected in {year} were found and kept as they are: "
                    f"{', '.join(unknown)}")
    unknown_la = sorted(set(parsed.la) - la_tags)
    if unknown_la:
        gaps.append(f"LA-level items not collected in {year} were found: {', '.join(unknown_la)}")
    if parsed.unexpected:
        gaps.append(f"unexpected top-level elements ignored: {', '.join(sorted(set(parsed.unexpected)))}")
    errors = parsed.schema_errors if parsed.schema_year == year else None
    if errors is None:  # not checked in the reading child (e.g. parsed elsewhere)
        errors = schema_errors(data, year=year)
    gaps.extend(f"schema: {e}" for e in errors)
    return ImportedReturn(ret=ret, year_from=how, gaps=gaps, data=data, file_name=file_name)


def read_return(path: str | Path, *, year: int | None = None) -> ImportedReturn:
    """Read and check the return at `path` (ReturnRejected when it cannot be read safely)."""
    parsed, data = read_file(path, year=year)
    return from_parsed(parsed, data=data, year=year, file_name=Path(path).name)
