"""The dashboard as served: dashboard.py inside an ASGI app that does not serve Streamlit's
internal endpoints to anyone.

Run: `bash scripts/serve.sh` (sign-in) or `bash scripts/run.sh` (demo); both run
`streamlit run serve.py`. Streamlit has no setting to switch off `/_stcore/metrics` (server
statistics) or the agent API routes, so this app answers them with 404 before Streamlit sees
the request. docs/DEPLOY.md still asks the reverse proxy to block them as a second line.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

# Internal routes no visitor needs: server metrics, the agent API, the script health check.
# (/_stcore/health stays: the reverse proxy and the tests poll it; it says only "ok".)
BLOCKED_PREFIXES: tuple[str, ...] = (
    "/_stcore/metrics",
    "/_stcore/agent",
    "/_stcore/script-health-check",
)


class BlockInternals:
    """ASGI middleware: 404 for BLOCKED_PREFIXES (under any base path), everything else passes."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and any(p in scope.get("path", "") for p in BLOCKED_PREFIXES):
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


@asynccontextmanager
async def settle(_app):
    """Once, after Streamlit's runtime has started and before the first page view: import what the
    pages use and freeze it out of garbage collection (ui.boot: a full collection of the start-up
    heap took 240-640 ms of whichever page view it landed on)."""
    from ui import boot

    boot.settle()
    yield None


app = st.App(Path(__file__).resolve().parent / "dashboard.py", lifespan=settle,
             middleware=[Middleware(BlockInternals)])
