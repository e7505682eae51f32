-- The agency assignments with every agency rule checked (metrics.agency.keep_checked), kept per
-- load: the same rows metrics.agency.checked computes (the month's assignments with the worker's
-- service, team and FTE from that month's Staff sheet, and the checks of agency.checks), so a
-- page or a load reads them instead of checking ~150,000 assignment-months at 100x the demo. A
-- load re-checks only the months whose rows changed and those whose cool-off result moved (a
-- later Leavers or Staff sheet can change an earlier month's); read only while
-- agency_checked_state matches the code, the rules and the data (else checked live).
CREATE TABLE IF NOT EXISTS agency_checked (
    period                DATE NOT NULL,
    employee_id           VARCHAR NOT NULL,
    swe_registration      VARCHAR,
    agency                VARCHAR,
    job_type              VARCHAR,
    hourly_rate           DOUBLE,
    hours                 DOUBLE,
    start_date            DATE,
    planned_end_date      DATE,
    notice_weeks          DOUBLE,
    date_qualified        DATE,
    years_pqe             DOUBLE,
    references_received   INTEGER,
    project_team          BOOLEAN,      -- the flag of agency.checks (blank = N)
    cap_signoff_date      DATE,
    cap_signoff_by        VARCHAR,
    service               VARCHAR,
    team                  VARCHAR,
    fte                   DOUBLE,
    qualified_social_worker BOOLEAN,
    "on"                  DATE,
    cap                   DOUBLE,
    excess_per_hour       DOUBLE,
    spend                 DOUBLE,
    experience_years      DOUBLE,
    months_running        INTEGER,
    cool_off_left_on      DATE,
    with_cap              BOOLEAN,
    within_cap            BOOLEAN,
    above_cap             BOOLEAN,
    cap_unsigned          BOOLEAN,
    cap_signed            BOOLEAN,
    under_experience      BOOLEAN,
    notice_below          BOOLEAN,
    references_incomplete BOOLEAN,
    cool_off_breach       BOOLEAN,
    long_assignment       BOOLEAN
);
CREATE TABLE IF NOT EXISTS agency_checked_state (key VARCHAR NOT NULL, value VARCHAR NOT NULL);
