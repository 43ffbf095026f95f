"""The dbt project, built once for the whole code location."""

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# The dbt of this interpreter's environment, whether or not .venv/bin is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def parse_dbt_project() -> None:
    """Write the manifest Dagster builds the dbt assets from."""
    dbt = DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


# `make run`, `make test` and `make dev` parse first, so the manifest is that of
# the checked-out code; a bare checkout that skips them still gets one.
if not dbt_project.manifest_path.exists():
    parse_dbt_project()
