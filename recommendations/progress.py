"""Where each recommendation stands, in the words a councillor reads: Done, In progress, Overdue...

Why derived, and from a file: the papers rarely use an action table (only the June 2024 workforce
item has one), but they do say what happened ("Resolved", "This took place during 2024", "will not
be pursued"). Counting only actions called 43 items "No actions". The rules that read the papers'
wording live in data/tracker_status.toml so the scrutiny officer can change them, and each status
carries the reason it was given, so the page can say why.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from recommendations.model import CLOSED_STATUSES, REC_STATUSES, RESPONSES, TrackerError

RULES_PATH = Path(__file__).resolve().parents[1] / "data" / "tracker_status.toml"

#: worst first: the order of the filter (one list, in recommendations.model)
PROGRESS: tuple[str, ...] = REC_STATUSES


@dataclass(frozen=True)
class Rule:
    status: str
    phrases: tuple[str, ...]
    exact: bool = False

    def matches(self, text: str) -> str | None:
        """The words around the phrase that matched (whole words, any case), or None."""
        clean = " ".join(text.replace("—", " ").split()).strip(" .;:")
        for phrase in self.phrases:
            if self.exact:
                if clean.lower() == phrase.lower():
                    return clean
            elif m := re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", clean, flags=re.IGNORECASE):
                return _around(clean, m.start(), m.end())
        return None


def _around(text: str, start: int, end: int, words: int = 4) -> str:
    """A few words either side of a match, with … where the text goes on."""
    left = [m.start() for m in re.finditer(r"\S+", text[:start])]
    right = [m.end() for m in re.finditer(r"\S+", text[end:])]
    lo = left[-words] if len(left) >= words else 0
    hi = end + right[min(words, len(right)) - 1] if right else end
    return ("…" if len(left) > words else "") + text[lo:hi] + ("…" if len(right) > words else "")


@dataclass(frozen=True)
class Rules:
    responses: dict[str, str] = field(default_factory=dict)
    wording: tuple[Rule, ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)


def _check(status: str, where: str) -> str:
    if status not in PROGRESS:
        raise TrackerError(f"{where}: status {status!r} is not one of: {', '.join(PROGRESS)}.")
    return status


def load_rules(path: Path | None = None) -> Rules:
    """Read and check data/tracker_status.toml; a mistake names the entry and what is allowed."""
    path = path or RULES_PATH
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrackerError(f"The tracker status rules ({Path(path).name}) cannot be read: {exc}") from None
    for section in ("responses", "defaults"):
        for key in raw.get(section, {}):
            if key not in RESPONSES and key != "commitment":
                raise TrackerError(f"{Path(path).name} [{section}]: {key!r} is not a response category "
                                   f"({', '.join(RESPONSES)}) or 'commitment'.")
    return Rules(
        responses={k: _check(v, f"[responses] {k}") for k, v in raw.get("responses", {}).items()},
        wording=tuple(Rule(status=_check(r["status"], "[[wording]]"), phrases=tuple(r.get("phrases", ())),
                           exact=bool(r.get("exact", False))) for r in raw.get("wording", [])),
        defaults={k: _check(v, f"[defaults] {k}") for k, v in raw.get("defaults", {}).items()},
        overrides={ref: {"status": _check(v["status"], f"[overrides] {ref}"), "reason": v.get("reason", "")}
                   for ref, v in raw.get("overrides", {}).items()},
    )


def derive(*, ref: str, kind: str, response: str | None, wording: str | None,
           action_statuses: list[str], overdue: list[bool], rules: Rules) -> tuple[str, str]:
    """(status, reason in plain words) for one recommendation; see data/tracker_status.toml."""
    if ref in rules.overrides:
        o = rules.overrides[ref]
        return o["status"], o["reason"] or "Set by hand in the tracker status rules."
    category = response or ("Awaited" if kind == "recommendation" else None)
    if category in rules.responses:
        return rules.responses[category], f"The executive response was “{category}”."
    if action_statuses:
        n, late = len(action_statuses), sum(bool(o) for o in overdue)
        if late:
            if n == 1:
                return "Overdue", "Its action is past its due date and not complete."
            if late == n:
                return "Overdue", f"All {n} of its actions are past the due date and not complete."
            return "Overdue", f"{late} of its {n} actions {'is' if late == 1 else 'are'} past the due date and not complete."
        if all(s in CLOSED_STATUSES for s in action_statuses):
            return "Done", "Its action is complete." if n == 1 else f"All {n} of its actions are complete."
        return "In progress", "Its action is not complete yet." if n == 1 else f"{n} actions, not all complete yet."
    text = (wording or "").strip()
    if text:
        for rule in rules.wording:
            if (phrase := rule.matches(text)) is not None:
                return rule.status, f"The response says “{phrase}”."
    key = category if category is not None else "commitment"
    status = rules.defaults.get(key, "In progress")
    return status, ("A commitment made at the meeting; no actions are recorded." if key == "commitment"
                    else f"Response “{category}”; the papers record no outcome yet.")


def summary_line(frame, *, today: date | None = None) -> str:
    """'Of 49 recommendations since September 2023: 20 done, 15 in progress, 3 overdue, …'."""
    recs = frame[frame["kind"] == "recommendation"]
    if recs.empty:
        return "No recommendations are recorded yet."
    since = min(recs["meeting_date"])
    counts = recs["status"].value_counts()
    order = ("Done", "In progress", "Overdue", "Not started", "Awaiting response", "No action needed", "Not pursued")
    parts = [f"{int(counts[s])} {s.lower()}" for s in order if counts.get(s, 0)]
    n = len(recs)
    return (f"Of {n} recommendation{'s' if n != 1 else ''} since {since:%B %Y}: " + ", ".join(parts) + ".")
