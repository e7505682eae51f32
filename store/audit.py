"""The one audit trail: who did what, when (sign-ins, loads, tracker edits, imports). Append-only.

Why one table: a reviewer asking "what did this person do" reads one place. `actor` is the person
(email or preferred user name, or the command-line user), `actor_subject` their OIDC subject id
when signed in by OIDC, `role` the role they acted in (NULL on the command line). Times are UTC.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
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
