"""The raw schema: raw tables, ``raw.quarantine`` and ``raw._load_log``, and how a
staged file is written into them in one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from ingest.contract import Entity
from ingest.landing import LandingFile
from ingest.sql import ident, rows
from ingest.staging import StagedFile

SCHEMA = "raw"
QUARANTINE = "raw.quarantine"
LOAD_LOG = "raw._load_log"

#: Load-log statuses whose file has rows (raw and/or quarantine) in the warehouse.
CONTENT_STATUSES = ("loaded", "quarantined_file")

_DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE SEQUENCE IF NOT EXISTS raw._load_log_seq;
CREATE TABLE IF NOT EXISTS {LOAD_LOG} (
    load_id          BIGINT DEFAULT nextval('raw._load_log_seq') NOT NULL,
    file             VARCHAR NOT NULL,
    entity           VARCHAR NOT NULL,
    format           VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_loaded      BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    status           VARCHAR NOT NULL,
    detail           VARCHAR,
    loaded_at        TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS {QUARANTINE} (
    entity         VARCHAR NOT NULL,
    source_file    VARCHAR NOT NULL,
    line           BIGINT,
    reason_code    VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    raw_text       VARCHAR,
    file_sha256    VARCHAR NOT NULL,
    quarantined_at TIMESTAMPTZ NOT NULL
);
"""


def raw_table(entity: Entity) -> str:
    return f"{SCHEMA}.{ident(entity.raw_table)}"


def ensure_tables(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """Create the raw schema objects (idempotent); the raw table exists even with no files,
    so that downstream models always have a source to select from."""
    con.execute(_DDL)
    cols = ", ".join(f"{ident(c)} VARCHAR" for c in entity.columns)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {raw_table(entity)} ({cols}, "
        "_source_file VARCHAR NOT NULL, _row_number BIGINT NOT NULL, "
        "_file_sha256 VARCHAR NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL)"
    )


@dataclass
class LoadState:
    """What the load log says about an entity's files."""

    current: dict[str, str] = field(default_factory=dict)  # file -> sha256 of its rows in raw
    last: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (sha256, status)

    def holder_of(self, sha256: str, other_than: str) -> str | None:
        """Another file whose rows currently in raw have exactly these bytes."""
        for f, s in sorted(self.current.items()):
            if s == sha256 and f != other_than:
                return f
        return None


def load_state(con: duckdb.DuckDBPyConnection, entity: Entity) -> LoadState:
    latest = """SELECT file, sha256, status FROM raw._load_log WHERE entity = $e {extra}
        QUALIFY row_number() OVER (PARTITION BY file ORDER BY load_id DESC) = 1"""
    state = LoadState()
    for f, sha, status in rows(con, latest.format(extra=""), {"e": entity.raw_table}):
        state.last[f] = (sha, status)
    content = latest.format(extra=f"AND status IN {CONTENT_STATUSES}")
    for f, sha, _ in rows(con, content, {"e": entity.raw_table}):
        state.current[f] = sha
    return state


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@dataclass(frozen=True)
class LogEntry:
    file: LandingFile
    sha256: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    detail: str | None = None


def _log(con: duckdb.DuckDBPyConnection, entity: Entity, e: LogEntry, loaded_at: datetime) -> None:
    con.execute(
        f"INSERT INTO {LOAD_LOG} (file, entity, format, sha256, rows_read, rows_loaded, "
        "rows_quarantined, status, detail, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            e.file.relpath,
            entity.raw_table,
            e.file.format,
            e.sha256,
            e.rows_read,
            e.rows_loaded,
            e.rows_quarantined,
            e.status,
            e.detail,
            loaded_at,
        ],
    )


def log_only(
    con: duckdb.DuckDBPyConnection, entity: Entity, entry: LogEntry, loaded_at: datetime
) -> None:
    """Record a file that puts no rows anywhere (duplicate delivery, rejected file)."""
    _log(con, entity, entry, loaded_at)


def _forget_file(con: duckdb.DuckDBPyConnection, entity: Entity, relpath: str) -> None:
    """Remove a file's previous version (raw rows and quarantine rows)."""
    con.execute(f"DELETE FROM {raw_table(entity)} WHERE _source_file = ?", [relpath])
    con.execute(
        f"DELETE FROM {QUARANTINE} WHERE entity = ? AND source_file = ?",
        [entity.raw_table, relpath],
    )


def _add_extra_columns(
    con: duckdb.DuckDBPyConnection, entity: Entity, columns: tuple[str, ...]
) -> None:
    existing = {
        name.lower()
        for (name,) in rows(
            con,
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = $s AND table_name = $t AND NOT internal",
            {"s": SCHEMA, "t": entity.raw_table},
        )
    }
    for c in columns:
        if c.lower() not in existing:
            con.execute(f"ALTER TABLE {raw_table(entity)} ADD COLUMN {ident(c)} VARCHAR")


def write_staged(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    entry: LogEntry,
    staged: StagedFile,
    loaded_at: datetime,
    *,
    replace: bool,
) -> None:
    """Replace (if asked) and load one file: raw rows, quarantine rows and log, atomically."""
    params = {"file": entry.file.relpath, "sha": entry.sha256, "ts": loaded_at}
    with transaction(con):
        if replace:
            _forget_file(con, entity, entry.file.relpath)
        _add_extra_columns(con, entity, staged.columns)
        con.execute(
            f"INSERT INTO {raw_table(entity)} BY NAME "
            f"SELECT *, $file AS _source_file, $sha AS _file_sha256, $ts AS _loaded_at "
            f"FROM ({staged.rows_query})",
            params,
        )
        con.execute(
            f"INSERT INTO {QUARANTINE} BY NAME "
            f"SELECT $entity AS entity, $file AS source_file, line, reason_code, reason, "
            f"raw_text, $sha AS file_sha256, $ts AS quarantined_at "
            f"FROM ({staged.quarantine_query})",
            {**params, "entity": entity.raw_table},
        )
        _log(con, entity, entry, loaded_at)


def write_whole_file_quarantine(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    entry: LogEntry,
    reason: str,
    loaded_at: datetime,
    *,
    replace: bool,
) -> None:
    """A file that cannot be read at all: one quarantine row (line NULL) with the reason."""
    code = reason.split(":", 1)[0]
    with transaction(con):
        if replace:
            _forget_file(con, entity, entry.file.relpath)
        con.execute(
            f"INSERT INTO {QUARANTINE} VALUES (?, ?, NULL, ?, ?, NULL, ?, ?)",
            [entity.raw_table, entry.file.relpath, code, reason, entry.sha256, loaded_at],
        )
        _log(con, entity, entry, loaded_at)
