"""Helpers for the quality tests: pipelines with gates, and bad deliveries."""

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.dbt.assets import cdp_dbt_models
from orchestration.dbt.project import DBT_EXECUTABLE, dbt_project
from orchestration.ingest.assets import ingest_assets
from orchestration.quality import build_quality_checks
from orchestration.resources import CdpSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
POS_STAGING = "staging/stg_pos__transactions"
ASSETS = [*ingest_assets, cdp_dbt_models]
CHECKS = build_quality_checks(ASSETS)


def generate(root: Path, people: int = 150, days: int = 2, config: str | None = None) -> Path:
    landing = root / "landing"
    args = [sys.executable, "-m", "generator", "--people", str(people), "--seed", "7",
            "--days", str(days), "--landing-dir", str(landing),
            "--truth-dir", str(root / "truth"), "--quiet"]  # fmt: skip
    if config:
        (root / "rates.json").write_text(config)
        args += ["--config", str(root / "rates.json")]
    subprocess.run(args, check=True, capture_output=True, cwd=REPO_ROOT)
    return landing


def drop_resends(landing: Path) -> Path:
    for f in landing.rglob("*_resend.*"):
        f.unlink()
    return landing


def copy_landing(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def run(
    landing: Path, warehouse: Path, *keys: str, with_staging: bool = True
) -> dg.ExecuteInProcessResult:
    """Materialise raw assets (all when no key is given), their gates and, optionally, the
    POS staging model downstream of them, in process, as the code location would."""
    raw = [dg.AssetKey.from_user_string(k) for k in keys] or [
        k for a in ingest_assets for k in a.keys
    ]
    selection = dg.AssetSelection.assets(*raw)
    if with_staging:
        selection |= dg.AssetSelection.assets(dg.AssetKey.from_user_string(POS_STAGING))
    cdp = CdpSettings(landing_dir=str(landing), warehouse=str(warehouse))
    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    return dg.materialize(
        [*ASSETS, *CHECKS], selection=selection, resources={"cdp": cdp, "dbt": dbt},
        raise_on_error=False,
    )  # fmt: skip


def evaluations(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [
        ev.asset_check_evaluation_data
        for ev in result.all_events
        if ev.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def check_outcomes(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``<asset>:<check>`` -> passed, for every check evaluated in the run."""
    return {f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed for e in evaluations(result)}


def failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {k for k, passed in check_outcomes(result).items() if not passed}


def rule_outcomes(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``<asset>:<rule>`` -> passed, for every rule the run's checks list in their metadata."""
    return {
        f"{e.asset_key.to_user_string()}:{rule}": bool(entry["passed"])
        for e in evaluations(result)
        if "results" in e.metadata
        for rule, entry in e.metadata["results"].value.items()  # type: ignore[union-attr]
    }


def failed_rules(result: dg.ExecuteInProcessResult) -> set[str]:
    return {k for k, passed in rule_outcomes(result).items() if not passed}


def materialised(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def write_pos_csv(landing: Path, target: Path, sql_select: str) -> Path:
    """Write ``target`` as a CSV of ``sql_select`` over ``src``, the rows of the first POS
    CSV of ``landing``."""
    source = sorted((landing / "pos").glob("transactions_*.csv"))[0]
    with duckdb.connect() as con:
        # well-formed rows only: the generator's malformed lines are not what we test here
        con.execute(
            f"CREATE TABLE src AS SELECT * FROM read_csv('{source}', all_varchar=true, "
            "ignore_errors=true, header=true) WHERE try_cast(quantity AS INTEGER) IS NOT NULL "
            "AND try_cast(transacted_at AS TIMESTAMP) IS NOT NULL"
        )
        con.execute(f"COPY ({sql_select}) TO '{target}' (HEADER, DELIMITER ',')")
    return target
