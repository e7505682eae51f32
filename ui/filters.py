"""The shared view (month, population, service, team) as plain values, with no Streamlit.

Why apart from ui.state: the data functions take a `Filters`, and ui.state reads the filter
choices from the store (ui.options); with the value types here, ui.data and ui.state need not
import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from store import periods

SCOPES: tuple[str, ...] = ("social_workers", "all_staff")
SCOPE_LABELS = {"social_workers": "Qualified social workers", "all_staff": "All staff"}
ALL = "(all)"


@dataclass(frozen=True)
class Filters:
    """The shared view: reporting month, population (scope) and an optional service or team."""

    period: str | None          # 'YYYY-MM'; None only when nothing is loaded
    scope: str | None = "social_workers"  # None: a page that counts no population (PAGE_FILTERS)
    service: str | None = None
    team: str | None = None

    @property
    def period_date(self) -> date | None:
        return periods.parse_period(self.period) if self.period else None

    def engine_filters(self) -> dict[str, list[str]] | None:
        """The `filters` argument of metrics.engine (None when the whole directorate)."""
        out: dict[str, list[str]] = {}
        if self.service:
            out["service"] = [self.service]
        if self.team:
            out["team"] = [self.team]
        return out or None

    def describe(self) -> str:
        """Plain-English description of the view, e.g. 'qualified social workers in Early Help'."""
        where = self.team or self.service
        if self.scope is None:
            return f"everyone in {where}" if where else "the whole directorate"
        who = SCOPE_LABELS[self.scope].lower()
        return f"{who} in {where}" if where else f"{who}, whole directorate"


@dataclass(frozen=True)
class FilterOptions:
    periods: tuple[str, ...]                      # ascending 'YYYY-MM'
    services: tuple[str, ...]
    teams: dict[str, tuple[str, ...]]             # service -> teams


period_label = periods.period_label  # '2026-10' -> 'October 2026' (defined once, in store.periods)
