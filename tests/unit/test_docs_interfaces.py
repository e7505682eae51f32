"""docs/INTERFACES.md follows the code: every public module of the project packages is named there.

A public module is a .py file under a project package (a top-level folder with __init__.py, other
than tests/ and bench/) whose name and folders do not start with '_'; a package counts by its
own name. Named means its dotted name (`store.periods`) or its path (`store/periods.py`) appears.
Numbered migrations are data, not interfaces: store/migrations documents them as a set.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PACKAGES = {"tests", "bench"}


def public_modules() -> list[tuple[str, str]]:
    out = []
    for pkg in sorted(p for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name not in NOT_PACKAGES):
        for f in sorted(pkg.rglob("*.py")):
            rel = f.relative_to(ROOT)
            if any(part.startswith("_") for part in rel.parts[:-1]) or (
                    f.name.startswith("_") and f.name != "__init__.py"):
                continue
            if rel.parts[:2] == ("store", "migrations") and re.fullmatch(r"m\d{4}_\w+\.py", f.name):
                continue
            dotted = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
            out.append((dotted, rel.as_posix()))
    return out


def test_every_public_module_is_in_interfaces_md():
    doc = (ROOT / "docs" / "INTERFACES.md").read_text("utf-8")
    modules = public_modules()
    assert len(modules) > 30 and ("store.periods", "store/periods.py") in modules
    missing = [dotted for dotted, path in modules
               if not re.search(rf"(?<![\w.]){re.escape(dotted)}(?![\w])", doc) and path not in doc]
    assert not missing, f"public modules missing from docs/INTERFACES.md: {missing}"


def test_no_page_or_entry_script_imports_the_demo():
    """import-linter covers the packages; the pages (views/) and entry scripts are files."""
    for f in [*sorted((ROOT / "views").glob("*.py")), ROOT / "dashboard.py", ROOT / "serve.py"]:
        if not f.is_file():
            continue
        for node in ast.walk(ast.parse(f.read_text("utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "demo" or n.startswith("demo.") for n in names), f"{f.name} imports demo"
