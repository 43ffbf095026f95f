"""dbt builds models side by side on the pipeline's thread setting."""

import json

import pytest
from dbt.cli.main import dbtRunner

from orchestration.dbt.assets import dbt_vars
from orchestration.dbt.project import DBT_PROJECT_DIR
from orchestration.resources import DEFAULT_DBT_THREADS, CdpSettings


def test_thread_setting_comes_from_the_resource_then_the_environment(monkeypatch):
    monkeypatch.delenv("CDP_DBT_THREADS", raising=False)
    assert CdpSettings().dbt_model_threads() == int(DEFAULT_DBT_THREADS)
    monkeypatch.setenv("CDP_DBT_THREADS", "3")
    assert CdpSettings().dbt_model_threads() == 3
    assert CdpSettings(dbt_threads=1).dbt_model_threads() == 1


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_an_unusable_thread_setting_is_refused(monkeypatch, value):
    monkeypatch.setenv("CDP_DBT_THREADS", value)
    with pytest.raises(ValueError, match="CDP_DBT_THREADS"):
        CdpSettings().dbt_model_threads()


def test_dbt_runs_with_the_threads_it_is_handed(tmp_path):
    settings = CdpSettings(warehouse=str(tmp_path / "wh.duckdb"), dbt_threads=3)
    assert json.loads(dbt_vars(settings))["dbt_threads"] == 3
    announced: list[int] = []

    def on_event(event) -> None:  # dbt's "Concurrency: N threads" line
        if event.info.name == "ConcurrencyLine":
            announced.append(event.data.num_threads)

    result = dbtRunner(callbacks=[on_event]).invoke(
        [
            "run",
            "--select",
            "metricflow_time_spine",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--vars",
            dbt_vars(settings),
            "--quiet",
        ]
    )
    assert result.success, result.exception
    assert announced == [3]
