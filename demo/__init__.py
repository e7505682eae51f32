"""The deterministic demo directorate (invented people, never real staff).

Imported only by the demo command (`python -m demo`), tests and benchmarks: no layer of the app
imports it (import-linter contract), so an empty or real store is never filled with invented
figures. Everything is in `demo.generator`; the names below are its public API.
"""

from demo.generator import (
    DEFAULT_SEED,
    SERVICES,
    DemoError,
    DemoRefused,
    build_demo_db,
    default_end_period,
    generate,
    month_periods,
    write_workbook,
    write_workbooks,
)

__all__ = ["DEFAULT_SEED", "SERVICES", "DemoError", "DemoRefused", "build_demo_db",
           "default_end_period", "generate", "month_periods", "write_workbook", "write_workbooks"]
