"""Identity resolution as Dagster assets: one step writes every identity table."""

import dagster as dg

from identity.pipeline import resolve_identities
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import CdpSettings

IDENTITY_INPUT = dg.AssetKey(["intermediate", "int_person_records_unioned"])

IDENTITY_TABLES = {
    "customer_xref": "One row per source record: its golden id and weakest-link probability.",
    "golden_customers": "One survivorship row per golden customer, with every email and phone.",
    "match_evidence": "The comparison levels and match weights behind every link.",
    "golden_id_history": "Every golden id created, merged, split or retired, run by run.",
    "households": "Golden customers that share a household phone or email.",
}


class IdentityRunConfig(dg.Config):
    """``auto`` links a daily drop incrementally when the stored state allows it (see
    ``identity.incremental``); ``full`` re-scores every record, as after a model change;
    ``incremental`` fails instead of falling back to a full run."""

    mode: str = "auto"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["identity", table],
            deps=[IDENTITY_INPUT],
            description=description,
            group_name="identity",
            kinds={"duckdb", "splink"},
        )
        for table, description in IDENTITY_TABLES.items()
    ],
    pool=WAREHOUSE_POOL,
)
def golden_customers_resolved(
    context: dg.AssetExecutionContext, cdp: CdpSettings, config: IdentityRunConfig
):
    """Link, cluster and name golden customers with the trained Splink model."""
    if config.mode not in ("auto", "full", "incremental"):
        raise dg.Failure(f"identity mode must be auto, full or incremental, not {config.mode!r}")
    with cdp.connect() as con:
        summary = resolve_identities(
            con,
            input_table=f"{IDENTITY_INPUT.path[0]}.{IDENTITY_INPUT.path[1]}",
            charts_dir=cdp.warehouse_path().parent / "identity_charts",
            mode=config.mode,
        )
    context.log.info(
        f"identity {summary.mode} run: {summary.new_records} new, {summary.changed_records} "
        f"changed, {summary.removed_records} removed records; {summary.region_records} "
        "records re-clustered"
    )
    metadata = {
        "mode": summary.mode,
        "new_records": summary.new_records,
        "changed_records": summary.changed_records,
        "removed_records": summary.removed_records,
        "region_records": summary.region_records,
        "prior_factor": summary.prior_factor,
        "records": summary.records,
        "golden_customers": summary.golden_customers,
        "deterministic_edges": summary.deterministic_edges,
        "households": summary.households,
        "largest_cluster": summary.largest_cluster,
        "cluster_sizes": dg.MetadataValue.json(
            {str(k): v for k, v in summary.cluster_sizes.items()}
        ),
        "golden_id_events": dg.MetadataValue.json(summary.events),
        "shared_identifiers": dg.MetadataValue.json(summary.shared_identifiers),
        "charts": dg.MetadataValue.json(summary.charts),
    }
    for table in IDENTITY_TABLES:
        yield dg.MaterializeResult(asset_key=["identity", table], metadata=metadata)
