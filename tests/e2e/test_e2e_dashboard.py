"""The dashboard in a real browser: HR uploads next month's extract through the page, confirms,
and the Overview's figures change; the other roles' menus. (Every page for every role, with the
axe scan and screenshots at two widths: test_e2e_pages.py.)

Why: AppTest cannot prove the upload widget, the navigation or the URL-held filters work the way
a person meets them; this run does, on a copy of the demo store, in Debian's headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import BENCHMARK_FILES as REFERENCE_FILES
from tests.e2e.servers import ELEMENTS_DRAWN
from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]


def settle(page, *, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'Running…' indicator) and the
    app's own navigation (not the pages/ folder listing shown before the first run) is drawn."""
    page.wait_for_timeout(400)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
                 .some(a => a.innerText.trim().endsWith('Overview'))""", timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=timeout
    )
    try:  # charts and tables draw after the script ends: give every visible one time to draw
        page.wait_for_function(ELEMENTS_DRAWN, timeout=15_000)
    except PlaywrightTimeout:
        pass  # an element that never draws shows as blank in the screenshot, which is reported
    page.wait_for_timeout(300)


def snap(page, path: Path) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so grow the
    viewport to the content's height first (capped), then put it back."""
    size = page.viewport_size
    height = page.evaluate(
        """() => { const m = document.querySelector('[data-testid="stMain"]');
                   return m ? m.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 8000))})
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    settle(page)


def metric_value(page, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]', has=page.locator(
        '[data-testid="stMetricLabel"]', has_text=label)).first
    return card.locator('[data-testid="stMetricValue"]').inner_text().strip()


def nav_titles(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    # a link's text is "<icon ligature>\n\n<title>": keep the title
    return [links.nth(i).inner_text().strip().splitlines()[-1].strip() for i in range(links.count())]


def test_hr_uploads_a_month_and_the_overview_changes(hr_server, page, screenshots_dir, tmp_path,
                                                     reference_dir):
    latest = latest_loaded(hr_server.db)
    period = next_month(latest)
    extract = tmp_path / f"workforce_{period}.xlsx"
    extract.write_bytes(workbook_bytes(month_frames(period=period)))

    page.goto(hr_server.url)
    settle(page)
    page.get_by_role("heading", name="Overview").wait_for()
    before = metric_value(page, "Agency share")
    assert re.fullmatch(r"\d+(\.\d)?%", before), before
    snap(page, screenshots_dir / "hr-overview-before-upload.png")

    open_page(page, "Upload")
    page.get_by_role("heading", name="Upload a month").wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(extract))
    page.get_by_text("What will change").wait_for(timeout=60_000)
    settle(page)
    snap(page, screenshots_dir / "hr-upload-preview.png")
    page.get_by_role("button", name=re.compile(r"^Confirm and load")).click()
    page.get_by_text(f"{period} loaded").wait_for(timeout=60_000)
    settle(page)
    snap(page, screenshots_dir / "hr-upload-done.png")

    open_page(page, "Overview")
    page.get_by_role("heading", name="Overview").wait_for()
    assert f"period={period}" in page.url  # the new month is selected (and in the shared link)
    after = metric_value(page, "Agency share")
    assert after != before, (before, after)
    snap(page, screenshots_dir / "hr-overview-after-upload.png")

    # Benchmarks: import the DfE's published files through the page, then the charts appear.
    open_page(page, "Benchmarks")
    if page.get_by_text("have not been imported yet").count():
        snap(page, screenshots_dir / "hr-benchmarks-not-imported.png")
        uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
        uploader.set_input_files([str(reference_dir / "dfe" / n) for n in REFERENCE_FILES])
        settle(page)
        page.get_by_role("button", name="Import these files").click()
        page.get_by_text("Imported:").wait_for(timeout=60_000)
        settle(page)
    snap(page, screenshots_dir / "hr-benchmarks-after-import.png")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= 5, page.evaluate(
        "() => [...new Set([...document.querySelectorAll('[data-testid]')].map(e => e.dataset.testid))]")
    # every page for every role, at 1440 and 390 px, with the axe scan: tests/e2e/test_e2e_pages.py


@pytest.mark.parametrize("role", ["leadership", "scrutiny"])
def test_other_roles_see_their_pages_and_cannot_open_upload_by_url(role_server, browser, role):
    server = role_server(role)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url)
        settle(page)
        titles = nav_titles(page)
        assert "Upload" not in titles
        assert ("Data quality" in titles) == (role == "leadership")

        page.goto(f"{server.url}/upload")
        settle(page)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        assert page.get_by_role("heading", name="Upload a month").count() == 0
    finally:
        ctx.close()
