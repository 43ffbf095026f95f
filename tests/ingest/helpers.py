"""Helpers shared by the ingest tests (fixtures live in conftest.py)."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.contract import Entity, entity
from ingest.loader import EntityLoadReport, load_entity

LOADED_AT = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
ACCOUNTS = entity("web__accounts")  # 8 columns: 3 required, 5 optional
POS = entity("pos__transactions")
ACCOUNT_HEADER = ",".join(ACCOUNTS.columns)


def write(landing: Path, relpath: str, data: bytes | str) -> Path:
    p = landing / relpath
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def account_csv_row(i: int) -> str:
    """A good web/accounts CSV record whose user_id is ``u<i>``."""
    return (
        f"u{i},user{i}@example.com,Nguyễn Thị {i},0901{i:06d},1990-01-0{i % 9 + 1},F,Hà Nội,"
        f"2026-11-01T10:{i % 60:02d}:00+07:00"
    )


def accounts_csv(*records: str, newline: str = "\n") -> str:
    return newline.join([ACCOUNT_HEADER, *records]) + newline


def account_json_row(i: int) -> str:
    return (
        f'{{"user_id": "u{i}", "email": "user{i}@example.com", "full_name": "Trần Văn {i}", '
        f'"created_at": "2026-11-01T10:00:00"}}'
    )


def load(con: duckdb.DuckDBPyConnection, landing: Path, e: Entity = ACCOUNTS) -> EntityLoadReport:
    return load_entity(con, landing, e, LOADED_AT)


def fetch(con: duckdb.DuckDBPyConnection, query: str) -> list[tuple]:
    return con.execute(query).fetchall()


def raw_rows(con: duckdb.DuckDBPyConnection, e: Entity, cols: str = "*") -> list[tuple]:
    return fetch(con, f"SELECT {cols} FROM raw.{e.raw_table} ORDER BY _source_file, _row_number")


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return fetch(
        con,
        "SELECT source_file, line, reason_code, reason, raw_text FROM raw.quarantine "
        "ORDER BY source_file, line",
    )


def load_log(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return fetch(
        con,
        "SELECT file, status, rows_read, rows_loaded, rows_quarantined FROM raw._load_log "
        "ORDER BY load_id",
    )
