"""metrics.units: a target is written as it was set ('at most 20%', never '20.0%'), and a change
is written by one function, in words for a sentence or signed for a table cell."""

from __future__ import annotations

import pytest

from metrics.narrative import target_words
from metrics.units import format_change, format_target


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (0.2, "rate", "20%"),                    # a whole-number target: no decimals
    (0.118, "rate", "11.8%"),                # the turnover target keeps its decimal
    (0.80, "rate", "80%"),
    (1 - 0.8, "rate", "20%"),                # 0.19999999999999996 is still 20
    (18.0, "caseload", "18 cases per FTE"),
    (15.2, "caseload", "15.2 cases per FTE"),
    (70, "score", "70 out of 100"),
    (30.0, "money_per_hour", "£30 an hour"),
    (32.5, "money_per_hour", "£32.50 an hour"),
    (1250, "fte", "1,250 FTE"),
    ("c", "rate", "c"),
    (None, "rate", "no data"),
])
def test_a_target_is_written_as_it_was_set(value, unit, expected):
    assert format_target(value, unit) == expected


def test_target_words_and_the_card_use_the_one_target_format():
    from ui.cards import value_and_target_texts

    assert target_words(0.2, "rate", "lower") == "at most 20%"
    assert target_words(0.8, "rate", "higher") == "at least 80%"
    assert target_words(None, "rate", "lower") == "—"
    assert value_and_target_texts(0.183, 0.2, "rate") == ("18.3%", "20%")
    # a value that would read as the target gets the decimals that tell them apart, both sides
    assert value_and_target_texts(0.2004, 0.2, "rate") == ("20.04%", "20.00%")


@pytest.mark.parametrize(("change", "unit", "words", "signed"), [
    (-0.156, "rate", "15.6 points lower", "\u221215.6 points"),
    (0.012, "rate", "1.2 points higher", "+1.2 points"),
    (0.94, "caseload", "0.9 cases per FTE higher", "+0.9 cases per FTE"),
    (-0.4, "caseload", "0.4 cases per FTE lower", "\u22120.4 cases per FTE"),
    (3, "count", "3 more", "+3 people"),
    (-1, "count", "1 fewer", "\u22121 person"),
    (1234.5, "fte", "1,234.5 FTE higher", "+1,234.5 FTE"),
    (2.04, "days", "2.0 days higher", "+2.0 days"),
    (-1250.25, "days", "1,250.3 days lower", "\u22121,250.3 days"),
    (0.0004, "rate", "the same", "No change"),
    (None, "rate", "", "\u2014"),
])
def test_one_change_formatter_in_words_and_signed(change, unit, words, signed):
    assert format_change(change, unit) == words
    assert format_change(change, unit, signed=True) == signed


def test_a_hidden_or_text_change_in_a_table_cell():
    assert format_change("c", "rate", signed=True) == "c"
    assert format_change("n/a", "rate", signed=True) == "\u2014"


def test_the_census_tables_units_and_differences_are_worded_here():
    """The census figures table's Unit column and its differences read metrics.units (no unit
    words of the page's own): every unit a census figure is in has its words here, and a
    difference in working days is signed and worded like every other unit's."""
    from census.figures import MEASURES
    from metrics.units import get
    from ui.census import difference_text, unit_words

    published = {"percent" if unit == "rate" else unit for _, unit, _, _ in MEASURES.values()}
    assert published == {"percent", "fte", "count", "ratio", "days"}
    assert {u: unit_words(u) for u in published} == {
        "percent": "%", "fte": "FTE", "count": "people", "ratio": "cases per FTE", "days": "days"}
    assert unit_words("ratio") == get("caseload").words
    assert difference_text(2.0, "days") == "+2.0 days"
    assert difference_text(-1234.56, "days") == "\u22121,234.6 days"
    assert difference_text(0.04, "days") == "No difference"
    assert difference_text(-2.6, "percent") == "\u22122.6 points"
    assert difference_text(0.4, "ratio") == "+0.4 cases per FTE"
    assert difference_text(None, "count") == "\u2014"
