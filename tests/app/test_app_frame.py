"""The frame (dashboard.py): roles decide the menu, filters persist and travel in the URL,
the data-as-at line is always there. Real Streamlit AppTest on a real demo store."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


def fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def make_app(monkeypatch, *, db: Path, role: str, query: dict | None = None) -> AppTest:
    """An AppTest of dashboard.py for `role` on store `db`, run once (lands on Overview)."""
    monkeypatch.setenv("WORKFORCE_DB", str(db))
    monkeypatch.setenv("WORKFORCE_ROLE", role)
    fresh_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def drill_choice(at: AppTest):
    """The drill section's "Break down by" radio group (ui.drill.BY_LABEL)."""
    from ui.drill import BY_LABEL

    return next(r for r in at.radio if r.label == BY_LABEL)


def every_breakdown(at: AppTest) -> None:
    """Run the page in `at` once more with each further drill breakdown chosen (one is shown at
    a time), so a test that collects every table or file of a page sees all of them."""
    from ui.data.base import BY_LABELS
    from ui.drill import BY_LABEL

    value = {label: by for by, label in BY_LABELS.items()}
    found = [r for r in at.radio if r.label == BY_LABEL]
    if not found:
        return
    for by in found[0].options[1:]:
        drill_choice(at).set_value(value[by]).run()
        assert not at.exception, (by, [e.value for e in at.exception])


def sidebar_box(at: AppTest, label: str):
    matches = [w for w in at.sidebar.selectbox if w.label == label]
    return matches[0] if matches else None


@pytest.fixture
def store(copy_demo_db):
    return copy_demo_db


def test_menu_by_role(monkeypatch, store):
    for role, present, absent in (
        ("scrutiny", {"overview", "themes", "agency"}, {"upload", "data_quality"}),
        ("leadership", {"overview", "data_quality"}, {"upload"}),
        ("hr", {"overview", "upload", "data_quality"}, set()),
    ):
        at = make_app(monkeypatch, db=store, role=role)
        # the registered pages are the ones AppTest can switch to
        for key in present:
            path = f"views/{key}.py"
            if (Path(APP).parent / path).is_file():
                at.switch_page(path)
        for key in absent:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(f"views/{key}.py")


def test_data_as_at_line_and_role_are_in_the_sidebar(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    text = " ".join(m.value for m in at.sidebar.markdown)
    assert "Data as at 31 October 2026" in text or "Data as at " in text
    assert "last load" in text and "by demo" in text
    assert any("Leadership" in c.value for c in at.sidebar.caption)


def test_invalid_role_gives_a_clear_message(monkeypatch, store):
    monkeypatch.setenv("WORKFORCE_DB", str(store))
    monkeypatch.setenv("WORKFORCE_ROLE", "superuser")
    fresh_caches()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "WORKFORCE_ROLE is 'superuser'" in at.error[0].value
    assert "hr, admin, leadership, scrutiny" in at.error[0].value


def test_filters_persist_across_pages_and_are_mirrored_to_the_url(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    latest = sidebar_box(at, "Month").value
    assert at.query_params["period"] == latest
    services = [o for o in sidebar_box(at, "Service").options if o != "All services"]
    service = services[0]
    sidebar_box(at, "Service").set_value(service).run()
    assert at.query_params["service"] == service
    at.switch_page("views/agency.py").run()
    assert not at.exception
    assert sidebar_box(at, "Service").value == service
    assert service in at.markdown[0].value  # the page intro names the view
    assert at.query_params["service"] == service


def test_a_shared_link_opens_the_same_view(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    months = sidebar_box(at, "Month").options
    older = sorted(months)[0]
    service = [o for o in sidebar_box(at, "Service").options if o != "All services"][-1]
    # AppTest shows format_func labels as options; the URL carries YYYY-MM
    at2 = make_app(monkeypatch, db=store, role="leadership",
                   query={"period": "2026-01", "scope": "all_staff", "service": service})
    assert sidebar_box(at2, "Month").value == "2026-01"
    assert sidebar_box(at2, "Service").value == service
    assert at2.sidebar.radio[0].value == "all_staff"
    assert older  # the menu lists months


def test_bad_link_values_fall_back_safely(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership",
                  query={"period": "1999-01", "service": "'; DROP TABLE staff; --", "scope": "x"})
    assert sidebar_box(at, "Month").value == at.query_params["period"] != "1999-01"
    assert sidebar_box(at, "Service").value == "(all)"
    assert "service" not in at.query_params


def test_scrutiny_gets_no_team_filter_even_from_a_link(monkeypatch, store):
    at = make_app(monkeypatch, db=store, role="leadership")
    team = [o for o in sidebar_box(at, "Team").options if o != "All teams"][0]
    at2 = make_app(monkeypatch, db=store, role="scrutiny", query={"team": team})
    assert sidebar_box(at2, "Team") is None
    assert "team" not in at2.query_params
    assert team not in at2.markdown[0].value


def test_empty_store_says_nothing_is_loaded(monkeypatch, tmp_db):
    at = make_app(monkeypatch, db=tmp_db, role="hr")
    assert "No data loaded yet." in " ".join(m.value for m in at.sidebar.markdown)
    for page in ("overview", "themes", "agency", "caseloads", "turnover", "profile"):
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert any("No months are loaded yet" in m.value for m in list(at.markdown) + list(at.info)), page
        assert not at.metric  # never a misleading zero


def test_an_empty_store_is_never_filled_with_invented_figures(monkeypatch, tmp_db):
    """A new or emptied store shows "No months are loaded yet", never demo figures shown as real."""
    from store import connect

    monkeypatch.setenv("WORKFORCE_DB", str(tmp_db))
    monkeypatch.setenv("WORKFORCE_ROLE", "scrutiny")
    fresh_caches()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("No months are loaded yet" in m.value for m in list(at.markdown) + list(at.info))
    assert not at.metric
    con = connect(tmp_db, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM loads").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM staff").fetchall() == [(0,)]
    finally:
        con.close()


def test_no_legacy_pages_folder_so_a_deep_link_always_runs_through_the_frame(monkeypatch, store):
    """Streamlit treats a folder named `pages/` beside the entry script as its legacy multipage
    mode until the first st.navigation call, so a deep link to a fresh server would run a page
    outside the frame and list every file (Upload included) to any role. The pages therefore
    live in `views/`, and Streamlit never enters that mode."""
    from streamlit.runtime.pages_manager import PagesManager

    assert not (Path(APP).parent / "pages").exists()
    at = make_app(monkeypatch, db=store, role="scrutiny")
    at.switch_page("views/agency.py").run()
    assert not PagesManager.uses_pages_directory
    assert at.title[0].value == "Agency & 80:20"
    assert sidebar_box(at, "Month") is not None  # the frame (filters, role) ran
    assert any("Scrutiny member" in c.value for c in at.sidebar.caption)
