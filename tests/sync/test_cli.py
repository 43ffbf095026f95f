import json

from crm_sync.__main__ import main
from tests.sync.helpers import PEOPLE


def test_cli_sync_export_erase_and_push(warehouse, crm, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CDP_CRM_ENDPOINT", crm.url)
    warehouse.publish(PEOPLE)
    db = ["--warehouse", str(warehouse.path)]

    assert main([*db, "sync", "--export-dir", str(tmp_path), "--push"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["events"] == {"create": 3} and report["push"]["events"] == 3
    assert len(report["export"]) == 2

    assert main([*db, "erase", "--golden-id", "gc_carol", "--push"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["erased_golden_ids"] == 1 and report["events"] == {"delete": 1}
    assert sorted(crm.state()["contacts"]) == ["gc_alice", "gc_bob"]

    assert main([*db, "export", "--dir", str(tmp_path / "all")]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 4
