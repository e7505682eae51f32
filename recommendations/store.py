"""The tracker's tables, in the same DuckDB store as the workforce data (all prefixed rec_).

Why the same store: a recommendation's link to a measure, and a meeting pack's frozen figures,
must name the loads they came from; one file keeps that traceable and backed up together.
Why its own `ensure_schema`: ingest/ owns the workforce schema; the tracker adds its tables
beside it without touching ingest/store.py.
"""

from __future__ import annotations

import duckdb

REC_SCHEMA_VERSION = 1

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS rec_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_response_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_action_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_update_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_link_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_pack_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rec_audit_id_seq START 1;

-- One row per committee meeting.
CREATE TABLE IF NOT EXISTS rec_meetings (
    meeting_date DATE PRIMARY KEY,
    committee    VARCHAR NOT NULL
);

-- One row per recommendation (kind 'recommendation') or commitment made at a meeting
-- (kind 'commitment', e.g. the 80:20 ratio, which no recommendation carries).
CREATE TABLE IF NOT EXISTS rec_recommendations (
    rec_id         INTEGER PRIMARY KEY,
    ref            VARCHAR NOT NULL UNIQUE,  -- stable key, e.g. '2024-06-13/workforce-challenges/7'
    meeting_date   DATE NOT NULL,
    topic          VARCHAR NOT NULL,
    number         INTEGER,                  -- as printed, or the position when not printed
    number_printed BOOLEAN NOT NULL,
    kind           VARCHAR NOT NULL,         -- 'recommendation' | 'commitment'
    text           VARCHAR NOT NULL,
    source         VARCHAR NOT NULL,         -- paper it was transcribed from (or 'entered')
    note           VARCHAR,                  -- e.g. how the papers differ
    created_by     VARCHAR NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

-- Executive responses; a later response supersedes (current = true for the latest).
CREATE TABLE IF NOT EXISTS rec_responses (
    response_id  INTEGER PRIMARY KEY,
    rec_id       INTEGER NOT NULL,
    category     VARCHAR NOT NULL,   -- Accepted | Partly accepted | Rejected | Noted | Unclear | Awaited
    as_printed   VARCHAR,            -- the paper's own wording of the category
    text         VARCHAR,
    source       VARCHAR NOT NULL,
    source_date  DATE,
    note         VARCHAR,            -- disagreement between papers, transcription notes
    current      BOOLEAN NOT NULL,
    recorded_by  VARCHAR NOT NULL,
    recorded_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rec_actions (
    action_id        INTEGER PRIMARY KEY,
    rec_id           INTEGER NOT NULL,
    description      VARCHAR NOT NULL,
    owner            VARCHAR,
    due_date         DATE,            -- month-only dates ('Mar 2025') are the month's last day
    due_text         VARCHAR,         -- as printed
    success_criteria VARCHAR,
    progress         VARCHAR,
    status           VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    created_by       VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

-- Dated progress updates on an action (the timeline).
CREATE TABLE IF NOT EXISTS rec_updates (
    update_id    INTEGER PRIMARY KEY,
    action_id    INTEGER NOT NULL,
    update_date  DATE NOT NULL,
    text         VARCHAR NOT NULL,
    status_after VARCHAR NOT NULL,
    posted_by    VARCHAR NOT NULL,
    posted_at    TIMESTAMP NOT NULL
);

-- A recommendation linked to a catalogue measure it is meant to move (or asked about).
CREATE TABLE IF NOT EXISTS rec_links (
    link_id          INTEGER PRIMARY KEY,
    rec_id           INTEGER NOT NULL,
    metric_id        VARCHAR NOT NULL,
    scope            VARCHAR NOT NULL,
    breakdown        VARCHAR,        -- e.g. 'role_group' for 'split by job type'
    answers          BOOLEAN NOT NULL, -- the recommendation asked for this information
    value_when_made  DOUBLE,         -- snapshot taken when the link was made (NULL: not loaded then)
    period_when_made DATE,
    note             VARCHAR,
    created_by       VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL
);

-- Meeting packs: figures frozen for a committee meeting; never updated after publishing.
CREATE TABLE IF NOT EXISTS rec_packs (
    pack_id            INTEGER PRIMARY KEY,
    meeting_date       DATE NOT NULL,
    title              VARCHAR NOT NULL,
    scope              VARCHAR NOT NULL,
    period             DATE NOT NULL,
    definition_version VARCHAR NOT NULL,
    published_by       VARCHAR NOT NULL,
    published_at       TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS rec_pack_items (
    pack_id            INTEGER NOT NULL,
    position           INTEGER NOT NULL,
    metric_id          VARCHAR NOT NULL,
    label              VARCHAR NOT NULL,
    unit               VARCHAR NOT NULL,
    definition         VARCHAR NOT NULL,
    scope              VARCHAR NOT NULL,
    period             DATE NOT NULL,
    value              DOUBLE,
    numerator          DOUBLE,
    denominator        DOUBLE,
    months_covered     INTEGER,
    partial            BOOLEAN,
    base_count         INTEGER,
    load_ids           VARCHAR NOT NULL,   -- JSON list of the load ids the figure rests on
    definition_version VARCHAR NOT NULL,
    PRIMARY KEY (pack_id, position)
);

-- Who changed what, when (before/after as JSON). Append-only.
CREATE TABLE IF NOT EXISTS rec_audit (
    audit_id  INTEGER PRIMARY KEY,
    changed_at TIMESTAMP NOT NULL,
    actor     VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,
    action    VARCHAR NOT NULL,     -- e.g. 'add recommendation', 'record response'
    entity    VARCHAR NOT NULL,     -- table name
    entity_id INTEGER,
    before_json VARCHAR,            -- JSON or NULL
    after_json  VARCHAR             -- JSON or NULL
);

CREATE TABLE IF NOT EXISTS rec_schema_info (key VARCHAR PRIMARY KEY, value VARCHAR);
"""

TABLES: tuple[str, ...] = (
    "rec_meetings",
    "rec_recommendations",
    "rec_responses",
    "rec_actions",
    "rec_updates",
    "rec_links",
    "rec_packs",
    "rec_pack_items",
    "rec_audit",
)


def _current(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute("SELECT value FROM rec_schema_info WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return False
    return row is not None and row[0] == str(REC_SCHEMA_VERSION)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create any missing tracker tables; idempotent. A store already at this version is only
    read (so reads never write, and work on a read-only connection)."""
    if _current(con):
        return
    con.execute(SCHEMA)
    con.execute(
        "INSERT OR REPLACE INTO rec_schema_info VALUES ('schema_version', ?)",
        [str(REC_SCHEMA_VERSION)],
    )
