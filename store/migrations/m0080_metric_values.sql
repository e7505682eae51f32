-- Every catalogue metric, every loaded month, for each scope, with no breakdown and no filter:
-- the engine's own answer, kept so that a page's first view after a load reads a table instead
-- of computing the whole catalogue (metrics.engine.refresh_values, in the load's transaction).
-- Read only while metric_values_state matches the declarations, the data and the agency rules.
CREATE TABLE IF NOT EXISTS metric_values (
    scope          VARCHAR NOT NULL,   -- social_workers | all_staff
    metric_id      VARCHAR NOT NULL,
    period         DATE NOT NULL,
    value          DOUBLE,
    numerator      DOUBLE,
    denominator    DOUBLE,
    months_covered INTEGER,
    partial        BOOLEAN,
    base_count     BIGINT
);
CREATE TABLE IF NOT EXISTS metric_values_state (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
