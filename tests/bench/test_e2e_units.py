"""Pure parts of ``bench.e2e``, ``bench.memory`` and ``bench.phases`` (no pipeline run)."""

from pathlib import Path

import pytest

import identity.engine
import identity.pipeline
from bench.e2e import drop_date, find_truth, link_into, split_last_drops
from bench.memory import MemorySampler, Sample, children_rss_kb, peaks_by_span, status_kb
from bench.phases import identity_phase_probe, split_identity


def test_drop_date_reads_generator_file_names() -> None:
    assert drop_date(Path("web/events_2026-11-03.jsonl")) == "2026-11-03"
    assert drop_date(Path("pos/transactions_2026-11-01_resend.csv")) == "2026-11-01"
    assert drop_date(Path("pos/notes.csv")) is None


def test_split_last_drops_holds_back_the_latest_days() -> None:
    files = [Path(f"s/e_2026-11-0{d}.csv") for d in (1, 2, 3)] + [Path("s/f_2026-11-03.jsonl")]
    first, held = split_last_drops(files, 1)
    assert first == files[:2] and held == [files[2], files[3]]
    first, held = split_last_drops(files, 2)
    assert first == files[:1]
    with pytest.raises(ValueError):
        split_last_drops(files, 3)


def test_link_into_mirrors_relative_paths(tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "pos").mkdir(parents=True)
    f = source / "pos" / "transactions_2026-11-01.csv"
    f.write_text("a\n1\n")
    link_into([f], source, tmp_path / "work")
    link_into([f], source, tmp_path / "work")  # idempotent
    linked = tmp_path / "work" / "pos" / "transactions_2026-11-01.csv"
    assert linked.is_symlink() and linked.read_text() == "a\n1\n"


def test_find_truth_looks_beside_the_landing(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    (tmp_path / "truth").mkdir()
    (tmp_path / "truth" / "ground_truth.parquet").write_bytes(b"")
    assert find_truth(tmp_path / "landing", None) == tmp_path / "truth" / "ground_truth.parquet"
    assert find_truth(tmp_path / "landing", tmp_path / "truth") == (
        tmp_path / "truth" / "ground_truth.parquet")
    with pytest.raises(FileNotFoundError):
        find_truth(tmp_path / "nowhere" / "landing", None)


def test_status_kb_parses_proc_status() -> None:
    text = "Name:\tpython\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n"
    assert status_kb(text, "VmHWM") == 2048 and status_kb(text, "VmRSS") == 1024
    assert status_kb(text, "VmSwap") == 0


def test_peaks_by_span_pools_overlapping_windows() -> None:
    samples = [Sample(0, 1, 100 * 1024, 0), Sample(1, 2, 300 * 1024, 50 * 1024),
               Sample(2, 3, 200 * 1024, 0)]
    peaks = peaks_by_span(samples, [("a", 0.1, 0.9), ("b", 1.5, 1.8), ("a", 2.5, 2.6)])
    assert peaks["a"].self_mb == 200 and peaks["a"].children_mb == 0
    assert peaks["b"].self_mb == 300 and peaks["b"].total_mb == 350
    assert peaks_by_span(samples, [("none", 10, 11)])["none"].self_mb == 0


def test_sampler_sees_this_process_and_children() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(2)"])
    try:
        with MemorySampler(0.05) as sampler:
            blob = bytearray(64 * 1024 * 1024)  # touched: counts in RSS
            blob[::4096] = b"x" * len(blob[::4096])
            seen_child = children_rss_kb(__import__("os").getpid())
    finally:
        child.wait()
    assert sampler.samples and sampler.peak().self_mb >= 64
    assert seen_child > 0


def test_identity_probe_wraps_and_restores() -> None:
    before = (identity.pipeline.run_engine, identity.engine.cluster_records)
    with identity_phase_probe() as calls:
        assert calls is not None
        assert identity.pipeline.run_engine is not before[0]
    assert (identity.pipeline.run_engine, identity.engine.cluster_records) == before


def test_split_identity() -> None:
    calls = [("cluster", 2.0, 5.0), ("engine", 1.0, 11.0)]
    assert split_identity(15.0, calls) == {"link": 7.0, "cluster": 3.0, "identity other": 5.0}
    assert split_identity(15.0, None) is None and split_identity(15.0, []) is None


def test_report_prints_stages_split_memory_and_incremental_ratios() -> None:
    from bench.e2e import STAGES, RunResult, ScaleResult, Timed, report, step_report
    from bench.memory import Peak

    def run(scale: float) -> RunResult:
        stages = {s: scale * (i + 1) for i, s in enumerate(STAGES)}
        return RunResult(
            total_seconds=scale * 30, stages=stages,
            steps=[("golden_customers_resolved", "identity", stages["identity"])],
            peak=Peak(900, 300, 1100), stage_peaks={"identity": Peak(900, 0, 900)},
            step_peaks={"golden_customers_resolved": Peak(900, 0, 900)},
            identity_split={"link": 2.0, "cluster": 1.0, "identity other": 1.0},
            records=int(1000 * (1 + scale / 10)),
        )

    result = ScaleResult(people=1000, label="1,000 people", full=run(1.0),
                         incremental=run(0.1), held_back=["pos/t_2026-11-04.csv"],
                         baselines=[Timed("plain Splink tutorial model", 2.0),
                                    Timed("DuckDB scan of landing files", 0.5)])
    result.records = result.full.records
    text = report(result)
    assert "peak    900 MB +   300 MB children (  1100 MB together)" in text
    assert "link" in text and "cluster" in text and "identity other" in text
    assert "ratio identity step / plain Splink: 2.00x" in text
    assert "-- incremental run: 1 files landed, -90 person records" in text
    assert "ratio incremental / full total:     0.10x" in text
    assert "incremental golden_customers_resolved" in step_report(result)
    assert "-- re-run" not in text


def test_report_splits_the_drop_into_the_rerun_floor_and_the_rest() -> None:
    from bench.e2e import STAGES, RunResult, ScaleResult, report, step_report

    def run(scale: float, records: int) -> RunResult:
        stages = {s: scale * (i + 1) for i, s in enumerate(STAGES)}
        steps = [("golden_customers_resolved", "identity", stages["identity"])]
        return RunResult(total_seconds=scale * 30, stages=stages, steps=steps,
                         records=records)

    result = ScaleResult(people=1000, full=run(1.0, 1000), incremental=run(0.4, 1010),
                         rerun=run(0.3, 1010))
    text = report(result)
    assert "-- re-run, nothing new landed" in text
    assert "records and accuracy unchanged by the re-run: yes" in text
    assert "ratio re-run / full total:          0.30x" in text
    # 0.4 * 30 - 0.3 * 30 = 3 s above the floor; identity (4th stage): 1.6 - 1.2
    assert "incremental run above the re-run:   3.0 s (0.10x of the full run)" in text
    assert "identity +0.4" in text
    assert "rerun       golden_customers_resolved" in step_report(result)

    result.rerun = run(0.3, 1011)
    assert "records and accuracy unchanged by the re-run: NO" in report(result)


def test_same_result_allows_float_rounding_only() -> None:
    from bench.e2e import RunResult, same_result
    from identity.evaluation import ClusterAccuracy, Scores

    def scored(recall: float, clusters: int = 7) -> RunResult:
        accuracy = ClusterAccuracy(Scores(1.0, 0.5, 2 / 3), Scores(1.0, recall, 0.8), 10,
                                   clusters, 5, 3, 6, 3)
        return RunResult(records=10, accuracy=accuracy)

    assert same_result(scored(0.6930057825397439), scored(0.693005782539744))
    assert not same_result(scored(0.6930), scored(0.6931))
    assert not same_result(scored(0.69), scored(0.69, clusters=8))
    assert not same_result(scored(0.69), RunResult(records=10))
    assert same_result(RunResult(records=3), RunResult(records=3))
