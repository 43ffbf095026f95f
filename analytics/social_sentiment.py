"""Write the sentiment of every social interaction into the warehouse.

Each distinct (text, declared language) is scored once in Python, then joined
back to the interactions in SQL: the cost grows with the number of distinct
texts, not of interactions.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from analytics.sentiment import SCORER_VERSION, default_scorer

DEFAULT_SOURCE = "staging.stg_social__interactions"
DEFAULT_TARGET = "enrichment.social_sentiment"


def score_social_sentiment(
    con: duckdb.DuckDBPyConnection,
    source: str = DEFAULT_SOURCE,
    target: str = DEFAULT_TARGET,
) -> dict[str, int]:
    """(Re)build ``target``: one row per (platform, interaction_id) with text."""
    distinct = con.execute(
        f"select distinct text, lang from {source} where nullif(trim(text), '') is not null"
    ).fetchall()
    scorer = default_scorer()
    scores = [scorer.score(text, lang) for text, lang in distinct]
    scored = pa.table(
        {
            "text": [t for t, _ in distinct],
            "lang": [lang for _, lang in distinct],
            "language": [s.language for s in scores],
            "sentiment_score": pa.array([s.compound for s in scores], pa.float64()),
            "sentiment_label": [s.label for s in scores],
        }
    )
    schema = target.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    con.register("_scored_texts", scored)
    try:
        con.execute(
            f"""
            create or replace table {target} as
            select i.platform, i.interaction_id, s.language,
                   s.sentiment_score, s.sentiment_label,
                   '{SCORER_VERSION}' as scorer_version
            from {source} i
            join _scored_texts s
              on s.text = i.text and s.lang is not distinct from i.lang
            order by i.platform, i.interaction_id
            """
        )
    finally:
        con.unregister("_scored_texts")
    rows = con.execute(f"select sentiment_label, count(*) from {target} group by all").fetchall()
    return {label: int(n) for label, n in rows} | {"distinct_texts": len(distinct)}
