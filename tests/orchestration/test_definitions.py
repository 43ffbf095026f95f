"""The code location loads and its asset graph is what we expect."""

import os
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def asset_graph_lines() -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = sorted(p.to_user_string() for p in node.parent_keys)
        lines.append(f"{key.to_user_string()} <- [{', '.join(parents)}] group={node.group_name}")
    for check_key in sorted(graph.asset_check_keys, key=lambda k: k.to_user_string()):
        lines.append(f"check {check_key.to_user_string()}")
    return lines


def test_definitions_load_through_the_workspace_entry_point():
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("materialize_everything") is not None
    assert defs.resolve_schedule_def("daily_refresh").cron_schedule == "0 2 * * *"
    assert defs.resolve_sensor_def("landing_files_sensor") is not None


def test_asset_graph_matches_snapshot():
    """Set UPDATE_SNAPSHOTS=1 to accept an intended change to the graph."""
    actual = "\n".join(asset_graph_lines()) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(actual)
    assert SNAPSHOT.exists(), "no snapshot yet: run once with UPDATE_SNAPSHOTS=1 and review it"
    assert actual == SNAPSHOT.read_text()


def test_every_contract_entity_has_a_raw_asset():
    from ingest.contract import ENTITIES

    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {f"raw/{e.raw_table}" for e in ENTITIES} <= keys


def test_settings_are_read_when_used_not_at_import(monkeypatch, tmp_path):
    from orchestration.resources import CdpSettings

    settings = CdpSettings()
    monkeypatch.setenv("CDP_LANDING_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("CDP_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("CDP_SOURCE_TZ", "UTC")
    assert settings.landing_path() == tmp_path / "elsewhere"
    assert settings.warehouse_path() == tmp_path / "w.duckdb"
    assert settings.timezone() == "UTC"
    monkeypatch.delenv("CDP_LANDING_DIR")
    assert CdpSettings().landing_path() == Path("data/landing")


def dbt_steps() -> dict[str, set[str]]:
    """The asset keys each dbt step of the daily job materialises."""
    from dagster._core.definitions.dependency import NodeHandle

    job = defs.resolve_job_def("materialize_everything")
    return {
        node: {
            key.to_user_string()
            for key in job.asset_layer.get_selected_entity_keys_for_node(NodeHandle(node, None))
            if isinstance(key, dg.AssetKey)
        }
        for node in job.graph.node_names()
        if node.startswith("cdp_dbt_models")
    }


def test_dbt_starts_twice_per_run_and_seeds_load_with_staging():
    """One dbt invocation before identity, one after: a resource that reads nothing
    the job builds (seeds, time spine) must not get a dbt start-up of its own."""
    steps = dbt_steps()
    assert len(steps) == 2
    (staging,) = [keys for keys in steps.values() if "staging/stg_pos__transactions" in keys]
    assert {"reference/currency_rates", "marts/metricflow_time_spine",
            "staging/stg_sync__erasure_tombstones"} <= staging  # fmt: skip
    assert "intermediate/int_person_records_unioned" in staging


def test_dbt_resource_knows_the_version_dbt_reports():
    """The run's dbt resource skips ``dbt --version`` (a dbt start-up per run) and
    reads the installed package instead: it must say what dbt says."""
    from dagster_dbt import DbtCliResource

    from orchestration.dbt.project import DBT_EXECUTABLE, CdpDbtCliResource, dbt_project

    resource = defs.resources["dbt"]
    assert isinstance(resource, CdpDbtCliResource)
    asked = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert resource._cli_version == asked._cli_version
