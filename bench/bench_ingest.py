"""Benchmark: validate+load of an extract vs a bare pandas.read_excel(engine="calamine").

Why: the read is the floor (calamine parses the XML); everything the ingest layer adds on top
(hostile-file checks, SHA-256, typing, every rule, the DuckDB transaction) should cost little.
Aim: at 10,000 staff rows, validate+load <= 1.3x the bare read of the same file.

Run: .venv/bin/python -m bench.bench_ingest [--sizes 1000 10000 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from ingest import contract as C
from ingest.loader import load_file
from ingest.store import connect

PERIOD = "2025-03"


def write_extract(path: Path, *, staff_rows: int, seed: int = 7) -> Path:
    """A realistic extract with `staff_rows` Staff rows (openpyxl write-only mode)."""
    rng = np.random.default_rng(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Staff")
    staff = C.SHEETS["Staff"]
    ws.append([c.label for c in staff.columns if c.name != "age"])
    teams = [f"Team {i:02d}" for i in range(1, 21)]
    roles = np.array(C.ROLE_GROUPS)
    wtypes = np.array(C.WORKER_TYPES)
    base = date(2025, 3, 31)
    start_off = rng.integers(0, 9000, staff_rows)
    dob_off = rng.integers(20 * 365, 64 * 365, staff_rows)
    fte = rng.choice([1.0, 1.0, 1.0, 0.8, 0.6, 0.5], staff_rows)
    cases = rng.integers(0, 30, staff_rows)
    absence = rng.choice([0, 0, 0, 0, 1, 2, 3.5, 10], staff_rows)
    role_i = rng.integers(0, len(roles), staff_rows)
    wt_i = rng.choice([0, 0, 0, 1, 2, 3], staff_rows)
    eth = np.array(["WBRI", "WOTH", "White", "ABAN", "BAFR", "MWBC", "OOTH", "NOBT"])
    eth_i = rng.integers(0, len(eth), staff_rows)
    for i in range(staff_rows):
        team = teams[i % 20]
        ws.append([
            f"P{100000 + i}", team, C.SERVICES_EXAMPLE[i % 5], str(roles[role_i[i]]),
            "Y" if role_i[i] in (2, 3, 4) else "N", str(wtypes[wt_i[i]]), float(fte[i]),
            base - timedelta(days=int(start_off[i])),
            int(cases[i]) if role_i[i] in (3, 4) else None, float(absence[i]),
            ("Female", "Male", "Female", "Not known")[i % 4], str(eth[eth_i[i]]),
            base - timedelta(days=int(dob_off[i])), ("N", "N", "Y", "Not known")[i % 4],
            "Y" if i % 3 else "N", "N",
        ])
    lv = wb.create_sheet("Leavers")
    lv.append([c.label for c in C.SHEETS["Leavers"].columns])
    for i in range(max(1, staff_rows // 100)):
        lv.append([f"L{i}", date(2025, 3, 1 + i % 28), "Resignation", teams[i % 20],
                   C.SERVICES_EXAMPLE[i % 5], "Social worker", "Y", "Permanent", 1.0,
                   date(2020, 1, 1)])
    vc = wb.create_sheet("Vacancies")
    vc.append([c.label for c in C.SHEETS["Vacancies"].columns])
    for i in range(max(1, staff_rows // 50)):
        vc.append([teams[i % 20], C.SERVICES_EXAMPLE[i % 5], "Social worker", "Y", 1.0, 0.5])
    wb.save(path)
    return path


def _time(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _time_with_setup(setup, fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        setup()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run(sizes: list[int], repeat: int) -> list[dict[str, float]]:
    """Time each size; returns one dict of figures per size."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_extract(Path(tmp) / f"extract-{n}.xlsx", staff_rows=n)
            reps = repeat if n <= 10_000 else 1

            def bare() -> None:
                pd.read_excel(path, engine="calamine", sheet_name=None)

            stores = []

            def fresh_store() -> None:
                # the app's store is already open when a file is uploaded: not timed
                db = Path(tmp) / f"bench-{n}-{len(stores)}.duckdb"
                stores.append(connect(db))

            def ingest() -> None:
                res = load_file(con=stores[-1], path=path, period=PERIOD, loaded_by="bench")
                assert res.rows["staff"] == n, res.rows

            bare()  # warm caches (file pages, imports) for both
            t_bare = _time(bare, reps)
            t_ingest = _time_with_setup(fresh_store, ingest, reps)
            for con in stores:
                con.close()
            out.append({"rows": n, "bare": t_bare, "ingest": t_ingest,
                        "ratio": t_ingest / t_bare, "mb": path.stat().st_size / 1e6})
    return out


def main(argv: list[str] | None = None) -> None:
    """Print seconds for the bare read and validate+load, and their ratio, per size."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    print("validate+load vs bare pandas.read_excel(engine='calamine', sheet_name=None); best of "
          f"{args.repeat} (1 for 100k)")
    print(f"{'staff rows':>10} {'file MB':>8} {'bare read s':>12} {'validate+load s':>16} "
          f"{'ratio':>6}")
    for r in run(args.sizes, args.repeat):
        print(f"{r['rows']:>10,} {r['mb']:>8.1f} {r['bare']:>12.3f} {r['ingest']:>16.3f} "
              f"{r['ratio']:>6.2f}")


if __name__ == "__main__":
    main()
