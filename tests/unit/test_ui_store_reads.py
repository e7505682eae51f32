"""The small store reads the dashboard frame needs (filters, "data as at", cache keys), which live
in metrics.detail so that no SQL sits under ui/ or views/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

import store
from metrics import detail


def test_an_empty_store(tmp_db: Path):
    con = duckdb.connect(str(tmp_db))
    try:
        assert detail.has_loads(con) is False
        assert detail.load_fingerprint(con) == "0:None:None"
        # one definition of the loads' fingerprint: the store's key adds the census returns only
        assert store.loads_fingerprint(con) == store.load_fingerprint(con) == "0:None:None"
        assert detail.dimension_pairs(con) == []
        assert detail.last_load(con) is None
    finally:
        con.close()


def test_the_demo_store(demo_db: Path):
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        assert detail.has_loads(con) is True
        n, last_id, when = con.execute("SELECT count(*), max(load_id), max(loaded_at) FROM loads").fetchone()
        assert detail.load_fingerprint(con) == f"{n}:{last_id}:{when}"
        pairs = detail.dimension_pairs(con)
        assert pairs == sorted(set(pairs)) and all(isinstance(p, tuple) and len(p) == 2 for p in pairs)
        staff = set(con.execute("SELECT DISTINCT service, team FROM staff").fetchall())
        assert staff <= set(pairs)
        info = detail.last_load(con)
        latest = con.execute("SELECT max(period) FROM loads WHERE active").fetchone()[0]
        assert info["as_at"] > latest and info["as_at"].day >= 28 and info["as_at"].month == latest.month
        assert info["loaded_by"] == "demo" and isinstance(info["load_period"], date)
    finally:
        con.close()
