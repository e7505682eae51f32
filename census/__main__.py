"""Command line for the CSWW census: import past returns, export this year's, report readiness.

Why a CLI: the census lead can script October's return (or run it on a server without the
dashboard), and the exit codes tell a scheduler what happened.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path

EPILOG = """\
examples:
  python -m census import csww_2024.xml                 (year from the file's header)
  python -m census import old_return.xml --year 2021
  python -m census export --year 2026 --out return.xml
  python -m census report --year 2026 --format table
  python -m census report --year 2026 --as-at 2026-03   ("if the census were taken in March")

database: --db PATH, else $WORKFORCE_DB, else data/workforce.duckdb.
settings: data/census.toml (LA number, 2025 pay flags), or $WORKFORCE_CENSUS_CONFIG.

exit codes:
  0  imported / written / reported
  1  the file is unsafe or unreadable, or the return does not validate (nothing written)
  2  usage error (bad arguments, missing file, month not loaded, bad settings)
  3  the store is busy (someone else is writing); try again
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m census", epilog=EPILOG,
                                description="The Children's Social Work Workforce census.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", metavar="PATH", help="DuckDB store (default: $WORKFORCE_DB)")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="import a past return (2021 onwards) as its year's "
                                        "30 September snapshot")
    imp.add_argument("file")
    imp.add_argument("--year", type=int, help="the census year, when the file does not say")
    imp.add_argument("--imported-by", metavar="NAME")
    exp = sub.add_parser("export", help="build a year's return from the monthly loads")
    exp.add_argument("--year", type=int, required=True)
    exp.add_argument("--out", required=True, metavar="FILE.xml")
    exp.add_argument("--schema", metavar="FILE.xsd",
                     help="validate against this XSD (e.g. DfE's own) instead of the built-in one")
    exp.add_argument("--config", metavar="FILE.toml", help="census settings (data/census.toml)")
    exp.add_argument("--produced-by", metavar="NAME",
                     help="who produced it (the audit trail; default: your user name)")
    rep = sub.add_parser("report", help="readiness: completeness, errors and queries, figures")
    rep.add_argument("--year", type=int, required=True)
    rep.add_argument("--format", choices=("table", "json"), default="table")
    rep.add_argument("--as-at", metavar="YYYY-MM", help="take the census at the end of this month")
    rep.add_argument("--source", choices=("auto", "monthly", "import"), default="auto")
    rep.add_argument("--config", metavar="FILE.toml")
    return p


def _who(given: str | None) -> str:
    if given:
        return given
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - containers without a user name
        return "cli"


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    from census.config import CensusConfigError, load_config
    from census.service import CensusError
    from census.xmlio import ReturnRejected
    from store import StoreBusy, StoreError, connect, default_db_path

    db = Path(args.db) if args.db else default_db_path()
    as_at = None
    if getattr(args, "as_at", None):
        try:
            as_at = date.fromisoformat(args.as_at + "-01")
        except ValueError:
            parser.error(f"--as-at {args.as_at!r} is not a month YYYY-MM")
    if args.command == "import" and not Path(args.file).is_file():
        parser.error(f"no such file: {args.file}")
    try:
        config = load_config(getattr(args, "config", None)) if args.command != "import" else None
    except CensusConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    con = None
    try:
        con = connect(db, read_only=args.command == "report" and db.exists())
        return _run(args, con, config, as_at)
    except ReturnRejected as exc:
        print(f"{getattr(args, 'file', 'return')}: not imported — {exc}", file=sys.stderr)
        return 1
    except StoreBusy as exc:  # before StoreError: it is one
        print(f"busy: {exc}", file=sys.stderr)
        return 3
    except (CensusError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if con is not None:
            con.close()


def _run(args: argparse.Namespace, con, config, as_at: date | None) -> int:
    from census import report as R
    from census import service

    if args.command == "import":
        outcome = service.import_return(con, path=args.file, year=args.year,
                                        imported_by=_who(args.imported_by))
        print(outcome.summary())
        for gap in outcome.gaps[:50]:
            print(f"GAP {gap}", file=sys.stderr)
        if len(outcome.gaps) > 50:
            print(f"GAP ... and {len(outcome.gaps) - 50} more", file=sys.stderr)
        return 0
    if args.command == "export":
        outcome = service.export_return(con, year=args.year, out=args.out, config=config,
                                        schema_file=args.schema,
                                        produced_by=_who(args.produced_by))
        print(outcome.summary(), file=sys.stdout if outcome.written else sys.stderr)
        for err in outcome.schema_errors:
            print(f"SCHEMA {err}", file=sys.stderr)
        return 0 if outcome.written else 1
    rep = R.report(con, year=args.year, config=config, as_at=as_at, source=args.source)
    if args.format == "json":
        print(json.dumps(rep.to_dict(), indent=2, default=str))
    else:
        print(R.as_table(rep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
