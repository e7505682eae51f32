"""metrics.benchmarks.local_authorities over the DfE's own published indicators file.

Why: the Benchmarks page lets a user compare any council, so the list must hold every authority in
the imported file exactly once (including councils since reorganised), with its current codes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from store import connect
from ingest import published
from metrics import benchmarks as bm


@pytest.fixture(scope="module")
def dfe_file(reference_dir: Path) -> Path:
    return reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv"


@pytest.fixture
def loaded(tmp_db: Path, dfe_file: Path) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_db)
    published.import_files(con, paths=[dfe_file], imported_by="test")
    yield con
    con.close()


def test_every_authority_once_sorted_by_name(loaded, dfe_file):
    raw = pd.read_csv(dfe_file, dtype=str, keep_default_na=False)
    la_rows = raw[raw["geographic_level"] == "Local authority"]
    expected_codes = set(la_rows["old_la_code"].str.strip())

    las = bm.local_authorities(loaded)

    assert list(las.columns) == list(bm.LOCAL_AUTHORITY_COLUMNS)
    assert list(las.columns[:4]) == ["old_la_code", "new_la_code", "la_name", "region_name"]
    assert len(las) == len(expected_codes) == 156
    assert set(las["old_la_code"]) == expected_codes
    assert las["old_la_code"].is_unique
    assert las["la_name"].tolist() == sorted(las["la_name"].tolist())


def test_herefordshire_and_a_reorganised_council(loaded, dfe_file):
    las = bm.local_authorities(loaded).set_index("old_la_code")
    h = las.loc["884"]
    assert (h["new_la_code"], h["la_name"], h["region_name"]) == (
        "E06000019", "Herefordshire, County of", "West Midlands")
    assert int(h["last_year"]) == 2025
    s = las.loc["893"]
    assert (s["la_name"], s["new_la_code"], s["region_name"]) == ("Shropshire", "E06000051", "West Midlands")

    # Dorset's old county council (835) last appears in an earlier year than the new Dorset (838);
    # both stay in the list, each described as in its own latest year.
    raw = pd.read_csv(dfe_file, dtype=str, keep_default_na=False)
    last_835 = int(raw.loc[raw["old_la_code"] == "835", "time_period"].astype(int).max())
    assert int(las.loc["835", "last_year"]) == last_835 < 2025
    assert las.loc["838", "la_name"] == las.loc["835", "la_name"] == "Dorset"


def test_nothing_imported_is_a_named_error(tmp_db):
    con = connect(tmp_db)
    try:
        with pytest.raises(bm.BenchmarkError, match="No DfE indicators imported yet"):
            bm.local_authorities(con)
    finally:
        con.close()
