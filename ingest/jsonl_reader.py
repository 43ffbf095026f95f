"""Stage a JSONL landing file: lines as one text column, JSON handled set-wise.

Every line is classified in SQL (``json_valid`` / ``json_type``); object lines
become rows whose columns are the union of the keys seen in the file, extracted
with one ``json_extract_string`` call per line (a list of paths parses the line
once). Blank (empty or whitespace-only) lines are not rows: they are neither
loaded nor quarantined nor counted, the same as blank lines in CSV files.

Values are text as DuckDB's JSON parser renders them: strings as is, null as SQL
NULL, nested objects / arrays as compact JSON, numbers re-serialised (``1.50`` ->
``1.5``, ``1e2`` -> ``100.0``), booleans as ``true`` / ``false``.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.contract import Entity
from ingest.landing import FileScan, write_copy
from ingest.lines import read_lines
from ingest.sql import drop_temp, ident, literal, rows
from ingest.staging import (
    EMPTY_QUARANTINE,
    MAX_LINE_BYTES,
    StagedFile,
    canonical_name,
    check_names,
    nul_visible,
)

_LINES = "_ingest_jsonl_lines"
_BAD = "_ingest_jsonl_bad"  # every line that is not a good object (blank ones included)

_JSON_KIND = """CASE json_type(text)
    WHEN 'ARRAY' THEN 'an array' WHEN 'VARCHAR' THEN 'a string' WHEN 'NULL' THEN 'null'
    WHEN 'BOOLEAN' THEN 'a boolean' ELSE 'a number' END"""

# First matching rule wins; NULL = a good object line. Cheap tests first, and the
# blank / truncated tests only on lines that are not valid JSON. JSON allows no raw
# control characters, so a raw NUL is invalid JSON anyway, but it gets its own code.
# "Truncated" = an object that was opened and not closed: more '{' than '}' and no
# closing '}' at the end (a heuristic: braces inside strings count too).
_REASON_CODE = """CASE
    WHEN read_error IS NOT NULL THEN read_error
    WHEN text IS NULL THEN 'blank'
    WHEN contains(text, chr(0)) THEN 'nul_byte'
    WHEN json_valid(text) THEN
        CASE WHEN json_type(text) <> 'OBJECT' THEN 'not_an_object' END
    WHEN trim(text, ' \t\r\n') = '' THEN 'blank'
    WHEN starts_with(ltrim(text), '{') AND NOT ends_with(rtrim(text), '}')
         AND strlen(replace(text, '}', '')) > strlen(replace(text, '{', ''))
        THEN 'truncated_json'
    ELSE 'invalid_json'
    END"""

_REASON = f"""CASE reason_code
    WHEN 'invalid_utf8' THEN 'invalid_utf8: line is not valid UTF-8'
    WHEN 'line_too_long' THEN 'line_too_long: line exceeds {MAX_LINE_BYTES} bytes'
    WHEN 'nul_byte' THEN 'nul_byte: line contains a NUL (0x00) byte'
    WHEN 'truncated_json' THEN 'truncated_json: JSON object is not closed'
    WHEN 'invalid_json' THEN 'invalid_json: line does not parse as JSON'
    WHEN 'not_an_object' THEN 'not_an_object: expected a JSON object, found ' || {_JSON_KIND}
    END"""

_GOOD = f"FROM {_LINES} WHERE line_no NOT IN (SELECT line_no FROM {_BAD})"


@dataclass(frozen=True)
class JsonlFile:
    """A JSONL file read into temp tables; its columns are known only after reading."""

    columns: tuple[str, ...]
    keys: tuple[tuple[str, ...], ...]  # JSON keys feeding each column (case variants)
    n_good: int
    n_bad: int


def read_jsonl(
    con: duckdb.DuckDBPyConnection, path: Path, scan: FileScan, entity: Entity, workdir: Path
) -> JsonlFile:
    drop_temp(con, _LINES, _BAD)
    src = path
    if scan.mixed_newlines:
        src = workdir / "normalised.jsonl"  # the strict line reader refuses mixed endings
        write_copy(path, src)
    read_lines(con, src, _LINES, scan.line_count)
    # Only the (few) bad lines are copied; good ones are read from the lines table.
    con.execute(f"""
        CREATE TEMP TABLE {_BAD} AS
        SELECT line_no, text, reason_code, {_REASON} AS reason
        FROM (SELECT line_no, text, {_REASON_CODE} AS reason_code FROM {_LINES})
        WHERE reason_code IS NOT NULL""")
    n_lines, n_bad, n_blank = rows(
        con,
        f"SELECT (SELECT count(*) FROM {_LINES}), count(*) FILTER (WHERE reason_code <> 'blank'), "
        f"count(*) FILTER (WHERE reason_code = 'blank') FROM {_BAD}",
    )[0]
    found = rows(
        con,
        f"SELECT k FROM (SELECT line_no, unnest(json_keys(text)) AS k {_GOOD}) "
        "GROUP BY k ORDER BY min(line_no), k",
    )
    columns, keys = group_keys([k for (k,) in found], entity)
    return JsonlFile(columns, keys, n_lines - n_bad - n_blank, n_bad)


def group_keys(
    keys: list[str], entity: Entity
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Column per key, in first-seen order. Keys differing only in case or surrounding
    whitespace ("Email", "email ") feed one column (DuckDB column names are
    case-insensitive), first non-null value wins."""
    columns: list[str] = []
    sources: dict[str, list[str]] = {}
    for k in keys:
        name = canonical_name(k, len(columns) + 1, entity)
        if not k.strip():
            name = "_unnamed_key"
        slot = name.lower()
        if slot not in sources:
            columns.append(name)
            sources[slot] = []
        sources[slot].append(k)
    names = tuple(columns)
    check_names(names)
    return names, tuple(tuple(sources[c.lower()]) for c in names)


def _json_path(key: str) -> str:
    return '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stage_jsonl(con: duckdb.DuckDBPyConnection, jf: JsonlFile) -> StagedFile:
    paths = [_json_path(k) for group in jf.keys for k in group]
    selects = []
    i = 1
    for name, group in zip(jf.columns, jf.keys, strict=True):
        parts = [f"v[{i + j}]" for j in range(len(group))]
        i += len(group)
        expr = parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"
        selects.append(f"{expr} AS {ident(name)}")
    if paths:
        path_list = "[" + ", ".join(literal(p) for p in paths) + "]"
        rows_query = f"""SELECT {", ".join(selects)}, line_no AS _row_number
            FROM (SELECT line_no, json_extract_string(text, {path_list}) AS v {_GOOD})"""
    else:
        rows_query = f"SELECT line_no AS _row_number {_GOOD}"
    quarantine_query = (
        f"SELECT line_no AS line, reason_code, reason, {nul_visible('text')} AS raw_text "
        f"FROM {_BAD} WHERE reason_code <> 'blank'"
        if jf.n_bad
        else EMPTY_QUARANTINE
    )
    return StagedFile(
        columns=jf.columns,
        rows_query=rows_query,
        quarantine_query=quarantine_query,
        rows_loaded=jf.n_good,
        rows_quarantined=jf.n_bad,
    )
