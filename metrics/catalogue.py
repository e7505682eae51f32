"""The metric catalogue: every measure of DESIGN §4, declared once, with its computation.

Why one declaration: pages, the CLI, exports and the narrative all describe a figure the same way,
and the engine generates its SQL from the same entry, so a councillor reading a card, a CSV and a
committee paragraph sees one definition. Rates are fractions 0..1 here; the DfE file publishes
percentages (multiply by 100 to compare).

Adding a metric: declare its measures in MEASURES (if new) and one Metric in _ENTRIES, then add a
test with hand-worked values (docs/INTERFACES.md, "Adding a metric"). `resolve()` refuses, at
import, a declaration that does not resolve (unknown measure, column, unit, theme...).
"""

from __future__ import annotations

from datetime import date

from metrics.query import AGENCY_SQL, EMPLOYED_SQL, grp
from metrics.types import (
    THEMES, Cohort, Count, Custom, DefaultTarget, Distinct, Measure, Metric, MetricError, Ratio,
    Window,
)

EQUALITY, WELLBEING, ENGAGED, AGILE, SKILLED, LEADERSHIP = THEMES

_DFE = "DfE Children's social work workforce (England)"

#: "In the 12 months to month end d": after the month end a year earlier, up to d.
IN_12_MONTHS = "{col} > last_day(period - INTERVAL 12 MONTH) AND {col} <= d"

# Measures: one aggregate over one source (columns: the store table's, plus `employed`, `d` =
# month end, `grp`; staff also has `working_days` and `absence_recorded`).
MEASURES: tuple[Measure, ...] = (
    Measure(id="in_post_fte", source="staff", agg="sum", expr="fte"),
    Measure(id="agency_fte", source="staff", agg="sum", expr="fte", filter="NOT employed"),
    Measure(id="employed_fte", source="staff", agg="sum", expr="fte", filter="employed"),
    Measure(id="employed_headcount", source="staff", agg="count", filter="employed"),
    Measure(id="starters_fte", source="staff", agg="sum", expr="fte",
            filter="employed AND " + IN_12_MONTHS.format(col="start_date"),
            description="FTE of employed staff in post at month end who started in the 12 months to it"),
    Measure(id="agency_fte_over_12_months", source="staff", agg="sum", expr="fte",
            filter="NOT employed AND start_date + INTERVAL 12 MONTH < d",
            description="FTE of agency workers in post whose assignment started more than 12 months before month end"),
    Measure(id="vacant_fte", source="vacancies", agg="sum", expr="vacant_fte"),
    Measure(id="covered_by_agency_fte", source="vacancies", agg="sum", expr="covered_by_agency_fte"),
    Measure(id="leavers_fte", source="leavers", agg="sum", expr="fte", filter="employed"),
    Measure(id="leavers", source="leavers", agg="count", filter="employed"),
    Measure(id="early_leavers", source="leavers", agg="count",
            filter="employed AND leave_date < start_date + INTERVAL 12 MONTH"),
    Measure(id="case_holder_cases", source="staff", agg="sum", expr="cases", filter="cases >= 1"),
    Measure(id="case_holder_fte", source="staff", agg="sum", expr="fte", filter="cases >= 1"),
    Measure(id="case_holders", source="staff", agg="count", filter="cases >= 1"),
    Measure(id="case_holders_over_threshold", source="staff", agg="count",
            filter="cases >= 1 AND cases / fte > $threshold"),
    Measure(id="absence_days", source="staff", agg="sum", expr="coalesce(absence_days, 0)",
            filter="employed AND absence_recorded"),
    Measure(id="employed_fte_working_days", source="staff", agg="sum", expr="fte * working_days",
            filter="employed AND absence_recorded"),
    Measure(id="team_manager_employed_fte", source="staff", agg="sum", expr="fte",
            filter="role_group = 'Team manager' AND employed"),
    Measure(id="team_manager_fte", source="staff", agg="sum", expr="fte",
            filter="role_group = 'Team manager'"),
    Measure(id="known_ethnicity", source="staff", agg="count",
            filter="ethnicity IS NOT NULL AND ethnicity <> 'Not known'"),
    Measure(id="ethnic_minority", source="staff", agg="count",
            filter="ethnicity IS NOT NULL AND ethnicity <> 'Not known' AND ethnicity <> 'White'"),
    Measure(id="known_age", source="staff", agg="count", filter="age IS NOT NULL"),
    Measure(id="aged_55_plus", source="staff", agg="count", filter="age >= 55"),
    Measure(id="known_residence", source="staff", agg="count", filter="lives_in_county IS NOT NULL"),
    Measure(id="lives_in_county", source="staff", agg="count", filter="lives_in_county"),
    Measure(id="training_completions", source="training", agg="count"),
    # agency assignments with the national agency rules checked (issue 14; metrics.agency)
    *(Measure(id=f"agency_{flag}" if flag else "agency_assignments", source="agency", agg="count",
              filter=flag or None,
              description=f"Agency assignments in the month{' where ' + flag if flag else ''}")
      for flag in ("", "with_cap", "within_cap", "above_cap", "cap_unsigned", "under_experience",
                   "notice_below", "references_incomplete", "cool_off_breach", "long_assignment",
                   "project_team")),
    Measure(id="agency_excess_per_hour", source="agency", agg="sum", expr="excess_per_hour",
            filter="above_cap",
            description="Pounds per hour charged above the price cap, summed over assignments above it"),
)


def _conversions_sql(by: str | None, filters: dict[str, list[str]]) -> str:
    """Distinct employees in post at d converted from agency in the 12 months to d (each once)."""
    return f"""
        ag AS (SELECT period, employee_id FROM staff
               WHERE {AGENCY_SQL} AND period BETWEEN $src_lo AND $end),
        -- only people seen both as agency and as employed can have converted (cuts the join)
        both_ids AS (SELECT DISTINCT employee_id FROM staff
                     WHERE {EMPLOYED_SQL} AND period BETWEEN $src_lo AND $end
                       AND employee_id IN (SELECT employee_id FROM ag)),
        conv AS (
            SELECT period, grp, employee_id FROM s
            WHERE employed AND coalesce(converted_from_agency, FALSE)
              AND {IN_12_MONTHS.format(col="start_date")}
            UNION
            SELECT e.period, e.grp, e.employee_id
            FROM (SELECT period, grp, employee_id FROM s
                  WHERE employed AND employee_id IN (SELECT employee_id FROM both_ids)) e
            JOIN (SELECT period, employee_id FROM ag
                  WHERE employee_id IN (SELECT employee_id FROM both_ids)) a
              ON a.employee_id = e.employee_id AND a.period < e.period
             AND a.period > e.period - INTERVAL 12 MONTH),
        m AS (SELECT period, grp, count(*) AS num, NULL::DOUBLE AS den, count(*) AS base
              FROM conv GROUP BY ALL)"""


ENGAGEMENT_MEASURE = "overall engagement"
_NO_ROWS = """
        m AS (SELECT NULL::DATE AS period, NULL::VARCHAR AS grp, NULL::DOUBLE AS num,
                     NULL::DOUBLE AS den, NULL::BIGINT AS base WHERE FALSE)"""


def _engagement_sql(by: str | None, filters: dict[str, list[str]]) -> str:
    """Directorate-wide score; by team uses team rows; service/role_group have no survey data
    (the survey is reported by team), so those give no data rather than a misleading figure."""
    if by in ("service", "role_group") or set(filters) - {"team"}:
        return _NO_ROWS
    if by == "team" or filters:
        team_pred = "team <> 'All'" + (" AND list_contains($f_team, team)" if filters else "")
        agg = f"""
        sv AS (SELECT period AS sp, {grp('', by)} AS grp,
                      sum(score * coalesce(respondents, 1)) / sum(coalesce(respondents, 1)) AS score,
                      sum(respondents) AS resp
               FROM survey WHERE lower(measure) = '{ENGAGEMENT_MEASURE}' AND {team_pred} GROUP BY ALL)"""
    else:
        agg = f"""
        sv AS (SELECT period AS sp, NULL::VARCHAR AS grp,
                      coalesce(max(score) FILTER (WHERE team = 'All'),
                               sum(score * coalesce(respondents, 1)) FILTER (WHERE team <> 'All')
                               / sum(coalesce(respondents, 1)) FILTER (WHERE team <> 'All')) AS score,
                      coalesce(max(respondents) FILTER (WHERE team = 'All'),
                               sum(respondents) FILTER (WHERE team <> 'All')) AS resp
               FROM survey WHERE lower(measure) = '{ENGAGEMENT_MEASURE}' GROUP BY ALL)"""
    return agg + """,
        latest AS (SELECT p.period, max(sv.sp) AS sp FROM per p JOIN sv ON sv.sp <= p.period GROUP BY p.period),
        m AS (SELECT latest.period, sv.grp, sv.score AS num, NULL::DOUBLE AS den, sv.resp AS base
              FROM latest JOIN sv ON sv.sp = latest.sp)"""


_ENTRIES: tuple[Metric, ...] = (
    # --- A workforce that is agile and adaptable -------------------------------------------
    Metric(
        id="agency_rate_fte",
        label="Agency share of FTE",
        description=(
            "How much of the workforce in post at month end is agency staff, by full-time "
            "equivalent. The 80:20 commitment is that this falls to 20% or less."
        ),
        theme=AGILE,
        numerator="FTE of agency workers in post at month end",
        denominator="FTE of agency workers plus FTE of employed staff (permanent, fixed-term, casual) in post at month end",
        unit="rate",
        direction="lower",
        window_months=None,
        definition=(
            f"Follows the {_DFE} 'agency worker rate (FTE)': agency FTE / (agency FTE + "
            "directly employed FTE), at the reference date. DfE publishes at 30 September; we "
            "compute it for every month end."
        ),
        dfe_indicator="agency_rate_fte",
        headline=True,
        compute=Ratio(numerator="agency_fte", denominator="in_post_fte"),
        phrase='Agency workers are {v} of {s} FTE',
        target_name="the 80:20 target",
        target=DefaultTarget(value=0.20, amber_band=0.05, target_date=date(2026, 6, 30),
                             source="Leadership commitment: 80:20 permanent to agency ratio within two years (June 2024)"),
    ),
    Metric(
        id="vacancy_rate_fte",
        label="Vacancy rate (FTE)",
        description=(
            "Vacant funded posts as a share of all funded posts (vacant plus filled by "
            "employed staff) at month end."
        ),
        theme=AGILE,
        numerator="Vacant FTE at month end",
        denominator="Vacant FTE plus FTE of employed staff in post at month end",
        unit="rate",
        direction="lower",
        window_months=None,
        definition=(
            f"Follows the {_DFE} 'vacancy rate (FTE)': vacancy FTE / (vacancy FTE + directly "
            "employed FTE in post). Vacancies covered by agency staff still count as vacant."
        ),
        dfe_indicator="vacancy_rate_fte",
        headline=True,
        compute=Ratio(numerator="vacant_fte", denominator=("vacant_fte", "employed_fte"), base="employed_headcount"),
        phrase='Vacant posts are {v} of {s} posts (FTE)',
    ),
    Metric(
        id="agency_cover_rate",
        label="Vacancies covered by agency",
        description="Of the vacant FTE at month end, the share that agency workers are covering.",
        theme=AGILE,
        numerator="Vacant FTE covered by agency workers",
        denominator="Vacant FTE at month end",
        unit="rate",
        direction=None,
        window_months=None,
        definition=(
            f"Follows the {_DFE} 'vacancies covered by agency workers (FTE)' rate: agency cover "
            "FTE / vacancy FTE. (The DfE's separate 'agency cover rate' divides by agency FTE "
            "instead; that one is not this measure.)"
        ),
        dfe_indicator="vacancy_agency_cover_rate_fte",
        compute=Ratio(numerator="covered_by_agency_fte", denominator="vacant_fte"),
        phrase='Agency workers cover {v} of vacant {s} FTE',
    ),
    Metric(
        id="agency_conversions_12m",
        label="Agency workers converted to employees (12 months)",
        description=(
            "People now directly employed who worked here through an agency before and "
            "became employees in the last 12 months: the route to the 80:20 ratio."
        ),
        theme=AGILE,
        numerator=(
            "Distinct employees in post at month end who are marked converted from agency with a "
            "start date in the 12 months to month end, or who appeared as agency workers in an "
            "earlier loaded month within those 12 months"
        ),
        denominator=None,
        unit="count",
        direction="higher",
        window_months=12,
        definition=(
            "Local measure (no DfE equivalent). Each person counts once even when both the "
            "extract flag and an earlier agency record show the conversion. Partial when fewer "
            "than 12 months are loaded."
        ),
        compute=Custom(build=_conversions_sql, kind="count", sources=("staff",), additive=True),
        phrase="{v} agency {n:worker|workers} became {n:an employee|employees} in the last 12 months",
    ),
    Metric(
        id="long_running_agency_rate",
        label="Agency FTE on assignments over a year",
        description=(
            "Of the agency FTE in post at month end, the share whose assignment started more than "
            "12 months earlier: the workers most worth converting to employees."
        ),
        theme=AGILE,
        numerator="FTE of agency workers in post at month end whose assignment started more than 12 months before month end",
        denominator="FTE of agency workers in post at month end",
        unit="rate",
        direction="lower",
        window_months=None,
        definition=(
            "Local measure (no DfE equivalent). An assignment has run more than 12 months when its "
            "start date plus 12 months is before the month end (started 1 Sep 2024: long-running at "
            "30 Sep 2025, not at 31 Aug 2025). Start date is the agency worker's start date in the extract."
        ),
        compute=Ratio(numerator="agency_fte_over_12_months", denominator="agency_fte"),
        phrase="{v} of {s} agency FTE has been on assignment for more than a year",
    ),
    # --- A workforce that is engaged -------------------------------------------------------
    Metric(
        id="turnover_rate_fte_12m",
        label="Turnover rate (FTE, 12 months)",
        description=(
            "FTE of employed staff who left the directorate in the last 12 months, as a share "
            "of employed FTE in post at month end. Moves between teams are not leavers."
        ),
        theme=ENGAGED,
        numerator="FTE of employed leavers with a leave date in the 12 months to month end",
        denominator="FTE of employed staff in post at month end",
        unit="rate",
        direction="lower",
        window_months=12,
        definition=(
            f"Follows the {_DFE} 'turnover rate (FTE)': leavers FTE in the year to 30 September / "
            "FTE in post at 30 September. Partial when fewer than 12 months are loaded."
        ),
        dfe_indicator="turnover_rate_fte",
        headline=True,
        compute=Ratio(numerator=Window("leavers_fte"), denominator="employed_fte"),
        phrase='Turnover in the last 12 months is {v} of {s} FTE',
    ),
    Metric(
        id="starters_fte_12m",
        label="Starters (FTE, 12 months)",
        description=(
            "Employed staff in post at month end who started in the last 12 months, as a share of "
            "employed FTE in post: how much of the workforce is new."
        ),
        theme=ENGAGED,
        numerator="FTE of employed staff in post at month end with a start date in the 12 months to month end",
        denominator="FTE of employed staff in post at month end",
        unit="rate",
        direction=None,
        window_months=12,
        definition=(
            f"Compares with the {_DFE} 'starters (FTE)': FTE of directly employed staff who started "
            "in the year to 30 September (compare our numerator, starters FTE, with it). Ours counts "
            "starters still in post at month end; a start date in the 12 months to month end means "
            "after the month end a year earlier. Reads one month's extract, so never partial."
        ),
        dfe_indicator="starters_fte",
        dfe_compare="numerator",
        dfe_unit="fte",
        compute=Ratio(numerator="starters_fte", denominator="employed_fte"),
        phrase="Staff who started in the last 12 months are {v} of {s} employed FTE",
    ),
    Metric(
        id="stability_index_12m",
        label="Stability index (12 months)",
        description=(
            "Of the people employed a year ago, the share still employed in the directorate now."
        ),
        theme=ENGAGED,
        numerator="Headcount employed 12 months before month end and still employed at month end",
        denominator="Headcount employed 12 months before month end",
        unit="rate",
        direction="higher",
        window_months=12,
        definition=(
            "Standard HR stability index (headcount, employed staff only): the cohort is taken in "
            "scope and group a year earlier and counts as stable if still employed anywhere in the "
            "directorate. Needs the month a year earlier to be loaded; no data otherwise."
        ),
        compute=Cohort(member="employed", still="employed"),
        phrase='{v} of {s} staff employed a year ago are still employed',
    ),
    Metric(
        id="early_leaver_rate_12m",
        label="Leavers with under a year's service (12 months)",
        description="Of the employed staff who left in the last 12 months, the share who had been here less than a year.",
        theme=ENGAGED,
        numerator="Leavers in the 12 months to month end with less than 12 months' service at leaving",
        denominator="All leavers in the 12 months to month end (headcount)",
        unit="rate",
        direction="lower",
        window_months=12,
        definition=(
            "Local measure. Service = leave date minus start date; under 12 months means the "
            "leave date is before the first anniversary of the start date."
        ),
        compute=Ratio(numerator=Window("early_leavers"), denominator=Window("leavers")),
        phrase="{v} of {s} leavers in the last 12 months had under a year's service",
    ),
    Metric(
        id="engagement_score",
        label="Staff engagement score",
        description="The latest staff survey's overall engagement score (0-100).",
        theme=ENGAGED,
        numerator="Score of the latest survey 'Overall engagement' measure on or before month end",
        denominator=None,
        unit="score",
        direction="higher",
        window_months=None,
        definition=(
            "Local measure from the staff survey: the 'All' row of the latest survey on or before "
            "month end; where there is no 'All' row, the respondent-weighted mean of team rows. "
            "Directorate-wide: not split by scope."
        ),
        counts_people=False,
        compute=Custom(build=_engagement_sql, kind="score"),
        phrase='The staff engagement score is {v}',
    ),
    # --- Your wellbeing ----------------------------------------------------------------------
    Metric(
        id="avg_caseload",
        label="Average caseload",
        description="Cases held per full-time-equivalent case holder at month end (employed and agency).",
        theme=WELLBEING,
        numerator="Cases held at month end",
        denominator="FTE of staff holding at least one case at month end",
        unit="caseload",
        direction="lower",
        window_months=None,
        definition=(
            f"Follows the {_DFE} 'average caseload (FTE)': cases / FTE of case holders, "
            "employed and agency workers."
        ),
        dfe_indicator="caseload_fte",
        headline=True,
        compute=Ratio(numerator="case_holder_cases", denominator="case_holder_fte"),
        phrase='The average {s} caseload is {v}',
    ),
    Metric(
        id="caseload_over_threshold_rate",
        label="Case holders over the caseload threshold",
        description="Share of case holders whose caseload per FTE is above the threshold (default 20).",
        theme=WELLBEING,
        numerator="Case holders whose cases / FTE exceeds the threshold",
        denominator="Staff holding at least one case at month end (headcount)",
        unit="rate",
        direction="lower",
        window_months=None,
        definition="Local measure. A part-time worker's cases are scaled to full time (cases / FTE) before comparing.",
        compute=Ratio(numerator="case_holders_over_threshold", denominator="case_holders"),
        phrase='{v} of {s} case holders are over the caseload threshold',
    ),
    Metric(
        id="absence_rate",
        label="Sickness absence rate",
        description="Working days lost to sickness as a share of the working days employed staff were contracted for in the month.",
        theme=WELLBEING,
        numerator="Working days lost to sickness in the month (employed staff)",
        denominator="Employed FTE × working days in the month (Monday-Friday less England bank holidays)",
        unit="rate",
        direction="lower",
        window_months=None,
        definition=(
            f"Follows the {_DFE} 'absence rate': working days lost / (FTE × working days), "
            "computed monthly rather than for the year."
        ),
        dfe_indicator="absence_rate_fte",
        headline=True,
        compute=Ratio(numerator="absence_days", denominator="employed_fte_working_days"),
        phrase='Sickness absence is {v} of {s} working days',
    ),
    # --- Our leadership ----------------------------------------------------------------------
    Metric(
        id="permanent_team_manager_rate",
        label="Team managers directly employed",
        description="Share of team manager FTE that is directly employed rather than agency.",
        theme=LEADERSHIP,
        numerator="FTE of employed team managers at month end",
        denominator="FTE of all team managers (employed and agency) at month end",
        unit="rate",
        direction="higher",
        window_months=None,
        definition="Local measure; the leadership strand of the 80:20 commitment. Role group 'Team manager'.",
        headline=True,
        compute=Ratio(numerator="team_manager_employed_fte", denominator="team_manager_fte"),
        phrase='{v} of team manager FTE is directly employed',
        target=DefaultTarget(value=0.80, amber_band=0.10,
                             source="Leadership commitment: at least 80% of team managers directly employed"),
    ),
    # --- Our commitment to equality and diversity -------------------------------------------
    Metric(
        id="ethnic_minority_rate",
        label="Staff from ethnic minorities",
        description=(
            "Of staff whose ethnicity is known, the share who are not White; set beside the "
            "county's population (ONS Census 2021)."
        ),
        theme=EQUALITY,
        numerator="Headcount of known ethnicity other than White",
        denominator="Headcount of known ethnicity ('Not known' and blank excluded)",
        unit="rate",
        direction=None,
        window_months=None,
        definition="Local measure on ONS 2021 ethnic groups (White includes all White groups). Headcount in post at month end, employed and agency.",
        compute=Ratio(numerator="ethnic_minority", denominator="known_ethnicity"),
        phrase='{v} of {s} staff of known ethnicity are from ethnic minorities',
    ),
    Metric(
        id="aged_55_plus_rate",
        label="Staff aged 55 and over",
        description="Share of staff of known age who are 55 or older: a signal of retirements ahead.",
        theme=EQUALITY,
        numerator="Headcount aged 55 or over at month end",
        denominator="Headcount with a known age",
        unit="rate",
        direction=None,
        window_months=None,
        definition="Local measure. Age in whole years at month end. Headcount in post, employed and agency.",
        compute=Ratio(numerator="aged_55_plus", denominator="known_age"),
        phrase='{v} of {s} staff of known age are 55 or over',
    ),
    Metric(
        id="local_residence_rate",
        label="Staff living in the county",
        description="Of staff for whom it is known, the share who live in the county; shown by role group.",
        theme=EQUALITY,
        numerator="Headcount with lives in county = Y",
        denominator="Headcount with lives in county known (Y or N)",
        unit="rate",
        direction="higher",
        window_months=None,
        definition="Local measure. Headcount in post at month end, employed and agency; break down by role group.",
        compute=Ratio(numerator="lives_in_county", denominator="known_residence"),
        phrase='{v} of {s} staff live in the county',
    ),
    # --- A workforce that is skilled ---------------------------------------------------------
    Metric(
        id="training_completions_12m",
        label="Training completions (12 months)",
        description="Courses completed by staff in scope in the last 12 months (break down by category on the page).",
        theme=SKILLED,
        numerator="Training completions with a completed date in the 12 months to month end",
        denominator=None,
        unit="count",
        direction="higher",
        window_months=12,
        definition=(
            "Local measure from the Training sheet. Scope and breakdown use the person's record "
            "in the staff extract of the month the completion was reported. Partial when fewer "
            "than 12 months are loaded."
        ),
        compute=Count(measure=Window("training_completions"), base=Distinct(source="training", key="employee_id")),
        phrase='Staff completed {v} training courses in the last 12 months',
    ),
)

# --- The national agency rules (issue 14): from the optional Agency assignments sheet, checked
# against data/agency_rules.toml by agency.checks (metrics.agency.checks_frame). Shares of
# assignments, so a month without the sheet is "no data", never 0; the counts are the numerators.
_AGENCY_DEF = (
    "Local measure from the optional Agency assignments sheet, checked against the national agency "
    "rules (DfE statutory guidance, 2024) as set in data/agency_rules.toml, at the month end. "
)


def _agency_share(mid: str, flag: str, label: str, description: str, numerator: str, *,
                  denominator: str = "agency_assignments",
                  denominator_words: str = "Agency assignments in the month",
                  direction: str = "lower", definition: str = "", phrase: str,
                  statutory: bool = True) -> Metric:
    # a rule of the statutory guidance: every assignment should keep it (100% within the cap,
    # no breaches); long assignments and project teams are allowed, so they have no target
    target = (DefaultTarget(value=1.0 if direction == "higher" else 0.0, amber_band=0.05,
                            source="National agency rules (DfE statutory guidance, 2024)")
              if statutory else None)
    return Metric(
        id=mid, label=label, description=description, theme=AGILE, numerator=numerator,
        denominator=denominator_words, unit="rate", direction=direction, window_months=None,
        definition=_AGENCY_DEF + definition,
        compute=Ratio(numerator=f"agency_{flag}", denominator=denominator), phrase=phrase,
        target=target,
    )


_AGENCY_ENTRIES: tuple[Metric, ...] = (
    _agency_share(
        "agency_within_cap_rate", "within_cap", "Agency assignments within the price cap",
        "Of the agency assignments with a regional price cap for their job type, the share whose "
        "hourly charge rate is at or below the cap.",
        "Assignments whose charge rate is at or below the cap in force at month end",
        denominator="agency_with_cap",
        denominator_words="Assignments whose job type has a price cap at month end",
        direction="higher", definition="The cap is the region's for the job type on the month end.",
        phrase="{v} of agency assignments are within the price cap"),
    Metric(
        id="agency_above_cap_per_hour", label="Paid above the price cap (per hour)",
        description="For agency assignments charged above the price cap, the average amount per "
                    "hour paid above it.",
        theme=AGILE, numerator="Pounds per hour above the cap, summed over assignments above it",
        denominator="Assignments above the cap", unit="money_per_hour", direction="lower",
        window_months=None, definition=_AGENCY_DEF + "Average of (charge rate - cap).",
        compute=Ratio(numerator="agency_excess_per_hour", denominator="agency_above_cap"),
        phrase="assignments above the cap are paid {v} more than it on average"),
    _agency_share(
        "agency_unsigned_cap_breach_rate", "cap_unsigned", "Cap breaches without full sign-off",
        "Agency assignments charged above the price cap without the sign-off of both the Director "
        "of Children's Services and the chief executive, as a share of all assignments.",
        "Assignments above the cap without a sign-off date by the DCS and chief executive",
        phrase="{v} of agency assignments are above the cap without full sign-off"),
    _agency_share(
        "agency_under_experience_rate", "under_experience",
        "Agency social workers under 3 years' experience",
        "Agency assignments (social-work job types) whose worker has less post-qualifying "
        "experience than the minimum (3 years by default).",
        "Assignments whose worker has less than the minimum post-qualifying experience",
        definition="Experience from the date qualified to month end, else the years given.",
        phrase="{v} of agency assignments have less than the minimum experience"),
    _agency_share(
        "agency_short_notice_rate", "notice_below", "Agency notice below the minimum",
        "Agency assignments whose notice period is shorter than the minimum (4 weeks by default).",
        "Assignments with a notice period below the minimum",
        phrase="{v} of agency assignments have less than the minimum notice"),
    _agency_share(
        "agency_references_incomplete_rate", "references_incomplete",
        "Agency references incomplete",
        "Agency assignments with fewer practice-based references than required (2 by default).",
        "Assignments with fewer references than required",
        phrase="{v} of agency assignments lack a practice reference"),
    _agency_share(
        "agency_cool_off_breach_rate", "cool_off_breach", "Agency cool-off breaches",
        "Agency assignments that started within the cool-off window (12 months in the West "
        "Midlands, 3 elsewhere) after the same person left an employed social-work post here.",
        "Assignments starting within the cool-off after the person left an employed post here",
        definition="Matched by reference, and by Social Work England number where the store has "
                   "one for employed staff; leave dates from the Leavers sheets and Staff history.",
        phrase="{v} of agency assignments breach the cool-off"),
    _agency_share(
        "agency_long_assignment_rate", "long_assignment", "Agency assignments over 12 months",
        "Agency assignments that started more than 12 months before month end (the test of "
        "long_running_agency_rate, counted by assignment rather than FTE).",
        "Assignments whose start plus 12 months is before month end",
        phrase="{v} of agency assignments have run for more than a year", statutory=False),
    _agency_share(
        "agency_project_team_rate", "project_team", "Agency project-team workers",
        "Agency assignments that are part of an agency project team (allowed only under the "
        "guidance's conditions).",
        "Assignments flagged as part of a project team",
        phrase="{v} of agency assignments are in project teams", statutory=False),
)
_ENTRIES = _ENTRIES + _AGENCY_ENTRIES
#: The agency rules measures (the Agency rules page and the quarterly summary read these).
AGENCY_IDS: tuple[str, ...] = tuple(m.id for m in _AGENCY_ENTRIES)


CATALOGUE: dict[str, Metric] = {m.id: m for m in _ENTRIES}
MEASURE_BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}

#: The Overview cards, in catalogue order (the entries flagged headline=True).
HEADLINE_IDS: tuple[str, ...] = tuple(m.id for m in _ENTRIES if m.headline)


def get(metric_id: str) -> Metric:
    """The catalogue entry for `metric_id`; a named error lists the known ids."""
    try:
        return CATALOGUE[metric_id]
    except KeyError:
        raise MetricError(
            f"Unknown metric {metric_id!r}. Known metrics: {', '.join(CATALOGUE)}"
        ) from None


def by_theme() -> dict[str, list[Metric]]:
    """Metrics grouped under each strategy theme, in THEMES order (every theme present)."""
    grouped: dict[str, list[Metric]] = {t: [] for t in THEMES}
    for m in _ENTRIES:
        grouped[m.theme].append(m)
    return grouped
