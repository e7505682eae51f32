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
def demo_command(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """The demo store built once per test session by the demo command itself (`python -m demo
    --db PATH`, in this process): the extracts through the real loader, each load keeping its
    decisions (aggregates, stored values, the published history, the linked people tables, the
    compliance totals) as the CLI's do. (path, exit code, what it printed).

    Building it is the costliest set-up of the suite (36 loads, each deciding and keeping its
    disclosure decisions), so it is built once: tests read it (`demo_db`) or copy it
    (`copy_demo_db`), and tests/integration/test_demo_load.py checks the command by it."""
    import contextlib
    import io

    from demo.__main__ import main

    path = tmp_path_factory.mktemp("demo") / "workforce.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--db", str(path)])
    return path, code, out.getvalue()


@pytest.fixture(scope="session")
def demo_db(demo_command: tuple[Path, int, str]) -> Path:
    """A store built once per test session from the demo extracts, through the real loader, by
    the demo command (`demo_command`).

    Tests must not write to it; copy it first (`copy_demo_db`) when a test loads or edits.
    """
    path, code, printed = demo_command
    assert code == 0, printed
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
