"""The Recommendations page's choices as plain functions: which item opens first, how a response reads."""

from __future__ import annotations

import pandas as pd

from ui.tracker import default_rec, response_lines


def test_default_is_the_first_item_with_a_few_linked_measures():
    frame = pd.DataFrame({"rec_id": [1, 2, 3, 4], "links": [0, 40, 1, 1]})
    assert default_rec(frame) == 3  # 2 links the whole catalogue: not the clearest first view


def test_default_falls_back_to_any_linked_then_the_first():
    assert default_rec(pd.DataFrame({"rec_id": [5, 6], "links": [0, 40]})) == 6
    assert default_rec(pd.DataFrame({"rec_id": [5, 6], "links": [0, 0]})) == 5
    assert default_rec(pd.DataFrame({"rec_id": [], "links": []})) is None


def test_response_wording_is_labelled_not_a_bare_line():
    responses = pd.DataFrame({"category": ["Rejected", "Accepted"], "source": ["Response 2024", "Appendix 1"],
                              "text": ["Old", " Noted "], "current": [False, True]})
    assert response_lines(kind="recommendation", responses=responses) == [
        "**Executive response: Accepted** (Appendix 1)", "Wording of the response: “Noted”"]


def test_no_response_says_awaited_or_commitment():
    empty = pd.DataFrame({"category": [], "source": [], "text": [], "current": []})
    assert response_lines(kind="recommendation", responses=empty) == ["Response awaited."]
    assert response_lines(kind="commitment", responses=empty)[0].startswith("A commitment made at the meeting")
