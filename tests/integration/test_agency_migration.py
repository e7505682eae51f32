"""Migration 30 (agency assignments) on a store at the version before it, holding a real load."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

import store
from store import migrations


def test_migration_30_adds_the_table_and_counts_old_loads_as_none(tmp_path: Path) -> None:
    db = tmp_path / "before.duckdb"
    con = duckdb.connect(str(db))
    con.execute(migrations.LEDGER_DDL)
    for m in migrations.MIGRATIONS:
        if m.id >= 30:
            break
        m.apply(con)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.id, m.name, datetime(2025, 4, 1)])
    con.execute(
        "INSERT INTO loads (load_id, period, file_name, sha256, rows_staff, rows_leavers, "
        "rows_vacancies, rows_training, rows_survey, loaded_by, loaded_at, outcome, warnings, "
        "active, is_demo) VALUES (1, DATE '2025-03-01', 'march.xlsx', ?, 2, 0, 0, 0, 0, 'hr', "
        "TIMESTAMP '2025-04-01 08:00:00', 'loaded', '[]', true, false)", ["a" * 64])
    assert "agency_assignments" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    con.close()

    con = store.connect(db)
    try:
        assert 30 in {r[0] for r in con.execute("SELECT id FROM schema_migrations").fetchall()}
        assert con.execute("SELECT count(*) FROM agency_assignments").fetchone()[0] == 0
        assert store.active_load(con, date(2025, 3, 1)) == (1, "a" * 64, {
            "staff": 2, "leavers": 0, "vacancies": 0, "training": 0, "survey": 0,
            "agency_assignments": 0})
    finally:
        con.close()
