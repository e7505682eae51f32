-- Per-load aggregates of the declared measures (metrics.aggregates, metrics.stored): each month's
-- measures summed per combination of the dimensions a scope, filter or breakdown uses. Written in
-- the same transaction as the load that changed them.
CREATE TABLE IF NOT EXISTS measure_cube (
    period                  DATE NOT NULL,
    measure_id              VARCHAR NOT NULL,   -- a measure id, or 'metric:<id>' (cohort/custom)
    qualified_social_worker BOOLEAN,
    service                 VARCHAR,
    team                    VARCHAR,
    role_group              VARCHAR,
    v                       DOUBLE,             -- the measure (sum or count)
    n                       BIGINT NOT NULL,    -- rows behind it (people, for suppression)
    scope                   VARCHAR,            -- distinct people only: kept per scope
    by_col                  VARCHAR             --   and per breakdown ('-' for none)
);
CREATE TABLE IF NOT EXISTS measure_cube_state (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS measure_cube_periods (period DATE NOT NULL, fingerprint VARCHAR NOT NULL);
