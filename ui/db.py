"""The app's one DuckDB connection, and the cache key that makes figures refresh after a load.

Why: DuckDB allows one read-write process per file, so the Streamlit server holds one connection
(st.cache_resource) and hands every call its own cursor (cursors are safe across threads; a
shared connection object is not). Writes go through `write_lock`. On the very first run an empty
store is seeded with the demo extracts so a new user sees a working dashboard.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import streamlit as st

from store import connect, default_db_path
from metrics import detail

write_lock = threading.Lock()


def db_path() -> str:
    """Absolute path of the store this process uses ($WORKFORCE_DB or data/workforce.duckdb)."""
    return str(Path(default_db_path()).resolve())


def _seed_wanted() -> bool:
    return os.environ.get("WORKFORCE_SEED_DEMO", "1").strip().lower() not in ("0", "false", "no")


@st.cache_resource(show_spinner="First run: building the demo data (about a minute)…")
def _open(path: str) -> duckdb.DuckDBPyConnection:
    """Open (and on first run seed) the store at `path`; cached once per process per path."""
    con = connect(path)
    if not detail.has_loads(con) and _seed_wanted():
        from ingest.demo import build_demo_db

        con.close()
        build_demo_db(db_path=Path(path))
        con = connect(path)
    return con


def get_connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection to the store (use `cursor()` for queries)."""
    return _open(db_path())


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared connection: one per call, so threads never share one."""
    return get_connection().cursor()


@contextmanager
def open_cursor() -> Iterator[duckdb.DuckDBPyConnection]:
    """`with open_cursor() as cur:` — a fresh cursor for one piece of work, always closed after."""
    cur = cursor()
    try:
        yield cur
    finally:
        cur.close()


def data_version() -> str:
    """Identifies the store's current content: changes whenever a load is recorded.

    Used in every st.cache_data key, so a new upload is seen by every page at once.
    """
    with open_cursor() as cur:
        return detail.load_fingerprint(cur)


def clear_caches() -> None:
    """Forget cached figures (after an upload or between tests)."""
    st.cache_data.clear()


def reset_connection() -> None:
    """Close and forget the cached connection (tests switch stores between cases)."""
    st.cache_data.clear()
    st.cache_resource.clear()
