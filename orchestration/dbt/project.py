"""The dbt project, built once for the whole code location."""

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# The dbt of this interpreter's environment, whether or not .venv/bin is on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class CdpDbtCliResource(DbtCliResource):
    """``DbtCliResource`` that knows this environment's dbt version without asking.

    dagster-dbt runs ``dbt --version`` once per resource instance, i.e. once per
    run, before the run's first dbt step: a whole dbt start-up (~4 s of CPU, 5-8 s
    at 1M people) for a version string. ``DBT_EXECUTABLE`` is the dbt of this
    interpreter's environment, so its installed dbt-core package gives the same
    answer; any other executable is still asked.
    """

    @cached_property
    def _cli_version(self) -> Version:
        if self.dbt_executable != DBT_EXECUTABLE:
            return DbtCliResource._cli_version.func(self)  # type: ignore[attr-defined]
        return Version(installed_version("dbt-core"))


def parse_dbt_project() -> None:
    """Write the manifest Dagster builds the dbt assets from."""
    dbt = CdpDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


# `make run`, `make test` and `make dev` parse first, so the manifest is that of
# the checked-out code; a bare checkout that skips them still gets one.
if not dbt_project.manifest_path.exists():
    parse_dbt_project()
