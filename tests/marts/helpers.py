"""What the incremental staging and marts tests share: landing files, ingest,
dbt and the row-for-row comparison of two tables."""

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from dbt.cli.main import dbtRunner

from ingest.contract import ENTITIES
from ingest.loader import load_entity
from orchestration.dbt.assets import dbt_vars
from orchestration.dbt.project import DBT_PROJECT_DIR
from orchestration.resources import DEFAULT_SOURCE_TZ, CdpSettings


def ingest(landing: Path, warehouse: Path) -> None:
    """Load every entity's new landing files into raw, as a scheduled run does."""
    with duckdb.connect(str(warehouse)) as con:
        for entity in ENTITIES:
            load_entity(con, landing, entity, datetime.now(UTC))


def dbt_args(warehouse: Path) -> list[str]:
    """The project, profile and run vars of a dbt call on `warehouse`: the vars a
    pipeline run hands dbt (`dbt_vars`), at the contract's default timezone."""
    settings = CdpSettings(warehouse=str(warehouse), source_tz=DEFAULT_SOURCE_TZ)
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--vars",
        dbt_vars(settings),
    ]


def dbt(warehouse: Path, *args: str) -> None:
    """Run dbt in this process (the caller must not hold the warehouse open)."""
    result = dbtRunner().invoke([*args, *dbt_args(warehouse), "--quiet"])
    assert result.success, f"dbt {args} failed: {result.exception}"


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))


def raw_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Contract columns of raw rows, as a landing file would carry them."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [
        {k: v for k, v in zip(names, row, strict=True) if not k.startswith("_")}
        for row in cursor.fetchall()
    ]


def rows_only_in(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int]:
    """Rows only `left` has and rows only `right` has, duplicates counted."""
    first, second = (
        con.execute(f"select count(*) from (from {a} except all from {b})").fetchall()[0][0]
        for a, b in ((left, right), (right, left))
    )
    return first, second
