-- Migration 1: the baseline, i.e. the schema written by the dashboard before numbered migrations
-- (workforce tables and ledger from ingest/store.py, the tracker's rec_ tables from
-- recommendations/store.py, the benchmark tables from metrics/benchmarks.py), verbatim.
-- Every statement is IF NOT EXISTS, so a store written by that version adopts it unchanged.

-- ===== workforce data and the load ledger =====

CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;

-- The load ledger: one row per successful load of a period (rejected files write nothing).
CREATE TABLE IF NOT EXISTS loads (
    load_id        INTEGER PRIMARY KEY,
    period         DATE NOT NULL,          -- first day of the reporting month
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    rows_staff     INTEGER NOT NULL,
    rows_leavers   INTEGER NOT NULL,
    rows_vacancies INTEGER NOT NULL,
    rows_training  INTEGER NOT NULL,
    rows_survey    INTEGER NOT NULL,
    loaded_by      VARCHAR NOT NULL,
    loaded_at      TIMESTAMP NOT NULL,
    outcome        VARCHAR NOT NULL,       -- 'loaded' (first for the period) or 'replaced'
    warnings       VARCHAR,                -- JSON list of {sheet,row,column,value,message}
    active         BOOLEAN NOT NULL        -- true for the load whose rows are the period's data now
);

CREATE TABLE IF NOT EXISTS staff (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    employee_id             VARCHAR NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    worker_type             VARCHAR NOT NULL,   -- Permanent | Fixed-term | Casual | Agency
    fte                     DOUBLE NOT NULL,
    start_date              DATE NOT NULL,
    cases                   INTEGER,            -- NULL = holds no cases
    absence_days            DOUBLE,
    gender                  VARCHAR,            -- Female | Male | Other | Not known
    ethnicity               VARCHAR,            -- White | Mixed | Asian | Black | Other | Not known
    age                     INTEGER,            -- whole years at month end (from date_of_birth or age)
    disability              VARCHAR,            -- Y | N | Not known
    lives_in_county         BOOLEAN,
    converted_from_agency   BOOLEAN
);

CREATE TABLE IF NOT EXISTS leavers (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    employee_id             VARCHAR NOT NULL,
    leave_date              DATE NOT NULL,
    reason                  VARCHAR NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    worker_type             VARCHAR NOT NULL,
    fte                     DOUBLE NOT NULL,
    start_date              DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS vacancies (
    period                  DATE NOT NULL,
    load_id                 INTEGER NOT NULL,
    team                    VARCHAR NOT NULL,
    service                 VARCHAR NOT NULL,
    role_group              VARCHAR NOT NULL,
    qualified_social_worker BOOLEAN NOT NULL,
    vacant_fte              DOUBLE NOT NULL,
    covered_by_agency_fte   DOUBLE NOT NULL
);

CREATE TABLE IF NOT EXISTS training (
    period          DATE NOT NULL,
    load_id         INTEGER NOT NULL,
    employee_id     VARCHAR NOT NULL,
    course          VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    completed_date  DATE NOT NULL
);

CREATE TABLE IF NOT EXISTS survey (
    period       DATE NOT NULL,
    load_id      INTEGER NOT NULL,
    team         VARCHAR NOT NULL,     -- a team name or 'All'
    measure      VARCHAR NOT NULL,
    score        DOUBLE NOT NULL,      -- 0-100
    respondents  INTEGER
);

-- Audit trail of sign-ins, loads and edits (who did what, when). Append-only.
CREATE TABLE IF NOT EXISTS audit_log (
    "at"     TIMESTAMP NOT NULL,   -- quoted: AT is a keyword in DuckDB 2
    actor    VARCHAR NOT NULL,
    role     VARCHAR,
    action   VARCHAR NOT NULL,      -- e.g. 'sign-in', 'load', 'edit'
    detail   VARCHAR                -- JSON
);

CREATE TABLE IF NOT EXISTS schema_info (key VARCHAR PRIMARY KEY, value VARCHAR);
-- ===== scrutiny recommendations tracker =====

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
-- ===== published benchmark files =====

CREATE SEQUENCE IF NOT EXISTS benchmark_import_seq START 1;
CREATE TABLE IF NOT EXISTS benchmark_imports (
    import_id    INTEGER PRIMARY KEY,
    kind         VARCHAR NOT NULL,      -- dfe_indicators | sn_model | ons_ethnicity
    scope        VARCHAR,               -- ons_ethnicity: national | regional | local authority
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    rows         INTEGER NOT NULL,
    imported_by  VARCHAR NOT NULL,
    imported_at  TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS dfe_indicators (
    import_id        INTEGER NOT NULL,
    year             INTEGER NOT NULL,     -- time_period: the 30 September of that year
    geographic_level VARCHAR NOT NULL,     -- National | Regional | Local authority
    country_code     VARCHAR,
    region_code      VARCHAR,
    region_name      VARCHAR,
    old_la_code      VARCHAR,
    new_la_code      VARCHAR,
    la_name          VARCHAR,
    indicator        VARCHAR NOT NULL,
    value            DOUBLE,               -- NULL where DfE shows a marker
    marker           VARCHAR               -- x / z / c / u / low ... as published
);
CREATE TABLE IF NOT EXISTS sn_model (
    import_id        INTEGER NOT NULL,
    old_la_code      VARCHAR NOT NULL,
    la_name          VARCHAR NOT NULL,
    region_name      VARCHAR,
    rank             INTEGER NOT NULL,     -- 1 = closest neighbour
    sn_old_la_code   VARCHAR NOT NULL,
    closeness        VARCHAR
);
CREATE TABLE IF NOT EXISTS ons_ethnicity (
    import_id        INTEGER NOT NULL,
    area_level       VARCHAR NOT NULL,     -- national | regional | local authority
    area_code        VARCHAR NOT NULL,
    area_name        VARCHAR NOT NULL,
    category_code    INTEGER NOT NULL,
    category         VARCHAR NOT NULL,
    ethnic_group     VARCHAR NOT NULL,     -- White | Mixed | Asian | Black | Other
    observation      BIGINT NOT NULL
);
