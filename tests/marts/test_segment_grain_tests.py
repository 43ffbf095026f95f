"""The dbt data tests on the grain of ``marts.customer_segments`` catch what they
claim to: ``one_row_per_membership`` (a repeated membership, or a second segment
in an exclusive family) and the hash-grouped uniqueness of
``segment_membership_id``, while several audiences per customer pass.

Runs dbt's tests of the model on a copy of the session warehouse into which
known faults were written, one row each, and counts the rows each test returns.
"""

import shutil
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from tests.marts.helpers import dbt_args

GRAIN_TEST = "one_row_per_membership_customer_segments_"
ID_TEST_PREFIX = "unique_combination_of_columns_customer_segments_segment_membership_id"

# Customer A has the smallest golden id, B the largest. Each fault makes one
# repeated key of its test; new rows get a membership id of their own.
FIRST = "(select min(golden_id) from marts.customer_segments)"
LAST = "(select max(golden_id) from marts.customer_segments)"
MEMBERSHIP_FAULTS = [
    # A's RFM membership twice
    f"""insert into marts.customer_segments
        select * replace (md5(segment_membership_id || 'again') as segment_membership_id)
        from marts.customer_segments where segment_family = 'rfm' and golden_id = {FIRST}""",
    # B in a second RFM cell
    f"""insert into marts.customer_segments
        select * replace (
            case when segment = 'lost' then 'champions' else 'lost' end as segment,
            md5(segment_membership_id || 'second') as segment_membership_id
        )
        from marts.customer_segments where segment_family = 'rfm' and golden_id = {LAST}""",
    # A in the cross-sell audience twice more (whether or not A was in it)
    f"""insert into marts.customer_segments
        select customer_segments.* replace ('marketing_audience' as segment_family,
            'cross_sell' as segment, md5(segment_membership_id || copy) as segment_membership_id)
        from marts.customer_segments, (values ('1'), ('2')) as copies(copy)
        where segment_family = 'generation' and golden_id = {FIRST}""",
]
ID_FAULT = """
    update marts.customer_segments
    set segment_membership_id = (select min(segment_membership_id) from marts.customer_segments)
    where segment_membership_id = (select max(segment_membership_id) from marts.customer_segments)
"""
# not a fault: B in every audience it was not in
SEVERAL_AUDIENCES = f"""
    insert into marts.customer_segments
    select customer_segments.* replace ('marketing_audience' as segment_family, audience as segment,
        md5(segment_membership_id || audience) as segment_membership_id)
    from marts.customer_segments, (
        values ('abandoned_cart'), ('web_retargeting'), ('cross_sell'), ('win_back')
    ) as audiences(audience)
    where segment_family = 'generation' and golden_id = {LAST}
        and audience not in (select segment from marts.customer_segments where golden_id = {LAST})
"""


def _test_failures(warehouse: Path) -> dict[str, int]:
    result = dbtRunner().invoke(
        ["test", "--select", "customer_segments", "--exclude-resource-type", "unit_test",
         *dbt_args(warehouse), "--quiet"]
    )  # fmt: skip
    assert result.result is not None, result.exception
    return {r.node.name: r.failures or 0 for r in result.result.results}


def test_grain_tests_catch_repeats_and_second_exclusive_segments(marts_run, tmp_path):
    _, warehouse, _ = marts_run
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(ID_FAULT)
        con.execute(SEVERAL_AUDIENCES)
        for sql in MEMBERSHIP_FAULTS:
            con.execute(sql)

    failures = _test_failures(copy)

    assert failures[GRAIN_TEST] == len(MEMBERSHIP_FAULTS)
    [id_test] = [name for name in failures if name.startswith(ID_TEST_PREFIX)]
    assert failures[id_test] == 1
