"""The demo generator behaves like the directorate it stands for (DESIGN §3, issue 2 item 9).

Every figure here is recomputed independently with pandas from the generated frames, so the
tests check the data, not the generator's own bookkeeping. The window is pinned
(end_period="2026-10") so the expectations do not move with today's date; one test checks the
default window separately.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from ingest import contract as C
from demo import (
    DemoError,
    SERVICES,
    default_end_period,
    generate,
    month_periods,
)

END = "2026-10"


@pytest.fixture(scope="module")
def demo() -> list[tuple[str, dict[str, pd.DataFrame]]]:
    return generate(end_period=END)


@pytest.fixture(scope="module")
def staff(demo) -> pd.DataFrame:
    """All months' Staff sheets stacked, with period and month-end columns."""
    parts = []
    for period, frames in demo:
        f = frames["Staff"].copy()
        f["period"] = period
        f["month_end"] = pd.Timestamp(period) + pd.offsets.MonthEnd(0)
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


def _sw_agency_share(frame: pd.DataFrame) -> float:
    sw = frame[frame["qualified_social_worker"] == "Y"]
    agency = sw.loc[sw["worker_type"] == "Agency", "fte"].sum()
    return float(agency / sw["fte"].sum())


def _employed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["worker_type"] != "Agency"]


# --------------------------------------------------------------------------- window and API


def test_window_is_36_months_ending_at_end_period(demo):
    periods = [p for p, _ in demo]
    assert len(periods) == 36
    assert periods[0] == "2023-11" and periods[-1] == "2026-10"
    assert periods == sorted(periods)
    assert all(set(frames) == {"Staff", "Leavers", "Vacancies", "Training", "Survey",
                               "Agency assignments"}
               for _, frames in demo)


def test_default_end_period_is_last_complete_month():
    assert default_end_period(dt.date(2026, 11, 22)) == "2026-10"
    assert default_end_period(dt.date(2026, 1, 1)) == "2025-12"
    assert default_end_period(dt.date(2024, 3, 31)) == "2024-02"
    periods = month_periods(months=3)
    assert periods[-1] == default_end_period()
    assert [p for p, _ in generate(months=2)][-1] == default_end_period()


@pytest.mark.parametrize("kwargs", [
    {"end_period": "2026-13"}, {"end_period": "26-01"}, {"end_period": "October"},
    {"months": 0}, {"months": 2.5}, {"scale": 0}, {"scale": -1},
])
def test_bad_arguments_raise_demo_error(kwargs):
    with pytest.raises(DemoError):
        generate(**kwargs)


def test_same_seed_gives_identical_frames_and_another_seed_differs(demo):
    again = generate(end_period=END)
    assert [p for p, _ in again] == [p for p, _ in demo]
    for (_, a), (_, b) in zip(demo, again):
        for sheet in a:
            pd.testing.assert_frame_equal(a[sheet], b[sheet])
    other = generate(end_period=END, seed=7, months=2)
    assert not other[-1][1]["Staff"].equals(demo[-1][1]["Staff"])


# --------------------------------------------------------------------------- size and shape


def test_directorate_size(demo):
    for period, frames in demo:
        s = frames["Staff"]
        assert 600 <= len(s) <= 700, period
        sw_fte = s.loc[s["qualified_social_worker"] == "Y", "fte"].sum()
        assert 130 <= sw_fte <= 150, (period, sw_fte)
        assert set(s["service"]) == set(SERVICES) == set(C.SERVICES_EXAMPLE)
        assert 18 <= s["team"].nunique() <= 24
        assert s["employee_id"].is_unique
    teams = demo[-1][1]["Staff"]["team"]
    assert {"Assessment Team North", "Fostering", "Edge of Care"} <= set(teams)


def test_scale_multiplies_the_workforce():
    small = generate(end_period=END, months=2, scale=10)[-1][1]["Staff"]
    assert 6000 <= len(small) <= 7000
    assert small["employee_id"].is_unique


@pytest.mark.slow
def test_scale_100_is_feasible():
    """How long it takes is bench/bench_demo.py's to say (no timed tests)."""
    big = generate(end_period=END, months=2, scale=100)
    staff = big[-1][1]["Staff"]
    assert 60000 <= len(staff) <= 70000
    assert staff["employee_id"].is_unique
    assert 0.14 <= _sw_agency_share(staff) <= 0.22


def test_ids_are_pseudonymous_and_persist(demo, staff):
    employees = _employed(staff)["employee_id"]
    agency = staff.loc[staff["worker_type"] == "Agency", "employee_id"]
    # agency references, except the few employed leavers who came back through an agency
    # (the demo's cool-off breaches keep their payroll number)
    assert agency.str.fullmatch(r"AG\d{5}|E\d{6}").all()
    assert agency.str.fullmatch(r"AG\d{5}").mean() > 0.97
    # employees carry payroll numbers, except the few whose payroll kept the agency reference
    assert employees.str.fullmatch(r"E\d{6}|AG\d{5}").all()
    assert employees.str.fullmatch(r"E\d{6}").mean() > 0.98
    for sheet in ("Staff", "Leavers", "Training"):
        for col in demo[0][1][sheet].columns:
            assert not C.is_personal_header(col), (sheet, col)
    # the same people month to month: at least 95% of ids carry over
    for (_, a), (_, b) in zip(demo, demo[1:]):
        before, after = set(a["Staff"]["employee_id"]), set(b["Staff"]["employee_id"])
        assert len(before & after) / len(before) > 0.95


def test_role_groups_worker_types_and_fte(staff):
    assert set(staff["role_group"]) == set(C.ROLE_GROUPS)
    types = staff["worker_type"].map(lambda v: C.choice_lookup(C.STAFF.column("worker_type"))
                                     [C.normalise_key(v)])
    assert set(types) == {"Permanent", "Fixed-term", "Casual", "Agency"}
    assert (staff["worker_type"] == "Fixed Term").any()  # an HR-system spelling the contract accepts
    assert (types == "Permanent").mean() > 0.6
    assert ((staff["fte"] > 0) & (staff["fte"] <= 1)).all()
    assert (staff["fte"] == 1.0).mean() > 0.75
    part = staff.loc[staff["fte"] < 1, "fte"]
    assert part.between(0.5, 0.9).all() and len(part) > 0


# --------------------------------------------------------------------------- agency share


def test_social_worker_agency_share_follows_herefordshire_path(demo):
    share = {p: _sw_agency_share(f["Staff"]) for p, f in demo}
    assert 0.45 <= share["2023-11"] <= 0.58          # about 50% at the start
    assert abs(share["2026-10"] - 0.18) <= 0.04      # about 18% at the end
    assert abs(share["2024-09"] - 0.34) <= 0.04      # DfE census Sept 2024: 33.9%
    assert abs(share["2025-09"] - 0.18) <= 0.04      # DfE census Sept 2025: 18.3%
    values = list(share.values())
    # falling over the first two years, year on year
    assert all(values[k + 12] < values[k] - 0.05 for k in range(0, 12))


def test_september_2023_is_55_percent_when_the_window_covers_it():
    earlier = dict((p, _sw_agency_share(f["Staff"]))
                   for p, f in generate(end_period="2025-09"))
    assert abs(earlier["2023-09"] - 0.55) <= 0.04
    assert abs(earlier["2024-09"] - 0.34) <= 0.04
    assert abs(earlier["2025-09"] - 0.18) <= 0.04


def test_team_managers_mostly_permanent_with_agency_managers_early(demo):
    def tm_agency(frame):
        tm = frame[frame["role_group"] == "Team manager"]
        return (tm["worker_type"] == "Agency").mean()
    early = np.mean([tm_agency(f["Staff"]) for _, f in demo[:6]])
    late = np.mean([tm_agency(f["Staff"]) for _, f in demo[-6:]])
    assert 0.08 <= early <= 0.4
    assert late <= 0.1 and late < early


# --------------------------------------------------------------------------- leavers, starters, conversions


def test_leavers_rate_is_12_to_18_percent_a_year(demo):
    employed = [len(_employed(f["Staff"])) for _, f in demo]
    leavers = [len(f["Leavers"]) for _, f in demo]
    for k in range(11, len(demo)):
        rate = sum(leavers[k - 11:k + 1]) / np.mean(employed[k - 11:k + 1])
        assert 0.12 <= rate <= 0.18, (demo[k][0], rate)
    # DESIGN §4's FTE definition: leavers' FTE in 12 months / employed FTE in post at d
    last = demo[-1][1]["Staff"]
    fte_rate = sum(f["Leavers"]["fte"].sum() for _, f in demo[-12:]) / _employed(last)["fte"].sum()
    assert 0.12 <= fte_rate <= 0.18


def test_leavers_are_employees_who_left_in_the_month(demo):
    reasons = pd.concat([f["Leavers"] for _, f in demo])["reason"]
    assert set(reasons) <= set(C.LEAVER_REASONS)
    counts = reasons.value_counts()
    assert counts.index[0] == "Resignation"
    for r in ("Retirement", "End of fixed-term contract", "Dismissal",
              "Moved to another council role"):
        assert counts.get(r, 0) > 0, r
    for (_, before), (period, now) in zip(demo, demo[1:]):
        lv = now["Leavers"]
        first = pd.Timestamp(period)
        last = first + pd.offsets.MonthEnd(0)
        assert lv["leave_date"].between(first, last).all()
        assert (lv["worker_type"] != "Agency").all()
        assert not set(lv["employee_id"]) & set(now["Staff"]["employee_id"])
        prev = before["Staff"].set_index("employee_id")
        assert set(lv["employee_id"]) <= set(prev.index)
        assert (lv["start_date"] <= lv["leave_date"]).all()
        age = (lv["leave_date"] - prev.loc[lv["employee_id"], "date_of_birth"].to_numpy()
               ).dt.days / 365.25
        retired = lv["reason"].to_numpy() == "Retirement"
        assert (age[retired] >= 60).all()
        fixed_end = lv["reason"] == "End of fixed-term contract"
        assert lv.loc[fixed_end, "worker_type"].isin(["Fixed-term", "Fixed Term"]).all()


def test_starters_replace_leavers(demo):
    starters = []
    for period, frames in demo[1:]:
        s = _employed(frames["Staff"])
        first = pd.Timestamp(period)
        starters.append(int((s["start_date"] >= first).sum()))
    assert all(n > 0 for n in starters)
    assert sum(starters) >= sum(len(f["Leavers"]) for _, f in demo[1:])


def test_agency_workers_convert_to_permanent(demo, staff):
    converted = _employed(staff)[_employed(staff)["converted_from_agency"] == "Y"]
    new_ids = converted.drop_duplicates("employee_id")
    assert len(new_ids) >= 5
    # the same person: an agency worker with the same birth date and team the month before
    by_period = dict(demo)
    periods = [p for p, _ in demo]
    matched = 0
    for _, row in new_ids.iterrows():
        k = periods.index(row["period"])
        if k == 0 or row["start_date"] < pd.Timestamp(row["period"]):
            continue
        prev = by_period[periods[k - 1]]["Staff"]
        same = prev[(prev["worker_type"] == "Agency")
                    & (prev["date_of_birth"] == row["date_of_birth"])
                    & (prev["team"] == row["team"])]
        matched += len(same) > 0
    assert matched >= 5
    # and a few where payroll reused the agency reference: seen as Agency earlier, employed later
    agency_ids = set(staff.loc[staff["worker_type"] == "Agency", "employee_id"])
    reused = set(_employed(staff)["employee_id"]) & agency_ids
    assert 1 <= len(reused) <= 20


# --------------------------------------------------------------------------- vacancies, caseloads, absence


def test_vacancies_are_funded_posts_with_agency_cover(demo):
    for period, frames in demo:
        v = frames["Vacancies"]
        assert (v["vacant_fte"] > 0).all()
        assert (v["covered_by_agency_fte"] >= 0).all()
        assert (v["covered_by_agency_fte"] <= v["vacant_fte"]).all()
        # every agency worker covers a vacant funded post
        agency_fte = frames["Staff"].loc[frames["Staff"]["worker_type"] == "Agency", "fte"].sum()
        assert v["covered_by_agency_fte"].sum() == pytest.approx(agency_fte, abs=0.05)
        assert v["vacant_fte"].sum() > v["covered_by_agency_fte"].sum()  # some uncovered


def test_caseloads(staff):
    holders = staff[staff["cases"].notna()]
    per_fte = holders["cases"].astype(float) / holders["fte"]
    sw = per_fte[holders["qualified_social_worker"] == "Y"]
    assert sw.between(10, 25).mean() > 0.75
    assert 0 < (sw > 25).mean() < 0.1
    assert set(holders["role_group"]) <= {"Social worker", "Senior practitioner",
                                          "Family support / practitioner"}
    assert staff.loc[staff["role_group"].isin(["Business support", "Team manager",
                                               "Senior manager"]), "cases"].isna().all()
    assert (holders["cases"] >= 0).all()


def test_sickness_absence(staff):
    employed = _employed(staff)["absence_days"].dropna()
    assert (employed == 0).mean() > 0.75
    assert employed.between(1, 5).mean() > 0.05
    long_term = employed[employed >= 15]
    assert len(long_term) > 0 and (long_term <= 22).all()
    assert staff.loc[staff["worker_type"] == "Agency", "absence_days"].isna().all()


# --------------------------------------------------------------------------- people


def test_age_gender_ethnicity_disability_residence(staff):
    age = (staff["month_end"] - staff["date_of_birth"]).dt.days / 365.25
    assert age.dropna().between(22, 67.99).all()
    sw = staff[staff["qualified_social_worker"] == "Y"]
    assert 0.78 <= (sw["gender"] == "Female").mean() <= 0.92
    assert set(staff["gender"].dropna()) <= set(C.GENDERS)
    group = staff["ethnicity"].map(C.ethnic_group)
    assert group[staff["ethnicity"].notna()].notna().all()  # every value maps
    known = group.notna() & (group != "Not known")
    emp = staff["worker_type"] != "Agency"
    white_emp = (group[known & emp] == "White").mean()
    white_agy = (group[known & ~emp] == "White").mean()
    assert 0.88 <= white_emp <= 0.97 and white_agy < white_emp
    values = staff["ethnicity"].dropna()
    assert values.str.fullmatch(r"[A-Z]{4}").any()            # DfE codes
    assert values.str.contains(":").any()                       # ONS 2021 labels
    assert set(staff["disability"].dropna()) == {"Y", "N", "Not known"}
    lives = staff.dropna(subset=["lives_in_county"])
    local = lives.groupby(lives["worker_type"] == "Agency")["lives_in_county"].apply(
        lambda s: (s == "Y").mean())
    assert local[True] < local[False] - 0.2


def test_optional_columns_are_partly_blank_early(demo):
    first, last = demo[0][1]["Staff"], demo[-1][1]["Staff"]
    for col in ("ethnicity", "disability", "lives_in_county"):
        assert first[col].isna().mean() > 0.1, col
        assert last[col].isna().mean() < first[col].isna().mean() / 4, col
    for col in C.STAFF.columns:
        if col.required:
            assert first[col.name].notna().all(), col.name


# --------------------------------------------------------------------------- training and survey


def test_training_completions(demo):
    cats = set()
    for period, frames in demo:
        t = frames["Training"]
        assert len(t) > 0
        first = pd.Timestamp(period)
        assert t["completed_date"].between(first, first + pd.offsets.MonthEnd(0)).all()
        assert set(t["employee_id"]) <= set(frames["Staff"]["employee_id"])
        cats |= set(t["category"])
    assert {"Safeguarding", "Leadership", "Practice", "Mandatory"} <= cats


def test_quarterly_engagement_survey(demo):
    engagement = []
    for period, frames in demo:
        sv = frames["Survey"]
        if int(period[5:]) in (3, 6, 9, 12):
            assert len(sv) > 0, period
            assert sv["score"].between(0, 100).all()
            assert (sv["respondents"] > 0).all()
            overall = sv[sv["team"] == "All"]
            assert set(overall["measure"]) >= {"Overall engagement", "Wellbeing", "Manageable workload"}
            teams = set(sv["team"]) - {"All"}
            assert teams <= set(frames["Staff"]["team"]) and len(teams) >= 18
            engagement.append(float(overall.loc[overall["measure"] == "Overall engagement", "score"]
                                    .iloc[0]))
        else:
            assert sv.empty, period
    assert len(engagement) == 12
    assert np.mean(engagement[-4:]) > np.mean(engagement[:4])   # trending up slightly
    assert np.mean(engagement[-4:]) - np.mean(engagement[:4]) < 15


def test_columns_are_the_contract_columns(demo):
    frames = demo[-1][1]
    for name, frame in frames.items():
        sheet = C.SHEETS[name]
        declared = [c.name for c in sheet.columns if c.name != "age"]  # we give date_of_birth
        assert list(frame.columns) == declared, name


def _conversion_months(staff: pd.DataFrame, *, social_workers: bool = True) -> pd.Series:
    """Month each person converted from agency (by employee id), worked out from the frames.

    Either route counts: the extract's converted_from_agency = Y (month of the new start date),
    or an id seen as Agency in an earlier month and employed later (payroll reused it)."""
    if social_workers:
        staff = staff[staff["qualified_social_worker"] == "Y"]
    month = pd.PeriodIndex(staff["period"], freq="M")
    staff = staff.assign(month=month)
    employed = _employed(staff)
    flagged = (employed[employed["converted_from_agency"] == "Y"]
               .groupby("employee_id")["start_date"].min().dt.to_period("M"))
    first_agency = staff[staff["worker_type"] == "Agency"].groupby("employee_id")["month"].min()
    later = employed[employed["employee_id"].isin(first_agency.index)]
    later = later[later["month"] > later["employee_id"].map(first_agency)]
    reused = later.groupby("employee_id")["month"].min()
    return pd.concat([flagged, reused]).groupby(level=0).min()


def test_social_worker_conversions_follow_the_fall_in_agency_share(staff):
    # Herefordshire's share fell 55% -> 34% -> 18% (Sept 2023/24/25) largely by converting
    # agency staff: 8-15 social-worker conversions a year while it falls, a few once it is flat.
    months = _conversion_months(staff)
    per_year = {
        lo: int(months.between(pd.Period(lo, "M"), pd.Period(hi, "M")).sum())
        for lo, hi in (("2023-11", "2024-10"), ("2024-11", "2025-10"), ("2025-11", "2026-10"))
    }
    assert 8 <= per_year["2023-11"] <= 15, per_year
    assert 8 <= per_year["2024-11"] <= 15, per_year
    assert 3 <= per_year["2025-11"] <= 6, per_year
    # the latest 12 months are never empty: the measure and recommendation 7 have an answer
    assert months.between(pd.Period("2025-11", "M"), pd.Period("2026-10", "M")).any()
    # both routes are present among social workers: the Y flag on a new id, and reused ids
    sw = staff[staff["qualified_social_worker"] == "Y"]
    flagged = set(sw.loc[sw["converted_from_agency"] == "Y", "employee_id"])
    agency_ids = set(sw.loc[sw["worker_type"] == "Agency", "employee_id"])
    reused = set(_employed(sw)["employee_id"]) & agency_ids
    assert len(flagged) >= 10 and 1 <= len(reused) <= len(flagged)
    assert not flagged & agency_ids  # a flagged conversion has a new payroll id
    # the rest of the directorate converts too, but less
    everyone = _conversion_months(staff, social_workers=False)
    assert len(everyone) > len(months)
