"""Tiny helpers for building DuckDB SQL text safely.

Column names come from landing files (CSV headers, JSON keys, Parquet schemas),
so they are always quoted; file paths and other values go in as parameters where
DuckDB allows it and as escaped literals where it does not (table-function
options such as ``delim``).
"""

from collections.abc import Iterable

import duckdb


def ident(name: str) -> str:
    """Quote an identifier (column, table) for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """Quote a string literal for DuckDB."""
    return "'" + value.replace("'", "''") + "'"


def ident_list(names: Iterable[str]) -> str:
    return ", ".join(ident(n) for n in names)


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> object:
    """First column of the first row (DuckDB 2.0: always drain with fetchall)."""
    rows = (
        con.execute(query, params).fetchall()
        if params is not None
        else con.execute(query).fetchall()
    )
    return rows[0][0] if rows else None


def rows(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> list[tuple]:
    if params is None:
        return con.execute(query).fetchall()
    return con.execute(query, params).fetchall()


def drop_temp(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for t in tables:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{ident(t)}")


def drop_temp_prefixed(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    """Drop every temp table whose name starts with ``prefix``."""
    names = rows(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, $p)",
        {"p": prefix},
    )
    drop_temp(con, *(n for (n,) in names))
