"""A rule is data: which frame it reads, which GX expectation it applies, how severe.

Rules are built without importing Great Expectations (slow); the runner turns each
into ``gx.expectations.<expectation>(**kwargs)`` when a gate runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quality.config import Severity, Thresholds


@dataclass(frozen=True)
class Rule:
    check: str  # unique per table; a valid Dagster check name ([A-Za-z0-9_])
    frame: str  # name of the frame the rule reads (one GX suite per frame)
    expectation: str  # class in gx.expectations, e.g. "ExpectColumnValuesToNotBeNull"
    kwargs: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"
    description: str = ""

    @property
    def key(self) -> str:
        """Unique per table even when one check spans several columns (marts ranges)."""
        return f"{self.check}:{self.kwargs.get('column', '')}"

    def with_severity(self, thresholds: Thresholds, layer: str, table: str) -> Rule:
        severity = thresholds.severity(f"{layer}.{table}.{self.check}", self.severity)
        if severity == self.severity:
            return self
        return Rule(
            self.check, self.frame, self.expectation, self.kwargs, severity, self.description
        )


def apply_severities(
    rules: list[Rule], thresholds: Thresholds, layer: str, table: str
) -> list[Rule]:
    return [r.with_severity(thresholds, layer, table) for r in rules]


def check_name(*parts: str) -> str:
    """Dagster check names allow letters, digits and underscores only."""
    text = "__".join(parts)
    return "".join(c if c.isalnum() or c == "_" else "_" for c in text)
