"""The DuckDB store, the bottom layer: connect, numbered migrations, the load ledger, one audit trail.

Nothing here imports Streamlit or any other project package (import-linter keeps it so).

Public API (import from `store`):
- `connect(path=None, *, read_only=False, wait=None)`: open and migrate; close after the unit
  of work. `writing(path=None, *, who, wait=None)`: the same as a context manager that also
  names the writer in the marker file beside the store (for others' busy message). A marker
  left by a writer that is gone (killed mid-load: its process ended, or older than
  STALE_MARKER_SECONDS) is removed with a warning (`clear_stale_marker`), never believed.
- `ensure_schema(con)`, `schema_version(con)`, `LATEST`: migrations (store/migrations).
- `StoreError`, `StoreBusy` (`.holder`), `NewerStoreError`, `MigrationError`: named failures;
  `EXIT_BUSY` (3), the exit code of every command line when the store stays busy, and
  `BUSY_HELP`, the sentence each --help carries about it; `report_for_cli(exc) -> exit code`.
- `record_audit(con, *, actor, role, action, detail=None, subject=None, entity=None,
  entity_id=None, at=None)`: the one audit writer; `audit_frame`, `audit_version`.
  `spool_audit(db, **same)`: keep an entry in `spool_path(db)` (`<store>.audit-spool`, 0600) when
  the store stays busy (`AuditSpoolError` if even that fails); every read-write `connect` copies
  the spool into `audit` first (`drain_spool(con, db)`: in order, exactly once).
- ledger: `replace_month` (a month's rows in MONTH_TABLES, the loader's only write of data rows),
  `record_load`, `next_load_id`, `active_load`, `has_loads`, `holds_real_loads`,
  `is_demo_store`, `load_fingerprint`, `loads_fingerprint`, `period_ever_loaded`; `loaded_periods(con)` and
  `LOADED_PERIODS_SQL`: the loaded months, defined once.
- `store.memo` (import the module): a unit of work's repeated questions (is a kept table
  current? which months are loaded?) answered once: `remembered(con, key, read)` inside a
  `remembering(state)` scope (ui.db's page view), through `admit`ted cursors, while `state()` is
  unchanged and no `paused()` write is open.
- `EMPLOYED_SQL`, `AGENCY_SQL`, `AGENCY_WORKER_TYPE`: the employed/agency predicate, once.
- `store.periods`: months defined once (`parse_period`, `period_key`, `period_label`,
  `month_end`, `add_months`, `next_period`, `previous_period`, `year_ago`, `window_start`,
  `in_window`, `months_between`, `WINDOW_MONTHS`, `PeriodError`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from store.audit import (
    AuditSpoolError,
    audit_frame,
    audit_version,
    drain_spool,
    record_audit,
    spool_audit,
    spool_path,
    utc_now,
)
from store.connection import (
    AGENCY_SQL,
    AGENCY_WORKER_TYPE,
    BUSY_HELP,
    DATA_TABLES,
    EMPLOYED_SQL,
    EXIT_BUSY,
    RESTRICTED_TABLE,
    StoreBusy,
    StoreError,
    clear_stale_marker,
    connect,
    default_db_path,
    ensure_schema,
    marker_path,
    marker_text,
    report_for_cli,
    wait_seconds,
)
from store.ledger import (
    LOADED_PERIODS_SQL,
    MONTH_TABLES,
    active_load,
    has_loads,
    holds_real_loads,
    is_demo_store,
    load_fingerprint,
    loads_fingerprint,
    loaded_periods,
    next_load_id,
    period_ever_loaded,
    record_load,
    replace_month,
)
from store.migrations import LATEST, MigrationError, NewerStoreError, schema_version

__all__ = [
    "AGENCY_SQL", "AGENCY_WORKER_TYPE", "AuditSpoolError", "drain_spool", "spool_audit", "spool_path", "BUSY_HELP", "DATA_TABLES", "EMPLOYED_SQL", "EXIT_BUSY", "LATEST", "MONTH_TABLES", "RESTRICTED_TABLE", "MigrationError", "NewerStoreError", "StoreBusy", "StoreError",
    "active_load", "audit_frame", "audit_version", "clear_stale_marker", "connect", "default_db_path", "ensure_schema",
    "LOADED_PERIODS_SQL", "has_loads", "holds_real_loads", "is_demo_store", "load_fingerprint", "loads_fingerprint",
    "loaded_periods", "next_load_id", "period_ever_loaded",
    "record_audit", "record_load", "replace_month", "report_for_cli", "schema_version", "utc_now", "wait_seconds", "writing",
]


@contextmanager
def writing(path: str | Path | None = None, *, who: str,
            wait: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """`with writing(db, who="python -m ingest (alice)") as con:` one unit of write work.

    While it runs, the marker file beside the store names `who`, so anyone who finds the store
    busy is told who is loading it. Always closes the store (and removes the marker) after.
    """
    db = Path(path) if path is not None else default_db_path()
    con = connect(db, wait=wait)
    marker = marker_path(db)
    try:
        clear_stale_marker(db)  # one a killed load left behind is said and removed, not kept
        try:
            marker.write_text(marker_text(who), "utf-8")
        except OSError:
            pass  # the marker only improves a message
        yield con
    finally:
        con.close()
        try:
            marker.unlink()
        except OSError:
            pass
