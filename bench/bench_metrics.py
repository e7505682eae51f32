"""Benchmark: every catalogue metric, every month, each breakdown, both scopes, at 100x the demo.

    .venv/bin/python -m bench.run metrics            (or: python -m bench.bench_metrics)
    .venv/bin/python -m bench.bench_metrics [--scale 100] [--months 36] [--loop-months 6] [--no-load]

Prints, on one store of `--scale` x the demo (2.35 M staff rows at 100x, 36 months):
1. the engine (per-load aggregates, metrics.aggregates; with no breakdown, the metric values kept
   per load, metrics.engine.refresh_values): all metrics, all months, both scopes, per breakdown;
   aim < 1 s per breakdown (and the no-breakdown figure computed from the aggregates, for comparison);
2. the baseline an analyst would write: a plain loop, for each month and each metric, of one SQL
   query for that one figure straight from the raw rows (the engine's generated query for that
   metric and month, `use_stored=False`); the loop runs over the latest `--loop-months` months
   (0 = all) and its time is scaled to all months (said so in the output); the ratio
   baseline / engine, aim >= 10x;
3. loading one month's workbook into the 100x store vs into an empty store (both through the
   real loader, whose transaction refreshes the aggregates); aim <= 1.5x.
The store (demo.generate months typed by the loader's validation, ledger rows included, the
aggregates refreshed) and the month's workbook are built once and cached in bench/.cache/
(gitignored): the first run takes a few minutes, later runs well under one.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pandas as pd

from metrics import agency, aggregates, catalogue, engine
from metrics.types import BREAKDOWNS, SCOPES
from store import connect

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
AIM_SECONDS, AIM_RATIO, AIM_LOAD = 1.0, 10.0, 1.5


def build_store(path: Path, months_frames) -> None:
    """Put demo months (demo.generate output) into a fresh store at `path` as the loader types
    them (ingest.loader.validate_frames: every sheet, agency assignments and the census items and
    registration numbers included) with their ledger rows, in one transaction, then refresh the
    aggregates and stored values once: the state a store reaches through the loader, without
    deciding the kept tables month by month (the benches keep what they need)."""
    from ingest.loader import ledger_rows, validate_frames, written_rows
    from store import record_load
    from store.ledger import replace_month

    con = connect(path)
    try:
        con.execute("BEGIN")
        now = datetime.now()
        for period, frames in months_frames:
            result = validate_frames(frames=frames, period=period)
            if not result.ok:
                raise RuntimeError(f"demo month {period} does not validate: {result.errors[:3]}")
            p = pd.Timestamp(f"{period}-01").date()
            load_id = p.year * 100 + p.month
            replace_month(con, period=p, load_id=load_id, replace=False, **written_rows(result))
            record_load(con, load_id=load_id, period=p, file_name=f"demo_{period}.xlsx",
                        sha256="bench", rows=ledger_rows(result),
                        loaded_by="bench", loaded_at=now, outcome="loaded", warnings_json="[]",
                        is_demo=True)
        aggregates.refresh(con, full=True)
        engine.refresh_values(con, full=True)
        con.execute("COMMIT")
    finally:
        con.close()


def cached_store(scale: float, *, months: int = 36) -> tuple[Path, Path, str]:
    """(store of the first months-1 demo months at `scale`, workbook of the last month, its
    period), built once and cached in bench/.cache/ (the page bench uses the store too)."""
    from demo import generate, write_workbook

    CACHE.mkdir(parents=True, exist_ok=True)
    db = CACHE / f"metrics-x{scale:g}-{months - 1}m-loaded.duckdb"  # typed by the loader
    book = next(CACHE.glob(f"month-x{scale:g}-*.xlsx"), None)
    if not db.exists() or book is None:
        started = time.perf_counter()
        full = generate(months=months, scale=scale)
        last_period, last = full[-1]
        book = write_workbook(path=CACHE / f"month-x{scale:g}-{last_period}.xlsx", frames=last,
                              period=last_period)
        tmp = db.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build_store(tmp, full[:-1])
        tmp.rename(db)
        print(f"  built and cached the x{scale:g} store and month workbook in "
              f"{time.perf_counter() - started:.0f} s ({db.name}, {book.name})", flush=True)
    con = connect(db)
    try:
        # declarations or the agency checks' code changed since cached (aggregates.refresh keeps the
        # checked assignments again, as a load would)
        if not aggregates.is_fresh(con) or not engine.values_fresh(con) or not agency.kept_fresh(con):
            started = time.perf_counter()
            con.execute("BEGIN")
            aggregates.refresh(con, full=True)
            engine.refresh_values(con, full=True)
            con.execute("COMMIT")
            print(f"  refreshed the cached store's aggregates and values ({time.perf_counter() - started:.1f} s)")
    finally:
        con.close()
    return db, book, book.stem.split("-", 2)[2]


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def engine_all(con, by: str | None) -> int:
    """Every catalogue metric, every month, both scopes, one breakdown (the engine)."""
    return sum(len(engine.history(con, scope=s, by=by)) for s in SCOPES)


def baseline_loop(con, by: str | None, months: list) -> int:
    """The plain loop: one query per figure (metric x month x scope) from the raw rows."""
    n = 0
    for scope in SCOPES:
        for p in months:
            for mid in catalogue.CATALOGUE:
                n += len(engine.history(con, scope=scope, by=by, metric_ids=[mid], start=p, end=p,
                                        use_stored=False))
    return n


def _kept_as_loaded(con) -> None:
    """Keep what a store loaded month by month holds (the metric values with the fingerprints of
    the months they were computed from; the published history; the Agency rules
    compliance decisions of every month; the linked tables' decisions of its latest month), so a
    timed load decides only what it changes."""
    from disclosure import compliance, history, linked
    from metrics import agency
    from store import loaded_periods

    con.execute("BEGIN")
    if not agency.kept_fresh(con):  # the checked assignments' code changed since the store was cached
        agency.keep_checked(con)
    engine.refresh_values(con)  # a store built before the values kept their months' fingerprints
    history.refresh(con)
    compliance.refresh(con)
    linked.refresh(con, period=loaded_periods(con)[-1].strftime("%Y-%m"))
    con.execute("COMMIT")


def bench_load(db: Path, book: Path, period: str, *, repeat: int = 2) -> tuple[float, float]:
    """Best seconds to load the month's workbook into an empty store and into the big store
    (with everything a load keeps in its transaction, as the ingest command's loads do: the
    aggregates, the stored values, the published history, the linked tables' decisions)."""
    import disclosure.linked  # noqa: F401  (registers the history and the linked decisions too)
    import disclosure.breakdowns  # noqa: F401  (and the drill's default views)
    from ingest.loader import load_file

    empty, full = float("inf"), float("inf")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for _ in range(repeat):
            for kind in ("empty", "full"):
                path = Path(tmp) / f"{kind}.duckdb"
                path.unlink(missing_ok=True)
                if kind == "full":
                    shutil.copy(db, path)
                con = connect(path)
                try:
                    if kind == "full":  # untimed: what the store's earlier loads kept (built in bulk)
                        _kept_as_loaded(con)
                    t0 = time.perf_counter()
                    load_file(con=con, path=book, period=period, loaded_by="bench")
                    secs = time.perf_counter() - t0
                    assert aggregates.is_fresh(con)
                finally:
                    con.close()
                if kind == "empty":
                    empty = min(empty, secs)
                else:
                    full = min(full, secs)
    return empty, full


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_metrics", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=100.0)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--loop-months", type=int, default=6,
                    help="months the baseline loop runs over (its time is scaled to all months); 0 = all")
    ap.add_argument("--no-load", action="store_true", help="skip the load benchmark")
    args = ap.parse_args(argv if argv is not None else [])
    db, book, period = cached_store(args.scale, months=args.months)
    con = connect(db, read_only=True)
    try:
        pers = engine.periods(con)
        staff = con.execute("SELECT count(*) FROM staff").fetchone()[0]
        n_metrics = len(catalogue.CATALOGUE)
        print(f"x{args.scale:g} store: {staff:,} staff rows, {len(pers)} months, {n_metrics} metrics, "
              f"scopes {', '.join(SCOPES)}; engine = best of 3 runs; seconds")
        print(f"{'breakdown':>11} {'engine s':>9} {'figures':>8} {'loop s':>8} {'loop months':>12} "
              f"{'ratio':>7}  aims: engine < {AIM_SECONDS:g} s, ratio >= {AIM_RATIO:g}x")
        engine_all(con, None)  # warm: imports, the declarations' signature
        for by in (None, *BREAKDOWNS):
            secs = _best(lambda: engine_all(con, by))
            rows = engine_all(con, by)
            months = pers if args.loop_months <= 0 else pers[-args.loop_months:]
            t0 = time.perf_counter()
            baseline_loop(con, by, months)
            loop = (time.perf_counter() - t0) * len(pers) / len(months)
            note = "all" if len(months) == len(pers) else f"{len(months)} of {len(pers)}*"
            flag = "" if secs < AIM_SECONDS and loop / secs >= AIM_RATIO else "   (misses an aim)"
            print(f"{by or 'none':>11} {secs:>9.3f} {rows:>8,} {loop:>8.1f} {note:>12} "
                  f"{loop / secs:>6.1f}x{flag}", flush=True)
        print(f"  * loop time scaled to all {len(pers)} months from the months it ran over")
        cube = _best(lambda: sum(len(engine.history(con, scope=s, use_values=False)) for s in SCOPES))
        print(f"  no breakdown computed from the aggregates (not read from the stored values): {cube:.3f} s")
        raw = _best(lambda: sum(len(engine.history(con, scope=s, use_stored=False)) for s in SCOPES), 1)
        print(f"  for comparison, the engine from the raw rows (no aggregates), no breakdown: {raw:.3f} s")
    finally:
        con.close()
    if not args.no_load:
        empty, full = bench_load(db, book, period)
        print(f"load {book.name} (through the loader, with what it keeps in its transaction), "
              f"best of 2: empty store {empty:.2f} s, x{args.scale:g} store ({len(pers)} months) "
              f"{full:.2f} s, ratio {full / empty:.2f}x (aim <= {AIM_LOAD:g}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(__import__("sys").argv[1:]))
