"""Identity and marts gates on small hand-made tables (no Dagster)."""

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from quality import load_thresholds, run_identity_gate, run_marts_gate

RECORDS = [("pos", f"T{i}") for i in range(6)] + [("web", "user:u1"), ("email", "a@b.vn")]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("CREATE SCHEMA intermediate; CREATE SCHEMA identity; CREATE SCHEMA marts")
    c.execute("CREATE TABLE intermediate.int_person_records_unioned "
              "(source VARCHAR, source_record_id VARCHAR)")  # fmt: skip
    c.executemany("INSERT INTO intermediate.int_person_records_unioned VALUES (?, ?)", RECORDS)
    c.execute("CREATE TABLE identity.customer_xref (source VARCHAR, source_record_id VARCHAR, "
              "golden_id VARCHAR, match_probability DOUBLE)")  # fmt: skip
    yield c
    c.close()


def write_xref(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.execute("DELETE FROM identity.customer_xref")
    con.executemany("INSERT INTO identity.customer_xref VALUES (?, ?, ?, NULL)", rows)


def good_xref() -> list[tuple]:
    return [(s, r, f"G{i // 2}") for i, (s, r) in enumerate(RECORDS)]


def test_good_identity_output_passes_and_becomes_the_baseline(con):
    write_xref(con, good_xref())
    gate = run_identity_gate(con)
    assert gate.passed and not gate.failed_checks, gate.outcomes
    assert con.execute("SELECT count(*) FROM quality.identity_baseline").fetchall() == [(8,)]


def test_missing_duplicate_and_null_records_fail(con):
    rows = good_xref()
    rows = [*rows[1:], rows[2], ("pos", "T99", "G9"), ("web", "user:u2", None)]
    write_xref(con, rows)
    gate = run_identity_gate(con)
    assert {"every_record_exactly_once", "no_unknown_records", "golden_id_not_null"} <= set(
        gate.failed_checks
    )
    examples = gate.outcome("every_record_exactly_once").examples
    assert {e["record"] for e in examples} == {"pos:T0", "pos:T2"}


def test_golden_id_churn_and_giant_clusters_fail(con):
    write_xref(con, good_xref())
    assert run_identity_gate(con).passed
    write_xref(con, [(s, r, "G-all") for s, r in RECORDS])  # everything merged into one
    thresholds = load_thresholds()
    thresholds.values["identity"]["max_cluster_size"] = 5
    gate = run_identity_gate(con, thresholds=thresholds)
    assert {"cluster_size_bounded", "golden_id_churn_vs_previous",
            "merge_rate_change_vs_previous"} <= set(gate.failed_checks)  # fmt: skip
    assert gate.outcome("golden_id_churn_vs_previous").observed is not None


def test_customer_360_rules(con):
    write_xref(con, good_xref())
    con.execute("CREATE TABLE marts.customer_360 AS SELECT * FROM (VALUES "
                "('G0', 100.0, 50, 0.5), ('G1', -5.0, 120, 0.2), ('G1', 3.0, 0, 1.5)) "
                "t(golden_id, total_revenue, nps, email_open_rate)")  # fmt: skip
    gate = run_marts_gate(con, "customer_360")  # no declared columns: one check per column
    assert set(gate.failed_checks) == {
        "total_revenue__in_range",
        "nps__in_range",
        "email_open_rate__in_range",
        "one_row_per_golden_id",
        "every_golden_id_present",
    }
    assert gate.outcome("undeclared_metric_ranges").success  # nothing undeclared
    revenue = gate.outcome("total_revenue__in_range")
    assert revenue.unexpected_count == 1 and revenue.severity == "error"
    assert {"value": -5.0} in revenue.examples or any(
        ex.get("total_revenue") == -5.0 for ex in revenue.examples
    )


def test_marts_ranges_declared_per_column_with_a_catch_all(con):
    con.execute("CREATE TABLE marts.service_quality_monthly AS SELECT * FROM (VALUES "
                "(50.0, 0.5, 4.0, 1.2), (101.0, 0.2, 9.0, 0.3)) "
                "t(nps, resolution_rate, ces_average, new_share)")  # fmt: skip
    thresholds = load_thresholds()
    thresholds.values["severity_overrides"] = {
        "marts.service_quality_monthly.ces_average__in_range": "warn"
    }
    gate = run_marts_gate(
        con,
        "service_quality_monthly",
        thresholds=thresholds,
        declared=["nps", "resolution_rate", "ces_average", "csat_score"],
    )
    assert set(gate.failed_checks) == {
        "nps__in_range",
        "ces_average__in_range",
        "undeclared_metric_ranges",  # new_share = 1.2, a column the manifest does not know
    }
    assert gate.outcome("resolution_rate__in_range").success
    assert gate.outcome("ces_average__in_range").severity == "warn"
    csat = gate.outcome("csat_score__in_range")  # declared, not in the table: nothing to check
    assert csat.success and "csat_score" in (csat.note or "")
    undeclared = [o for o in gate.outcomes if o.check == "undeclared_metric_ranges"]
    assert [o.column for o in undeclared] == ["new_share"]
    assert gate.passed is False  # nps is out of range (error); ces alone would only warn


def test_segments_from_known_vocabularies(con):
    con.execute("CREATE TABLE marts.customer_segments AS SELECT * FROM (VALUES "
                "('G0', 'rfm', 'champions', 'v1'), ('G1', 'rfm', 'made_up', 'v1'), "
                "('G2', 'lifecycle', 'new', 'v1')) t(golden_id, segment_family, segment, "
                "rule_version)")  # fmt: skip
    thresholds = load_thresholds()
    thresholds.values["marts"]["segments"] = {"rfm": ["champions", "at_risk"]}
    gate = run_marts_gate(con, "customer_segments", thresholds=thresholds)
    assert gate.outcome("segments_known").success is False
    assert gate.outcome("segment_families_known").severity == "warn"
    assert not gate.outcome("segment_families_known").success
    assert gate.passed is False


def test_accepted_output_updates_the_baseline_to_the_new_xref(con):
    write_xref(con, good_xref())
    assert run_identity_gate(con).passed
    moved = [(s, r, "G-new" if r in ("T0", "T1") else g) for s, r, g in good_xref()]
    write_xref(con, moved)
    thresholds = load_thresholds()
    thresholds.values["identity"]["max_golden_id_churn"] = 1.0
    gate = run_identity_gate(con, thresholds=thresholds)
    assert gate.passed and gate.details["golden_id_churn"] == 0.25
    # only the two moved records were rewritten; the baseline is the accepted xref
    baseline = "SELECT source, source_record_id, golden_id FROM quality.identity_baseline"
    xref = "SELECT source, source_record_id, golden_id FROM identity.customer_xref"
    assert sorted(con.execute(baseline).fetchall()) == sorted(con.execute(xref).fetchall())
    assert run_identity_gate(con).details["golden_id_churn"] == 0.0
