"""What the gates remember between runs, in the warehouse (schema ``quality``).

* ``quality.raw_watermarks``: per raw table, the last delivery (``_loaded_at``) a raw
  gate accepted; rows loaded after it are "pending" and are what the next gate checks.
* ``quality.identity_runs`` / ``quality.identity_baseline``: stats and the
  record -> golden id map of the last identity output the identity gate accepted.
* ``quality.check_results``: every outcome of every gate, for trends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

import duckdb

from quality.results import GateResult

_DDL = """
CREATE SCHEMA IF NOT EXISTS quality;
CREATE TABLE IF NOT EXISTS quality.raw_watermarks (
    raw_table   VARCHAR PRIMARY KEY,
    accepted_to TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS quality.identity_runs (
    checked_at  TIMESTAMPTZ NOT NULL,
    records     BIGINT NOT NULL,
    golden_ids  BIGINT NOT NULL,
    merge_rate  DOUBLE,
    churn       DOUBLE,
    accepted    BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS quality.identity_baseline (
    source           VARCHAR NOT NULL,
    source_record_id VARCHAR NOT NULL,
    golden_id        VARCHAR
);
CREATE TABLE IF NOT EXISTS quality.check_results (
    checked_at       TIMESTAMPTZ NOT NULL,
    layer            VARCHAR NOT NULL,
    table_name       VARCHAR NOT NULL,
    check_name       VARCHAR NOT NULL,
    severity         VARCHAR NOT NULL,
    success          BOOLEAN NOT NULL,
    observed         VARCHAR,
    element_count    BIGINT,
    unexpected_count BIGINT,
    docs_url         VARCHAR
);
"""


def ensure_quality_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, _, name = qualified.partition(".")
    rows = con.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, name],
    ).fetchall()
    return bool(rows)


def raw_watermark(con: duckdb.DuckDBPyConnection, raw_table: str) -> datetime | None:
    rows = con.execute(
        "SELECT accepted_to FROM quality.raw_watermarks WHERE raw_table = ?", [raw_table]
    ).fetchall()
    return rows[0][0] if rows else None


def accept_raw(
    con: duckdb.DuckDBPyConnection, raw_table: str, accepted_to: datetime, now: datetime
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO quality.raw_watermarks VALUES (?, ?, ?)",
        [raw_table, accepted_to, now],
    )


def latest_identity_run(con: duckdb.DuckDBPyConnection) -> tuple[int, int, float] | None:
    """(records, golden_ids, merge_rate) of the last accepted identity output."""
    rows = con.execute(
        "SELECT records, golden_ids, merge_rate FROM quality.identity_runs "
        "WHERE accepted ORDER BY checked_at DESC LIMIT 1"
    ).fetchall()
    return rows[0] if rows else None


def record_identity_run(
    con: duckdb.DuckDBPyConnection,
    checked_at: datetime,
    stats: tuple[int, int, float | None, float | None],
    accepted: bool,
) -> None:
    records, golden_ids, merge_rate, churn = stats
    con.execute(
        "INSERT INTO quality.identity_runs VALUES (?, ?, ?, ?, ?, ?)",
        [checked_at, records, golden_ids, merge_rate, churn, accepted],
    )
    if accepted:  # only what changed is written: a drop rewrites a few rows, not millions
        same = (
            "x.source = b.source AND x.source_record_id = b.source_record_id "
            "AND x.golden_id IS NOT DISTINCT FROM b.golden_id"
        )
        con.execute(
            "DELETE FROM quality.identity_baseline b WHERE NOT EXISTS "
            f"(SELECT 1 FROM identity.customer_xref x WHERE {same})"
        )
        con.execute(
            "INSERT INTO quality.identity_baseline SELECT source, source_record_id, golden_id "
            "FROM identity.customer_xref x WHERE NOT EXISTS "
            f"(SELECT 1 FROM quality.identity_baseline b WHERE {same})"
        )


def record_results(
    con: duckdb.DuckDBPyConnection, gates: Iterable[GateResult], checked_at: datetime
) -> None:
    rows = [
        [checked_at, g.layer, g.table, o.check, o.severity, o.success,
         None if o.observed is None else json.dumps(o.observed, default=str),
         o.element_count, o.unexpected_count, o.docs_url]
        for g in gates for o in g.outcomes
    ]  # fmt: skip
    if rows:
        con.executemany(
            "INSERT INTO quality.check_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
