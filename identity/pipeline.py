"""``resolve_identities``: the one entry point an orchestrator calls.

Input: a table with one row per source record (``int_person_records_unioned``, see
``INPUT_COLUMNS``). Output, in schema ``identity``:

* ``customer_xref`` (contract): source, source_record_id, golden_id, match_probability;
* ``golden_customers``: one survivorship row per golden id;
* ``golden_id_history``: every created/merged/split/retired id, appended per run;
* ``match_evidence``: the waterfall behind every link, queryable per golden id;
* ``households``: golden customers sharing a household phone/email;
* ``shared_identifiers``: the phones/emails detected as used by several people.

``match_probability`` in the xref is the strongest link from the record to another
record of its golden customer: the link that put it there (1.0 when deterministic,
null for a golden customer with one record).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from identity.edges import RECORD_KEY_SQL, deterministic_edges
from identity.engine import (
    EngineResult,
    append_scored,
    close_session,
    complete_and_cluster,
    open_engine,
    run_engine,
)
from identity.evidence import build_match_evidence, write_model_charts, write_waterfall_chart
from identity.golden_ids import HISTORY_COLUMNS, assign_golden_ids, sql_timestamp
from identity.incremental import (
    Delta,
    blocking_rule_sqls,
    diff_records,
    ensure_state,
    fingerprint,
    hash_records,
    record_components,
    region_records,
    region_threshold,
    save_state,
    seed_candidate_pairs,
    state_schema,
    stored_fingerprint,
    stored_region_pairs,
)
from identity.linking import (
    ScoredPairs,
    explain_pairs,
    explaining_linker,
    load_model,
    load_training_records,
    score_listed_pairs,
)
from identity.prior import population_prior_factor, scale_prior
from identity.settings import CUSTOMER, ClusteringPolicy, ModelSpec
from identity.shared_identifiers import (
    SharedIdentifierRules,
    build_households,
    detect_shared_identifiers,
    detect_unit_shared_phones,
    deterministic_units,
    flag_shared_identifiers,
    guard_anonymous_phones,
)
from identity.survivorship import build_golden_customers

logger = logging.getLogger(__name__)

#: The identity input interface: column -> DuckDB type it is cast to.
INPUT_TYPES: dict[str, str] = {
    "source": "varchar", "source_record_id": "varchar",
    "first_seen_at": "timestamp", "last_seen_at": "timestamp",
    "full_name": "varchar", "name_key": "varchar", "family_name": "varchar",
    "middle_name": "varchar", "given_name": "varchar",
    "email": "varchar", "email_valid": "boolean", "email_verified": "boolean",
    "phone_e164": "varchar", "phone_valid": "boolean",
    "birth_date": "date", "birth_month": "integer", "birth_day": "integer",
    "gender": "varchar", "city": "varchar", "account_id": "varchar", "source_trust": "integer",
}
INPUT_COLUMNS: tuple[str, ...] = tuple(INPUT_TYPES)

DEFAULT_INPUT = "intermediate.int_person_records_unioned"
DEFAULT_SHARED_RULES = SharedIdentifierRules()


@dataclass
class ResolutionSummary:
    run_at: dt.datetime
    records: int
    golden_customers: int
    deterministic_edges: int
    blocked_pairs: int
    completed_pairs: int
    shared_identifiers: dict[str, int]
    households: int
    events: dict[str, int]
    cluster_sizes: dict[int, int]
    largest_cluster: int
    clustering_rounds: int
    merges_refused_by_size: int
    merges_refused_by_cannot_link: int
    charts: list[str] = field(default_factory=list)
    #: full | incremental | unchanged (nothing changed since the stored state)
    mode: str = "full"
    new_records: int = 0
    changed_records: int = 0
    removed_records: int = 0
    #: records re-clustered by an incremental run (all records on a full run)
    region_records: int | None = None
    #: factor applied to the model's prior odds for this population (identity.prior)
    prior_factor: float = 1.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["run_at"] = self.run_at.isoformat()
        return d


class InputContractError(ValueError):
    """The identity input lacks columns of the interface."""


def _check_input(con: duckdb.DuckDBPyConnection, input_table: str) -> None:
    columns = {r[0] for r in con.execute(f"describe select * from {input_table}").fetchall()}
    missing = [c for c in INPUT_COLUMNS if c not in columns]
    if missing:
        raise InputContractError(f"{input_table} lacks identity input columns: {missing}")


def prepare_input(
    con: duckdb.DuckDBPyConnection,
    input_table: str,
    rules: SharedIdentifierRules = DEFAULT_SHARED_RULES,
) -> tuple[str, str]:
    """Copy the input (one row per record) and flag shared identifiers.

    Returns (flagged records table, shared identifiers table). Training uses the same
    preparation, so the model sees the same columns it will score.
    """
    _check_input(con, input_table)
    # Explicit types: an all-null column of a small frame would otherwise arrive untyped.
    cols = ", ".join(f"cast({c} as {t}) as {c}" for c, t in INPUT_TYPES.items())
    # Duplicate deliveries of one source record collapse to one row (the latest). The
    # window sorts every record; checking for a duplicate key first is a tenth of that,
    # and the staged input normally has none. Without duplicates the typed input is a
    # view: both readers below scan it once, and a copy of every record cost more.
    # (A table and a view cannot share a name, hence two names.)
    if _has_duplicate_records(con, input_table):
        typed = "_identity_input_deduplicated"
        con.execute(
            f"""
            create or replace temp table {typed} as select {cols} from {input_table}
            qualify row_number() over (
                partition by source, source_record_id
                order by last_seen_at desc nulls last, source_trust desc
            ) = 1
            """
        )
    else:
        typed = "_identity_input"
        con.execute(f"create or replace temp view {typed} as select {cols} from {input_table}")
    shared = detect_shared_identifiers(con, typed, rules=rules)
    flagged = flag_shared_identifiers(con, typed, shared, "_identity_records")
    return flagged, shared


def _has_duplicate_records(con: duckdb.DuckDBPyConnection, input_table: str) -> bool:
    return bool(
        con.execute(
            f"select exists (select 1 from {input_table} "
            "group by source, source_record_id having count(*) > 1)"
        ).fetchall()[0][0]
    )


def _inside_links(
    con: duckdb.DuckDBPyConnection, scored: str, golden: str, link_threshold: float
) -> str:
    """``_identity_links(id_l, id_r, match_probability)``: the scored links at
    ``link_threshold`` whose two records share a golden id. Computed once: the xref's
    match probabilities and the evidence both start from them (two joins of every
    scored link with the records each)."""
    con.execute(
        f"""
        create or replace temp table _identity_links as
        select s.id_l, s.id_r, s.match_probability from {scored} s
        join {golden} gl on gl.record_key = s.id_l
        join {golden} gr on gr.record_key = s.id_r
        where gl.golden_id = gr.golden_id and s.match_probability >= {link_threshold}
        """
    )
    return "_identity_links"


def _record_match_probability(
    con: duckdb.DuckDBPyConnection, inside_links: str, det: str, golden: str
) -> str:
    """Each record's strongest link inside its golden customer: ``inside_links``
    (``_inside_links``) and the deterministic edges inside one."""
    con.execute(
        f"""
        create or replace temp table _identity_record_link as
        with inside as (
            select id_l, id_r, match_probability from {inside_links}
            union all
            select k.id_l, k.id_r, 1.0
            from {det} k
            join {golden} l on l.record_key = k.id_l
            join {golden} r on r.record_key = k.id_r
            where l.golden_id = r.golden_id
        )
        -- credited to both ends
        select record_key, max(match_probability) as match_probability
        from (select unnest([id_l, id_r]) as record_key, match_probability from inside)
        group by all
        """
    )
    return "_identity_record_link"


def _ensure_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(f"create schema if not exists {schema}")
    con.execute(f"create table if not exists {schema}.golden_id_history ({HISTORY_COLUMNS})")


Mode = Literal["auto", "full", "incremental"]


@dataclass
class _Linked:
    """What linking produced, over every record (full) or the region (incremental)."""

    engine: EngineResult
    #: flagged records / deterministic edges / node keys of the part re-resolved
    records: str
    deterministic_edges: str
    nodes: str
    region: str | None = None


def choose_mode(
    requested: Mode, state_matches: bool, delta: Delta, max_incremental_share: float
) -> str:
    """``full`` or ``incremental`` (``unchanged`` when an incremental run has nothing to
    do). ``auto`` goes incremental only on a state written for the same model, policy
    and rules, and when the drop touches at most ``max_incremental_share`` of it."""
    if requested == "full" or not state_matches or delta.stored == 0:
        if requested == "incremental":
            raise IncrementalStateError(
                "no usable incremental state (first run, or the model, clustering policy or "
                "shared-identifier rules changed): run a full resolution"
            )
        return "full"
    if requested == "auto" and delta.share > max_incremental_share:
        return "full"
    return "unchanged" if delta.touched == 0 else "incremental"


class IncrementalStateError(RuntimeError):
    """An incremental run was requested without a state it can build on."""


def _link_full(con, spec, model, records, det, policy, units) -> _Linked:
    # ``units`` are over every record, the same components clustering would compute.
    engine = run_engine(
        con, spec, records, model=model, deterministic_edges=det, policy=policy, units=units
    )
    return _Linked(engine=engine, records=records, deterministic_edges=det,
                   nodes="_identity_nodes")


def _link_incremental(con, spec, model, records, det, policy, delta, state) -> _Linked:
    """Score the seeds against everything, then re-cluster the region they touch."""
    uid = spec.unique_id_column
    opened = open_engine(con, spec, records, model, det)
    seed_pairs = seed_candidate_pairs(
        con, opened.features, delta.seeds, uid, blocking_rule_sqls(model)
    )
    # Seed pairs are scored straight into the final table (as run_engine's blocked pairs):
    # the region is found from them, then the region's stored pairs are appended.
    blocked = score_listed_pairs(con, opened.session, spec, seed_pairs, "_identity_scored_pairs")
    threshold = region_threshold(policy)
    region = region_records(
        con, schema=state, delta=delta, seed_scored=blocked.table,
        deterministic_edges=det, threshold=threshold,
    )
    stored = stored_region_pairs(con, state, region, delta.seeds)
    stored_scored = score_listed_pairs(con, opened.session, spec, stored, "_inc_stored_scored")
    append_scored(con, stored_scored.table, blocked.table)
    con.execute(
        f"""
        create or replace temp table _inc_region_nodes as
        select record_key as node_id from {region};
        create or replace temp table _inc_region_det as
        select * from {det}
        where id_l in (select record_key from {region})
          and id_r in (select record_key from {region});
        create or replace temp table _inc_region_features as
        select f.* from {opened.features} f
        semi join {region} r on r.record_key = f.{uid}::varchar;
        create or replace temp table _inc_region_records as
        select * from {records} semi join {region} r on r.record_key = {RECORD_KEY_SQL};
        """
    )
    engine = complete_and_cluster(
        con, spec, model, opened.session, features="_inc_region_features",
        nodes="_inc_region_nodes",
        blocked=ScoredPairs(blocked.table, blocked.pairs + stored_scored.pairs),
        deterministic_edges="_inc_region_det", policy=policy,
    )
    return _Linked(engine=engine, records="_inc_region_records",
                   deterministic_edges="_inc_region_det", nodes="_inc_region_nodes",
                   region=region)


def resolve_identities(
    con: duckdb.DuckDBPyConnection,
    *,
    input_table: str = DEFAULT_INPUT,
    schema: str = "identity",
    run_at: dt.datetime | None = None,
    charts_dir: Path | None = None,
    spec: ModelSpec = CUSTOMER,
    model_path: Path | None = None,
    policy: ClusteringPolicy | None = None,
    shared_rules: SharedIdentifierRules = DEFAULT_SHARED_RULES,
    mode: Mode = "auto",
    max_incremental_share: float = 0.25,
) -> ResolutionSummary:
    """Resolve every record of ``input_table`` to a golden customer (see module doc).

    ``policy`` overrides the spec's clustering thresholds (ids stay stable when it
    changes: merges keep the oldest id, splits leave it with the largest part).
    ``mode``: ``full`` scores every blocked pair; ``incremental`` links only what
    changed since the last run against the stored state (``identity.incremental``);
    ``auto`` picks incremental when a matching state exists and the change is at most
    ``max_incremental_share`` of the records.
    """
    run_at = run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    policy = policy or spec.clustering
    model = load_model(spec, model_path)
    _ensure_schema(con, schema)
    state = state_schema(schema)
    ensure_state(con, state)

    records, shared = prepare_input(con, input_table, shared_rules)
    # The prior belongs to the population, not the model: scaled before anything scores
    # or fingerprints, so evidence, clustering and the incremental state all see one value.
    prior_factor = population_prior_factor(
        _scalar(con, f"select count(*) from {records}"),
        load_training_records(spec, model_path),
    )
    model = scale_prior(model, prior_factor)
    det = deterministic_edges(con, records, shared=shared)
    units = deterministic_units(con, records, det)
    unit_shared = detect_unit_shared_phones(con, records, shared, units, shared_rules)
    anonymous = (
        guard_anonymous_phones(con, records, units)
        if shared_rules.guard_nameless_phones else 0
    )
    logger.info(
        "%s household phones found through unit names; phones of %s records in nameless "
        "units kept out of linking", unit_shared, anonymous,
    )
    hashes = hash_records(con, records, RECORD_KEY_SQL)
    state_fingerprint = fingerprint(spec, model, policy, shared_rules)
    delta = diff_records(con, hashes, state)
    chosen = choose_mode(
        mode, stored_fingerprint(con, state) == state_fingerprint, delta, max_incremental_share
    )
    logger.info(
        "identity %s run: %s new, %s changed, %s removed of %s stored records",
        chosen, delta.new, delta.changed, delta.removed_count, delta.stored,
    )
    if chosen == "unchanged":
        return _summary(
            con, schema, run_at, None, det, shared, None, [], chosen, delta, 0, prior_factor
        )
    if chosen == "full":
        linked = _link_full(con, spec, model, records, det, policy, units)
    else:
        linked = _link_incremental(con, spec, model, records, det, policy, delta, state)
    engine = linked.engine
    con.execute(
        f"""
        create or replace temp table _identity_record_clusters as
        select f.source, f.source_record_id, f.{spec.unique_id_column} as record_key,
               c.cluster_id, c.cluster_id as anchor
        from {engine.features} f join {engine.clusters} c
          on c.node_id = f.{spec.unique_id_column}
        """
    )
    previous = _previous_assignment(con, schema, linked.region, delta)
    assignment, events = assign_golden_ids(
        con,
        "_identity_record_clusters",
        previous_xref=previous,
        history=f"{schema}.golden_id_history",
        run_at=run_at,
        reserved_ids=f"select golden_id from {schema}.customer_xref" if linked.region else None,
    )
    con.execute(
        f"""
        create or replace temp table _identity_record_golden as
        select {RECORD_KEY_SQL} as record_key, source, source_record_id, golden_id
        from {assignment}
        """
    )
    inside_links = _inside_links(
        con, engine.scored_pairs, "_identity_record_golden", policy.best_link_threshold
    )
    record_link = _record_match_probability(
        con, inside_links, linked.deterministic_edges, "_identity_record_golden"
    )
    con.execute(
        f"""
        create or replace temp table _identity_xref_rows as
        select g.source, g.source_record_id, g.golden_id,
               case when count(*) over (partition by g.golden_id) > 1
                    then coalesce(l.match_probability, 1.0) end as match_probability
        from _identity_record_golden g left join {record_link} l using (record_key)
        """
    )
    explained = _explain_links(con, engine, spec, inside_links)
    components = record_components(
        con,
        linked.nodes,
        engine.scored_pairs, linked.deterministic_edges, region_threshold(policy),
        "_identity_components", known=(engine.link_groups, engine.link_groups_threshold),
    )

    con.execute("begin transaction")
    try:
        _publish(
            con, schema, linked, model, previous, events, records, shared, policy, explained
        )
        save_state(
            con, schema=state, fingerprint_value=state_fingerprint, hashes=hashes,
            components=components, scored=engine.scored_pairs, run_at_sql=sql_timestamp(run_at),
            delta=delta if linked.region else None, region=linked.region,
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise

    charts: list[str] = []
    if charts_dir is not None and chosen == "full":
        charts = _write_charts(con, engine, explained, charts_dir, policy)
    close_session(engine.session)
    return _summary(
        con, schema, run_at, engine, det, shared, events, charts, chosen, delta,
        _scalar(con, f"select count(*) from {linked.region}") if linked.region else None,
        prior_factor,
    )


def _previous_assignment(
    con: duckdb.DuckDBPyConnection, schema: str, region: str | None, delta: Delta
) -> str:
    """The previous xref the stable-id rules compare with: all of it on a full run, the
    region's and removed records' rows on an incremental one."""
    if region is None:
        return f"{schema}.customer_xref"
    con.execute(
        f"""
        create or replace temp table _inc_previous_xref as
        select x.source, x.source_record_id, x.golden_id
        from {schema}.customer_xref x
        where {RECORD_KEY_SQL} in (
            select record_key from {region} union all select record_key from {delta.removed}
        )
        """
    )
    return "_inc_previous_xref"


def _explain_links(
    con: duckdb.DuckDBPyConnection, engine: EngineResult, spec: ModelSpec, inside_links: str
) -> str:
    """The full Splink output (compared values and levels) of the links inside a
    golden customer (``_inside_links``): the pairs ``match_evidence`` and the charts
    explain. Scoring kept only narrow columns for every candidate pair
    (``identity.linking``)."""
    explained = explain_pairs(con, engine.session, spec, inside_links,
                              "_identity_explained_links")
    con.execute(f"drop table if exists {inside_links}")
    return explained.table


def _publish(
    con, schema, linked: _Linked, model, previous, events, records, shared, policy, explained
):
    """Write the identity tables (inside the caller's transaction): replaced on a full
    run; on an incremental run only the rows of the golden ids the region had or has.
    ``explained``: the full Splink output of the linked pairs (``_explain_links``)."""
    evidence_args = dict(
        model=model, scored_pairs=explained,
        deterministic_edges=linked.deterministic_edges,
        record_golden="_identity_record_golden", link_threshold=policy.best_link_threshold,
    )
    if linked.region is None:
        con.execute(
            f"create or replace table {schema}.customer_xref as select * from "
            "_identity_xref_rows order by golden_id, source, source_record_id"
        )
        build_golden_customers(
            con, records, f"{schema}.customer_xref", f"{schema}.golden_customers"
        )
        build_match_evidence(con, **evidence_args, out=f"{schema}.match_evidence")
    else:
        state = state_schema(schema)
        con.execute(
            f"""
            create or replace temp table _inc_affected_ids as
            select golden_id from {previous} union select golden_id from _identity_xref_rows;
            delete from {schema}.customer_xref where {RECORD_KEY_SQL} in (
                select record_key from {linked.region}
                union all select {RECORD_KEY_SQL} from {previous}
            );
            insert into {schema}.customer_xref by name select * from _identity_xref_rows;
            """
        )
        build_golden_customers(
            con, linked.records, "_identity_xref_rows", f"{state}.delta_golden_customers"
        )
        build_match_evidence(con, **evidence_args, out=f"{state}.delta_match_evidence")
        for table in ("golden_customers", "match_evidence"):
            con.execute(
                f"""
                delete from {schema}.{table}
                where golden_id in (select golden_id from _inc_affected_ids);
                insert into {schema}.{table} by name select * from {state}.delta_{table};
                drop table {state}.delta_{table};
                """
            )
    con.execute(f"insert into {schema}.golden_id_history select * from {events}")
    build_households(con, records, shared, f"{schema}.customer_xref", f"{schema}.households")
    con.execute(f"create or replace table {schema}.shared_identifiers as select * from {shared}")


def _write_charts(
    con, engine: EngineResult, explained: str, charts_dir: Path, policy
) -> list[str]:
    charts = [str(p) for p in write_model_charts(engine.session.linker, charts_dir, "customer")]
    # ``explained`` holds only links inside one golden customer (``_explain_links``).
    weakest = con.execute(
        f"""
        select s.* from {explained} s
        where s.match_probability >= {policy.best_link_threshold}
        order by s.match_probability, s.id_l, s.id_r limit 20
        """
    ).df().to_dict("records")
    path = write_waterfall_chart(
        explaining_linker(engine.session), weakest, charts_dir, "customer_weakest_links_waterfall"
    )
    if path:
        charts.append(str(path))
    return charts


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0])


def _summary(
    con, schema, run_at, engine: EngineResult | None, det, shared, events, charts, mode: str,
    delta: Delta, region_size: int | None, prior_factor: float,
) -> ResolutionSummary:
    report = engine.report if engine else None
    sizes = dict(
        con.execute(
            f"select size, count(*) from (select golden_id, count(*) as size "
            f"from {schema}.customer_xref group by all) group by all order by 1"
        ).fetchall()
    )
    records = _scalar(con, f"select count(*) from {schema}.customer_xref")
    return ResolutionSummary(
        run_at=run_at,
        records=records,
        golden_customers=_scalar(con, f"select count(*) from {schema}.golden_customers"),
        deterministic_edges=_scalar(con, f"select count(*) from {det}"),
        blocked_pairs=engine.blocked_pairs if engine else 0,
        completed_pairs=engine.completed_pairs if engine else 0,
        shared_identifiers=dict(
            con.execute(f"select kind, count(*) from {shared} group by all").fetchall()
        ),
        households=_scalar(
            con, f"select count(distinct household_id) from {schema}.households"
        ),
        events=dict(
            con.execute(f"select event, count(*) from {events} group by all").fetchall()
        ) if events else {},
        cluster_sizes={int(k): int(v) for k, v in sizes.items()},
        largest_cluster=max(sizes, default=0),
        clustering_rounds=report.rounds if report else 0,
        merges_refused_by_size=report.refused_by_size if report else 0,
        merges_refused_by_cannot_link=report.refused_by_cannot_link if report else 0,
        charts=charts,
        mode=mode,
        new_records=delta.new,
        changed_records=delta.changed,
        removed_records=delta.removed_count,
        region_records=records if mode == "full" else (region_size or 0),
        prior_factor=prior_factor,
    )
