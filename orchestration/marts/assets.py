"""Marts assets around dbt: social sentiment (read by dbt) and the BI publish."""

import json
import os
from pathlib import Path

import dagster as dg

from analytics.publish import publish_bi_copy
from analytics.social_sentiment import DEFAULT_SOURCE, score_social_sentiment
from orchestration.dbt.project import dbt_project
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import CdpSettings

DEFAULT_BI_PATH = "data/bi/cdp_bi.duckdb"
PUBLISHED_SCHEMAS = ("marts", "snapshots")


def _published_dbt_keys() -> list[dg.AssetKey]:
    """Every dbt model and snapshot in the published schemas, keyed like the dbt translator."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    return sorted(
        (
            dg.AssetKey([node["schema"], node["name"]])
            for node in manifest["nodes"].values()
            if node["resource_type"] in ("model", "snapshot")
            and node["schema"] in PUBLISHED_SCHEMAS
        ),
        key=lambda key: key.to_user_string(),
    )


@dg.asset(
    key=["enrichment", "social_sentiment"],
    deps=[dg.AssetKey(["staging", "stg_social__interactions"])],
    pool=WAREHOUSE_POOL,
    group_name="marts",
    description=(
        "Sentiment (-1..1 and a label) of every social interaction with text, "
        "English and Vietnamese, from offline lexicons."
    ),
)
def social_sentiment(context: dg.AssetExecutionContext, cdp: CdpSettings) -> dg.MaterializeResult:
    with cdp.connect() as con:
        counts = score_social_sentiment(con, source=DEFAULT_SOURCE)
    context.log.info(f"sentiment: {counts}")
    return dg.MaterializeResult(metadata={k: dg.MetadataValue.int(v) for k, v in counts.items()})


class BiPublishConfig(dg.Config):
    """Unset fields fall back to CDP_BI_PATH / CDP_BI_INCLUDE_PII, read at run time."""

    path: str | None = None
    include_pii: bool | None = None

    def resolved_path(self) -> Path:
        return Path(self.path or os.environ.get("CDP_BI_PATH") or DEFAULT_BI_PATH)

    def resolved_include_pii(self) -> bool:
        if self.include_pii is not None:
            return self.include_pii
        return os.environ.get("CDP_BI_INCLUDE_PII", "").strip().lower() in ("1", "true", "yes")


@dg.asset(
    key=["bi", "cdp_bi_copy"],
    deps=_published_dbt_keys(),
    pool=WAREHOUSE_POOL,
    group_name="bi",
    description=(
        "Read-only DuckDB copy of the marts for BI tools, replaced atomically after a "
        "successful run (starting from the previous copy, only changed rows rewritten); "
        "emails and phones masked unless CDP_BI_INCLUDE_PII=1."
    ),
)
def bi_read_only_copy(
    context: dg.AssetExecutionContext, config: BiPublishConfig, cdp: CdpSettings
) -> dg.MaterializeResult:
    target = config.resolved_path()
    with cdp.connect() as con:
        result = publish_bi_copy(
            con, target, include_pii=config.resolved_include_pii(), schemas=PUBLISHED_SCHEMAS
        )
    context.log.info(f"published {len(result.tables)} tables to {result.path}: {result.actions}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "include_pii": result.include_pii,
            "masked_columns": dg.MetadataValue.json(result.masked_columns),
            "rows": dg.MetadataValue.json(result.tables),
            "actions": dg.MetadataValue.json(result.actions or {}),
        }
    )


marts_assets = [social_sentiment, bi_read_only_copy]
