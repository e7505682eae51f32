-- Migration 62 (disclosure): the published history's kept decisions (created by migration 82)
-- also rest on the people in a known-answer rate's view at the month when the disclosure rules
-- call unrecorded answers sensitive (unrecorded_is_sensitive = true): "146 of 147 with an age
-- recorded" gives the one with none away, so the policy protects that rest as a count. NULL under
-- the shipped rules and on other measures' rows; compared like the other inputs before a kept
-- decision is read (disclosure.history).
-- Id 62 runs before 82 on a new store: the table is created here then, with the column (82's
-- CREATE ... IF NOT EXISTS leaves it as it is); on a store at 82 or later the column is added.
CREATE TABLE IF NOT EXISTS published_history (
    scope       VARCHAR NOT NULL,
    metric_id   VARCHAR NOT NULL,
    period      DATE NOT NULL,
    service     VARCHAR,
    value       DOUBLE,
    numerator   DOUBLE,
    denominator DOUBLE,
    base_count  DOUBLE,
    people_in_view DOUBLE,
    suppressed  BOOLEAN NOT NULL,
    suppression VARCHAR
);
ALTER TABLE published_history ADD COLUMN IF NOT EXISTS people_in_view DOUBLE;
