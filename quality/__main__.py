"""``python -m quality accept <raw_table>``: accept a raw delivery a gate blocked.

For a delivery that is right although a gate says otherwise (a genuinely quiet day, a
deliberate re-send): moves ``quality.raw_watermarks`` to the table's latest load, so
the next run checks only newer deliveries. Uses ``$CDP_WAREHOUSE`` (default
``data/warehouse.duckdb``); stop runs that write the warehouse first.
"""

import argparse
import os
import sys
from datetime import UTC, datetime

import duckdb

from ingest.contract import entity
from quality.state import accept_raw, ensure_quality_schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m quality", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    accept = sub.add_parser("accept", help="accept the pending deliveries of a raw table")
    accept.add_argument("raw_table", help="e.g. pos__transactions or raw.pos__transactions")
    args = parser.parse_args(argv)
    table = args.raw_table.removeprefix("raw.")
    entity(table)  # unknown tables fail here, naming the table
    warehouse = os.environ.get("CDP_WAREHOUSE") or "data/warehouse.duckdb"
    with duckdb.connect(warehouse) as con:
        ensure_quality_schema(con)
        rows = con.execute(
            "SELECT max(loaded_at) FROM raw._load_log WHERE entity = ?", [table]
        ).fetchall()
        latest = rows[0][0] if rows else None
        if latest is None:
            print(f"raw.{table}: nothing loaded yet", file=sys.stderr)
            return 1
        accept_raw(con, table, latest, datetime.now(UTC))
    print(f"raw.{table}: deliveries up to {latest} accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
