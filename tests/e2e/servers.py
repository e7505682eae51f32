"""Start a real `streamlit run`, wait until it answers, and tell when a page's elements have drawn:
shared by the e2e fixtures and screenshots (tests/e2e/) and the browser benchmark
(bench/bench_browser.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: A browser-side test (a JavaScript function of no arguments) that every visible element of the
#: page has drawn: no skeleton left in the main area (Streamlit draws one where a lazily loaded
#: element, a Plotly chart or a table, will go until its code has arrived) and every visible Plotly
#: chart has drawn its SVG. Call it after the script has finished running.
ELEMENTS_DRAWN = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  if ([...main.querySelectorAll('[data-testid="stSkeleton"]')].some(s => s.offsetParent !== null)) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(c => c.offsetParent !== null).every(c => c.querySelector('svg.main-svg'));
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(script: str, *, port: int, env: dict, log: Path, args: tuple[str, ...] = ()) -> subprocess.Popen:
    """`streamlit run <script>` on 127.0.0.1:<port>, its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", script,
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
                *args,
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )


def wait_healthy(url: str, proc: subprocess.Popen, log: Path, *, timeout: float = 90.0) -> None:
    """Return once `url`/_stcore/health answers 200; RuntimeError (with the log's tail) when the
    server exits or does not answer within `timeout` seconds."""
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
