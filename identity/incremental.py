"""Incremental resolution: link a daily drop against the existing golden customers.

A full run scores every blocked pair of every record. A daily drop changes a small
share of the records, and most golden customers are untouched by it; rescoring
them all is wasted work. What makes a local update exact is a property of the
clustering (``identity.clustering``): two clusters only merge along a scored link of
at least the policy's link thresholds, so clusters never cross the connected
components of the graph

    G = record pairs scored at or above ``region_threshold(policy)`` + deterministic edges.

A full run stores, per record, a hash of its identity input row and its component in
``G``, and every scored pair (``<schema>_state``). An incremental run then:

1. **diffs** the current identity input against the stored hashes: new records,
   changed records (a new spelling, or a phone that has just become a household
   phone) are the *seeds*; records gone from the input (erasure) are *removed*;
2. **blocks the seeds** against every record with the model's own blocking rules
   (the same SQL Splink runs, restricted to pairs with a seed);
3. **scores** those pairs plus the stored pairs inside the affected region with the
   versioned model (``identity.linking.score_listed_pairs``); the *region* is the
   seeds, the stored components of seeds and removed records, and the stored
   components any seed now links to;
4. **re-clusters only the region** with the same clustering code, and hands the new
   clusters and the region's previous golden ids to the same stable-id rules
   (``identity.golden_ids``): the rest of the golden customers are not touched.

What is not exact: term frequencies are recomputed over all records, so the
region's pairs are scored with today's frequencies while the stored pairs outside
it keep the frequencies of the run that scored them. A pair outside the region
whose probability would cross a threshold only through a name becoming a little
more common is the one case where a full rebuild can differ; a full run
(``mode="full"``) re-scores everything and is always available.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import duckdb

from identity.clustering import link_components
from identity.settings import ClusteringPolicy, ModelSpec
from identity.shared_identifiers import SharedIdentifierRules

#: Bumped when the meaning of the stored state changes: old state then forces a full run.
#: 2: ``row_hash`` is DuckDB's 64-bit ``hash`` of the row (was an md5 of its text).
STATE_VERSION = 2


@dataclass(frozen=True)
class Delta:
    """What changed in the identity input since the stored state."""

    #: record keys (``record_key``) that are new or whose input row changed
    seeds: str
    #: record keys of the stored state that are no longer in the input
    removed: str
    new: int
    changed: int
    removed_count: int
    stored: int

    @property
    def touched(self) -> int:
        return self.new + self.changed + self.removed_count

    @property
    def share(self) -> float:
        return self.touched / max(self.stored, 1)


def state_schema(schema: str) -> str:
    return f"{schema}_state"


def region_threshold(policy: ClusteringPolicy) -> float:
    """Clusters never cross components of links at this probability (see module doc):
    completion works inside groups at ``link_threshold`` and a merge needs a link of
    at least ``best_link_threshold``."""
    return min(policy.link_threshold, policy.best_link_threshold)


def fingerprint(
    spec: ModelSpec, model: dict, policy: ClusteringPolicy, rules: SharedIdentifierRules
) -> str:
    """Everything a stored state depends on: a change of any forces a full run."""
    payload = json.dumps(
        {
            "state_version": STATE_VERSION,
            "spec": spec.name,
            "model": model,
            "policy": asdict(policy),
            "shared_rules": asdict(rules),
            "cannot_link": spec.cannot_link_sql,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def ensure_state(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(f"create schema if not exists {schema}")
    _drop_state_of_older_version(con, schema)
    con.execute(
        f"create table if not exists {schema}.meta "
        "(fingerprint varchar, updated_at timestamp, records bigint, pairs bigint)"
    )
    con.execute(
        f"create table if not exists {schema}.records "
        "(record_key varchar, row_hash ubigint, component_id varchar)"
    )
    con.execute(
        f"create table if not exists {schema}.pairs "
        "(id_l varchar, id_r varchar, match_probability double)"
    )


def _drop_state_of_older_version(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """A state written before ``row_hash`` became a ``ubigint`` (version 1) cannot even
    be diffed against: drop it, the run is a full one anyway (its fingerprint differs)."""
    found = con.execute(
        "select data_type from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? "
        "and table_name = 'records' and column_name = 'row_hash'",
        [schema],
    ).fetchall()
    if found and found[0][0] != "UBIGINT":
        for table in ("meta", "records", "pairs"):
            con.execute(f"drop table if exists {schema}.{table}")


def stored_fingerprint(con: duckdb.DuckDBPyConnection, schema: str) -> str | None:
    rows = con.execute(f"select fingerprint from {schema}.meta").fetchall()
    return rows[0][0] if rows else None


def hash_records(
    con: duckdb.DuckDBPyConnection, flagged: str, record_key_sql: str, out: str = "_inc_hashes"
) -> str:
    """``out(record_key, row_hash)``: the whole flagged input row, so a change of any
    identity field or shared/anonymous flag makes the record a seed.

    DuckDB's ``hash`` of the row struct, not an md5 of its text: rendering every row as
    text cost ten times more (seconds per million records, on every run). Two versions
    of one record colliding on 64 bits is negligible."""
    con.execute(
        f"""
        create or replace temp table {out} as
        select {record_key_sql} as record_key, hash(f) as row_hash
        from {flagged} f
        """
    )
    return out


def diff_records(con: duckdb.DuckDBPyConnection, hashes: str, schema: str) -> Delta:
    """Seeds (new + changed) and removed record keys against ``schema.records``."""
    con.execute(
        f"""
        create or replace temp table _inc_seeds as
        select h.record_key, s.record_key is null as is_new
        from {hashes} h left join {schema}.records s using (record_key)
        where s.record_key is null or s.row_hash <> h.row_hash
        """
    )
    con.execute(
        f"""
        create or replace temp table _inc_removed as
        select s.record_key from {schema}.records s anti join {hashes} h using (record_key)
        """
    )
    new, changed = con.execute(
        "select count(*) filter (where is_new), count(*) filter (where not is_new) "
        "from _inc_seeds"
    ).fetchall()[0]
    removed = con.execute("select count(*) from _inc_removed").fetchall()[0][0]
    stored = con.execute(f"select count(*) from {schema}.records").fetchall()[0][0]
    return Delta("_inc_seeds", "_inc_removed", int(new), int(changed), int(removed), int(stored))


def blocking_rule_sqls(model: dict) -> list[str]:
    """The model's prediction blocking rules as SQL over aliases ``l`` and ``r``."""
    return [rule["blocking_rule"] for rule in model["blocking_rules_to_generate_predictions"]]


def seed_candidate_pairs(
    con: duckdb.DuckDBPyConnection,
    features: str,
    seeds: str,
    uid: str,
    rules: list[str],
    out: str = "_inc_seed_pairs",
) -> str:
    """``out(id_l, id_r)``: every pair the blocking rules generate that has a seed.

    The same predicates Splink evaluates in a full run, but the left side is only the
    seeds, so the cost follows the size of the drop and of the blocks it falls in.
    """
    con.execute(
        f"""
        create or replace temp table _inc_seed_features as
        select f.* from {features} f semi join {seeds} s on s.record_key = f.{uid}::varchar
        """
    )
    selects = [
        f"""
        select least(l.{uid}::varchar, r.{uid}::varchar) as id_l,
               greatest(l.{uid}::varchar, r.{uid}::varchar) as id_r
        from _inc_seed_features l join {features} r
          on ({rule}) and l.{uid}::varchar <> r.{uid}::varchar
        """
        for rule in rules
    ]
    con.execute(f"create or replace temp table {out} as {' union '.join(selects)}")
    con.execute("drop table if exists _inc_seed_features")
    return out


def region_records(
    con: duckdb.DuckDBPyConnection,
    *,
    schema: str,
    delta: Delta,
    seed_scored: str,
    deterministic_edges: str,
    threshold: float,
    out: str = "_inc_region",
) -> str:
    """``out(record_key)``: the seeds and every stored component they touch.

    A stored component is touched when it holds a seed or a removed record (its
    membership changed) or when a seed now links to one of its records at
    ``threshold`` or by a deterministic edge.
    """
    con.execute(
        f"""
        create or replace temp table {out} as
        with seeds as (select record_key from {delta.seeds}),
        links as (
            select id_l, id_r from {seed_scored} where match_probability >= {threshold}
            union all
            select id_l, id_r from {deterministic_edges}
        ),
        touched_records as (
            select record_key from seeds
            union select record_key from {delta.removed}
            union select id_r from links where id_l in (select record_key from seeds)
            union select id_l from links where id_r in (select record_key from seeds)
        ),
        touched_components as (
            select distinct s.component_id
            from {schema}.records s semi join touched_records t using (record_key)
        )
        select record_key from seeds
        union
        select s.record_key
        from {schema}.records s semi join touched_components c using (component_id)
        where s.record_key not in (select record_key from {delta.removed})
        """
    )
    return out


def stored_region_pairs(
    con: duckdb.DuckDBPyConnection, schema: str, region: str, seeds: str,
    out: str = "_inc_stored_pairs",
) -> str:
    """Stored pairs with both records in the region and no seed (seed pairs are
    re-blocked; a changed record's old pairs may no longer be blocked)."""
    con.execute(
        f"""
        create or replace temp table {out} as
        select p.id_l, p.id_r
        from {schema}.pairs p
        semi join {region} a on a.record_key = p.id_l
        semi join {region} b on b.record_key = p.id_r
        where p.id_l not in (select record_key from {seeds})
          and p.id_r not in (select record_key from {seeds})
        """
    )
    return out


def record_components(
    con: duckdb.DuckDBPyConnection,
    nodes: str,
    scored: str,
    deterministic_edges: str,
    threshold: float,
    out: str,
    known: tuple[str, float] | None = None,
) -> str:
    """``out(node_id, component_id)`` over links at ``threshold`` and deterministic
    edges (``identity.clustering.link_components``: the smallest record key).

    ``known`` = (table, its threshold): the same components already computed over
    ``nodes`` (the engine's candidate groups), used when the thresholds are equal."""
    if known is not None and known[1] == threshold:
        return known[0]
    return link_components(con, nodes, scored, deterministic_edges, threshold, out)


def save_state(
    con: duckdb.DuckDBPyConnection,
    *,
    schema: str,
    fingerprint_value: str,
    hashes: str,
    components: str,
    scored: str,
    run_at_sql: str,
    delta: Delta | None = None,
    region: str | None = None,
) -> None:
    """Write the state a later incremental run needs; runs inside the caller's
    transaction.

    Full run (``delta`` None): replace everything. Incremental run: ``components``
    and ``scored`` cover the region; the region's records are replaced, removed
    records dropped, and the pairs replaced that were re-scored (both records in the
    region) or re-blocked (a seed or removed record). A stored weak pair between a
    region record and a record outside it was not re-scored and stays.
    """
    record_rows = f"""
        select h.record_key, h.row_hash, c.component_id
        from {hashes} h join {components} c on c.node_id = h.record_key
    """
    pair_rows = f"select id_l, id_r, match_probability from {scored}"
    if delta is None or region is None:
        con.execute(f"create or replace table {schema}.records as {record_rows}")
        con.execute(f"create or replace table {schema}.pairs as {pair_rows}")
    else:
        changed = f"(select record_key from {delta.seeds} union all " \
                  f"select record_key from {delta.removed})"
        con.execute(
            f"delete from {schema}.records where record_key in "
            f"(select record_key from {region}) or record_key in {changed}"
        )
        con.execute(
            f"""
            delete from {schema}.pairs
            where id_l in {changed} or id_r in {changed}
               or (id_l in (select record_key from {region})
                   and id_r in (select record_key from {region}))
            """
        )
        con.execute(f"insert into {schema}.records {record_rows}")
        con.execute(f"insert into {schema}.pairs {pair_rows}")
    con.execute(f"delete from {schema}.meta")
    con.execute(
        f"""
        insert into {schema}.meta
        select '{fingerprint_value}', {run_at_sql},
               (select count(*) from {schema}.records), (select count(*) from {schema}.pairs)
        """
    )
