"""The store is shared: a command-line load while the dashboard serves succeeds, the next page
view shows the new month without a restart, and a visitor arriving during a load is told the
figures are being updated (not shown an error box; figures already worked out are still served), while a second load says the store is busy
and exits 3.

Why a real server and real `python -m ingest` processes: DuckDB's lock is per process, so only
separate processes show whether the dashboard keeps the file open between page views.
"""

from __future__ import annotations

import calendar
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from tests.e2e.test_e2e_dashboard import settle
from tests.e2e.workbooks import latest_loaded, month_frames, next_month, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]


def month_end_words(period: str) -> str:
    y, m = (int(x) for x in period.split("-"))
    return f"{calendar.monthrange(y, m)[1]} {date(y, m, 1):%B %Y}"


def data_as_at(page) -> str:
    return page.locator('[data-testid="stSidebar"]').get_by_text("Data as at").first.inner_text()


def day_after(period: str) -> str:
    """The first day of the month after `period`: the clock at which that month has ended."""
    y, m = (int(x) for x in period.split("-"))
    return f"{y + m // 12}-{m % 12 + 1:02d}-01"


def cli_env(db: Path, **extra: str) -> dict[str, str]:
    return dict(os.environ, WORKFORCE_DB=str(db), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", **extra)


def ingest(db: Path, extract: Path, period: str, **extra: str) -> subprocess.CompletedProcess:
    extra.setdefault("WORKFORCE_TODAY", day_after(period))  # only ended months can be loaded
    return subprocess.run([sys.executable, "-m", "ingest", str(extract), "--period", period,
                           "--loaded-by", "e2e"], cwd=ROOT, env=cli_env(db, **extra),
                          capture_output=True, text=True, timeout=180)


def test_a_command_line_load_while_serving_shows_on_the_next_page_view(start_server, page, tmp_path):
    server = start_server(role="leadership", env={"WORKFORCE_PAGE_WAIT": "1"})
    first = next_month(latest_loaded(server.db))
    second = next_month(first)
    files = {}
    for period in (first, second):
        files[period] = tmp_path / f"workforce_{period}.xlsx"
        files[period].write_bytes(workbook_bytes(month_frames(period=period)))

    page.goto(server.url)
    settle(page)
    before = data_as_at(page)
    assert month_end_words(first) not in before

    # 1. a command-line load while the dashboard serves (and has served a page): it succeeds
    done = ingest(server.db, files[first], first)
    assert done.returncode == 0, done.stderr
    page.goto(server.url)  # the next page view, same server process
    settle(page)
    assert month_end_words(first) in data_as_at(page)

    # 2. a load that holds the store: a visitor is told it is being updated; a second load is busy
    holder = subprocess.Popen(
        [sys.executable, "-m", "ingest", str(files[second]), "--period", second, "--loaded-by", "e2e"],
        cwd=ROOT, env=cli_env(server.db, WORKFORCE_INGEST_TEST_PAUSE="40",
                             WORKFORCE_TODAY=day_after(second)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "PAUSED-IN-TRANSACTION"
        busy = ingest(server.db, files[first], first, WORKFORCE_STORE_WAIT="1")
        assert busy.returncode == 3, (busy.returncode, busy.stderr)
        assert "the store is busy (being loaded by python -m ingest (e2e:" in busy.stderr
        assert busy.stderr.strip().endswith("try again")
        # figures already worked out are served from the cache (keyed on the unchanged files)
        page.goto(server.url)
        settle(page)
        assert month_end_words(first) in data_as_at(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        # a page that must read the store says it is being updated (the tracker reads it each view)
        page.goto(f"{server.url}/recommendations")
        page.get_by_text("being updated").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert "by python -m ingest (e2e" in page.get_by_text("being updated").first.inner_text()

        out, err = holder.communicate(timeout=120)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=10)
    assert holder.returncode == 0, err
    assert f"{second}" in out

    # 3. once the load is done, "Try again" shows the new month (no restart)
    page.get_by_role("button", name="Try again").click()
    settle(page)
    assert month_end_words(second) in data_as_at(page)
    assert page.locator('[data-testid="stException"]').count() == 0
