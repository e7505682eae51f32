"""A census return in memory: the same shape whether built from monthly loads or imported.

Values are kept as the XML text DfE defines (codes, "0.500000", "2025-09-30"), so what is
exported is exactly what is checked, and an imported return round-trips item for item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from census.items import reference_date, year_start


@dataclass
class Worker:
    """One CSWWWorker record."""

    items: dict[str, list[str]] = field(default_factory=dict)
    #: the dashboard's employee id when built from monthly loads (never written to the XML)
    employee_id: str | None = None
    #: position in the return, from 1
    record: int = 0

    def get(self, tag: str) -> str | None:
        """The first value of `tag`, or None when the record does not hold it."""
        values = self.items.get(tag)
        return values[0] if values else None

    def number(self, tag: str) -> float | None:
        """`tag` as a number, or None when absent or not a number."""
        raw = self.get(tag)
        if raw is None:
            return None
        try:
            return float(Decimal(raw))
        except (InvalidOperation, ValueError):
            return None

    def day(self, tag: str) -> date | None:
        """`tag` as a date, or None when absent or not a YYYY-MM-DD date."""
        raw = self.get(tag)
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    @property
    def ref(self) -> str:
        """How a problem names this worker: the employee id, else the record number."""
        return f"employee {self.employee_id}" if self.employee_id else f"record {self.record}"

    @property
    def agency(self) -> bool:
        return self.get("AgencyWorker") == "1"


@dataclass
class CensusReturn:
    """A whole return: LA-level items, worker records, and where it came from."""

    year: int
    la: dict[str, list[str]] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)
    lea: str | None = None
    #: "monthly" (built from the loads) or "import" (a past return)
    source: str = "monthly"

    def la_number(self, tag: str) -> float | None:
        values = self.la.get(tag)
        try:
            return float(Decimal(values[0])) if values else None
        except (InvalidOperation, ValueError):
            return None

    @property
    def reference_date(self) -> date:
        return reference_date(self.year)

    @property
    def start(self) -> date:
        return year_start(self.year)

    def in_post(self, w: Worker) -> bool:
        """In post at 30 September: started by then (or no start given), not ended by then."""
        start, end = w.day("RoleStartDate"), w.day("RoleEndDate")
        ref = self.reference_date
        return (start is None or start <= ref) and (end is None or end > ref)

    def leaver(self, w: Worker) -> bool:
        """An LA-employed worker whose role ended inside the census year."""
        end = w.day("RoleEndDate")
        return not w.agency and end is not None and self.start <= end <= self.reference_date

    def starter(self, w: Worker) -> bool:
        """An LA-employed worker whose role started inside the census year."""
        start = w.day("RoleStartDate")
        return not w.agency and start is not None and self.start <= start <= self.reference_date
