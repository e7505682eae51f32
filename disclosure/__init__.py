"""One small-number disclosure policy for every role-bound output (no Streamlit).

Layers: below ui/ and recommendations/, above metrics/ (import-linter). Entry point:
`disclose(frame, table, *, role)` -> `Disclosed`. Rules: data/disclosure.toml (`rules()`).
"""

from disclosure.cells import SUPPRESSED  # noqa: F401
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


def as_history_decides(con, frame, *, scope: str, by: str | None = None):
    """`frame` (engine rows of one population: the directorate's, or by service with
    `by="service"`, every month or some) marked so that `disclose` hides at least what the
    published measure history (disclosure.history: the cards, Strategy themes, packs) hides for
    the same figures: one decision whichever publication reads it. Other breakdowns unchanged."""
    import pandas as pd

    from disclosure import history
    from disclosure.policy import FORCED

    out = frame.copy()
    if by not in (None, "service") or out.empty:
        return out
    h = history.published(con, scope=scope)
    h = h[h["suppressed"].to_numpy(dtype=bool) & h["group"].map(lambda g: not isinstance(g, str)).to_numpy(dtype=bool)]
    hidden = {(m, s if isinstance(s, str) else None, pd.Timestamp(p))
              for m, s, p in zip(h["metric_id"], h["service"], h["period"])}
    groups = out["group"] if "group" in out.columns else [None] * len(out)
    out[FORCED] = [(m, g if isinstance(g, str) else None, pd.Timestamp(p)) in hidden
                   and (by == "service") == isinstance(g, str)
                   for m, g, p in zip(out["metric_id"], groups, pd.to_datetime(out["period"]))]
    return out
