"""``python -m crm_sync``: sync, export, push and erase from the command line.

The warehouse is ``--warehouse`` or ``CDP_WAREHOUSE`` (default data/warehouse.duckdb);
the CRM endpoint and token come from ``CDP_CRM_ENDPOINT`` / ``CDP_CRM_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from crm_sync.erasure import apply_tombstones, erase
from crm_sync.export import export_events
from crm_sync.http_push import RetryPolicy, push
from crm_sync.mapping import load_mapping
from crm_sync.outbox import build_outbox

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_EXPORT_DIR = "data/crm_exports"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_sync", description=__doc__)
    parser.add_argument("--warehouse", help="DuckDB file (default: $CDP_WAREHOUSE)")
    sub = parser.add_subparsers(dest="command", required=True)

    sync = sub.add_parser("sync", help="append changes to sync.crm_outbox (and push/export)")
    sync.add_argument("--push", action="store_true", help="push to $CDP_CRM_ENDPOINT")
    sync.add_argument("--export-dir", type=Path, help="also write this sync's JSONL + CSV")
    sync.add_argument("--mapping", type=Path, help="field mapping JSON (default: HubSpot)")
    sync.add_argument("--batch-size", type=int, default=100)
    sync.add_argument("--timeout", type=float, default=10.0)
    sync.add_argument("--max-attempts", type=int, default=6)

    export = sub.add_parser("export", help="write outbox events as JSONL + CSV")
    export.add_argument("--dir", type=Path, default=Path(DEFAULT_EXPORT_DIR))
    export.add_argument("--after-sequence", type=int, default=0)
    export.add_argument("--up-to", type=int)

    erase_cmd = sub.add_parser("erase", help="forget a person, emit a delete, keep a tombstone")
    who = erase_cmd.add_mutually_exclusive_group(required=True)
    who.add_argument("--email")
    who.add_argument("--phone")
    who.add_argument("--golden-id")
    erase_cmd.add_argument("--push", action="store_true", help="push the delete now")
    return parser


def _sync(con: duckdb.DuckDBPyConnection, args: argparse.Namespace) -> dict:
    apply_tombstones(con)
    outbox = build_outbox(con)
    report: dict = {
        "events": outbox.events,
        "first_sequence": outbox.first_sequence,
        "last_sequence": outbox.last_sequence,
    }
    if getattr(args, "export_dir", None) and outbox.first_sequence is not None:
        exported = export_events(
            con,
            args.export_dir,
            after_sequence=outbox.first_sequence - 1,
            up_to=outbox.last_sequence,
        )
        report["export"] = [str(exported.jsonl), str(exported.csv)]
    if args.push:
        policy = RetryPolicy(
            max_attempts=getattr(args, "max_attempts", 6), timeout=getattr(args, "timeout", 10.0)
        )
        result = push(
            con,
            mapping=load_mapping(getattr(args, "mapping", None)),
            policy=policy,
            max_batch=getattr(args, "batch_size", 100),
        )
        report["push"] = {
            "events": result.events,
            "batches": result.batches,
            "acked_sequence": result.acked_sequence,
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    warehouse = args.warehouse or os.environ.get("CDP_WAREHOUSE") or DEFAULT_WAREHOUSE
    with duckdb.connect(warehouse) as con:
        if args.command == "sync":
            report = _sync(con, args)
        elif args.command == "export":
            exported = export_events(
                con, args.dir, after_sequence=args.after_sequence, up_to=args.up_to
            )
            report = (
                {"events": 0}
                if exported is None
                else {"events": exported.events, "files": [str(exported.jsonl), str(exported.csv)]}
            )
        else:
            erased = erase(con, email=args.email, phone=args.phone, golden_id=args.golden_id)
            report = {
                "erased_golden_ids": len(erased.golden_ids),
                "deleted_rows": erased.deleted_rows,
                **_sync(con, args),
            }
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
