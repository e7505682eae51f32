"""The agency rules as this council applies them, read from data/agency_rules.toml.

Why a file: price caps are agreed regionally and revised (with effective dates), and the cool-off
period differs by region (3 months nationally, 12 in the West Midlands). Policy is not code: HR
edits the file, and a mistake in it is reported with the line to fix, never half-applied.
"""

from __future__ import annotations

import calendar
import functools
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from ingest.contract import AGENCY_JOB_TYPES
from store.periods import as_date
from store.settings import read_toml, refuse_unknown
from ingest.validate import month_end  # noqa: F401 - the one month-end helper, re-exported

DEFAULT_RULES_PATH = Path(__file__).resolve().parent.parent / "data" / "agency_rules.toml"


def rules_path() -> Path:
    """`$WORKFORCE_AGENCY_RULES` if set, else data/agency_rules.toml."""
    env = os.environ.get("WORKFORCE_AGENCY_RULES", "").strip()
    return Path(env) if env else DEFAULT_RULES_PATH

#: Job types the rules on experience and registration apply to (all but "Other").
SOCIAL_WORK_JOB_TYPES: tuple[str, ...] = tuple(j for j in AGENCY_JOB_TYPES if j != "Other")
#: A cap breach counts as signed off only with both signatures the guidance asks for.
FULL_SIGN_OFF = "DCS and chief executive"


class AgencyRulesError(ValueError):
    """The agency rules file is missing, unreadable or has an invalid entry (message says where)."""


@dataclass(frozen=True)
class Cap:
    """One regional price cap: the most paid per hour for a job type from a date."""

    region: str
    job_type: str
    hourly_rate: float
    effective_from: date
    effective_to: date | None = None
    example: bool = False

    def applies_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class AgencyRules:
    """The validated rules (one object passed to checks, cost and the quarterly summary)."""

    region: str
    min_experience_years: float
    min_notice_weeks: float
    references_required: int
    long_assignment_months: int
    cool_off_default_months: int
    cool_off_regions: Mapping[str, int]
    caps: tuple[Cap, ...]
    employed_annual_per_fte: Mapping[str, float]
    hours_per_fte_year: float
    cost_is_example: bool = False
    source: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def cool_off_months(self) -> int:
        """The cool-off window for this council's region."""
        return int(self.cool_off_regions.get(self.region, self.cool_off_default_months))

    @property
    def caps_are_examples(self) -> bool:
        return any(c.example for c in self.caps if c.region == self.region)

    def cap_for(self, job_type: str, *, on: date) -> float | None:
        """The cap in force on `on` for `job_type` in this council's region (None = no cap)."""
        found = [c for c in self.caps
                 if c.region == self.region and c.job_type == job_type and c.applies_on(on)]
        if not found:
            return None
        return max(found, key=lambda c: c.effective_from).hourly_rate

    def caps_in_force(self, *, on: date) -> dict[str, float]:
        """Job type -> cap on `on`, for this council's region (job types without one are left out)."""
        out = {}
        for job in AGENCY_JOB_TYPES:
            cap = self.cap_for(job, on=on)
            if cap is not None:
                out[job] = cap
        return out

    def assumptions(self) -> list[str]:
        """Plain-English statement of the rules in force (shown on the page and in the file)."""
        lines = [
            f"Region: {self.region}; cool-off {self.cool_off_months} months after leaving an "
            "employed social-work post here.",
            f"At least {self.min_experience_years:g} years' post-qualifying experience; notice of "
            f"at least {self.min_notice_weeks:g} weeks; {self.references_required} practice "
            f"references; assignments over {self.long_assignment_months} months reviewed.",
        ]
        if self.caps_are_examples:
            lines.append("The price caps in data/agency_rules.toml are EXAMPLES, not the region's "
                         "agreed figures: replace them before relying on cap compliance.")
        if self.cost_is_example:
            lines.append("The employed costs per FTE in data/agency_rules.toml are EXAMPLES: "
                         "replace them with the council's own figures.")
        return lines


# --------------------------------------------------------------------------- loading

_TOP_KEYS = {"council", "rules", "cool_off", "caps", "cost"}
_RULE_KEYS = {"min_experience_years", "min_notice_weeks", "references_required",
              "long_assignment_months"}
_CAP_KEYS = {"region", "job_type", "hourly_rate", "effective_from", "effective_to", "example"}
_COST_KEYS = {"example", "hours_per_fte_year", "employed_annual_per_fte"}


def _unknown(where: str, raw: Mapping[str, Any], allowed: set[str]) -> None:
    refuse_unknown(where, raw, allowed, error=AgencyRulesError)


def _table(where: str, raw: Any) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise AgencyRulesError(f"{where} must be a table ([{where.split()[-1]}]), not {raw!r}")
    return raw


def _number(where: str, value: Any, *, minimum: float = 0.0, strict: bool = False,
            whole: bool = False, maximum: float | None = None) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and whole and float(value) != int(value):
        ok = False
    if ok:
        v = float(value)
        ok = (v > minimum if strict else v >= minimum) and (maximum is None or v <= maximum)
    if not ok:
        kind = "a whole number" if whole else "a number"
        bound = f"more than {minimum:g}" if strict else f"at least {minimum:g}"
        if maximum is not None:
            bound += f" and at most {maximum:g}"
        raise AgencyRulesError(f"{where} must be {kind} {bound}, not {value!r}")
    return float(value)


def _date(where: str, value: Any) -> date:
    try:
        return as_date(value)
    except ValueError:
        raise AgencyRulesError(
            f"{where} must be a date written like 2024-10-31 (no quotes), not {value!r}") from None


def _job_type(where: str, value: Any) -> str:
    if value not in AGENCY_JOB_TYPES:
        raise AgencyRulesError(
            f"{where}: job_type {value!r} is not one of {', '.join(AGENCY_JOB_TYPES)}")
    return str(value)


def parse_rules(raw: Mapping[str, Any], *, source: str = "agency_rules.toml") -> AgencyRules:
    """Validate a parsed rules document; AgencyRulesError names the setting to fix."""
    _unknown(source, raw, _TOP_KEYS)
    council = _table(f"{source} [council]", raw.get("council", {}))
    _unknown(f"{source} [council]", council, {"region"})
    region = council.get("region")
    if not isinstance(region, str) or not region.strip():
        raise AgencyRulesError(f"{source} [council]: region must name the council's region, "
                               'e.g. region = "West Midlands"')
    region = region.strip()

    rules = _table(f"{source} [rules]", raw.get("rules", {}))
    _unknown(f"{source} [rules]", rules, _RULE_KEYS)
    where = f"{source} [rules]"
    min_exp = _number(f"{where} min_experience_years", rules.get("min_experience_years", 3),
                      maximum=50)
    min_notice = _number(f"{where} min_notice_weeks", rules.get("min_notice_weeks", 4), maximum=52)
    refs = int(_number(f"{where} references_required", rules.get("references_required", 2),
                       whole=True, maximum=10))
    long_months = int(_number(f"{where} long_assignment_months",
                              rules.get("long_assignment_months", 12), whole=True, strict=True,
                              maximum=120))

    cool = _table(f"{source} [cool_off]", raw.get("cool_off", {}))
    _unknown(f"{source} [cool_off]", cool, {"default_months", "regions"})
    cool_default = int(_number(f"{source} [cool_off] default_months",
                               cool.get("default_months", 3), whole=True, maximum=60))
    cool_regions_raw = _table(f"{source} [cool_off.regions]", cool.get("regions", {}))
    cool_regions = {
        str(k): int(_number(f"{source} [cool_off.regions] {k!r}", v, whole=True, maximum=60))
        for k, v in cool_regions_raw.items()
    }

    caps_raw = raw.get("caps", [])
    if not isinstance(caps_raw, list):
        raise AgencyRulesError(f"{source}: caps must be a list of [[caps]] tables")
    caps: list[Cap] = []
    for i, c in enumerate(caps_raw, start=1):
        w = f"{source} cap {i} ([[caps]] number {i})"
        c = _table(w, c)
        _unknown(w, c, _CAP_KEYS)
        for key in ("region", "job_type", "hourly_rate", "effective_from"):
            if key not in c:
                raise AgencyRulesError(f"{w}: {key} is missing")
        if not isinstance(c["region"], str) or not c["region"].strip():
            raise AgencyRulesError(f"{w}: region must be text, e.g. \"West Midlands\"")
        start = _date(f"{w} effective_from", c["effective_from"])
        end = _date(f"{w} effective_to", c["effective_to"]) if "effective_to" in c else None
        if end is not None and end < start:
            raise AgencyRulesError(f"{w}: effective_to ({end}) is before effective_from ({start})")
        example = c.get("example", False)
        if not isinstance(example, bool):
            raise AgencyRulesError(f"{w}: example must be true or false, not {example!r}")
        caps.append(Cap(
            region=c["region"].strip(), job_type=_job_type(w, c["job_type"]),
            hourly_rate=_number(f"{w} hourly_rate", c["hourly_rate"], strict=True, maximum=500),
            effective_from=start, effective_to=end, example=example,
        ))
    seen: dict[tuple[str, str, date], int] = {}
    for i, cap in enumerate(caps, start=1):
        key = (cap.region, cap.job_type, cap.effective_from)
        if key in seen:
            raise AgencyRulesError(
                f"{source}: caps {seen[key]} and {i} both set the {cap.job_type} cap for "
                f"{cap.region} from {cap.effective_from}: keep one")
        seen[key] = i

    cost = _table(f"{source} [cost]", raw.get("cost", {}))
    _unknown(f"{source} [cost]", cost, _COST_KEYS)
    hours = _number(f"{source} [cost] hours_per_fte_year", cost.get("hours_per_fte_year", 1929),
                    strict=True, maximum=8784)
    cost_example = cost.get("example", False)
    if not isinstance(cost_example, bool):
        raise AgencyRulesError(f"{source} [cost] example must be true or false")
    employed_raw = _table(f"{source} [cost.employed_annual_per_fte]",
                          cost.get("employed_annual_per_fte", {}))
    employed = {}
    for job, value in employed_raw.items():
        w = f"{source} [cost.employed_annual_per_fte]"
        employed[_job_type(w, job)] = _number(f"{w} {job!r}", value, strict=True,
                                              maximum=1_000_000)

    warnings = []
    if not any(c.region == region for c in caps):
        warnings.append(f"No price caps are set for {region}: cap compliance cannot be checked.")
    return AgencyRules(
        region=region, min_experience_years=min_exp, min_notice_weeks=min_notice,
        references_required=refs, long_assignment_months=long_months,
        cool_off_default_months=cool_default, cool_off_regions=cool_regions, caps=tuple(caps),
        employed_annual_per_fte=employed, hours_per_fte_year=hours, cost_is_example=cost_example,
        source=source, warnings=tuple(warnings),
    )


def load_rules(path: str | Path | None = None) -> AgencyRules:
    """The rules from `path` (default `rules_path()`); AgencyRulesError says what to fix."""
    p = Path(path) if path is not None else rules_path()
    raw = read_toml(p, what="agency rules", error=AgencyRulesError)
    return parse_rules(raw, source=p.name)


@functools.lru_cache(maxsize=8192)  # called for every assignment on every check (~2,000 a view)
def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
