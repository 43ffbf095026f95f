"""`make demo` end to end at small scale, exactly as a user runs it."""

import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from ingest.contract import ENTITIES

REPO_ROOT = Path(__file__).resolve().parents[1]


def make_demo(env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


def test_make_demo_generates_and_materialises_everything(tmp_path):
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(REPO_ROOT / ".dagster_home" / "dagster.yaml", dagster_home)
    env = {
        **os.environ,
        "CDP_LANDING_DIR": str(tmp_path / "landing"),
        "CDP_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "CDP_TRUTH_DIR": str(tmp_path / "ground_truth"),
        "DAGSTER_HOME": str(dagster_home),
        "DEMO_PEOPLE": "150",
        "DEMO_DAYS": "2",
    }
    result = make_demo(env)
    assert "generating 150 demo people" in result.stdout
    assert "RUN_SUCCESS" in result.stdout + result.stderr

    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        for entity in ENTITIES:
            (count,) = con.execute(f"select count(*) from raw.{entity.raw_table}").fetchall()[0]
            assert count > 0, entity.raw_table
        reasons = {r for (r,) in con.execute("select reason from raw.quarantine").fetchall()}
        assert reasons, "the demo data carries malformed rows; they must be quarantined"
        (records,) = con.execute(
            "select count(*) from intermediate.int_person_records_unioned"
        ).fetchall()[0]
        assert records > 0
    assert "raw.quarantine:" in result.stdout

    # A second `make demo` keeps the existing landing files and adds nothing.
    again = make_demo(env)
    assert "generating" not in again.stdout
