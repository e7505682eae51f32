-- Migration 21: census returns the dashboard produced from the monthly loads (census export).
-- Their figures are kept so the trends show each produced year's 30 September beside the
-- imported returns' (an imported return of the same year takes precedence). Its own ledger: never
-- `loads`, never `census_returns` (which holds imported returns and their items).
CREATE SEQUENCE IF NOT EXISTS census_produced_seq START 1;
CREATE TABLE IF NOT EXISTS census_produced (
    produced_id  INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,    -- census year: reference date 30 September of it
    sha256       VARCHAR NOT NULL,    -- of the XML written
    workers      INTEGER NOT NULL,
    produced_by  VARCHAR NOT NULL,
    produced_at  TIMESTAMP NOT NULL,  -- UTC
    active       BOOLEAN NOT NULL     -- the year's latest produced return
);
CREATE TABLE IF NOT EXISTS census_produced_figures (
    produced_id INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    measure     VARCHAR NOT NULL,     -- census.figures.MEASURES id
    metric_id   VARCHAR,
    value       DOUBLE,
    numerator   DOUBLE,
    denominator DOUBLE
);
