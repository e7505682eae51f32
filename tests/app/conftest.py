"""Fixtures for the AppTest suites: the app in this process pointed at a private demo store."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def app_store(copy_demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """A private copy of the demo store that the app (in this process) uses, with fresh caches
    and connection before and after, and no demo seeding (the store is already loaded)."""
    from ui import db

    monkeypatch.setenv("WORKFORCE_DB", str(copy_demo_db))
    monkeypatch.setenv("WORKFORCE_SEED_DEMO", "0")
    monkeypatch.delenv("WORKFORCE_LA_CODE", raising=False)
    db.reset_connection()
    yield copy_demo_db
    db.reset_connection()
