"""Issue 10: "secondary suppression picks the smallest cells that protect, never a large group when
a smaller one will do". A drill row hidden for its rate hid its People too: on the Turnover page,
scrutiny, October 2026, by service, People 38, 8, 66 and 8 read "c" because each service's turnover
rate is hidden (SEND's rests on 1 leaver of 8, Safeguarding's on 4 of 66, Youth's on 2.7 FTE of 8;
Children in Care's 9.0 FTE is hidden so that their sum cannot be worked out from the directorate's
16.7). Those People are employed staff in post, the starters' and the vacancy rate's base: the
published history shows them in the same month's starters rows. Hidden here they protect nothing;
shown here they tell a reader nothing the history does not (disclosure.policy.
_counts_published_anyway). The rates, their numerators and statuses stay hidden, each with its
true reason.

Also here: the audit's model of it (tests/app/disclosure_audit.py `history_leaks`): a hidden row's
People counted as shown where they are, and the People/rate link (a shown denominator splits into
the hidden numerator and rest), so a shown base that gives a numerator away fails the audit.
"""

from __future__ import annotations

import pandas as pd
import pytest

from disclosure.policy import published_metric_rows, same_figure_keys
from metrics.units import SUPPRESSED

WHEN = pd.Timestamp("2026-10-01")
SERVICES = ["Children in Care", "SEND", "Safeguarding and Family Support", "Youth"]


def _row(metric_id: str, service: str | None, *, hidden: bool, value=None, numerator=None, denominator=None,
         base=None, reason=None) -> dict:
    c = SUPPRESSED
    return {"metric_id": metric_id, "period": WHEN, "scope": "social_workers", "group": None, "service": service,
            "value": c if hidden else value, "numerator": c if hidden else numerator,
            "denominator": c if hidden else denominator, "base_count": c if hidden else base,
            "suppressed": hidden, "suppression": reason if hidden else None}


def test_the_turnover_rates_base_is_the_starters_and_the_vacancy_rates_by_declaration():
    """The keys say what each figure counts (metrics.catalogue): turnover's denominator is employed
    FTE and its base the employed staff (the rows behind it); the starters' are the same; the
    vacancy rate's base is employed_headcount (the same rows counted) and its denominator (vacant
    plus employed FTE) another figure; sickness absence's base is only those with absence recorded."""
    turnover, starters = same_figure_keys("turnover_rate_fte_12m"), same_figure_keys("starters_fte_12m")
    vacancy, absence = same_figure_keys("vacancy_rate_fte"), same_figure_keys("absence_rate")
    assert turnover["base_count"] == starters["base_count"] == vacancy["base_count"] == ("count", "staff", "employed")
    assert turnover["denominator"] == starters["denominator"] == (("sum", "staff", "fte", "employed"),)
    assert vacancy["denominator"] != turnover["denominator"]
    assert absence["base_count"] == ("count", "staff", "employed AND absence_recorded")
    assert "denominator" not in same_figure_keys("stability_index_12m")  # a cohort: no key


def test_a_hidden_rows_people_are_shown_where_the_frame_publishes_them_anyway():
    """Hand-built, decided rows (SEND, October 2026, as the demo): turnover hidden (1 leaver of 8);
    the starters' row shown, 1.0 FTE of 8.0, People 8. Turnover's People 8 and denominator 8.0 are
    shown again (the starters' figures); its rate and numerator stay "c". The vacancy rate hidden
    beside them shows its People 8 (employed_headcount) but not its denominator (no other row has
    it). Youth: starters hidden too, so turnover's People stay "c" although sickness absence's
    People (those with absence recorded, another figure) read 8: no figure is matched by its value."""
    out = pd.DataFrame([
        _row("turnover_rate_fte_12m", "SEND", hidden=True, reason="secondary"),
        _row("starters_fte_12m", "SEND", hidden=False, value=0.125, numerator=1.0, denominator=8.0, base=8),
        _row("vacancy_rate_fte", "SEND", hidden=True, reason="secondary"),
        _row("turnover_rate_fte_12m", "Youth", hidden=True, reason="secondary"),
        _row("starters_fte_12m", "Youth", hidden=True, reason="primary"),
        _row("absence_rate", "Youth", hidden=False, value=0.02, numerator=3.0, denominator=169.4, base=8),
    ])
    got = published_metric_rows(out, across="service")
    by = {(m, s): r for m, s, r in zip(got["metric_id"], got["service"], got.to_dict("records"))}
    send = by[("turnover_rate_fte_12m", "SEND")]
    assert (send["base_count"], send["denominator"]) == (8, 8.0)
    assert send["value"] == send["numerator"] == SUPPRESSED and send["suppressed"]
    vac = by[("vacancy_rate_fte", "SEND")]
    assert vac["base_count"] == 8 and vac["denominator"] == SUPPRESSED and vac["value"] == SUPPRESSED
    youth = by[("turnover_rate_fte_12m", "Youth")]
    assert youth["base_count"] == youth["denominator"] == youth["value"] == SUPPRESSED


def test_scrutinys_turnover_by_service_shows_the_people_and_hides_the_rates(app_store, monkeypatch):
    """The defect's example (demo store, scrutiny, Turnover & retention, "By service", October
    2026, social workers, the directorate). Worked by hand from leadership's figures (`python -m
    metrics --period 2026-10 --by service`): People (employed staff in post) 38, 8, 66, 8 of 120;
    leavers' FTE 9.0, 1.0, 4.0, 2.7 of 16.7. The People are shown (the starters' rows of the same
    month publish 38, 8, 66, 8); the four rates stay "c": SEND's, Safeguarding's and Youth's
    "fewer than 5 people" (1, 4 and 2.7 FTE of leavers), Children in Care's secondary (9.0 FTE:
    shown, it would give the other three's 7.7 away as 16.7 - 9.0); the four statuses secondary.
    Nothing recoverable follows: the numerators stay hidden in the history, adding up to the
    directorate's 16.7 less nothing shown. Caption: 3 fewer than 5 people; 5 secondary (it read
    "3 ...; 13 ..." with the People, Small group flags hidden)."""
    from disclosure import history
    from ui import data, db
    from ui.filters import Filters

    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    f = Filters(period="2026-10", service=None)
    frame = data.breakdown("turnover_rate_fte_12m", f, by="service")
    d = data.breakdown_table(frame, metric_id="turnover_rate_fte_12m", by="service")
    pub = d.published.set_index("Service")
    rate = next(c for c in pub.columns if c.startswith("Turnover rate"))
    assert [pub.loc[s, "People"] for s in SERVICES] == [38, 8, 66, 8]
    assert [pub.loc[s, "Small group"] for s in SERVICES] == ["—", "Yes", "—", "Yes"]
    assert all(pub.loc[s, rate] == SUPPRESSED and pub.loc[s, "Status"] == SUPPRESSED for s in SERVICES)
    why = d.reasons.set_index(d.published["Service"])
    assert [why.loc[s, rate] for s in SERVICES] == ["secondary", "primary", "primary", "primary"]
    assert [why.loc[s, "People"] for s in SERVICES] == [None] * 4
    assert d.caption(published=True) == ("c: 3 figures fewer than 5 people; 5 figures hidden so that a small "
                                         "group cannot be worked out from the other figures.")
    assert d.shown.equals(d.published)  # scrutiny's screen is the published table
    # the hand-worked check that the People give nothing away: the same month's starters rows
    # publish them already, and every service's leavers (turnover's numerator) stay hidden
    with db.open_cursor() as cur:
        h = history.published(cur, scope="social_workers")
    h = h[(pd.to_datetime(h["period"]) == WHEN) & h["group"].isna()]
    rows = {(m, s if isinstance(s, str) else None): r for m, s, r in zip(h["metric_id"], h["service"],
                                                                           h.to_dict("records"))}
    assert [rows[("starters_fte_12m", s)]["base_count"] for s in SERVICES] == [38, 8, 66, 8]
    assert not any(rows[("starters_fte_12m", s)]["suppressed"] for s in SERVICES)
    assert all(rows[("turnover_rate_fte_12m", s)]["numerator"] == SUPPRESSED for s in SERVICES)
    assert rows[("turnover_rate_fte_12m", None)]["numerator"] == pytest.approx(16.7)
    # leadership's file of the same table: the same published People
    monkeypatch.setenv("WORKFORCE_ROLE", "leadership")
    lead = data.breakdown_table(data.breakdown("turnover_rate_fte_12m", f, by="service"),
                                metric_id="turnover_rate_fte_12m", by="service").published.set_index("Service")
    assert [lead.loc[s, "People"] for s in SERVICES] == [38, 8, 66, 8]
    assert all(lead.loc[s, rate] == SUPPRESSED for s in SERVICES)


# ------------------------------------------------------------------------------------------
# the audit's model


def _history(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"metric_id": m, "period": WHEN, "group": None, "service": s, "value": v,
                          "numerator": n, "denominator": d, "base_count": b}
                         for m, s, v, n, d, b in rows])


def test_the_history_check_counts_a_shown_people_of_a_hidden_row_as_shown():
    """Turnover (its People: employed staff): A's People 3 hidden (small), B's rate hidden but
    its People 40 shown, C all shown (57); the directorate's 100 shown. A reader: A = 100 - 40 -
    57 = 3. Counting B's People as hidden with its rate (as the check did) saw two hidden adding up
    to 43: no finding."""
    from tests.app.disclosure_audit import history_leaks

    c = SUPPRESSED
    exact = _history([("turnover_rate_fte_12m", None, 0.1, 10.0, 98.0, 100),
                      ("turnover_rate_fte_12m", "A", 0.3, 1.0, 3.0, 3),
                      ("turnover_rate_fte_12m", "B", 0.1, 4.0, 39.0, 40),
                      ("turnover_rate_fte_12m", "C", 0.09, 5.0, 56.0, 57)])
    published = _history([("turnover_rate_fte_12m", None, 0.1, 10.0, 98.0, 100),
                          ("turnover_rate_fte_12m", "A", c, c, c, c),
                          ("turnover_rate_fte_12m", "B", c, c, 39.0, 40),
                          ("turnover_rate_fte_12m", "C", 0.09, 5.0, 56.0, 57)])
    found = history_leaks("unit", "social_workers", published, exact)
    assert any("turnover_rate_fte_12m base_count: hidden ['A'] add up to 3" in f for f in found), found


def test_the_history_check_finds_a_numerator_a_shown_denominator_gives_away():
    """Case holders over the caseload threshold (a rate of headcounts): A 2 of 10 and B 3 of 3
    hidden, C 20 of 50 shown, the directorate 25 of 63. The hidden numerators add up to 5, the
    hidden rests to 8 (A's 8, B's 0). With A's denominator 10 shown, A's numerator is 10 less its
    rest, at least 10 - 8 = 2, and at most 5: [2, 5], narrower than 5. Hidden (as before), no
    finding."""
    from tests.app.disclosure_audit import history_leaks

    c = SUPPRESSED
    mid = "caseload_over_threshold_rate"
    exact = _history([(mid, None, 25 / 63, 25.0, 63.0, 63), (mid, "A", 0.2, 2.0, 10.0, 10),
                      (mid, "B", 1.0, 3.0, 3.0, 3), (mid, "C", 0.4, 20.0, 50.0, 50)])
    shown = _history([(mid, None, 25 / 63, 25.0, 63.0, 63), (mid, "A", c, c, 10.0, 10),
                      (mid, "B", c, c, c, c), (mid, "C", 0.4, 20.0, 50.0, 50)])
    found = history_leaks("unit", "social_workers", shown, exact)
    assert any("A: its shown denominator 10 leaves its numerator in [2, 5]" in f for f in found), found
    hidden = shown.copy()
    hidden.loc[1, ["denominator", "base_count"]] = c
    assert not any(" A: " in f for f in history_leaks("unit", "social_workers", hidden, exact))
