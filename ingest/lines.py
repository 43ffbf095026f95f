"""Read a text file as numbered physical lines, set-wise, with DuckDB's CSV scanner.

The file is scanned as a one-column CSV with quoting switched off and a delimiter
made of four ASCII control characters (GS RS US FS). Those can never occur in a
valid JSON line and practically never in a CSV line; if one does, DuckDB reports
the line as "too many columns" and its text is taken from the rejects table, so
the line is still accounted for. Unlike multi-column reads, a one-column read
keeps blank lines (as NULL), which is what makes exact line numbers possible.

DuckDB gives no row number for CSV (``file_row_number`` is Parquet-only), so a
line's number is recovered from its position in the (insertion-ordered) temp
table plus the lines DuckDB rejected before it (invalid UTF-8, over-long).

``scan_lines`` reads the file once; ``lines_where`` and ``lines_numbered`` then
number only the lines a caller needs. The CSV slow path needs a few thousand lines
(those with a quote and the text of rejected records) out of millions,
and numbering all of them meant copying the whole file's text once more.
"""

from pathlib import Path

import duckdb

from ingest.sql import drop_temp, scalar
from ingest.staging import MAX_LINE_BYTES, REJECT_TEXT_BYTES, UnparseableError

LINE_DELIMITER = "\x1d\x1e\x1f\x1c"
_REJECTS = "_ingest_line_rejects"
_REJECT_SCANS = "_ingest_line_reject_scans"
_RAW = "_ingest_lines_raw"  # text of each line DuckDB read, in file order (rowid = ordinal)
_REJ = "_ingest_line_rej"  # lines it could not read: line, text, read_error

# read_error codes for lines DuckDB could not decode at all.
_LINE_ERROR = """CASE error_type::VARCHAR
    WHEN 'INVALID ENCODING' THEN 'invalid_utf8'
    WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
    ELSE NULL END"""


def line_scan_sql(param: str = "$path") -> str:
    return (
        f"read_csv({param}, columns={{'text': 'VARCHAR'}}, header=false, "
        f"delim='{LINE_DELIMITER}', quote='', escape='', auto_detect=false, strict_mode=true, "
        f"max_line_size={MAX_LINE_BYTES}, store_rejects=true, rejects_table='{_REJECTS}', "
        f"rejects_scan='{_REJECT_SCANS}', rejects_line_size_limit={REJECT_TEXT_BYTES})"
    )


def scan_lines(con: duckdb.DuckDBPyConnection, path: Path, expected_lines: int) -> None:
    """Read ``path`` into the temp tables the ``lines_*`` functions number lines from.

    They stay until ``drop_lines`` (or the loader's end-of-file cleanup)."""
    drop_lines(con)
    con.execute(
        f"CREATE TEMP TABLE {_RAW} AS SELECT text FROM {line_scan_sql()}", {"path": str(path)}
    ).fetchall()
    # One entry per rejected line; a line with the delimiter in it is a good line.
    con.execute(f"""
        CREATE TEMP TABLE {_REJ} AS
        SELECT line::BIGINT AS line,
               -- DuckDB's csv_line may carry the previous line's terminator; a line has none.
               trim(any_value(csv_line), chr(13) || chr(10)) AS text,
               min({_LINE_ERROR}) AS read_error
        FROM temp.main.{_REJECTS} GROUP BY line""")
    drop_temp(con, _REJECTS, _REJECT_SCANS)
    got = scalar(con, f"SELECT (SELECT count(*) FROM {_RAW}) + (SELECT count(*) FROM {_REJ})")
    if got != expected_lines:
        raise UnparseableError(
            f"line reader returned {got} lines but the file has {expected_lines}"
        )


def drop_lines(con: duckdb.DuckDBPyConnection) -> None:
    drop_temp(con, _RAW, _REJ, _REJECTS, _REJECT_SCANS)


def lines_where(con: duckdb.DuckDBPyConnection, table: str, predicate: str = "true") -> None:
    """Create temp ``table(line_no BIGINT, text VARCHAR, read_error VARCHAR)`` with the
    scanned lines whose ``text`` satisfies the SQL ``predicate``.

    ``text`` is NULL for an empty line; for a line DuckDB could not decode it is DuckDB's
    rendering of it (invalid bytes become '?') and ``read_error`` says why.
    """
    drop_temp(con, table)
    if scalar(con, f"SELECT count(*) FROM {_REJ}") == 0:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT rowid + 1 AS line_no, text, "
            f"NULL::VARCHAR AS read_error FROM {_RAW} WHERE {predicate}"
        )
        return
    # The g-th line DuckDB returned is line g + (number of rejected lines before it).
    con.execute(f"""
        CREATE TEMP TABLE {table} AS
        WITH rj AS (SELECT line, row_number() OVER (ORDER BY line) AS i FROM {_REJ}),
             rc AS (SELECT line - i AS c, max(i) AS i FROM rj GROUP BY 1),
             g AS (SELECT rowid + 1 AS g, text FROM {_RAW} WHERE {predicate})
        SELECT g.g + coalesce(rc.i, 0) AS line_no, g.text, NULL::VARCHAR AS read_error
        FROM g ASOF LEFT JOIN rc ON g.g > rc.c
        UNION ALL
        SELECT line, text, read_error FROM {_REJ} WHERE {predicate}""")


def lines_numbered(con: duckdb.DuckDBPyConnection, table: str, numbers_sql: str) -> None:
    """Create temp ``table`` (as ``lines_where``) with the lines whose numbers the query
    ``numbers_sql`` returns (one column ``line``); meant for a handful of lines."""
    drop_temp(con, table)
    # Inverse of lines_where's numbering: line L (not rejected) is the g-th line DuckDB
    # returned, g = L - (number of rejected lines before it).
    con.execute(f"""
        CREATE TEMP TABLE {table} AS
        WITH want AS (SELECT DISTINCT line FROM ({numbers_sql})),
             pos AS (
                SELECT w.line, w.line - (SELECT count(*) FROM {_REJ} j WHERE j.line < w.line) AS g
                FROM want w WHERE w.line NOT IN (SELECT line FROM {_REJ}))
        SELECT pos.line AS line_no, r.text, NULL::VARCHAR AS read_error
        FROM pos JOIN (SELECT rowid + 1 AS g, text FROM {_RAW}) r ON r.g = pos.g
        UNION ALL
        SELECT line, text, read_error FROM {_REJ} WHERE line IN (SELECT line FROM want)""")


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, table: str, expected_lines: int) -> None:
    """Create temp ``table(line_no BIGINT, text VARCHAR, read_error VARCHAR)``, one row per
    line of ``path`` (see ``lines_where``)."""
    scan_lines(con, path, expected_lines)
    lines_where(con, table)
    drop_lines(con)
