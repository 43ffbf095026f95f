"""Great Expectations quality gates on every layer (docs/quality.md).

A plain library (no Dagster): each gate takes a DuckDB connection, validates one
table with GX suites built in code and returns a :class:`GateResult` of plain
:class:`ExpectationOutcome` objects. Great Expectations itself is imported only
when a gate runs.
"""

from quality.config import Thresholds, load_thresholds
from quality.gx_runner import docs_dir_for
from quality.identity import identity_rules, run_identity_gate
from quality.marts import run_marts_gate, static_checks
from quality.raw import raw_rules, run_raw_gate
from quality.results import ExpectationOutcome, GateResult

__all__ = [
    "ExpectationOutcome",
    "GateResult",
    "Thresholds",
    "docs_dir_for",
    "identity_rules",
    "load_thresholds",
    "raw_rules",
    "run_identity_gate",
    "run_marts_gate",
    "run_raw_gate",
    "static_checks",
]
