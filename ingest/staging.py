"""What every reader hands back to the loader, and the problems that stop a file.

A reader *stages* one landing file: it parses it with DuckDB into connection-local
temp tables and describes two queries over them, one producing the good rows
(data columns + ``_row_number``) and one producing the quarantined rows
(``line, reason_code, reason, raw_text``). The loader then writes both, plus the
load-log entry, in one transaction.
"""

from dataclasses import dataclass

from ingest.contract import LOAD_METADATA_COLUMNS, Entity

#: Every temp table the readers create starts with this (dropped after each file).
TEMP_PREFIX = "_ingest_"
#: Longest record / line DuckDB is asked to accept; longer ones are quarantined.
MAX_LINE_BYTES = 2_000_000
#: How much of a rejected record DuckDB keeps for ``raw_text`` (its default is 10 000).
REJECT_TEXT_BYTES = 1_000_000


class FileProblem(Exception):
    """A landing file that cannot be loaded at all; the loader logs it and fails the entity."""

    status = "rejected"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class HeaderError(FileProblem):
    """Header missing, not UTF-8, spanning lines, duplicated or reserved column names."""

    status = "rejected_bad_header"


class UnparseableError(FileProblem):
    """The parser and the loader's own line accounting disagree; refuse rather than guess."""

    status = "rejected_unparseable"


class MissingColumns(FileProblem):
    """Required contract columns absent from the header / schema / every JSON object."""

    status = "rejected_missing_columns"

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(f"missing required column(s): {', '.join(columns)}")
        self.columns = columns


class CorruptFileError(FileProblem):
    """A binary file (Parquet) that cannot be read; quarantined whole instead of failing."""

    status = "quarantined_file"


@dataclass(frozen=True)
class StagedFile:
    columns: tuple[str, ...]  # data columns of rows_query, canonical names
    rows_query: str  # SELECT <columns>, _row_number
    quarantine_query: str  # SELECT line, reason_code, reason, raw_text
    rows_loaded: int
    rows_quarantined: int

    @property
    def rows_read(self) -> int:
        return self.rows_loaded + self.rows_quarantined


EMPTY_QUARANTINE = (
    "SELECT NULL::BIGINT AS line, NULL::VARCHAR AS reason_code, NULL::VARCHAR AS reason, "
    "NULL::VARCHAR AS raw_text WHERE false"
)

_RESERVED = {c.lower() for c in LOAD_METADATA_COLUMNS}


def canonical_name(raw: str, position: int, entity: Entity) -> str:
    """The column name a file's header / key becomes in the raw table.

    Surrounding whitespace is dropped and contract columns are matched
    case-insensitively (DuckDB identifiers are case-insensitive anyway), taking the
    contract's spelling; an empty name becomes ``_unnamed_<position>`` (1-based).
    """
    name = raw.strip()
    if not name:
        return f"_unnamed_{position}"
    for c in entity.columns:
        if c.lower() == name.lower():
            return c
    return name


def canonical_columns(raw_names: list[str], entity: Entity) -> tuple[str, ...]:
    """Canonical names for a CSV header / Parquet schema; duplicates and reserved names fail."""
    names = tuple(canonical_name(n, i, entity) for i, n in enumerate(raw_names, start=1))
    check_names(names)
    return names


def check_names(names: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for n in names:
        key = n.lower()
        if key in _RESERVED:
            raise HeaderError(f"column {n!r} clashes with a load metadata column")
        if key in seen:
            raise HeaderError(f"column {n!r} appears more than once (names are case-insensitive)")
        if "\x00" in n:
            raise HeaderError("a column name contains a NUL byte")
        seen.add(key)


def missing_required(columns: tuple[str, ...], entity: Entity) -> tuple[str, ...]:
    present = {c.lower() for c in columns}
    return tuple(c for c in entity.required if c.lower() not in present)


def nul_visible(expr: str) -> str:
    """SQL rendering NUL bytes as the text ``\\x00`` (BI tools and CRMs choke on raw NULs)."""
    return f"replace({expr}, chr(0), '\\x00')"
