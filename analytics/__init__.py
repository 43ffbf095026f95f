"""Analytics helpers the marts need beyond SQL: social sentiment and the BI publish.

A plain library (no Dagster imports): orchestration/marts wraps it in assets.
"""
