"""CRM sync assets: the change feed ``sync.crm_outbox`` and its push to the CRM."""

import os
from pathlib import Path

import dagster as dg

from crm_sync.erasure import apply_tombstones
from crm_sync.export import export_events
from crm_sync.http_push import ENDPOINT_ENV, push
from crm_sync.mapping import load_mapping
from crm_sync.outbox import build_outbox
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import CdpSettings

OUTBOX_KEY = dg.AssetKey(["sync", "crm_outbox"])
OUTBOX_DEPS = [
    dg.AssetKey(["identity", "golden_customers"]),
    dg.AssetKey(["identity", "golden_id_history"]),
    dg.AssetKey(["marts", "customer_360"]),
]


class CrmOutboxConfig(dg.Config):
    """Unset ``export_dir`` falls back to CDP_CRM_EXPORT_DIR (read at run time); no export
    when neither is set."""

    export_dir: str | None = None

    def resolved_export_dir(self) -> Path | None:
        value = self.export_dir or os.environ.get("CDP_CRM_EXPORT_DIR")
        return Path(value) if value else None


class CrmPushConfig(dg.Config):
    """Endpoint and token come from CDP_CRM_ENDPOINT / CDP_CRM_TOKEN at run time."""

    mapping_path: str | None = None
    max_batch: int = 100


@dg.asset(
    key=OUTBOX_KEY,
    deps=OUTBOX_DEPS,
    pool=WAREHOUSE_POOL,
    group_name="sync",
    kinds={"duckdb"},
    description=(
        "Append-only CRM change feed: create/update/merge/split/delete events since the "
        "last successful sync, each with an idempotency key; erasure tombstones applied first."
    ),
)
def crm_outbox(
    context: dg.AssetExecutionContext, config: CrmOutboxConfig, cdp: CdpSettings
) -> dg.MaterializeResult:
    with cdp.connect() as con:
        erased = apply_tombstones(con)
        result = build_outbox(con)
        exported = None
        export_dir = config.resolved_export_dir()
        if export_dir is not None and result.first_sequence is not None:
            exported = export_events(
                con,
                export_dir,
                after_sequence=result.first_sequence - 1,
                up_to=result.last_sequence,
            )
    context.log.info(f"crm outbox: {result.events or 'no changes'}")
    metadata = {
        "events": dg.MetadataValue.json(result.events),
        "total_events": result.total,
        "first_sequence": result.first_sequence,
        "last_sequence": result.last_sequence,
        "erased_golden_customers": len(erased.golden_ids),
    }
    if exported is not None:
        metadata["export_jsonl"] = dg.MetadataValue.path(str(exported.jsonl))
        metadata["export_csv"] = dg.MetadataValue.path(str(exported.csv))
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["sync", "crm_push"],
    deps=[OUTBOX_KEY],
    pool=WAREHOUSE_POOL,
    group_name="sync",
    kinds={"http"},
    description=(
        "Outbox events pushed to the CRM at CDP_CRM_ENDPOINT in idempotent batches, resuming "
        "from the last acknowledged batch; skipped when no endpoint is configured."
    ),
)
def crm_push(
    context: dg.AssetExecutionContext, config: CrmPushConfig, cdp: CdpSettings
) -> dg.MaterializeResult:
    if not os.environ.get(ENDPOINT_ENV):
        context.log.info(f"{ENDPOINT_ENV} not set: nothing pushed")
        return dg.MaterializeResult(metadata={"skipped": True})
    with cdp.connect() as con:
        result = push(con, mapping=load_mapping(config.mapping_path), max_batch=config.max_batch)
    return dg.MaterializeResult(
        metadata={
            "skipped": False,
            "events": result.events,
            "batches": result.batches,
            "attempts": result.attempts,
            "acked_sequence": result.acked_sequence,
            "operations": dg.MetadataValue.json(result.operations),
        }
    )


sync_assets = [crm_outbox, crm_push]
