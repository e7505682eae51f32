"""Run every benchmark in one command: `.venv/bin/python -m bench.run [ingest demo metrics recommendations pages browser census]`.

Each bench module has a `main()` that prints its own figures; this runs them in turn so the
figures in a closing note come from one repeatable command.
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES = ("ingest", "demo", "metrics", "recommendations", "pages", "browser", "census")


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== bench: {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.bench_{name}").main()
        print(f"(bench {name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
