"""CLI: python -m recommendations export --db PATH --out FILE.xlsx

Why a CLI: a scrutiny officer preparing a meeting (or a scheduled job) can produce the tracker
spreadsheet without opening the dashboard. A fresh store is seeded from the papers first.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from recommendations.model import TrackerError
from store import BUSY_HELP


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m recommendations",
                                description="Scrutiny recommendations tracker.",
                                epilog="exit codes: 0 done; 2 bad arguments or store; " + BUSY_HELP)
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write the tracker to an Excel workbook (Appendix-1 layout)")
    ex.add_argument("--db", type=Path, default=None, help="workforce store (default: $WORKFORCE_DB or data/workforce.duckdb)")
    ex.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    ex.add_argument("--today", default=None, help="date overdue is judged against (YYYY-MM-DD; default today)")
    sd = sub.add_parser("seed", help="create the tracker tables and load the papers if the tracker is empty")
    sd.add_argument("--db", type=Path, default=None)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from store import StoreError, connect, report_for_cli
    from recommendations.seed import seed_if_empty

    try:
        con = connect(args.db)
    except StoreError as exc:
        return report_for_cli(exc)
    try:
        seeded = seed_if_empty(con)
        if args.command == "seed":
            print("Seeded the tracker from the committee papers." if seeded else "The tracker already has recommendations; nothing loaded.")
            return 0
        if args.out.suffix.lower() != ".xlsx":
            print(f"error: --out must name an .xlsx file, not {args.out.name!r}", file=sys.stderr)
            return 2
        try:
            today = date.fromisoformat(args.today) if args.today else date.today()
        except ValueError:
            print(f"error: --today {args.today!r} is not a date; use YYYY-MM-DD", file=sys.stderr)
            return 2
        from recommendations.export import tracker_frame, tracker_xlsx_bytes

        data = tracker_xlsx_bytes(con, today=today)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(data)
        rows = len(tracker_frame(con, today=today))
        print(f"Wrote {args.out} ({rows} rows{'; tracker seeded from the papers' if seeded else ''}).")
        return 0
    except TrackerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
