"""Server-side render time of every dashboard page, on the demo store and on a 10x store.

Run: `.venv/bin/python -m bench.bench_pages [--scales 1 100] [--runs 5]`.
Why AppTest: it runs a page's script exactly as the server does (data functions, caches, figure
building, element serialisation) without a browser, so the figure is the server's share of a page
view. Each page gets one cold run (fills the caches) and then `--runs` warm runs; the median warm
run is reported, in ms. Aims: the first (cold) render under 300 ms at 1x and under 1 s at 100x.
Stores come from bench/.cache/ (built once; see bench_metrics and bench_browser).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
AIM_MS = 300.0        # first render at 1x
AIM_MS_LARGE = 1000.0  # first render at 100x


def _store(scale: float) -> Path:
    """A private copy of the demo store at `scale`: 1x built through the loader, larger ones
    inserted in bulk (bench.bench_metrics), both with the per-load aggregates; cached."""
    import shutil

    from bench.bench_browser import demo_store
    from bench.bench_metrics import cached_store

    RESULTS.mkdir(parents=True, exist_ok=True)
    src = demo_store() if scale == 1 else cached_store(scale)[0]
    path = RESULTS / f"bench-pages-x{scale:g}.duckdb"
    shutil.copy(src, path)  # the app may write (the tracker seeds itself): never the cache
    return path


def _import_benchmarks() -> None:
    """Give the Benchmarks page real figures when the council's reference files are at hand."""
    ref = Path(os.environ.get("WORKFORCE_SHARED", ROOT.parent / "shared")) / "reference" / "dfe"
    files = [ref / "csww_indicators_2017_to_2025.csv", ref / "sn_model_2025_wide.csv"]
    if not all(f.exists() for f in files):
        print("  (reference files not found: Benchmarks is timed in its 'not imported yet' state)")
        return
    from ingest import published
    from ui import db

    with db.open_cursor() as cur:
        if published.imports(cur).empty:
            published.import_files(cur, paths=files, imported_by="bench")


def pages() -> list[tuple[str, str]]:
    """(title, path) of every page in the dashboard's navigation that exists on disk.

    Read from dashboard.PAGES with `ast` (running dashboard.py would start a Streamlit script)."""
    import ast

    tree = ast.parse((ROOT / "dashboard.py").read_text())
    for node in tree.body:
        target = getattr(node, "target", None) or (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == "PAGES":
            table = ast.literal_eval(node.value)
            return [(title, path) for _, _, path, title, _ in table if (ROOT / path).is_file()]
    raise RuntimeError("dashboard.py has no PAGES table")


def time_pages(*, db: Path, runs: int, role: str = "hr") -> dict[str, tuple[float, float]]:
    """(cold, median warm) render in ms of each page for `role` on the store at `db`.

    Cold = the first view after a load (caches empty: every figure computed in DuckDB); warm =
    a later view of the same figures (what most page views cost)."""
    from streamlit.testing.v1 import AppTest

    from ui import db as uidb

    os.environ["WORKFORCE_DB"] = str(db)
    os.environ["WORKFORCE_ROLE"] = role
    os.environ["WORKFORCE_DEMO"] = "1"
    uidb.clear_caches()
    _import_benchmarks()
    out: dict[str, tuple[float, float]] = {}
    AppTest.from_file(str(ROOT / "views" / "upload.py"), default_timeout=120).run()  # imports once
    for title, path in pages():
        if not (ROOT / path).is_file():  # another change removed it since the list was read
            print(f"  {title}: {path} not found, skipped", flush=True)
            continue
        at = AppTest.from_file(str(ROOT / path), default_timeout=120)
        started = time.perf_counter()
        at.run()  # cold: fills the caches
        cold = (time.perf_counter() - started) * 1000
        if at.exception:
            print(f"  {title}: raised {at.exception[0].value}", flush=True)
            continue
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - started) * 1000)
        out[title] = (cold, statistics.median(times))
    uidb.clear_caches()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 100.0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--role", default="hr", choices=["hr", "leadership", "scrutiny"])
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    import logging

    # AppTest outside a server warns "missing ScriptRunContext" on every run (and resets log
    # levels as it starts), so the warning's own logger is switched off: the figures matter here.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    logging.getLogger("streamlit.runtime.caching.cache_data_api").disabled = True
    results: dict[float, dict[str, float]] = {}
    for scale in args.scales:
        print(f"x{scale:g} store, role {args.role}, median of {args.runs} warm runs:", flush=True)
        results[scale] = time_pages(db=_store(scale), runs=args.runs, role=args.role)
    titles = list(next(iter(results.values())))
    head = f"{'page':<24}" + "".join(f"{'x' + format(s, 'g') + ' cold':>11}{'x' + format(s, 'g') + ' warm':>11}"
                                       for s in args.scales)
    print("\n" + head + "   (ms)")
    for title in titles:
        cells = "".join(f"{results[s].get(title, (float('nan'),) * 2)[0]:>11.0f}"
                        f"{results[s].get(title, (float('nan'),) * 2)[1]:>11.0f}" for s in args.scales)
        over = [f"x{s:g} cold over {AIM_MS if s == 1 else AIM_MS_LARGE:.0f} ms" for s in args.scales
                if results[s].get(title, (0.0, 0.0))[0] > (AIM_MS if s == 1 else AIM_MS_LARGE)]
        flag = ("   " + "; ".join(over)) if over else ""
        print(f"{title:<24}{cells}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
