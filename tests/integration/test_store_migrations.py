"""The store upgrades in place: a store written before migrations keeps every row, load and audit
entry; a store from a newer version is refused; a failed migration changes nothing."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

import store
from store import migrations

FIXTURES = Path(__file__).parent / "fixtures"
T0 = datetime(2025, 4, 2, 9, 0, 0)

# rows as today's main writes them (ingest/loader.py, ui/state.py, recommendations/service.py)
LOADS = [
    (1, date(2025, 2, 1), "workforce_2025-02.xlsx", "a" * 64, 3, 0, 1, 1, 1, "demo",
     datetime(2025, 3, 1, 8), "loaded", "[]", True),
    (2, date(2025, 3, 1), "march.xlsx", "b" * 64, 2, 1, 1, 0, 0, "hr.officer",
     datetime(2025, 4, 1, 8), "loaded", '[{"sheet": "Staff", "row": 3}]', False),
    (3, date(2025, 3, 1), "march-fixed.xlsx", "c" * 64, 2, 1, 1, 0, 0, "hr.officer",
     datetime(2025, 4, 2, 8), "replaced", "[]", True),
]
STAFF = [
    (date(2025, 2, 1), 1, "E001", "Team A", "Children in Care", "Social worker", True, "Permanent",
     1.0, date(2020, 1, 6), 17, 2.0, "Female", "White", 39, "N", True, False),
    (date(2025, 2, 1), 1, "E002", "Team A", "Children in Care", "Social worker", True, "Agency",
     0.8, date(2024, 9, 1), None, None, None, None, None, None, None, None),
    (date(2025, 2, 1), 1, "E003", "Team B", "Early Help", "Business support", False, "Casual",
     0.5, date(2019, 5, 1), None, 0.0, "Male", "Asian", 51, "Y", False, True),
    (date(2025, 3, 1), 3, "E001", "Team A", "Children in Care", "Social worker", True, "Permanent",
     1.0, date(2020, 1, 6), 18, 0.0, "Female", "White", 39, "N", True, False),
    (date(2025, 3, 1), 3, "E004", "Team B", "Early Help", "Team manager", True, "Fixed-term",
     1.0, date(2025, 3, 3), 5, None, "Other", "Black", 44, "Not known", None, None),
]
LEAVERS = [(date(2025, 3, 1), 3, "E002", date(2025, 3, 14), "Agency assignment ended", "Team A",
            "Children in Care", "Social worker", True, "Agency", 0.8, date(2024, 9, 1))]
VACANCIES = [(date(2025, 2, 1), 1, "Team A", "Children in Care", "Social worker", True, 2.0, 1.0),
             (date(2025, 3, 1), 3, "Team A", "Children in Care", "Social worker", True, 1.5, 0.5)]
TRAINING = [(date(2025, 2, 1), 1, "E001", "Court skills", "Practice", date(2025, 2, 12))]
SURVEY = [(date(2025, 2, 1), 1, "All", "Would recommend", 71.5, 40)]
AUDIT_LOG = [  # "at", actor, role, action, detail
    (datetime(2025, 3, 1, 8), "demo", None, "load", '{"load_id": 1}'),
    (datetime(2025, 4, 1, 8), "hr.officer", None, "load", '{"load_id": 2}'),
    (datetime(2025, 4, 1, 9), "Leadership user", "leadership", "sign-in", "{}"),
    (datetime(2025, 4, 2, 8), "hr.officer", None, "load", '{"load_id": 3}'),
    (datetime(2025, 4, 2, 10), "Jo Lead", "leadership", "edit",
     '{"tracker": "add recommendation", "entity": "rec_recommendations", "id": 1}'),
]
REC_AUDIT = [  # audit_id, changed_at, actor, role, action, entity, entity_id, before_json, after_json
    (1, datetime(2025, 3, 1, 7), "seed", "system", "seed", "rec_recommendations", None, None,
     '{"items": 1, "file": "recommendations.json"}'),
    (2, datetime(2025, 4, 2, 10), "Jo Lead", "leadership", "add recommendation",
     "rec_recommendations", 1, None, '{"text": "Report quarterly"}'),
]


def _write_old_store(path: Path) -> None:
    """A store exactly as main wrote it before migrations: its DDL (fixture file) and rows."""
    con = duckdb.connect(str(path))
    con.execute((FIXTURES / "store_before_migrations.sql").read_text("utf-8"))
    con.execute("INSERT INTO schema_info VALUES ('schema_version', '1')")
    con.execute("INSERT INTO rec_schema_info VALUES ('schema_version', '1')")
    for table, rows in (("loads", LOADS), ("staff", STAFF), ("leavers", LEAVERS),
                        ("vacancies", VACANCIES), ("training", TRAINING), ("survey", SURVEY),
                        ("rec_audit", REC_AUDIT)):
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    for _ in range(3):
        con.execute("SELECT nextval('load_id_seq')")
    for _ in range(2):
        con.execute("SELECT nextval('rec_audit_id_seq')")
    con.executemany('INSERT INTO audit_log ("at", actor, role, action, detail) VALUES (?, ?, ?, ?, ?)',
                    AUDIT_LOG)
    con.execute("INSERT INTO rec_meetings VALUES (DATE '2025-04-02', 'Scrutiny')")
    con.execute("INSERT INTO rec_recommendations VALUES (1, '2025-04-02/workforce/1', DATE '2025-04-02', "
                "'Workforce', 1, true, 'recommendation', 'Report quarterly', 'entered', NULL, 'Jo Lead', ?)",
                [datetime(2025, 4, 2, 10)])
    con.execute("INSERT INTO benchmark_imports VALUES (1, 'sn_model', NULL, 'sn.csv', ?, 1, 'cli', ?)",
                ["d" * 64, T0])
    con.execute("INSERT INTO sn_model VALUES (1, '884', 'Herefordshire', 'West Midlands', 1, '885', 'Very close')")
    con.close()


def _rows(con, table: str, order: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608


def test_a_store_from_before_migrations_upgrades_and_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    _write_old_store(db)

    con = store.connect(db)
    try:
        assert store.schema_version(con) == migrations.LATEST
        assert [r[0] for r in con.execute("SELECT id FROM schema_migrations ORDER BY id").fetchall()] \
            == [m.id for m in migrations.MIGRATIONS]
        # every data row survives, unchanged
        # (later migrations may add optional columns: the old rows hold NULL there)
        staff = _rows(con, "staff", "period, employee_id")
        assert [r[:len(STAFF[0])] for r in staff] == sorted(STAFF, key=lambda r: (r[0], r[2]))
        assert all(v is None for r in staff for v in r[len(STAFF[0]):])
        leavers = _rows(con, "leavers", "period")
        assert [r[:len(LEAVERS[0])] for r in leavers] == LEAVERS
        assert all(v is None for r in leavers for v in r[len(LEAVERS[0]):])
        assert _rows(con, "vacancies", "period") == VACANCIES
        assert _rows(con, "training", "period") == TRAINING
        assert _rows(con, "survey", "period") == SURVEY
        # every load survives; the demo command's loads (loaded_by 'demo') are marked demo
        loads = con.execute("SELECT * EXCLUDE (is_demo, rows_agency_assignments, repeat_of) FROM loads "
                            "ORDER BY load_id").fetchall()
        assert loads == LOADS
        # migration 30: loads made before the Agency assignments sheet existed held none
        assert {r[0] for r in con.execute("SELECT rows_agency_assignments FROM loads").fetchall()} == {0}
        # migration 40: no earlier load repeats another month
        assert con.execute("SELECT count(*) FROM loads WHERE repeat_of IS NOT NULL").fetchall() == [(0,)]
        assert con.execute("SELECT load_id, is_demo FROM loads ORDER BY load_id").fetchall() == [
            (1, True), (2, False), (3, False)]
        assert store.holds_real_loads(con) and store.is_demo_store(con)
        # the two audit tables are one, in time order, every entry kept
        audit = con.execute('SELECT id, "at", actor, actor_subject, role, action, entity, entity_id, '
                            "detail FROM audit ORDER BY id").fetchall()
        assert [(a[1], a[2], a[5]) for a in audit] == [
            (datetime(2025, 3, 1, 7), "seed", "seed"),
            (datetime(2025, 3, 1, 8), "demo", "load"),
            (datetime(2025, 4, 1, 8), "hr.officer", "load"),
            (datetime(2025, 4, 1, 9), "Leadership user", "sign-in"),
            (datetime(2025, 4, 2, 8), "hr.officer", "load"),
            (datetime(2025, 4, 2, 10), "Jo Lead", "edit"),
            (datetime(2025, 4, 2, 10), "Jo Lead", "add recommendation"),
        ]
        assert [a[0] for a in audit] == list(range(1, 8))
        assert all(a[3] is None for a in audit)
        assert json.loads(audit[2][8]) == {"load_id": 2} and audit[2][4] is None
        assert audit[3][4] == "leadership"
        assert audit[6][6:8] == ("rec_recommendations", 1)
        assert json.loads(audit[6][8]) == {"before": None, "after": {"text": "Report quarterly"}}
        assert json.loads(audit[0][8])["after"] == {"items": 1, "file": "recommendations.json"}
        # the tracker, benchmarks and sequences carry on
        assert con.execute("SELECT ref FROM rec_recommendations").fetchall() == [("2025-04-02/workforce/1",)]
        assert con.execute("SELECT count(*) FROM sn_model").fetchone()[0] == 1
        assert store.next_load_id(con) == 4
        new = store.record_audit(con, actor="ann@example.org", role="hr", action="sign-in",
                                 subject="sub-123")
        assert new == 8
        assert con.execute("SELECT actor_subject FROM audit WHERE id = 8").fetchone() == ("sub-123",)
        # the old tables are gone (one trail, one version record)
        names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert not names & {"audit_log", "rec_audit", "schema_info", "rec_schema_info"}
    finally:
        con.close()
    # opening again applies nothing
    con = store.connect(db)
    assert migrations.migrate(con) == []
    con.close()


def test_a_store_from_a_newer_version_is_refused_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "newer.duckdb"
    con = store.connect(db)
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', ?)",
                [migrations.LATEST + 1000, T0])
    con.close()
    before = db.read_bytes()
    with pytest.raises(store.NewerStoreError, match="written by a newer version of the dashboard"):
        store.connect(db)
    with pytest.raises(store.NewerStoreError):
        store.connect(db, read_only=True)
    assert db.read_bytes() == before


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old.duckdb"
    _write_old_store(db)

    def broken(con) -> None:
        con.execute("DROP TABLE staff")
        raise RuntimeError("boom")

    bad = migrations.Migration(id=9, name="broken", apply=broken)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, bad))
    with pytest.raises(store.MigrationError, match=r"migration 9 \(broken\) failed"):
        store.connect(db)
    con = duckdb.connect(str(db))
    names = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert {"staff", "audit_log", "rec_audit"} <= names and "schema_migrations" not in names
    assert con.execute("SELECT count(*) FROM staff").fetchone()[0] == len(STAFF)
    con.close()


def test_only_missing_migrations_are_applied(tmp_path: Path) -> None:
    """Branches land migrations in any order: the runner applies every known id not yet applied."""
    db = tmp_path / "partial.duckdb"
    con = duckdb.connect(str(db))
    con.execute(migrations.LEDGER_DDL)
    first = migrations.MIGRATIONS[0]
    first.apply(con)
    con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [first.id, first.name, T0])
    con.close()
    con = store.connect(db)
    rows = con.execute("SELECT id, applied_at FROM schema_migrations ORDER BY id").fetchall()
    con.close()
    assert [r[0] for r in rows] == [m.id for m in migrations.MIGRATIONS]
    assert rows[0][1] == T0  # the applied one was not re-run


def test_every_migration_file_is_discovered_in_its_range() -> None:
    folder = Path(migrations.__file__).parent
    files = sorted(p.name for p in folder.iterdir() if p.name.startswith("m") and p.suffix in (".py", ".sql"))
    assert [int(f[1:5]) for f in files] == [m.id for m in migrations.MIGRATIONS]
    assert all(1 <= m.id <= 89 for m in migrations.MIGRATIONS)  # the ranges in its docstring
    assert migrations.LATEST == max(m.id for m in migrations.MIGRATIONS)
