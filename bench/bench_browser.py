"""Benchmark: every dashboard page opened fresh in headless Chromium vs a bare Streamlit page.

    .venv/bin/python -m bench.run browser      (or: python -m bench.bench_browser [--runs 3])

Two real `streamlit run` servers on this machine: the dashboard on the 1x demo store (role hr) and
`bench/bare_app.py`, a page with a title and one Plotly chart (the floor any Streamlit page pays).
Each page is opened `--runs` times in a fresh browser context (no cache, a new session, so the
server runs the page's script with cold per-session state); the time runs from `goto` until the
page's title is drawn, Streamlit's "running" indicator is gone, no visible element is still loading
and every visible Plotly chart has drawn its SVG, and it stays so for a second (SETTLED_SECONDS; the time counted is when that
began). A page showing an error, or not signed in, stops the bench. Prints each page's median,
the median over pages, the bare page's median and their ratio (aim <= 1.3x). Chromium is Debian's (/usr/bin/chromium); never `playwright install`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.servers import ELEMENTS_DRAWN, free_port, launch, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AIM_RATIO = 1.3

# Drawn: a title in the main area, no "running" indicator, and every visible element drawn (no
# skeleton left where a lazily loaded element will go, every visible Plotly chart drawn:
# tests.e2e.servers.ELEMENTS_DRAWN, the test the e2e screenshots wait for too).
_DRAWN = f"""() => {{
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  if (!main.querySelector('h1')) return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  return ({ELEMENTS_DRAWN})();
}}"""

# What makes a timed page worthless: an exception or error box, or no menu (not signed in).
_PROBLEM = """(bare) => {
  const ex = document.querySelector('[data-testid="stException"], [data-testid="stAlertContentError"]');
  if (ex) return 'the page shows an error: ' + ex.innerText.slice(0, 300);
  if (!bare && !document.querySelector('[data-testid="stSidebarNav"]')) return 'no menu: the page was not signed in';
  return '';
}"""


def _serve(script: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = launch(script, port=port, env=env, log=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, log, timeout=120)
    except RuntimeError:
        _stop(proc)
        raise
    return proc, url


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


#: How long a page must stay drawn (title, no "running" mark, charts drawn) to count as finished:
#: Streamlit shows its "running" mark only after a moment, so a page whose title is out can look
#: done before its script has really run. The time reported is when the drawn state began.
SETTLED_SECONDS = 1.0


def _drawn_at(page, started: float, *, timeout: float = 120.0) -> float:
    """Seconds from `started` until the page was drawn, and stayed so for SETTLED_SECONDS."""
    since = None
    while time.perf_counter() - started < timeout:
        now = time.perf_counter()
        if page.evaluate(_DRAWN):
            since = now if since is None else since
            if now - since >= SETTLED_SECONDS:
                return since - started
        else:
            since = None
        page.wait_for_timeout(40)
    raise RuntimeError(f"{page.url}: not drawn within {timeout:.0f} s")


def _open(browser, url: str, *, bare: bool = False) -> float:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        started = time.perf_counter()
        page.goto(url)
        took = _drawn_at(page, started)
        problem = page.evaluate(_PROBLEM, bare)
        if problem:  # a figure for a broken page (or the sign-in page) would be false
            raise RuntimeError(f"{url}: {problem}")
        return took
    finally:
        ctx.close()


def demo_store() -> Path:
    """The 1x demo store, built once through the loader (aggregates refreshed) and cached."""
    import disclosure.history  # noqa: F401  (its loads refresh the aggregates, values and published history, as the CLI's do)
    import disclosure.linked  # noqa: F401  (and the linked people tables' decisions)
    import disclosure.breakdowns  # noqa: F401  (and the drill's default views)
    from demo import build_demo_db

    path = ROOT / "bench" / ".cache" / "pages-x1.duckdb"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build_demo_db(db_path=tmp)
        tmp.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    from bench.bench_pages import _store, page_urls

    ap = argparse.ArgumentParser(prog="python -m bench.bench_browser", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv if argv is not None else [])
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
        db = Path(tmp) / "workforce.duckdb"
        # the bench's own copy, its kept figures refreshed under this code (bench_pages._store), so
        # a server never decides live what a load would have kept
        shutil.copy(_store(1.0), db)
        env = dict(os.environ, WORKFORCE_DB=str(db), WORKFORCE_ROLE="hr", WORKFORCE_DEMO="1",
                   PYTHONUNBUFFERED="1")
        dash, dash_url = _serve("dashboard.py", env, Path(tmp) / "dashboard.log")
        bare, bare_url = _serve("bench/bare_app.py", dict(os.environ), Path(tmp) / "bare.log")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
                try:
                    _open(browser, dash_url)  # the server's first run imports everything
                    _open(browser, bare_url, bare=True)
                    per_page: dict[str, float] = {}
                    bare_times = []
                    for title, url_path in page_urls():
                        url = f"{dash_url}/{url_path}"
                        times = []
                        for _ in range(args.runs):
                            times.append(_open(browser, url))
                            bare_times.append(_open(browser, bare_url, bare=True))  # interleaved: same conditions
                        per_page[title] = statistics.median(times)
                        print(f"  {title:<24} {per_page[title]:6.2f} s", flush=True)
                finally:
                    browser.close()
        finally:
            _stop(dash)
            _stop(bare)
    page_median = statistics.median(per_page.values())
    bare_median = statistics.median(bare_times)
    print(f"median page opened fresh: {page_median:.2f} s; bare Streamlit page with one Plotly chart: "
          f"{bare_median:.2f} s; ratio {page_median / bare_median:.2f}x (aim <= {AIM_RATIO}x); "
          f"{args.runs} runs per page, medians")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
