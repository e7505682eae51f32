"""The frames pages draw: cached, role-checked, and (for scrutiny) passed through disclosure.

Split by job; pages read everything as `data.<name>` from here:
  base        the role check and cache key every function shares; filter choices, load info
  measures    every measure for a view: at a month, as a trend, as a table; themes; targets
  trends      England's figure, projections to the target, the 80:20 line and its table
  breakdowns  a measure by service, team or job type
  people      tables of people and posts: leavers, caseload bands, profile, where staff live
  alt         the one-sentence text alternative under each chart
Pages hold no SQL and no arithmetic.
"""

from ui.data.alt import (  # noqa: F401
    breakdown_alt, census_note, conversions_alt, counts_alt, cover_alt, england_note, ethnicity_alt,
    headcount_alt, local_alt,
    over_threshold_alt, partial_note, permanent_share_alt, slug, state_period, trend_alt, year_to_september_note,
)
from ui.data.base import BY_LABELS, extract_source, filter_options, load_info, metric  # noqa: F401
from ui.data.breakdowns import breakdown, breakdown_table, what_changed, what_changed_table  # noqa: F401
from ui.data.measures import (  # noqa: F401
    STATUS_WORDS, UNIT_WORDS, agency_target_words, at_period, caseload_threshold, evaluated,
    add_benchmarks, headline, headline_table, measures_table, narrative, permanent_target, target_info,
    early_leavers_by_september, published, theme_summary, themes, trend, verdict,
)
from ui.data.people import (  # noqa: F401
    PROFILE_LABELS, RATIO_FIGURES, agency_cover, caseload_bands, caseload_values, conversions,
    county_ethnicity, county_population, leavers_by_reason, leavers_period, length_of_service, local_by_job,
    profile, ratio_table, year_words,
)
from ui.data.trends import (  # noqa: F401
    CENSUS_NAME, MET_AHEAD_MONTHS, census_points, england, headcount_trend, neighbours,
    permanent_share_trend, projection,
)
