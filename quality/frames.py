"""Small DuckDB helpers shared by the gates."""

from __future__ import annotations

from typing import Any

import duckdb

from quality.config import Thresholds


def frame(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """A pandas frame of a query (pandas only at the edge: the frames are small or sampled)."""
    return vectorisable(con.execute(sql).df())


def vectorisable(data: Any) -> Any:
    """Column dtypes on GX's vectorised pandas paths.

    GX compares ``int64``/``float64`` and nanosecond datetimes with numpy; any other dtype
    (DuckDB gives ``int32`` for INTEGER and microsecond datetimes for TIMESTAMP) falls back
    to one Python call per value: 8 s of the 42 s of the raw gates at 100k people. A
    timestamp outside the nanosecond range (years before 1678 or after 2261: exactly
    what the window rule is there to catch) keeps its dtype and the slow path.
    """
    import numpy as np
    import pandas as pd

    for name, column in data.items():
        dtype = column.dtype
        try:
            if pd.api.types.is_datetime64_dtype(dtype) and dtype != np.dtype("datetime64[ns]"):
                data[name] = column.astype("datetime64[ns]")
            elif pd.api.types.is_signed_integer_dtype(dtype) and dtype != np.int64:
                # DuckDB gives nullable (masked) integers when a column has NULLs: those
                # become float64 with NaN, which GX treats as missing like it treats NA
                if column.isna().any():
                    data[name] = column.to_numpy(dtype=np.float64, na_value=np.nan)
                else:
                    data[name] = column.to_numpy(dtype=np.int64)
            elif pd.api.types.is_float_dtype(dtype) and dtype != np.float64:
                data[name] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        except (OverflowError, pd.errors.OutOfBoundsDatetime):
            pass
    return data


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def sample_clause(n_rows: int, t: Thresholds) -> str:
    """Repeatable reservoir sample when a frame would exceed ``sampling.max_rows``."""
    max_rows = int(t.get("sampling.max_rows"))
    if n_rows <= max_rows:
        return ""
    return f" USING SAMPLE reservoir({max_rows} ROWS) REPEATABLE ({int(t.get('sampling.seed'))})"


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
