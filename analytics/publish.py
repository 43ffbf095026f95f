"""Publish a read-only copy of the marts for BI tools, atomically.

DuckDB admits one writer per file and a pipeline run rewrites the marts table
by table; a BI tool reading the warehouse would be locked out or see half a
run. ``publish_bi_copy`` builds the new copy in a staging file beside the
target and renames it over the target in one step (``os.replace``): readers
see the previous copy or the new one, never a mix.

Writing a table into a DuckDB file (compression, checkpoint) costs far more
than reading and hashing it, and a daily drop changes a few percent of the
rows of the big marts. So a publish starts from a file copy of the previous
copy and only writes what changed:

* every source table gets a fingerprint (row count and the sum of its row
  hashes, over the published, masked, values); ``main.publish_tables`` in the
  copy records the fingerprint of each published table, so a table whose
  fingerprint is unchanged is kept as it is;
* a table with a ``golden_id`` column is fingerprinted per bucket of
  ``hash(golden_id)`` (``main.publish_buckets``); when it changed, the rows of
  the buckets whose fingerprint changed are deleted and inserted again from
  the warehouse, so the work follows the customers a drop touched. The copy's
  rows are never read back: its buckets are known from the previous publish.
  A change is missed only if a bucket's row count and 128-bit sum of 64-bit
  row hashes both stay equal;
* a table without ``golden_id``, a small one, one whose columns changed, or
  one where most rows would be replaced (every row carries the as-of date,
  which moves with each drop) is written whole, like a table new to the copy.

A missing or older copy, or one published with the other ``include_pii``
setting, is rebuilt from scratch. Rows of an updated table may come in a
different physical order than after a rebuild; the tables have no order.

Personal data stays in the warehouse by default: every text or text-list
column whose name contains ``email`` or ``phone`` is masked in the copy
(``l***@gmail.com``, ``+84*******67``), keeping only what a BI chart needs
(domain, country prefix). ``include_pii=True`` copies raw values for teams
that are allowed to see them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.sql import ident, literal

DEFAULT_SCHEMAS: tuple[str, ...] = ("marts", "snapshots")
PII_NAME_PARTS: tuple[str, ...] = ("email", "phone")
#: Above this share of rows to delete or to insert a table is rewritten: replacing
#: most rows costs more than a fresh copy.
MAX_DELTA_SHARE = 0.3
#: Tables smaller than this are rewritten when changed: a delta is not worth it.
MIN_DELTA_ROWS = 100_000
#: Tables with this column are fingerprinted per bucket of it: a drop changes a few
#: customers, so their rows sit in few buckets when buckets outnumber changed customers.
BUCKET_COLUMN = "golden_id"
BUCKETS = 1 << 20
STAGING_ALIAS = "bi_copy"

MASK_EMAIL_SQL = (
    "case when {v} is null then null when position('@' in {v}) > 1 "
    "then left({v}, 1) || '***' || substr({v}, position('@' in {v})) else '***' end"
)
MASK_PHONE_SQL = (
    "case when {v} is null then null when length({v}) > 5 "
    "then left({v}, 3) || repeat('*', length({v}) - 5) || right({v}, 2) else '***' end"
)


@dataclass(frozen=True)
class PublishResult:
    path: Path
    tables: dict[str, int]
    masked_columns: list[str]
    include_pii: bool
    published_at: dt.datetime
    #: How each table got into this copy: ``copied`` (written whole), ``kept``
    #: (unchanged since the previous copy), ``updated`` (row delta applied).
    actions: dict[str, str] | None = None


@dataclass(frozen=True)
class SourceTable:
    name: str
    #: Published value expression per column (masked or the quoted column), in order.
    expressions: list[str]
    columns: list[str]
    #: ``name type`` per column: a change of columns forces a rewrite.
    signature: str
    masked: list[str]


@dataclass(frozen=True)
class Fingerprint:
    rows: int
    content_hash: str


def _mask_value_sql(column: str, data_type: str) -> str | None:
    """The masked value of a PII column, without alias; None when not masked."""
    name = column.lower()
    kind = next((part for part in PII_NAME_PARTS if part in name), None)
    if kind is None or data_type not in ("VARCHAR", "VARCHAR[]"):
        return None
    template = MASK_EMAIL_SQL if kind == "email" else MASK_PHONE_SQL
    quoted = ident(column)
    if data_type == "VARCHAR":
        return template.format(v=quoted)
    return f"list_transform({quoted}, lambda x: {template.format(v='x')})"


def _tables(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    listed = ", ".join(f"'{s}'" for s in schemas)
    return con.execute(
        f"""
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema in ({listed})
          and table_type = 'BASE TABLE'
        order by table_schema, table_name
        """
    ).fetchall()


def _source_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, include_pii: bool
) -> SourceTable:
    columns = con.execute(
        """
        select column_name, data_type from information_schema.columns
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, table],
    ).fetchall()
    expressions, masked = [], []
    for column, data_type in columns:
        value = None if include_pii else _mask_value_sql(column, data_type)
        if value is not None:
            masked.append(f"{schema}.{table}.{column}")
        expressions.append(value or ident(column))
    return SourceTable(
        name=f"{schema}.{table}",
        expressions=expressions,
        columns=[c for c, _ in columns],
        signature=", ".join(f"{c} {t}" for c, t in columns),
        masked=masked,
    )


def _select_list(source: SourceTable) -> str:
    return ", ".join(
        e if e == ident(c) else f"{e} as {ident(c)}"
        for e, c in zip(source.expressions, source.columns, strict=True)
    )


def _source_hash(source: SourceTable) -> str:
    """Hash of a published row, computed from the warehouse (masking applied)."""
    return f"hash({', '.join(source.expressions)})"


def _fingerprint(con: duckdb.DuckDBPyConnection, source: SourceTable) -> Fingerprint:
    """Whole-table fingerprint: an order-independent aggregate, one scan, no write."""
    rows, total = con.execute(
        f"select count(*), coalesce(sum({_source_hash(source)}::hugeint), 0)::varchar "
        f"from {source.name}"
    ).fetchall()[0]
    return Fingerprint(int(rows), str(total))


def _bucket_sql(column: str = BUCKET_COLUMN) -> str:
    return f"hash({ident(column)}) % {BUCKETS}"


def _bucket_fingerprints(con: duckdb.DuckDBPyConnection, source: SourceTable) -> Fingerprint:
    """Fingerprint per golden-id bucket into ``_bi_buckets``; returns their total."""
    con.execute(
        f"""
        create or replace temp table _bi_buckets as
        select {_bucket_sql()} as bucket, count(*) as row_count,
               sum({_source_hash(source)}::hugeint) as content_hash
        from {source.name} group by all
        """
    )
    rows, total = con.execute(
        "select coalesce(sum(row_count), 0), coalesce(sum(content_hash), 0)::varchar "
        "from _bi_buckets"
    ).fetchall()[0]
    return Fingerprint(int(rows), str(total))


def _previous_state(target: Path, include_pii: bool) -> dict[str, tuple[Fingerprint, str]] | None:
    """Fingerprint and signature per table of the copy at ``target``; None to rebuild."""
    if not target.exists():
        return None
    try:
        with duckdb.connect(str(target), read_only=True) as con:
            known = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
            if not {"publish_info", "publish_tables", "publish_buckets"} <= known:
                return None
            (previous_pii,) = con.execute("select include_pii from publish_info").fetchall()[0]
            if previous_pii != include_pii:
                return None
            rows = con.execute(
                "select table_name, row_count, content_hash, columns from publish_tables"
            ).fetchall()
    except duckdb.Error:
        return None
    return {name: (Fingerprint(int(n), h), cols) for name, n, h, cols in rows}


def _copy_table(con: duckdb.DuckDBPyConnection, source: SourceTable) -> None:
    # Dropping and checkpointing first frees the old table's blocks for the new one:
    # the copy of the file does not grow by a table's size on every rewrite.
    con.execute(f"drop table if exists {STAGING_ALIAS}.{source.name}")
    con.execute(f"checkpoint {STAGING_ALIAS}")
    con.execute(
        f"create table {STAGING_ALIAS}.{source.name} as "
        f"select {_select_list(source)} from {source.name}"
    )


def _replace_buckets(
    con: duckdb.DuckDBPyConnection, source: SourceTable, rows: int, min_delta_rows: int
) -> bool:
    """Replace, in the copy, the rows of every golden-id bucket whose fingerprint
    changed since the previous publish; False (copy untouched) when too much changed."""
    staged = f"{STAGING_ALIAS}.{source.name}"
    con.execute(
        f"""
        create or replace temp table _bi_changed as
        with published as (
            select bucket, row_count, content_hash from {STAGING_ALIAS}.main.publish_buckets
            where table_name = {literal(source.name)}
        )
        select bucket, coalesce(c.row_count, 0) as current_rows,
               coalesce(p.row_count, 0) as published_rows
        from _bi_buckets c full join published p using (bucket)
        where c.row_count is distinct from p.row_count
           or c.content_hash is distinct from p.content_hash
        """
    )
    inserted, deleted = con.execute(
        "select coalesce(sum(current_rows), 0), coalesce(sum(published_rows), 0) from _bi_changed"
    ).fetchall()[0]
    if max(rows, deleted) < min_delta_rows or max(inserted, deleted) > MAX_DELTA_SHARE * rows:
        return False
    changed = "(select bucket from _bi_changed)"
    con.execute(f"delete from {staged} where {_bucket_sql()} in {changed}")
    con.execute(
        f"insert into {staged} select {_select_list(source)} from {source.name} "
        f"where {_bucket_sql()} in {changed}"
    )
    return True


def _record_buckets(con: duckdb.DuckDBPyConnection, source: SourceTable, action: str) -> None:
    """Store the bucket fingerprints of ``source`` in the copy (changed buckets only
    after a delta, so the bookkeeping is proportional to the change too)."""
    name = literal(source.name)
    buckets = f"{STAGING_ALIAS}.main.publish_buckets"
    if action == "updated":
        con.execute(
            f"delete from {buckets} where table_name = {name} "
            "and bucket in (select bucket from _bi_changed)"
        )
        con.execute(
            f"insert into {buckets} select {name}, bucket, row_count, content_hash "
            "from _bi_buckets where bucket in (select bucket from _bi_changed)"
        )
    else:
        con.execute(f"delete from {buckets} where table_name = {name}")
        con.execute(
            f"insert into {buckets} select {name}, bucket, row_count, content_hash from _bi_buckets"
        )


def _publish_table(
    con: duckdb.DuckDBPyConnection,
    source: SourceTable,
    previous: tuple[Fingerprint, str] | None,
    min_delta_rows: int,
) -> tuple[str, Fingerprint]:
    """Write one table into the staging copy; returns the action taken and its fingerprint."""
    bucketed = BUCKET_COLUMN in source.columns
    fingerprint = _bucket_fingerprints(con, source) if bucketed else _fingerprint(con, source)
    same_columns = previous is not None and previous[1] == source.signature
    if same_columns and previous[0] == fingerprint:
        action = "kept"
    elif (
        same_columns
        and bucketed
        and _replace_buckets(con, source, fingerprint.rows, min_delta_rows)
    ):
        action = "updated"
    else:
        _copy_table(con, source)
        action = "copied"
    if bucketed and action != "kept":
        _record_buckets(con, source, action)
    return action, fingerprint


def _write_bookkeeping(
    con: duckdb.DuckDBPyConnection,
    published_at: dt.datetime,
    include_pii: bool,
    sources: list[SourceTable],
    fingerprints: dict[str, Fingerprint],
) -> None:
    con.execute(
        f"create or replace table {STAGING_ALIAS}.main.publish_info as select "
        "?::timestamp as published_at, ?::boolean as include_pii, ?::varchar[] as tables, "
        "?::varchar[] as masked_columns",
        [
            published_at,
            include_pii,
            [s.name for s in sources],
            [m for s in sources for m in s.masked],
        ],
    )
    con.execute(
        f"create or replace table {STAGING_ALIAS}.main.publish_tables ("
        "table_name varchar, row_count bigint, content_hash varchar, columns varchar)"
    )
    con.execute(
        f"insert into {STAGING_ALIAS}.main.publish_tables "
        "select unnest(?), unnest(?), unnest(?), unnest(?)",
        [
            [s.name for s in sources],
            [fingerprints[s.name].rows for s in sources],
            [fingerprints[s.name].content_hash for s in sources],
            [s.signature for s in sources],
        ],
    )


def publish_bi_copy(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    *,
    include_pii: bool = False,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
    min_delta_rows: int = MIN_DELTA_ROWS,
) -> PublishResult:
    """Copy ``schemas`` of the warehouse ``con`` points at into ``target`` atomically."""
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (staging, staging.with_name(staging.name + ".wal")):
        leftover.unlink(missing_ok=True)

    published_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    previous = _previous_state(target, include_pii)
    if previous is not None:
        # A file copy is cheap next to writing the tables again; readers keep the
        # original until the rename below.
        shutil.copyfile(target, staging)
    sources = [_source_table(con, s, t, include_pii) for s, t in _tables(con, schemas)]
    actions: dict[str, str] = {}
    fingerprints: dict[str, Fingerprint] = {}
    con.execute(f"attach '{staging}' as {STAGING_ALIAS}")
    try:
        con.execute(
            f"create table if not exists {STAGING_ALIAS}.main.publish_buckets ("
            "table_name varchar, bucket ubigint, row_count bigint, content_hash hugeint)"
        )
        for source in sources:
            con.execute(f"create schema if not exists {STAGING_ALIAS}.{source.name.split('.')[0]}")
            actions[source.name], fingerprints[source.name] = _publish_table(
                con, source, (previous or {}).get(source.name), min_delta_rows
            )
        for gone in set(previous or {}) - set(fingerprints):
            con.execute(f"drop table if exists {STAGING_ALIAS}.{gone}")
            con.execute(
                f"delete from {STAGING_ALIAS}.main.publish_buckets "
                f"where table_name = {literal(gone)}"
            )
        _write_bookkeeping(con, published_at, include_pii, sources, fingerprints)
    except BaseException:
        con.execute(f"detach {STAGING_ALIAS}")
        staging.unlink(missing_ok=True)
        raise
    con.execute(f"detach {STAGING_ALIAS}")
    os.replace(staging, target)
    return PublishResult(
        path=target,
        tables={name: fp.rows for name, fp in fingerprints.items()},
        masked_columns=[m for s in sources for m in s.masked],
        include_pii=include_pii,
        published_at=published_at,
        actions=actions,
    )
