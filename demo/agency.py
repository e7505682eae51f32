"""The demo's Agency assignments sheets: what a managed-service provider would report each month.

Why a post-processing step: the assignments describe the agency workers the demo's Staff sheets
already hold (same references, teams, FTE and assignment starts), so they are derived from those
frames rather than simulated alongside them. Each worker's attributes (agency, job type, charge
rate, experience, notice, references) are drawn once from a generator seeded by the demo seed and
the reference, so they persist from month to month and the same seed gives the same sheets.

Realism: charge rates of about £35-£55 an hour around the example price caps shipped in
data/agency_rules.toml; a few breaches of each kind (above the cap with and without sign-off,
under three years' experience, short notice, a missing reference, assignments running for more
than a year); one project team; and a few social workers who left an employed post here and came
back through an agency within the West Midlands' 12-month cool-off. Those keep their payroll
number as the agency reference (the demo has no registration numbers on the Staff sheet; a real
return is matched by registration number too).
"""

from __future__ import annotations

import calendar
import datetime as _dt

import numpy as np
import pandas as pd

SHEET = "Agency assignments"
COLUMNS = ("employee_id", "swe_registration", "agency", "job_type", "hourly_rate", "hours",
           "start_date", "planned_end_date", "notice_weeks", "date_qualified", "years_pqe",
           "references_received", "project_team", "cap_signoff_date", "cap_signoff_by")

_DATE_COLUMNS = frozenset({"start_date", "planned_end_date", "date_qualified", "cap_signoff_date"})

AGENCIES = ("Northgate Social Care Recruitment", "Marches Locums", "Severn Social Work Agency",
            "Wye Valley Professionals", "Pinnacle Children's Services")

# Charge-rate bands per job type (£ per hour): within the example cap (low, high) and above it
# (high). The example caps are Social worker £40 (£41 from April 2026), Senior social worker
# £43, Advanced practitioner £46, Team manager £50, IRO / child protection chair £47.
RATE_BANDS: dict[str, tuple[float, float, float]] = {
    "Social worker": (35.0, 39.5, 44.0),
    "Senior social worker": (38.0, 42.5, 47.0),
    "Advanced practitioner": (41.0, 45.5, 50.0),
    "Team manager": (45.0, 49.5, 55.0),
    "IRO / child protection chair": (42.0, 46.5, 51.0),
    "Other": (38.0, 48.0, 55.0),
}
P_ABOVE_CAP = 0.15        # share of workers charged above the cap
P_SHORT_NOTICE = 0.07     # notice of 1-2 weeks instead of 4
P_ONE_REFERENCE = 0.07    # one practice reference instead of two
P_JUNIOR = 0.06           # under three years' post-qualifying experience at the start
COOL_OFF_RETURNERS = 4    # employed leavers who come back through an agency within 12 months


def _job_type(role: str, rng: np.random.Generator) -> str:
    if role == "Social worker":
        return "Senior social worker" if rng.random() < 0.3 else "Social worker"
    return {"Senior practitioner": "Advanced practitioner", "Team manager": "Team manager",
            "Other": "IRO / child protection chair"}.get(role, "Other")


def _worker(ref: str, role: str, start: _dt.date, seed: int) -> dict:
    """The persistent attributes of one agency worker (the same every month)."""
    digits = int("".join(ch for ch in ref if ch.isdigit()) or 0)
    rng = np.random.default_rng([seed, 14, digits, len(ref)])
    job = _job_type(role, rng)
    low, high, top = RATE_BANDS[job]
    above = rng.random() < P_ABOVE_CAP
    rate = rng.uniform(high + 1.0, top) if above else rng.uniform(low, high)
    signoff_date, signoff_by = None, None
    if above:
        kind = rng.random()
        if kind < 0.5:
            signoff_date, signoff_by = start + _dt.timedelta(days=int(rng.integers(3, 20))), \
                "DCS and chief executive"
        elif kind < 0.75:
            signoff_date, signoff_by = start + _dt.timedelta(days=int(rng.integers(3, 20))), \
                "DCS only"
    junior = rng.random() < P_JUNIOR
    pqe_years = rng.uniform(1.0, 2.6) if junior else rng.uniform(3.5, 22.0)
    return {
        "swe_registration": f"SW{100000 + (digits * 7919) % 900000}",
        "agency": AGENCIES[int(rng.integers(len(AGENCIES)))],
        "job_type": job,
        "hourly_rate": round(rate * 2) / 2,
        "notice_weeks": float(rng.choice([1, 2])) if rng.random() < P_SHORT_NOTICE else 4.0,
        "date_qualified": start - _dt.timedelta(days=int(pqe_years * 365.25)),
        "references_received": 1 if rng.random() < P_ONE_REFERENCE else 2,
        "cap_signoff_date": signoff_date,
        "cap_signoff_by": signoff_by,
        "hours_per_fte": rng.uniform(135.0, 162.0),
        "hours_rng_seed": digits,
    }


def _add_months(day: _dt.date, months: int) -> _dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _dates(values) -> list[_dt.date | None]:
    arr = np.asarray(values, dtype="datetime64[D]")
    return [None if np.isnat(v) else v.astype(_dt.date) for v in arr]


def _agency_social_workers(staff: pd.DataFrame, *, role: str | None = None) -> np.ndarray:
    """Mask of the qualified agency workers on a Staff frame (optionally of one role group)."""
    mask = ((staff["worker_type"].to_numpy(dtype=object) == "Agency")
            & (staff["qualified_social_worker"].to_numpy(dtype=object) == "Y"))
    if role is not None:
        mask &= staff["role_group"].to_numpy(dtype=object) == role
    return mask


def _returners(months: list[tuple[str, dict[str, pd.DataFrame]]], *, count: int
               ) -> dict[str, str]:
    """Agency reference -> payroll number of an employed social worker who left here and whose
    post an agency worker took within 12 months (the demo's cool-off breaches)."""
    first_seen: dict[str, tuple[int, _dt.date]] = {}
    last_seen: dict[str, int] = {}
    # people who came here from an agency keep out of it (their history already has an agency
    # record under another reference)
    used: set[str] = set()
    for i, (_, frames) in enumerate(months):
        staff = frames["Staff"]
        ids = staff["employee_id"].to_numpy(dtype=object)
        last_seen.update(dict.fromkeys(ids.tolist(), i))
        used.update(ids[staff["converted_from_agency"].to_numpy(dtype=object) == "Y"].tolist())
        pick = _agency_social_workers(staff, role="Social worker")
        for ref, start in zip(ids[pick].tolist(), _dates(staff["start_date"].to_numpy()[pick])):
            first_seen.setdefault(ref, (i, start))
    candidates = sorted(first_seen.items(), key=lambda kv: kv[1][1])
    pairs: dict[str, str] = {}
    # the most recent leavers first, so the breaches show in the latest months
    for i in range(len(months) - 1, 0, -1):
        leavers = months[i][1]["Leavers"]
        if not len(leavers):
            continue
        sw = ((leavers["qualified_social_worker"].to_numpy(dtype=object) == "Y")
              & (leavers["role_group"].to_numpy(dtype=object) == "Social worker")
              & (leavers["worker_type"].to_numpy(dtype=object) != "Agency"))
        for lid, left in zip(leavers["employee_id"].to_numpy(dtype=object)[sw].tolist(),
                             _dates(leavers["leave_date"].to_numpy()[sw])):
            if last_seen.get(lid, -1) > i or lid in used:
                continue  # the leaver must not be in post again under their own number
            window_end = _add_months(left, 12)
            for ref, (j, start) in candidates:
                month_first = _dt.date.fromisoformat(months[j][0] + "-01")
                if ref not in pairs and j > i and left < start <= window_end \
                        and start >= month_first:
                    pairs[ref] = lid
                    used.add(lid)
                    break
            if len(pairs) >= count:
                return pairs
    return pairs


def add_assignments(months: list[tuple[str, dict[str, pd.DataFrame]]], *, seed: int
                    ) -> list[tuple[str, dict[str, pd.DataFrame]]]:
    """The demo months with an Agency assignments sheet each (and the returners' references).

    `months` is `generate()`'s list of (period, frames); frames are changed only by renaming the
    returners' agency references (Staff and Training) to their old payroll numbers.
    """
    if not months:
        return months
    renames = _returners(months, count=COOL_OFF_RETURNERS)
    last_staff = months[-1][1]["Staff"]
    qualified_agency = last_staff[(last_staff["worker_type"] == "Agency")
                                  & (last_staff["qualified_social_worker"] == "Y")]
    project_team = (qualified_agency["team"].value_counts().index[0]
                    if len(qualified_agency) else None)
    project_from = _add_months(_dt.date.fromisoformat(months[-1][0] + "-01"), -18)
    workers: dict[str, dict] = {}
    out = []
    for period, frames in months:
        month_start = _dt.date.fromisoformat(period + "-01")
        month_end = _add_months(month_start, 1) - _dt.timedelta(days=1)
        if renames:
            for name in ("Staff", "Training"):
                frame = frames.get(name)
                if frame is not None and len(frame) and frame["employee_id"].isin(renames).any():
                    frames[name] = frame.assign(employee_id=frame["employee_id"].replace(renames))
        staff = frames["Staff"]
        pick = _agency_social_workers(staff)
        rows = []
        for ref, role, team, fte, start in zip(
                *(staff[c].to_numpy(dtype=object)[pick].tolist()
                  for c in ("employee_id", "role_group", "team", "fte")),
                _dates(staff["start_date"].to_numpy()[pick])):
            w = workers.get(ref)
            if w is None:
                w = workers[ref] = _worker(ref, role, start, seed)
            end = _add_months(start, 6)
            while end < month_end:
                end = _add_months(end, 6)
            wobble = 0.9 + 0.15 * ((w["hours_rng_seed"] * 7 + month_start.month * 13
                                     + month_start.year) % 97) / 96
            hours = round(float(fte) * w["hours_per_fte"] * wobble * 2) / 2
            signed_date = w["cap_signoff_date"]
            in_month = signed_date is not None and signed_date <= month_end
            rows.append((
                ref, w["swe_registration"], w["agency"], w["job_type"], w["hourly_rate"], hours,
                start, end, w["notice_weeks"], w["date_qualified"], None,
                w["references_received"],
                "Y" if (team == project_team and start >= project_from) else "N",
                signed_date if in_month else None, w["cap_signoff_by"] if in_month else None,
            ))
        columns = list(zip(*rows)) if rows else [()] * len(COLUMNS)
        data = {}
        for name, values in zip(COLUMNS, columns):
            if name in _DATE_COLUMNS:
                data[name] = np.array([np.datetime64("NaT") if v is None else np.datetime64(v, "D")
                                       for v in values], dtype="datetime64[s]")
            elif name in ("hourly_rate", "hours", "notice_weeks"):
                data[name] = np.array(values, dtype=float)
            else:
                data[name] = np.array(values, dtype=object)
        sheet = pd.DataFrame(data)
        out.append((period, {**frames, SHEET: sheet}))
    return out
