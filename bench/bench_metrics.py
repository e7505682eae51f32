"""Benchmark: full history of every headline metric at 1x, 10x and 100x the demo's size.

    .venv/bin/python -m bench.bench_metrics [--scales 1,10,100] [--months 36]

Why: leadership's trend charts ask for every month at once; the engine must answer in well under a
second at 100x the demo (about 65,000 staff x 36 months) and grow no worse than linearly.
Stores are real DuckDB files built from ingest.demo.generate(scale=...) frames inserted straight
into the tables with DuckDB (the xlsx loader is benchmarked by the ingest bench, not here).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from store import connect
from metrics import catalogue, engine


def _frames(scale: float, months: int) -> dict[str, pd.DataFrame]:
    """Demo extracts concatenated per sheet with a `period` column (contract-shaped, raw)."""
    from ingest.demo import generate

    sheets: dict[str, list[pd.DataFrame]] = {}
    for period, frames in generate(months=months, scale=scale):
        for name, df in frames.items():
            if len(df):
                sheets.setdefault(name, []).append(df.assign(period=pd.Timestamp(f"{period}-01")))
    return {k: pd.concat(v, ignore_index=True) for k, v in sheets.items()}


def build_store(path: Path, *, scale: float, months: int = 36) -> dict[str, int]:
    """Insert demo frames at `scale` into a fresh store; returns rows per table."""
    from ingest.contract import ethnic_group

    f = _frames(scale, months)
    staff = f["Staff"]
    groups = {v: ethnic_group(v) for v in staff["ethnicity"].dropna().unique()}
    staff = staff.assign(ethnicity=staff["ethnicity"].map(groups))
    con = connect(path)
    yn = "CASE {c} WHEN 'Y' THEN TRUE WHEN 'N' THEN FALSE ELSE NULL END"
    con.register("_staff", staff)
    con.execute(f"""
        INSERT INTO staff SELECT period::DATE, 1, employee_id, team, service, role_group,
            {yn.format(c='qualified_social_worker')}, worker_type, fte, start_date::DATE,
            cases, absence_days, gender, ethnicity,
            date_diff('year', date_of_birth::DATE, last_day(period::DATE))
              - CASE WHEN strftime(date_of_birth::DATE, '%m%d') > strftime(last_day(period::DATE), '%m%d')
                     THEN 1 ELSE 0 END,
            disability, {yn.format(c='lives_in_county')}, {yn.format(c='converted_from_agency')}
        FROM _staff""")
    if "Leavers" in f:
        con.register("_leavers", f["Leavers"])
        con.execute(f"""INSERT INTO leavers SELECT period::DATE, 1, employee_id, leave_date::DATE, reason,
            team, service, role_group, {yn.format(c='qualified_social_worker')}, worker_type, fte,
            start_date::DATE FROM _leavers""")
    if "Vacancies" in f:
        con.register("_vac", f["Vacancies"])
        con.execute(f"""INSERT INTO vacancies SELECT period::DATE, 1, team, service, role_group,
            {yn.format(c='qualified_social_worker')}, vacant_fte, covered_by_agency_fte FROM _vac""")
    if "Training" in f:
        con.register("_tr", f["Training"])
        con.execute("""INSERT INTO training SELECT period::DATE, 1, employee_id, course, category,
            completed_date::DATE FROM _tr""")
    if "Survey" in f:
        con.register("_sv", f["Survey"])
        con.execute("""INSERT INTO survey SELECT period::DATE, 1, team, measure, score::DOUBLE,
            respondents::INTEGER FROM _sv""")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("staff", "leavers", "vacancies", "training", "survey")}
    con.close()
    return counts


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.bench_metrics")
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--months", type=int, default=36)
    args = ap.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",")]
    print(f"Headline metrics: {', '.join(catalogue.HEADLINE_IDS)}; best of 3 runs")
    print(f"{'scale':>6} {'staff rows':>11} {'build s':>8} {'breakdown':>10} {'seconds':>8} "
          f"{'rows/s':>12} {'out rows':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            path = Path(tmp) / f"bench_{scale:g}.duckdb"
            t0 = time.perf_counter()
            counts = build_store(path, scale=scale, months=args.months)
            build = time.perf_counter() - t0
            con = connect(path, read_only=True)
            for by in (None, "service", "team", "role_group"):
                out = {}

                def run() -> None:
                    out["frame"] = engine.history(con, by=by, metric_ids=catalogue.HEADLINE_IDS)

                secs = _time(run)
                print(f"{scale:>5g}x {counts['staff']:>11,} {build:>8.1f} {by or '-':>10} "
                      f"{secs:>8.3f} {counts['staff'] / secs:>12,.0f} {len(out['frame']):>9,}")
            secs_all = _time(lambda: engine.history(con, scope="all_staff"), repeat=1)
            print(f"{scale:>5g}x all {len(catalogue.CATALOGUE)} catalogue metrics, all_staff, no breakdown: "
                  f"{secs_all:.3f} s")
            con.close()


if __name__ == "__main__":
    main()
