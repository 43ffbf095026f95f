"""dbt's unit tests (segment rules, metric formulas on hand-made rows).

The Dagster build leaves them out (they test the SQL, not the data, and cost
seconds on every run), so the suite runs them here, against the session's
warehouse (dbt reads the column types of each unit test's inputs from it).
"""

from dbt.cli.main import dbtRunner

from tests.marts.helpers import dbt_args


def test_dbt_unit_tests_pass(marts_run):
    _, warehouse, _ = marts_run
    result = dbtRunner().invoke(
        ["test", "--select", "test_type:unit", *dbt_args(warehouse), "--quiet"]
    )
    assert result.success, result.exception
    ran = [r for r in result.result.results if r.node.resource_type == "unit_test"]
    assert len(ran) >= 18
    assert all(r.status == "pass" for r in ran)
