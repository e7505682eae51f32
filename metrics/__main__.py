"""Command line: the dashboard's figures without the dashboard.

    python -m metrics --period YYYY-MM [--scope social_workers|all_staff]
                      [--by service|team|role_group] [--format json|csv|table] [--db PATH] [--history]
                      [--suppress]

Why: analysts check and script the same numbers the pages show (same catalogue, same SQL,
same targets). Rates are fractions 0..1. Bad arguments exit 2 with a message saying what to do.
--history prints every loaded period up to --period (or all when --period is omitted).
--refresh recomputes the metric aggregates kept in the store (every load refreshes them itself).

--suppress applies the disclosure policy (disclosure.disclose, data/disclosure.toml, as the
dashboard does for scrutiny and for every download): a figure resting on fewer people than the
threshold (5 unless the rules file says otherwise: 1-4 people), and any figure that would give
one away, is "c" (a JSON string), with a year-on-year change or year-ago
value hidden when the year-ago figure was. It is off by default: whoever runs this command reads
the store file itself, and the command exists to check figures exactly; use --suppress for any
output that is to be shared. Without it, csv/json output carries a reminder on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from metrics import catalogue, engine
from metrics.types import BREAKDOWNS, SCOPES, MetricError
from store import BUSY_HELP
from store.periods import year_ago

FIELDS = ("value", "numerator", "denominator", "months_covered", "partial", "base_count",
          "target", "status", "year_ago_value", "change_on_year")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m metrics",
        description="Workforce measures (DESIGN §4) for a month, with targets and status.",
        epilog="exit codes: 0 done; 2 bad arguments or no store; " + BUSY_HELP,
    )
    ap.add_argument("--period", help="reporting month YYYY-MM (required unless --history)")
    ap.add_argument("--scope", choices=SCOPES, default="social_workers")
    ap.add_argument("--by", choices=BREAKDOWNS, default=None, help="break down by this column")
    ap.add_argument("--format", choices=("json", "csv", "table"), default="json")
    ap.add_argument("--db", type=Path, default=None, help="store path (default: $WORKFORCE_DB or data/workforce.duckdb)")
    ap.add_argument("--history", action="store_true", help="every loaded period up to --period")
    ap.add_argument("--metric", action="append", dest="metrics", default=None,
                    help="only this metric id (repeatable)")
    ap.add_argument("--refresh", action="store_true",
                    help="recompute the metric aggregates kept in the store (every load does this "
                         "itself; use after rows were written some other way) and exit")
    ap.add_argument("--suppress", action=argparse.BooleanOptionalAction, default=False,
                    help='small-number suppression: figures resting on fewer people than the '
                         "disclosure threshold (5 by default, data/disclosure.toml), and any figure "
                         'that would give one away, show as "c" (use for anything shared)')
    return ap


#: decimal places of every number the command prints (JSON, CSV, table): the engine's sums of
#: FTE run in parallel and their last binary digits differ between runs (12.100000000000001 one
#: run, 12.1 the next), so every figure is written to 6 places, as the JSON always was (far finer
#: than any figure is shown: FTE to 1 place, percentages to 1), and two runs on one store print
#: the same bytes
DECIMALS = 6


def _number(value: Any) -> Any:
    """A float to DECIMALS places (-0.0 as 0.0); anything else as it is."""
    if isinstance(value, float) and not math.isnan(value):
        return round(value, DECIMALS) + 0.0
    return value


def _clean(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else _number(value)
    return value


def _metric_block(rows: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in rows.to_dict("records"):
        entry = {f: _clean(r[f]) for f in FIELDS}
        m = catalogue.get(r["metric_id"])
        entry["theme"] = m.theme
        entry["unit"] = m.unit
        out[r["metric_id"]] = entry
    return out


def _period_block(rows: pd.DataFrame, *, by: str | None) -> dict[str, Any]:
    if by is None:
        return {"metrics": _metric_block(rows)}
    groups: dict[str, Any] = {}
    for grp, part in rows.groupby("group", sort=True, dropna=True):
        groups[str(grp)] = {"metrics": _metric_block(part)}
    return {"groups": groups}


def to_json(frame: pd.DataFrame, *, scope: str, by: str | None, period: str | None,
            history: bool) -> dict[str, Any]:
    """The documented JSON shape (one block per period when history)."""
    head: dict[str, Any] = {"scope": scope}
    if by is not None:
        head["by"] = by
    if not history:
        return {"period": period, **head, **_period_block(frame, by=by)}
    periods = {
        p.strftime("%Y-%m"): _period_block(part, by=by)
        for p, part in frame.groupby("period", sort=True)
    }
    return {**head, "periods": periods}


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the CSV and table formats print it: a month as YYYY-MM, each measure's theme,
    every number to DECIMALS places."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind == "f":
            out[col] = out[col].round(DECIMALS) + 0.0
        elif out[col].dtype == object:
            out[col] = [_number(v) for v in out[col]]
    out["period"] = [p.strftime("%Y-%m") for p in out["period"]]
    out.insert(1, "theme", [catalogue.get(m).theme for m in out["metric_id"]])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if args.refresh:
        return _refresh(args.db)
    if args.period is None and not args.history:
        ap.error("--period YYYY-MM is required (or use --history for every loaded period)")
    from store import StoreError, connect, default_db_path, report_for_cli

    db = args.db if args.db is not None else default_db_path()
    if not Path(db).is_file():
        print(f"error: no workforce store at {db}; load data with `python -m ingest` or pass --db PATH",
              file=sys.stderr)
        return 2
    try:
        con = connect(db, read_only=True)
    except StoreError as exc:
        return report_for_cli(exc)
    try:
        if args.history:
            end = engine._require_period(con, args.period) if args.period else None
            frame = engine.evaluate_history(con, scope=args.scope, by=args.by,
                                            metric_ids=args.metrics, end=end)
            period = end.strftime("%Y-%m") if end else None
            if args.suppress:
                frame = suppress(frame, con=con, scope=args.scope, by=args.by)
        else:
            p = engine._require_period(con, args.period)
            if args.suppress:
                # the year-ago rows are needed to know whether a change would give one away
                hist = engine.evaluate_history(con, scope=args.scope, by=args.by,
                                               metric_ids=args.metrics, end=p)
                hist = suppress(hist, con=con, scope=args.scope, by=args.by, months=(p, year_ago(p)))
                frame = hist[pd.to_datetime(hist["period"]) == pd.Timestamp(p)].reset_index(drop=True)
            else:
                frame = engine.evaluate(con, period=p, scope=args.scope, by=args.by,
                                        metric_ids=args.metrics)
            period = p.strftime("%Y-%m")
    except MetricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        con.close()

    if not args.suppress and args.format in ("csv", "json"):
        print("note: exact figures, not suppressed; use --suppress for anything shared.", file=sys.stderr)
    try:
        _write(frame, args=args, period=period)
    except BrokenPipeError:  # e.g. piped into `head`: not an error of ours
        sys.stderr.close()
    return 0


def _refresh(db: Path | None) -> int:
    """Recompute every stored aggregate in one transaction (nothing changes if it fails)."""
    from metrics import aggregates, engine
    from store import StoreError, connect, default_db_path

    path = db if db is not None else default_db_path()
    if not Path(path).is_file():
        print(f"error: no workforce store at {path}", file=sys.stderr)
        return 2
    try:
        con = connect(path)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        con.execute("BEGIN TRANSACTION")
        done = aggregates.refresh(con, full=True)
        values = engine.refresh_values(con, full=True)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    print(f"metric aggregates recomputed for {len(done['periods'])} month(s): {done['rows']} rows; "
          f"stored metric values: {values} rows")
    return 0


def suppress(frame: pd.DataFrame, *, con=None, scope: str | None = None, by: str | None = None,
             months=None) -> pd.DataFrame:
    """The engine's frame as it may be published (the disclosure policy, data/disclosure.toml).

    Why here as well as in the dashboard: the command's csv/json are an export too. The change on
    a year ago (and the year-ago value) is hidden where the year-ago figure itself was. With the
    store (`con`, `scope`): what the published measure history hides (the directorate's, or each
    service's with --by service) is hidden too, and with --by role_group what the pages' table by
    job type hides (decided for the months in `months`, or every month), so the command never
    shows what the cards and pages hide.
    """
    from disclosure import MEASURES, as_history_decides, disclose  # the command is an entry point

    if con is not None and scope is not None:
        frame = as_history_decides(con, frame, scope=scope, by=by, months=months)
    out = disclose(frame, MEASURES).published
    out.attrs = {}
    return out


def _write(frame: pd.DataFrame, *, args: argparse.Namespace, period: str | None) -> None:
    if args.format == "json":
        doc = to_json(frame, scope=args.scope, by=args.by, period=period, history=args.history)
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.format == "csv":
        from metrics.export import to_csv_bytes

        sys.stdout.write(to_csv_bytes(_flat(frame)).decode("utf-8-sig"))
    else:
        flat = _flat(frame).drop(columns=["theme", "scope"])
        with pd.option_context("display.width", 200, "display.max_rows", None,
                               "display.max_columns", None):
            sys.stdout.write(flat.to_string(index=False) + "\n")


if __name__ == "__main__":
    sys.exit(main())
