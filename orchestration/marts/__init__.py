"""Marts domain: the sentiment enrichment dbt reads and the BI read-only copy."""

from orchestration.marts.assets import bi_read_only_copy, marts_assets, social_sentiment

__all__ = ["bi_read_only_copy", "marts_assets", "social_sentiment"]
