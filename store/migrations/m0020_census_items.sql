-- Migration 20: the CSWW census (issue 13).
-- 1. The census items in the monthly extract: optional columns on staff and leavers (NULL for
--    every row loaded before; existing extracts keep loading).
-- 2. The HR-only table: Social Work England registration numbers, kept apart from staff; read
--    only by the census export and HR's data-quality views. (No dates of birth: the store keeps
--    age only, so the census's optional PersonBirthDate is not produced or kept.)
-- 3. Imported census returns: their own ledger (never the monthly `loads`), their items as
--    text exactly as the XML held them (restricted items apart), and the DfE figures computed
--    at import so the trends can show each 30 September beside the monthly points.
ALTER TABLE staff ADD COLUMN census_sex VARCHAR;            -- M | F (census item from 2024)
ALTER TABLE staff ADD COLUMN census_ethnicity VARCHAR;      -- one of the 18 census codes
ALTER TABLE staff ADD COLUMN qualification_level VARCHAR;   -- Under-graduate | Post-graduate | Other
ALTER TABLE staff ADD COLUMN step_up_graduate BOOLEAN;
ALTER TABLE staff ADD COLUMN frontline_graduate BOOLEAN;
ALTER TABLE staff ADD COLUMN start_origin VARCHAR;          -- census StartOrigin words
ALTER TABLE staff ADD COLUMN absent_at_month_end BOOLEAN;
ALTER TABLE staff ADD COLUMN absence_reason VARCHAR;        -- census ReasonAbsence words
ALTER TABLE staff ADD COLUMN contracted_weeks DOUBLE;
ALTER TABLE staff ADD COLUMN base_salary DOUBLE;
ALTER TABLE staff ADD COLUMN rr_payments DOUBLE;
ALTER TABLE staff ADD COLUMN other_payments DOUBLE;
ALTER TABLE leavers ADD COLUMN leaver_destination VARCHAR;    -- census LeaverDestination words
ALTER TABLE leavers ADD COLUMN census_leaving_reason VARCHAR; -- census ReasonLeave words

CREATE TABLE IF NOT EXISTS staff_restricted (
    period        DATE NOT NULL,
    load_id       INTEGER NOT NULL,
    employee_id   VARCHAR NOT NULL,
    swe_number    VARCHAR NOT NULL  -- Social Work England registration number
);

CREATE SEQUENCE IF NOT EXISTS census_return_seq START 1;
CREATE TABLE IF NOT EXISTS census_returns (
    return_id    INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,       -- census year: reference date 30 September of it
    lea          VARCHAR,
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    workers      INTEGER NOT NULL,
    imported_by  VARCHAR NOT NULL,
    imported_at  TIMESTAMP NOT NULL,     -- UTC
    outcome      VARCHAR NOT NULL,       -- imported | replaced
    gaps         VARCHAR,                -- JSON list of what the return lacks (schema, items)
    active       BOOLEAN NOT NULL        -- the year's live return
);
CREATE TABLE IF NOT EXISTS census_items (
    return_id INTEGER NOT NULL,
    record    INTEGER NOT NULL,          -- 0 = the LA-level block, else the worker record from 1
    item      VARCHAR NOT NULL,          -- XML tag
    seq       INTEGER NOT NULL,          -- occurrence (items that may repeat)
    value     VARCHAR NOT NULL           -- text exactly as in the XML
);
CREATE TABLE IF NOT EXISTS census_items_restricted (
    return_id INTEGER NOT NULL,
    record    INTEGER NOT NULL,
    item      VARCHAR NOT NULL,          -- SWENo
    seq       INTEGER NOT NULL,
    value     VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS census_figures (
    return_id   INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    measure     VARCHAR NOT NULL,        -- census.figures.MEASURES id
    metric_id   VARCHAR,                 -- the dashboard metric it stands beside, if any
    value       DOUBLE,                  -- rates as fractions, like the metrics engine
    numerator   DOUBLE,
    denominator DOUBLE
);
