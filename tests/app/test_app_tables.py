"""Tables as a reader meets them: no "None", "nan" or ISO month; a change always with its unit;
the Overview's table fits at 1440 px; Strategy themes compact under its summary."""

from __future__ import annotations

import re

import pytest

from tests.app.test_app_frame import make_app

ISO = re.compile(r"\b\d{4}-\d{2}(-\d{2})?\b")
RAW_MISSING = re.compile(r"^(None|nan|NaN|NaT|<NA>)$")


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    import shutil

    dst = tmp_path_factory.mktemp("tables") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def screen_cells(at) -> list[str]:
    """Every cell of every table as text, as the page draws it ("—" for a missing value)."""
    out = []
    for d in at.dataframe:
        assert d.proto.placeholder == "—" if hasattr(d.proto, "placeholder") else True
        out += [str(v) for v in d.value.astype(object).where(d.value.notna(), "—").to_numpy().ravel()]
    return out


def test_change_on_a_year_ago_carries_its_unit(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    table = next(d.value for d in at.dataframe if "Change on a year ago" in d.value.columns)
    changes = dict(zip(table["Measure"], table["Change on a year ago"]))
    pattern = {"Agency share of FTE": r"[+−]\d+\.\d points|No change",
               "Average caseload": r"[+−]\d+\.\d cases per FTE|No change"}
    for measure, rx in pattern.items():
        assert re.fullmatch(rx, changes[measure]), (measure, changes[measure])
    assert all(isinstance(c, str) and c for c in changes.values())
    # the same change, worked out from the figures the table shows
    value = float(table.loc[table["Measure"] == "Agency share of FTE", "Value"].iloc[0])
    assert value == value  # a number


def test_the_overview_table_fits_beside_the_sidebar_at_1440(monkeypatch, store):
    from ui.layout import MEASURE_WIDTHS

    at = make_app(monkeypatch, db=store, role="leadership")
    table = next(d for d in at.dataframe if "Small group" in d.value.columns)
    cols = list(table.value.columns)
    upto = cols[: cols.index("Small group") + 1]
    # 1440 px less the sidebar and the page's padding: 980 px for the table (measured)
    assert sum(MEASURE_WIDTHS[c] for c in upto) <= 980
    assert "Unit" in upto


@pytest.mark.parametrize("page", ["overview", "themes", "agency", "agency_rules", "caseloads", "turnover",
                                  "profile", "data_quality"])
def test_no_none_nan_or_iso_month_in_any_table(monkeypatch, store, page):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception
    for d in at.dataframe:
        frame = d.value.drop(columns=[c for c in ("SHA-256", "File", "File in use") if c in d.value.columns])
        cells = [str(v) for v in frame.to_numpy().ravel() if isinstance(v, str)]
        assert not [c for c in cells if RAW_MISSING.match(c)], (page, list(frame.columns))
        assert not [c for c in cells if ISO.search(c)], (page, [c for c in cells if ISO.search(c)][:3])
    texts = [i.value for i in at.info] + [c.value for c in at.caption]
    assert not [t for t in texts if ISO.search(t)], page


def test_agency_rules_months_before_the_cap_show_a_dash_not_none(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/agency_rules.py").run()
    trend = next(d for d in at.dataframe if "Month" in d.value.columns and "Within cap (%)" in d.value.columns)
    assert trend.value["Within cap (%)"].isna().any()  # months before the cap: no figure...
    assert trend.proto.placeholder == "—"  # ...drawn as a dash, not "None"


def test_strategy_themes_is_compact_under_its_summary(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/themes.py").run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers[0] == "Which themes are on track"
    summary = next(m.value for m in at.markdown if m.value.startswith("| Theme |"))
    in_summary = [line.split("](")[0].lstrip("| [") for line in summary.splitlines()[2:]]
    assert headers[1:] == in_summary  # sections follow the summary: worst first
    boxes = at.expander
    assert len(boxes) == len(headers) - 1 and not any(e.proto.expanded for e in boxes)
    # on show, outside the closed boxes: only the cards of measures off or close to target
    tables = [d.value for d in at.dataframe if "Status" in d.value.columns and "Measure" in d.value.columns]
    trouble = sum(t["Status"].isin(["Off target", "Close to target"]).sum() for t in tables)
    assert trouble > 0
    hidden = sum(len(list(box.get("metric"))) for box in boxes)
    assert len(at.metric) - hidden == trouble
    lines = [m.value for m in at.markdown if "off target" in m.value]
    assert lines and "**" in lines[0]


def test_a_share_column_shows_every_figure_to_one_decimal_place(monkeypatch, store):
    """Scrutiny's gender table: Male's share is 28 of 147 = 19.0%, drawn "19.0" beside Female's
    "80.3" (the column's number format), not "19"."""
    import json

    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/profile.py").run()
    assert not at.exception
    gender = next(d for d in at.dataframe if "Gender" in d.value.columns)
    male = gender.value[gender.value["Gender"] == "Male"].iloc[0]
    assert (int(male["People"]), float(male["Share (%)"])) == (28, 19.0)  # 28 / 147
    formats = {c.get("label"): c.get("type_config", {}).get("format")
               for c in json.loads(gender.proto.columns).values()}
    assert formats.get("Share (%)") == "%.1f", formats


def test_pounds_are_grouped_in_thousands(monkeypatch, store):
    """Agency rules' cost tables: an agency social worker's £69,195 a year per FTE is drawn with
    its thousands separator (the column's "localized" format), not as 69195."""
    import json

    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page("views/agency_rules.py").run()
    assert not at.exception
    for column in ("Agency cost per FTE a year (£)", "Spend in month (£)"):
        table = next(d for d in at.dataframe if column in d.value.columns)
        assert table.value[column].max() >= 1000
        formats = {c.get("label"): c.get("type_config", {}).get("format")
                   for c in json.loads(table.proto.columns).values()}
        assert formats.get(column) == "localized", formats
