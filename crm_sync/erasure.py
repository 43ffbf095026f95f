"""Erasure ("forget me"): remove a person from identity and marts, keep a tombstone.

``erase`` finds the golden records holding the given email, phone or golden id, writes
tombstones (SHA-256 hashes, never the identifiers themselves) for that identifier and
for every email, phone and golden id of those records, then deletes their rows from
every base table of the identity and marts schemas that has a golden id column.
``golden_id_history`` keeps its rows: it holds ids only, and the stable-id logic needs
them so an erased id is never reissued. Past outbox payloads of the person are
redacted to ``{}``.

The next ``build_outbox`` sees the record gone and emits a ``delete`` event. Because
identity is rebuilt from source data that may still hold the person, every sync first
re-applies the tombstones (``apply_tombstones``) and the outbox ignores any golden
record touching a tombstone, so the person never links back into the CRM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from crm_sync.outbox import (
    OUTBOX,
    TOMBSTONES,
    ensure_sync_schema,
    erased_golden_ids_sql,
    table_columns,
)
from identity.standardise.emails import email_normalise
from identity.standardise.phones import phone_e164
from ingest.sql import ident

ERASED_SCHEMAS: tuple[str, ...] = ("identity", "marts")
KEPT_TABLES: frozenset[str] = frozenset({"identity.golden_id_history"})
GOLDEN = "identity.golden_customers"


@dataclass(frozen=True)
class ErasureResult:
    golden_ids: list[str]
    tombstones: int
    deleted_rows: dict[str, int]


def identifier_variants(
    email: str | None = None, phone: str | None = None, golden_id: str | None = None
) -> list[tuple[str, str]]:
    """(type, value) pairs to tombstone, in the forms identity stores them."""
    pairs: list[tuple[str, str]] = []
    if email:
        pairs += [("email", v) for v in {email.strip().lower(), email_normalise(email)} if v]
    if phone:
        pairs += [("phone", v) for v in {phone.strip(), phone_e164(phone)} if v]
    if golden_id:
        pairs.append(("golden_id", golden_id.strip()))
    if not pairs:
        raise ValueError("give an email, a phone or a golden id to erase")
    return pairs


def _matching_golden_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Golden ids touched by any tombstone (set-based over ``golden_customers``)."""
    if not table_columns(con, GOLDEN):
        return []
    rows = con.execute(
        f"select golden_id from ({erased_golden_ids_sql()}) order by golden_id"
    ).fetchall()
    return [r[0] for r in rows]


def _erasable_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    """(qualified table, its golden-id columns) for identity/marts base tables."""
    rows = con.execute(
        f"""
        select c.table_schema || '.' || c.table_name, list(c.column_name order by c.column_name)
        from information_schema.columns c
        join information_schema.tables t using (table_catalog, table_schema, table_name)
        where t.table_type = 'BASE TABLE'
          and c.table_schema in ({", ".join(f"'{s}'" for s in ERASED_SCHEMAS)})
          and c.column_name like '%golden_id%' and c.data_type = 'VARCHAR'
        group by all order by 1
        """
    ).fetchall()
    return [(table, columns) for table, columns in rows if table not in KEPT_TABLES]


def _tombstone_all_identifiers(
    con: duckdb.DuckDBPyConnection, golden_ids: list[str], erased_at: dt.datetime
) -> None:
    """Tombstone every email, phone and id of the erased records.

    An email or phone that another (not erased) golden customer also holds, e.g. a
    household phone, is left alone: tombstoning it would erase that person too.
    """
    con.execute(
        f"""
        insert into {TOMBSTONES}
        select distinct kind, hash, ?::timestamp from (
            select 'golden_id' as kind, sha256(golden_id) as hash from {GOLDEN}
            where golden_id in (select unnest(?::varchar[]))
            union all
            select 'email', sha256(lower(trim(e))) from {GOLDEN}, unnest(emails) u(e)
            where golden_id in (select unnest(?::varchar[]))
            union all
            select 'phone', sha256(trim(p)) from {GOLDEN}, unnest(phones) u(p)
            where golden_id in (select unnest(?::varchar[]))
        ) new
        where (kind, hash) not in (select identifier_type, identifier_hash from {TOMBSTONES})
          and (kind, hash) not in (
              select 'email', sha256(lower(trim(e))) from {GOLDEN}, unnest(emails) u(e)
              where golden_id not in (select unnest(?::varchar[]))
              union all
              select 'phone', sha256(trim(p)) from {GOLDEN}, unnest(phones) u(p)
              where golden_id not in (select unnest(?::varchar[]))
          )
        """,
        [erased_at, golden_ids, golden_ids, golden_ids, golden_ids, golden_ids],
    )


def apply_tombstones(con: duckdb.DuckDBPyConnection) -> ErasureResult:
    """Delete from identity and marts every golden record touched by a tombstone."""
    ensure_sync_schema(con)
    golden_ids = _matching_golden_ids(con)
    deleted: dict[str, int] = {}
    if golden_ids:
        for table, columns in _erasable_tables(con):
            where = " or ".join(
                f"{ident(c)} in (select unnest(?::varchar[]))" for c in columns
            )
            before = con.execute(f"select count(*) from {table}").fetchall()[0][0]
            con.execute(f"delete from {table} where {where}", [golden_ids] * len(columns))
            removed = before - con.execute(f"select count(*) from {table}").fetchall()[0][0]
            if removed:
                deleted[table] = removed
        con.execute(
            f"update {OUTBOX} set payload = '{{}}'::json "
            "where golden_id in (select unnest(?::varchar[])) and payload::varchar <> '{}'",
            [golden_ids],
        )
    (count,) = con.execute(f"select count(*) from {TOMBSTONES}").fetchall()[0]
    return ErasureResult(golden_ids=golden_ids, tombstones=int(count), deleted_rows=deleted)


def erase(
    con: duckdb.DuckDBPyConnection,
    *,
    email: str | None = None,
    phone: str | None = None,
    golden_id: str | None = None,
    erased_at: dt.datetime | None = None,
) -> ErasureResult:
    """Forget a person: tombstones first, then deletion (one transaction)."""
    erased_at = erased_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_sync_schema(con)
    pairs = identifier_variants(email, phone, golden_id)
    con.execute("begin transaction")
    try:
        con.executemany(
            f"insert into {TOMBSTONES} select ?, sha256(?), ? where (?, sha256(?)) not in "
            f"(select identifier_type, identifier_hash from {TOMBSTONES})",
            [[kind, value, erased_at, kind, value] for kind, value in pairs],
        )
        _tombstone_all_identifiers(con, _matching_golden_ids(con), erased_at)
        result = apply_tombstones(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return result
