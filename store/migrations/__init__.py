"""Numbered schema migrations, applied in id order in one transaction when a store is opened.

Adding a migration = adding ONE file here named `mNNNN_short_name.sql` or `mNNNN_short_name.py`
(NNNN = its id, zero-padded). A `.sql` file is run as-is (several statements are fine); a `.py`
file defines `apply(con)` (for data moves that need Python) and may set `NAME`. The runner finds
every such file; nothing else needs editing.

Why ids (not one "version" number): several people add migrations at the same time on separate
branches. The store records every id it has applied (table `schema_migrations`), the runner applies
every known id not yet applied, in id order, and the store's version is its highest applied id.
A store holding an id this code does not know was written by a newer dashboard: it is refused
(`NewerStoreError`), never guessed at.

Reserved id ranges (keep to yours; ask before taking another range):
     1-9   store      (1 = baseline: the schema before migrations existed)
    10-19  metrics    (declarations, aggregates)
    20-29  census     (CSWW census items)
    30-39  agency     (agency assignments)
    40-49  badinput   (bounded parsing, provenance of changed values)
    50-59  signin     (OIDC sign-in, people in the audit trail)
    60-69  disclosure (what meeting packs hid, and why; what packs freeze beside each figure)
    80-89  speed      (stored metric values)

Rules: a landed migration is never edited (write a new one); each must work on a store at the
version before it, holding real data; DuckDB DDL is transactional, so a failure leaves the store
exactly as it was.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from typing import Any

import duckdb

_FILE = re.compile(r"^m(\d{4})_([a-z0-9_]+)\.(sql|py)$")
# one migration run at a time per process (threads of the dashboard open the store together)
_LOCK = threading.Lock()

LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER PRIMARY KEY,   -- the migration's number (its file name mNNNN_...)
    label      VARCHAR NOT NULL,      -- its short name, from the file name
    applied_at TIMESTAMP NOT NULL     -- UTC
);
"""


class MigrationError(RuntimeError):
    """A migration could not be applied; the store is unchanged."""


class NewerStoreError(MigrationError):
    """The store was written by a newer version of the dashboard (it has migrations this code lacks)."""


@dataclass(frozen=True, kw_only=True)
class Migration:
    id: int
    name: str
    apply: Callable[[Any], None]


def _sql_runner(text: str) -> Callable[[Any], None]:
    def run(con: Any) -> None:
        con.execute(text)
    return run


def discover() -> tuple[Migration, ...]:
    """Every migration file in this package, in id order (duplicate ids are a programming error)."""
    found: dict[int, Migration] = {}
    for entry in resources.files(__package__).iterdir():
        m = _FILE.match(entry.name)
        if not m:
            continue
        mid, name, kind = int(m.group(1)), m.group(2), m.group(3)
        if mid in found:
            raise MigrationError(f"two migrations share id {mid}: {found[mid].name} and {name}")
        if kind == "sql":
            found[mid] = Migration(id=mid, name=name, apply=_sql_runner(entry.read_text("utf-8")))
        else:
            module = importlib.import_module(f"{__package__}.{entry.name[:-3]}")
            found[mid] = Migration(id=mid, name=getattr(module, "NAME", name), apply=module.apply)
    return tuple(found[k] for k in sorted(found))


MIGRATIONS: tuple[Migration, ...] = discover()
LATEST: int = MIGRATIONS[-1].id


def applied_ids(con: Any) -> list[int]:
    """Ids recorded in the store ([] for a store from before migrations, or a new one)."""
    try:
        return [int(r[0]) for r in con.execute("SELECT id FROM schema_migrations ORDER BY id").fetchall()]
    except duckdb.CatalogException:
        return []


def schema_version(con: Any) -> int:
    """The store's version: its highest applied migration id (0 = none applied)."""
    ids = applied_ids(con)
    return max(ids) if ids else 0


def _check_not_newer(ids: list[int]) -> None:
    known = {m.id for m in MIGRATIONS}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise NewerStoreError(
            "This store was written by a newer version of the dashboard: it has schema "
            f"migration(s) {', '.join(map(str, unknown))}, which this version ({LATEST}) does not "
            "know. Install the newer version (or use a store written by this one); nothing was "
            "changed."
        )


def pending(con: Any) -> list[Migration]:
    """Known migrations not yet applied, in id order; raises NewerStoreError for a newer store."""
    ids = applied_ids(con)
    _check_not_newer(ids)
    done = set(ids)
    return [m for m in MIGRATIONS if m.id not in done]


def migrate(con: Any) -> list[int]:
    """Bring the store to this code's schema: apply every pending migration in one transaction.

    Returns the ids applied ([] when already current). Refuses a newer store (NewerStoreError);
    any failure rolls everything back and raises MigrationError naming the migration.
    """
    if not pending(con):
        return []
    with _LOCK:
        con.execute("BEGIN TRANSACTION")
        todo: list[Migration] = []
        current: Migration | None = None
        try:
            con.execute(LEDGER_DDL)
            todo = pending(con)
            for m in todo:
                current = m
                m.apply(con)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                            [m.id, m.name, datetime.now(timezone.utc).replace(tzinfo=None)])
            con.execute("COMMIT")
        except NewerStoreError:
            con.execute("ROLLBACK")
            raise
        except Exception as exc:
            try:
                con.execute("ROLLBACK")
            except duckdb.Error:
                pass
            which = (f"migration {current.id} ({current.name})" if current is not None
                     else "the migration ledger")
            raise MigrationError(
                f"The store could not be upgraded: {which} failed ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:200]}); nothing was changed."
            ) from exc
    return [m.id for m in todo]
