"""Every dbt model as a Dagster asset; dbt tests become asset checks."""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from ingest.contract import ENTITIES
from orchestration.dbt.project import dbt_project
from orchestration.ingest.assets import WAREHOUSE_POOL, raw_asset_key
from orchestration.resources import CdpSettings

# dbt meta flag of the resources that read nothing this job builds (the seeds, the
# time spine, the erasure tombstones): see CdpDbtTranslator.get_asset_spec.
BUILD_WITH_STAGING = "cdp_build_with_staging"


def builds_with_staging(dbt_resource_props: Mapping[str, Any]) -> bool:
    meta = {**dbt_resource_props.get("meta", {}),
            **dbt_resource_props.get("config", {}).get("meta", {})}  # fmt: skip
    return bool(meta.get(BUILD_WITH_STAGING))


class CdpDbtTranslator(DagsterDbtTranslator):
    """Models are keyed by schema and name, e.g. ``staging/stg_pos__transactions``."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        """Resources flagged ``cdp_build_with_staging`` wait for the ingest assets.

        Dagster runs the one dbt definition as one step per "layer" of the job: a
        step ends wherever a non-dbt asset (ingest, identity, sentiment) sits
        between dbt resources. A resource with no upstream asset at all lands in a
        step of its own before ingest, which cost a whole dbt start-up (~16 s at
        1M people) to load six seeds. Declared downstream of ingest, these
        resources join the staging step instead: one dbt invocation fewer per run,
        and dbt still builds every seed before the models that ``ref`` it.
        """
        spec = super().get_asset_spec(manifest, unique_id, project)
        if not builds_with_staging(self.get_resource_props(manifest, unique_id)):
            return spec
        return spec.merge_attributes(deps=[raw_asset_key(entity) for entity in ENTITIES])

    def get_asset_key(self, dbt_resource_props: dict) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: dict) -> str | None:
        """The model's top folder: staging, intermediate or marts."""
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else None


translator = CdpDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def dbt_vars(cdp: CdpSettings) -> str:
    """Run-time settings handed to dbt (the profile reads them with ``var()``): dbt's
    DuckDB connection gets the same memory limit as the pipeline's."""
    return json.dumps(
        {
            "warehouse_path": str(cdp.warehouse_path().resolve()),
            "source_tz": cdp.timezone(),
            "memory_limit": cdp.duckdb_memory_limit(),
            "dbt_threads": cdp.dbt_model_threads(),
        }
    )


def incremental_relations(manifest_path: Path) -> list[tuple[str, str]]:
    """(schema, table) of every incremental model that holds the ``_loaded_at`` of the
    delivery behind its rows (its watermark, config ``cdp_watermark``; see
    dbt_project/macros/incremental.sql). The incremental marts keep their state in
    tables of their own (dbt_project/macros/marts_refresh.sql) and rebuild themselves
    in full when it is missing, so a warehouse built before them needs no full refresh."""
    manifest = json.loads(Path(manifest_path).read_text("utf-8"))
    return sorted(
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and node["config"].get("cdp_watermark") == "_loaded_at"
    )


def tables_without_watermark(warehouse: Path, relations: list[tuple[str, str]]) -> list[str]:
    """Incremental models a warehouse built before them holds as plain tables without
    their ``_loaded_at`` watermark: dbt would append to them and fail, so the build must
    rebuild them in full once."""
    if not warehouse.exists() or not relations:
        return []
    wanted = ", ".join(f"('{schema}', '{table}')" for schema, table in relations)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            f"""
            select t.table_schema || '.' || t.table_name
            from information_schema.tables t
            where (t.table_schema, t.table_name) in ({wanted})
              and not exists (
                  select 1 from information_schema.columns c
                  where c.table_schema = t.table_schema and c.table_name = t.table_name
                    and c.column_name = '_loaded_at'
              )
            order by 1
            """
        ).fetchall()
    return [r[0] for r in rows]


def build_args(cdp: CdpSettings, legacy_tables: list[str]) -> list[str]:
    """dbt's unit tests check the SQL on hand-made rows, not the data: they run in the
    test suite (tests/marts/test_dbt_unit_tests.py), not on every materialisation.

    ``--no-write-json``: Dagster reads dbt's events from its log stream, never the
    manifest.json / run_results.json each invocation would otherwise write (~2 MB of
    JSON per build; the parse state, partial_parse.msgpack, is still written)."""
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", dbt_vars(cdp),
            "--no-write-json"]  # fmt: skip
    return [*args, "--full-refresh"] if legacy_tables else args


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def project_target_dir() -> Path:
    """Where dagster-dbt looks for the parse state it seeds each invocation with."""
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return target if target.is_absolute() else Path(dbt_project.project_dir) / target


def keep_partial_parse(invocation: DbtCliInvocation, target_dir: Path | None = None) -> None:
    """Hand this invocation's parse state on to the next one.

    dagster-dbt runs every invocation in a fresh target folder seeded with the
    project's ``partial_parse.msgpack``. dbt reuses that state only if the vars
    and the rendered profile (warehouse path, time zone) are those of the parse
    that wrote it; the one ``dbt parse`` writes has neither, so every build
    parsed the whole project again (~10 s). The state a build leaves behind has
    the run's vars, which the next run of the same warehouse passes again.
    Replaced atomically: a concurrent invocation reads the old or the new file.
    """
    source = Path(invocation.target_path) / PARTIAL_PARSE_FILE
    if not source.exists():
        return
    target_dir = target_dir or project_target_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    staged = target_dir / f".{PARTIAL_PARSE_FILE}.{os.getpid()}"
    shutil.copyfile(source, staged)
    os.replace(staged, target_dir / PARTIAL_PARSE_FILE)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    pool=WAREHOUSE_POOL,
)
def cdp_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, cdp: CdpSettings
) -> Iterator:
    legacy = tables_without_watermark(
        cdp.warehouse_path(), incremental_relations(dbt_project.manifest_path)
    )
    if legacy:
        context.log.warning(
            f"{len(legacy)} tables predate incremental models ({', '.join(legacy[:3])}…): "
            "this build is a --full-refresh"
        )
    invocation = dbt.cli(build_args(cdp, legacy), context=context)
    try:
        yield from invocation.stream()
    finally:
        # A failed test does not spoil the parse state.
        keep_partial_parse(invocation)
