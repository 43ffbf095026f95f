"""Identity and marts gates validate the rows changed since the last accepted run
(quality/delta.py): a bad new or changed row is still caught and blocks, rows accepted
before are not judged again, and a changed rule or a changed global context (a record's
xref count, a cluster's size, a golden id's row count) re-judges the rows it affects."""

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from quality import load_thresholds, run_identity_gate, run_marts_gate
from quality.delta import may_fail_sql
from quality.frames import frame
from quality.gx_runner import Frame, run_suite
from quality.rules import Rule

ORDERS = "orders"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("CREATE SCHEMA marts")
    c.execute(
        "CREATE TABLE marts.orders AS SELECT 'O' || i AS order_id, 'G' || (i % 300) AS golden_id, "
        "(i * 10)::DOUBLE AS revenue_vnd FROM range(1000) t(i)"
    )
    c.execute("CREATE MACRO i_mod(order_id) AS substr(order_id, 2)::INTEGER % 10")
    yield c
    c.close()


def test_marts_gate_judges_new_rows_once_and_blocks_a_bad_one(con):
    first = run_marts_gate(con, ORDERS)
    assert first.passed and first.rows_checked == 1000 and first.rows_in_scope == 1000

    # the next run: the same rows plus one good new order; only that one is validated
    con.execute("INSERT INTO marts.orders VALUES ('O1000', 'G1', 5.0)")
    second = run_marts_gate(con, ORDERS)
    assert second.passed and second.rows_checked == 1 and second.rows_in_scope == 1001
    assert second.outcome("revenue_vnd__in_range").element_count == 1
    assert second.details["rows_accepted_before"] == {"table": 1000}

    # a bad new order is caught and blocks
    con.execute("INSERT INTO marts.orders VALUES ('O1001', 'G2', -7.0)")
    bad = run_marts_gate(con, ORDERS)
    assert not bad.passed and bad.failed_checks == ("revenue_vnd__in_range",)
    assert bad.rows_checked == 1
    assert bad.outcome("revenue_vnd__in_range").unexpected_count == 1

    # a blocked run accepts nothing: the bad row is judged again until it is fixed
    again = run_marts_gate(con, ORDERS)
    assert "revenue_vnd__in_range" in again.failed_checks
    con.execute("UPDATE marts.orders SET revenue_vnd = 7.0 WHERE order_id = 'O1001'")
    assert run_marts_gate(con, ORDERS).passed


def test_an_accepted_row_that_changes_is_judged_again(con):
    assert run_marts_gate(con, ORDERS).passed
    con.execute("UPDATE marts.orders SET revenue_vnd = -1 WHERE order_id = 'O5'")
    gate = run_marts_gate(con, ORDERS)
    assert gate.rows_checked == 1 and "revenue_vnd__in_range" in gate.failed_checks


def test_a_changed_rule_re_judges_every_row(con):
    con.execute("CREATE TABLE marts.rates AS SELECT revenue_vnd / 10000 AS paid_rate "
                "FROM marts.orders")  # fmt: skip
    assert run_marts_gate(con, "rates").passed  # every rate in [0, 1]
    assert run_marts_gate(con, "rates").rows_checked == 0  # nothing changed, nothing judged

    thresholds = load_thresholds()
    thresholds.values["marts"]["ranges"] = [{"pattern": "_rate$", "min": 0, "max": 0.5}]
    tighter = run_marts_gate(con, "rates", thresholds=thresholds)
    assert tighter.rows_checked == 1000  # accepted under another rule: judged again
    assert "paid_rate__in_range" in tighter.failed_checks


def test_a_global_rule_sees_an_old_golden_id_gaining_a_row(con):
    con.execute("CREATE TABLE marts.customer_360 AS SELECT DISTINCT golden_id, "
                "100.0 AS total_revenue FROM marts.orders")  # fmt: skip
    assert run_marts_gate(con, "customer_360").passed
    # a second row for an accepted golden id: its old row changes too (2 rows per id)
    con.execute("INSERT INTO marts.customer_360 VALUES ('G7', 5.0)")
    gate = run_marts_gate(con, "customer_360")
    assert "one_row_per_golden_id" in gate.failed_checks
    assert gate.rows_checked == 2 and gate.outcome("one_row_per_golden_id").unexpected_count == 2


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "i.duckdb"))
    c.execute("CREATE SCHEMA intermediate; CREATE SCHEMA identity")
    c.execute("CREATE TABLE intermediate.int_person_records_unioned AS "
              "SELECT 'pos' AS source, 'T' || i AS source_record_id FROM range(500) t(i)")
    c.execute("CREATE TABLE identity.customer_xref AS SELECT source, source_record_id, "
              "'G' || (row_number() OVER () // 2) AS golden_id, NULL::DOUBLE AS match_probability "
              "FROM intermediate.int_person_records_unioned")  # fmt: skip
    yield c
    c.close()


def test_identity_gate_on_a_drop_checks_new_records_and_touched_clusters(identity):
    assert run_identity_gate(identity).passed
    identity.execute("INSERT INTO intermediate.int_person_records_unioned VALUES ('web', 'u1')")
    identity.execute("INSERT INTO identity.customer_xref VALUES ('web', 'u1', 'G3', NULL)")
    gate = run_identity_gate(identity)
    assert gate.passed
    assert gate.details["rows_validated"] == {"records": 1, "xref": 1, "clusters": 1}

    # the drop's record is missing from the xref, and an old record is there twice
    identity.execute("INSERT INTO intermediate.int_person_records_unioned VALUES ('web', 'u2')")
    identity.execute("INSERT INTO identity.customer_xref VALUES ('pos', 'T9', 'G4', NULL)")
    bad = run_identity_gate(identity)
    assert "every_record_exactly_once" in bad.failed_checks
    examples = {e["record"] for e in bad.outcome("every_record_exactly_once").examples}
    assert examples == {"web:u2", "pos:T9"}


def test_identity_cluster_growing_past_the_limit_is_caught(identity):
    thresholds = load_thresholds()
    thresholds.values["identity"]["max_cluster_size"] = 3
    assert run_identity_gate(identity, thresholds=thresholds).passed
    # two new records join an accepted golden id of two: that cluster now has four
    identity.execute("INSERT INTO intermediate.int_person_records_unioned "
                     "VALUES ('web', 'u1'), ('web', 'u2')")  # fmt: skip
    identity.execute("INSERT INTO identity.customer_xref VALUES "
                     "('web', 'u1', 'G10', NULL), ('web', 'u2', 'G10', NULL)")  # fmt: skip
    gate = run_identity_gate(identity, thresholds=thresholds)
    assert "cluster_size_bounded" in gate.failed_checks
    assert gate.outcome("cluster_size_bounded").examples[0]["golden_id"] == "G10"


def test_gx_sees_every_row_a_rule_could_fail_and_a_sample_of_the_others(con):
    thresholds = load_thresholds()
    thresholds.values["sampling"]["passing_rows"] = 10
    con.execute("UPDATE marts.orders SET revenue_vnd = -1 WHERE order_id IN ('O3', 'O4', 'O5')")
    bad = run_marts_gate(con, ORDERS, thresholds=thresholds)
    # every row is judged; GX validates the 3 flagged rows and 10 of the 997 others
    assert bad.rows_checked == 1000 and not bad.sampled
    assert bad.details["rows_flagged"] == {"table": 3}
    assert bad.details["rows_to_great_expectations"] == {"table": 13}
    revenue = bad.outcome("revenue_vnd__in_range")
    assert not revenue.success and revenue.unexpected_count == 3 and revenue.element_count == 13
    assert len(revenue.examples) == 3

    con.execute("UPDATE marts.orders SET revenue_vnd = 1 WHERE revenue_vnd < 0")
    fixed = run_marts_gate(con, ORDERS, thresholds=thresholds)
    assert fixed.passed and fixed.rows_checked == 1000  # the failed run accepted nothing
    # the 990 rows GX did not see passed by construction and are accepted with the rest
    assert run_marts_gate(con, ORDERS, thresholds=thresholds).rows_checked == 0


def test_flagged_rows_left_out_of_a_sample_are_validated_later(con):
    # NaN is missing to GX (passes the range) but flagged by DuckDB (NaN is above 1 there)
    con.execute("CREATE TABLE marts.rates AS SELECT CASE WHEN i_mod(order_id) < 6 "
                "THEN 'nan'::DOUBLE ELSE 0.5 END AS paid_rate, "
                "substr(order_id, 2)::BIGINT AS order_count FROM marts.orders")  # fmt: skip
    thresholds = load_thresholds()
    thresholds.values["sampling"]["max_rows"] = 400
    first = run_marts_gate(con, "rates", thresholds=thresholds)
    assert first.passed and first.sampled and first.rows_checked == 1000
    assert first.details["rows_flagged"] == {"table": 600}
    # the 400 rows of the sample and the 400 unflagged rows are accepted
    second = run_marts_gate(con, "rates", thresholds=thresholds)
    assert second.details["rows_accepted_before"] == {"table": 800}
    assert second.passed and not second.sampled and second.rows_checked == 200
    assert run_marts_gate(con, "rates", thresholds=thresholds).rows_checked == 0


EDGE_VALUES = """
    SELECT * FROM (VALUES
        (1, NULL, 'a', true), (2, 'nan'::DOUBLE, 'b', false), (3, -0.0, 'x', NULL),
        (4, 0.0, NULL, true), (5, 0.5, '', true), (6, 1.0, 'A', true),
        (7, 1.0000001, 'a ', true), (8, -1.0, 'b', true), (9, 'inf'::DOUBLE, 'a', true),
        (10, '-inf'::DOUBLE, 'a', true)
    ) t(id, x, s, b)
"""


def test_duckdb_flags_every_row_great_expectations_fails():
    """The rows DuckDB lets through without GX pass by construction: for every rule kind
    the identity and marts gates use, on edge values (NULL, NaN, ±0, bounds, infinities,
    case and blanks), the rows GX fails are among the rows DuckDB flags."""
    rules = [
        Rule("between", "f", "ExpectColumnValuesToBeBetween",
             {"column": "x", "min_value": 0, "max_value": 1}),
        Rule("at_least", "f", "ExpectColumnValuesToBeBetween", {"column": "x", "min_value": 0}),
        Rule("at_most", "f", "ExpectColumnValuesToBeBetween", {"column": "x", "max_value": 1}),
        Rule("in_set", "f", "ExpectColumnValuesToBeInSet",
             {"column": "s", "value_set": ["a", "b"]}),
        Rule("not_in_set", "f", "ExpectColumnValuesToNotBeInSet",
             {"column": "s", "value_set": ["x"]}),
        Rule("true_only", "f", "ExpectColumnValuesToBeInSet",
             {"column": "b", "value_set": [True]}),
        Rule("x_not_null", "f", "ExpectColumnValuesToNotBeNull", {"column": "x"}),
        Rule("s_not_null", "f", "ExpectColumnValuesToNotBeNull", {"column": "s"}),
    ]  # fmt: skip
    with duckdb.connect() as c:
        data = frame(c, EDGE_VALUES)
        outcomes, _ = run_suite(Frame("edge_values", data, ("id",)), rules, "t", None)
        for rule, outcome in zip(rules, outcomes, strict=True):
            condition = may_fail_sql(rule)
            assert condition is not None, rule.check
            flagged = {r[0] for r in c.execute(f"SELECT id FROM ({EDGE_VALUES}) WHERE {condition}")
                       .fetchall()}  # fmt: skip
            failed = {e["id"] for e in outcome.examples}
            assert len(failed) == (outcome.unexpected_count or 0), rule.check
            assert failed <= flagged, (rule.check, failed, flagged)
            assert failed, rule.check  # every rule fails some edge value: a real comparison


def test_accepted_hashes_grow_by_the_changed_rows_and_are_compacted(con):
    assert run_marts_gate(con, ORDERS).passed
    accepted = 'quality."accepted__marts_orders_table"'
    con.execute("UPDATE marts.orders SET revenue_vnd = revenue_vnd + 1 WHERE order_id = 'O1'")
    assert run_marts_gate(con, ORDERS).rows_checked == 1
    # a drop writes the one changed row; the old version's hash may stay (same values,
    # same verdict)
    assert con.execute(f"SELECT count(*) FROM {accepted}").fetchall() == [(1001,)]
    for step in range(1, 4):  # every row changes, three times: rewritten once past 2x + 1000
        con.execute(f"UPDATE marts.orders SET revenue_vnd = revenue_vnd + {step}")
        assert run_marts_gate(con, ORDERS).rows_checked == 1000
    assert con.execute(f"SELECT count(*) FROM {accepted}").fetchall()[0][0] <= 3000
