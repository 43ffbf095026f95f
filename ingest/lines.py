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
"""

from pathlib import Path

import duckdb

from ingest.sql import drop_temp, scalar
from ingest.staging import MAX_LINE_BYTES, REJECT_TEXT_BYTES, UnparseableError

LINE_DELIMITER = "\x1d\x1e\x1f\x1c"
_REJECTS = "_ingest_line_rejects"
_REJECT_SCANS = "_ingest_line_reject_scans"
_RAW = "_ingest_lines_raw"

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


def read_lines(con: duckdb.DuckDBPyConnection, path: Path, table: str, expected_lines: int) -> None:
    """Create temp ``table(line_no BIGINT, text VARCHAR, read_error VARCHAR)``, one row per line.

    ``text`` is NULL for an empty line; for a line DuckDB could not decode it is DuckDB's
    rendering of it (invalid bytes become '?') and ``read_error`` says why.
    """
    drop_temp(con, _REJECTS, _REJECT_SCANS, _RAW, table)
    con.execute(
        f"CREATE TEMP TABLE {_RAW} AS SELECT text FROM {line_scan_sql()}", {"path": str(path)}
    ).fetchall()
    # One entry per rejected line; a line with the delimiter in it is a good line.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _ingest_line_rej AS
        SELECT line::BIGINT AS line,
               -- DuckDB's csv_line may carry the previous line's terminator; a line has none.
               trim(any_value(csv_line), chr(13) || chr(10)) AS text,
               min({_LINE_ERROR}) AS read_error
        FROM temp.main.{_REJECTS} GROUP BY line""")
    n_rej = scalar(con, "SELECT count(*) FROM _ingest_line_rej")
    if n_rej == 0:
        con.execute(
            f"CREATE TEMP TABLE {table} AS "
            f"SELECT rowid + 1 AS line_no, text, NULL::VARCHAR AS read_error FROM {_RAW}"
        )
    else:
        # The g-th line DuckDB returned is line g + (number of rejected lines before it).
        con.execute(f"""
            CREATE TEMP TABLE {table} AS
            WITH rj AS (SELECT line, row_number() OVER (ORDER BY line) AS i FROM _ingest_line_rej),
                 rc AS (SELECT line - i AS c, max(i) AS i FROM rj GROUP BY 1),
                 g AS (SELECT rowid + 1 AS g, text FROM {_RAW})
            SELECT g.g + coalesce(rc.i, 0) AS line_no, g.text, NULL::VARCHAR AS read_error
            FROM g ASOF LEFT JOIN rc ON g.g > rc.c
            UNION ALL
            SELECT line, text, read_error FROM _ingest_line_rej""")
    drop_temp(con, _RAW, "_ingest_line_rej", _REJECTS, _REJECT_SCANS)
    got = scalar(con, f"SELECT count(*) FROM {table}")
    if got != expected_lines:
        raise UnparseableError(
            f"line reader returned {got} lines but the file has {expected_lines}"
        )
