"""A warehouse built before the incremental staging models is rebuilt in full once;
dbt runs with the pipeline's memory limit."""

import json

import duckdb

from orchestration.dbt.assets import (
    build_args,
    dbt_vars,
    incremental_relations,
    tables_without_watermark,
)
from orchestration.dbt.project import dbt_project
from orchestration.resources import DEFAULT_MEMORY_LIMIT, CdpSettings

RELATIONS = [
    ("intermediate", "int_person_records_unioned"),
    ("staging", "stg_pos__transactions"),
    ("staging", "stg_web__events"),
]


def test_incremental_relations_come_from_the_manifest():
    relations = incremental_relations(dbt_project.manifest_path)
    assert ("intermediate", "int_person_records_unioned") in relations
    assert ("staging", "stg_pos__transactions") in relations
    # staging over identity/sync outputs is rebuilt as a table, not incremental
    assert ("staging", "stg_sync__erasure_tombstones") not in relations
    # the incremental marts have no _loaded_at watermark: they rebuild themselves
    # in full when their state is missing, never through --full-refresh
    assert ("marts", "customer_timeline") not in relations
    assert ("intermediate", "int_customer_lifetime") not in relations


def test_tables_without_watermark_names_only_pre_incremental_tables(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    assert tables_without_watermark(warehouse, RELATIONS) == []  # no warehouse yet
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging; create schema intermediate")
        con.execute("create table staging.stg_pos__transactions (transaction_id varchar)")
        con.execute(
            "create table staging.stg_web__events (event_id varchar, _loaded_at timestamptz)"
        )
        con.execute("create table intermediate.int_person_records_unioned (source varchar)")
        # a table model without a watermark is no reason for a full refresh
        con.execute("create table staging.stg_sync__erasure_tombstones (x int)")
    assert tables_without_watermark(warehouse, RELATIONS) == [
        "intermediate.int_person_records_unioned", "staging.stg_pos__transactions",
    ]


def test_dbt_gets_the_pipeline_memory_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CDP_DUCKDB_MEMORY_LIMIT", "3GB")
    assert json.loads(dbt_vars(CdpSettings(warehouse=str(tmp_path / "wh.duckdb"))))[
        "memory_limit"
    ] == "3GB"
    monkeypatch.delenv("CDP_DUCKDB_MEMORY_LIMIT")
    assert json.loads(dbt_vars(CdpSettings()))["memory_limit"] == DEFAULT_MEMORY_LIMIT
    profile = (dbt_project.project_dir / "profiles.yml").read_text()
    assert "memory_limit: \"{{ var('memory_limit', env_var('CDP_DUCKDB_MEMORY_LIMIT'" in profile


def test_build_args_add_full_refresh_only_for_legacy_tables(tmp_path):
    cdp = CdpSettings(warehouse=str(tmp_path / "wh.duckdb"))
    assert "--full-refresh" not in build_args(cdp, [])
    assert build_args(cdp, [])[1:3] == ["--exclude-resource-type", "unit_test"]
    assert "--no-write-json" in build_args(cdp, [])
    assert build_args(cdp, ["staging.stg_pos__transactions"])[-1] == "--full-refresh"
