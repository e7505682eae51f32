"""KPI card wording: status in words as well as colour, change on a year ago with direction."""

from datetime import date

import pandas as pd
import pytest

from ui import cards


def test_on_target_card_says_so_in_words():
    card = cards.card_model(label="Agency share", value=0.181, unit="rate", target=0.20,
                            status="green", change_on_year=-0.012, direction="lower",
                            spark=[0.2, 0.19, 0.181], target_date=date(2026, 6, 30))
    assert card.value_text == "18.1%"
    assert card.target_text == "Target: at most 20% by 30 June 2026"
    assert card.status_words == "On target"
    assert cards.STATUS_BADGE[card.status][0] == "green"
    assert card.change_text == "Down 1.2 percentage points on a year ago (better)."
    assert card.delta == "-1.2 pts (better)" and card.delta_color == cards.TREND_COLOUR == "blue"
    assert card.spark == [20.0, 19.0, 18.1]


def test_every_status_has_words_and_a_distinct_icon():
    assert cards.STATUS_WORDS == {"green": "On target", "amber": "Close to target",
                                  "red": "Off target", "grey": "No target"}
    icons = {icon for _, icon in cards.STATUS_BADGE.values()}
    assert len(icons) == 4


def test_worse_change_for_higher_is_better():
    card = cards.card_model(label="Team managers", value=0.867, unit="rate", target=0.8,
                            status="green", change_on_year=-0.062, direction="higher")
    assert card.change_text == "Down 6.2 percentage points on a year ago (worse)."
    assert card.target_text == "Target: at least 80%"


def test_no_target_no_data_and_suppressed():
    none = cards.card_model(label="Engagement", value=None, unit="score", status="grey")
    assert none.value_text == "No data yet" and none.status_words == "No data yet"
    assert none.target_text == "No target set"
    assert none.change_text == "No figure for a year ago to compare with."
    hidden = cards.card_model(label="Conversions", value="c", unit="count", change_on_year="c")
    assert hidden.value_text == "c" and hidden.status_words == "Suppressed"
    assert "fewer than 5 people or would let a smaller group be worked out" in hidden.note
    caseload = cards.card_model(label="Caseload", value=15.7, unit="caseload", target=15.2,
                                status="amber", change_on_year=0.0, direction="lower",
                                partial_months=7, base_count=42)
    # no verdict and no colour on a part-year figure
    assert caseload.status_words == "Not enough months loaded (covers 7 of 12)"
    assert caseload.status == "grey"
    assert caseload.change_text == "Unchanged on a year ago."
    assert caseload.note == "Based on 42 people."


def test_base_size_on_every_card_and_small_groups_flagged():
    team = cards.card_model(label="Turnover", value=0.675, unit="rate", target=0.118, status="red",
                            direction="lower", base_count=6)
    assert team.status_words == "Off target"
    assert team.note == "Based on 6 people (a small group: one person moves the figure a lot)."
    assert cards.card_model(label="Turnover", value=0.1, unit="rate", base_count=None).note is None


def test_the_line_and_arrow_never_carry_a_second_red_or_green():
    """Only the status badge is coloured by status; the change says better or worse in words."""
    worse = cards.card_model(label="Vacancy rate", value=0.12, unit="rate", target=0.10, status="red",
                             change_on_year=0.02, direction="lower", spark=[0.1, 0.12])
    assert worse.delta == "+2.0 pts (worse)" and worse.delta_color == "blue"
    flat = cards.card_model(label="Vacancy rate", value=0.12, unit="rate", change_on_year=0.0001,
                            direction="lower")
    assert flat.delta == "No change" and flat.change_text == "Unchanged on a year ago."
    neutral = cards.card_model(label="Headcount", value=120, unit="count", change_on_year=4)
    assert neutral.delta == "+4" and neutral.delta_color == "blue"


def test_a_value_that_rounds_to_its_target_gets_one_more_decimal():
    card = cards.card_model(label="Average caseload", value=15.24, unit="caseload", target=15.2,
                            status="amber", direction="lower")
    assert card.value_text == "15.24" and card.target_text == "Target: at most 15.20 cases per FTE"
    assert card.status_words == "Close to target"
    assert cards.value_and_target_texts(0.20049, 0.20, "rate") == ("20.05%", "20.00%")
    assert cards.value_and_target_texts(0.200004, 0.20, "rate") == ("20.0%", "20.0%")  # two more at most
    assert cards.value_and_target_texts(0.2, 0.2, "rate") == ("20.0%", "20%")  # met exactly
    assert cards.value_and_target_texts(0.25, 0.2, "rate") == ("25.0%", "20%")  # already distinct
    assert cards.value_and_target_texts(79.6, 80, "score") == ("79.6 out of 100", "80.0 out of 100")
    assert cards.value_and_target_texts("c", 0.2, "rate") == ("c", "20%")


def test_a_cards_label_is_written_where_it_wraps_not_cut_with_an_ellipsis():
    """st.metric cuts its own label on a narrow card ("Turnover rate (FTE, 12 mont..." on Strategy
    themes, four cards a row at 1440 px): the card writes the label above the figure, with its
    help, and keeps st.metric's label only for screen readers."""
    from streamlit.testing.v1 import AppTest

    def app():
        from ui import cards

        cards.kpi_card(label="Turnover rate (FTE, 12 months)", value=0.144, unit="rate", target=0.118,
                       status="amber", direction="lower", help="Leavers over average FTE.")

    at = AppTest.from_function(app).run()
    assert not at.exception
    assert at.markdown[0].value == "**Turnover rate (FTE, 12 months)**"
    assert at.markdown[0].help == "Leavers over average FTE."
    assert at.metric[0].label == "Turnover rate (FTE, 12 months)" and at.metric[0].value == "14.4%"
    assert at.metric[0].proto.label_visibility.value == at.metric[0].proto.label_visibility.COLLAPSED


def _measure_rows(with_optional: bool) -> pd.DataFrame:
    """Measure rows as ui.data.themes gives them: text columns of pandas' string dtype (a missing
    one NaN), numbers with NaN, flags, the sparkline lists; the optional columns only when asked."""
    frame = pd.DataFrame({
        "metric_id": pd.array(["a", "b", "c"], dtype="str"),
        "label": pd.array(["Agency share", "Caseload", "Turnover"], dtype="str"),
        "unit": pd.array(["rate", "caseload", "rate"], dtype="str"),
        "direction": pd.array(["lower", None, "higher"], dtype="str"),
        "description": pd.array(["What share", None, "Leavers"], dtype="str"),
        "value": [0.21, float("nan"), 0.13],
        "target": [0.2, float("nan"), 0.15],
        "status": pd.array(["red", "grey", None], dtype="str"),
        "change_on_year": [-0.01, float("nan"), 0.002],
        "partial": [False, True, False],
        "months_covered": [12.0, 7.0, float("nan")],
        "spark": [[0.3, 0.25, 0.21], [], [0.1, 0.13]],
        "published_hidden": [False, False, True],
    })
    if with_optional:
        frame["target_date"] = pd.Series([pd.Timestamp("2026-06-30"), None, pd.NaT], dtype=object)
        frame["base_count"] = [120.0, float("nan"), 3.0]
        frame["gap"] = pd.array(["above England", None, "below England"], dtype="str")
    return frame


@pytest.mark.parametrize("with_optional", [True, False])
def test_card_rows_give_what_itertuples_gives(with_optional):
    """card_grid reads each row through `card_rows` (only the columns a card uses, for speed): each
    field must be the very value `itertuples` gives (type and value: a NaN stays a float NaN, a
    string stays str, a list the same list), and None for an optional column the frame lacks."""
    from ui.cards import CARD_FIELDS, CARD_OPTIONAL, card_rows

    frame = _measure_rows(with_optional)
    fast = list(card_rows(frame))
    plain = list(frame.itertuples(index=False))
    assert len(fast) == len(plain) == 3
    for f, p in zip(fast, plain):
        for name in (*CARD_FIELDS, *CARD_OPTIONAL):
            want, got = getattr(p, name, None), getattr(f, name)
            assert type(got) is type(want), name
            assert got is want or got == want or (want != want and got != got), (name, want, got)
    if not with_optional:
        assert all(f.target_date is None and f.gap is None and f.base_count is None for f in fast)
    with pytest.raises(KeyError):  # a frame without a card's own field is refused
        list(card_rows(frame.drop(columns="label")))
