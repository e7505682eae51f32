"""A chart's one-sentence text alternative (shown under the chart as its caption) reads right
when the policy leaves one figure: "only X shown (6.6%)", not "highest X (6.6%), lowest X (6.6%)"
(issue 10: a scrutiny member sees one service of four on the Workforce profile). Frames built by
hand in the shapes ui.data.breakdown and ui.data.profile_local give."""

from __future__ import annotations

import pandas as pd

from disclosure import SUPPRESSED
from ui.data.alt import breakdown_alt, local_alt


def _by_service(values: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"group": list(values), "value": list(values.values())})


def test_one_service_shown_is_named_once_with_its_figure():
    frame = _by_service({"Safeguarding and Family Support": 0.066, "Children in Care": SUPPRESSED,
                         "SEND": SUPPRESSED, "Youth Services": SUPPRESSED})
    text = breakdown_alt("ethnic_minority_rate", frame, by="service")
    assert text == ("Staff from ethnic minorities by service: only Safeguarding and Family Support shown "
                    "(6.6%). 3 services not shown (c: hidden to protect individuals).")


def test_two_services_shown_read_highest_and_lowest():
    frame = _by_service({"Safeguarding and Family Support": 0.066, "Children in Care": 0.25,
                         "SEND": SUPPRESSED})
    text = breakdown_alt("ethnic_minority_rate", frame, by="service")
    assert text == ("Staff from ethnic minorities by service: highest Children in Care (25.0%), lowest "
                    "Safeguarding and Family Support (6.6%). 1 service not shown (c: hidden to protect "
                    "individuals).")


def test_one_job_type_living_in_the_county_is_named_once():
    frame = pd.DataFrame({"Job type": ["Social worker", "Senior practitioner", "Team manager"],
                          "Share living in county (%)": [48.6, SUPPRESSED, SUPPRESSED]})
    assert local_alt(frame) == "Share living in the county by job type: only Social worker shown (49%)."
    frame.loc[1, "Share living in county (%)"] = 61.0
    assert local_alt(frame) == ("Share living in the county by job type: highest Senior practitioner (61%), "
                                "lowest Social worker (49%).")
