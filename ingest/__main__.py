"""Command line for loading extracts: python -m ingest FILE --period YYYY-MM.

Why a CLI: HR's monthly load can be scripted or run by IT without the dashboard, and the
exit codes (0 loaded/unchanged, 1 invalid file, 2 usage, 3 store busy) let a scheduler tell what
happened.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

EPILOG = """\
examples:
  python -m ingest extract-2025-03.xlsx --period 2025-03
  python -m ingest extract.zip --period 2025-03 --dry-run      (zip holding Staff.csv, ...)
  python -m ingest --template data/workforce-template.xlsx
  python -m ingest --refresh                                    (after installing a new version)

The demo store is built by its own command: python -m demo --db /tmp/demo.duckdb

The file is an .xlsx workbook (sheets Staff, Leavers, Vacancies, optional Training, Survey)
or a .zip with one CSV per sheet. Loading a period replaces that period in one transaction;
loading the identical file again changes nothing ("unchanged"); a file with any error loads
nothing and every problem is listed on stderr with sheet, row (as Excel shows it) and column.

--refresh loads nothing: it brings what every load keeps beside the rows (metric aggregates and
values, the small-number decisions of the published figures) up to date with this version, in
one transaction, and names you in the audit trail. Run it once after installing a new version;
until then the first page views work those out live and are slow. On a current store it is quick.

database: --db PATH, else $WORKFORCE_DB, else data/workforce.duckdb.

exit codes:
  0  loaded, replaced, unchanged, dry run passed or template written
  1  the file is invalid or unsafe (full report on stderr; nothing written), or --refresh
     failed (nothing changed; the reason on stderr)
  2  usage error (bad arguments or period, missing file), or the store cannot be opened
  3  the store is busy (another load or the dashboard's write held it for longer than
     $WORKFORCE_STORE_WAIT seconds, default 30); nothing written, try again
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Validate and load a monthly HR workforce extract into the DuckDB store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", nargs="?", help="the extract: .xlsx, or .zip of CSVs (one per sheet)")
    p.add_argument("--period", metavar="YYYY-MM", help="the reporting month the file is for")
    p.add_argument("--db", metavar="PATH",
                   help="DuckDB store (default: $WORKFORCE_DB, else data/workforce.duckdb)")
    p.add_argument("--dry-run", action="store_true",
                   help="validate and report only; write nothing")
    p.add_argument("--loaded-by", metavar="NAME", default=None,
                   help="who is loading or refreshing (recorded in the ledger and the audit trail; default: your user name)")
    p.add_argument("--max-mb", type=float, default=None, metavar="MB",
                   help="upload size limit in MB (default 20)")
    p.add_argument("--confirm-same-staff", action="store_true",
                   help="load even though the staff rows (ids, FTE, teams) are identical to "
                        "another loaded month's; the confirmation is recorded in the ledger")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--template", metavar="OUT.xlsx",
                      help="write the blank extract template for HR to OUT.xlsx")
    mode.add_argument("--refresh", action="store_true",
                      help="load nothing; bring the kept figures and decisions up to date with this "
                           "version (run once after installing a new version)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)

    if args.template:
        if args.file or args.period:
            parser.error("--template takes no FILE or --period")
        from ingest.template import write_template

        out = write_template(path=Path(args.template))
        print(f"template written to {out}")
        return 0

    from store import StoreError, default_db_path, report_for_cli, writing

    # This command is a composition root: every load it makes (and the demo build) also refreshes
    # the metric aggregates, the stored metric values and the published history in the load's own
    # transaction (metrics.aggregates, metrics.engine.refresh_values, disclosure.history; DECISIONS.md).
    import disclosure.history  # noqa: F401
    import disclosure.linked  # noqa: F401  (the linked people tables' decisions, after the history)
    import disclosure.breakdowns  # noqa: F401  (the drill's default views, after the history's frames)

    db = Path(args.db) if args.db else default_db_path()

    loaded_by = args.loaded_by or os.environ.get("USER") or _whoami()
    if args.refresh:
        if args.file or args.period or args.dry_run:
            parser.error("--refresh takes no FILE, --period or --dry-run")
        if not db.is_file():
            parser.error(f"no store at {db}: nothing to refresh (--db PATH or $WORKFORCE_DB names it)")
        return _refresh(db, by=loaded_by)

    if not args.file:
        parser.error("give the FILE to load (or --template OUT.xlsx; the demo store: python -m demo)")
    if not args.period:
        parser.error("--period YYYY-MM is required with FILE")

    from ingest.loader import ExtractRejected, PeriodError, load_file, parse_period
    from ingest.reader import Limits

    try:
        parse_period(args.period)
    except PeriodError as exc:
        parser.error(str(exc))
    path = Path(args.file)
    if not path.is_file():
        parser.error(f"no such file: {path}")
    limits = Limits()
    if args.max_mb is not None:
        limits.max_file_bytes = int(args.max_mb * 1024 * 1024)

    who = f"python -m ingest ({loaded_by}: {path.name} for {args.period})"
    try:
        with writing(db, who=who) as con:
            result = load_file(con=con, path=path, period=args.period, loaded_by=loaded_by,
                               dry_run=args.dry_run, limits=limits,
                               confirm_repeat=args.confirm_same_staff)
    except StoreError as exc:
        return report_for_cli(exc)
    except ExtractRejected as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        print(f"{path.name}: not loaded — {len(errors)} problem(s) to fix; nothing was written.",
              file=sys.stderr)
        print(exc.report(), file=sys.stderr)
        return 1
    print(result.summary())
    for w in result.warnings:
        print(f"WARNING {w}", file=sys.stderr)
    return 0


def _refresh(db: Path, *, by: str) -> int:
    """`--refresh`: the kept figures and decisions brought up to date in one transaction."""
    from ingest.loader import IngestError, refresh_kept
    from store import StoreError, report_for_cli, writing

    try:
        with writing(db, who=f"python -m ingest --refresh ({by})") as con:
            seconds = refresh_kept(con, refreshed_by=by)
    except StoreError as exc:
        return report_for_cli(exc)
    except IngestError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"{db.name}: kept figures and decisions up to date with this version ({seconds:.1f} s).")
    return 0


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name available (containers)
        return "cli"


if __name__ == "__main__":
    sys.exit(main())
