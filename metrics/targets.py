"""Targets and RAG status: each metric's declared default target, overridden by data/targets.toml.

Why a file: targets are policy, not code. England figures move every year; the 80:20 date may be
revised. A metric may declare a default target (metrics.catalogue, `target=DefaultTarget(...)`);
an entry in the file replaces it. The engine, pages, narrative and exports read targets through
`load_targets` only.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from metrics.catalogue import CATALOGUE
from metrics.types import MetricError, Target
from store.settings import read_toml, refuse_unknown

DEFAULT_TARGETS_PATH = Path(__file__).resolve().parent.parent / "data" / "targets.toml"


class TargetsError(MetricError):
    """The targets file is missing, unreadable or has an invalid entry."""


_TARGET_KEYS = ("value", "direction", "amber_band", "target_date", "source")


def _target(metric_id: str, raw: Mapping[str, Any], path: Path) -> Target:
    where = f"{path.name} [{metric_id}]"
    if metric_id not in CATALOGUE:
        raise TargetsError(f"{where}: unknown metric; known metrics are {', '.join(CATALOGUE)}")
    refuse_unknown(where, raw, _TARGET_KEYS, error=TargetsError)
    value = raw.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TargetsError(f"{where}: value must be a number, got {value!r}")
    direction = raw.get("direction", CATALOGUE[metric_id].direction)
    if direction not in ("lower", "higher"):
        raise TargetsError(f"{where}: direction must be \"lower\" or \"higher\", got {direction!r}")
    band = raw.get("amber_band", 0.0)
    if isinstance(band, bool) or not isinstance(band, (int, float)) or band < 0:
        raise TargetsError(f"{where}: amber_band must be a number >= 0, got {band!r}")
    tdate = raw.get("target_date")
    if isinstance(tdate, datetime):
        tdate = tdate.date()
    if tdate is not None and not isinstance(tdate, date):
        try:
            tdate = date.fromisoformat(str(tdate))
        except ValueError:
            raise TargetsError(f"{where}: target_date must be a date like 2026-06-30, got {tdate!r}") from None
    return Target(
        metric_id=metric_id, value=None if value is None else float(value), direction=direction,
        amber_band=float(band), target_date=tdate, source=str(raw.get("source", "")),
    )


def defaults() -> dict[str, Target]:
    """The targets the catalogue declares (used where the targets file has no entry)."""
    return {
        m.id: Target(metric_id=m.id, value=float(m.target.value), direction=m.direction,
                     amber_band=float(m.target.amber_band), target_date=m.target.target_date,
                     source=m.target.source)
        for m in CATALOGUE.values() if m.target is not None and m.direction is not None
    }


def load_targets(path: str | Path | None = None) -> dict[str, Target]:
    """Targets keyed by metric id: declared defaults, overridden by `path` (default data/targets.toml)."""
    p = Path(path) if path is not None else DEFAULT_TARGETS_PATH
    raw = read_toml(p, what="targets", error=TargetsError)
    out: dict[str, Target] = defaults()
    for metric_id, entry in raw.items():
        if not isinstance(entry, dict):
            raise TargetsError(f"{p.name}: [{metric_id}] must be a table of value, direction, amber_band")
        out[metric_id] = _target(metric_id, entry, p)
    return out


#: Each status of `status` in words (colour is never the only signal): cards, tables and packs.
STATUS_WORDS = {"green": "On target", "amber": "Close to target", "red": "Off target", "grey": "No target"}


def status(*, metric_id: str, value: float | None, targets: Mapping[str, Target] | None = None) -> str:
    """green = meets the target, amber = within the band, red = beyond it, grey = no target or no data."""
    tg = load_targets() if targets is None else targets
    if value is None:
        return "grey"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "grey"
    return str(statuses(metric_id, np.array([v]), tg)[0])


def statuses(metric_id: str, values: np.ndarray, targets: Mapping[str, Target]) -> np.ndarray:
    """`status` of each of `values` (floats, NaN = no data) of one measure, as an array of
    strings: one pass for a measure's whole history (the engine's `add_targets`)."""
    target = targets.get(metric_id)
    values = np.asarray(values, dtype="float64")
    out = np.full(values.shape, "grey", dtype=object)
    if target is None or target.value is None:
        return out
    gap = (values - target.value) if target.direction == "lower" else (target.value - values)
    eps = 1e-12
    known = ~np.isnan(values)
    out[known & (gap > target.amber_band + eps)] = "red"
    out[known & (gap <= target.amber_band + eps)] = "amber"
    out[known & (gap <= eps)] = "green"
    return out
