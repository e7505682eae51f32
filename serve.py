"""Production entry: the dashboard as an ASGI app whose Streamlit internals are not served."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

BLOCKED_PREFIXES = ("/_stcore/metrics", "/_stcore/agent", "/_stcore/script-health-check")


class BlockInternals:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("path", "").startswith(BLOCKED_PREFIXES):
            if scope["type"] == "http":
                await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)


app = st.App(str(Path(__file__).resolve().parent / "dashboard.py"), middleware=[Middleware(BlockInternals)])
