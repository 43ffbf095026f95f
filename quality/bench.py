"""``python -m quality.bench WAREHOUSE``: time every gate on a copy of a built warehouse.

A measurement command, not a test (docs/quality.md, "Cost"). The warehouse is copied
into a temporary folder (the original is never written); every raw gate, the identity
gate and every marts gate then run in one process, as the in-process Dagster executor
runs them, with a fresh Data Docs site built once per layer (as one Dagster step builds
it once for its gates). Prints wall and CPU seconds per gate (CPU is the steadier figure
on a shared machine), the Great Expectations import once, and the peak RSS of the
process. ``--pending all`` forgets the raw watermarks and the accepted identity and
marts rows first (a first load: every row is checked); ``--pending new`` keeps them (a
run with no new delivery: the fixed cost per gate). ``--passes N`` runs every gate N
times on the same copy: the second pass of ``--pending all`` is a run after a first
load in which nothing changed. ``--profile N`` adds the top N functions by cumulative
time.
"""

import argparse
import cProfile
import pstats
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from quality.gx_runner import DataDocs, data_docs
from quality.results import GateResult


def gate_runs(
    con: duckdb.DuckDBPyConnection, docs: Path | DataDocs
) -> list[tuple[str, Callable[[], GateResult]]]:
    """(label, run) of every gate the warehouse has tables for, in pipeline order."""
    from ingest.contract import ENTITIES
    from quality import run_identity_gate, run_marts_gate, run_raw_gate

    raw = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'"
    ).fetchall()}  # fmt: skip
    marts = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
        "ORDER BY table_name"
    ).fetchall()]  # fmt: skip
    runs: list[tuple[str, Callable[[], GateResult]]] = [
        (f"raw.{e.raw_table}", lambda t=e.raw_table: run_raw_gate(con, t, docs_dir=docs))
        for e in ENTITIES
        if e.raw_table in raw
    ]
    runs.append(("identity.customer_xref", lambda: run_identity_gate(con, docs_dir=docs)))
    runs += [(f"marts.{m}", lambda m=m: run_marts_gate(con, m, docs_dir=docs)) for m in marts]
    return runs


def _timed(
    label: str,
    run: Callable[[], GateResult],
    profile: cProfile.Profile | None,
    wall: float,
    cpu: float,
) -> tuple[float, float]:
    w0, c0 = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    gate = run()
    if profile:
        profile.disable()
    w, c = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"{label:40} {w:6.2f} s wall {c:6.2f} s cpu  {gate.rows_in_scope:>10,} rows "
        f"{gate.rows_checked:>10,} checked  {len(gate.outcomes):3} expectations"
        f"  failed: {', '.join(gate.failed_checks) or '-'}"
    )
    return wall + w, cpu + c


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quality.bench", description=__doc__)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--pending", choices=("all", "new"), default="all")
    parser.add_argument("--passes", type=int, default=1, metavar="N")
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cdp-gates-") as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        shutil.copy(args.warehouse, warehouse)
        started = time.perf_counter()
        import great_expectations  # noqa: F401  (once per process, as in a Dagster run)

        print(f"import great_expectations  {time.perf_counter() - started:6.1f} s")
        from quality import docs_dir_for

        con = duckdb.connect(str(warehouse))
        con.execute("SET enable_progress_bar = false")
        if args.pending == "all":
            con.execute("CREATE SCHEMA IF NOT EXISTS quality")
            con.execute("DROP TABLE IF EXISTS quality.raw_watermarks")
            con.execute("DROP TABLE IF EXISTS quality.accepted_frames")
        profile = cProfile.Profile() if args.profile else None
        for n in range(args.passes):
            print(f"-- pass {n + 1}")
            wall = cpu = 0.0
            for layer in ("raw", "identity", "marts"):
                w0, c0 = time.perf_counter(), time.process_time()
                with data_docs(docs_dir_for(warehouse)) as docs:
                    assert docs is not None
                    for label, run in gate_runs(con, docs):
                        if label.split(".")[0] == layer:
                            wall, cpu = _timed(label, run, profile, wall, cpu)
                    if profile:
                        profile.enable()
                if profile:
                    profile.disable()
                w, c = time.perf_counter() - w0, time.process_time() - c0
                print(f"{layer + ' layer (gates + Data Docs)':40} {w:6.2f} s wall {c:6.2f} s cpu")
            print(
                f"{'all gates':40} {wall:6.2f} s wall {cpu:6.2f} s cpu (without Data Docs builds)"
            )
        con.close()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:,.0f} MB")
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
