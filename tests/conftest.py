"""Shared fixtures: real DuckDB files in temporary folders, the council's reference papers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WORKFORCE_SHARED", ROOT.parent / "shared"))
REFERENCE = SHARED / "reference"


@pytest.fixture(autouse=True)
def demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run the app in demo mode (no sign-in, the role from $WORKFORCE_ROLE) unless they ask
    for sign-in (`monkeypatch.delenv("WORKFORCE_DEMO")`, as tests/app/test_app_signin.py does)."""
    monkeypatch.setenv("WORKFORCE_DEMO", "1")
    monkeypatch.delenv("WORKFORCE_ACCESS", raising=False)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference (tests read the published files from there; the project ships none)."""
    if not REFERENCE.is_dir():
        pytest.fail(f"Reference files not found at {REFERENCE}; set WORKFORCE_SHARED")
    return REFERENCE


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    """Path to a fresh, empty workforce store (schema created) in a temporary folder."""
    from store import connect

    path = tmp_path / "workforce.duckdb"
    connect(path).close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built once per test session from the demo extracts, through the real loader.

    Tests must not write to it; copy it first (`copy_demo_db`) when a test loads or edits.
    """
    import disclosure.history  # noqa: F401  (loads refresh the aggregates, stored values and published history, as the CLI's do)
    import disclosure.linked  # noqa: F401  (and the linked people tables' decisions)
    from demo import build_demo_db

    path = tmp_path_factory.mktemp("demo") / "workforce.duckdb"
    build_demo_db(db_path=path)
    return path


@pytest.fixture
def copy_demo_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo store that a test may change.

    The clock ($WORKFORCE_TODAY) is pinned after the month that follows the demo's last, so a
    test may load "next month" (only months that have ended can be loaded)."""
    import shutil

    from tests.e2e.workbooks import day_after_next_month

    dst = tmp_path / "demo-copy.duckdb"
    shutil.copy(demo_db, dst)
    monkeypatch.setenv("WORKFORCE_TODAY", day_after_next_month(dst))
    return dst


@pytest.fixture
def changed_disclosure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`changed_disclosure(name)`: from now on, the disclosure package's module `name` (e.g.
    "audit.py", or a new module) reads as if one line of it had changed: every kept decision's
    signature (disclosure.rules.decision_signature) is taken over a copy of the package with
    that line added. Kept decisions made before must then not be read."""
    import importlib
    import shutil

    rules = importlib.import_module("disclosure.rules")  # the module (the package exports its `rules()`)

    def change(name: str) -> Path:
        copy = tmp_path / f"disclosure-{name}"
        shutil.copytree(rules.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
        with (copy / name).open("a", encoding="utf-8") as f:
            f.write("\n# one changed line\n")
        monkeypatch.setattr(rules, "PACKAGE", copy)
        return copy

    return change
