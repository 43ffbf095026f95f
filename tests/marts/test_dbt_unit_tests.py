"""dbt's unit tests (segment rules, metric formulas on hand-made rows).

The Dagster build leaves them out (they test the SQL, not the data, and cost
seconds on every run), so the suite runs them here, against the session's
warehouse (dbt reads the column types of each unit test's inputs from it).
"""

import json

from dbt.cli.main import dbtRunner

from orchestration.dbt.project import DBT_PROJECT_DIR


def test_dbt_unit_tests_pass(marts_run):
    _, warehouse, _ = marts_run
    dbt_vars = {"warehouse_path": str(warehouse), "source_tz": "Asia/Ho_Chi_Minh"}
    result = dbtRunner().invoke(
        [
            "test",
            "--select",
            "test_type:unit",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--vars",
            json.dumps(dbt_vars),
            "--quiet",
        ]
    )
    assert result.success, result.exception
    ran = [r for r in result.result.results if r.node.resource_type == "unit_test"]
    assert len(ran) >= 18
    assert all(r.status == "pass" for r in ran)
