"""``cdp-generate``: write a synthetic landing zone and its ground truth."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from generator.config import GeneratorConfig, apply_overrides, load_overrides
from generator.core import default_log, generate
from ingest.contract import FORMATS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="cdp-generate",
        description="Generate a synthetic multi-channel landing zone (Vietnamese sneaker "
                    "retailer) with dirty data and a ground truth for identity resolution.")
    ap.add_argument("--people", type=int, default=2000, help="population size (default 2000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    ap.add_argument("--landing-dir", type=Path, default=Path("data/landing"),
                    help="landing zone root (default data/landing)")
    ap.add_argument("--truth-dir", type=Path, default=Path("data/ground_truth"),
                    help="ground-truth output folder (default data/ground_truth)")
    ap.add_argument("--days", type=int, default=3, help="number of daily drops (default 3)")
    ap.add_argument("--start-date", type=dt.date.fromisoformat, default=dt.date(2026, 11, 1),
                    help="date of the first drop, YYYY-MM-DD (default 2026-11-01)")
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help="comma-separated formats rotated over entities and days "
                         "(default csv,jsonl,parquet)")
    ap.add_argument("--config", type=Path, default=None,
                    help="JSON file overriding rates, participation, volumes, format plan")
    ap.add_argument("--clean", action="store_true",
                    help="first delete files an earlier run left in the landing and truth "
                         "folders (contract-named entity files and the truth files only)")
    ap.add_argument("--quiet", action="store_true", help="no progress output")
    return ap.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> GeneratorConfig:
    config = GeneratorConfig(
        people=args.people, seed=args.seed, landing_dir=args.landing_dir,
        truth_dir=args.truth_dir, days=args.days, start_date=args.start_date,
        formats=tuple(f.strip() for f in args.formats.split(",") if f.strip()),
        config_file=str(args.config) if args.config else None, clean=args.clean,
    )
    if args.config:
        apply_overrides(config, load_overrides(args.config))
    config.validate()
    return config


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_from_args(args)
    except (ValueError, OSError) as exc:
        print(f"cdp-generate: {exc}", file=sys.stderr)
        return 2
    manifest = generate(config, log=None if args.quiet else default_log)
    if not args.quiet:
        c = manifest.counts
        print(f"wrote {c['files']} files, {c['rows']:,} rows for {c['people']:,} people "
              f"(+{c['walk_in_people']:,} walk-ins) to {config.landing_dir}; "
              f"ground truth in {config.truth_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
