"""data/agency_rules.toml: the shipped file loads; every mistake in it gets a message naming it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from agency.rules import AgencyRulesError, add_months, load_rules
from tests.integration.agency_fixtures import RULES_TOML


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "agency_rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_rules_load_and_say_their_caps_are_examples() -> None:
    rules = load_rules()
    assert rules.region == "West Midlands"
    assert rules.cool_off_months == 12  # the West Midlands memorandum
    assert (rules.min_experience_years, rules.min_notice_weeks, rules.references_required) == (
        3, 4, 2)
    assert rules.caps_are_examples and rules.cost_is_example
    assert any("EXAMPLES" in line for line in rules.assumptions())


def test_caps_follow_their_effective_dates_and_the_councils_region(tmp_path: Path) -> None:
    text = RULES_TOML + """
[[caps]]
region = "West Midlands"
job_type = "Social worker"
hourly_rate = 42.0
effective_from = 2026-04-01
"""
    rules = load_rules(_write(tmp_path, text))
    assert rules.cap_for("Social worker", on=date(2024, 10, 30)) is None  # before any cap
    assert rules.cap_for("Social worker", on=date(2026, 3, 31)) == 40.0
    assert rules.cap_for("Social worker", on=date(2026, 4, 1)) == 42.0
    assert rules.cap_for("Advanced practitioner", on=date(2026, 4, 1)) is None  # no cap set
    # the North West cap (35.0) never applies to a West Midlands council
    assert rules.caps_in_force(on=date(2025, 3, 31)) == {"Social worker": 40.0,
                                                         "Team manager": 50.0}


def test_cool_off_elsewhere_is_the_national_three_months(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, RULES_TOML.replace('region = "West Midlands"\n\n[rules]',
                                                           'region = "South West"\n\n[rules]')))
    assert rules.region == "South West" and rules.cool_off_months == 3
    assert rules.warnings  # no caps for the South West: said, not hidden


BAD = [
    ("min_notice_weeks = 4\nreferences", "min_notice_week = 4\nreferences", "unknown setting 'min_notice_week'"),
    ("min_experience_years = 3", "min_experience_years = -1", "min_experience_years must be a number at least 0"),
    ("references_required = 2", "references_required = 1.5", "references_required must be a whole number"),
    ("min_notice_weeks = 4", 'min_notice_weeks = "four"', "min_notice_weeks must be a number"),
    ('"West Midlands" = 12', '"West Midlands" = 120', "must be a whole number at least 0 and at most 60"),
    ('job_type = "Team manager"', 'job_type = "Head of service"', "job_type 'Head of service' is not one of"),
    ("hourly_rate = 50.0", "hourly_rate = 0", "hourly_rate must be a number more than 0"),
    ("effective_from = 2024-10-31\n\n[[caps]]\nregion = \"West Midlands\"\njob_type = \"Team manager\"",
     "effective_from = \"31/10/2024\"\n\n[[caps]]\nregion = \"West Midlands\"\njob_type = \"Team manager\"",
     "effective_from must be a date written like 2024-10-31"),
    ('region = "West Midlands"\n\n[rules]', 'region = ""\n\n[rules]', "region must name the council's region"),
    ('"Team manager" = 66000', '"Team manager" = "lots"', "must be a number more than 0"),
    ("[cost]\n", "[cost]\nbudget = 1\n", "unknown setting 'budget'"),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD)
def test_each_mistake_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in RULES_TOML, old
    with pytest.raises(AgencyRulesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rules(_write(tmp_path, RULES_TOML.replace(old, new, 1)))


def test_duplicate_caps_end_dates_and_unreadable_files(tmp_path: Path) -> None:
    dup = RULES_TOML + ('\n[[caps]]\nregion = "West Midlands"\njob_type = "Social worker"\n'
                        "hourly_rate = 41.0\neffective_from = 2024-10-31\n")
    with pytest.raises(AgencyRulesError, match="caps 1 and 4 both set the Social worker cap"):
        load_rules(_write(tmp_path, dup))
    backwards = RULES_TOML + ('\n[[caps]]\nregion = "West Midlands"\njob_type = "Team manager"\n'
                              "hourly_rate = 51.0\neffective_from = 2026-01-01\n"
                              "effective_to = 2025-01-01\n")
    with pytest.raises(AgencyRulesError, match="effective_to .* is before effective_from"):
        load_rules(_write(tmp_path, backwards))
    with pytest.raises(AgencyRulesError, match="cannot be read"):
        load_rules(_write(tmp_path, "[rules\nmin = 1"))
    with pytest.raises(AgencyRulesError, match="missing"):
        load_rules(tmp_path / "nowhere.toml")


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(date(2024, 11, 15), 12) == date(2025, 11, 15)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)


def test_rolling_spend_counts_only_the_loaded_months_of_the_twelve() -> None:
    """metrics.agency.spend_by_month, hand-worked: months Jan, Feb and Dec 2024 and Jan and Mar
    2025 loaded (spend 100, 200, 400, 800, 1600). The 12 months to Jan 2025 are Feb 2024-Jan 2025:
    Feb, Dec, Jan = 1,400 over 3 loaded months (Jan 2024 is 13 months back); to Mar 2025: Dec, Jan,
    Mar = 2,800 over 3 (Feb 2024 is 13 months back)."""
    import pandas as pd

    from metrics.agency import spend_by_month

    months = [date(2024, 1, 1), date(2024, 2, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 3, 1)]
    frame = pd.DataFrame({"period": [m for m in months for _ in (0, 1)],
                          "spend": [x for s in (100, 200, 400, 800, 1600) for x in (s * 0.25, s * 0.75)],
                          "hours": 10.0, "fte": 0.5, "employee_id": ["A", "B"] * 5})
    out = spend_by_month(frame).set_index("period")
    assert out["spend"].tolist() == [100, 200, 400, 800, 1600]
    assert out["spend_12m"].tolist() == [100, 300, 700, 1400, 2800]
    assert out["months_covered"].tolist() == [1, 2, 3, 3, 3]
    assert out["assignments"].tolist() == [2] * 5
