"""Open the DuckDB store: one file, one schema (store/migrations), opened the same way by every layer.

Why here: store/ is the bottom layer (views -> ui -> recommendations -> metrics -> ingest -> store),
so every layer opens the store through `connect` and the schema is brought up to date on the way.

Why open per unit of work: DuckDB lets one process write a file at a time, and while a process
writes, no other process may even read it. So nobody keeps the store open between units of work
(a page's query, one load, one export): open, work, close. A writer that finds the file held waits
(up to `$WORKFORCE_STORE_WAIT` seconds, default 30) and then raises `StoreBusy`, whose message
says who holds it (from the marker file written beside the store while someone writes).

Conventions every table keeps:
- `period` is the DATE of the first day of the reporting month; month end is `last_day(period)`.
- every data row carries the `load_id` of the ledger row it came from (traceability).
- no names, no emails, no dates of birth: `employee_id` is the only personal key, age is stored
  as whole years at month end (data minimisation, DESIGN §3 and the developers' guide).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from store.audit import drain_spool, spool_path
from store.migrations import MigrationError, NewerStoreError, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "workforce.duckdb"

DATA_TABLES = ("staff", "leavers", "vacancies", "training", "survey", "agency_assignments")
#: The HR-only table: registration numbers live here, apart from `staff` (census export, HR views).
RESTRICTED_TABLE = "staff_restricted"

#: The employed/agency predicate, defined once (DESIGN §4): a row of staff or leavers is agency
#: when its worker_type is Agency; everyone else (Permanent, Fixed-term, Casual) is employed.
AGENCY_WORKER_TYPE = "Agency"
AGENCY_SQL = f"worker_type = '{AGENCY_WORKER_TYPE}'"
EMPLOYED_SQL = f"worker_type <> '{AGENCY_WORKER_TYPE}'"

#: Every command line exits with this when the store stayed busy past the wait (documented in
#: each --help and the README): a scheduler can tell "try again" from "bad file" (1) and usage (2).
EXIT_BUSY = 3
#: The line every command line's --help carries about it.
BUSY_HELP = ("exit code 3: the store is busy (another process is loading it) for longer than "
             "$WORKFORCE_STORE_WAIT seconds (default 30); nothing was written, try again.")

WAIT_ENV = "WORKFORCE_STORE_WAIT"
DEFAULT_WAIT_SECONDS = 30.0

__all__ = ["AGENCY_SQL", "AGENCY_WORKER_TYPE", "BUSY_HELP", "DATA_TABLES", "RESTRICTED_TABLE", "EMPLOYED_SQL", "EXIT_BUSY", "MigrationError", "NewerStoreError", "StoreBusy", "StoreError",
           "connect", "default_db_path", "ensure_schema", "report_for_cli", "wait_seconds"]


class StoreError(RuntimeError):
    """The store could not be opened or is not a workforce store."""


class StoreBusy(StoreError):
    """Another process holds the store (a load or export is writing); try again shortly.

    `holder` says who, from the marker file beside the store ('another program' if unknown).
    """

    def __init__(self, message: str, *, holder: str = "another program") -> None:
        super().__init__(message)
        self.holder = holder


def report_for_cli(exc: StoreError) -> int:
    """Print a store failure for a command line (stderr) and return its exit code: EXIT_BUSY (3)
    when the store stayed busy, else 2 (the store cannot be used)."""
    import sys

    print(f"error: {exc}", file=sys.stderr)
    return EXIT_BUSY if isinstance(exc, StoreBusy) else 2


def default_db_path() -> Path:
    """`$WORKFORCE_DB` if set, else data/workforce.duckdb in the project."""
    env = os.environ.get("WORKFORCE_DB")
    return Path(env) if env else DEFAULT_DB


def wait_seconds() -> float:
    """How long a caller waits for a busy store: `$WORKFORCE_STORE_WAIT` (seconds), default 30."""
    raw = os.environ.get(WAIT_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_WAIT_SECONDS
    except ValueError:
        return DEFAULT_WAIT_SECONDS


def ensure_schema(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring any connection (a store file, or ":memory:") to this code's schema; idempotent.

    Returns the migration ids applied. Raises NewerStoreError for a store from a newer version.
    """
    return migrate(con)


def marker_path(db: Path) -> Path:
    """The small file beside the store naming who is writing it now (for the busy message)."""
    return db.with_name(db.name + ".busy")


#: A marker whose writer cannot be checked (another machine) counts as left behind after this long.
STALE_MARKER_SECONDS = 6 * 3600

_log = logging.getLogger("store")


def marker_text(who: str) -> str:
    """What `writing` puts in the marker: who (first line), then this process, host and start."""
    return (f"{who}\npid={os.getpid()} host={socket.gethostname()} "
            f"since={datetime.now(timezone.utc).isoformat(timespec='seconds')}\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:  # a killed process its parent has not waited for yet is a zombie: it holds nothing
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def stale_reason(text: str, *, age_seconds: float) -> str | None:
    """Why a marker with `text`, last written `age_seconds` ago, was left behind by a writer that
    is gone (its process ended, or it is older than STALE_MARKER_SECONDS); None while it may be live."""
    fields = dict(part.split("=", 1) for part in " ".join(text.splitlines()[1:2]).split() if "=" in part)
    pid = fields.get("pid", "")
    if pid.isdigit() and fields.get("host") == socket.gethostname() and not _alive(int(pid)):
        return f"its process {pid} has ended"
    if age_seconds > STALE_MARKER_SECONDS:
        return f"it is {age_seconds / 3600:.0f} hours old"
    return None


def clear_stale_marker(db: Path) -> str | None:
    """Remove the marker beside `db` when its writer is gone (a load killed mid-write leaves it);
    returns the message said about it (also logged as a warning), None when nothing was cleared."""
    marker = marker_path(db)
    try:
        text = marker.read_text("utf-8")
        age = time.time() - marker.stat().st_mtime
    except OSError:
        return None
    reason = stale_reason(text, age_seconds=age)
    if reason is None:
        return None
    who = text.splitlines()[0].strip() if text.strip() else "another program"
    try:
        marker.unlink()
    except OSError:
        return None
    message = (f"Removed the busy marker {marker.name} left by {who} ({reason}): that load did not "
               "finish, and its transaction was rolled back, so the store holds none of it.")
    _log.warning(message)
    return message


def holder(db: Path) -> str:
    """Who holds the store, from its marker file ('another program' when it is not known, or
    when the marker was left behind by a writer that is gone: it is cleared then)."""
    clear_stale_marker(db)
    try:
        text = marker_path(db).read_text("utf-8").strip()
    except OSError:
        text = ""
    return (text.splitlines()[0].strip() if text else "") or "another program"


def _is_lock_conflict(exc: duckdb.Error) -> bool:
    return "lock" in str(exc).lower()


def busy_message(who: str) -> str:
    return f"the store is busy (being loaded by {who}); try again"


def connect(path: str | Path | None = None, *, read_only: bool = False,
            wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at `path` (default: `default_db_path()`) and migrate it.

    Close it when the unit of work is done (`with connect(...) as con:`). When another process
    holds the file, retry for up to `wait` seconds (default `wait_seconds()`), then StoreBusy.
    `read_only` opens an existing store for reading only (it must be at this code's version, or
    it is upgraded first by a brief read-write open).
    """
    db = Path(path) if path is not None else default_db_path()
    deadline = time.monotonic() + (wait_seconds() if wait is None else max(0.0, wait))
    delay = 0.05
    while True:
        try:
            con = _open(db, read_only=read_only)
        except duckdb.Error as exc:
            if not _is_lock_conflict(exc):
                raise StoreError(f"Could not open the workforce store at {db}: {exc}") from exc
            if time.monotonic() >= deadline:
                who = holder(db)
                raise StoreBusy(busy_message(who), holder=who) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
            continue
        if not read_only:
            _drain_audit_spool(con, db)
        return con


def _drain_audit_spool(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    """The first writer after a busy spell records the audit entries the dashboard kept aside
    (store.audit's spool). A failure here is logged and the spool kept for the next writer: it
    must not stop this unit of work, and nothing is lost."""
    try:
        added = drain_spool(con, db)
    except (duckdb.Error, OSError) as exc:
        _log.warning("Could not yet record the audit entries kept in %s: %s", spool_path(db), exc)
        return
    if added:
        _log.info("Recorded %d audit entries kept in %s while the store was busy", added, spool_path(db))


def _open(db: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    if read_only:
        if not db.is_file():
            raise StoreError(f"There is no workforce store at {db}.")
        con = duckdb.connect(str(db), read_only=True)
        try:
            from store.migrations import pending

            if not pending(con):
                return con
        except BaseException:
            con.close()
            raise
        con.close()
        _open(db, read_only=False).close()  # upgrade once, then read
        return duckdb.connect(str(db), read_only=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        ensure_schema(con)
    except BaseException:
        con.close()
        raise
    return con
