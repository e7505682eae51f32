"""The DuckDB store: one file, one schema, opened the same way by every layer.

Why here: ingest/ is the lowest layer (pages -> ui -> metrics -> ingest/store), so the schema
lives with the code that writes it and everything above reads it through `connect`.

Conventions every table keeps:
- `period` is the DATE of the first day of the reporting month; month end is `last_day(period)`.
- every data row carries the `load_id` of the ledger row it came from (traceability).
- no names, no emails, no dates of birth: `employee_id` is the only personal key, age is stored
  as whole years at month end (data minimisation, DESIGN §3 and the developers' guide).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "workforce.duckdb"

SCHEMA_VERSION = 1

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;

-- The load ledger: one row per successful load of a period (rejected files write nothing).
CREATE TABLE IF NOT EXISTS loads (
    load_id        INTEGER PRIMARY KEY,
    period         DATE NOT NULL,          -- first day of the reporting month
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    rows_staff     INTEGER NOT NULL,
    rows_leavers   INTEGER NOT NULL,
    rows_vacancies INTEGER NOT NULL,
    rows_training  INTEGER NOT NULL,
    rows_survey    INTEGER NOT NULL,
    loaded_by      VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    outcome        VARCHAR NOT NULL,       -- 'loaded' (first for the period) or 'replaced'
    warnings       VARCHAR,                -- JSON list of {sheet,row,column,value,message}
    active         BOOLEAN NOT NULL        -- true for the load whose rows are the period's data now
);

CREATE TABLE IF NOT EXISTS staff (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    employee_id             VARCHAR NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    worker_type             VARCHAR NOT NULL,   -- Permanent | Fixed-term | Casual | Agency
    fte                     DOUBLE NOT NULL,
    start_date              DATE NOT NULL,
    cases                   INTEGER,            -- NULL = holds no cases
    absence_days            DOUBLE,
    gender                  VARCHAR,            -- Female | Male | Other | Not known
    ethnicity               VARCHAR,            -- White | Mixed | Asian | Black | Other | Not known
    age                     INTEGER,            -- whole years at month end (from date_of_birth or age)
    disability              VARCHAR,            -- Y | N | Not known
    lives_in_county         BOOLEAN,
    converted_from_agency   BOOLEAN
);

CREATE TABLE IF NOT EXISTS leavers (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    employee_id             VARCHAR NOT NULL,
    leave_date              DATE NOT NULL,
    reason                  VARCHAR NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    worker_type             VARCHAR NOT NULL,
    fte                     DOUBLE NOT NULL,
    start_date              DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS vacancies (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    vacant_fte              DOUBLE NOT NULL,
    covered_by_agency_fte   DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS training (
    period          DATE NOT NULL,
    load_id         INTEGER NOT NULL,
    employee_id     VARCHAR NOT NULL,
    course          VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    completed_date  DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS survey (
    period       DATE NOT NULL,
    load_id      INTEGER NOT NULL,
    team         VARCHAR NOT NULL,     -- a team name or 'All'
    measure      VARCHAR NOT NULL,
    score        DOUBLE NOT NULL,      -- 0-100
    respondents  INTEGER
);

-- Audit trail of sign-ins, loads and edits (who did what, when). Append-only.
CREATE TABLE IF NOT EXISTS audit_log (
    "at"     TIMESTAMP NOT NULL,   -- quoted: AT is a keyword in DuckDB 2
    actor    VARCHAR NOT NULL,
    role     VARCHAR,
    action   VARCHAR NOT NULL,      -- e.g. 'sign-in', 'load', 'edit'
    detail   VARCHAR                -- JSON
);

CREATE TABLE IF NOT EXISTS schema_info (key VARCHAR PRIMARY KEY, value VARCHAR);
"""

DATA_TABLES = ("staff", "leavers", "vacancies", "training", "survey")


class StoreError(RuntimeError):
    """The store could not be opened or is not a workforce store."""


def default_db_path() -> Path:
    """`$WORKFORCE_DB` if set, else data/workforce.duckdb in the project."""
    env = os.environ.get("WORKFORCE_DB")
    return Path(env) if env else DEFAULT_DB


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing tables; idempotent."""
    con.execute(SCHEMA)
    con.execute(
        "INSERT OR REPLACE INTO schema_info VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )


def record_audit(con: duckdb.DuckDBPyConnection, *, actor: str, role: str | None, action: str,
                 detail: dict | None = None, at: datetime | None = None) -> None:
    """Append one row to the audit trail (sign-ins, loads, edits); the caller owns the transaction."""
    con.execute(
        'INSERT INTO audit_log ("at", actor, role, action, detail) VALUES (?, ?, ?, ?, ?)',
        [at or datetime.now(), actor, role, action, json.dumps(detail or {}, default=str)],
    )


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store at `path` (default: `default_db_path()`)."""
    db = Path(path) if path is not None else default_db_path()
    try:
        if read_only:
            return duckdb.connect(str(db), read_only=True)
        db.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(db))
        ensure_schema(con)
        return con
    except duckdb.Error as exc:  # pragma: no cover - message path
        raise StoreError(f"Could not open the workforce store at {db}: {exc}") from exc
