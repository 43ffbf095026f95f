"""Stage a Parquet landing file with ``read_parquet(..., file_row_number=true)``.

Parquet is typed, raw is text: each column is cast to VARCHAR. Two casts would
otherwise depend on the session: TIMESTAMP WITH TIME ZONE is rendered in UTC with
an explicit ``+00:00``, and nested types (struct, list, map) become JSON.
A file DuckDB cannot read is not guessed at: it goes to quarantine whole.
"""

from pathlib import Path

import duckdb

from ingest.contract import Entity
from ingest.sql import ident, rows
from ingest.staging import (
    EMPTY_QUARANTINE,
    CorruptFileError,
    StagedFile,
    canonical_columns,
)

_ROWS = "_ingest_parquet"


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _unreadable(e: duckdb.Error) -> CorruptFileError:
    # Resource problems are not a property of the file: let them fail the run.
    if isinstance(e, duckdb.OutOfMemoryException | duckdb.InterruptException):
        raise e
    return CorruptFileError(f"unreadable_parquet: {_first_line(e)}")


def parquet_schema(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """(column name, DuckDB type) pairs; CorruptFileError if the file is not Parquet."""
    try:
        described = rows(con, "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)})
    except duckdb.Error as e:
        raise _unreadable(e) from e
    return [(name, typ) for name, typ, *_ in described]


def _as_text(column: str, duck_type: str) -> str:
    col = ident(column)
    if duck_type == "TIMESTAMP WITH TIME ZONE":
        return f"CAST(timezone('UTC', {col}) AS VARCHAR) || '+00:00'"
    if duck_type.startswith(("STRUCT", "MAP", "UNION")) or duck_type.endswith("]"):
        return f"CAST(to_json({col}) AS VARCHAR)"
    return f"CAST({col} AS VARCHAR)"


def stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, schema: list[tuple[str, str]], entity: Entity
) -> StagedFile:
    columns = canonical_columns([name for name, _ in schema], entity)
    exprs = ", ".join(
        f"{_as_text(name, typ)} AS {ident(col)}"
        for (name, typ), col in zip(schema, columns, strict=True)
    )
    try:
        # Materialised here (not in the load transaction) so that a file that is corrupt
        # past its footer is caught and quarantined before anything is written.
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_ROWS} AS SELECT {exprs}, "
            f"file_row_number + 1 AS _row_number "
            f"FROM read_parquet($path, file_row_number=true)",
            {"path": str(path)},
        ).fetchall()
    except duckdb.Error as e:
        raise _unreadable(e) from e
    (n,) = rows(con, f"SELECT count(*) FROM {_ROWS}")[0]
    return StagedFile(
        columns=columns,
        rows_query=f"SELECT * FROM {_ROWS}",
        quarantine_query=EMPTY_QUARANTINE,
        rows_loaded=n,
        rows_quarantined=0,
    )
