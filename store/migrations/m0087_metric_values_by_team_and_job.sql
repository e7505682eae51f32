-- The kept metric values by team and by job type (role group) as well as overall and by
-- service (metrics.engine.refresh_values, KEPT_BY): at 100x the demo those two breakdowns took
-- 1-2 s to compute from the aggregates, over the 1 s the whole catalogue may take. `breakdown`
-- says which breakdown a row belongs to (NULL: the whole directorate; 'service', 'team',
-- 'role_group'); `group_name` is the group (it was `service`, when services were the only one).
-- The rows kept before this migration stay valid (overall and by service); the team and job-type
-- rows are written by the next refresh (a load, or `python -m metrics --refresh`), since the
-- engine's declarations signature now covers them and the engine computes live until then.
ALTER TABLE metric_values ADD COLUMN breakdown VARCHAR;
UPDATE metric_values SET breakdown = 'service' WHERE service IS NOT NULL;
ALTER TABLE metric_values RENAME COLUMN service TO group_name;
