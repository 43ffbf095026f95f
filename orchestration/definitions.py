"""The single Dagster entry point (see workspace.yaml)."""

import dagster as dg

from orchestration.dbt.assets import cdp_dbt_models
from orchestration.dbt.project import DBT_EXECUTABLE, CdpDbtCliResource, dbt_project
from orchestration.identity.assets import golden_customers_resolved
from orchestration.ingest.assets import ingest_assets
from orchestration.ingest.sensors import landing_files_sensor
from orchestration.jobs import daily_refresh, materialize_everything
from orchestration.marts import marts_assets
from orchestration.quality import build_quality_checks
from orchestration.resources import CdpSettings
from orchestration.sync import sync_assets

# In-process execution: DuckDB admits one read-write process per database file,
# so steps of a run share the process instead of racing for the file lock.
# Separate runs are serialised by the instance (.dagster_home/dagster.yaml).
all_assets = [
    *ingest_assets,
    cdp_dbt_models,
    golden_customers_resolved,
    *marts_assets,
    *sync_assets,
]

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=build_quality_checks(all_assets),
    jobs=[materialize_everything],
    schedules=[daily_refresh],
    sensors=[landing_files_sensor],
    resources={
        "cdp": CdpSettings(),
        "dbt": CdpDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
    executor=dg.in_process_executor,
)
