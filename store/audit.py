"""The one audit trail: who did what, when (sign-ins, loads, tracker edits, imports). Append-only.

Why one table: a reviewer asking "what did this person do" reads one place. `actor` is the person
(email or preferred user name, or the command-line user), `actor_subject` their OIDC subject id
when signed in by OIDC, `role` the role they acted in (NULL on the command line). Times are UTC.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd


def utc_now() -> datetime:
    """Now in UTC, naive (how the store keeps every timestamp)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def record_audit(con: Any, *, actor: str, role: str | None, action: str,
                 detail: dict | None = None, subject: str | None = None,
                 entity: str | None = None, entity_id: int | None = None,
                 at: datetime | None = None) -> int:
    """Append one entry; the caller owns the transaction. Returns the entry's id.

    `detail` is stored as JSON; `entity`/`entity_id` name the record changed, if any.
    """
    row = con.execute(
        'INSERT INTO audit ("at", actor, actor_subject, role, action, entity, entity_id, detail) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [at or utc_now(), actor, subject, role, action, entity, entity_id,
         json.dumps(detail or {}, default=str)],
    ).fetchall()[0]
    return int(row[0])


def audit_frame(con: Any, *, limit: int = 200, entity_prefix: str | None = None) -> pd.DataFrame:
    """The newest `limit` entries (newest first), optionally only those about records whose table
    name starts with `entity_prefix` (e.g. 'rec_' for the tracker)."""
    where, params = "", []
    if entity_prefix is not None:
        where, params = "WHERE starts_with(entity, ?)", [entity_prefix]
    return con.execute(
        'SELECT id, "at", actor, actor_subject, role, action, entity, entity_id, detail '  # noqa: S608
        f"FROM audit {where} ORDER BY id DESC LIMIT ?", [*params, int(limit)],
    ).df()


def audit_version(con: Any, *, entity_prefix: str | None = None) -> str:
    """Changes whenever an entry is added (about `entity_prefix` records, if given): a cache key."""
    where, params = "", []
    if entity_prefix is not None:
        where, params = "WHERE starts_with(entity, ?)", [entity_prefix]
    row = con.execute(f"SELECT count(*), max(id) FROM audit {where}", params).fetchall()[0]  # noqa: S608
    return f"{row[0]}:{row[1]}"


# --- the spool: audit entries the store was too busy to take -------------------------------------
#
# Why: a command-line load holds DuckDB's write lock for its whole transaction, and a dashboard
# sign-in, sign-out, denial or export during it must not go unrecorded (the trail names the person,
# DESIGN §7). After its bounded wait the dashboard appends the entry to a small file beside the
# store (`<store>.audit-spool`, mode 0600, one JSON object a line, nothing of the ID token but the
# person's name and subject id), and the next process that opens the store for writing copies it
# into `audit` in order and removes the file. Each spooled entry carries a random id (`detail.spool`)
# so a crash between the copy's COMMIT and the file's removal cannot record it twice.

SPOOL_SUFFIX = ".audit-spool"


class AuditSpoolError(OSError):
    """An audit entry could be written neither to the store nor to its spool file."""


def spool_path(db: str | Path) -> Path:
    """The spool file beside the store `db`."""
    db = Path(db)
    return db.with_name(db.name + SPOOL_SUFFIX)


@contextmanager
def _locked_spool(path: Path, *, create: bool) -> Iterator[int | None]:
    """The spool file open and exclusively locked (flock: other threads and processes wait), or
    None when it does not exist and `create` is false. Re-opens when the file was removed by a
    drain while this waited for the lock (so nothing is appended to a removed file)."""
    while True:
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            if create:
                raise
            yield None
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(path))
            except FileNotFoundError:
                same = False
            if same:
                os.fchmod(fd, 0o600)
                yield fd
                return
        finally:
            os.close(fd)  # also releases the lock


def spool_audit(db: str | Path, *, actor: str, role: str | None, action: str,
                detail: dict | None = None, subject: str | None = None,
                entity: str | None = None, entity_id: int | None = None,
                at: datetime | None = None) -> str:
    """Keep one entry in the spool beside `db` (the store is busy); returns its spool id.

    Written with one append and fsync'd before returning, so a caller may go ahead with the
    action once this returns. AuditSpoolError when the file cannot be written."""
    spool_id = uuid.uuid4().hex
    entry = {"at": (at or utc_now()).isoformat(), "actor": actor, "subject": subject, "role": role,
             "action": action, "entity": entity, "entity_id": entity_id,
             "detail": {**(detail or {}), "spool": spool_id}}
    line = (json.dumps(entry, default=str, ensure_ascii=True) + "\n").encode("ascii")
    path = spool_path(db)
    try:
        with _locked_spool(path, create=True) as fd:
            os.write(fd, line)
            os.fsync(fd)
    except OSError as exc:
        raise AuditSpoolError(f"could not keep the audit entry in {path}: {exc}") from exc
    return spool_id


def _spooled_entries(text: str) -> list[dict]:
    """The spool's entries in order; a damaged line (a write cut short) becomes an entry saying so."""
    entries = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
            entry["at"] = datetime.fromisoformat(entry["at"])
            if not isinstance(entry.get("detail"), dict) or "spool" not in entry["detail"]:
                raise ValueError("no spool id")
        except (ValueError, KeyError, TypeError):
            entry = {"at": utc_now(), "actor": "workforce dashboard", "subject": None, "role": None,
                     "action": "audit spool damaged", "entity": None, "entity_id": None,
                     "detail": {"line": n, "text": raw[:2000],
                                "spool": hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()}}
        entries.append(entry)
    return entries


def drain_spool(con: Any, db: str | Path) -> int:
    """Copy the spool beside `db` into `audit` (in order, in one transaction) and remove it; returns
    how many entries were added. Entries already in `audit` (same spool id) are skipped, so each is
    recorded exactly once. `con` must be a connection to `db` with no transaction open."""
    path = spool_path(db)
    try:
        if os.stat(path).st_size == 0:
            return 0
    except FileNotFoundError:
        return 0
    with _locked_spool(path, create=False) as fd:
        if fd is None:
            return 0
        with os.fdopen(os.dup(fd), "rb") as f:
            f.seek(0)
            entries = _spooled_entries(f.read().decode("utf-8", "replace"))
        ids = [e["detail"]["spool"] for e in entries]
        added = 0
        con.execute("BEGIN TRANSACTION")
        try:
            seen = {r[0] for r in con.execute(
                "SELECT json_extract_string(detail, '$.spool') FROM audit "
                "WHERE json_extract_string(detail, '$.spool') IN (SELECT unnest(?))", [ids]).fetchall()}
            for e in entries:
                if e["detail"]["spool"] in seen:
                    continue
                record_audit(con, actor=e["actor"], role=e.get("role"), action=e["action"],
                             detail=e["detail"], subject=e.get("subject"), entity=e.get("entity"),
                             entity_id=e.get("entity_id"), at=e["at"])
                seen.add(e["detail"]["spool"])
                added += 1
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        os.unlink(path)  # still under the lock: an appender waiting for it re-opens a new file
    return added
