"""The metric catalogue: every measure of DESIGN §4, declared once.

Why one declaration: pages, the CLI, exports and the narrative all describe a figure the same way,
so a councillor reading a card, a CSV and a committee paragraph sees one definition. Rates are
fractions 0..1 here; the DfE file publishes percentages (multiply by 100 to compare).
"""

from __future__ import annotations

from metrics.types import THEMES, Metric, MetricError

EQUALITY, WELLBEING, ENGAGED, AGILE, SKILLED, LEADERSHIP = THEMES

_DFE = "DfE Children's social work workforce (England)"

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
    ),
)

CATALOGUE: dict[str, Metric] = {m.id: m for m in _ENTRIES}

HEADLINE_IDS: tuple[str, ...] = (
    "agency_rate_fte",
    "vacancy_rate_fte",
    "turnover_rate_fte_12m",
    "avg_caseload",
    "absence_rate",
    "permanent_team_manager_rate",
)


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
