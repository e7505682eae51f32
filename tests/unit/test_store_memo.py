"""store.memo: a page view asks each freshness question of the store once, and never gets an
answer the store no longer gives (a write in the view, committed or still open; another store;
the next view after a command-line load). Real DuckDB files throughout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from store import connect, loaded_periods, memo


def add_month(cur, period: date) -> None:
    """One staff row in `period` (a loaded month for store.loaded_periods)."""
    cur.execute("INSERT INTO staff (period, load_id, employee_id, team, service, role_group, "
                "qualified_social_worker, worker_type, fte, start_date) "
                "VALUES (?, 1, 'E1', 'T', 'S', 'Social worker', TRUE, 'Permanent', 1.0, DATE '2020-01-01')",
                [period])


JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def view_store(tmp_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The dashboard's store is `tmp_db`, holding January."""
    from ui import db

    monkeypatch.setenv("WORKFORCE_DB", str(tmp_db))
    with connect(tmp_db) as con:
        add_month(con, JAN)
    db.clear_caches()
    return tmp_db


def counting(con, reads: list[int]):
    def read() -> list[date]:
        reads.append(1)
        return [r[0] for r in con.execute("SELECT DISTINCT period FROM staff ORDER BY 1").fetchall()]
    return read


def test_outside_a_scope_every_question_is_read(tmp_db: Path) -> None:
    reads: list[int] = []
    with connect(tmp_db) as con:
        memo.admit(con)  # no scope: nothing to admit to
        for _ in range(3):
            assert memo.remembered(con, "q", counting(con, reads)) == []
    assert len(reads) == 3


def test_in_a_scope_only_an_admitted_cursor_is_answered_from_memory(tmp_db: Path) -> None:
    reads: list[int] = []
    with connect(tmp_db) as con, memo.remembering(lambda: "unchanged"):
        admitted, other = con.cursor(), con.cursor()
        memo.admit(admitted)
        for _ in range(3):
            memo.remembered(admitted, "q", counting(admitted, reads))
        assert len(reads) == 1
        memo.remembered(other, "q", counting(other, reads))  # not admitted: read
        memo.remembered(admitted, "another question", counting(admitted, reads))
        assert len(reads) == 3
    with connect(tmp_db) as con:  # the scope ended with the block
        memo.remembered(admitted, "q", counting(con, reads))
    assert len(reads) == 4


def test_a_page_view_asks_once_through_any_cursor_of_its_connection(view_store: Path) -> None:
    from ui import db

    reads: list[int] = []
    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
            for _ in range(3):
                memo.remembered(cur, "q", counting(cur, reads))
        with db.open_cursor() as cur:  # another cursor of the same view's connection
            memo.remembered(cur, "q", counting(cur, reads))
            assert loaded_periods(cur) == [JAN]
    assert len(reads) == 1
    with db.page_view(), db.open_cursor() as cur:  # the next view asks again
        memo.remembered(cur, "q", counting(cur, reads))
    assert len(reads) == 2


def test_a_committed_write_in_the_view_is_seen_by_the_next_question(view_store: Path) -> None:
    from ui import db

    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
            assert loaded_periods(cur) == [JAN]
            add_month(cur, FEB)  # committed (no transaction open), not under write_lock
            assert loaded_periods(cur) == [JAN, FEB]


def test_inside_a_write_an_open_transaction_is_seen_and_not_kept(view_store: Path) -> None:
    from ui import db

    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
        with db.write_lock, db.open_cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            add_month(cur, FEB)  # not in the files until it commits
            assert loaded_periods(cur) == [JAN, FEB]
            cur.execute("ROLLBACK")
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
        with db.write_lock, db.open_cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            add_month(cur, MAR)
            assert loaded_periods(cur) == [JAN, MAR]
            cur.execute("COMMIT")
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN, MAR]
    assert not db.write_lock.locked()


def test_a_write_between_page_views_is_seen_by_the_next_view(view_store: Path) -> None:
    """What a command-line load does between two views (tests/e2e/test_e2e_shared_store.py
    does it with a real server and a real `python -m ingest`)."""
    from ui import db

    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
    with connect(view_store) as con:  # another connection, as the command line opens
        add_month(con, FEB)
    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN, FEB]


def test_another_store_in_the_same_view_is_asked_again(view_store: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import db

    other = tmp_path / "other.duckdb"
    with connect(other) as con:
        add_month(con, MAR)
    with db.page_view():
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [JAN]
        monkeypatch.setenv("WORKFORCE_DB", str(other))
        with db.open_cursor() as cur:
            assert loaded_periods(cur) == [MAR]
        with duckdb.connect(str(view_store), read_only=False) as con:
            # a connection the view did not open: never answered from the view's memory
            assert loaded_periods(con) == [JAN]
