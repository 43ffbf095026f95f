"""Print what a run left in the warehouse: ``python -m orchestration.summary``."""

import sys

import duckdb

from ingest.contract import ENTITIES
from orchestration.resources import CdpSettings


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
    ).fetchall()
    return {name for (name,) in rows}


#: What a run produces after ingest, in the order data flows.
DOWNSTREAM_TABLES: tuple[str, ...] = (
    "intermediate.int_person_records_unioned",
    "identity.customer_xref",
    "identity.golden_customers",
    "identity.households",
    "marts.customer_360",
    "marts.customer_segments",
    "marts.customer_timeline",
    "sync.crm_outbox",
)


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def warehouse_summary(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Row counts of every raw table, the quarantine by reason and the main outputs."""
    tables = _existing_tables(con)
    lines = ["raw tables:"]
    for entity in ENTITIES:
        table = f"raw.{entity.raw_table}"
        if table in tables:
            lines.append(f"  {table:<32} {_count(con, table):>12,} rows")
        else:
            lines.append(f"  {table:<32} {'missing':>12}")
    if "raw.quarantine" in tables:
        reasons = con.execute(
            "select split_part(reason, ':', 1) as kind, count(*) from raw.quarantine "
            "group by kind order by kind"
        ).fetchall()
        total = sum(n for _, n in reasons)
        lines.append(f"raw.quarantine: {total:,} rows")
        lines.extend(f"  {kind:<30} {n:>6,}" for kind, n in reasons)
    lines.append("outputs:")
    lines.extend(
        f"  {table:<42} {_count(con, table):>10,} rows"
        if table in tables
        else f"  {table:<42} {'missing':>10}"
        for table in DOWNSTREAM_TABLES
    )
    return lines


def main() -> int:
    path = CdpSettings().warehouse_path()
    if not path.exists():
        print(f"no warehouse at {path}", file=sys.stderr)
        return 1
    with duckdb.connect(str(path), read_only=True) as con:
        print(f"warehouse {path}")
        print("\n".join(warehouse_summary(con)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
