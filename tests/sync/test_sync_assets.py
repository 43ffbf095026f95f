import dagster as dg

from orchestration.resources import CdpSettings
from orchestration.sync import sync_assets
from tests.sync.helpers import PEOPLE


def _materialize(warehouse, tmp_path):
    return dg.materialize(
        sync_assets,
        resources={"cdp": CdpSettings(warehouse=str(warehouse.path))},
        run_config={"ops": {"sync__crm_outbox": {"config": {"export_dir": str(tmp_path)}}}},
    )


def test_outbox_asset_depends_on_identity_and_marts():
    outbox = sync_assets[0]
    deps = {key.to_user_string() for key in outbox.asset_deps[outbox.key]}
    assert outbox.key == dg.AssetKey(["sync", "crm_outbox"])
    assert deps == {
        "identity/golden_customers",
        "identity/golden_id_history",
        "marts/customer_360",
    }


def test_assets_build_the_feed_and_push_to_the_configured_crm(
    warehouse, crm, tmp_path, monkeypatch
):
    monkeypatch.setenv("CDP_CRM_ENDPOINT", crm.url)
    monkeypatch.setenv("CDP_CRM_TOKEN", "t0ken")
    warehouse.publish(PEOPLE)
    result = _materialize(warehouse, tmp_path)
    assert result.success
    outbox_md = result.asset_materializations_for_node("sync__crm_outbox")[0].metadata
    assert outbox_md["total_events"].value == 3
    assert len(list(tmp_path.glob("crm_outbox_*.csv"))) == 1
    assert sorted(crm.state()["contacts"]) == sorted(PEOPLE)

    again = _materialize(warehouse, tmp_path)
    push_md = again.asset_materializations_for_node("sync__crm_push")[0].metadata
    assert push_md["events"].value == 0


def test_push_asset_skips_without_endpoint(warehouse, tmp_path, monkeypatch):
    monkeypatch.delenv("CDP_CRM_ENDPOINT", raising=False)
    warehouse.publish(PEOPLE)
    result = _materialize(warehouse, tmp_path)
    push_md = result.asset_materializations_for_node("sync__crm_push")[0].metadata
    assert push_md["skipped"].value is True
