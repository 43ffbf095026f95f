"""The line reader: numbering a subset of lines agrees with numbering them all."""

from pathlib import Path

import duckdb

from ingest.lines import LINE_DELIMITER, lines_numbered, lines_where, read_lines, scan_lines

# Lines DuckDB's line scan rejects (invalid UTF-8, the scan's own delimiter) come from
# its rejects table; everything after them is renumbered. Blank lines are NULL.
LINES = [
    b"header",
    b'q "one"',
    b"",
    b"bad \xff\xfe bytes",
    b"plain",
    b'q "two',
    b"",
    b"also \xc3 bad",
    ("delimiter " + LINE_DELIMITER + " inside").encode(),
    b'q three"',
    b"last without newline",
]


def _all_lines(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple]:
    read_lines(con, path, "t_all", len(LINES))
    return con.execute("SELECT line_no, text, read_error FROM t_all ORDER BY 1").fetchall()


def _subset(con: duckdb.DuckDBPyConnection, make) -> list[tuple]:
    make()
    return con.execute("SELECT line_no, text, read_error FROM t_sub ORDER BY 1").fetchall()


def test_subsets_are_numbered_like_the_whole_file(tmp_path: Path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"\n".join(LINES))
    con = duckdb.connect()
    every = _all_lines(con, path)
    assert [n for n, *_ in every] == list(range(1, len(LINES) + 1))
    assert [n for n, _, err in every if err] == [4, 8]

    scan_lines(con, path, len(LINES))
    quoted = _subset(con, lambda: lines_where(con, "t_sub", "contains(text, '\"')"))
    assert quoted == [r for r in every if r[1] is not None and '"' in r[1]]
    assert [n for n, *_ in quoted] == [2, 6, 10]
    blank = _subset(con, lambda: lines_where(con, "t_sub", "text IS NULL"))
    assert [n for n, *_ in blank] == [3, 7]
    wanted = [1, 4, 5, 8, 9, 11]
    numbered = _subset(
        con, lambda: lines_numbered(con, "t_sub", f"SELECT unnest({wanted}) AS line")
    )
    assert numbered == [r for r in every if r[0] in wanted]
