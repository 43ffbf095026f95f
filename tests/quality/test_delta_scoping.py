"""Identity and marts gates validate the rows changed since the last accepted run
(quality/delta.py): a bad new or changed row is still caught and blocks, rows accepted
before are not judged again, and a changed rule or a changed global context (a record's
xref count, a cluster's size, a golden id's row count) re-judges the rows it affects."""

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from quality import load_thresholds, run_identity_gate, run_marts_gate

ORDERS = "orders"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("CREATE SCHEMA marts")
    c.execute(
        "CREATE TABLE marts.orders AS SELECT 'O' || i AS order_id, 'G' || (i % 300) AS golden_id, "
        "(i * 10)::DOUBLE AS revenue_vnd FROM range(1000) t(i)"
    )
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


def test_rows_left_out_of_a_sample_are_validated_later(con):
    thresholds = load_thresholds()
    thresholds.values["sampling"]["max_rows"] = 400
    first = run_marts_gate(con, ORDERS, thresholds=thresholds)
    assert first.sampled and first.rows_checked == 400 and first.passed
    second = run_marts_gate(con, ORDERS, thresholds=thresholds)
    assert second.details["rows_accepted_before"] == {"table": 400}
    third = run_marts_gate(con, ORDERS, thresholds=thresholds)
    assert not third.sampled and third.rows_checked == 200
    assert run_marts_gate(con, ORDERS, thresholds=thresholds).rows_checked == 0
