"""One small-number disclosure policy for every role-bound output (no Streamlit).

Layers: below ui/ and recommendations/, above metrics/ (import-linter). Entry point:
`disclose(frame, table, *, role)` -> `Disclosed`. Rules: data/disclosure.toml (`rules()`).
"""

from disclosure.cells import SUPPRESSED, is_hidden  # noqa: F401
from disclosure.policy import (  # noqa: F401
    MEASURES,
    NOT_APPLICABLE,
    Disclosed,
    DisclosureError,
    LastMonth,
    Linked,
    NextMonth,
    Table,
    breakdown,
    disclose,
    disclose_all,
    disclose_family,
    disclose_with_totals,
    exempt,
    fewest_given_away,
    legend,
    measures,
    pack_items,
    people,
    prepared,
    protect,
    published_rows,
    reasons_caption,
    resting_on,
    sees_exact,
)
from disclosure.rules import Rules, RulesError, rules  # noqa: F401


def as_history_decides(con, frame, *, scope: str, by: str | None = None, months=None):
    """disclosure.history.as_history_decides, for the metric command's --suppress (imported when
    called: importing disclosure.history registers its load hooks, which `import disclosure` must
    not)."""
    from disclosure import history

    return history.as_history_decides(con, frame, scope=scope, by=by, months=months)
