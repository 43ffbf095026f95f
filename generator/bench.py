"""Timing smoke: ``python -m generator.bench --people 1000000`` (not part of the tests).

Generates into a temporary folder (or ``--out``), then prints wall time, peak RSS, rows and
bytes written."""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from generator.config import GeneratorConfig
from generator.core import default_log, generate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m generator.bench")
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="keep the output here")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cdp-bench-") as tmp:
        base = args.out or Path(tmp)
        config = GeneratorConfig(people=args.people, seed=args.seed, days=args.days,
                                 landing_dir=base / "landing", truth_dir=base / "ground_truth")
        start = time.perf_counter()
        manifest = generate(config, log=default_log)
        wall = time.perf_counter() - start
        size = sum(f.get("bytes", 0) for f in manifest.files.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"people={args.people:,} rows={manifest.counts['rows']:,} "
          f"landing={size / 2**20:,.0f} MiB wall={wall:,.1f}s peak_rss={peak_mb:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
