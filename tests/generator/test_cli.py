"""The command line: cdp-generate / python -m generator."""

from __future__ import annotations

import json
import subprocess
import sys

import pyarrow.parquet as pq

from generator.cli import main


def test_cli_people_100(tmp_path):
    landing, truth = tmp_path / "landing", tmp_path / "truth"
    rc = main(["--people", "100", "--seed", "3", "--landing-dir", str(landing),
               "--truth-dir", str(truth), "--days", "2", "--start-date", "2026-12-01",
               "--quiet"])
    assert rc == 0
    manifest = json.loads((truth / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["people"] == 100
    assert manifest["args"]["start_date"] == "2026-12-01"
    assert (landing / "pos" / "transactions_2026-12-01.csv").exists()
    assert (landing / "pos" / "transactions_2026-12-02.jsonl").exists()
    for name in ("ground_truth.parquet", "people.parquet", "malformed_rows.csv"):
        assert (truth / name).exists()
    assert pq.read_table(truth / "people.parquet").num_rows >= 100


def test_config_file_overrides(tmp_path):
    cfg = tmp_path / "rates.json"
    cfg.write_text(json.dumps({
        "rates": {"email_typo": 0.5, "resend_file": 0},
        "format_plan": {"pos/transactions": ["parquet"]},
    }), encoding="utf-8")
    rc = main(["--people", "300", "--landing-dir", str(tmp_path / "l"), "--truth-dir",
               str(tmp_path / "t"), "--config", str(cfg), "--formats", "csv,parquet", "--quiet"])
    assert rc == 0
    manifest = json.loads((tmp_path / "t" / "manifest.json").read_text(encoding="utf-8"))
    formats = {f["format"] for f in manifest["files"].values()}
    assert formats == {"csv", "parquet"}
    assert {f["format"] for f in manifest["files"].values()
            if f["entity"] == "pos/transactions"} == {"parquet"}
    assert abs(manifest["corruptions"]["email_typo"]["share"] - 0.5) < 0.1
    assert not list((tmp_path / "l").rglob("*_resend.*"))


def test_bad_arguments_are_rejected(tmp_path, capsys):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"rates": {"no_such_kind": 0.1}}), encoding="utf-8")
    assert main(["--people", "100", "--config", str(cfg), "--landing-dir", str(tmp_path),
                 "--truth-dir", str(tmp_path / "t"), "--quiet"]) == 2
    assert "no_such_kind" in capsys.readouterr().err
    assert main(["--formats", "xml", "--landing-dir", str(tmp_path), "--quiet"]) == 2


def test_python_m_generator():
    out = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True,
                         text=True, check=True)
    assert "--people" in out.stdout and "--truth-dir" in out.stdout


def test_clean_removes_stale_files(tmp_path, capsys):
    args = ["--people", "100", "--landing-dir", str(tmp_path / "l"), "--truth-dir",
            str(tmp_path / "t")]
    assert main([*args, "--days", "3"]) == 0
    assert (tmp_path / "l" / "pos" / "transactions_2026-11-03.parquet").exists()
    capsys.readouterr()
    assert main([*args, "--days", "1"]) == 0
    assert "--clean" in capsys.readouterr().err
    assert main([*args, "--days", "1", "--clean", "--quiet"]) == 0
    assert not (tmp_path / "l" / "pos" / "transactions_2026-11-03.parquet").exists()
    assert (tmp_path / "l" / "pos" / "transactions_2026-11-01.csv").exists()


def test_rerun_in_place_does_not_warn(tmp_path, capsys):
    args = ["--people", "100", "--landing-dir", str(tmp_path / "l"), "--truth-dir",
            str(tmp_path / "t")]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    assert "warning" not in capsys.readouterr().err
