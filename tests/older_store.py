"""A store as an older version of the dashboard wrote it (tests only): every migration before the
one a test upgrades across applied and recorded, nothing after. `store.connect` then upgrades it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from store import migrations


def store_before(path: Path, migration_id: int) -> duckdb.DuckDBPyConnection:
    """An open connection to a new store at `path` holding migrations below `migration_id`."""
    con = duckdb.connect(str(path))
    con.execute(migrations.LEDGER_DDL)
    for m in migrations.MIGRATIONS:
        if m.id < migration_id:
            m.apply(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.id, m.name, datetime(2026, 1, 1)])
    return con
