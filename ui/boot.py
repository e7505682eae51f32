"""What a server process does once, after start-up and before its first page view (serve.py's
lifespan): import every module the pages use, then move what start-up made out of the garbage
collector's way (`gc.freeze`).

Why: Python's full (generation-2) garbage collection walks every object it tracks. After the
dashboard's imports (pandas, Plotly, DuckDB, Streamlit and ours) that is ~190,000 objects, and a
full collection took 240-640 ms (load average 7 on this 2-core machine), landing on whichever page
view was running; a few came in every pass over the pages. Everything start-up makes (modules,
classes, functions, constants) lives as long as the process, so after one collection it is frozen:
later collections walk only what page views made since (about a quarter as many objects) and took
34-190 ms at the same load. Measured in bench/README.md ("gc.freeze at start-up").

Once only, at start-up: objects frozen are never collected, so a freeze after page views would
keep their garbage for the life of the process (memory growing with every freeze). Page views'
own objects are collected as before.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import threading

_log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_SETTLED = False


def settle() -> int:
    """Import every module of the `ui` package (and so everything the pages import at module
    level), collect once and freeze what is left; returns the objects frozen (0 when this process
    has settled already: it runs once)."""
    global _SETTLED
    with _LOCK:
        if _SETTLED:
            return 0
        import ui

        for module in pkgutil.walk_packages(ui.__path__, "ui."):
            importlib.import_module(module.name)
        gc.collect()
        gc.freeze()
        _SETTLED = True
        frozen = gc.get_freeze_count()
    _log.info("Start-up settled: %d objects frozen out of garbage collection", frozen)
    return frozen
