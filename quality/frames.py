"""Small DuckDB helpers shared by the gates."""

from __future__ import annotations

from typing import Any

import duckdb

from quality.config import Thresholds


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """A pandas frame of a query (pandas only at the edge: the frames are small or sampled)."""
    return con.execute(sql).df()


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def sample_clause(n_rows: int, t: Thresholds) -> str:
    """Repeatable reservoir sample when a frame would exceed ``sampling.max_rows``."""
    max_rows = int(t.get("sampling.max_rows"))
    if n_rows <= max_rows:
        return ""
    return f" USING SAMPLE reservoir({max_rows} ROWS) REPEATABLE ({int(t.get('sampling.seed'))})"


def sampled(con: duckdb.DuckDBPyConnection, sql: str, t: Thresholds) -> tuple[Any, int, bool]:
    """(frame, rows before sampling, whether sampled) of a row-level query."""
    total = scalar(con, f"SELECT count(*) FROM ({sql})")
    clause = sample_clause(total, t)
    return frame(con, f"SELECT * FROM ({sql}){clause}"), int(total), bool(clause)


def numeric_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> list[str]:
    schema, _, name = qualified.partition(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND "
        "table_name = ? AND (data_type IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', "
        "'HUGEINT', 'FLOAT', 'DOUBLE', 'REAL') OR data_type LIKE 'DECIMAL%') "
        "ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return [r[0] for r in rows]
