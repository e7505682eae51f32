"""The tracker's vocabulary: response categories, action statuses, roles, errors, overdue.

Why one module: the seed loader, the service functions, the export and the page must agree on
the words a scrutiny officer sees ("Partly accepted", "Complete", "Overdue").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RESPONSES: tuple[str, ...] = ("Accepted", "Partly accepted", "Rejected", "Noted", "Unclear", "Awaited")
# The paper's own spellings -> the tracker's category.
RESPONSE_ALIASES: dict[str, str] = {
    "accepted": "Accepted",
    "partly accepted": "Partly accepted",
    "partially accepted": "Partly accepted",
    "accepted in part": "Partly accepted",
    "rejected": "Rejected",
    "noted": "Noted",
    "unclear": "Unclear",
    "awaited": "Awaited",
}

ACTION_STATUSES: tuple[str, ...] = (
    "Not started",
    "In progress",
    "Complete",
    "No progress reported",
    "Withdrawn",
)
CLOSED_STATUSES: tuple[str, ...] = ("Complete", "Withdrawn")

# Where a recommendation stands, worst first (derived in recommendations.progress from the
# response, its actions and the papers' wording; rules in data/tracker_status.toml).
REC_STATUSES: tuple[str, ...] = ("Overdue", "Awaiting response", "Not started", "In progress", "Done",
                                 "No action needed", "Not pursued")

KINDS: tuple[str, ...] = ("recommendation", "commitment")



class TrackerError(ValueError):
    """A tracker request that cannot be done (bad input, unknown id); the message says what to do."""


class SeedError(TrackerError):
    """The seed file is missing or malformed."""


class PackError(TrackerError):
    """A meeting pack cannot be published or found."""


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who is making a change: a display name (never a payroll id) and the session's role."""

    name: str
    role: str
    subject: str | None = None   # the identity provider's subject id, when signed in


def normalise_response(value: str) -> str:
    """'Partially accepted' -> 'Partly accepted'; a named error lists the accepted words."""
    key = " ".join(str(value).strip().lower().split())
    try:
        return RESPONSE_ALIASES[key]
    except KeyError:
        raise TrackerError(
            f"Unknown response {value!r}. Use one of: {', '.join(RESPONSES)}."
        ) from None


def is_overdue(*, due_date: date | None, status: str, today: date) -> bool:
    """An action is overdue when its due date has passed and it is not complete (or withdrawn)."""
    return due_date is not None and due_date < today and status not in CLOSED_STATUSES
