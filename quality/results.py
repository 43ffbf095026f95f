"""Plain result objects a gate returns (no Great Expectations or Dagster types)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quality.config import Severity


@dataclass(frozen=True)
class ExpectationOutcome:
    """One rule's verdict on one table."""

    check: str  # check name, unique per table (the Dagster check name)
    table: str  # e.g. raw.pos__transactions
    severity: Severity
    success: bool
    expectation: str  # GX expectation type, e.g. expect_column_values_to_not_be_null
    description: str
    observed: Any = None  # GX observed_value, or the failing share for column-map rules
    element_count: int | None = None
    unexpected_count: int | None = None
    examples: tuple[dict[str, Any], ...] = ()
    docs_url: str | None = None
    note: str | None = None  # e.g. why a rule had nothing to check
    column: str | None = None  # the frame column a column rule reads

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == "error"


@dataclass(frozen=True)
class GateResult:
    """Every rule of one table, plus what was checked."""

    layer: str  # raw | identity | marts
    table: str
    outcomes: tuple[ExpectationOutcome, ...]
    rows_checked: int = 0
    rows_in_scope: int = 0
    sampled: bool = False
    docs_index_url: str | None = None
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no error-severity rule failed (warnings do not count)."""
        return not any(o.blocking for o in self.outcomes)

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(o.check for o in self.outcomes if not o.success)

    def outcome(self, check: str) -> ExpectationOutcome:
        for o in self.outcomes:
            if o.check == check:
                return o
        raise KeyError(f"{self.table}: no check {check!r}")
