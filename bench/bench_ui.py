"""Benchmark: server-side render time of each dashboard page, at the demo's size and at 10x.

    .venv/bin/python -m bench.bench_ui [--scales 1,10] [--repeats 3]

Why: leadership opens the Overview expecting an answer in a blink; the aim is <= 300 ms per page
at demo scale once the figures are cached for the current data version (every visitor after the
first), and an honest figure for the first, uncached view. Each page runs through Streamlit's own
AppTest (the whole script: frame, role check, data, charts), on a real DuckDB store built from
ingest.demo frames (bench.bench_metrics.build_store).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard.py")
PAGES = ("overview", "themes", "agency", "caseloads", "turnover", "profile")


def _time_pages(db: Path, *, role: str, repeats: int) -> dict[str, tuple[float, float]]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ.update(WORKFORCE_DB=str(db), WORKFORCE_ROLE=role, WORKFORCE_SEED_DEMO="0")
    out = {}
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=300)
        at.run()  # opens the connection, lands on Overview
        st.cache_data.clear()
        at.switch_page(f"pages/{page}.py")
        t = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(f"{page}: {at.exception[0].value}")
        warm = []
        for _ in range(repeats):
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
        out[page] = (cold * 1000, statistics.median(warm) * 1000)
    return out


def main(argv: list[str] | None = None) -> None:
    from bench.bench_metrics import build_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--roles", default="leadership,scrutiny")
    args = parser.parse_args(argv or [])
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        for scale in [float(s) for s in args.scales.split(",")]:
            db = Path(tmp) / f"scale{scale:g}.duckdb"
            t = time.perf_counter()
            rows = build_store(db, scale=scale)
            print(f"\nscale {scale:g}x: store built in {time.perf_counter() - t:.1f} s "
                  f"({rows.get('staff', 0):,} staff rows)", flush=True)
            for role in args.roles.split(","):
                timings = _time_pages(db, role=role, repeats=args.repeats)
                print(f"  role {role:<10}  page        first view (ms)   cached (ms, median of {args.repeats})")
                for page, (cold, warm) in timings.items():
                    flag = "" if warm <= 300 else "  > 300 ms"
                    print(f"  {'':<15} {page:<11} {cold:>10.0f}        {warm:>10.0f}{flag}", flush=True)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
