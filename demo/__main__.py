"""python -m demo [--db PATH]: build the demo store (36 invented months through the real loader).

Exit codes: 0 built (or every month unchanged), 1 refused (the store holds real loads; nothing
changed), 2 usage, 3 the store is busy (store.EXIT_BUSY).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store import BUSY_HELP, StoreError, default_db_path, report_for_cli


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m demo",
        description="Build the demo store: invented monthly extracts loaded through the loader, "
                    "marked demo in the ledger. Refuses a store holding real loads.",
        epilog="exit codes: 0 built; 1 refused (the store holds real loads, nothing changed); "
               "2 usage; " + BUSY_HELP)
    p.add_argument("--db", metavar="PATH", help="DuckDB store (default: $WORKFORCE_DB, else data/workforce.duckdb)")
    p.add_argument("--months", type=int, default=36, help="how many months (default 36)")
    p.add_argument("--end", metavar="YYYY-MM", default=None, help="the last month (default: last month)")
    args = p.parse_args(argv)
    # loads made here refresh the metric aggregates, stored values and published history in their
    # own transaction, as the ingest CLI's do (disclosure.history registers them all when imported)
    import disclosure.history  # noqa: F401
    import disclosure.linked  # noqa: F401
    import disclosure.breakdowns  # noqa: F401
    from demo import DemoError, DemoRefused, build_demo_db

    db = Path(args.db) if args.db else default_db_path()
    try:
        build_demo_db(db_path=db, months=args.months, end_period=args.end)
    except DemoRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DemoError as exc:
        p.error(str(exc))
    except StoreError as exc:
        return report_for_cli(exc)
    print(f"demo store built at {db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
