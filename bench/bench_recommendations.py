"""Benchmark the recommendations tracker: seed, list, export, linked measures, meeting packs.

Run: `.venv/bin/python -m bench.bench_recommendations` (uses $WORKFORCE_BENCH_DB if it names a
loaded store, else builds the 36-month demo store in a temporary folder, about a minute).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path


def _time(fn, *, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main() -> None:
    import duckdb

    from store import connect
    from metrics.catalogue import CATALOGUE
    from recommendations import export, links, packs, service
    from recommendations.seed import seed_if_empty

    with tempfile.TemporaryDirectory(prefix="bench-recs-") as tmp:
        fresh = Path(tmp) / "fresh.duckdb"
        con = duckdb.connect(str(fresh))
        t = time.perf_counter()
        seed_if_empty(con)
        print(f"seed a fresh tracker (50 items, 55 responses, 7 actions, 19 links): {time.perf_counter() - t:.3f} s")
        con.close()

        src = os.environ.get("WORKFORCE_BENCH_DB")
        db = Path(tmp) / "demo.duckdb"
        if src and Path(src).is_file():
            shutil.copy(src, db)
        else:
            from demo import build_demo_db

            t = time.perf_counter()
            build_demo_db(db_path=db)
            print(f"(built the 36-month demo store in {time.perf_counter() - t:.1f} s)")
        con = connect(db)
        seed_if_empty(con)
        today = date.today()
        print(f"list + derive status/overdue (50 items): {_time(lambda: service.list_recommendations(con, today=today)) * 1000:.1f} ms")
        print(f"tracker export to xlsx: {_time(lambda: export.tracker_xlsx_bytes(con, today=today)) * 1000:.1f} ms")
        rec1 = int(con.execute("SELECT rec_id FROM rec_recommendations WHERE ref LIKE '2024-06-13/%/1'").fetchone()[0])
        print(f"linked measures then/now for rec 1 (16 measures): {_time(lambda: links.link_values(con, rec_id=rec1), repeat=3):.2f} s")
        print(f"before/after history for one measure: {_time(lambda: links.link_history(con, metric_id='agency_rate_fte', scope='social_workers')) * 1000:.1f} ms")
        ids = list(CATALOGUE)
        pid = 0

        def publish():
            nonlocal pid
            pid = packs.publish_pack(con, meeting_date=today, metric_ids=ids, published_by="bench")

        print(f"publish a pack of all {len(ids)} measures: {_time(publish, repeat=3):.2f} s")
        print(f"view a pack with restatement check: {_time(lambda: packs.get_pack(con, pack_id=pid), repeat=3):.2f} s")
        print(f"pack as print-ready HTML: {_time(lambda: packs.pack_html(con, pack_id=pid), repeat=3):.2f} s")
        con.close()


if __name__ == "__main__":
    main()
