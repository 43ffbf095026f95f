"""``python -m bench.e2e``: the end-to-end benchmark of issue 7, item 2.

For each scale it generates a landing zone (``generator/demo.json``: no re-sent
files), materialises the ``materialize_everything`` job in-process on a fresh
warehouse and a temporary Dagster instance, and prints the wall time per stage
(from the run's step events), the total, the peak RSS (this process and its
children, e.g. dbt), and the identity accuracy against the ground truth. For
ratios it then times, on the same standardised records, a plain Splink
tutorial-style model, a deterministic email/phone exact-match baseline, and
DuckDB scanning every landing file once (the floor no pipeline can beat).
This is a command, not a test.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from identity.evaluation import ClusterAccuracy, cluster_accuracy

REPO = Path(__file__).resolve().parents[1]
DEMO_CONFIG = REPO / "generator" / "demo.json"
JOB_NAME = "materialize_everything"
STAGES = ("ingest", "gates", "standardise", "identity", "marts", "sync")
RECORDS = "intermediate.int_person_records_unioned"
XREF_CLUSTERS = (
    "select source || ':' || source_record_id as record_id, golden_id as cluster_id "
    "from wh.identity.customer_xref"
)
ENV_KEYS = ("CDP_LANDING_DIR", "CDP_WAREHOUSE", "CDP_BI_PATH", "DAGSTER_HOME",
            "CDP_CRM_ENDPOINT", "CDP_CRM_TOKEN")


@dataclass
class Timed:
    name: str
    seconds: float
    accuracy: ClusterAccuracy | None = None
    note: str = ""


@dataclass
class ScaleResult:
    people: int
    records: int = 0
    landing_files: int = 0
    landing_bytes: int = 0
    generate_seconds: float = 0.0
    total_seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    steps: list[tuple[str, str, float]] = field(default_factory=list)
    accuracy: ClusterAccuracy | None = None
    baselines: list[Timed] = field(default_factory=list)
    peak_self_mb: float = 0.0
    peak_children_mb: float = 0.0
    failed_steps: list[str] = field(default_factory=list)

    def baseline(self, name: str) -> Timed:
        return next(b for b in self.baselines if b.name == name)


# --------------------------------------------------------------------------- generate


def generate_landing(people: int, root: Path, seed: int = 42) -> tuple[Path, Path]:
    """Write the landing zone and ground truth under ``root``; (landing, truth parquet)."""
    from generator.config import GeneratorConfig, apply_overrides, load_overrides
    from generator.core import generate

    config = GeneratorConfig(people=people, seed=seed, landing_dir=root / "landing",
                             truth_dir=root / "ground_truth", clean=True)
    apply_overrides(config, load_overrides(DEMO_CONFIG))
    generate(config)
    return root / "landing", root / "ground_truth" / "ground_truth.parquet"


def landing_files(landing: Path) -> list[Path]:
    suffixes = {".csv", ".jsonl", ".parquet"}
    return sorted(p for p in landing.rglob("*") if p.is_file() and p.suffix in suffixes)


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


def step_durations(instance, run_id: str) -> list[tuple[str, float, float]]:
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


def stage_times(steps: list[tuple[str, float, float]]) -> tuple[dict, list]:
    stages = dict.fromkeys(STAGES, 0.0)
    detail: list[tuple[str, str, float]] = []
    identity_start = next(
        (s for k, s, _ in steps if k.startswith("golden_customers_resolved")), float("inf")
    )
    for key, start, end in steps:
        stage = classify_step(key, start < identity_start)
        stages[stage] += end - start
        detail.append((key, stage, end - start))
    return stages, detail


def run_pipeline(root: Path, result: ScaleResult) -> None:
    """Materialise every asset in-process and record stage and total wall times."""
    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_job_def(JOB_NAME)
    with dg.DagsterInstance.local_temp(tempdir=os.environ["DAGSTER_HOME"]) as instance:
        start = time.perf_counter()
        run = job.execute_in_process(instance=instance, raise_on_error=False)
        result.total_seconds = time.perf_counter() - start
        result.stages, result.steps = stage_times(step_durations(instance, run.run_id))
    result.failed_steps = [e.step_key or "" for e in run.all_events if e.is_step_failure]
    if not result.failed_steps and not run.success:
        raise RuntimeError(f"{JOB_NAME} failed before any step ran")


# --------------------------------------------------------------------------- accuracy


def load_truth(con: duckdb.DuckDBPyConnection, truth: Path) -> str:
    con.execute(
        "create or replace temp table bench_truth as select source || ':' || "
        "source_record_id as record_id, person_id::varchar as cluster_id "
        f"from read_parquet('{truth}')"
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


def run_baselines(con: duckdb.DuckDBPyConnection, truth: str, files: list[Path]) -> list[Timed]:
    rows: list[int] = []

    def scan() -> str:
        rows.append(scan_landing(con, files))
        return ""

    out = [
        timed("plain Splink tutorial model", lambda: splink_tutorial(con), con, truth,
              "connected components at 0.95"),
        timed("email/phone exact match", lambda: exact_match_baseline(con), con, truth,
              "connected components in SQL"),
    ]
    out.append(timed("DuckDB scan of landing files", scan, con, None))
    out[-1].note = f"{len(files)} files, {rows[0]:,} rows"
    return out


# --------------------------------------------------------------------------- driver


def peak_rss_mb() -> tuple[float, float]:
    """Max RSS of this process and of its (waited-for) children, in MB (Linux: KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def bench_scale(people: int, root: Path, seed: int = 42) -> ScaleResult:
    result = ScaleResult(people=people)
    start = time.perf_counter()
    landing, truth = generate_landing(people, root, seed)
    result.generate_seconds = time.perf_counter() - start
    files = landing_files(landing)
    result.landing_files = len(files)
    result.landing_bytes = sum(f.stat().st_size for f in files)
    with pipeline_env(root, landing) as env:
        run_pipeline(root, result)
    con = duckdb.connect()
    try:
        truth_table = load_truth(con, truth)
        result.records = load_records(con, Path(env["CDP_WAREHOUSE"]))
        result.accuracy = cluster_accuracy(con, "bench_xref", truth_table)
        result.baselines = run_baselines(con, truth_table, files)
    finally:
        con.close()
    result.peak_self_mb, result.peak_children_mb = peak_rss_mb()
    return result


def _scores(a: ClusterAccuracy | None) -> str:
    if a is None:
        return ""
    return (f"pairwise P {a.pairwise.precision:.4f} R {a.pairwise.recall:.4f} "
            f"F1 {a.pairwise.f1:.4f} | B-cubed P {a.bcubed.precision:.4f} "
            f"R {a.bcubed.recall:.4f} F1 {a.bcubed.f1:.4f}")


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def report(r: ScaleResult) -> str:
    """The printed figures for one scale."""
    splink = r.baseline("plain Splink tutorial model").seconds
    scan = r.baseline("DuckDB scan of landing files").seconds
    identity = r.stages.get("identity", 0.0)
    lines = [
        f"== {r.people:,} people: {r.records:,} person records, {r.landing_files} landing "
        f"files ({r.landing_bytes / 1e6:.1f} MB); generated in {r.generate_seconds:.1f} s",
        *(f"  {s:<12} {r.stages.get(s, 0.0):8.1f} s" for s in STAGES),
        f"  {'total':<12} {r.total_seconds:8.1f} s  (run wall time; steps sum "
        f"{sum(r.stages.values()):.1f} s)",
        f"  peak RSS     {r.peak_self_mb:8.0f} MB this process, "
        f"{r.peak_children_mb:.0f} MB largest child (dbt)",
        f"  failed steps (run continued, dependants skipped): {r.failed_steps or 'none'}",
        f"  identity accuracy: {_scores(r.accuracy)}",
        *(f"  {b.name:<30} {b.seconds:7.1f} s  {_scores(b.accuracy)}  [{b.note}]"
          for b in r.baselines),
        f"  ratio identity step / plain Splink: {_ratio(identity, splink)}",
        f"  ratio total / scan floor:           {_ratio(r.total_seconds, scan)}",
    ]
    return "\n".join(lines)


def step_report(r: ScaleResult) -> str:
    return "\n".join(f"    {key:<60} {stage:<12} {sec:7.1f} s" for key, stage, sec in r.steps)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, nargs="+", default=[10_000],
                    help="population sizes to run, e.g. 10000 100000 (default 10000)")
    ap.add_argument("--out", type=Path, default=None,
                    help="keep each scale's files under DIR/<people> (default: a temp dir)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--steps", action="store_true", help="also print every step's time")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for people in args.people:
        with tempfile.TemporaryDirectory(prefix=f"bench_e2e_{people}_") as tmp:
            root = args.out / str(people) if args.out else Path(tmp)
            root.mkdir(parents=True, exist_ok=True)
            result = bench_scale(people, root, args.seed)
            text = report(result) + ("\n" + step_report(result) if args.steps else "")
            print(text, flush=True)
            if args.out:
                (root / "report.txt").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
