"""The catalogue is complete (every DESIGN §4 measure, every field, every theme) and targets/status work."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from metrics import catalogue
from metrics.targets import TargetsError, load_targets, status, statuses
from metrics.types import THEMES, Metric, MetricError, Target

DESIGN_IDS = {
    "agency_rate_fte", "vacancy_rate_fte", "agency_cover_rate", "agency_conversions_12m",
    "turnover_rate_fte_12m", "stability_index_12m", "early_leaver_rate_12m", "avg_caseload",
    "caseload_over_threshold_rate", "absence_rate", "permanent_team_manager_rate",
    "ethnic_minority_rate", "aged_55_plus_rate", "local_residence_rate",
    "training_completions_12m", "engagement_score",
}
# Metrics added after DESIGN §4 by declaration alone (each with its hand-worked test).
ADDED_IDS = {
    "starters_fte_12m",           # issue 9: tests/integration/test_metrics_starters_agency.py
    "long_running_agency_rate",   # issue 9: tests/integration/test_metrics_starters_agency.py
    # issue 14: the agency rules, tests/integration/test_agency_measures.py
    "agency_within_cap_rate", "agency_above_cap_per_hour", "agency_unsigned_cap_breach_rate",
    "agency_under_experience_rate", "agency_short_notice_rate",
    "agency_references_incomplete_rate", "agency_cool_off_breach_rate",
    "agency_long_assignment_rate", "agency_project_team_rate",
}


def test_every_design_metric_is_declared(reference_dir):
    design = reference_dir.parent / "DESIGN.md"
    text = design.read_text(encoding="utf-8")
    section4 = text[text.index("## 4."):text.index("## 5.")]
    ids = set(re.findall(r"^\| ([a-z0-9_]+) \|", section4, flags=re.M)) - {"id"}
    assert ids == DESIGN_IDS  # the table in DESIGN §4 itself
    assert set(catalogue.CATALOGUE) == DESIGN_IDS | ADDED_IDS


@pytest.mark.parametrize("metric_id", sorted(DESIGN_IDS | ADDED_IDS))
def test_every_entry_is_complete(metric_id):
    m = catalogue.get(metric_id)
    assert isinstance(m, Metric) and m.id == metric_id
    for field in ("label", "description", "theme", "numerator", "definition"):
        assert getattr(m, field).strip(), field
    assert len(m.description) > 30 and len(m.definition) > 20
    assert m.theme in THEMES
    assert m.unit in ("rate", "count", "caseload", "score", "money_per_hour")
    assert m.direction in ("lower", "higher", None)
    if m.unit in ("rate", "caseload", "money_per_hour"):
        assert m.denominator, "ratios name their denominator"
    assert (m.window_months == 12) == metric_id.endswith("_12m")
    if m.dfe_indicator:
        assert "DfE" in m.definition


def test_dfe_indicators_exist_in_the_published_file(reference_dir):
    header = (reference_dir / "dfe" / "csww_indicators_2017_to_2025.csv").open(encoding="utf-8").readline()
    columns = header.strip().split(",")
    named = {m.id: m.dfe_indicator for m in catalogue.CATALOGUE.values() if m.dfe_indicator}
    assert named == {
        "agency_rate_fte": "agency_rate_fte", "vacancy_rate_fte": "vacancy_rate_fte",
        "agency_cover_rate": "vacancy_agency_cover_rate_fte",
        "turnover_rate_fte_12m": "turnover_rate_fte", "avg_caseload": "caseload_fte",
        "absence_rate": "absence_rate_fte", "starters_fte_12m": "starters_fte",
    }
    assert set(named.values()) <= set(columns)


def test_every_theme_has_measures_and_headlines():
    grouped = catalogue.by_theme()
    assert list(grouped) == list(THEMES)
    assert all(grouped[t] for t in THEMES)
    assert sum(len(v) for v in grouped.values()) == len(catalogue.CATALOGUE)
    assert catalogue.HEADLINE_IDS == (
        "agency_rate_fte", "vacancy_rate_fte", "turnover_rate_fte_12m", "avg_caseload",
        "absence_rate", "permanent_team_manager_rate",
    )
    assert {m.id for m in catalogue.CATALOGUE.values() if m.headline} == set(catalogue.HEADLINE_IDS)


def test_unknown_metric_is_a_named_error():
    with pytest.raises(MetricError, match="agency_rate_fte"):
        catalogue.get("agency_rate")


def test_shipped_targets():
    t = load_targets()
    assert t["agency_rate_fte"] == Target(
        metric_id="agency_rate_fte", value=0.20, direction="lower", amber_band=0.05,
        target_date=date(2026, 6, 30), source=t["agency_rate_fte"].source)
    # England 2025 (DfE): turnover 11.8%, vacancy 14.2%, caseload 15.2, absence 3.5%
    assert t["turnover_rate_fte_12m"].value == 0.118
    assert t["vacancy_rate_fte"].value == 0.142
    assert t["avg_caseload"].value == 15.2
    assert t["absence_rate"].value == 0.035
    assert t["permanent_team_manager_rate"].value == 0.80
    assert t["permanent_team_manager_rate"].direction == "higher"
    for target in t.values():
        assert target.direction == catalogue.get(target.metric_id).direction
        assert target.source


def test_status_bands():
    t = load_targets()
    assert status(metric_id="agency_rate_fte", value=0.183, targets=t) == "green"
    assert status(metric_id="agency_rate_fte", value=0.20, targets=t) == "green"   # meets exactly
    assert status(metric_id="agency_rate_fte", value=0.24, targets=t) == "amber"   # within 0.05
    assert status(metric_id="agency_rate_fte", value=0.26, targets=t) == "red"
    assert status(metric_id="permanent_team_manager_rate", value=0.85, targets=t) == "green"
    assert status(metric_id="permanent_team_manager_rate", value=0.75, targets=t) == "amber"
    assert status(metric_id="permanent_team_manager_rate", value=0.60, targets=t) == "red"
    assert status(metric_id="agency_rate_fte", value=None, targets=t) == "grey"
    assert status(metric_id="agency_rate_fte", value=float("nan"), targets=t) == "grey"
    assert status(metric_id="stability_index_12m", value=0.9, targets=t) == "grey"  # no target


def test_statuses_is_status_for_a_whole_column():
    """The engine's add_targets judges a measure's whole history at once (`statuses`): the same
    verdicts, band edges and no-data greys as `status` one value at a time."""
    t = load_targets()
    values = [0.183, 0.20, 0.24, 0.25, 0.2500001, 0.26, float("nan"), 0.0, 1.0]
    got = statuses("agency_rate_fte", values, t).tolist()
    assert got == ["green", "green", "amber", "amber", "red", "red", "grey", "green", "red"]
    assert got == [status(metric_id="agency_rate_fte", value=v, targets=t) for v in values]
    higher = [0.85, 0.80, 0.75, 0.60, float("nan")]
    assert statuses("permanent_team_manager_rate", higher, t).tolist() == ["green", "green", "amber", "red", "grey"]
    assert statuses("stability_index_12m", [0.9, 0.1], t).tolist() == ["grey", "grey"]  # no target


def test_leadership_can_change_the_file(tmp_path: Path):
    f = tmp_path / "targets.toml"
    f.write_text('[agency_rate_fte]\nvalue = 0.15\ndirection = "lower"\namber_band = 0.02\n'
                 'target_date = 2027-03-31\n', encoding="utf-8")
    t = load_targets(f)
    assert t["agency_rate_fte"].value == 0.15 and t["agency_rate_fte"].target_date == date(2027, 3, 31)
    assert status(metric_id="agency_rate_fte", value=0.16, targets=t) == "amber"
    assert status(metric_id="avg_caseload", value=30, targets=t) == "grey"  # not in this file


@pytest.mark.parametrize("text, message", [
    ('[nope]\nvalue = 1\n', "unknown metric"),
    ('[agency_rate_fte]\nvalue = "20%"\n', "value must be a number"),
    ('[agency_rate_fte]\nvalue = 0.2\ndirection = "down"\n', "direction"),
    ('[agency_rate_fte]\nvalue = 0.2\namber_band = -1\n', "amber_band"),
    ('[agency_rate_fte\nvalue = 0.2\n', "not valid TOML"),
    ('[agency_rate_fte]\nvalue = 0.2\nvaleu = 0.3\n', "unknown setting 'valeu'"),
])
def test_bad_targets_file_is_a_named_error(tmp_path: Path, text, message):
    f = tmp_path / "targets.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TargetsError, match=message):
        load_targets(f)


def test_missing_targets_file(tmp_path: Path):
    with pytest.raises(TargetsError, match="targets file is missing"):
        load_targets(tmp_path / "none.toml")
