"""ui.boot: a server process settles once at start-up (imports, then gc.freeze), through serve.py's
lifespan. Run in a child process each: a freeze is for the life of the process, and this test
session's own heap must stay collectable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_settle_imports_every_ui_module_then_freezes_once():
    out = _run(
        "import gc, pkgutil, sys\n"
        "import ui\n"
        "from ui import boot\n"
        "assert gc.get_freeze_count() == 0\n"
        "first = boot.settle()\n"
        "frozen = gc.get_freeze_count()\n"
        "names = [m.name for m in pkgutil.walk_packages(ui.__path__, 'ui.')]\n"
        "missing = [n for n in names if n not in sys.modules]\n"
        "again = boot.settle()\n"
        "print(first, frozen, again, gc.get_freeze_count(), len(names), missing)\n")
    first, frozen, again, after, modules, missing = out.split(" ", 5)
    assert int(first) > 50_000  # pandas, Plotly, DuckDB, Streamlit and ours
    assert abs(int(frozen) - int(first)) < 100  # (a frozen object freed by refcount leaves the count)
    assert int(modules) > 20 and missing == "[]"
    assert int(again) == 0 and int(after) <= int(frozen)  # once: a second call freezes nothing more


def test_serve_settles_in_its_lifespan():
    out = _run(
        "import asyncio, gc\n"
        "import serve\n"
        "assert serve.app._user_lifespan is serve.settle\n"
        "assert gc.get_freeze_count() == 0\n"
        "async def main():\n"
        "    async with serve.settle(serve.app):\n"
        "        return gc.get_freeze_count()\n"
        "print(asyncio.run(main()))\n")
    assert int(out) > 50_000
