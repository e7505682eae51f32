"""End-to-end fixtures: a real `streamlit run dashboard.py` on a copy of the demo store, and
Debian's headless Chromium driven by Playwright (never `playwright install`).

Why a real server: AppTest runs pages in-process; only a browser proves the upload widget, the
navigation and the URL-held filters work the way a person meets them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an e2e test (so `-m "not e2e"` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, *, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f}s:\n{log.read_text()[-4000:]}")


class Server:
    """One running dashboard: its base URL, role and store path."""

    def __init__(self, *, url: str, role: str, db: Path, proc: subprocess.Popen) -> None:
        self.url, self.role, self.db, self.proc = url, role, db, proc

    @property
    def log(self) -> Path:
        return self.db.parent / "streamlit.log"

    def _keep_log(self) -> None:
        """Keep the server's log beside the screenshots, so a failure in CI can be read."""
        if self.log.is_file():
            dst = SCREENSHOTS.parent / "e2e-logs" / f"{self.role}-{self.log.parent.name}.log"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.log, dst)

    def stop(self) -> None:
        self._keep_log()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh --dev installs it)")
    return CHROMIUM


@pytest.fixture(scope="session")
def start_server(
    tmp_path_factory: pytest.TempPathFactory, demo_db: Path, chromium_path: Path
) -> Iterator[Callable[..., Server]]:
    """Factory: start `streamlit run dashboard.py` for a role on its own copy of the demo store."""
    started: list[Server] = []

    def _start(*, role: str = "hr", benchmark_files: list[Path] | None = None) -> Server:
        work = tmp_path_factory.mktemp(f"e2e-{role}")
        db = work / "workforce.duckdb"
        shutil.copy(demo_db, db)
        if benchmark_files:  # the published DfE files, imported before the server starts
            from store import connect
            from metrics.benchmarks import import_files

            con = connect(db)
            try:
                import_files(con, paths=benchmark_files, imported_by="e2e")
            finally:
                con.close()
        port = _free_port()
        env = dict(os.environ, WORKFORCE_DB=str(db), WORKFORCE_ROLE=role, WORKFORCE_DEMO="1",
                   PYTHONUNBUFFERED="1")
        log = work / "streamlit.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable, "-m", "streamlit", "run", "dashboard.py",
                    "--server.headless", "true",
                    "--server.port", str(port),
                    "--server.address", "127.0.0.1",
                    "--server.fileWatcherType", "none",
                    "--browser.gatherUsageStats", "false",
                ],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        server = Server(url=f"http://127.0.0.1:{port}", role=role, db=db, proc=proc)
        started.append(server)
        try:
            _wait_healthy(server.url, proc, log)
        except RuntimeError:
            server.stop()
            raise
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def hr_server(start_server: Callable[..., Server]) -> Server:
    return start_server(role="hr")


@pytest.fixture(scope="session")
def browser(chromium_path: Path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
