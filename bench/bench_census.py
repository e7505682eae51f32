"""Benchmark the CSWW census: export, import and the readiness report on the demo and at 100x.

    .venv/bin/python -m bench.bench_census [--scales 1,100]

Beside each figure, its baseline and the ratio: export against a bare write of the same return
(to_xml, no rules, no schema, no store), import against a bare lxml parse of the file (no limits,
no child, no schema, no store). The last column is what the validator used before (xmlschema,
pure Python) takes to check the same file: the cost this design removed.

Why: in October HR produces the return in minutes, and the readiness page builds the same
return on every visit. Stores are built through the real loader (load_frames) from the demo's
13 months up to September 2026 (the census year plus the September before it).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

YEAR = 2026


def build_store(path: Path, *, scale: float) -> int:
    """Load the demo's months October 2025 - September 2026 (and September 2025) at `scale`."""
    from demo import generate
    from ingest.loader import load_frames
    from store import connect

    con = connect(path)
    staff = 0
    for period, frames in generate(months=13, end_period=f"{YEAR}-09", scale=scale):
        load_frames(con=con, frames=frames, period=period, loaded_by="bench",
                    file_name=f"demo-{period}.xlsx")
        staff = len(frames["Staff"])
    con.close()
    return staff


def baselines(out: Path, ret_year: int) -> dict[str, float]:
    """What the same file costs with no checks, and with the validator used before (xmlschema,
    pure Python; a dev dependency now): the baselines the census figures are set beside."""
    from lxml import etree

    from census.importer import from_parsed
    from census.schema import schema_text
    from census.xmlio import _parse, to_xml

    data = out.read_bytes()
    t0 = time.perf_counter()
    etree.fromstring(data)  # a bare parse: no limits, no child process, no schema, no store
    parse = time.perf_counter() - t0
    model = from_parsed(_parse(data, 6)[0], data=data, year=ret_year).ret
    t0 = time.perf_counter()
    out.with_suffix(".bare").write_bytes(to_xml(model))  # a bare write: no rules, no schema
    write = time.perf_counter() - t0
    try:
        import xmlschema
    except ImportError:  # pragma: no cover - requirements-dev.txt has it
        return {"parse": parse, "write": write, "xmlschema": float("nan")}
    old = xmlschema.XMLSchema10(schema_text(ret_year))
    t0 = time.perf_counter()
    sum(1 for _ in old.iter_errors(data.decode("utf-8")))
    return {"parse": parse, "write": write, "xmlschema": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> None:
    import os

    from census import report as R
    from census import service
    from census.config import load_config
    from store import connect

    ap = argparse.ArgumentParser(prog="python -m bench.bench_census")
    ap.add_argument("--scales", default="1,100")
    args = ap.parse_args(argv)
    config = load_config()
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    print(f"{'scale':>6} {'staff/month':>11} {'build s':>8} {'workers':>8} {'export s':>9} "
          f"{'bare write s':>12} {'ratio':>6} {'import s':>9} {'bare parse s':>12} {'ratio':>6} "
          f"{'report s':>9} {'XML MB':>7} {'old validator s':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (float(s) for s in args.scales.split(",")):
            db = Path(tmp) / f"census_{scale:g}.duckdb"
            t0 = time.perf_counter()
            staff = build_store(db, scale=scale)
            build = time.perf_counter() - t0
            out = Path(tmp) / f"return_{scale:g}.xml"
            con = connect(db)
            done = service.export_return(con, year=YEAR, out=out, config=config)
            assert done.written, done.summary()
            t0 = time.perf_counter()
            R.report(con, year=YEAR, config=config)
            rep = time.perf_counter() - t0
            con.close()
            other = connect(Path(tmp) / f"import_{scale:g}.duckdb")
            imp = service.import_return(other, path=out, imported_by="bench")
            other.close()
            base = baselines(out, YEAR)
            print(f"{scale:>5g}x {staff:>11,} {build:>8.1f} {done.workers:>8,} "
                  f"{done.seconds:>9.2f} {base['write']:>12.2f} {done.seconds / base['write']:>5.1f}x "
                  f"{imp.seconds:>9.2f} {base['parse']:>12.2f} {imp.seconds / base['parse']:>5.1f}x "
                  f"{rep:>9.2f} {out.stat().st_size / 1048576:>7.1f} {base['xmlschema']:>15.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
