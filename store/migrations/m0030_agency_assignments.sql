-- Agency assignments (issue 14): the optional "Agency assignments" sheet of the monthly extract,
-- one row per agency worker per month, replaced with its period like every data table. The
-- ledger counts its rows like the other sheets'.
CREATE TABLE IF NOT EXISTS agency_assignments (
    period               DATE NOT NULL,      -- first day of the reporting month
    load_id              INTEGER NOT NULL,
    employee_id          VARCHAR NOT NULL,   -- the agency reference (= Staff employee_id)
    swe_registration     VARCHAR,            -- Social Work England number (SW...)
    agency               VARCHAR NOT NULL,
    job_type             VARCHAR NOT NULL,   -- the price cap's job type
    hourly_rate          DOUBLE NOT NULL,    -- charge rate, pounds per hour
    hours                DOUBLE NOT NULL,    -- hours charged in the month
    start_date           DATE NOT NULL,
    planned_end_date     DATE,
    notice_weeks         DOUBLE NOT NULL,
    date_qualified       DATE,
    years_pqe            DOUBLE,
    references_received  INTEGER NOT NULL,
    project_team         BOOLEAN,
    cap_signoff_date     DATE,
    cap_signoff_by       VARCHAR             -- a role, never a name
);

ALTER TABLE loads ADD COLUMN rows_agency_assignments INTEGER DEFAULT 0;
UPDATE loads SET rows_agency_assignments = 0 WHERE rows_agency_assignments IS NULL;
