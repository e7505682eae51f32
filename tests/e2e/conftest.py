"""End-to-end fixtures: a real `streamlit run dashboard.py` on a copy of the demo store, and
Debian's headless Chromium driven by Playwright (never `playwright install`).

Why a real server: AppTest runs pages in-process; only a browser proves the upload widget, the
navigation and the URL-held filters work the way a person meets them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.servers import free_port as _free_port
from tests.e2e.servers import launch as _launch
from tests.e2e.servers import wait_healthy as _wait_healthy

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

    def _start(*, role: str = "hr", benchmark_files: list[Path] | None = None,
               env: dict[str, str] | None = None,
               prepare: Callable[[Path], None] | None = None) -> Server:
        work = tmp_path_factory.mktemp(f"e2e-{role}")
        db = work / "workforce.duckdb"
        shutil.copy(demo_db, db)
        if prepare is not None:  # the test's own changes to its copy, before the server opens it
            prepare(db)
        if benchmark_files:  # the published DfE files, imported before the server starts
            from store import connect
            from ingest.published import import_files

            con = connect(db)
            try:
                import_files(con, paths=benchmark_files, imported_by="e2e")
            finally:
                con.close()
        port = _free_port()
        from tests.e2e.workbooks import day_after_next_month

        # only ended months load: pin the clock so "next month" (the test's upload) has ended
        env = dict(os.environ, WORKFORCE_DB=str(db), WORKFORCE_ROLE=role, WORKFORCE_DEMO="1",
                   PYTHONUNBUFFERED="1", **{"WORKFORCE_TODAY": day_after_next_month(db), **(env or {})})
        log = work / "streamlit.log"
        proc = _launch("dashboard.py", port=port, env=env, log=log)
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


#: the DfE files the role servers import before starting (Benchmarks then has charts to show)
BENCHMARK_FILES = ("csww_indicators_2017_to_2025.csv", "sn_model_2025_wide.csv")


@pytest.fixture(scope="session")
def role_server(request: pytest.FixtureRequest, start_server: Callable[..., Server],
                reference_dir: Path) -> Callable[[str], Server]:
    """One server per role for the whole run, shared by the tests that only read (the page tour,
    the axe scan, the screenshots): HR's is `hr_server`; the others import the DfE files first."""
    servers: dict[str, Server] = {}

    def _get(role: str) -> Server:
        if role not in servers:
            servers[role] = (request.getfixturevalue("hr_server") if role == "hr" else
                             start_server(role=role, benchmark_files=[reference_dir / "dfe" / n
                                                                      for n in BENCHMARK_FILES]))
        return servers[role]

    return _get


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


# --- sign-in: a real OIDC provider and the dashboard configured to use it ---------------------

#: people the provider knows: subject -> ID-token claims (the role claim is "roles", as Entra ID)
SIGNIN_PEOPLE: dict[str, dict] = {
    "hr-1": {"email": "hr.officer@council.example", "name": "Hana R", "roles": ["hr"]},
    "lead-1": {"email": "director@council.example", "roles": ["leadership"]},
    "member-1": {"preferred_username": "cllr.member@council.example", "roles": ["scrutiny"]},
    "nobody-1": {"email": "visitor@council.example", "roles": ["Another.App.Role"]},
}


class SignInServer(Server):
    """The dashboard in sign-in mode (serve.py, [auth] pointing at the test provider)."""

    def __init__(self, *, provider: str, **kw) -> None:
        super().__init__(**kw)
        self.provider = provider

    def set_person(self, sub: str, claims: dict) -> None:
        """Give `sub` these claims at the provider (its PUT /users/<sub> API)."""
        import json

        req = urllib.request.Request(f"{self.provider}/users/{sub}", method="PUT",
                                     data=json.dumps(claims).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status in (200, 204), resp.status


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[str]:
    """oidc-provider-mock on localhost (a thread of this process) knowing SIGNIN_PEOPLE."""
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=sub, claims=claims) for sub, claims in SIGNIN_PEOPLE.items()]
    with run_server_in_thread(port=_free_port(), user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signin_server(tmp_path_factory: pytest.TempPathFactory, demo_db: Path, chromium_path: Path,
                  oidc_provider: str) -> Iterator[SignInServer]:
    """`streamlit run serve.py` in sign-in mode on a copy of the demo store: WORKFORCE_DEMO unset,
    WORKFORCE_ROLE=hr set on purpose (it must grant nothing), secrets in a private file."""
    import secrets as pysecrets

    work = tmp_path_factory.mktemp("e2e-signin")
    db = work / "workforce.duckdb"
    shutil.copy(demo_db, db)
    port = _free_port()
    secrets_file = work / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
        f'cookie_secret = "{pysecrets.token_urlsafe(32)}"\n'
        'client_id = "workforce-dashboard"\n'
        'client_secret = "test-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("WORKFORCE_DEMO", "WORKFORCE_ACCESS")}
    env.update(WORKFORCE_DB=str(db), WORKFORCE_ROLE="hr", PYTHONUNBUFFERED="1")
    log = work / "streamlit.log"
    proc = _launch("serve.py", port=port, env=env, log=log, args=("--secrets.files", str(secrets_file)))
    server = SignInServer(url=f"http://localhost:{port}", role="signin", db=db, proc=proc,
                          provider=oidc_provider)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        yield server
    finally:
        server.stop()
