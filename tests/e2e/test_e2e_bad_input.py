"""Bad input in a real browser against a real `streamlit run` server.

- The 8 KB workbook that declares a cell at XFD1048576 used to kill the server for every user
  the moment HR chose it on the Upload page. Now HR gets a sentence, the server keeps answering
  other sessions, and the upload's temporary file is gone.
- Tracker text written by an editor used to render as Markdown, so a scrutiny member's browser
  fetched an outside image. Now it shows as typed: no image, no link, no request.
"""

from __future__ import annotations

import glob
import os
import tempfile
import urllib.request
from pathlib import Path

from tests.e2e.test_e2e_dashboard import open_page, settle
from tests.unit.test_ingest_bounded import last_cell

HOSTILE = ("![x](http://example.invalid/a.png) and [link](http://example.invalid/l) "
           '<img src="http://example.invalid/h.png"> www.example.invalid')


def _upload_temp_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "workforce-upload-*")))


def test_a_crafted_workbook_on_the_upload_page_leaves_the_server_serving(start_server, browser,
                                                                         tmp_path: Path) -> None:
    hr_server = start_server(role="hr")  # its own server: the shared one's store stays unopened
    crafted = last_cell(tmp_path, "XFD1048576")
    assert crafted.stat().st_size < 10_000
    temp_before = _upload_temp_files()
    hr = browser.new_context(viewport={"width": 1400, "height": 1000})
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = hr.new_page()
        page.goto(hr_server.url)
        settle(page)
        open_page(page, "Upload")
        page.get_by_role("heading", name="Upload a month").wait_for()
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(crafted))
        page.get_by_text("Nothing has been loaded").first.wait_for(timeout=60_000)
        # the problem (in the table of problems to fix) says what to do
        page.get_by_text("reaches row 1,048,576, column XFD").first.wait_for(state="attached")

        # the server process lives and answers: its health check and another person's session
        assert hr_server.proc.poll() is None
        with urllib.request.urlopen(f"{hr_server.url}/_stcore/health", timeout=10) as resp:
            assert resp.status == 200
        second = other.new_page()
        second.goto(hr_server.url)
        settle(second)
        second.get_by_role("heading", name="Overview").wait_for()
        assert second.locator('[data-testid="stException"]').count() == 0
        assert _upload_temp_files() <= temp_before  # the upload's temporary copy is removed
    finally:
        hr.close()
        other.close()


def _hostile_tracker(db: Path) -> None:
    """Seed the tracker in the copy, then put an editor's hostile text in every entry."""
    from store import connect
    from recommendations.seed import seed_if_empty

    con = connect(db)
    try:
        seed_if_empty(con)
        con.execute("UPDATE rec_recommendations SET text = text || ' ' || ?, note = ?",
                    [HOSTILE, HOSTILE])
    finally:
        con.close()


def test_tracker_text_renders_as_text_for_a_scrutiny_member(start_server, browser) -> None:
    server = start_server(role="scrutiny", prepare=_hostile_tracker)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    try:
        page = ctx.new_page()
        page.on("request", lambda r: outside.append(r.url) if "example.invalid" in r.url else None)
        page.goto(server.url)
        settle(page)
        open_page(page, "Recommendations")
        page.get_by_text("Recommendation in detail").wait_for(timeout=60_000)
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        assert main.get_by_text("![x](http", exact=False).count() >= 1  # shown as typed
        assert page.locator('img[src*="example.invalid"]').count() == 0
        # An address typed in the text becomes a link that shows exactly where it goes
        # (ui.layout.plain); Markdown in the text never makes a link with other words ("[x](...)").
        links = page.locator('a[href*="example.invalid"]')
        deceptive = links.evaluate_all(
            "as => as.filter(a => a.textContent.trim().replace(/^https?:\\/\\//, '') !=="
            " a.getAttribute('href').replace(/^(https?:\\/\\/|mailto:)/, ''))"
            ".map(a => [a.textContent, a.getAttribute('href')])")
        assert deceptive == []
        assert outside == []
        # the sidebar says when data was loaded, never who, to a scrutiny member
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "last load" in sidebar and " by " not in sidebar.split("last load", 1)[1].split("\n")[0]
    finally:
        ctx.close()
