"""A warehouse built before the incremental staging models is rebuilt in full once."""

import duckdb

from orchestration.dbt.assets import build_args, tables_without_watermark
from orchestration.resources import CdpSettings


def test_tables_without_watermark_names_only_pre_incremental_tables(tmp_path):
    warehouse = tmp_path / "wh.duckdb"
    assert tables_without_watermark(warehouse) == []  # no warehouse yet: nothing to do
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema staging; create schema intermediate; create schema marts")
        con.execute("create table staging.stg_pos__transactions (transaction_id varchar)")
        con.execute(
            "create table staging.stg_web__events (event_id varchar, _loaded_at timestamptz)"
        )
        con.execute("create table intermediate.int_person_records_unioned (source varchar)")
        con.execute("create table intermediate.int_email_events_resolved (x int)")
        con.execute("create table marts.stg_lookalike (x int)")
    assert tables_without_watermark(warehouse) == [
        "intermediate.int_person_records_unioned", "staging.stg_pos__transactions",
    ]


def test_build_args_add_full_refresh_only_for_legacy_tables(tmp_path):
    cdp = CdpSettings(warehouse=str(tmp_path / "wh.duckdb"))
    assert "--full-refresh" not in build_args(cdp, [])
    assert build_args(cdp, ["staging.stg_pos__transactions"])[-1] == "--full-refresh"
