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

    def build() -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--db", str(path)])
        return code, out.getvalue()

    code, printed = _built_once(path, build)
    return path, code, printed


#: Where a developer's test runs share the demo store between processes (see `_built_once`).
DEMO_CACHE = Path(os.environ.get("WORKFORCE_TEST_CACHE", Path.home() / ".cache" / "workforce-dashboard-tests"))


def _source_key() -> str | None:
    """A digest of everything the demo command's result can depend on: every file of the project
    git knows of or would add (tests, benches and prose aside), the WORKFORCE_* environment (and
    the contents of the files it names), today's month (the demo ends at the month before it), and
    the versions of Python, DuckDB and every installed package. None outside a git checkout."""
    import hashlib
    import subprocess
    import sys

    import duckdb

    try:
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                                capture_output=True, check=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        return None
    from datetime import date
    from importlib import metadata

    # today's month: the demo ends at the last month before it, and only months that have ended
    # load (demo.generator.default_end_period); the day does not matter, so a build made before
    # midnight still serves the same month's runs after it
    h = hashlib.sha256(f"{sys.version}|{duckdb.__version__}|{date.today():%Y-%m}".encode())
    for dist in sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()):
        h.update(dist.encode())  # every installed package: pandas, numpy, the LP solver...
    for name in sorted(n for n in listed if n and not n.startswith(("tests/", "bench/", "docs/"))
                       and not n.endswith(".md")):
        f = ROOT / name
        if f.is_file():
            h.update(name.encode() + b"\0" + f.read_bytes() + b"\0")
    for k in sorted(k for k in os.environ if k.startswith("WORKFORCE_")):
        h.update(f"{k}={os.environ[k]}".encode())
        named = Path(os.environ[k])
        if named.is_file() and named.stat().st_size < 10_000_000:  # e.g. a rules file: its contents
            h.update(named.read_bytes())
    return h.hexdigest()[:24]


_HERE = "\0store\0"  # the store's path in what the cached build printed


def _built_once(path: Path, build) -> tuple[int, str]:
    """Build the demo store at `path` with `build()` -> (exit code, printed), or copy the one a
    test process on this machine built from exactly the same sources (`_source_key`): the build
    takes minutes and every pytest process needs it, so parallel runs of the suite's parts wait
    for one build instead of each doing it. In CI ($CI set) every run builds its own: only the
    workers of one `pytest -n` run share it (their run id is in the key, so no earlier run's store
    is used). Never with $WORKFORCE_TEST_NO_CACHE."""
    import fcntl
    import json
    import shutil
    import time

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every worker of one run
    if os.environ.get("WORKFORCE_TEST_NO_CACHE") or (os.environ.get("CI") and not run):
        return build()
    key = _source_key()
    if key is None:
        return build()
    if os.environ.get("CI"):
        key = f"{key}-{run}"
    cached, said = DEMO_CACHE / f"demo-{key}.duckdb", DEMO_CACHE / f"demo-{key}.json"
    try:
        DEMO_CACHE.mkdir(parents=True, exist_ok=True)
        lock = open(DEMO_CACHE / f"demo-{key}.lock", "w")
    except OSError:  # no writable cache folder here: build as CI does
        return build()
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process building the same: wait for it
        try:
            answer = json.loads(said.read_text())
            shutil.copy(cached, path)
            return int(answer["code"]), str(answer["printed"]).replace(_HERE, str(path))
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # not built yet, or left broken: build it
        code, printed = build()
        if code == 0 and not Path(f"{path}.wal").exists():  # a closed store is one file
            part = cached.with_name(cached.name + ".part")
            shutil.copy(path, part)
            os.replace(part, cached)
            part = said.with_name(said.name + ".part")
            part.write_text(json.dumps({"code": code, "printed": printed.replace(str(path), _HERE)}))
            os.replace(part, said)
        for old in DEMO_CACHE.glob("demo-*"):  # a day's builds are kept, older ones go
            if old.suffix != ".lock" and time.time() - old.stat().st_mtime > 86400:
                old.unlink(missing_ok=True)
        return code, printed


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
