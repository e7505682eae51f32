"""Settings files (data/*.toml) read one way: the parsed file, or an error a person can act on
that names the file, the line TOML stopped at, or the setting nobody reads (a misspelling).

Why here (the bottom layer): the targets (metrics.targets), the agency rules (agency.rules) and the
disclosure rules (disclosure.rules) are edited by people, and each used to read its file and name
a bad key its own way. Each loader passes its own error class, so its callers still catch what
they caught before.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def read_toml(path: str | Path, *, what: str, error: type[Exception]) -> dict[str, Any]:
    """The TOML file at `path` as a dict; `error` says the file is missing, or which line is bad.

    `what` names the file for a reader ("targets", "agency rules", "disclosure rules")."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise error(f"The {what} file is missing: {p} was not found.") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{p.name} cannot be read, it is not valid TOML: {exc} (fix that line).") from None
    except OSError as exc:
        raise error(f"The {what} file {p} cannot be opened: {exc.strerror or exc}.") from None


def refuse_unknown(where: str, raw: Mapping[str, Any], allowed: Iterable[str], *,
                   error: type[Exception]) -> None:
    """`error` naming the first setting in `raw` that is not `allowed` (and what is allowed), so a
    misspelt setting is never silently ignored. `where` says where it is ("targets.toml [x]")."""
    allowed = set(allowed)
    extra = sorted(set(raw) - allowed)
    if extra:
        raise error(f"{where}: unknown setting {extra[0]!r} (check the spelling); allowed here: "
                    f"{', '.join(sorted(allowed))}")
