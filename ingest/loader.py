"""Load an entity's landing files into ``raw.<source>__<entity>``.

``load_entity`` is the one entry point (the Dagster asset calls it once per entity).
Per file: hash it, decide from ``raw._load_log`` whether it is new, unchanged, a
re-delivery of bytes already loaded under another name, or a new version of a file
already loaded; stage it with the format's DuckDB reader; then write raw rows,
quarantine rows and the log entry in one transaction. Files that cannot be loaded
(missing required columns, unreadable header) do not stop the others; the entity
fails at the end with an error naming them. See docs/ingest.md.
"""

import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.contract import Entity
from ingest.csv_reader import parse_header, stage_csv
from ingest.jsonl_reader import read_jsonl, stage_jsonl
from ingest.landing import FileScan, LandingFile, find_landing_files, scan_file
from ingest.parquet_reader import parquet_schema, stage_parquet
from ingest.sql import drop_temp_prefixed
from ingest.staging import (
    TEMP_PREFIX,
    CorruptFileError,
    FileProblem,
    MissingColumns,
    StagedFile,
    canonical_columns,
    missing_required,
)
from ingest.warehouse import (
    LoadState,
    LogEntry,
    ensure_tables,
    load_state,
    log_only,
    write_staged,
    write_whole_file_quarantine,
)

__all__ = [
    "EntityLoadReport",
    "FileLoadRecord",
    "IngestError",
    "MissingColumnsError",
    "UnreadableFileError",
    "load_entity",
]


@dataclass(frozen=True)
class FileLoadRecord:
    """What happened to one landing file in this run.

    status: loaded | unchanged (already loaded, skipped) | duplicate_delivery |
    quarantined_file (unreadable Parquet, one quarantine row) | rejected_missing_columns |
    rejected_bad_header | rejected_unparseable. Row counts are for this run only, and
    rows_read == rows_loaded + rows_quarantined always.
    """

    file: str
    format: str
    sha256: str
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    detail: str | None = None

    @property
    def rejected(self) -> bool:
        return self.status.startswith("rejected")


@dataclass(frozen=True)
class EntityLoadReport:
    entity: str  # e.g. pos/transactions
    raw_table: str  # e.g. raw.pos__transactions
    files: tuple[FileLoadRecord, ...]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rejected(self) -> tuple[FileLoadRecord, ...]:
        return tuple(f for f in self.files if f.rejected)

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.files)

    def to_metadata(self) -> dict[str, str | int]:
        """Flat dict for Dagster materialisation metadata (str / int values only)."""
        meta: dict[str, str | int] = {
            "entity": self.entity,
            "raw_table": self.raw_table,
            "files_found": len(self.files),
            "files_loaded": self.count("loaded"),
            "files_unchanged": self.count("unchanged"),
            "files_duplicate_delivery": self.count("duplicate_delivery"),
            "files_quarantined_whole": self.count("quarantined_file"),
            "files_rejected": len(self.rejected),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
        }
        for f in self.files:
            text = f"{f.status}: read {f.rows_read}, loaded {f.rows_loaded}, "
            text += f"quarantined {f.rows_quarantined}"
            meta[f"file {f.file}"] = text + (f" ({f.detail})" if f.detail else "")
        return meta


class IngestError(Exception):
    """Some landing files of an entity could not be loaded (the others were)."""

    def __init__(self, entity: Entity, report: EntityLoadReport) -> None:
        self.entity = entity
        self.report = report
        self.rejected = report.rejected
        lines = [f"{r.file}: {r.status}: {r.detail}" for r in self.rejected]
        super().__init__(
            f"{entity.prefix}: {len(lines)} landing file(s) not loaded "
            f"(the entity's other files were):\n  " + "\n  ".join(lines)
        )


class MissingColumnsError(IngestError):
    """At least one file lacks required contract columns (message names file and columns)."""


class UnreadableFileError(IngestError):
    """At least one file has an unreadable header or cannot be parsed consistently."""


def load_entity(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, entity: Entity, loaded_at: datetime
) -> EntityLoadReport:
    """Load every new landing file of ``entity``; see the module docstring.

    Raises MissingColumnsError / UnreadableFileError (carrying ``.report``) after all
    loadable files are loaded if some could not be. ``con`` must not be inside an open
    transaction: each file is committed on its own. A naive ``loaded_at`` is taken as UTC.
    """
    if loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=UTC)
    ensure_tables(con, entity)
    state = load_state(con, entity)
    records = tuple(
        _load_file(con, entity, lf, state, loaded_at)
        for lf in find_landing_files(Path(landing_dir), entity)
    )
    report = EntityLoadReport(entity.prefix, f"raw.{entity.raw_table}", records)
    if any(r.status == MissingColumns.status for r in report.rejected):
        raise MissingColumnsError(entity, report)
    if report.rejected:
        raise UnreadableFileError(entity, report)
    return report


def _load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    lf: LandingFile,
    state: LoadState,
    loaded_at: datetime,
) -> FileLoadRecord:
    scan = scan_file(lf.path)
    sha = scan.sha256
    previous = state.current.get(lf.relpath)
    if previous == sha:
        return FileLoadRecord(lf.relpath, lf.format, sha, "unchanged")
    holder = state.holder_of(sha, other_than=lf.relpath)
    if holder is not None:
        entry = LogEntry(lf, sha, "duplicate_delivery", detail=f"same bytes as {holder}")
        if state.last.get(lf.relpath) != (sha, entry.status):
            log_only(con, entity, entry, loaded_at)
            state.last[lf.relpath] = (sha, entry.status)
        return _record(entry)
    replaced = f"replaces version {previous[:12]}" if previous else None
    with tempfile.TemporaryDirectory(prefix="cdp-ingest-") as tmp:
        try:
            staged = _stage(con, entity, lf, scan, Path(tmp))
        except CorruptFileError as e:
            entry = LogEntry(lf, sha, e.status, 1, 0, 1, _join(e.detail, replaced))
            write_whole_file_quarantine(
                con, entity, entry, e.detail, loaded_at, replace=previous is not None
            )
            state.current[lf.relpath] = sha
        except FileProblem as e:
            # Not partly loaded; a previous good version of the file stays in raw.
            entry = LogEntry(lf, sha, e.status, detail=e.detail)
            if state.last.get(lf.relpath) != (sha, e.status):
                log_only(con, entity, entry, loaded_at)
        else:
            entry = LogEntry(
                lf,
                sha,
                "loaded",
                staged.rows_read,
                staged.rows_loaded,
                staged.rows_quarantined,
                replaced,
            )
            write_staged(con, entity, entry, staged, loaded_at, replace=previous is not None)
            state.current[lf.relpath] = sha
        finally:
            drop_temp_prefixed(con, TEMP_PREFIX)
    state.last[lf.relpath] = (sha, entry.status)
    return _record(entry)


def _join(*parts: str | None) -> str | None:
    return "; ".join(p for p in parts if p) or None


def _record(e: LogEntry) -> FileLoadRecord:
    return FileLoadRecord(
        e.file.relpath,
        e.file.format,
        e.sha256,
        e.status,
        e.rows_read,
        e.rows_loaded,
        e.rows_quarantined,
        e.detail,
    )


def _require(columns: tuple[str, ...], entity: Entity) -> None:
    missing = missing_required(columns, entity)
    if missing:
        raise MissingColumns(missing)


def _stage(
    con: duckdb.DuckDBPyConnection, entity: Entity, lf: LandingFile, scan: FileScan, tmp: Path
) -> StagedFile:
    if lf.format == "csv":
        columns = parse_header(lf.path, entity)
        _require(columns, entity)
        return stage_csv(con, lf.path, scan, columns, tmp)
    if lf.format == "jsonl":
        jf = read_jsonl(con, lf.path, scan, entity, tmp)
        if jf.n_good:  # with no object at all, only quarantine is left to do
            _require(jf.columns, entity)
        return stage_jsonl(con, jf)
    schema = parquet_schema(con, lf.path)
    _require(canonical_columns([name for name, _ in schema], entity), entity)
    return stage_parquet(con, lf.path, schema, entity)
