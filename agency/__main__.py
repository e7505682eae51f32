"""Command line: the quarterly agency summary, and a check of the rules file.

    python -m agency quarterly --quarter 2026-Q3 --out agency_2026-Q3.xlsx [--db PATH]
                               [--rules data/agency_rules.toml] [--suppress]
    python -m agency check-rules [--rules PATH]

Exit codes: 0 done; 2 a mistake to fix (bad quarter, no assignments loaded for it, bad rules
file, no store); 3 the store is busy (another load is writing; try again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agency.rules import AgencyRulesError, load_rules


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m agency",
                                 description="Agency rules: quarterly summary and rules check.")
    sub = ap.add_subparsers(dest="command", required=True)
    q = sub.add_parser("quarterly", help="write the quarterly agency summary workbook")
    q.add_argument("--quarter", required=True, help="calendar quarter, e.g. 2026-Q3 (July-Sept)")
    q.add_argument("--out", required=True, type=Path, help="the .xlsx file to write")
    q.add_argument("--db", type=Path, default=None, help="the workforce store (default: "
                                                         "$WORKFORCE_DB or data/workforce.duckdb)")
    q.add_argument("--rules", type=Path, default=None, help="the rules file (default "
                                                            "data/agency_rules.toml)")
    q.add_argument("--suppress", action="store_true",
                   help="hide small numbers and leave out the breach list (for sharing)")
    c = sub.add_parser("check-rules", help="check data/agency_rules.toml and print the rules")
    c.add_argument("--rules", type=Path, default=None)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        rules = load_rules(args.rules)
    except AgencyRulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "check-rules":
        print(f"{args.rules or 'data/agency_rules.toml'} is valid.")
        for line in rules.assumptions() + list(rules.warnings):
            print(f"- {line}")
        return 0

    from agency.quarterly import QuarterError, build, quarter_months
    from store import StoreBusy, StoreError, connect, default_db_path

    try:
        quarter_months(args.quarter)
    except QuarterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.suffix.lower() != ".xlsx":
        print(f"error: --out must name an .xlsx file, not {args.out}", file=sys.stderr)
        return 2
    db = args.db if args.db is not None else default_db_path()
    if not Path(db).is_file():
        print(f"error: no workforce store at {db}; load data with `python -m ingest` or pass "
              "--db PATH", file=sys.stderr)
        return 2
    try:
        con = connect(db, read_only=True)
    except StoreBusy as exc:
        print(f"busy: {exc}", file=sys.stderr)
        return 3
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        summary = build(con, quarter=args.quarter, rules=rules, suppress=args.suppress)
    except QuarterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()
    try:
        summary.write(args.out)
    except OSError as exc:
        print(f"error: could not write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    loaded = ", ".join(f"{m:%Y-%m}" for m in summary.months_loaded)
    print(f"wrote {args.out}: agency summary for {summary.quarter} (months loaded: {loaded})"
          + ("; small numbers suppressed" if args.suppress else "; exact figures, not for "
             "publication"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
