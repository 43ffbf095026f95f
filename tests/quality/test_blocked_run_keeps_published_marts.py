"""A blocked run leaves the last good marts and their BI copy in place and readable.

The whole code location (every asset and every gate) runs twice: a good delivery
builds and publishes the marts; the next, bad delivery fails a raw gate, so
nothing downstream of it (marts, BI copy, CRM outbox) is rebuilt.
"""

from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.dbt.project import DBT_EXECUTABLE, dbt_project
from orchestration.definitions import all_assets
from orchestration.quality import build_quality_checks
from orchestration.resources import CdpSettings
from tests.quality.helpers import (
    copy_landing,
    failed_rules,
    materialised,
    query,
    write_pos_csv,
)

POS = "raw/pos__transactions"


def run_everything(landing: Path, warehouse: Path, bi_path: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*all_assets, *build_quality_checks(all_assets)],
        resources={
            "cdp": CdpSettings(landing_dir=str(landing), warehouse=str(warehouse)),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
        },
        run_config={"ops": {"bi__cdp_bi_copy": {"config": {"path": str(bi_path)}}}},
        raise_on_error=False,
    )


def test_blocked_delivery_keeps_the_last_good_marts_readable(good_landing: Path, tmp_path: Path):
    landing = copy_landing(good_landing, tmp_path / "landing")
    warehouse, bi_path = tmp_path / "warehouse.duckdb", tmp_path / "bi" / "cdp_bi.duckdb"

    good = run_everything(landing, warehouse, bi_path)
    assert good.success, failed_rules(good)
    customers = query(warehouse, "select count(*) from marts.customer_360")[0][0]
    assert customers > 0
    assert query(bi_path, "select count(*) from marts.customer_360") == [(customers,)]
    published_at = bi_path.stat().st_mtime_ns
    outbox = query(warehouse, "select count(*) from sync.crm_outbox")

    write_pos_csv(
        landing,
        landing / "pos" / "transactions_2026-11-09.csv",
        "select * replace ('-3' as quantity) from src limit 50",
    )
    bad = run_everything(landing, warehouse, bi_path)

    assert not bad.success
    assert f"{POS}:quantity__in_range" in failed_rules(bad)
    blocked = materialised(bad)
    assert "marts/customer_360" not in blocked
    assert "bi/cdp_bi_copy" not in blocked
    assert "sync/crm_outbox" not in blocked
    assert bi_path.stat().st_mtime_ns == published_at
    assert query(bi_path, "select count(*) from marts.customer_360") == [(customers,)]
    assert query(warehouse, "select count(*) from marts.customer_360") == [(customers,)]
    assert query(warehouse, "select count(*) from sync.crm_outbox") == outbox
