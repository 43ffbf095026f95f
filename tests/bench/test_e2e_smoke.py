"""One small real run of ``bench.e2e``: generate, materialise, score, baselines, then an
incremental drop landed on the same warehouse and materialised again, then a re-run with
nothing new landed."""

from pathlib import Path

from bench.e2e import STAGES, bench_scale, classify_step, report, same_result, step_report


def test_classify_step_splits_dbt_runs() -> None:
    assert classify_step("raw__pos__transactions", True) == "ingest"
    assert classify_step("quality_raw__pos__transactions", True) == "gates"
    assert classify_step("cdp_dbt_models", True) == "standardise"
    assert classify_step("cdp_dbt_models_2", False) == "marts"
    assert classify_step("golden_customers_resolved", False) == "identity"
    assert classify_step("enrichment__social_sentiment", False) == "marts"
    assert classify_step("sync__crm_outbox", False) == "sync"


def test_small_end_to_end_run_with_incremental_drop_and_rerun(tmp_path: Path) -> None:
    result = bench_scale(300, tmp_path, incremental_days=1, sample_interval=0.1, rerun=True)

    assert result.records > 0 and result.landing_files > 0
    assert result.held_back and all("2026-11-04" in f for f in result.held_back)
    assert set(result.stages) == set(STAGES)
    assert result.stages["ingest"] > 0 and result.stages["identity"] > 0
    assert result.total_seconds >= max(result.stages.values())
    assert result.accuracy is not None and result.accuracy.records > 0
    assert [b.name for b in result.baselines] == [
        "plain Splink tutorial model", "email/phone exact match", "DuckDB scan of landing files",
    ]
    assert result.peak_self_mb > 0
    assert result.full.peak.self_mb > 0 and result.full.stage_peaks["identity"].self_mb > 0
    assert result.full.identity_split is not None
    assert set(result.full.identity_split) == {"link", "cluster", "identity other"}

    inc = result.incremental
    assert inc is not None and inc.records >= result.records
    assert inc.accuracy is not None and inc.accuracy.records > 0
    assert set(inc.stages) == set(STAGES) and inc.total_seconds > 0

    again = result.rerun
    assert again is not None and set(again.stages) == set(STAGES) and not again.failed_steps
    assert same_result(again, inc)

    text = report(result)
    assert "ratio identity step / plain Splink" in text and "ratio total / scan floor" in text
    assert "-- incremental run" in text and "ratio incremental / full total" in text
    assert "records and accuracy unchanged by the re-run: yes" in text
    assert "incremental" in step_report(result) and "rerun" in step_report(result)
