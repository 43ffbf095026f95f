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
