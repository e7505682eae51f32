"""The disclosure policy on the issue's own findings, checked as a hostile member would.

Each test builds the table a page or file would publish and then attacks it: the linear
constraints a reader knows (rows, columns, totals, services adding up to the directorate) are
solved with linear programming (disclosure.audit) and every hidden cell must stay uncertain by at
least the threshold.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from disclosure import SUPPRESSED, disclose, people, rules
from disclosure.audit import intervals, too_narrow
from disclosure.rules import RulesError, load, parse

T = rules().threshold


def profile_table(label: str, counts: dict[str, int]) -> pd.DataFrame:
    frame = pd.DataFrame({label: list(counts), "People": list(counts.values())})
    frame["Share (%)"] = (frame["People"] / frame["People"].sum() * 100).round(1)
    return frame


def profile_decl(label: str, dimension: str):
    return people(counts=["People"], shares={"Share (%)": "People"}, category=label, dimension=dimension)


def test_male_28_is_shown_beside_one_person_whose_gender_is_not_recorded():
    """Issue 10: 'Male (28 people) is c, captioned fewer than 5 people'."""
    out = disclose(profile_table("Gender", {"Female": 118, "Male": 28, "Not known": 1}),
                   profile_decl("Gender", "gender")).published
    assert out.set_index("Gender")["People"].to_dict() == {"Female": 118, "Male": 28, "Not known": 1}
    assert SUPPRESSED not in set(out["Share (%)"])


def test_a_small_other_gender_merges_with_not_known_instead_of_hiding_male():
    out = disclose(profile_table("Gender", {"Female": 529, "Male": 121, "Other": 1, "Not known": 7}),
                   profile_decl("Gender", "gender")).published
    assert out.set_index("Gender")["People"].to_dict() == {"Female": 529, "Male": 121, "Other or not known": 8}
    assert out["Share (%)"].tolist() == [80.4, 18.4, 1.2]  # shares of the merged table


def test_55_and_over_is_one_group_shown_not_c():
    """Issue 10: 'Age 55-64 (12 people) is c while Strategy themes shows aged 55 and over 8.2%'."""
    age = {"Under 25": 13, "25 to 34": 28, "35 to 44": 48, "45 to 54": 45, "55 to 64": 12,
           "65 and over": 2, "Not known": 1}
    d = disclose(profile_table("Age", age), profile_decl("Age", "age"))
    out = d.published.set_index("Age")["People"].to_dict()
    assert out["55 and over"] == 14 and "55 to 64" not in out and "65 and over" not in out
    assert SUPPRESSED not in set(map(str, out.values()))


def test_small_reasons_for_leaving_fold_into_other_reasons_and_the_main_one_shows():
    """Issue 10: 'Leavers by reason shows one bar and four c rows'."""
    table = pd.DataFrame({"Reason": ["Resignation", "End of fixed-term contract", "Moved to another council role",
                                     "Dismissal", "Retirement"],
                          "Leavers": [10, 4, 2, 1, 1], "FTE": [9.4, 3.6, 2.0, 1.0, 0.7]})
    d = disclose(table, people(counts=["Leavers"], follow={"FTE": "Leavers"}, category="Reason",
                               dimension="reason"))
    out = d.published.set_index("Reason")
    assert out["Leavers"].to_dict() == {"Resignation": 10, "Other reasons": 8}
    assert out.loc["Other reasons", "FTE"] == pytest.approx(7.3)


def test_17_of_18_living_in_the_county_does_not_give_the_one_away():
    """Issue 10: the local-residence table showed '17 of 18' and '6 of 9' to scrutiny."""
    table = pd.DataFrame({"Job type": ["Social worker", "Team manager", "Senior practitioner", "Business support"],
                          "Share living in county (%)": [94.4, 66.7, 80.0, 75.0],
                          "Living in county": [17, 6, 40, 30], "People recorded": [18, 9, 50, 40]})
    decl = people(counts=["Living in county"], row_total="People recorded",
                  rates={"Share living in county (%)": "People recorded"},
                  follow={"Share living in county (%)": "Living in county"})
    d = disclose(table, decl)
    pub = d.published
    for i in (0, 1):  # 1 and 3 people not living in the county
        assert pub.at[i, "Share living in county (%)"] == SUPPRESSED
        assert SUPPRESSED in (pub.at[i, "Living in county"], pub.at[i, "People recorded"])
    # the attacker: each row's rest = recorded - living, the column totals are known
    known, hidden, eqs = {}, [], []
    for i, row in pub.iterrows():
        for col in ("Living in county", "People recorded"):
            (hidden.append((i, col)) if row[col] == SUPPRESSED else known.__setitem__((i, col), float(row[col])))
        hidden.append((i, "rest"))
        eqs.append(([((i, "Living in county"), 1), ((i, "rest"), 1), ((i, "People recorded"), -1)], 0))
    for col in ("Living in county", "People recorded"):
        eqs.append(([((i, col), 1) for i in pub.index], float(table[col].sum())))
    found = intervals(known=known, hidden=hidden, equations=eqs)
    assert too_narrow(found, threshold=T, cells=[(0, "rest"), (1, "rest")]) == {}
    assert "fewer than 5 people" in d.caption(published=True)


def test_the_directorate_minus_the_other_services_cannot_give_a_service_away():
    """Issue 10: 'The whole-directorate table minus the other services' tables gives 4 disabled
    social workers in one service.' Protected together, no hidden cell is pinned."""
    def t(yes, no, nk):
        return profile_table("Disabled", {"Yes": yes, "No": no, "Not known": nk})
    frames = {None: t(24, 230, 20), "A": t(4, 60, 6), "B": t(6, 50, 4), "C": t(7, 60, 5), "D": t(7, 60, 5)}
    decl = profile_decl("Disabled", "disability")
    pub = {k: disclose(frames, decl, view=k).published for k in frames}
    assert pub["A"].set_index("Disabled").at["Yes", "People"] == SUPPRESSED
    known, hidden, eqs = {}, [], []
    for k, f in pub.items():
        for lab, v in zip(f["Disabled"], f["People"]):
            (hidden.append((k, lab)) if v == SUPPRESSED else known.__setitem__((k, lab), float(v)))
        eqs.append(([((k, lab), 1) for lab in f["Disabled"]], float(frames[k]["People"].sum())))
    for lab in pub[None]["Disabled"]:
        eqs.append(([((k, lab), 1) for k in "ABCD"] + [((None, lab), -1)], 0))
    found = intervals(known=known, hidden=hidden, equations=eqs)
    assert ("A", "Yes") in found and too_narrow(found, threshold=T) == {}
    # and without the linking (each table alone) the same attack succeeds
    alone = {k: disclose(f, decl).published for k, f in frames.items()}
    shown_others = sum(float(alone[k].set_index("Disabled").at["Yes", "People"]) for k in "BCD")
    assert float(alone[None].set_index("Disabled").at["Yes", "People"]) - shown_others == 4


def test_class_disclosure_hides_a_small_group_that_all_gave_one_answer():
    table = pd.DataFrame({"Reason": ["Resignation", "Retirement", "Dismissal"], "Leavers": [7, 0, 0]})
    d = disclose(table, people(counts=["Leavers"]))
    assert d.published.at[0, "Leavers"] == SUPPRESSED
    assert d.reasons.at[0, "Leavers"] == "class"
    assert "everyone in a small group gave the same answer" in d.caption(published=True)


def test_secondary_caption_gives_the_true_reason():
    table = pd.DataFrame({"Team": list("ABCD"), "People": [3, 12, 20, 30]})
    d = disclose(table, people(counts=["People"]))
    assert d.reasons["People"].tolist() == ["primary", "secondary", None, None]
    assert d.caption(published=True) == ("c: 1 figure fewer than 5 people; 1 figure hidden so that a small "
                                         "group cannot be worked out from the other figures.")


def test_leadership_sees_exact_figures_scrutiny_and_files_do_not():
    table = pd.DataFrame({"Team": list("ABCD"), "People": [3, 12, 20, 30]})
    lead = disclose(table, people(counts=["People"]), role="leadership")
    scr = disclose(table, people(counts=["People"]), role="scrutiny")
    assert lead.shown["People"].tolist() == [3, 12, 20, 30] and lead.exact
    assert lead.published["People"].tolist() == ["c", "c", 20, 30]
    assert scr.shown["People"].tolist() == ["c", "c", 20, 30] and not scr.exact


def test_threshold_10_is_one_setting(tmp_path: Path, monkeypatch):
    path = tmp_path / "strict.toml"
    path.write_text(Path(__file__).resolve().parents[2].joinpath("data", "disclosure.toml").read_text()
                    .replace("threshold = 5", "threshold = 10"))
    monkeypatch.setenv("WORKFORCE_DISCLOSURE", str(path))
    assert rules().threshold == 10
    table = pd.DataFrame({"Team": list("ABCD"), "People": [7, 12, 20, 30]})
    assert disclose(table, people(counts=["People"])).published["People"].tolist() == ["c", "c", 20, 30]


def test_bad_rules_are_refused_with_the_key_named(tmp_path: Path):
    with pytest.raises(RulesError, match="'threshold' must be a whole number"):
        parse({"threshold": 0})
    with pytest.raises(RulesError, match="'when' must be one of"):
        parse({"merge": [{"dimension": "age", "into": "x", "members": ["a"], "when": "sometimes"}]})
    with pytest.raises(RulesError, match="missing"):
        load(tmp_path / "nope.toml")
    with pytest.raises(RulesError, match="unknown setting 'treshold'"):
        parse({"treshold": 5})
    with pytest.raises(RulesError, match="merge 1: unknown setting 'member'"):
        parse({"merge": [{"dimension": "age", "into": "x", "member": ["a"]}]})
    bad = tmp_path / "bad.toml"
    bad.write_text("threshold = \n", "utf-8")
    with pytest.raises(RulesError, match="cannot be read.*fix that line"):
        load(bad)
