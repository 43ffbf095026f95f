"""Publish a read-only copy of the marts for BI tools, atomically.

DuckDB admits one writer per file and a pipeline run rewrites the marts table
by table; a BI tool reading the warehouse would be locked out or see half a
run. ``publish_bi_copy`` copies the marts into a new DuckDB file beside the
target and renames it over the target in one step (``os.replace``): readers
see the previous copy or the new one, never a mix.

Personal data stays in the warehouse by default: every text or text-list
column whose name contains ``email`` or ``phone`` is masked in the copy
(``l***@gmail.com``, ``+84*******67``), keeping only what a BI chart needs
(domain, country prefix). ``include_pii=True`` copies raw values for teams
that are allowed to see them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_SCHEMAS: tuple[str, ...] = ("marts", "snapshots")
PII_NAME_PARTS: tuple[str, ...] = ("email", "phone")

MASK_EMAIL_SQL = (
    "case when {v} is null then null when position('@' in {v}) > 1 "
    "then left({v}, 1) || '***' || substr({v}, position('@' in {v})) else '***' end"
)
MASK_PHONE_SQL = (
    "case when {v} is null then null when length({v}) > 5 "
    "then left({v}, 3) || repeat('*', length({v}) - 5) || right({v}, 2) else '***' end"
)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]
    masked_columns: list[str]
    include_pii: bool
    published_at: dt.datetime


def _mask_expression(column: str, data_type: str) -> str | None:
    name = column.lower()
    kind = next((part for part in PII_NAME_PARTS if part in name), None)
    if kind is None or data_type not in ("VARCHAR", "VARCHAR[]"):
        return None
    template = MASK_EMAIL_SQL if kind == "email" else MASK_PHONE_SQL
    quoted = f'"{column}"'
    if data_type == "VARCHAR":
        return f"{template.format(v=quoted)} as {quoted}"
    return f"list_transform({quoted}, lambda x: {template.format(v='x')}) as {quoted}"


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    listed = ", ".join(f"'{s}'" for s in schemas)
    return con.execute(
        f"""
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema in ({listed})
          and table_type = 'BASE TABLE'
        order by table_schema, table_name
        """
    ).fetchall()


def publish_bi_copy(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    *,
    include_pii: bool = False,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
) -> PublishResult:
    """Copy ``schemas`` of the warehouse ``con`` points at into ``target`` atomically."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)

    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    tables: dict[str, int] = {}
    masked: list[str] = []
    con.execute(f"attach '{staging}' as bi_copy")
    try:
        for schema, table in _tables(con, schemas):
            columns = con.execute(
                """
                select column_name, data_type from information_schema.columns
                where table_catalog = current_database() and table_schema = ? and table_name = ?
                order by ordinal_position
                """,
                [schema, table],
            ).fetchall()
            select_list = []
            for column, data_type in columns:
                expression = None if include_pii else _mask_expression(column, data_type)
                if expression:
                    masked.append(f"{schema}.{table}.{column}")
                select_list.append(expression or f'"{column}"')
            con.execute(f"create schema if not exists bi_copy.{schema}")
            con.execute(
                f"create table bi_copy.{schema}.{table} as "
                f"select {', '.join(select_list)} from {schema}.{table}"
            )
            tables[f"{schema}.{table}"] = int(
                con.execute(f"select count(*) from bi_copy.{schema}.{table}").fetchall()[0][0]
            )
        con.execute(
            "create table bi_copy.main.publish_info as select ?::timestamp as published_at, "
            "?::boolean as include_pii, ?::varchar[] as tables, ?::varchar[] as masked_columns",
            [published_at, include_pii, list(tables), masked],
        )
    finally:
        con.execute("detach bi_copy")
    os.replace(staging, target)
    return PublishResult(target, tables, masked, include_pii, published_at)
