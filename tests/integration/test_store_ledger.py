"""The load ledger: demo loads are marked demo, real ones not; the loaded months are one list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import store
from ingest.loader import load_file
from tests.unit.ingest_files import PERIOD, base_sheets, write_xlsx


def test_demo_and_real_loads_and_the_loaded_months(tmp_path: Path, tmp_db: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", base_sheets())
    con = store.connect(tmp_db)
    try:
        assert not store.has_loads(con) and not store.is_demo_store(con) and not store.holds_real_loads(con)
        assert store.loaded_periods(con) == []
        demo = load_file(con=con, path=path, period=PERIOD, loaded_by="demo", demo=True)
        assert store.is_demo_store(con) and not store.holds_real_loads(con)
        assert store.loaded_periods(con) == [date.fromisoformat(f"{PERIOD}-01")]
        # a real file for the same month replaces the demo month: real data now, nothing demo shown
        sheets = base_sheets()
        sheets["Staff"][1][1] = "Renamed team"
        real = load_file(con=con, path=write_xlsx(tmp_path / "real.xlsx", sheets), period=PERIOD,
                         loaded_by="hr.officer")
        assert real.outcome == "replaced"
        assert store.holds_real_loads(con) and not store.is_demo_store(con)
        assert con.execute("SELECT load_id, is_demo, active FROM loads ORDER BY load_id").fetchall() == [
            (demo.load_id, True, False), (real.load_id, False, True)]
        audit = con.execute("SELECT actor, action FROM audit ORDER BY id").fetchall()
        assert audit == [("demo", "load"), ("hr.officer", "load")]
    finally:
        con.close()


def test_replace_month_is_the_one_writer_of_a_months_rows(tmp_db: Path) -> None:
    """store.replace_month puts a month's rows in (stamped with the load), replaces them on a
    reload and leaves other months alone; it refuses a table or column name not its own."""
    import pandas as pd
    import pytest

    con = store.connect(tmp_db)
    try:
        may, june = date(2026, 5, 1), date(2026, 6, 1)
        cols = {"survey": ["team", "measure", "score"]}

        def survey(teams, score):
            return pd.DataFrame({"team": teams, "measure": ["engagement"] * len(teams),
                                 "score": [float(score)] * len(teams)})

        store.replace_month(con, period=may, load_id=1, frames={"survey": survey(["E1", "E2"], 60)},
                            columns=cols, replace=False)
        store.replace_month(con, period=june, load_id=2, frames={"survey": survey(["E1"], 70)},
                            columns=cols, replace=False)
        store.replace_month(con, period=may, load_id=3, frames={"survey": survey(["E3"], 80)},
                            columns=cols)
        rows = con.execute("SELECT period, load_id, team, score FROM survey "
                           "ORDER BY period, team").fetchall()
        assert rows == [(may, 3, "E3", 80), (june, 2, "E1", 70)]
        with pytest.raises(store.StoreError, match="unknown table"):
            store.replace_month(con, period=may, load_id=4, frames={"loads": survey(["E1"], 1)}, columns=cols)
        with pytest.raises(store.StoreError, match="column name"):
            store.replace_month(con, period=may, load_id=4, frames={"survey": survey(["E1"], 1)},
                                columns={"survey": ["team; DROP TABLE staff"]})
        assert con.execute("SELECT count(*) FROM survey").fetchone()[0] == 2
    finally:
        con.close()


def test_the_bench_store_records_the_loaders_ledger_rows(tmp_path: Path, tmp_db: Path) -> None:
    """bench.bench_metrics.build_store writes months as the loader types them, and its ledger rows
    are the loader's own (ingest.loader.ledger_rows): the same counts per table, 0 for a sheet
    the extract lacks (here training, survey and agency assignments)."""
    from bench.bench_metrics import build_store
    from ingest.loader import ledger_rows, load_frames, validate_frames
    from tests.census.monthly import frames_for

    period = date(2025, 3, 1)
    frames = frames_for(period, 2025)
    # the 8 people in post (all started by March; S01 included; E09 left on 14 March), 1
    # leaver, 2 vacancy rows
    expected = {"staff": 8, "leavers": 1, "vacancies": 2, "training": 0, "survey": 0,
                "agency_assignments": 0}
    assert ledger_rows(validate_frames(frames=frames, period=period)) == expected
    con = store.connect(tmp_db)
    try:
        loaded = load_frames(con=con, frames=frames, period=period, loaded_by="test", file_name="m.xlsx")
        assert loaded.rows == expected and store.active_load(con, period)[2] == expected
    finally:
        con.close()
    bench = tmp_path / "bench.duckdb"
    build_store(bench, [("2025-03", frames)])
    con = store.connect(bench)
    try:
        assert store.active_load(con, period)[2] == expected
    finally:
        con.close()
