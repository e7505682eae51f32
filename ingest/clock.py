"""Today's date for the ingest rules, with one switch tests can set.

Why: "only months that have ended can be loaded" and "the Upload page proposes the next month"
depend on today; a test (or the end-to-end server) sets $WORKFORCE_TODAY=YYYY-MM-DD to pin the
day. Nothing in production sets it.
"""

from __future__ import annotations

import os
from datetime import date

TODAY_ENV = "WORKFORCE_TODAY"


def today() -> date:
    """$WORKFORCE_TODAY (tests only) when set to a YYYY-MM-DD date, else the system date."""
    raw = os.environ.get(TODAY_ENV, "").strip()
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    return date.today()
