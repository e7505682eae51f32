"""The metric command prints every number to a fixed number of places (metrics.__main__.DECIMALS):
the engine's parallel sums of FTE differ in their last binary digits from run to run, and an
export must be the same bytes for the same store."""
import csv
import io

import pandas as pd

from metrics.__main__ import DECIMALS, _clean, _flat
from metrics.export import to_csv_bytes


def _frame() -> pd.DataFrame:
    # 12.100000000000001 and 12.1 are the two answers two runs gave for one sum of FTE;
    # 0.17335243553008595 / ...592 for one rate (closing note, 28 November 2026)
    return pd.DataFrame({
        "metric_id": ["agency_rate_fte", "vacancy_rate_fte", "agency_cover_rate"],
        "period": pd.to_datetime(["2026-10-01"] * 3),
        "value": [0.17335243553008595, 12.100000000000001, -1e-12],
        "numerator": [0.1 + 0.2, "c", 3.0],  # suppressed output: numbers and "c" in one column
    })


def test_the_csv_prints_each_figure_to_the_same_places_whatever_its_last_binary_digits():
    assert DECIMALS == 6
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(_flat(_frame())).decode("utf-8-sig"))))
    assert [r["value"] for r in rows] == ["0.173352", "12.1", "0.0"]  # -1e-12 is not "-0.0"
    assert [r["numerator"] for r in rows] == ["0.3", "c", "3.0"]
    other = _frame().assign(value=[0.17335243553008592, 12.1, 0.0])  # the other run's digits
    assert to_csv_bytes(_flat(other)) == to_csv_bytes(_flat(_frame()))


def test_the_json_and_the_csv_round_alike():
    assert _clean(0.17335243553008595) == 0.173352 == float(_flat(_frame())["value"].iloc[0])
    assert _clean(12.100000000000001) == 12.1 and _clean("c") == "c" and _clean(float("nan")) is None
