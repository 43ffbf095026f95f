"""``python -m bench.e2e``: the end-to-end benchmark of issue 7, item 2.

For each scale it generates a landing zone (``generator/demo.json``: no re-sent
files) or reuses one (``--landing``), materialises the ``materialize_everything``
job in-process on a fresh warehouse and a temporary Dagster instance, and prints
the wall time and peak memory per stage (from the run's step events and a memory
sampling thread), the total, and the identity accuracy against the ground truth.
For ratios it then times, on the same standardised records, a plain Splink
tutorial-style model, a deterministic email/phone exact-match baseline, and
DuckDB scanning every landing file once (the floor no pipeline can beat).
With ``--incremental`` the last daily drop is held back from the full run and
landed afterwards, and the same job is materialised again on the same warehouse
and Dagster instance (issue 7, item 3: an incremental drop in <= 10% of the full
run's time). With ``--rerun`` the job is materialised once more with nothing new
landed: the cost every run pays at this scale whatever its drop holds, so the drop's
time splits into that floor and the part that follows the drop. This is a command,
not a test.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field
from pathlib import Path

import duckdb

from bench.memory import MemorySampler, Peak, peak_of, peaks_by_span
from bench.phases import identity_phase_probe, split_identity
from identity.evaluation import ClusterAccuracy, cluster_accuracy

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "generator" / "demo.json"
JOB_NAME = "materialize_everything"
STAGES = ("ingest", "gates", "standardise", "identity", "marts", "sync")
IDENTITY_PHASES = ("link", "cluster", "identity other")
RECORDS = "intermediate.int_person_records_unioned"
XREF_CLUSTERS = (
    "select source || ':' || source_record_id as record_id, golden_id as cluster_id "
    "from wh.identity.customer_xref"
)
ENV_KEYS = ("CDP_LANDING_DIR", "CDP_WAREHOUSE", "CDP_BI_PATH", "DAGSTER_HOME",
            "CDP_CRM_ENDPOINT", "CDP_CRM_TOKEN")
LANDING_SUFFIXES = {".csv", ".jsonl", ".parquet"}
# <entity>_<YYYY-MM-DD>[_resend].<ext>, the generator's file names (docs/generator.md)
DROP_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})(?:_resend)?\.[a-z]+$")


@dataclass
class Timed:
    name: str
    seconds: float
    accuracy: ClusterAccuracy | None = None
    note: str = ""


@dataclass
class RunResult:
    """One materialisation of the job."""

    total_seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    steps: list[tuple[str, str, float]] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    peak: Peak = field(default_factory=lambda: Peak(0.0, 0.0, 0.0))
    stage_peaks: dict[str, Peak] = field(default_factory=dict)
    step_peaks: dict[str, Peak] = field(default_factory=dict)
    identity_split: dict[str, float] | None = None
    records: int = 0
    accuracy: ClusterAccuracy | None = None


@dataclass
class ScaleResult:
    people: int
    label: str = ""
    records: int = 0
    landing_files: int = 0
    landing_bytes: int = 0
    generate_seconds: float = 0.0
    full: RunResult = field(default_factory=RunResult)
    incremental: RunResult | None = None
    #: The job run again with nothing new landed (``--rerun``).
    rerun: RunResult | None = None
    held_back: list[str] = field(default_factory=list)
    baselines: list[Timed] = field(default_factory=list)
    peak_self_mb: float = 0.0
    peak_children_mb: float = 0.0
    bench_peak: Peak = field(default_factory=lambda: Peak(0.0, 0.0, 0.0))

    # The full run's figures under their historical names (report, tests).
    @property
    def total_seconds(self) -> float:
        return self.full.total_seconds

    @property
    def stages(self) -> dict[str, float]:
        return self.full.stages

    @property
    def accuracy(self) -> ClusterAccuracy | None:
        return self.full.accuracy

    def baseline_seconds(self, name: str) -> float:
        """Seconds of baseline ``name``; 0 when it was not run (its ratio prints n/a)."""
        return next((b.seconds for b in self.baselines if b.name == name), 0.0)


# --------------------------------------------------------------------------- landing


def generate_landing(people: int, root: Path, seed: int = 42,
                     days: int = 3) -> tuple[Path, Path]:
    """Write the landing zone and ground truth under ``root``; (landing, truth parquet)."""
    from generator.config import GeneratorConfig, apply_overrides, load_overrides
    from generator.core import generate

    config = GeneratorConfig(people=people, seed=seed, landing_dir=root / "landing",
                             truth_dir=root / "ground_truth", days=days, clean=True)
    apply_overrides(config, load_overrides(DEMO_CONFIG))
    generate(config)
    return root / "landing", root / "ground_truth" / "ground_truth.parquet"


def landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file() and p.suffix in LANDING_SUFFIXES)


def find_truth(landing: Path, truth: Path | None) -> Path:
    """``truth`` (a parquet file or its folder), else ``truth/`` or ``ground_truth/`` beside
    the landing folder (the layouts ``cdp-generate`` and this bench write)."""
    candidates = [truth] if truth else [landing.parent / "truth", landing.parent / "ground_truth"]
    for c in candidates:
        path = c / "ground_truth.parquet" if c.is_dir() else c
        if path.is_file():
            return path
    raise FileNotFoundError(f"no ground_truth.parquet for {landing} (tried {candidates})")


def drop_date(path: Path) -> str | None:
    match = DROP_DATE.search(path.name)
    return match.group(1) if match else None


def split_last_drops(files: list[Path], days: int) -> tuple[list[Path], list[Path]]:
    """(files of the earlier drops, files of the last ``days`` drops), by file-name date."""
    dates = sorted({d for f in files if (d := drop_date(f))})
    if days < 1 or len(dates) <= days:
        raise ValueError(f"need more than {days} drop day(s) to hold back, found {dates}")
    held = set(dates[-days:])
    return ([f for f in files if drop_date(f) not in held],
            [f for f in files if drop_date(f) in held])


def fresh_workdir(root: Path) -> None:
    """Remove what an earlier run left under ``root`` (``--out``): every run starts from an
    empty warehouse, instance and landing folder of links; generated data is kept apart."""
    import shutil

    for name in ("landing", "bi", "dagster_home", "identity_charts"):
        shutil.rmtree(root / name, ignore_errors=True)
    for name in ("warehouse.duckdb", "warehouse.duckdb.wal"):
        (root / name).unlink(missing_ok=True)


def link_into(files: list[Path], source: Path, target: Path) -> None:
    """Symlink ``files`` (under ``source``) into ``target`` with the same relative paths:
    a reused landing zone stays read-only and nothing is copied."""
    for f in files:
        dest = target / f.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if not dest.exists():
            dest.symlink_to(f.resolve())


# --------------------------------------------------------------------------- pipeline


@contextmanager
def pipeline_env(root: Path, landing: Path) -> Iterator[dict[str, str]]:
    """Point the platform at a fresh warehouse, BI copy and DAGSTER_HOME under ``root``."""
    values = {
        "CDP_LANDING_DIR": str(landing),
        "CDP_WAREHOUSE": str(root / "warehouse.duckdb"),
        "CDP_BI_PATH": str(root / "bi" / "cdp_bi.duckdb"),
        "DAGSTER_HOME": str(root / "dagster_home"),
    }
    saved = {k: os.environ.get(k) for k in ENV_KEYS}
    Path(values["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    for key in ENV_KEYS:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield values
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def classify_step(step_key: str, before_identity: bool) -> str:
    """The stage of a step; dbt steps that start before the identity step standardise."""
    if step_key.startswith("quality") or "check" in step_key:
        return "gates"
    if step_key.startswith("raw") or "ingest" in step_key:
        return "ingest"
    if step_key.startswith("golden_customers_resolved"):
        return "identity"
    if step_key.startswith("sync") or "crm" in step_key:
        return "sync"
    if step_key.startswith("cdp_dbt_models"):
        return "standardise" if before_identity else "marts"
    return "marts"


def step_spans(instance, run_id: str) -> list[tuple[str, float, float]]:
    """(step key, start, end) per step, in start order, from the run's event log."""
    import dagster as dg

    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or entry.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[entry.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS,
                                  dg.DagsterEventType.STEP_FAILURE,
                                  dg.DagsterEventType.STEP_SKIPPED):
            ends[entry.step_key] = entry.timestamp
    rows = [(k, s, ends.get(k, s)) for k, s in starts.items()]
    return sorted(rows, key=lambda r: r[1])


def stage_spans(steps: list[tuple[str, float, float]]) -> list[tuple[str, str, float, float]]:
    """(step key, stage, start, end) per step."""
    identity_start = next(
        (s for k, s, _ in steps if k.startswith("golden_customers_resolved")), float("inf")
    )
    return [(key, classify_step(key, start < identity_start), start, end)
            for key, start, end in steps]


def stage_times(steps: list[tuple[str, float, float]]) -> tuple[dict, list]:
    stages = dict.fromkeys(STAGES, 0.0)
    detail: list[tuple[str, str, float]] = []
    for key, stage, start, end in stage_spans(steps):
        stages[stage] += end - start
        detail.append((key, stage, end - start))
    return stages, detail


def run_pipeline(instance, result: RunResult, sample_interval: float = 0.2) -> None:
    """Materialise every asset in-process; record stage times, peaks and failed steps."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def(JOB_NAME)
    with MemorySampler(sample_interval) as sampler, identity_phase_probe() as calls:
        start = time.perf_counter()
        run = job.execute_in_process(instance=instance, raise_on_error=False)
        result.total_seconds = time.perf_counter() - start
    steps = step_spans(instance, run.run_id)
    result.stages, result.steps = stage_times(steps)
    spans = stage_spans(steps)
    result.peak = sampler.peak()
    result.stage_peaks = peaks_by_span(sampler.samples, [(g, s, e) for _, g, s, e in spans])
    result.step_peaks = peaks_by_span(sampler.samples, [(k, s, e) for k, _, s, e in spans])
    result.identity_split = split_identity(result.stages.get("identity", 0.0), calls)
    result.failed_steps = [e.step_key or "" for e in run.all_events if e.is_step_failure]
    if not result.failed_steps and not run.success:
        raise RuntimeError(f"{JOB_NAME} failed before any step ran")


# --------------------------------------------------------------------------- accuracy


def load_truth(con: duckdb.DuckDBPyConnection, truth: Path,
               only_loaded: bool = False) -> str:
    """The truth as (record_id, cluster_id); ``only_loaded`` keeps the records that reached
    ``bench_records`` (a run before a held-back drop cannot know the drop's records)."""
    keep = "where record_id in (select unique_id from bench_records)" if only_loaded else ""
    con.execute(
        "create or replace temp table bench_truth as select * from (select source || ':' || "
        "source_record_id as record_id, person_id::varchar as cluster_id "
        f"from read_parquet('{truth}')) {keep}"
    )
    return "bench_truth"


def load_records(con: duckdb.DuckDBPyConnection, warehouse: Path) -> int:
    """Copy the standardised records into memory (``bench_records`` with ``unique_id``)."""
    con.execute(f"attach '{warehouse}' as wh (read_only)")
    con.execute(
        "create or replace temp table bench_records as select "
        "source || ':' || source_record_id as unique_id, * "
        f"from wh.{RECORDS}"
    )
    con.execute(
        f"create or replace temp table bench_xref as {XREF_CLUSTERS}"
    )
    return int(con.execute("select count(*) from bench_records").fetchone()[0])


def score_run(warehouse: Path, truth: Path, result: RunResult) -> None:
    """Record count and identity accuracy of the warehouse as it is now, over the records
    that reached identity: a run before a held-back drop cannot know the drop's records,
    and rows quarantined by ingest never become records (counting them would read as
    lost recall)."""
    con = duckdb.connect()
    try:
        result.records = load_records(con, warehouse)
        result.accuracy = cluster_accuracy(con, "bench_xref", load_truth(con, truth, True))
    except duckdb.CatalogException:
        pass  # a failed step left no records or xref: the report shows 0 and no scores
    finally:
        con.close()


# --------------------------------------------------------------------------- baselines


def timed(name: str, run: Callable[[], str], con: duckdb.DuckDBPyConnection,
          truth: str | None, note: str = "") -> Timed:
    start = time.perf_counter()
    clusters = run()
    seconds = time.perf_counter() - start
    accuracy = cluster_accuracy(con, clusters, truth) if truth else None
    return Timed(name, seconds, accuracy, note)


def splink_tutorial(con: duckdb.DuckDBPyConnection, threshold: float = 0.95) -> str:
    """A plain Splink tutorial-style dedupe of ``bench_records``; (record_id, cluster_id)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("email_match_key"),
            block_on("phone_match_key"),
            block_on("account_id"),
            block_on("family_name", "given_name"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone_e164").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("city"),
        ],
    )
    linker = Linker(DuckDBAPI(connection=con).register("bench_records"), settings,
                    log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email_match_key"), block_on("phone_match_key")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("family_name", "given_name"), block_on("phone_match_key")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=0.01,
                                           warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    con.execute(
        "create or replace temp table bench_splink_clusters as select unique_id::varchar "
        f"as record_id, cluster_id::varchar as cluster_id from {clusters.physical_name}"
    )
    linker.table_management.delete_tables_created_by_splink_from_db()
    return "bench_splink_clusters"


def exact_match_baseline(con: duckdb.DuckDBPyConnection) -> str:
    """Connected components over exact email / phone match keys, all in DuckDB SQL."""
    con.execute(
        """
        create or replace temp table bench_keys as
        select unique_id, 'e:' || email_match_key as k from bench_records
        where email_match_key is not null
        union all
        select unique_id, 'p:' || phone_match_key from bench_records
        where phone_match_key is not null
        """
    )
    con.execute("create or replace temp table bench_cc as "
                "select unique_id, unique_id as label from bench_records")
    changed = 1
    while changed:
        con.execute(
            """
            create or replace temp table bench_cc_next as
            with key_label as (
                select k, min(c.label) as label
                from bench_keys join bench_cc c using (unique_id) group by k
            ),
            best as (
                select b.unique_id, min(l.label) as label
                from bench_keys b join key_label l using (k) group by b.unique_id
            )
            select c.unique_id, least(c.label, coalesce(best.label, c.label)) as label
            from bench_cc c left join best using (unique_id)
            """
        )
        changed = con.execute(
            "select count(*) from bench_cc_next n join bench_cc c using (unique_id) "
            "where n.label <> c.label"
        ).fetchone()[0]
        con.execute("create or replace temp table bench_cc as select * from bench_cc_next")
    return "(select unique_id as record_id, label as cluster_id from bench_cc)"


def scan_sql(path: Path) -> str:
    if path.suffix == ".parquet":
        return f"select count(*) from read_parquet('{path}')"
    if path.suffix == ".jsonl":
        return (f"select count(*) from read_json('{path}', format='newline_delimited', "
                "ignore_errors=true)")
    return (f"select count(*) from read_csv('{path}', header=true, delim=',', quote='\"', "
            "escape='\"', all_varchar=true, ignore_errors=true, strict_mode=false)")


def scan_landing(con: duckdb.DuckDBPyConnection, files: list[Path]) -> int:
    return sum(int(con.execute(scan_sql(f)).fetchone()[0]) for f in files)


BASELINES = ("splink", "exact", "scan")


def run_baselines(con: duckdb.DuckDBPyConnection, truth: str, files: list[Path],
                  which: tuple[str, ...] = BASELINES) -> list[Timed]:
    rows: list[int] = []

    def scan() -> str:
        rows.append(scan_landing(con, files))
        return ""

    out = []
    if "splink" in which:
        out.append(timed("plain Splink tutorial model", lambda: splink_tutorial(con), con,
                         truth, "connected components at 0.95"))
    if "exact" in which:
        out.append(timed("email/phone exact match", lambda: exact_match_baseline(con), con,
                         truth, "connected components in SQL"))
    if "scan" in which:
        out.append(timed("DuckDB scan of landing files", scan, con, None))
        out[-1].note = f"{len(files)} files, {rows[0]:,} rows"
    return out


# --------------------------------------------------------------------------- driver


def peak_rss_mb() -> tuple[float, float]:
    """Max RSS of this process and of its (waited-for) children, in MB (Linux: KB).

    ``ru_maxrss`` of this process is reset along with ``VmHWM`` by the memory sampler,
    so it is only the peak since the sampler's last reset; callers take the max with
    the sampler's figures."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def bench_scale(people: int, root: Path, seed: int = 42, *, landing: Path | None = None,
                truth: Path | None = None, incremental_days: int = 0,
                sample_interval: float = 0.2,
                baselines: tuple[str, ...] = BASELINES, days: int = 3,
                rerun: bool = False) -> ScaleResult:
    """Benchmark one scale under ``root`` (see module doc).

    ``landing`` reuses an existing landing zone (read-only, symlinked) with its ``truth``
    instead of generating; ``incremental_days`` > 0 holds that many last drops back
    from the full run and lands them for a second, incremental run. A generated zone
    gets ``days`` drops for the full run plus the held-back ones, so the full run is the
    same with or without ``incremental_days`` (and the raw volume gate, which compares a
    delivery with the median of the files accepted before, sees daily files there).
    ``rerun`` materialises the job once more at the end with nothing new landed.
    """
    import dagster as dg

    result = ScaleResult(people=people, label=f"{people:,} people")
    if landing is None:
        start = time.perf_counter()
        source, truth = generate_landing(people, root / "generated", seed,
                                         days + incremental_days)
        result.generate_seconds = time.perf_counter() - start
    else:
        source, truth = landing, find_truth(landing, truth)
        result.label = f"landing {landing}"
    files = landing_files(source)
    first, held = split_last_drops(files, incremental_days) if incremental_days else (files, [])
    result.held_back = [f.relative_to(source).as_posix() for f in held]
    result.landing_files = len(first)
    result.landing_bytes = sum(f.stat().st_size for f in first)
    fresh_workdir(root)
    work_landing = root / "landing"
    link_into(first, source, work_landing)
    bench_samples: list = []
    with pipeline_env(root, work_landing) as env, \
            dg.DagsterInstance.local_temp(tempdir=env["DAGSTER_HOME"]) as instance:
        warehouse = Path(env["CDP_WAREHOUSE"])
        run_pipeline(instance, result.full, sample_interval)
        score_run(warehouse, truth, result.full)
        with MemorySampler(sample_interval) as sampler:
            result.baselines = bench_baselines(warehouse, truth, first, baselines)
        bench_samples.extend(sampler.samples)
        result.records = result.full.records
        if held:
            link_into(held, source, work_landing)
            result.incremental = RunResult()
            run_pipeline(instance, result.incremental, sample_interval)
            score_run(warehouse, truth, result.incremental)
        if rerun:
            result.rerun = RunResult()
            run_pipeline(instance, result.rerun, sample_interval)
            score_run(warehouse, truth, result.rerun)
    result.bench_peak = peak_of(bench_samples)
    own, children = peak_rss_mb()
    runs = [run for _, run in named_runs(result)]
    result.peak_self_mb = max([own, result.bench_peak.self_mb, *(r.peak.self_mb for r in runs)])
    result.peak_children_mb = max([children, *(r.peak.children_mb for r in runs)])
    return result


def bench_baselines(warehouse: Path, truth: Path, files: list[Path],
                    which: tuple[str, ...] = BASELINES) -> list[Timed]:
    """The baselines on the records that reached identity, scored like ``score_run``."""
    con = duckdb.connect()
    try:
        try:
            load_records(con, warehouse)
            loaded = True
        except duckdb.CatalogException:  # no standardised records: only the scan can run
            which = tuple(b for b in which if b == "scan")
            loaded = False
        return run_baselines(con, load_truth(con, truth, loaded), files, which)
    finally:
        con.close()


def _scores(a: ClusterAccuracy | None) -> str:
    if a is None:
        return ""
    return (f"pairwise P {a.pairwise.precision:.4f} R {a.pairwise.recall:.4f} "
            f"F1 {a.pairwise.f1:.4f} | B-cubed P {a.bcubed.precision:.4f} "
            f"R {a.bcubed.recall:.4f} F1 {a.bcubed.f1:.4f}")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def _mem(p: Peak | None) -> str:
    if p is None:
        return ""
    # ``together`` is the largest sum at one sample: the figure a memory budget is about
    # (the two maxima need not coincide).
    return (f"peak {p.self_mb:6.0f} MB + {p.children_mb:5.0f} MB children "
            f"({p.total_mb:6.0f} MB together)")


def run_lines(r: RunResult) -> list[str]:
    """Per-stage time and peak memory, the identity split, total and failed steps."""
    lines = [f"  {'stage':<16} {'wall':>8}    memory (this process + dbt etc.; "
             "largest sum at one sample)"]
    for stage in STAGES:
        lines.append(f"  {stage:<16} {r.stages.get(stage, 0.0):8.1f} s  "
                     f"{_mem(r.stage_peaks.get(stage))}")
        if stage == "identity":
            if r.identity_split is None:
                lines.append("    (no link / cluster split: the identity step did not run, "
                             "or its phases could not be probed)")
            else:
                lines += [f"    {k:<14} {v:8.1f} s" for k, v in r.identity_split.items()]
    lines += [
        f"  {'total':<16} {r.total_seconds:8.1f} s  {_mem(r.peak)}  "
        f"(run wall time; steps sum {sum(r.stages.values()):.1f} s)",
        f"  failed steps (run continued, dependants skipped): {r.failed_steps or 'none'}",
        f"  identity accuracy ({r.records:,} records): {_scores(r.accuracy)}",
    ]
    return lines


def report(r: ScaleResult) -> str:
    """The printed figures for one scale."""
    splink = r.baseline_seconds("plain Splink tutorial model")
    scan = r.baseline_seconds("DuckDB scan of landing files")
    identity = r.stages.get("identity", 0.0)
    held = f"; last drop held back: {len(r.held_back)} files" if r.held_back else ""
    lines = [
        f"== {r.label}: {r.records:,} person records, {r.landing_files} landing "
        f"files ({r.landing_bytes / 1e6:.1f} MB); generated in {r.generate_seconds:.1f} s"
        f"{held}",
        "-- full run",
        *run_lines(r.full),
        *(f"  {b.name:<30} {b.seconds:7.1f} s  {_scores(b.accuracy)}  [{b.note}]"
          for b in r.baselines),
        f"  baselines {_mem(r.bench_peak)}",
        f"  ratio identity step / plain Splink: {_ratio(identity, splink)}",
        f"  ratio total / scan floor:           {_ratio(r.total_seconds, scan)}",
    ]
    if r.incremental is not None:
        inc = r.incremental
        new = inc.records - r.full.records
        lines += [
            f"-- incremental run: {len(r.held_back)} files landed, {new:+,} person records "
            f"({_pct(new, r.full.records)} of {r.full.records:,})",
            *run_lines(inc),
            f"  ratio incremental / full total:     {_ratio(inc.total_seconds, r.total_seconds)}",
            *(f"  ratio incremental / full {s:<10} {_ratio(inc.stages[s], r.stages[s])}"
              for s in STAGES),
        ]
    if r.rerun is not None:
        lines += rerun_lines(r, r.rerun)
    lines.append(f"peak RSS of the whole bench: {r.peak_self_mb:.0f} MB this process (incl. "
                 f"DuckDB native), {r.peak_children_mb:.0f} MB largest child (dbt)")
    return "\n".join(lines)


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.2f}%" if b else "n/a"


def rerun_lines(r: ScaleResult, again: RunResult) -> list[str]:
    """The re-run with nothing new landed (``again``): the floor of any run at this scale,
    and how much of the incremental run's time was above it (the part that follows the
    drop)."""
    same = "yes" if same_result(again, r.incremental or r.full) else "NO"
    lines = [
        "-- re-run, nothing new landed (what every run pays at this scale)",
        *run_lines(again),
        f"  records and accuracy unchanged by the re-run: {same}",
        f"  ratio re-run / full total:          {_ratio(again.total_seconds, r.total_seconds)}",
    ]
    if r.incremental is not None:
        inc = r.incremental
        lines.append(
            f"  incremental run above the re-run:   {inc.total_seconds - again.total_seconds:.1f} s"
            f" ({_ratio(inc.total_seconds - again.total_seconds, r.total_seconds)} of the full"
            " run); by stage: " + ", ".join(
                f"{s} {inc.stages.get(s, 0.0) - again.stages.get(s, 0.0):+.1f}" for s in STAGES))
    return lines


def same_result(a: RunResult, b: RunResult) -> bool:
    """Same records and clusters: every count equal, the scores equal up to float
    rounding (DuckDB's parallel sums add the B-cubed terms in no fixed order)."""
    if a.records != b.records or (a.accuracy is None) != (b.accuracy is None):
        return False
    if a.accuracy is None or b.accuracy is None:
        return True
    counts = ("records", "predicted_clusters", "true_clusters", "predicted_pairs",
              "true_pairs", "correct_pairs")
    scores = [(getattr(a.accuracy, k), getattr(b.accuracy, k)) for k in ("pairwise", "bcubed")]
    return all(getattr(a.accuracy, k) == getattr(b.accuracy, k) for k in counts) and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
        for sa, sb in scores for x, y in zip(astuple(sa), astuple(sb), strict=True)
    )


def named_runs(r: ScaleResult) -> list[tuple[str, RunResult]]:
    """Every materialisation of one scale, in the order they ran."""
    runs = [("full", r.full), ("incremental", r.incremental), ("rerun", r.rerun)]
    return [(name, run) for name, run in runs if run is not None]


def step_report(r: ScaleResult) -> str:
    return "\n".join(
        f"    {name:<12}{key:<60} {stage:<12} {sec:7.1f} s  {_mem(run.step_peaks.get(key))}"
        for name, run in named_runs(r) for key, stage, sec in run.steps
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, nargs="+", default=[10_000],
                    help="population sizes to run, e.g. 10000 100000 (default 10000)")
    ap.add_argument("--landing", type=Path, default=None,
                    help="reuse this landing zone (read-only, symlinked) instead of generating; "
                         "--people is then ignored")
    ap.add_argument("--truth", type=Path, default=None,
                    help="ground_truth.parquet (or its folder) for --landing "
                         "(default: truth/ or ground_truth/ beside the landing folder)")
    ap.add_argument("--incremental", type=int, nargs="?", const=1, default=0, metavar="DAYS",
                    help="hold back the last DAYS drops (default 1) from the full run, then "
                         "land them and run the job again on the same warehouse")
    ap.add_argument("--rerun", action="store_true",
                    help="at the end, run the job once more with nothing new landed (the "
                         "floor every run pays at this scale)")
    ap.add_argument("--out", type=Path, default=None,
                    help="keep each scale's files under DIR/<people> (default: a temp dir)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--days", type=int, default=3,
                    help="daily drops generated for the full run (default 3); --incremental "
                         "adds its DAYS on top")
    ap.add_argument("--sample-interval", type=float, default=0.2,
                    help="seconds between memory samples (default 0.2)")
    ap.add_argument("--baselines", default=",".join(BASELINES),
                    help="comma-separated subset of splink,exact,scan (default all); "
                         "'' skips them")
    ap.add_argument("--steps", action="store_true", help="also print every step's time")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scales = [0] if args.landing else args.people
    for people in scales:
        name = args.landing.parent.name if args.landing else str(people)
        with tempfile.TemporaryDirectory(prefix=f"bench_e2e_{name}_") as tmp:
            root = args.out / name if args.out else Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            result = bench_scale(people, root, args.seed, landing=args.landing,
                                 truth=args.truth, incremental_days=args.incremental,
                                 sample_interval=args.sample_interval,
                                 baselines=tuple(b for b in args.baselines.split(",") if b),
                                 days=args.days, rerun=args.rerun)
            text = report(result) + ("\n" + step_report(result) if args.steps else "")
            print(text, flush=True)
            if args.out:
                (root / "report.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
