"""The dbt project, built once for the whole code location."""

from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` re-parses on load; `make run` / `make test` run `dbt parse` first
# (see the Makefile), so the manifest is always the one of the checked-out code.
dbt_project.prepare_if_dev()
