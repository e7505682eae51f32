"""Filters only where they act (issue 12 item 7): every page shows exactly the sidebar controls
ui.state.PAGE_FILTERS declares for it, each declared control changes the page's figures, a
filter a page does not declare changes nothing there (and leaves the address), and no page has
two month controls. Real dashboard.py through AppTest on the demo store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.app.test_app_frame import make_app, sidebar_box
from ui.state import PAGE_FILTERS

ROOT = Path(__file__).resolve().parents[2]
LABELS = {"period": "Month", "scope": "People", "service": "Service", "team": "Team"}
ACCOUNT = {"Demo: view as"}  # the demo role picker is not a filter


def _pages() -> list[tuple[str, str]]:
    """(key, file) of every page in dashboard.PAGES (read as a literal: importing dashboard.py
    would run the app)."""
    import ast

    tree = ast.parse((ROOT / "dashboard.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.AnnAssign) and n.target.id == "PAGES")
    return [(key, path) for _, key, path, *_ in ast.literal_eval(node.value)]


PAGES = _pages()


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_db):
    dst = tmp_path_factory.mktemp("filters") / "workforce.duckdb"
    shutil.copy(demo_db, dst)
    return dst


def sidebar_controls(at) -> list[str]:
    widgets = list(at.sidebar.selectbox) + list(at.sidebar.radio)
    shown = {w.label for w in widgets} - ACCOUNT
    return [label for label in LABELS.values() if label in shown] + sorted(shown - set(LABELS.values()))


def month_controls(at) -> list[str]:
    return [w.label for w in at.selectbox if "month" in w.label.lower()]


def figures(at) -> str:
    """What the page shows as figures: its tables, metric cards, charts' data and the cards' sparklines."""
    tables = [df.value.to_csv() for df in at.dataframe]
    metrics = [f"{m.label}={m.value}" for m in at.metric]
    charts = []
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        charts.append(json.dumps([t.get("y") for t in spec.get("data", [])] +
                                 [t.get("x") for t in spec.get("data", [])], default=str))
    sparks = [h.proto.body for h in at.get("html") if "cwd-spark" in h.proto.body]  # the cards' lines (SVG)
    return json.dumps([tables, metrics, charts, sparks])


@pytest.mark.parametrize("role", ["hr", "scrutiny"])
def test_every_page_shows_only_the_filters_it_declares(monkeypatch, store, role):
    from access import allowed

    at = make_app(monkeypatch, db=store, role=role)
    seen = 0
    for key, path in PAGES:
        if not allowed(role, f"page:{key}") or not (ROOT / path).is_file():
            continue
        at.switch_page(path).run()
        assert not at.exception, (key, [e.value for e in at.exception])
        wanted = [LABELS[f] for f in PAGE_FILTERS.get(key, ())
                  if f != "team" or allowed(role, "teams")]
        assert sidebar_controls(at) == wanted, key
        assert len(month_controls(at)) <= 1, (key, month_controls(at))
        # the council and the service are named at the top of every page (ui.org)
        header = " ".join(h.proto.body for h in at.get("html"))
        assert "Herefordshire Council" in header and "Children and Young People&#x27;s Services" in header, key
        if not wanted:  # the sidebar says why there is nothing to choose
            assert any("no month, people or service choice" in c.value for c in at.sidebar.caption), key
        seen += 1
    assert seen >= 10 and "accessibility" in {k for k, _ in PAGES}
    at.switch_page("views/accessibility.py").run()  # every role reaches the statement from the menu
    assert "## Reporting accessibility problems" in " ".join(m.value for m in at.markdown)
    assert not PAGE_FILTERS.get("benchmarks") and not PAGE_FILTERS.get("recommendations")


def test_upload_has_exactly_one_month_control(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="hr")
    at.switch_page("views/upload.py").run()
    assert month_controls(at) == ["Month the extract is for"]


def _change(at, label: str, value) -> None:
    box = sidebar_box(at, label) if label != "People" else at.sidebar.radio[0]
    assert box is not None, label
    box.set_value(value).run()
    assert not at.exception, (label, [e.value for e in at.exception])


@pytest.mark.parametrize("key", [k for k, used in PAGE_FILTERS.items() if used])
def test_each_declared_filter_changes_the_figures(monkeypatch, store, key):
    """The page reads every filter it shows: choosing another value changes its figures."""
    at = make_app(monkeypatch, db=store, role="leadership")
    at.switch_page(f"views/{key}.py").run()
    used = PAGE_FILTERS[key]
    before = figures(at)
    if "period" in used:
        latest = at.query_params["period"]  # the options are shown as labels: pick a value
        year, month = int(latest[:4]), int(latest[5:])
        _change(at, "Month", f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}")
        after = figures(at)
        assert after != before, (key, "Month")
        before = after
    if "scope" in used:
        _change(at, "People", "all_staff")
        after = figures(at)
        assert after != before, (key, "People")
        before = after
    if "service" in used:
        service = sidebar_box(at, "Service")
        _change(at, "Service", service.options[1])
        after = figures(at)
        assert after != before, (key, "Service")
        before = after
    if "team" in used:
        team = sidebar_box(at, "Team")
        assert len(team.options) > 2, team.options  # a service of one team would prove nothing
        _change(at, "Team", team.options[1])
        after = figures(at)
        assert after != before, (key, "Team")


@pytest.mark.parametrize("key, undeclared", [("agency_rules", {"scope": "all_staff"}),
                                             ("benchmarks", {"scope": "all_staff", "service": "x"})])
def test_a_filter_the_page_does_not_declare_changes_nothing_and_leaves_the_address(
        monkeypatch, store, key, undeclared):
    plain = make_app(monkeypatch, db=store, role="leadership")
    plain.switch_page(f"views/{key}.py").run()
    linked = make_app(monkeypatch, db=store, role="leadership", query=undeclared)
    linked.switch_page(f"views/{key}.py").run()
    assert not linked.exception
    assert figures(linked) == figures(plain)
    for name in undeclared:
        assert name not in linked.query_params
