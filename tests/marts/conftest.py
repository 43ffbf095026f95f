"""One small warehouse built through Dagster, shared by every marts test.

The whole graph (ingest -> dbt staging -> identity -> sentiment -> dbt marts ->
BI copy) is materialised once per session on generated landing data.
"""

import json
import shutil
import sys
from pathlib import Path

import pytest

from orchestration.dbt.project import dbt_project, parse_dbt_project

SMALL_PEOPLE = 150


def _fresh_manifest() -> None:
    """The dbt assets are built from the manifest: make sure it is the checked-out project's."""
    path = Path(dbt_project.manifest_path)
    if "orchestration.dbt.assets" in sys.modules:
        assert "model.cdp.customer_360" in json.loads(path.read_text())["nodes"], (
            "stale dbt manifest: run `make manifest` before the tests"
        )
        return
    parse_dbt_project()


_fresh_manifest()


@pytest.fixture(scope="session")
def marts_run(generated_landing: Path, tmp_path_factory: pytest.TempPathFactory):
    import dagster as dg
    from dagster_dbt import DbtCliResource

    from orchestration.dbt.assets import cdp_dbt_models
    from orchestration.dbt.project import DBT_EXECUTABLE
    from orchestration.identity.assets import golden_customers_resolved
    from orchestration.ingest.assets import ingest_assets
    from orchestration.marts import marts_assets
    from orchestration.resources import CdpSettings

    root = tmp_path_factory.mktemp("marts")
    landing = root / "landing"
    shutil.copytree(generated_landing, landing)
    cdp = CdpSettings(landing_dir=str(landing), warehouse=str(root / "warehouse.duckdb"))
    bi_path = root / "bi" / "cdp_bi.duckdb"
    assets = [*ingest_assets, cdp_dbt_models, golden_customers_resolved, *marts_assets]
    result = dg.materialize(
        assets,
        resources={
            "cdp": cdp,
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        },
        run_config={"ops": {"bi__cdp_bi_copy": {"config": {"path": str(bi_path)}}}},
        raise_on_error=False,
    )
    return result, cdp.warehouse_path(), bi_path
