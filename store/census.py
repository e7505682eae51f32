"""Census tables: imported CSWW returns, their figures, and the reads the census export needs.

Why here: SQL lives in store/ and metrics/ only. census/ (above) turns returns into rows and back;
this module writes and reads them, each write in one transaction with its own ledger row
(`census_returns`, never the monthly `loads`) and an audit entry.

Personal data: registration numbers live in `staff_restricted` and `census_items_restricted`. Only `restricted_rows` and `restricted_return_items` read them, and
both demand a purpose the census export or HR's data quality has. The one other reader is the
agency cool-off check (`metrics.agency.read_employment`), which joins them only to match a person
and never returns them in any output.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd

from store.audit import record_audit

#: who may read the registration numbers
RESTRICTED_PURPOSES = ("census-export", "hr-data-quality")


class RestrictedReadError(PermissionError):
    """A read of the HR-only registration numbers for a purpose that may not have it."""


@dataclass(frozen=True)
class SavedReturn:
    return_id: int
    outcome: str  # imported | replaced | unchanged
    year: int


@contextmanager
def _transaction(con: Any) -> Iterator[Any]:
    """A cursor in one transaction: committed when the block ends, rolled back on any error."""
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        yield cur
        cur.execute("COMMIT")
    except Exception:
        try:
            cur.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - the transaction may already be gone
            pass
        raise
    finally:
        cur.close()


def _insert_figures(cur: Any, table: str, key: int, year: int, figures: pd.DataFrame) -> None:
    """Figures rows (measure, metric_id, value, numerator, denominator) of return `key`."""
    if not len(figures):
        return
    view = f"_{table}_{key}"
    cur.register(view, figures[["measure", "metric_id", "value", "numerator", "denominator"]])
    cur.execute(f"INSERT INTO {table} SELECT ?::INTEGER, ?::INTEGER, measure, "  # noqa: S608
                f"metric_id, value, numerator, denominator FROM {view}", [key, year])
    cur.unregister(view)


def _check_purpose(purpose: str) -> None:
    if purpose not in RESTRICTED_PURPOSES:
        raise RestrictedReadError(
            f"Registration numbers are read only for "
            f"{' or '.join(RESTRICTED_PURPOSES)}, not {purpose!r}.")


def save_return(con: Any, *, year: int, lea: str | None, file_name: str, sha256: str,
                workers: int, items: pd.DataFrame, restricted: pd.DataFrame,
                figures: pd.DataFrame, gaps: list[str], imported_by: str) -> SavedReturn:
    """Store an imported return as `year`'s snapshot, replacing that year's earlier import.

    `items` / `restricted`: columns record, item, seq, value (record 0 = LA-level block);
    `figures`: measure, metric_id, value, numerator, denominator. One transaction.
    """
    with _transaction(con) as cur:
        live = cur.execute("SELECT return_id, sha256 FROM census_returns WHERE year = ? AND active",
                           [year]).fetchall()
        if live and live[0][1] == sha256:
            return SavedReturn(int(live[0][0]), "unchanged", year)  # nothing written
        return_id = int(cur.execute("SELECT nextval('census_return_seq')").fetchone()[0])
        outcome = "replaced" if live else "imported"
        if live:
            old = [r[0] for r in cur.execute(
                "SELECT return_id FROM census_returns WHERE year = ?", [year]).fetchall()]
            for table in ("census_items", "census_items_restricted", "census_figures"):
                cur.execute(f"DELETE FROM {table} WHERE return_id IN "  # noqa: S608
                            f"(SELECT unnest(?::INTEGER[]))", [old])
            cur.execute("UPDATE census_returns SET active = false WHERE year = ?", [year])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        cur.execute(
            "INSERT INTO census_returns (return_id, year, lea, file_name, sha256, workers, "
            "imported_by, imported_at, outcome, gaps, active) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)",
            [return_id, year, lea, file_name, sha256, workers, imported_by, now, outcome,
             json.dumps(gaps)])
        for table, frame in (("census_items", items), ("census_items_restricted", restricted)):
            if len(frame):
                view = f"_census_{table}_{return_id}"
                cur.register(view, frame[["record", "item", "seq", "value"]])
                cur.execute(f"INSERT INTO {table} SELECT ?::INTEGER, record, item, seq, value "  # noqa: S608
                            f"FROM {view}", [return_id])
                cur.unregister(view)
        _insert_figures(cur, "census_figures", return_id, year, figures)
        record_audit(cur, actor=imported_by, role=None, action="census-import", at=now,
                     entity="census_return", entity_id=str(return_id),
                     detail={"return_id": return_id, "year": year, "file_name": file_name,
                             "sha256": sha256, "outcome": outcome, "workers": workers,
                             "gaps": len(gaps)})
    return SavedReturn(return_id, outcome, year)


def returns(con: Any) -> pd.DataFrame:
    """The census ledger: every imported return, live ones marked `active`, newest first."""
    return con.execute(
        "SELECT return_id, year, lea, file_name, sha256, workers, imported_by, imported_at, "
        "outcome, gaps, active FROM census_returns ORDER BY year DESC, return_id DESC").df()


def live_return(con: Any, *, year: int) -> tuple[dict, pd.DataFrame] | None:
    """(ledger row, items) of `year`'s live imported return (no restricted items), or None."""
    meta = con.execute("SELECT return_id, year, lea, file_name, gaps FROM census_returns "
                       "WHERE year = ? AND active", [year]).df()
    if meta.empty:
        return None
    row = meta.iloc[0].to_dict()
    items = con.execute("SELECT record, item, seq, value FROM census_items WHERE return_id = ? "
                        "ORDER BY record, item, seq", [int(row["return_id"])]).df()
    return row, items


def restricted_return_items(con: Any, *, return_id: int, purpose: str) -> pd.DataFrame:
    """The restricted items (SWENo) of an imported return, for `purpose`."""
    _check_purpose(purpose)
    return con.execute("SELECT record, item, seq, value FROM census_items_restricted "
                       "WHERE return_id = ? ORDER BY record, item, seq", [return_id]).df()


def save_produced(con: Any, *, year: int, sha256: str, workers: int, figures: pd.DataFrame,
                  produced_by: str) -> int:
    """Record a return the dashboard produced (exported) for `year` and its figures, replacing
    that year's earlier one; one transaction with an audit entry "census-export". Returns its id."""
    with _transaction(con) as cur:
        produced_id = int(cur.execute("SELECT nextval('census_produced_seq')").fetchone()[0])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        cur.execute("UPDATE census_produced SET active = false WHERE year = ?", [year])
        cur.execute("DELETE FROM census_produced_figures WHERE year = ?", [year])
        cur.execute("INSERT INTO census_produced (produced_id, year, sha256, workers, produced_by, "
                    "produced_at, active) VALUES (?, ?, ?, ?, ?, ?, true)",
                    [produced_id, year, sha256, workers, produced_by, now])
        _insert_figures(cur, "census_produced_figures", produced_id, year, figures)
        record_audit(cur, actor=produced_by, role=None, action="census-export", at=now,
                     entity="census_produced", entity_id=str(produced_id),
                     detail={"produced_id": produced_id, "year": year, "sha256": sha256,
                             "workers": workers})
    return produced_id


#: where a census figure came from (`census_figures` column `source`)
IMPORTED, PRODUCED = "imported return", "produced from the monthly loads"


def census_figures(con: Any, *, metric_ids: list[str] | None = None) -> pd.DataFrame:
    """Figures of every census year: year, reference date (30 Sept), measure, metric_id, value,
    numerator, denominator, source. A year's live imported return, else the latest return the
    dashboard produced for it (IMPORTED / PRODUCED).

    The trends draw these as annual census points beside the monthly ones.
    """
    frame = con.execute(
        "SELECT f.year, make_date(f.year, 9, 30) AS reference_date, f.measure, f.metric_id, "
        "f.value, f.numerator, f.denominator, ? AS source FROM census_figures f "
        "JOIN census_returns r ON r.return_id = f.return_id AND r.active "
        "UNION ALL "
        "SELECT f.year, make_date(f.year, 9, 30), f.measure, f.metric_id, f.value, f.numerator, "
        "f.denominator, ? FROM census_produced_figures f "
        "JOIN census_produced p ON p.produced_id = f.produced_id AND p.active "
        "WHERE f.year NOT IN (SELECT year FROM census_returns WHERE active) "
        "ORDER BY 3, 1", [IMPORTED, PRODUCED]).df()
    if metric_ids is not None:
        frame = frame[frame["metric_id"].isin(metric_ids)].reset_index(drop=True)
    return frame


def monthly_rows(con: Any, *, first: date, last: date) -> dict[str, pd.DataFrame]:
    """The live monthly rows the census year needs: qualified social workers' staff and leaver
    rows of every month from `first` to `last` (first days of months), their vacancies of `last`.
    (The census counts qualified social workers only; reading no other rows keeps a large
    authority's year quick.)"""
    staff = con.execute("SELECT * FROM staff WHERE period BETWEEN ? AND ? "
                        "AND qualified_social_worker ORDER BY period, employee_id",
                        [first, last]).df()
    leavers = con.execute("SELECT * FROM leavers WHERE period BETWEEN ? AND ? "
                          "AND qualified_social_worker ORDER BY period, employee_id",
                          [first, last]).df()
    vacancies = con.execute("SELECT * FROM vacancies WHERE period = ? AND qualified_social_worker",
                            [last]).df()
    return {"staff": staff, "leavers": leavers, "vacancies": vacancies}


def restricted_rows(con: Any, *, first: date, last: date, purpose: str) -> pd.DataFrame:
    """Latest registration number per employee in the months given."""
    _check_purpose(purpose)
    return con.execute(
        "SELECT employee_id, arg_max(swe_number, period) AS swe_number FROM staff_restricted "
        "WHERE period BETWEEN ? AND ? GROUP BY employee_id ORDER BY employee_id",
        [first, last]).df()


def loaded_months(con: Any, *, first: date, last: date) -> list[date]:
    """Months with a live monthly load between `first` and `last`."""
    rows = con.execute("SELECT DISTINCT period FROM loads WHERE active AND period BETWEEN ? AND ? "
                       "ORDER BY period", [first, last]).fetchall()
    return [r[0] for r in rows]
