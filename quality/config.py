"""Thresholds (quality/thresholds.yml) and rule severities."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

Severity = Literal["error", "warn"]

DEFAULT_THRESHOLDS_PATH = Path(__file__).with_name("thresholds.yml")
#: Optional environment override of the thresholds file, read when a gate runs.
THRESHOLDS_ENV = "CDP_QUALITY_THRESHOLDS"


@dataclass(frozen=True)
class Thresholds:
    """The parsed thresholds file; ``get("raw.phones.max_invalid_share")`` reads one value."""

    values: dict[str, Any]
    source: Path

    def get(self, dotted: str) -> Any:
        node: Any = self.values
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"{self.source}: no threshold {dotted!r}")
            node = node[part]
        return node

    def severity(self, check_id: str, default: Severity) -> Severity:
        """``check_id`` is ``<layer>.<table>.<check>``; the file may override the default."""
        override = (self.values.get("severity_overrides") or {}).get(check_id)
        if override is None:
            return default
        if override not in ("error", "warn"):
            raise ValueError(f"{self.source}: severity of {check_id} must be error or warn")
        return override


def thresholds_path(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get(THRESHOLDS_ENV) or DEFAULT_THRESHOLDS_PATH)


def load_thresholds(path: str | Path | None = None) -> Thresholds:
    source = thresholds_path(path)
    values = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    if not isinstance(values, dict):
        raise ValueError(f"{source}: expected a mapping")
    return Thresholds(values, source)


def mostly(max_share: float) -> float:
    """GX's ``mostly`` (share that must pass) from a maximum failing share."""
    if not 0.0 <= max_share <= 1.0:
        raise ValueError(f"a share must lie in [0, 1], got {max_share}")
    return round(1.0 - max_share, 12)
