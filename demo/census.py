"""The CSWW census items in the demo extracts, so the census pages, export and readiness report
have something real to show.

Why a pass of its own over the generated frames: each value is derived from the person's id
(a stable hash) or from what the month already says (absence, start date, conversion, leaving
reason), so the simulation's random stream and every existing demo figure stay exactly as they
were, and a person keeps the same registration number, sex and qualification every month.
The census ethnicity code is the one the Ethnicity column gives (DfE codes and ONS 2021 labels,
read as the loader reads them). Blanks the simulation already has (ethnicity, gender not yet
recorded) are the gaps the readiness report shows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ingest import contract as C


_ORIGINS = ((0.30, "Newly qualified social worker"),
            (0.25, "Social worker role in a different local authority in England"),
            (0.05, "Social worker role outside England"),
            (0.10, "Other social work role non-local authority (in England)"),
            (0.10, "Other social care role in local authority/non-local authority (in England)"),
            (0.05, "Non-social care role/any role outside England/no employment/career break"),
            (0.05, "Other"), (0.10, None))
_DESTINATIONS = ((0.35, "Social worker role in a different local authority in England"),
                 (0.20, "Agency or consultancy in social work (in England)"),
                 (0.10, "Other social work role non-local authority (in England)"),
                 (0.10, "Other social care role in local authority/non-local authority (in England)"),
                 (0.10, "Non-social care role/any role outside England/no employment/career break"),
                 (0.05, "Other"), (0.10, None))
#: monthly leaving reason -> census reason (Redundancy is split by the person's hash)
_REASONS = {"Resignation": "Resignation", "Retirement": "Retired", "Dismissal": "Dismissed",
            "End of fixed-term contract": "Other",
            "Moved to another council role": "Moved to a non-child and family social work role "
                                             "within LA",
            "Other": "Other", "Not known": "Not known"}
_SALARY = {"Senior manager": 78000, "Middle manager": 62000, "Team manager": 52000,
           "Senior practitioner": 45500, "Social worker": 39500,
           "Family support / practitioner": 29000, "Business support": 24500, "Other": 30000}


_SALTS = {name: k + 1 for k, name in enumerate(
    ("qual", "stepup", "frontline", "origin", "weeks", "salary", "rr", "other", "destination",
     "redundancy"))}


def _u(h: np.ndarray, salt: str) -> np.ndarray:
    """A stable uniform number in [0, 1) per person and item, from the person's id hash `h`
    (splitmix64 of the hash and the item's number: cheap, vectorised, the same every month)."""
    with np.errstate(over="ignore"):
        z = h + np.uint64(_SALTS[salt]) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(float) / float(2**53)


def _hash(ids: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(ids.astype(object), index=False).to_numpy()


def _choose(u: np.ndarray, table: tuple[tuple[float, str | None], ...]) -> np.ndarray:
    edges = np.cumsum([p for p, _ in table])
    values = np.array([v for _, v in table], dtype=object)
    return values[np.minimum(np.searchsorted(edges, u, side="right"), len(values) - 1)]


_ETHNICITY = C.choice_lookup(C.SHEETS["Staff"].column("census_ethnicity"))


def _census_ethnicity(ethnicity: pd.Series) -> np.ndarray:
    """The census code the extract's Ethnicity gives (a DfE code or ONS 2021 label), else None."""
    keys = {v: _ETHNICITY.get(C.normalise_key(v)) for v in ethnicity.dropna().unique()}
    return ethnicity.astype(object).map(keys).to_numpy(dtype=object)


def _staff(period: str, staff: pd.DataFrame) -> pd.DataFrame:
    """Registration number: SW, 1 (payroll id) or 2 (agency reference), then the id's digits."""
    ids = staff["employee_id"].astype(str)
    h = _hash(ids)
    qsw = staff["qualified_social_worker"].astype(str).eq("Y").to_numpy()
    employed = ~staff["worker_type"].eq("Agency").to_numpy()
    qsw_emp = qsw & employed
    swe = (np.where(ids.str.startswith("E"), "SW1", "SW2").astype(object)
           + ids.str.replace(r"\D", "", regex=True).to_numpy(dtype=object))
    swe[~qsw] = None
    gender = staff["gender"].astype(object).to_numpy()
    sex = np.where(gender == "Female", "F", np.where(gender == "Male", "M", None)).astype(object)
    uq = _u(h, "qual")
    qual = np.where(uq < 0.55, "Under-graduate", np.where(uq < 0.95, "Post-graduate", "Other"))
    end = pd.Period(period, "M").end_time.normalize()
    new = (pd.to_datetime(staff["start_date"]) > end - pd.DateOffset(months=12)).to_numpy() \
        & employed
    converted = staff["converted_from_agency"].eq("Y").to_numpy() \
        if "converted_from_agency" in staff else np.zeros(len(staff), bool)
    origin = np.where(converted, "Agency or consultancy in social work (in England)",
                      _choose(_u(h, "origin"), _ORIGINS))
    days = pd.to_numeric(staff["absence_days"], errors="coerce").to_numpy(dtype=float)
    absent = np.where(employed, np.where(np.nan_to_num(days) >= 15, "Y", "N"), None)
    base = staff["role_group"].map(_SALARY).to_numpy(dtype=float)
    salary = np.round(base * (0.94 + 0.12 * _u(h, "salary")), 2)
    columns = {
        "swe_number": swe,
        "census_sex": np.where(employed, sex, None),
        "census_ethnicity": np.where(employed, _census_ethnicity(staff["ethnicity"]), None),
        "qualification_level": np.where(qsw_emp, qual, None),
        "step_up_graduate": np.where(qsw_emp, np.where(_u(h, "stepup") < 0.05, "Y", "N"), None),
        "frontline_graduate": np.where(qsw_emp, np.where(_u(h, "frontline") < 0.08, "Y", "N"),
                                       None),
        "start_origin": np.where(new, origin, None),
        "absent_at_month_end": absent,
        "absence_reason": np.where(absent == "Y", "Sick leave", None),
        "contracted_weeks": np.where(employed & (_u(h, "weeks") < 0.03), 39.0, np.nan),
        "base_salary": np.where(employed, salary, np.nan),
        "rr_payments": np.where(employed, np.where(_u(h, "rr") < 0.2, 2000.0, 0.0), np.nan),
        "other_payments": np.where(employed, np.where(_u(h, "other") < 0.1, 480.0, 0.0), np.nan),
    }
    # object columns stay object (no per-month inference into Arrow strings: it is the slow part)
    extra = pd.DataFrame({k: pd.Series(v, index=staff.index, copy=False,
                                       dtype=object if v.dtype == object else None)
                          for k, v in columns.items()})
    return pd.concat([staff, extra], axis=1)


def _leavers(leavers: pd.DataFrame) -> pd.DataFrame:
    out = leavers.copy()
    if out.empty:
        out["leaver_destination"] = pd.Series(dtype=object)
        out["census_leaving_reason"] = pd.Series(dtype=object)
        return out
    h = _hash(out["employee_id"].astype(str))
    out["leaver_destination"] = _choose(_u(h, "destination"), _DESTINATIONS)
    redundancy = np.where(_u(h, "redundancy") < 0.7, "Voluntary redundancy",
                          "Compulsory redundancy")
    reason = out["reason"].map(_REASONS).to_numpy(dtype=object)
    out["census_leaving_reason"] = np.where(out["reason"].eq("Redundancy"), redundancy, reason)
    return out


def add_census_items(period: str, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The month's frames with the census columns added to Staff and Leavers."""
    out = dict(frames)
    out["Staff"] = _staff(period, frames["Staff"])
    out["Leavers"] = _leavers(frames["Leavers"])
    return out
