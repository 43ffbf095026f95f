"""Every dbt model as a Dagster asset; dbt tests become asset checks."""

import json
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt.project import dbt_project
from orchestration.ingest.assets import WAREHOUSE_POOL
from orchestration.resources import CdpSettings


class CdpDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name, e.g. ``staging/stg_pos__transactions``."""

    def get_asset_key(self, dbt_resource_props: dict) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: dict) -> str | None:
        """The model's top folder: staging, intermediate or marts."""
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else None


translator = CdpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_vars(cdp: CdpSettings) -> str:
    """Run-time settings handed to dbt (the profile reads them with ``var()``)."""
    return json.dumps(
        {"warehouse_path": str(cdp.warehouse_path().resolve()), "source_tz": cdp.timezone()}
    )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def cdp_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, cdp: CdpSettings
) -> Iterator:
    yield from dbt.cli(["build", "--vars", dbt_vars(cdp)], context=context).stream()
