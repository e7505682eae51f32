"""The census settings HR keeps in data/census.toml (LA number and the 2025 pay flags).

Why a file: these are the council's answers, not data the monthly extract carries; they change
rarely and HR should be able to read and change them without code.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from census.build import CensusConfig
from census.items import NO_ALL_SOME, PAY_FLAGS

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "census.toml"


class CensusConfigError(ValueError):
    """data/census.toml is missing, unreadable or holds a value the census does not accept."""


def config_path() -> Path:
    """$WORKFORCE_CENSUS_CONFIG if set, else data/census.toml."""
    env = os.environ.get("WORKFORCE_CENSUS_CONFIG")
    return Path(env) if env else DEFAULT_PATH


def load_config(path: str | Path | None = None) -> CensusConfig:
    """Read and check the census settings (CensusConfigError says what to fix)."""
    path = Path(path) if path is not None else config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CensusConfigError(f"{path} is missing: copy data/census.toml from the project and "
                                "set your LA number and pay flags.") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CensusConfigError(f"{path} could not be read: {exc}") from None
    lea = raw.get("lea")
    if lea is not None and not re.fullmatch(r"\d{3}", str(lea)):
        raise CensusConfigError(f"{path.name}: lea must be DfE's three-digit LA number "
                                f"(e.g. \"884\"), got {lea!r}")
    pay_raw = raw.get("pay", {}) or {}
    pay: dict[str, str] = {}
    for tag in PAY_FLAGS:
        if tag not in pay_raw:
            continue
        value = str(pay_raw[tag])
        if value not in NO_ALL_SOME:
            raise CensusConfigError(
                f"{path.name} [pay] {tag}: {pay_raw[tag]!r} is not one of 0 (no), 1 (yes, all "
                "LA-employed social workers eligible), 2 (yes, some)")
        pay[tag] = value
    unknown = sorted(set(pay_raw) - set(PAY_FLAGS) - {"other_allowances"})
    if unknown:
        raise CensusConfigError(f"{path.name} [pay]: unknown item(s) {', '.join(unknown)}; "
                                f"known: {', '.join(PAY_FLAGS)}, other_allowances")
    other = pay_raw.get("other_allowances")
    return CensusConfig(lea=None if lea is None else str(lea), pay=pay,
                        other_allowances=None if other is None else str(other))
