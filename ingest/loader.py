"""Load one period's extract into the store: all of it in one transaction, or nothing.

Why this shape: HR reloads a month when they fix a file, so a load *replaces* the period
(delete + insert in one transaction); the ledger says which load's rows are live, and the same
file twice is "unchanged". Streamlit runs sessions in threads, so writes take one module lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from ingest import clock
from ingest import contract as C
from ingest.problems import ExtractRejected, IngestError, PeriodError, Problem
from ingest.bounded import read_and_validate
from ingest.reader import Limits
from ingest.validate import (Validation, latest_headcount, month_end, parse_period,
                             store_checks)
from ingest.validate import validate_frames as _validate_frames
from store import (
    DATA_TABLES,
    MONTH_TABLES,
    active_load,
    next_load_id,
    period_ever_loaded,
    record_audit,
    record_load,
    replace_month,
)

__all__ = [
    "ExtractRejected", "IngestError", "LoadResult", "PeriodError", "Problem", "Validation",
    "WRITE_LOCK", "latest_headcount", "ledger_rows", "load_file", "load_frames", "month_has_ended",
    "parse_period", "refresh_kept", "sha256_of", "validate_file", "validate_frames",
]

#: Tables a load replaces: the data tables and the HR-only table (registration numbers)
_WRITTEN = MONTH_TABLES

#: One writer at a time in this process (DuckDB allows one writing transaction per table set).
WRITE_LOCK = threading.Lock()
#: Called with the load's cursor inside its transaction, after the rows and the ledger are written
#: (metrics.aggregates registers its refresh here), so derived data commits with the rows it comes
#: from, or not at all. A hook that raises rolls the load back.
AFTER_WRITE: list[Callable[[Any], None]] = []
_CURSOR_LOCK = threading.Lock()

#: Test hook: seconds to sleep inside the transaction after every delete and insert, just before
#: COMMIT, so a test can SIGKILL the process mid-write. Never set in production.
_PAUSE_ENV = "WORKFORCE_INGEST_TEST_PAUSE"


@dataclass
class LoadResult:
    """What a load did. `outcome` is loaded | replaced | unchanged | dry-run."""

    outcome: str
    period: str
    load_id: int | None
    rows: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    sha256: str | None = None
    file_name: str | None = None

    def summary(self) -> str:
        """One line for the CLI / UI: what happened and how many rows."""
        counts = ", ".join(f"{t} {n}" for t, n in self.rows.items())
        what = {
            "loaded": f"loaded {self.period} as load {self.load_id}",
            "replaced": f"replaced {self.period} with load {self.load_id}",
            "unchanged": f"unchanged: this file is already the live load for {self.period} "
                         f"(load {self.load_id}); nothing was written",
            "dry-run": f"dry run: {self.period} is valid and would load; nothing was written",
        }[self.outcome]
        return f"{what} ({counts})" if counts else what


def sha256_of(path: str | Path) -> str:
    """SHA-256 of a file's bytes (identifies an extract in the ledger)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def month_has_ended(period: str | date, *, today: date | None = None) -> bool:
    """True once the last day of `period` has passed (ingest.clock.today by default)."""
    return month_end(parse_period(period)) < (today or clock.today())


def _unfinished_month(first: date) -> Problem | None:
    if month_has_ended(first):
        return None
    return Problem(None, None, None, None,
                   f"{first:%B %Y} has not ended yet (today is {clock.today():%-d %B %Y}): an "
                   f"extract describes staff in post on the month's last day "
                   f"({month_end(first):%-d %B %Y}), so load it after that day")


def validate_file(*, path: str | Path, period: str | date, con: Any = None,
                  file_name: str | None = None, limits: Limits | None = None,
                  confirm_repeat: bool = False) -> Validation:
    """Read and validate a file. Bad content is reported in `.errors`, never raised.

    Hostile or unreadable files come back as a Validation with one error saying what to do.
    A bad `period` raises PeriodError (that is the caller's mistake, not the file's). With
    `con`, a file whose staff rows repeat another loaded month is an error unless
    `confirm_repeat` (HR ticked "the staff did not change"), when it is a warning.
    """
    first = parse_period(period)
    path = Path(path)
    name = file_name or path.name
    early = _unfinished_month(first)
    if early is not None:
        return Validation(period=f"{first:%Y-%m}", errors=[early], file_name=name)
    result = read_and_validate(path, period=period, limits=limits)  # in a bounded child
    result.file_name = name
    if not result.ok and not result.rows:  # refused before any sheet was read
        return result
    if con is not None:
        store_checks(result, con=con)
        _check_repeat(con, result, confirmed=confirm_repeat)
    result.sha256 = sha256_of(path)
    return result


def repeated_month(con: Any, *, period: str | date, staff: pd.DataFrame) -> str | None:
    """The loaded month (other than `period`) whose staff rows are exactly these, or None.

    "Exactly" = the same multiset of (employee id, FTE, team): the signature of last month's
    extract offered again for this month. A hash narrows the months, EXCEPT ALL confirms.
    """
    if staff is None or not len(staff):
        return None
    first = parse_period(period)
    view = f"_repeat_{threading.get_ident()}"
    with _private_cursor(con) as cur:
        cur.register(view, staff[["employee_id", "fte", "team"]])
        try:
            candidates = cur.execute(
                f"WITH n AS (SELECT count(*) AS c, "  # noqa: S608 - view name is ours
                f"sum(hash(employee_id, fte, team)::HUGEINT) AS h FROM {view}) "
                "SELECT s.period FROM staff s, n WHERE s.period <> ? GROUP BY s.period, n.c, n.h "
                "HAVING count(*) = n.c AND sum(hash(s.employee_id, s.fte, s.team)::HUGEINT) = n.h "
                "ORDER BY s.period DESC", [first]).fetchall()
            for (other,) in candidates:
                left = cur.execute(
                    "SELECT count(*) FROM (SELECT employee_id, fte, team FROM staff "  # noqa: S608
                    f"WHERE period = ? EXCEPT ALL SELECT employee_id, fte, team FROM {view})",
                    [other]).fetchall()[0][0]
                if left == 0:
                    return f"{other:%Y-%m}"
        finally:
            cur.unregister(view)
    return None


def _check_repeat(con: Any, result: Validation, *, confirmed: bool) -> None:
    """Error (or, once HR confirmed, a warning) when the staff rows repeat another month."""
    staff = result.frames.get("staff") if result.ok else None
    other = repeated_month(con, period=result.period, staff=staff)
    result.repeat_of = other
    if other is None:
        return
    n = len(staff)
    if confirmed:
        result.warnings.insert(0, Problem(
            "Staff", None, None, None,
            f"its {n} staff rows (ids, FTE and teams) are identical to {other}'s; loaded for "
            f"{result.period} because you confirmed the staff did not change", "warning"))
        return
    result.errors.insert(0, Problem(
        "Staff", None, None, None,
        f"this looks like the extract for {other} again: all {n} staff rows (ids, FTE and "
        f"teams) are identical to {other}'s. Check you chose the {result.period} file; if the "
        "staff really did not change, confirm that (Upload page: tick the confirmation; "
        "command line: --confirm-same-staff) and it will be loaded and the confirmation "
        "recorded"))
    result.frames = {}


def validate_frames(*, frames: dict[str, pd.DataFrame], period: str | date,
                    con: Any = None) -> Validation:
    """Validate contract-shaped frames keyed by sheet name (used by the demo and benches)."""
    return _validate_frames(frames=frames, period=period, con=con)


@contextmanager
def _private_cursor(con: Any) -> Iterator[Any]:
    """A cursor of its own for this call (DuckDB refuses concurrent calls on one connection)."""
    with _CURSOR_LOCK:
        cur = con.cursor()
    try:
        yield cur
    finally:
        cur.close()


def load_file(*, con: Any, path: str | Path, period: str | date, loaded_by: str,
              file_name: str | None = None, dry_run: bool = False,
              limits: Limits | None = None, demo: bool = False, role: str | None = None,
              subject: str | None = None, confirm_repeat: bool = False) -> LoadResult:
    """Validate `path` and replace `period` in the store with it, atomically.

    `demo` marks the load as demo data in the ledger (only the demo command sets it). `role` and
    `subject` (the loader's identity-provider subject id) go into the audit entry beside
    `loaded_by`.

    Raises ExtractRejected (nothing written) when the file has any error or is hostile.
    """
    first = parse_period(period)
    path = Path(path)
    name = file_name or path.name
    with _private_cursor(con) as cur:  # a connection serves one thread at a time in DuckDB
        if not dry_run:
            digest = sha256_of(path)
            active = active_load(cur, first)
            if active is not None and active[1] == digest:
                return LoadResult("unchanged", f"{first:%Y-%m}", active[0], active[2], [],
                                  digest, name)
        result = validate_file(path=path, period=first, con=cur, file_name=name, limits=limits,
                               confirm_repeat=confirm_repeat)
    if not result.ok:
        raise ExtractRejected(result.errors + result.warnings)
    if dry_run:
        return LoadResult("dry-run", result.period, None, dict(result.rows), result.warnings,
                          result.sha256, name)
    return _write(con, result, loaded_by=loaded_by, demo=demo, role=role, subject=subject)


def load_frames(*, con: Any, frames: dict[str, pd.DataFrame], period: str | date,
                loaded_by: str, file_name: str, sha256: str | None = None,
                demo: bool = False) -> LoadResult:
    """Validate raw contract-shaped frames and load them like a file (for the demo/benches).

    Without `sha256`, a digest of the frames' contents identifies them in the ledger.
    """
    first = parse_period(period)
    if sha256 is None:
        h = hashlib.sha256()
        for sname in sorted(frames):
            h.update(sname.encode())
            h.update(pd.util.hash_pandas_object(frames[sname].astype(str), index=False)
                     .to_numpy().tobytes())
            h.update("|".join(map(str, frames[sname].columns)).encode())
        sha256 = h.hexdigest()
    with _private_cursor(con) as cur:
        active = active_load(cur, first)
        if active is not None and active[1] == sha256:
            return LoadResult("unchanged", f"{first:%Y-%m}", active[0], active[2], [], sha256,
                              file_name)
        result = _validate_frames(frames=frames, period=first, con=cur)
    if not result.ok:
        raise ExtractRejected(result.errors + result.warnings)
    result.sha256 = sha256
    result.file_name = file_name
    return _write(con, result, loaded_by=loaded_by, demo=demo)


class _Unchanged(Exception):
    """Raised inside a write's transaction to roll it back and answer `result` instead."""

    def __init__(self, result: LoadResult) -> None:
        super().__init__(result.outcome)
        self.result = result


@contextmanager
def _transaction(con: Any, *, failure: Callable[[str], IngestError],
                 passes: tuple[type[BaseException], ...]) -> Iterator[Any]:
    """Every write's skeleton: this process's write lock, a cursor of its own, one transaction
    committed when the body returns and rolled back when it raises. `passes` (the refusals the
    caller's callers expect, worded for a person) and `_Unchanged` pass through as they are;
    anything else becomes `failure(why)` (`why`: the error's type and first line), raised from it."""
    with WRITE_LOCK:
        with _CURSOR_LOCK:
            cur = con.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            yield cur
            cur.execute("COMMIT")
        except BaseException as exc:
            try:
                cur.execute("ROLLBACK")
            except Exception:  # noqa: BLE001 - the transaction may already be gone
                pass
            if isinstance(exc, (*passes, _Unchanged)) or not isinstance(exc, Exception):
                raise
            first = str(exc).splitlines()[0][:200] if str(exc) else ""
            raise failure(f"{type(exc).__name__}: {first}") from exc
        finally:
            cur.close()


def _after_write(cur: Any) -> None:
    """What every write does last, inside its transaction: the hooks that keep derived data
    (AFTER_WRITE), then the test pause."""
    for hook in tuple(AFTER_WRITE):
        hook(cur)
    pause = os.environ.get(_PAUSE_ENV)
    if pause:
        print("PAUSED-IN-TRANSACTION", flush=True)
        time.sleep(float(pause))


def refresh_kept(con: Any, *, refreshed_by: str, role: str | None = None,
                 subject: str | None = None) -> float:
    """Bring everything a load keeps beside the rows (the metric aggregates and values, the
    published history's decisions, the Agency rules and linked tables' decisions) up to date with
    this version's code and rules, in one transaction, without loading anything; the audit trail
    names who asked. Each keeper redoes only what its signature says is stale, so on a current
    store this is quick. Run it after installing a new version: until then the first page views
    decide live (seconds each). Returns the seconds it took. Raises IngestError (nothing changed)
    when it fails."""
    started = time.perf_counter()
    with _transaction(con, failure=lambda why: IngestError(
            f"The kept figures could not be brought up to date ({why}); nothing was changed. "
            "Try again, and tell the dashboard's administrator if it happens again."),
            passes=(IngestError,)) as cur:
        record_audit(cur, actor=refreshed_by, role=role, subject=subject, action="refresh",
                     at=datetime.now(timezone.utc).replace(tzinfo=None),
                     detail={"keepers": [f"{h.__module__}" for h in AFTER_WRITE]})
        _after_write(cur)
    return time.perf_counter() - started


def written_rows(result: Validation) -> dict[str, dict[str, Any]]:
    """What a valid extract writes, as `store.replace_month`'s `frames` (store table -> typed
    rows; the registration numbers to their restricted table) and `columns` arguments."""
    return {"frames": {t: result.restricted if t == C.RESTRICTED_TABLE else result.frames.get(t)
                       for t in _WRITTEN},
            "columns": {t: C.STORE_COLUMNS.get(t, C.RESTRICTED_COLUMNS) for t in _WRITTEN}}


def ledger_rows(result: Validation) -> dict[str, int]:
    """The rows per data table a valid extract writes, as its ledger row records them
    (`store.record_load`'s `rows`, the LoadResult's and the audit entry's): 0 for a sheet it lacks."""
    return {t: int(result.rows.get(t, 0)) for t in DATA_TABLES}


def _write(con: Any, result: Validation, *, loaded_by: str, demo: bool = False,
           role: str | None = None, subject: str | None = None) -> LoadResult:
    """Replace the period with `result.frames` in one transaction; ledger + audit rows too."""
    first = parse_period(result.period)
    warnings_json = json.dumps([p.to_dict() for p in result.warnings], default=str)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = ledger_rows(result)
    try:
        with _transaction(con, failure=lambda why: ExtractRejected(Problem(
                None, None, None, None,
                f"The store could not be written ({why}); nothing was changed. Try again, and tell "
                "the dashboard's administrator if it happens again.")),
                passes=(ExtractRejected,)) as cur:
            # re-check inside the lock: another thread may have loaded the same file meanwhile
            active = active_load(cur, first)
            if active is not None and active[1] == result.sha256:
                raise _Unchanged(LoadResult("unchanged", result.period, active[0], active[2], [],
                                            result.sha256, result.file_name))
            had_any = period_ever_loaded(cur, first)
            load_id = next_load_id(cur)
            # rows only ever enter through a ledgered load (store.replace_month)
            replace_month(cur, period=first, load_id=load_id, replace=had_any,
                          **written_rows(result))
            outcome = "replaced" if had_any else "loaded"
            record_load(cur, load_id=load_id, period=first, file_name=result.file_name or "",
                        sha256=result.sha256 or "", rows=rows, loaded_by=loaded_by,
                        loaded_at=now, outcome=outcome, warnings_json=warnings_json,
                        is_demo=demo,
                        repeat_of=parse_period(result.repeat_of) if result.repeat_of else None)
            record_audit(cur, actor=loaded_by, role=role, subject=subject, action="load", at=now, detail={
                "load_id": load_id, "period": result.period, "file_name": result.file_name,
                "sha256": result.sha256, "outcome": outcome, "rows": rows,
                "warnings": len(result.warnings), "demo": demo,
            })
            _after_write(cur)
    except _Unchanged as same:
        return same.result
    return LoadResult(outcome, result.period, load_id, rows, result.warnings, result.sha256,
                      result.file_name)
