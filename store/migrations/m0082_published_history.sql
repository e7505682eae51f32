-- The published history kept per load (disclosure.history): for every measure, month and scope,
-- the directorate's and each service's figure as the disclosure policy decided it may be
-- published (hidden or not, and why), beside the exact inputs it decided on (value, numerator,
-- denominator, base_count). Every page publishes this history on its first view after a load;
-- deciding it there cost 120-150 ms a page. Written in each load's transaction, only for the
-- months whose inputs changed; read only where the inputs still match and the rules and policy
-- code are the ones it was decided under (published_history_state).
CREATE TABLE IF NOT EXISTS published_history (
    scope       VARCHAR NOT NULL,   -- social_workers | all_staff
    metric_id   VARCHAR NOT NULL,
    period      DATE NOT NULL,
    service     VARCHAR,            -- NULL: the whole directorate
    value       DOUBLE,
    numerator   DOUBLE,
    denominator DOUBLE,
    base_count  DOUBLE,
    suppressed  BOOLEAN NOT NULL,
    suppression VARCHAR             -- primary | secondary | class | over_time | NULL
);
CREATE TABLE IF NOT EXISTS published_history_state (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
