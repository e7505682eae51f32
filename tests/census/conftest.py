"""Fixtures for the census tests: a store holding one census year of monthly loads."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def monthly_db(tmp_path_factory) -> Path:
    """October 2024 - September 2025 of tests/census/monthly.py, loaded through the loader.

    Tests must not write to it; copy it first."""
    from store import connect
    from tests.census.monthly import load_year

    path = tmp_path_factory.mktemp("census") / "workforce.duckdb"
    con = connect(path)
    load_year(con, 2025)
    con.close()
    return path
