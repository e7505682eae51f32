"""A metric declaration that does not resolve is refused, with a message naming what is wrong.

The shipped catalogue resolves (metrics.engine refuses to import otherwise); each case below breaks
one thing in an otherwise valid declaration and checks the message a person adding a metric reads.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from metrics import catalogue
from ingest.published import DFE_INDICATORS
from metrics.sqlgen import DeclarationError, resolve
from metrics.types import Cohort, Count, Distinct, Measure, Metric, Ratio, Window

GOOD_MEASURES = (
    Measure(id="agency_fte", source="staff", agg="sum", expr="fte", filter="NOT employed"),
    Measure(id="in_post_fte", source="staff", agg="sum", expr="fte"),
    Measure(id="leavers", source="leavers", agg="count", filter="employed"),
)
GOOD = Metric(
    id="example_rate", label="Example", description="An example rate for this test only.",
    theme=catalogue.AGILE, numerator="agency FTE", denominator="all FTE", unit="rate",
    direction="lower", window_months=None, definition="Local measure used by a test.",
    compute=Ratio(numerator="agency_fte", denominator="in_post_fte"),
    phrase="Example is {v} of {s} FTE",
)


def _resolve(metric=GOOD, measures=GOOD_MEASURES):
    resolve(measures, [metric], dfe_indicators=DFE_INDICATORS)


def test_the_catalogue_and_the_example_resolve():
    resolve(catalogue.MEASURES, catalogue.CATALOGUE.values(), dfe_indicators=DFE_INDICATORS)
    _resolve()


@pytest.mark.parametrize("change, message", [
    (dict(compute=Ratio(numerator="agency_ftee", denominator="in_post_fte")), "unknown measure 'agency_ftee'"),
    (dict(compute=Count(measure=Window("nope"))), "unknown measure 'nope'"),
    (dict(unit="percentage"), "unknown unit 'percentage'"),
    (dict(theme="Happiness"), "unknown theme 'Happiness'"),
    (dict(direction="down"), "direction must be"),
    (dict(dfe_indicator="agency_rate"), "not a column of the DfE indicators file"),
    (dict(phrase="Example is high"), "{v}"),
    (dict(id="Example-Rate"), "lower_snake_case"),
    (dict(label=" "), "label is empty"),
    (dict(compute=Ratio(numerator="agency_fte", denominator=("in_post_fte", "agency_fte"))),
     "needs an explicit base"),
    (dict(compute=Ratio(numerator=Window("leavers"), denominator="in_post_fte")), "window_months None"),
    (dict(compute="agency_fte / in_post_fte"), "compute must be Ratio"),
    (dict(unit="caseload", compute=Count(measure="leavers")), "is a ratio"),
    (dict(compute=Cohort(member="employed AND salary > 1", still="employed")), "unknown column 'salary'"),
    (dict(compute=Count(measure="leavers", base=Distinct(source="training", key="person"))),
     "unknown column 'person'"),
])
def test_a_bad_metric_is_refused(change, message):
    with pytest.raises(DeclarationError, match=message.replace("{", r"\{").replace("(", r"\(")) as exc:
        _resolve(replace(GOOD, **change))
    assert "example_rate" in str(exc.value) or "Example-Rate" in str(exc.value)


@pytest.mark.parametrize("measure, message", [
    (Measure(id="x", source="staff", agg="sum", expr="salary"), "unknown column 'salary'"),
    (Measure(id="x", source="staff", agg="sum", expr="fte", filter="grade = 'A'"), "unknown column 'grade'"),
    (Measure(id="x", source="vacancies", agg="sum", expr="fte"), "unknown column 'fte'"),  # not a vacancy column
    (Measure(id="x", source="payroll", agg="sum", expr="fte"), "unknown source 'payroll'"),
    (Measure(id="x", source="staff", agg="median", expr="fte"), "unknown aggregation 'median'"),
    (Measure(id="x", source="staff", agg="sum", expr="fte", filter="cases > $limit"), r"unknown parameter \$limit"),
    (Measure(id="x", source="staff", agg="sum", expr="fte; DROP TABLE staff"), "may not contain"),
    (Measure(id="agency_fte", source="staff", agg="sum", expr="fte"), "declared twice"),
])
def test_a_bad_measure_is_refused(measure, message):
    with pytest.raises(DeclarationError, match=message):
        _resolve(measures=GOOD_MEASURES + (measure,))


def test_string_literals_and_functions_are_not_columns():
    ok = Measure(id="x", source="staff", agg="sum", expr="coalesce(absence_days, 0)",
                 filter="role_group = 'Team manager' AND start_date + INTERVAL 12 MONTH < d")
    _resolve(measures=GOOD_MEASURES + (ok,))
