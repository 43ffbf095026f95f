"""Stage a CSV landing file with DuckDB's ``read_csv`` and its rejects table.

How a row gets its line number (DuckDB has no ``file_row_number`` for CSV): good
rows come out of ``read_csv`` in file order (a temp table preserves insertion
order), so it is enough to know, in order, the line each good row starts on. That
list (``_GOOD_LINES``) is every line from 2 to the end except the "exceptions":
rejected records, blank lines and continuation lines of multi-line quoted fields.
A POSITIONAL JOIN then pairs the n-th good row with the n-th good line; no sort or
hash of the (wide) rows is needed.

* Fast path (almost every file): no value and no rejected record contains a line
  break, and header + good + rejected + blank lines add up to the file's line
  count. Then rejected and blank lines are the only exceptions, and DuckDB's reject
  line numbers are physical line numbers.
* Slow path (multi-line quoted fields, or the count does not add up): the file is
  also read as plain lines, record boundaries are worked out from the quotes on
  each line and checked against what ``read_csv`` returned, and a quote that is
  never closed is quarantined with its line and blanked out in a copy that is
  re-parsed. That last step exists because DuckDB 2.0 silently drops rows after an
  unterminated quote (see docs/ingest.md).
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.contract import Entity
from ingest.landing import FileScan, write_copy
from ingest.lines import drop_lines, lines_numbered, lines_where, scan_lines
from ingest.sql import drop_temp, ident, literal, rows
from ingest.staging import (
    MAX_LINE_BYTES,
    REJECT_TEXT_BYTES,
    HeaderError,
    StagedFile,
    UnparseableError,
    canonical_columns,
    nul_visible,
)

#: A quoted field spanning more lines than this is treated as an unterminated quote.
MAX_RECORD_LINES = 100
#: Reject text kept by the first parse. An unterminated quote makes DuckDB's parallel
#: scanner report the rest of its buffer as the record (hundreds of KB per reject, over
#: 300 MB for 150 stray quotes in 300k rows), and storing and regex-matching that text
#: was most of the slow path. Real records are far shorter, so a reject that reaches
#: this limit means "re-parse with the full REJECT_TEXT_BYTES" (see stage_csv).
PROBE_TEXT_BYTES = 65_536
MAX_HEADER_BYTES = 1 << 20

# DuckDB drops extra trailing fields that are empty ("a,b,c," for 3 columns) when
# they would read as NULL. With a null string that never occurs, empty fields are ''
# and such lines are reported as too many columns, as they should be.
NEVER_NULL = "\x01\x02cdp:never-null\x03"

_ROWS = "_ingest_csv"
_REJECTS = "_ingest_csv_rejects"
_REJECT_SCANS = "_ingest_csv_reject_scans"
_REJ = "_ingest_csv_rej"  # one row per rejected record
_QUOTED = "_ingest_csv_quoted"  # lines containing a quote (the only ones that can open a field)
_NEED = "_ingest_csv_need"  # line ranges of the records whose text is quarantined
_NEED_LINES = "_ingest_csv_need_lines"
_TEXTS = "_ingest_csv_texts"
_GOOD_LINES = "_ingest_csv_good_lines"  # line of the n-th good row, in order
_NUL = "_ingest_csv_nul"
_QUAR = "_ingest_csv_quarantine"
_RECS = "_ingest_csv_recs"
_SPANS = "_ingest_csv_spans"
_RUNAWAY = "_ingest_csv_runaway"
_BLANK = "_ingest_csv_blank"
_TEMP = (
    _ROWS,
    _REJECTS,
    _REJECT_SCANS,
    _REJ,
    _QUOTED,
    _NEED,
    _NEED_LINES,
    _TEXTS,
    _GOOD_LINES,
    _NUL,
    _QUAR,
    _RECS,
    _SPANS,
    _RUNAWAY,
    _BLANK,
)

# Record-boundary grammar of DuckDB's strict parser, per physical line. A field is
# quoted ("..." with "" as an escaped quote) or unquoted (not starting with a quote;
# quotes inside it are literal). Text between a closing quote and the next comma is
# an error for the record ("ab"c), but the parser carries on tokenising the record
# after it, honouring later quotes, so the grammar has to as well.
# A quote right after a closing quote would have been an escaped quote, so that text
# cannot start with one; this keeps "" from being read as close-then-garbage.
_AFTER_CLOSE = r'(?:[^,"][^,]*)?'
_FIELD = rf'(?:"(?:[^"]|"")*"{_AFTER_CLOSE}|[^",][^,]*|)'
_INSIDE = r'(?:[^"]|"")*'  # text of a quoted field that is still open
#: Read from the start of a record, the line ends inside an open quoted field.
OPEN_RE = rf'(?:{_FIELD},)*"{_INSIDE}'
#: Read from inside a quoted field, the line ends still inside one: no closing quote,
#: or the field closes and a later field opens again.
STAY_RE = _INSIDE
REOPEN_RE = rf'{_INSIDE}"{_AFTER_CLOSE}(?:,{_FIELD})*,"{_INSIDE}'


def parse_header(path: Path, entity: Entity) -> tuple[str, ...]:
    """Column names from the first line; HeaderError when there is no usable header."""
    with path.open("rb") as f:
        head = f.read(MAX_HEADER_BYTES + 1)
    if not head:
        raise HeaderError("file is empty (no header line)")
    first = re.split(rb"\r\n|\r|\n", head, maxsplit=1)[0]
    if len(first) > MAX_HEADER_BYTES:
        raise HeaderError(f"header line is longer than {MAX_HEADER_BYTES} bytes")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise HeaderError(f"header line is not valid UTF-8 ({e.reason} at byte {e.start})") from e
    if not text.strip():
        raise HeaderError("header line is empty")
    if "\x00" in text:
        raise HeaderError("header line contains a NUL byte")
    if text.count('"') % 2:
        raise HeaderError("header line has an unterminated quote")
    try:
        names = next(csv.reader([text], strict=True))
    except csv.Error as e:
        raise HeaderError(f"header line is not valid CSV ({e})") from e
    return canonical_columns(names, entity)


def _read_csv_sql(columns: tuple[str, ...], text_limit: int = REJECT_TEXT_BYTES) -> str:
    spec = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in columns) + "}"
    return (
        f"read_csv($path, columns={spec}, header=true, delim=',', quote='\"', escape='\"', "
        f"auto_detect=false, strict_mode=true, allow_quoted_nulls=false, "
        f"nullstr={literal(NEVER_NULL)}, max_line_size={MAX_LINE_BYTES}, store_rejects=true, "
        f"rejects_table='{_REJECTS}', rejects_scan='{_REJECT_SCANS}', "
        f"rejects_line_size_limit={text_limit})"
    )


def _parse(
    con: duckdb.DuckDBPyConnection,
    src: Path,
    columns: tuple[str, ...],
    text_limit: int = REJECT_TEXT_BYTES,
) -> bool:
    """Parse into temp tables: good rows (rowid = ordinal) and one row per rejected record
    (``line`` is DuckDB's record number, header = 1, with reason_code and reason).

    False when some reject's text may have been cut at ``text_limit`` (its reason and
    text are then not to be trusted); always True at the full REJECT_TEXT_BYTES, which
    is what quarantine texts are documented to be cut at."""
    drop_temp(con, _ROWS, _REJECTS, _REJECT_SCANS, _REJ)
    _read(
        con, src, f"CREATE TEMP TABLE {_ROWS} AS SELECT * FROM {_read_csv_sql(columns, text_limit)}"
    )
    return _collect_rejects(con, len(columns), text_limit)


def _probe_fits_fast(
    con: duckdb.DuckDBPyConnection, src: Path, scan: FileScan, columns: tuple[str, ...]
) -> bool:
    """Whether the probe parse (``_parse`` at PROBE_TEXT_BYTES) would be complete and fit
    the fast path, found without keeping its rows: same scan, same rejects, but only the
    row count and the line-break test are kept. Every column is referenced on purpose:
    with fewer, DuckDB parses less of each record and reports different rows."""
    drop_temp(con, _ROWS, _REJECTS, _REJECT_SCANS, _REJ)
    breaks = _line_break_sql(columns, scan.has_cr_breaks)
    ((n_good, has_breaks),) = _read(
        con,
        src,
        f"SELECT count(*), coalesce(bool_or({breaks}), false) "
        f"FROM {_read_csv_sql(columns, PROBE_TEXT_BYTES)}",
    )
    if not _collect_rejects(con, len(columns), PROBE_TEXT_BYTES):
        return False
    return _fits_fast(con, scan, n_good, lambda: has_breaks)


def _read(con: duckdb.DuckDBPyConnection, src: Path, query: str) -> list[tuple]:
    try:
        return con.execute(query, {"path": str(src)}).fetchall()
    except duckdb.InvalidInputException as e:
        raise UnparseableError(f"DuckDB cannot parse the file: {str(e).splitlines()[0]}") from e


def _collect_rejects(con: duckdb.DuckDBPyConnection, n_columns: int, text_limit: int) -> bool:
    """One row per rejected record of the last read (see ``_parse``, which also says what
    the result means)."""
    code, reason = _reason_sql(n_columns)
    # DuckDB logs one reject per offending column; keep one per record, the most telling.
    con.execute(f"""
        CREATE TEMP TABLE {_REJ} AS
        WITH per_record AS (
            SELECT line::BIGINT AS line,
                   arg_min(error_type::VARCHAR, CASE error_type::VARCHAR
                       WHEN 'INVALID ENCODING' THEN 1 WHEN 'UNQUOTED VALUE' THEN 2
                       WHEN 'LINE SIZE OVER MAXIMUM' THEN 3 WHEN 'TOO MANY COLUMNS' THEN 4
                       WHEN 'MISSING COLUMNS' THEN 5 ELSE 9 END) AS error_type,
                   max(column_idx) FILTER (WHERE error_type = 'TOO MANY COLUMNS') AS found_many,
                   min(column_idx) FILTER (WHERE error_type = 'MISSING COLUMNS') AS found_few,
                   -- csv_line can start with the previous record's line terminator
                   trim(any_value(csv_line), chr(13) || chr(10)) AS csv_line,
                   any_value(error_message) AS error_message
            FROM temp.main.{_REJECTS} GROUP BY line)
        SELECT line, csv_line, {code} AS reason_code, {reason} AS reason FROM per_record""")
    if text_limit >= REJECT_TEXT_BYTES:
        return True
    # strlen counts bytes; the margin covers a cut before a multi-byte character.
    cut = rows(con, f"SELECT count(*) FROM {_REJ} WHERE strlen(csv_line) >= {text_limit - 4}")
    return cut[0][0] == 0


def _reason_sql(n_columns: int) -> tuple[str, str]:
    """(reason_code, reason) SQL expressions over one rejected record.

    DuckDB says "UNQUOTED VALUE: Value with unterminated quote found." both for a quote
    that is never closed and for text after a closing quote (``"ab"c``); the two are
    told apart by whether the record ends inside a quote. Field counts: DuckDB logs
    too-many-columns once per extra field, with column_idx up to the number of fields
    found, and missing-columns once per absent column, starting at the number found.
    """
    unterminated = f"regexp_full_match(csv_line, {literal(OPEN_RE)})"
    code = f"""CASE error_type
        WHEN 'INVALID ENCODING' THEN 'invalid_utf8'
        WHEN 'UNQUOTED VALUE' THEN
            CASE WHEN {unterminated} THEN 'unterminated_quote' ELSE 'invalid_quoting' END
        WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
        WHEN 'TOO MANY COLUMNS' THEN 'too_many_columns'
        WHEN 'MISSING COLUMNS' THEN 'too_few_columns'
        ELSE 'unparseable' END"""
    reason = f"""CASE error_type
        WHEN 'INVALID ENCODING' THEN 'invalid_utf8: record is not valid UTF-8'
        WHEN 'UNQUOTED VALUE' THEN CASE WHEN {unterminated}
            THEN 'unterminated_quote: quoted field is never closed'
            ELSE 'invalid_quoting: characters after a closing quote' END
        WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long: record exceeds {MAX_LINE_BYTES} bytes'
        WHEN 'TOO MANY COLUMNS'
            THEN 'too_many_columns: expected {n_columns} fields, found ' || found_many
        WHEN 'MISSING COLUMNS'
            THEN 'too_few_columns: expected {n_columns} fields, found ' || found_few
        ELSE 'unparseable: ' || error_message END"""
    return code, reason


def _any_column(columns: tuple[str, ...], predicate: str) -> str:
    return " OR ".join(predicate.format(ident(c)) for c in columns)


def _record_text(columns: tuple[str, ...]) -> str:
    """A parsed row written back as one CSV record (raw_text of NUL-byte rows)."""
    fields = [
        f"CASE WHEN regexp_matches({ident(c)}, '[\",\\r\\n]') "
        f"THEN '\"' || replace({ident(c)}, '\"', '\"\"') || '\"' ELSE {ident(c)} END"
        for c in columns
    ]
    return nul_visible(f"concat_ws(',', {', '.join(fields)})")


@dataclass(frozen=True)
class _Layout:
    """Where read_csv's records sit in the file."""

    good_lines_sql: str  # SELECT line: first line of each good row, in file order
    rejects_sql: str  # SELECT line, reason_code, reason, raw_text: rejected records


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    scan: FileScan,
    columns: tuple[str, ...],
    workdir: Path,
) -> StagedFile:
    """Parse ``path`` (header already checked: ``columns``) into temp tables."""
    drop_temp(con, *_TEMP)
    src = path
    if scan.mixed_newlines:
        # Strict mode refuses files mixing LF / CRLF / CR ("invalid state") and
        # non-strict mode silently drops fields, so parse an LF copy (same line numbers).
        src = workdir / "normalised.csv"
        write_copy(path, src)
    layout = _layout(con, src, scan, columns, workdir)
    con.execute(f"CREATE TEMP TABLE {_GOOD_LINES} AS {layout.good_lines_sql} ORDER BY line")
    n_good, n_lines = rows(
        con, f"SELECT (SELECT count(*) FROM {_ROWS}), (SELECT count(*) FROM {_GOOD_LINES})"
    )[0]
    if n_good != n_lines:
        raise UnparseableError(
            f"read_csv returned {n_good} good rows but the file has {n_lines} lines for them"
        )
    _find_nul_rows(con, columns, scan.has_nul)
    con.execute(f"""
        CREATE TEMP TABLE {_QUAR} AS
        {layout.rejects_sql}
        UNION ALL
        SELECT line, 'nul_byte', 'nul_byte: field "' || col || '" contains a NUL (0x00) byte',
               raw_text
        FROM {_NUL}""")
    n_nul, n_quar = rows(
        con, f"SELECT (SELECT count(*) FROM {_NUL}), (SELECT count(*) FROM {_QUAR})"
    )[0]
    where = f"WHERE l.line NOT IN (SELECT line FROM {_NUL})" if n_nul else ""
    cols = ", ".join(f"g.{ident(c)}" for c in columns)
    return StagedFile(
        columns=columns,
        rows_query=f"SELECT {cols}, l.line AS _row_number "
        f"FROM {_ROWS} g POSITIONAL JOIN {_GOOD_LINES} l {where}",
        quarantine_query=f"SELECT line, reason_code, reason, raw_text FROM {_QUAR}",
        rows_loaded=n_good - n_nul,
        rows_quarantined=n_quar,
    )


def _layout(
    con: duckdb.DuckDBPyConnection,
    src: Path,
    scan: FileScan,
    columns: tuple[str, ...],
    workdir: Path,
) -> _Layout:
    """Parse the file and place its records: the fast path if it provably fits, else
    the slow one. Either way the outcome is that of this sequence: a probe parse with
    short reject texts; the fast path if that parse is complete and fits; else the line
    structure, and the slow path."""
    runaways = None
    if scan.odd_quotes:
        # Probably the slow path, so read the line structure first. With an unterminated
        # quote the rows come from parsing the blanked copy, and the probe parse only has
        # to tell whether it would have fitted the fast path, which needs no rows kept.
        try:
            runaways = _line_structure(con, src, scan)
        except (UnparseableError, duckdb.Error):
            runaways = None  # raised again below, after the parse, as in the usual order
        if runaways and not _probe_fits_fast(con, src, scan, columns):
            return _slow_layout(con, src, scan, columns, workdir, runaways)
    # Probe parse with short reject texts: complete unless a reject hit the limit, which
    # in practice means an unterminated quote, i.e. the slow path anyway.
    complete = _parse(con, src, columns, PROBE_TEXT_BYTES)
    fast = _fast_layout(con, scan, columns) if complete else None
    if fast is not None:
        drop_lines(con)
        return fast
    if runaways is None:
        runaways = _line_structure(con, src, scan)
    return _slow_layout(con, src, scan, columns, workdir, runaways, complete)


def _find_nul_rows(
    con: duckdb.DuckDBPyConnection, columns: tuple[str, ...], file_has_nul: bool
) -> None:
    """Good rows with a NUL byte in a value (quarantined), with their line numbers."""
    if not file_has_nul:
        con.execute(f"CREATE TEMP TABLE {_NUL} (line BIGINT, col VARCHAR, raw_text VARCHAR)")
        return
    first = " ".join(f"WHEN contains({ident(c)}, chr(0)) THEN {literal(c)}" for c in columns)
    con.execute(f"""
        CREATE TEMP TABLE {_NUL} AS
        SELECT l.line, CASE {first} END AS col, {_record_text(columns)} AS raw_text
        FROM {_ROWS} g POSITIONAL JOIN {_GOOD_LINES} l
        WHERE {_any_column(columns, "contains({}, chr(0))")}""")


def _fast_layout(
    con: duckdb.DuckDBPyConnection, scan: FileScan, columns: tuple[str, ...]
) -> _Layout | None:
    """Layout when every record is one line (None if that is not provably so)."""
    n_good = rows(con, f"SELECT count(*) FROM {_ROWS}")[0][0]
    breaks = _line_break_sql(columns, scan.has_cr_breaks)
    if not _fits_fast(
        con, scan, n_good, lambda: bool(rows(con, f"SELECT 1 FROM {_ROWS} WHERE {breaks} LIMIT 1"))
    ):
        return None
    _blank_lines(con, scan)
    return _Layout(
        good_lines_sql=f"""SELECT line FROM range(2, {scan.line_count + 1}) t(line)
            WHERE line NOT IN (SELECT line FROM {_REJ} UNION ALL SELECT line FROM {_BLANK})""",
        rejects_sql=(
            f"SELECT line, reason_code, reason, {nul_visible('csv_line')} AS raw_text FROM {_REJ}"
        ),
    )


def _blank_lines(con: duckdb.DuckDBPyConnection, scan: FileScan) -> None:
    """Temp table _BLANK: the file's empty lines, as the byte scan found them."""
    drop_temp(con, _BLANK)
    con.execute(
        f"CREATE TEMP TABLE {_BLANK} AS SELECT unnest($b)::BIGINT AS line",
        {"b": list(scan.blank_lines)},
    )


def _fits_fast(
    con: duckdb.DuckDBPyConnection,
    scan: FileScan,
    n_good: int,
    values_with_line_breaks: Callable[[], bool],
) -> bool:
    """Whether the last parse (``n_good`` good rows, rejects in _REJ) has every record on
    one line, so that DuckDB's reject line numbers are file line numbers."""
    n_rej, rej_multiline = rows(
        con,
        f"SELECT count(*), coalesce(bool_or(regexp_matches(csv_line, '[\\r\\n]')), false) "
        f"FROM {_REJ}",
    )[0]
    # Each line is the header, a good row, a rejected record or blank, unless records
    # span lines (multi-line fields) or DuckDB lost some (after a stray quote).
    if rej_multiline or scan.line_count != 1 + n_good + n_rej + len(scan.blank_lines):
        return False
    # Multi-line fields offset by lost rows: the count matched by accident.
    return not (scan.has_quote and values_with_line_breaks())


def _line_break_sql(columns: tuple[str, ...], cr_breaks: bool) -> str:
    """Some value contains a line break. Only LF needs checking unless the file has CR
    line breaks (one `contains` per column is the expensive part of the fast path)."""
    check = (
        "contains({0}, chr(10)) OR contains({0}, chr(13))"
        if cr_breaks
        else "contains({0}, chr(10))"
    )
    return _any_column(columns, check)


def _slow_layout(
    con: duckdb.DuckDBPyConnection,
    src: Path,
    scan: FileScan,
    columns: tuple[str, ...],
    workdir: Path,
    runaways: list[int],
    complete: bool = True,
) -> _Layout:
    """Layout worked out from the file's lines (``_line_structure`` has run: ``runaways``
    are its unterminated quotes), checked against read_csv's output.

    ``complete`` False: the parse so far kept cut reject texts; it is redone with full
    texts (on the blanked copy when there are unterminated quotes, else on ``src``,
    which may then turn out to fit the fast path after all).
    """
    if runaways:
        # Empty the opening lines in a copy and parse that instead: the rest of the file
        # parses line by line again, as its writer evidently meant.
        copy = workdir / "unterminated_quotes_blanked.csv"
        write_copy(src, copy, runaways)
        _parse(con, copy, columns)
    elif not complete:
        # No unterminated quote: only long rejected records were cut. Parse again with
        # full texts, which is exactly the state a full first parse would have left.
        _parse(con, src, columns)
        fast = _fast_layout(con, scan, columns)
        if fast is not None:
            drop_lines(con)
            return fast
    _blank_lines(con, scan)
    _records(con, scan.line_count)
    _check_layout(con)
    _record_texts(con)
    drop_lines(con)
    text = nul_visible("t.raw_text")
    return _Layout(
        good_lines_sql=f"""SELECT start_line AS line FROM {_RECS}
            WHERE NOT is_blank AND NOT is_runaway AND rec_no NOT IN (SELECT line FROM {_REJ})""",
        rejects_sql=f"""
            SELECT r.start_line AS line, j.reason_code, j.reason, {text} AS raw_text
            FROM {_REJ} j JOIN {_RECS} r ON r.rec_no = j.line
            LEFT JOIN {_TEXTS} t ON t.start_line = r.start_line
            UNION ALL
            SELECT r.start_line, 'unterminated_quote',
                   'unterminated_quote: quoted field is not closed within '
                       || {MAX_RECORD_LINES} || ' lines',
                   {text}
            FROM {_RECS} r LEFT JOIN {_TEXTS} t ON t.start_line = r.start_line
            WHERE r.is_runaway""",
    )


def _line_structure(con: duckdb.DuckDBPyConnection, src: Path, scan: FileScan) -> list[int]:
    """Read the file's lines and find its multi-line records (temp tables _SPANS and
    _RUNAWAY); returns the lines opening an unterminated quote. The lines stay readable
    (``lines_*``) until ``drop_lines``."""
    scan_lines(con, src, scan.line_count)
    # Only lines with a quote can open or close a multi-line field.
    lines_where(con, _QUOTED, "contains(text, '\"')")
    spans, runaways = resolve_spans(_candidate_spans(con), MAX_RECORD_LINES)
    drop_temp(con, _SPANS, _RUNAWAY)
    con.execute(
        f"CREATE TEMP TABLE {_SPANS} AS SELECT unnest($o)::BIGINT AS o, unnest($e)::BIGINT AS e",
        {"o": [o for o, _ in spans], "e": [e for _, e in spans]},
    )
    con.execute(
        f"CREATE TEMP TABLE {_RUNAWAY} AS SELECT unnest($r)::BIGINT AS line", {"r": runaways}
    )
    return runaways


def _records(con: duckdb.DuckDBPyConnection, line_count: int) -> None:
    """Records in file order, from line numbers alone (no text). rec_no is read_csv's
    reject "line": header = 1, every blank line counts, a multi-line record counts once,
    so a record starting on line L has rec_no L minus the continuation lines before it.
    """
    con.execute(f"""
        CREATE TEMP TABLE {_RECS} AS
        WITH spans AS (SELECT o, e, sum(e - o) OVER (ORDER BY o)::BIGINT AS skipped FROM {_SPANS})
        SELECT t.line - coalesce(s.skipped, 0) AS rec_no,
               t.line AS start_line, coalesce(s2.e, t.line) AS end_line,
               b.line IS NOT NULL AS is_blank, r.line IS NOT NULL AS is_runaway
        FROM range(2, {line_count + 1}) t(line)
        ASOF LEFT JOIN spans s ON t.line > s.o
        LEFT JOIN {_SPANS} s2 ON s2.o = t.line
        LEFT JOIN {_BLANK} b ON b.line = t.line
        LEFT JOIN {_RUNAWAY} r ON r.line = t.line
        WHERE s.e IS NULL OR t.line > s.e""")


def _record_texts(con: duckdb.DuckDBPyConnection) -> None:
    """raw_text of every quarantined record (rejected or runaway): its lines joined by LF."""
    con.execute(f"""
        CREATE TEMP TABLE {_NEED} AS
        SELECT r.start_line, r.end_line FROM {_REJ} j JOIN {_RECS} r ON r.rec_no = j.line
        UNION
        SELECT start_line, end_line FROM {_RECS} WHERE is_runaway""")
    lines_numbered(
        con, _NEED_LINES, f"SELECT unnest(range(start_line, end_line + 1)) AS line FROM {_NEED}"
    )
    con.execute(f"""
        CREATE TEMP TABLE {_TEXTS} AS
        SELECT n.start_line,
               string_agg(coalesce(l.text, ''), chr(10) ORDER BY l.line_no) AS raw_text
        FROM {_NEED} n JOIN {_NEED_LINES} l ON l.line_no BETWEEN n.start_line AND n.end_line
        GROUP BY n.start_line""")


def _candidate_spans(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int | None]]:
    """(opening line, closing line) for each line that could open a multi-line field.

    The closing line is the first later line that, read from inside a quoted field,
    does not end inside one (NULL if none). Those regexes are costly, so they only run
    on lines within MAX_RECORD_LINES after an opening line.
    """
    return rows(
        con,
        f"""
        WITH quoted AS MATERIALIZED (SELECT line_no, text FROM {_QUOTED} WHERE line_no >= 2),
             cand AS MATERIALIZED (
                SELECT line_no FROM quoted WHERE regexp_full_match(text, $open)),
             window_lines AS (
                SELECT q.line_no FROM (SELECT line_no FROM quoted) q
                ASOF JOIN cand c ON q.line_no > c.line_no
                WHERE q.line_no <= c.line_no + $max_lines),
             ends AS (
                SELECT line_no FROM quoted
                WHERE line_no IN (SELECT line_no FROM window_lines)
                  AND NOT regexp_full_match(text, $stay)
                  AND NOT regexp_full_match(text, $reopen))
        SELECT cand.line_no, ends.line_no
        FROM cand ASOF LEFT JOIN ends ON cand.line_no < ends.line_no
        ORDER BY 1""",
        {"open": OPEN_RE, "stay": STAY_RE, "reopen": REOPEN_RE, "max_lines": MAX_RECORD_LINES},
    )


def resolve_spans(
    candidates: list[tuple[int, int | None]], max_lines: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """Walk candidate openers in file order (only these, never all rows): a line inside
    an accepted multi-line record cannot open another, and a quote not closed within
    ``max_lines`` lines is a runaway (an unterminated quote)."""
    spans: list[tuple[int, int]] = []
    runaways: list[int] = []
    inside_until = 0
    for opening, closing in candidates:
        if opening <= inside_until:
            continue
        if closing is None or closing - opening + 1 > max_lines:
            runaways.append(opening)
        else:
            spans.append((opening, closing))
            inside_until = closing
    return spans, runaways


def _check_layout(con: duckdb.DuckDBPyConnection) -> None:
    """The layout worked out from the lines must match what read_csv returned."""
    expected_good, got_good, orphan_rejects = rows(
        con,
        f"""SELECT
            (SELECT count(*) FROM {_RECS} WHERE NOT is_blank AND NOT is_runaway
               AND rec_no NOT IN (SELECT line FROM {_REJ})),
            (SELECT count(*) FROM {_ROWS}),
            (SELECT count(*) FROM {_REJ} j LEFT JOIN {_RECS} r ON r.rec_no = j.line
               WHERE r.rec_no IS NULL OR r.is_blank OR r.is_runaway)""",
    )[0]
    if expected_good != got_good or orphan_rejects:
        raise UnparseableError(
            f"record layout does not match the CSV parser: expected {expected_good} good "
            f"rows, read_csv returned {got_good} ({orphan_rejects} rejects outside a record)"
        )
