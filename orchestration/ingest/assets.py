"""One ingest asset per contract entity: landing files → ``raw.<source>__<entity>``."""

from datetime import UTC, datetime

import dagster as dg

from ingest.contract import ENTITIES, Entity
from ingest.loader import load_entity
from orchestration.resources import CdpSettings

WAREHOUSE_POOL = "duckdb_warehouse"


def raw_asset_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity.raw_table])


def build_ingest_asset(entity: Entity) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(entity),
        group_name="ingest",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            f"Every `{entity.prefix}*` landing file (csv, jsonl, parquet) loaded as text into "
            f"`raw.{entity.raw_table}`; malformed rows go to `raw.quarantine`."
        ),
        metadata={"contract_required_columns": ", ".join(entity.required)},
    )
    def _ingest(cdp: CdpSettings) -> dg.MaterializeResult:
        with cdp.connect() as con:
            report = load_entity(con, cdp.landing_path(), entity, datetime.now(UTC))
        return dg.MaterializeResult(metadata=report.to_metadata())

    return _ingest


ingest_assets = [build_ingest_asset(entity) for entity in ENTITIES]
