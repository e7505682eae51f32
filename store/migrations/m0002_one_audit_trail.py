"""Migration 2: one audit trail.

Before: `audit_log` (sign-ins, loads, and a one-line 'edit' note per tracker edit) and `rec_audit`
(tracker edits with before/after). After: one table `audit`, every old row copied in time order
(ties: audit_log first, then each table's own order). Tracker rows keep their record (`entity`,
`entity_id`) and put before/after in `detail` as {"before": ..., "after": ...}. The old version
tables (`schema_info`, `rec_schema_info`) go too: the version lives in `schema_migrations`.

Timestamps are kept as written (UTC on the servers this has run on; new rows are UTC always).
"""

from __future__ import annotations

from typing import Any

NAME = "one_audit_trail"

_COPY = """
INSERT INTO audit (id, "at", actor, actor_subject, role, action, entity, entity_id, detail)
SELECT row_number() OVER (ORDER BY "at", src, ord) AS id,
       "at", actor, NULL, role, action, entity, entity_id, detail
FROM (
    SELECT "at", actor, role, action, NULL::VARCHAR AS entity, NULL::INTEGER AS entity_id,
           detail, 0 AS src, row_number() OVER () AS ord
    FROM audit_log
    UNION ALL
    SELECT changed_at, actor, role, action, entity, entity_id,
           '{"before": ' || coalesce(before_json, 'null') || ', "after": '
               || coalesce(after_json, 'null') || '}',
           1, audit_id
    FROM rec_audit
)
"""


def apply(con: Any) -> None:
    con.execute("""
        CREATE TABLE audit (
            id            INTEGER PRIMARY KEY,
            "at"          TIMESTAMP NOT NULL,  -- UTC; quoted: AT is a keyword in DuckDB 2
            actor         VARCHAR NOT NULL,    -- the person: email or preferred user name
            actor_subject VARCHAR,             -- their OIDC subject id, when signed in by OIDC
            role          VARCHAR,             -- the role they acted in (NULL: command line)
            action        VARCHAR NOT NULL,    -- 'sign-in', 'load', 'add recommendation', ...
            entity        VARCHAR,             -- the record changed (table), if any
            entity_id     INTEGER,
            detail        VARCHAR              -- JSON
        )""")
    con.execute(_COPY)
    last = con.execute("SELECT coalesce(max(id), 0) FROM audit").fetchall()[0][0]
    con.execute(f"CREATE SEQUENCE audit_id_seq START {int(last) + 1}")
    con.execute("ALTER TABLE audit ALTER COLUMN id SET DEFAULT nextval('audit_id_seq')")
    for stmt in ("DROP TABLE audit_log", "DROP TABLE rec_audit", "DROP SEQUENCE rec_audit_id_seq",
                 "DROP TABLE schema_info", "DROP TABLE rec_schema_info"):
        con.execute(stmt)
