"""Fixtures for the AppTest suites: the app in this process pointed at a private demo store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

# AppTest.from_file puts the page's folder (views/) first on sys.path, so a page named like one of
# our packages (views/agency.py, views/census.py) would be imported in its place by the first
# `import agency...` in this process: a file of these tests run alone then failed with "'agency'
# is not a package". Imported here first, the packages are what every page imports.
import agency.rules  # noqa: E402,F401
import census  # noqa: E402,F401


@pytest.fixture
def app_store(copy_demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the demo store that the app (in this process) uses, with fresh caches
    before and after."""
    from ui import db

    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))  # copy_demo_db also pins the clock
    monkeypatch.delenv("WORKFORCE_LA_CODE", raising=False)
    db.clear_caches()
    yield copy_demo_db
    db.clear_caches()


def run_as(role: str, monkeypatch: pytest.MonkeyPatch, *, path: str, timeout: float = 60) -> AppTest:
    """Run the page at `path` once as `role`; fail with the exception text if it raised."""
    monkeypatch.setenv("WORKFORCE_ROLE", role)
    at = AppTest.from_file(path, default_timeout=timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def query(sql: str, params=None) -> list[tuple]:
    """Rows from the store the app is using (a cursor of its own, closed after)."""
    from ui import db

    with db.open_cursor() as cur:
        return cur.execute(sql, params or []).fetchall()
