"""The CRM change feed ``sync.crm_outbox`` (contract section 3), built set-based in DuckDB.

The last state sent to the CRM is kept per golden id in ``sync.crm_snapshot``. A sync
diffs the current golden records against it:

* an id new to the snapshot is a ``split`` when the identity history says it was split
  off another id, otherwise a ``create`` (payload: every field);
* an id present on both sides whose fields changed is an ``update`` (payload: the
  changed fields only);
* an id that disappeared is a ``merge`` when the history's merge chain leads to a
  current id (``surviving_golden_id``), otherwise a ``delete`` (payload ``{}``).

Outbox rows, the snapshot and the run log are written in one transaction, so "since the
last successful sync" is exact and an unchanged warehouse emits nothing. The
idempotency key hashes the event with the record's snapshot version, so recomputing the
same change (e.g. after a crash before commit) yields the same key, while a later change
that happens to restore older values gets a new one.

At a million golden records the cost is in writing JSON (DuckDB compresses every payload
written into the outbox and the snapshot), so each payload is built once, copied nowhere
else in memory, and a snapshot row is replaced by a delete and an append rather than an
in-place update: an update of the payload column would make the next checkpoint
recompress the payloads of every row group it touched, that is of the whole snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from ingest.sql import ident, literal

SCHEMA = "sync"
OUTBOX = f"{SCHEMA}.crm_outbox"
SNAPSHOT = f"{SCHEMA}.crm_snapshot"
RUNS = f"{SCHEMA}.crm_sync_runs"
TOMBSTONES = f"{SCHEMA}.erasure_tombstones"

GOLDEN = "identity.golden_customers"
HISTORY = "identity.golden_id_history"
CUSTOMER_360 = "marts.customer_360"

EVENT_ORDER = ("create", "split", "update", "merge", "delete")
#: customer_360 columns added to the payload when the mart has them.
DEFAULT_MART_FIELDS: tuple[str, ...] = ("lifecycle_stage", "value_tier", "rfm_segment")
#: Golden columns not sent: bookkeeping that changes without the person changing.
EXCLUDED_GOLDEN_FIELDS: frozenset[str] = frozenset({"golden_id", "record_count"})
MAX_MERGE_CHAIN = 64

OUTBOX_DDL = f"""
create table if not exists {OUTBOX} (
    sequence bigint not null primary key,
    idempotency_key varchar not null unique,
    event_type varchar not null,
    golden_id varchar not null,
    surviving_golden_id varchar,
    payload json not null,
    emitted_at timestamp not null
)"""
SNAPSHOT_DDL = f"""
create table if not exists {SNAPSHOT} (
    golden_id varchar primary key,
    payload json,
    content_hash varchar,
    version bigint not null,
    active boolean not null,
    row_hash ubigint
)"""
RUNS_DDL = f"""
create table if not exists {RUNS} (
    synced_at timestamp not null,
    events bigint not null,
    first_sequence bigint,
    last_sequence bigint
)"""
TOMBSTONES_DDL = f"""
create table if not exists {TOMBSTONES} (
    identifier_type varchar not null,
    identifier_hash varchar not null,
    erased_at timestamp not null
)"""


@dataclass(frozen=True)
class OutboxResult:
    synced_at: dt.datetime
    events: dict[str, int]
    first_sequence: int | None
    last_sequence: int | None

    @property
    def total(self) -> int:
        return sum(self.events.values())


def ensure_sync_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    for ddl in (OUTBOX_DDL, SNAPSHOT_DDL, RUNS_DDL, TOMBSTONES_DDL):
        con.execute(ddl)
    # Snapshots written before the row hash existed gain the column; their null hashes
    # make every record a candidate once, then the hash is stored.
    con.execute(f"alter table {SNAPSHOT} add column if not exists row_hash ubigint")


def table_columns(con: duckdb.DuckDBPyConnection, qualified: str) -> list[str]:
    """Column names of ``schema.table`` in order; empty when it does not exist."""
    schema, table = qualified.split(".")
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [r[0] for r in rows]


def payload_struct_sql(golden_fields: Sequence[str], mart_fields: Sequence[str]) -> str:
    """``to_json({...})`` over golden fields (alias g) then mart fields (alias m)."""
    parts = [f"{literal(f)}: g.{ident(f)}" for f in golden_fields]
    parts += [f"{literal(f)}: m.{ident(f)}" for f in mart_fields]
    return "to_json({" + ", ".join(parts) + "})"


def erased_golden_ids_sql() -> str:
    """Golden ids of ``golden_customers`` touched by an erasure tombstone.

    Joins on the hashed identifiers rather than probing the tombstones once per golden
    record: the change feed evaluates this over every golden record on every sync. Each
    branch only runs when a tombstone of its type exists, so the usual sync without
    erasures does not hash every email and phone of every golden record for nothing.
    """
    return f"""
        select g.golden_id from {GOLDEN} g
        join {TOMBSTONES} t on t.identifier_type = 'golden_id'
         and t.identifier_hash = sha256(g.golden_id)
        union
        select g.golden_id from {_erasable_sql("emails", "email")} g, unnest(g.emails) u(e)
        join {TOMBSTONES} t on t.identifier_type = 'email'
         and t.identifier_hash = sha256(lower(trim(u.e)))
        union
        select g.golden_id from {_erasable_sql("phones", "phone")} g, unnest(g.phones) u(p)
        join {TOMBSTONES} t on t.identifier_type = 'phone'
         and t.identifier_hash = sha256(trim(u.p))
    """


def _erasable_sql(column: str, identifier_type: str) -> str:
    """Golden ids and ``column``, or no rows when no tombstone has ``identifier_type``."""
    return (
        f"(select golden_id, {column} from {GOLDEN} where exists "
        f"(select 1 from {TOMBSTONES} where identifier_type = {literal(identifier_type)}))"
    )


def row_hash_sql(golden_fields: Sequence[str], mart_fields: Sequence[str]) -> str:
    """A 64-bit hash of the fields the payload is built from (aliases g and m)."""
    parts = [f"g.{ident(f)}" for f in golden_fields]
    parts += [f"m.{ident(f)}" for f in mart_fields]
    return f"hash({', '.join(parts)})"


def _current_state(con: duckdb.DuckDBPyConnection, mart_fields: Sequence[str]) -> list[str]:
    """``_crm_current_ids`` (every current id and its row hash) and ``_crm_current``
    (payload and content hash of the ids that may have changed); returns the payload's
    field names in payload order.

    Serialising a record to JSON and hashing it costs far more than hashing its fields,
    and a daily drop changes a few percent of the records. So the payload is only built
    for ids whose row hash differs from the one stored with the snapshot (or is not
    stored yet); the change itself is still decided on the payload, as before. A
    64-bit hash collision between a record's old and new fields would hide that change.
    """
    golden_fields = [c for c in table_columns(con, GOLDEN) if c not in EXCLUDED_GOLDEN_FIELDS]
    if not golden_fields:
        raise LookupError(f"{GOLDEN} does not exist: resolve identities first")
    available = set(table_columns(con, CUSTOMER_360))
    marts = [f for f in mart_fields if f in available]
    join = f"left join {CUSTOMER_360} m using (golden_id)" if marts else ""
    payload = payload_struct_sql(golden_fields, marts)
    con.execute(
        f"""
        create or replace temp table _crm_current_ids as
        with erased as ({erased_golden_ids_sql()})
        select g.golden_id, {row_hash_sql(golden_fields, marts)} as row_hash
        from {GOLDEN} g {join}
        where g.golden_id not in (select golden_id from erased)
        """
    )
    # The payload is built once and hashed from the stored value: written twice in one
    # select, DuckDB would serialise every golden record to JSON twice.
    con.execute(
        f"""
        create or replace temp table _crm_current as
        with candidates as (
            select i.golden_id, i.row_hash from _crm_current_ids i
            left join {SNAPSHOT} s on s.golden_id = i.golden_id and s.active
            where s.row_hash is distinct from i.row_hash
        ),
        current_payload as (
            select g.golden_id, c.row_hash, {payload} as payload
            from {GOLDEN} g join candidates c using (golden_id) {join}
        )
        select golden_id, payload, md5(payload::varchar) as content_hash, row_hash
        from current_payload
        """
    )
    return [*golden_fields, *marts]


def _history_sql(con: duckdb.DuckDBPyConnection) -> str:
    if table_columns(con, HISTORY):
        return f"(select run_at, event, old_golden_id, new_golden_id from {HISTORY})"
    return (
        "(select null::timestamp as run_at, null::varchar as event, "
        "null::varchar as old_golden_id, null::varchar as new_golden_id limit 0)"
    )


def _sql_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def json_values_sql(fields: Sequence[str], payload: str) -> str:
    """The JSON values of ``fields`` in the JSON ``payload``, as a list in field order
    (one parse of the payload for all fields)."""
    paths = _sql_list([literal('$."' + f + '"') for f in fields])
    return f"json_extract({payload}, {paths})"


def changed_parts_sql(fields: Sequence[str], current: str, sent: str) -> str:
    """``"field":value`` of each of ``fields`` whose value in the list ``current`` differs
    from the one in the list ``sent`` (lists from ``json_values_sql``), in field order.

    Joined with commas between braces, this is the object ``json_group_object`` over
    the payload's unnested keys would build (same keys, values and order), without an
    unnest and an aggregation: the fields of a payload are the same for every record.
    """
    keys = _sql_list([f"to_json({literal(f)}::varchar)" for f in fields])
    part = (
        f"case when {current}[i]::varchar is not distinct from {sent}[i]::varchar then null "
        f"else {keys}[i] || ':' || coalesce(to_json({current}[i]), 'null'::json) end"
    )
    return (
        f"list_filter(list_transform(range(1, {len(fields) + 1}), lambda i: {part}), "
        "lambda p: p is not null)"
    )


def _diff(con: duckdb.DuckDBPyConnection, fields: Sequence[str]) -> None:
    """``_crm_changes``: one row per event; ``payload`` is null where it is the record's
    current payload (create, split), which stays in ``_crm_current`` (no second copy)."""
    hist = _history_sql(con)
    con.execute(
        f"""
        create or replace temp table _crm_changes as
        with recursive
        active as (select golden_id, version, content_hash from {SNAPSHOT} where active),
        appeared as (
            select c.golden_id, c.content_hash from _crm_current c
            anti join active s using (golden_id)
        ),
        gone as (
            select s.golden_id, s.version from active s
            anti join _crm_current_ids i using (golden_id)
        ),
        merge_edges as (
            select old_golden_id as old_id, new_golden_id as new_id from {hist}
            where event = 'merged'
            qualify row_number() over (partition by old_golden_id order by run_at desc) = 1
        ),
        walk(start_id, node, depth) as (
            select golden_id, golden_id, 0 from gone
            union all
            select w.start_id, e.new_id, w.depth + 1
            from walk w join merge_edges e on e.old_id = w.node
            where w.depth < {MAX_MERGE_CHAIN}
        ),
        survivors as (
            select start_id, node as survivor from walk
            where depth > 0 and node in (select golden_id from _crm_current_ids)
            qualify row_number() over (partition by start_id order by depth) = 1
        ),
        split_ids as (select distinct new_golden_id as golden_id from {hist} where event = 'split'),
        modified as (
            select c.golden_id, c.payload, c.content_hash, s.version
            from _crm_current c join active s using (golden_id)
            where c.content_hash is distinct from s.content_hash
        ),
        -- only the sent payloads of modified records are read (and parsed)
        sent as (
            select golden_id, payload from {SNAPSHOT}
            where active and golden_id in (select golden_id from modified)
        ),
        changed_values as (
            select m.golden_id, {json_values_sql(fields, "m.payload")} as current_values,
                   {json_values_sql(fields, "s.payload")} as sent_values
            from modified m join sent s using (golden_id)
        ),
        changed_parts as (
            select golden_id,
                   {changed_parts_sql(fields, "current_values", "sent_values")} as parts
            from changed_values
        ),
        changed_fields as (
            select golden_id, ('{{' || array_to_string(parts, ',') || '}}')::json as payload
            from changed_parts where len(parts) > 0
        )
        select case when a.golden_id in (select golden_id from split_ids)
                    then 'split' else 'create' end as event_type,
               a.golden_id, null::varchar as surviving_golden_id,
               null::json as payload, a.content_hash, a.content_hash as key_hash,
               coalesce(s.version, 0) + 1 as version
        from appeared a left join {SNAPSHOT} s using (golden_id)
        union all
        select 'update', m.golden_id, null, f.payload, m.content_hash, m.content_hash,
               m.version + 1
        from modified m join changed_fields f using (golden_id)
        union all
        select case when v.survivor is null then 'delete' else 'merge' end,
               g.golden_id, v.survivor, '{{}}'::json, null,
               case when v.survivor is null then 'delete' else 'merge' end,
               g.version + 1
        from gone g left join survivors v on v.start_id = g.golden_id
        """
    )


def _order_sql() -> str:
    cases = " ".join(f"when {literal(e)} then {i}" for i, e in enumerate(EVENT_ORDER))
    return f"case event_type {cases} end"


def _append_events(con: duckdb.DuckDBPyConnection, base: int, ts: str) -> None:
    """Append ``_crm_changes`` to the outbox, numbered from ``base + 1`` in event order.

    The sequence is numbered over the narrow change rows, before the payloads join in:
    a window ordered over rows that carry the payloads would sort all of them.
    """
    con.execute(
        f"""
        insert into {OUTBOX}
        with numbered as (
            select event_type, golden_id, surviving_golden_id, payload, key_hash, version,
                   {base} + row_number() over (order by {_order_sql()}, golden_id) as sequence
            from _crm_changes
        )
        select n.sequence,
               substr(sha256(n.event_type || '|' || n.golden_id || '|'
                      || coalesce(n.surviving_golden_id, '') || '|' || n.version::varchar
                      || '|' || n.key_hash), 1, 32),
               n.event_type, n.golden_id, n.surviving_golden_id,
               coalesce(n.payload, cur.payload), timestamp {ts}
        from numbered n left join _crm_current cur using (golden_id)
        """
    )


def _update_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    """Store the new state of every changed id, and new row hashes of unchanged payloads."""
    # Delete and append rather than ``insert or replace`` (an in-place update of the
    # payload column; see the module docstring).
    con.execute(f"delete from {SNAPSHOT} where golden_id in (select golden_id from _crm_changes)")
    con.execute(
        f"""
        insert into {SNAPSHOT} (golden_id, payload, content_hash, version, active, row_hash)
        select c.golden_id, cur.payload, cur.content_hash, c.version,
               c.event_type not in ('merge', 'delete'), cur.row_hash
        from _crm_changes c left join _crm_current cur using (golden_id)
        """
    )
    # Candidates whose payload did not change (a new row hash for the same payload,
    # or a snapshot from before row hashes) only refresh the stored hash.
    con.execute(
        f"""
        update {SNAPSHOT} s set row_hash = cur.row_hash
        from _crm_current cur
        where s.golden_id = cur.golden_id and s.active
          and s.row_hash is distinct from cur.row_hash
        """
    )


def build_outbox(
    con: duckdb.DuckDBPyConnection,
    *,
    synced_at: dt.datetime | None = None,
    mart_fields: Sequence[str] = DEFAULT_MART_FIELDS,
) -> OutboxResult:
    """Append to ``sync.crm_outbox`` every change since the last successful sync."""
    synced_at = synced_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    ensure_sync_schema(con)
    fields = _current_state(con, mart_fields)
    _diff(con, fields)
    ts = literal(synced_at.isoformat(sep=" "))
    con.execute("begin transaction")
    try:
        (base,) = con.execute(f"select coalesce(max(sequence), 0) from {OUTBOX}").fetchall()[0]
        _append_events(con, base, ts)
        _update_snapshot(con)
        rows = con.execute(
            f"select event_type, count(*), min(sequence), max(sequence) from {OUTBOX} "
            f"where sequence > {base} group by event_type"
        ).fetchall()
        first = min((r[2] for r in rows), default=None)
        last = max((r[3] for r in rows), default=None)
        con.execute(
            f"insert into {RUNS} values (timestamp {ts}, ?, ?, ?)",
            [sum(r[1] for r in rows), first, last],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return OutboxResult(
        synced_at=synced_at,
        events={r[0]: int(r[1]) for r in rows},
        first_sequence=first,
        last_sequence=last,
    )
