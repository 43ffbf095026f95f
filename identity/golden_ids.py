"""Stable golden ids across re-runs, new data and threshold changes.

Clusters are recomputed from scratch on every run; their ids must not be. Given the
previous assignment (``identity.customer_xref``) and the new clusters:

* each previous id has an **heir**: the new cluster holding most of its records
  (ties: the cluster with the smallest anchor record), so when a cluster splits the
  largest part keeps the id;
* a new cluster that is heir of several previous ids keeps the **oldest** (first seen
  in ``identity.golden_id_history``; ids older than the history count as oldest),
  so when clusters merge the oldest id survives; the others are ``merged`` into it;
* a new cluster that is heir of none gets a **new id**; if it holds records of a
  previous id the event is a ``split`` from it, otherwise ``created``;
* a previous id whose records all disappeared is ``retired``.

Only changes are written to the history: an unchanged input writes nothing, so
re-running is idempotent. New ids are opaque (``gc_`` + 12 hex characters) and
derived from the cluster's anchor record, so a rebuild from scratch reproduces them;
an id is never reissued, even after it was retired.
"""

from __future__ import annotations

import datetime as dt

import duckdb

HISTORY_COLUMNS = """
    run_at timestamp,
    event varchar,
    old_golden_id varchar,
    new_golden_id varchar,
    records bigint
"""

ID_PREFIX = "gc_"


def sql_timestamp(value: dt.datetime) -> str:
    """A naive timestamp as a DuckDB literal (the history's ``run_at``)."""
    return f"timestamp '{value.strftime('%Y-%m-%d %H:%M:%S.%f')}'"


def _exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    """Whether the table or view ``[catalog.][schema.]table`` (or a temp table) exists."""
    try:
        con.execute(f"select 1 from {qualified} limit 0")
    except duckdb.CatalogException:
        return False
    return True


def _previous(con: duckdb.DuckDBPyConnection, xref: str | None) -> str:
    if xref and _exists(con, xref):
        return f"(select source, source_record_id, golden_id from {xref})"
    return "(select null::varchar as source, null::varchar as source_record_id, " \
           "null::varchar as golden_id limit 0)"


def _history(con: duckdb.DuckDBPyConnection, history: str | None) -> str:
    if history and _exists(con, history):
        return f"(select run_at, event, old_golden_id, new_golden_id from {history})"
    return "(select null::timestamp as run_at, null::varchar as event, " \
           "null::varchar as old_golden_id, null::varchar as new_golden_id limit 0)"


def _mint_new_ids(con: duckdb.DuckDBPyConnection, max_attempts: int = 20) -> None:
    """Give ``_gid_assign`` rows without an id a fresh id, never reusing one.

    Collisions (a retired id, a previous cluster with the same anchor) are resolved by
    salting the hash; Python only loops over salt values, not records.
    """
    for salt in range(max_attempts):
        con.execute(
            f"""
            update _gid_assign set golden_id = candidate
            from (
                select cluster_id,
                       '{ID_PREFIX}' || substr(md5(anchor || '#{salt}'), 1, 12) as candidate
                from _gid_assign where golden_id is null
            ) c
            where _gid_assign.cluster_id = c.cluster_id
              and c.candidate not in (select golden_id from _gid_used)
              and c.candidate not in (
                  select golden_id from _gid_assign where golden_id is not null
              )
            """
        )
        con.execute(
            "insert into _gid_used select golden_id from _gid_assign "
            "where golden_id is not null and golden_id not in (select golden_id from _gid_used)"
        )
        # two new clusters may have drawn the same candidate in one statement
        con.execute(
            """
            update _gid_assign set golden_id = null
            where cluster_id in (
                select cluster_id from _gid_assign where golden_id is not null
                qualify count(*) over (partition by golden_id) > 1
                    and row_number() over (partition by golden_id order by cluster_id) > 1
            )
            """
        )
        (missing,) = con.execute(
            "select count(*) from _gid_assign where golden_id is null"
        ).fetchall()[0]
        if missing == 0:
            return
    raise RuntimeError("could not mint unique golden ids")


def assign_golden_ids(
    con: duckdb.DuckDBPyConnection,
    clusters: str,
    *,
    previous_xref: str | None,
    history: str | None,
    run_at: dt.datetime,
    out: str = "_identity_golden_assignment",
    events_out: str = "_identity_golden_events",
    reserved_ids: str | None = None,
) -> tuple[str, str]:
    """Map new clusters to golden ids.

    ``clusters`` has ``source, source_record_id, cluster_id, anchor`` (``anchor`` is a
    stable key of the cluster, e.g. its smallest record key). Writes
    ``out(source, source_record_id, golden_id)`` and the change events
    ``events_out(run_at, event, old_golden_id, new_golden_id, records)``.

    An incremental run passes only the affected part of the previous assignment as
    ``previous_xref``; ``reserved_ids`` (a query of ``golden_id``) then names every id in
    use elsewhere, so a new id is never one of them.
    """
    prev = _previous(con, previous_xref)
    hist = _history(con, history)
    con.execute(
        f"""
        create or replace temp table _gid_overlap as
        select c.cluster_id, p.golden_id, count(*) as n
        from {clusters} c join {prev} p using (source, source_record_id)
        group by all
        """
    )
    con.execute(
        f"""
        create or replace temp table _gid_assign as
        with anchors as (select distinct cluster_id, anchor from {clusters}),
        heirs as (
            select o.golden_id, o.cluster_id
            from _gid_overlap o join anchors a using (cluster_id)
            qualify row_number() over (partition by o.golden_id order by o.n desc, a.anchor) = 1
        ),
        -- only the heirs' ids need a birth date: an incremental run's few, not the
        -- whole history's
        born as (
            select new_golden_id as golden_id, min(run_at) as born_at
            from {hist} where new_golden_id in (select golden_id from heirs) group by all
        ),
        keepers as (
            select h.cluster_id, h.golden_id
            from heirs h left join born b using (golden_id)
            qualify row_number() over (
                partition by h.cluster_id order by b.born_at nulls first, h.golden_id
            ) = 1
        )
        select a.cluster_id, a.anchor, k.golden_id
        from anchors a left join keepers k using (cluster_id)
        """
    )
    con.execute(
        f"""
        create or replace temp table _gid_used as
        select golden_id from {prev} where golden_id is not null
        union select new_golden_id from {hist} where new_golden_id is not null
        union select old_golden_id from {hist} where old_golden_id is not null
        {f"union select golden_id from ({reserved_ids})" if reserved_ids else ""}
        """
    )
    _mint_new_ids(con)
    con.execute(
        f"""
        create or replace temp table {out} as
        select c.source, c.source_record_id, a.golden_id
        from {clusters} c join _gid_assign a using (cluster_id)
        """
    )
    run_at_sql = sql_timestamp(run_at)
    con.execute(
        f"""
        create or replace temp table {events_out} as
        with moves as (
            -- previous id -> new id, with how many records moved that way
            select o.golden_id as old_id, a.golden_id as new_id, sum(o.n) as records
            from _gid_overlap o join _gid_assign a using (cluster_id)
            group by all
        ),
        kept as (select golden_id from _gid_assign),
        prev_ids as (select distinct golden_id from {prev}),
        heir_of as (
            select golden_id as old_id, new_id from (
                select o.golden_id, a.golden_id as new_id
                from _gid_overlap o join _gid_assign a using (cluster_id)
                qualify row_number() over (
                    partition by o.golden_id order by o.n desc, a.anchor
                ) = 1
            )
        ),
        events as (
            -- an id that no cluster kept went to its heir: merged
            select 'merged' as event, m.old_id, m.new_id, m.records
            from moves m join heir_of h on h.old_id = m.old_id and h.new_id = m.new_id
            where m.old_id not in (select golden_id from kept)
            union all
            -- any other part that left its previous id: split
            select 'split', m.old_id, m.new_id, m.records
            from moves m
            where m.old_id <> m.new_id
              and not (m.old_id not in (select golden_id from kept)
                       and exists (select 1 from heir_of h
                                   where h.old_id = m.old_id and h.new_id = m.new_id))
            union all
            -- a new id with no previous records at all
            select 'created', null, a.golden_id, count(*)
            from _gid_assign a join {out} o using (golden_id)
            where a.golden_id not in (select golden_id from prev_ids)
              and a.cluster_id not in (select cluster_id from _gid_overlap)
            group by all
            union all
            select 'retired', p.golden_id, null, 0
            from prev_ids p
            where p.golden_id not in (select old_id from moves)
        )
        select {run_at_sql} as run_at, event, old_id as old_golden_id,
               new_id as new_golden_id, records
        from events
        order by event, old_golden_id, new_golden_id
        """
    )
    for table in ("_gid_overlap", "_gid_assign", "_gid_used"):
        con.execute(f"drop table if exists {table}")
    return out, events_out
