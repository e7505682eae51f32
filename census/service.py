"""The census jobs the CLI and the HR pages share: import, build, export, check.

Each takes an open store connection; the caller owns opening and closing it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from census import figures as F
from census.build import CensusConfig, MonthlyData, build
from census.importer import ImportedReturn, read_return
from census.items import FIRST_YEAR, LATEST_SCHEMA_YEAR, item, schema_year, year_start
from census.model import CensusReturn, Worker
from census.rules import CensusProblem, check
from census.schema import schema_errors, schema_from_file
from census.xmlio import to_xml
from store import census as S

#: the first year the dashboard produces returns for (earlier schemas require QualInst, which
#: the monthly extract does not collect; past years are imported instead)
FIRST_EXPORT_YEAR = 2025
RESTRICTED_TAGS = frozenset({item("SWENo").tag})
#: never kept: the store holds no dates of birth (data minimisation)
DROPPED_TAGS = frozenset({item("PersonBirthDate").tag})


class CensusError(RuntimeError):
    """A census job that cannot be done; the message says why and what to do."""


# --------------------------------------------------------------------------- import


@dataclass
class ImportOutcome:
    year: int
    return_id: int
    outcome: str
    workers: int
    gaps: list[str]
    year_from: str
    seconds: float

    def summary(self) -> str:
        what = {"imported": "imported", "replaced": "replaced the earlier import of",
                "unchanged": "unchanged: this file is already the live return for"}[self.outcome]
        gaps = f"; {len(self.gaps)} gaps noted" if self.gaps else ""
        return (f"{what} the {self.year} census return ({self.workers} worker records, year "
                f"from {self.year_from}) as return {self.return_id}{gaps}")


def _rows(ret: CensusReturn) -> tuple[pd.DataFrame, pd.DataFrame]:
    plain, restricted = [], []
    for tag, values in ret.la.items():
        plain.extend((0, tag, k, v) for k, v in enumerate(values))
    for w in ret.workers:
        for tag, values in w.items.items():
            if tag in DROPPED_TAGS:
                continue
            target = restricted if tag in RESTRICTED_TAGS else plain
            target.extend((w.record, tag, k, v) for k, v in enumerate(values))
    cols = ["record", "item", "seq", "value"]
    return pd.DataFrame(plain, columns=cols), pd.DataFrame(restricted, columns=cols)


def figures_frame(ret: CensusReturn) -> pd.DataFrame:
    """The DfE figures of a return as rows (measure, metric_id, value, numerator, denominator)."""
    rows = [(f.measure, F.MEASURES[f.measure][3], f.value, f.numerator, f.denominator)
            for f in F.compute(ret).values()]
    return pd.DataFrame(rows, columns=["measure", "metric_id", "value", "numerator",
                                       "denominator"])


def import_return(con: Any, *, path: str | Path, imported_by: str,
                  year: int | None = None) -> ImportOutcome:
    """Read, check and store a past return as its year's 30 September snapshot."""
    started = time.perf_counter()
    got: ImportedReturn = read_return(path, year=year)
    ret = got.ret
    plain, restricted = _rows(ret)
    if any(w.get("PersonBirthDate") for w in ret.workers):
        got.gaps.append("PersonBirthDate not kept: the dashboard stores no dates of birth")
    saved = S.save_return(con, year=ret.year, lea=ret.lea, file_name=got.file_name,
                          sha256=hashlib.sha256(got.data).hexdigest(),
                          workers=len(ret.workers), items=plain, restricted=restricted,
                          figures=figures_frame(ret), gaps=got.gaps, imported_by=imported_by)
    return ImportOutcome(ret.year, saved.return_id, saved.outcome, len(ret.workers), got.gaps,
                         got.year_from, time.perf_counter() - started)


def _from_rows(year: int, lea: str | None, items: pd.DataFrame) -> CensusReturn:
    ret = CensusReturn(year=year, lea=lea, source="import")
    workers: dict[int, Worker] = {}
    for record, tag, value in zip(items["record"], items["item"], items["value"]):
        record = int(record)
        if record == 0:
            ret.la.setdefault(tag, []).append(value)
        else:
            workers.setdefault(record, Worker(record=record)).items.setdefault(tag, []).append(value)
    ret.workers = [workers[k] for k in sorted(workers)]
    return ret


def imported_return(con: Any, *, year: int, purpose: str | None = None) -> CensusReturn | None:
    """`year`'s live imported return; with a restricted `purpose`, registration numbers too."""
    got = S.live_return(con, year=year)
    if got is None:
        return None
    meta, items = got
    if purpose is not None:
        extra = S.restricted_return_items(con, return_id=int(meta["return_id"]), purpose=purpose)
        items = pd.concat([items, extra], ignore_index=True).sort_values(["record", "seq"],
                                                                          kind="stable")
    return _from_rows(year, meta["lea"], items)


# --------------------------------------------------------------------------- from monthly loads


def _month(d: date) -> date:
    return date(d.year, d.month, 1)


def monthly_return(con: Any, *, year: int, config: CensusConfig, as_at: date | None = None,
                   purpose: str = "hr-data-quality") -> tuple[CensusReturn, date]:
    """The return built from the monthly loads, and the month standing for 30 September.

    Without `as_at`, September of `year` must be loaded (the real return); with it, the latest
    loaded month up to `as_at` stands in ("if the census were taken at the end of this month").
    """
    if year < FIRST_YEAR:
        raise CensusError(f"{year} is before {FIRST_YEAR}, the first census year this dashboard "
                          "handles.")
    first, sept = year_start(year), date(year, 9, 1)
    months = S.loaded_months(con, first=first, last=sept)
    if as_at is None:
        if sept not in months:
            have = f" (loaded: {months[0]:%b %Y} to {months[-1]:%b %Y})" if months else ""
            raise CensusError(
                f"September {year} is not loaded{have}: the {year} return describes 30 September "
                f"{year}. Load that month's extract first, or use the readiness report "
                "(census report) to see the return as it stands.")
        reference = sept
    else:
        upto = [m for m in months if m <= _month(as_at)]
        if not upto:
            raise CensusError(f"No month of the {year} census year (October {year - 1} to "
                              f"September {year}) is loaded up to {as_at:%B %Y}.")
        reference = upto[-1]
    # from the month before the year: a leaver in October was last in September's Staff sheet
    before = date(first.year, first.month - 1, 1)
    frames = S.monthly_rows(con, first=before, last=reference)
    restricted = S.restricted_rows(con, first=before, last=reference, purpose=purpose)
    data = MonthlyData(staff=frames["staff"], leavers=frames["leavers"],
                       vacancies=frames["vacancies"], restricted=restricted,
                       reference_period=reference)
    return build(year=year, data=data, config=config), reference


def previous_return(con: Any, *, year: int, config: CensusConfig) -> CensusReturn | None:
    """Last year's return for the continuity checks: the imported one, else from monthly loads."""
    prev = imported_return(con, year=year - 1)
    if prev is not None:
        return prev
    try:
        return monthly_return(con, year=year - 1, config=config)[0]
    except CensusError:
        return None


# --------------------------------------------------------------------------- export


@dataclass
class ExportOutcome:
    year: int
    written: bool
    path: Path | None
    schema_year: int
    schema_errors: list[str] = field(default_factory=list)
    problems: list[CensusProblem] = field(default_factory=list)
    workers: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        errors = sum(p.severity == "error" for p in self.problems)
        queries = len(self.problems) - errors
        checked = (f"against the {self.schema_year} schema"
                   + (f" (the latest the dashboard knows; {self.year}'s is not published yet)"
                      if self.schema_year != self.year else ""))
        if not self.written:
            return (f"nothing written: the {self.year} return does not validate {checked} "
                    f"({len(self.schema_errors)} schema problems; {errors} errors and {queries} "
                    "queries from the DfE-style rules)")
        return (f"wrote the {self.year} return to {self.path}: {self.workers} worker records, "
                f"valid {checked}; {errors} errors and {queries} queries from the DfE-style "
                "rules (see census report)")


def export_return(con: Any, *, year: int, out: str | Path, config: CensusConfig,
                  schema_file: str | Path | None = None,
                  produced_by: str | None = None) -> ExportOutcome:
    """Build `year`'s return from the monthly loads and write it only if the schema accepts it.

    With `produced_by`, a written return is also recorded (store.census.save_produced) so its
    figures stand on the trends as that year's 30 September (unless a return is imported for it)."""
    started = time.perf_counter()
    if year < FIRST_EXPORT_YEAR:
        raise CensusError(
            f"The dashboard produces returns from {FIRST_EXPORT_YEAR} onwards; earlier schemas "
            "need items (QualInst) the monthly extract does not collect. Import past returns "
            "instead (census import).")
    ret, _ = monthly_return(con, year=year, config=config, purpose="census-export")
    data = to_xml(ret)
    against = schema_from_file(schema_file) if schema_file else None
    errs = schema_errors(data, year=year, against=against)
    problems = check(ret, previous=previous_return(con, year=year, config=config))
    out = Path(out)
    outcome = ExportOutcome(year, not errs, out if not errs else None,
                            schema_year(year) if against is None else year, errs, problems,
                            len(ret.workers))
    if not errs:
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
        if produced_by is not None:
            S.save_produced(con, year=year, sha256=hashlib.sha256(data).hexdigest(),
                            workers=len(ret.workers), figures=figures_frame(ret),
                            produced_by=produced_by)
    outcome.seconds = time.perf_counter() - started
    return outcome


def latest_schema_note(year: int) -> str:
    """Plain words on which schema a year is checked against."""
    if year > LATEST_SCHEMA_YEAR:
        return (f"checked against the {LATEST_SCHEMA_YEAR} schema, the latest the dashboard "
                f"knows ({year}'s is not yet declared)")
    return f"checked against the {year} schema"
