"""Real Dagster materialisations of the ingest assets on generated landing files."""

from pathlib import Path

import dagster as dg
import duckdb

from ingest.contract import ENTITIES
from orchestration.ingest.assets import ingest_assets
from orchestration.ingest.sensors import landing_files_sensor
from orchestration.resources import CdpSettings


def settings(landing: Path, tmp_path: Path) -> CdpSettings:
    return CdpSettings(landing_dir=str(landing), warehouse=str(tmp_path / "warehouse.duckdb"))


def raw_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            e.raw_table: con.execute(f"select count(*) from raw.{e.raw_table}").fetchall()[0][0]
            for e in ENTITIES
        }


def test_every_entity_lands_and_rerun_adds_nothing(landing_copy, tmp_path):
    cdp = settings(landing_copy, tmp_path)
    first = dg.materialize(ingest_assets, resources={"cdp": cdp})
    assert first.success
    counts = raw_counts(cdp.warehouse_path())
    assert all(n > 0 for n in counts.values()), counts

    materialisations = first.get_asset_materialization_events()
    assert len(materialisations) == len(ENTITIES)
    for event in materialisations:
        metadata = event.materialization.metadata
        assert metadata["rows_read"].value == (
            metadata["rows_loaded"].value + metadata["rows_quarantined"].value
        )

    second = dg.materialize(ingest_assets, resources={"cdp": cdp})
    assert second.success
    assert raw_counts(cdp.warehouse_path()) == counts


def test_missing_required_column_fails_only_its_own_asset(landing_copy, tmp_path):
    broken = landing_copy / "sales" / "cases_2099-01-01.csv"
    broken.write_text("case_id,contact_id,opened_at\nC1,K1,2026-11-01T10:00:00\n")
    cdp = settings(landing_copy, tmp_path)

    result = dg.materialize(ingest_assets, resources={"cdp": cdp}, raise_on_error=False)

    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["raw__sales__cases"]
    # Dagster wraps the asset's exception; the loader's own message is the cause.
    message = failures[0].step_failure_data.error.cause.message
    assert "cases_2099-01-01.csv" in message and "channel" in message
    materialised = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialised == {f"raw/{e.raw_table}" for e in ENTITIES} - {"raw/sales__cases"}


def test_sensor_requests_a_run_only_when_landing_files_change(landing_copy, tmp_path):
    cdp = settings(landing_copy, tmp_path)
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"cdp": cdp})
        first = landing_files_sensor(context)
        assert isinstance(first, dg.RunRequest)

        context = dg.build_sensor_context(
            instance=instance, cursor=first.run_key, resources={"cdp": cdp}
        )
        assert isinstance(landing_files_sensor(context), dg.SkipReason)

        (landing_copy / "pos" / "transactions_2099-01-01.csv").write_text(
            "transaction_id,store_id,transacted_at,sku,quantity,unit_price\n"
            "T-NEW,S1,2099-01-01T10:00:00,SKU1,1,100000\n"
        )
        again = landing_files_sensor(context)
        assert isinstance(again, dg.RunRequest)
        assert again.run_key != first.run_key


def test_environment_configures_the_run(landing_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CDP_LANDING_DIR", str(landing_copy))
    monkeypatch.setenv("CDP_WAREHOUSE", str(tmp_path / "from_env.duckdb"))
    result = dg.materialize(ingest_assets[:1], resources={"cdp": CdpSettings()})
    assert result.success
    assert (tmp_path / "from_env.duckdb").exists()
