"""Great Expectations gates as Dagster asset checks (library: quality/).

``quality_checks``: the raw-layer gates (one step for every ingest asset).
``build_quality_checks(assets)``: the gates for every gated asset among ``assets``
(raw, ``identity/customer_xref``, ``marts/*``), several gates per step where that blocks
nothing more (checks.py); use it in definitions.py so the identity and marts gates
attach as those assets land.
"""

from orchestration.ingest.assets import ingest_assets
from orchestration.quality.checks import build_quality_checks

quality_checks = build_quality_checks(ingest_assets)

__all__ = ["build_quality_checks", "quality_checks"]
