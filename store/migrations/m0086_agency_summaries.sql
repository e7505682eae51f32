-- The Agency rules compliance figures of every month, kept per load (metrics.agency.keep_summaries,
-- called by disclosure.compliance.refresh): each month's rows of metrics.agency.summarise by
-- nothing, job type and service, for the directorate and for each service alone (the frames of
-- disclosure.compliance.summaries), and each view's monthly_spend sums (breakdown 'spend'). The
-- Agency pages read these few hundred rows a month instead of every month's checked assignments
-- (148k at 100x the demo: ~1 s of a first view). A load rewrites only the months whose checked
-- rows changed; read only while every month's `rows_print` is that month's fingerprint of its
-- checked rows now (metrics.agency.checked_prints) and `signature` the code and rules in force.
CREATE TABLE IF NOT EXISTS agency_summaries (
    period                        DATE NOT NULL,
    view                          VARCHAR,          -- the service the figures are of (NULL: every service)
    breakdown                     VARCHAR NOT NULL, -- '' (none), 'job_type', 'service', or 'spend' (monthly_spend)
    pos                           INTEGER NOT NULL, -- the row's place among its month's rows of (view, breakdown)
    grp                           VARCHAR,          -- summarise's `group` (NULL without a breakdown)
    assignments                   BIGINT,
    with_cap                      BIGINT,
    within_cap                    BIGINT,
    agency_above_cap_per_hour     DOUBLE,
    spend                         DOUBLE,           -- to the penny as summarise gives it; unrounded in 'spend' rows
    hours                         DOUBLE,
    fte                           DOUBLE,
    agency_cap_breaches_unsigned  BIGINT,
    agency_under_experience       BIGINT,
    agency_notice_below_minimum   BIGINT,
    agency_references_incomplete  BIGINT,
    agency_cool_off_breaches      BIGINT,
    agency_long_assignments       BIGINT,
    agency_project_team_workers   BIGINT,
    agency_within_cap_share       DOUBLE,
    rows_print                    VARCHAR NOT NULL, -- the month's checked rows' fingerprint they were worked out from
    signature                     VARCHAR NOT NULL  -- the code and rules they were worked out under
);
