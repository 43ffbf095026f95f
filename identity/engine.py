"""The matching engine shared by the product pipeline and the benchmarks.

features → score blocked pairs with the versioned model → score the pairs missing
inside candidate groups → cluster without chaining. The customer pipeline adds
deterministic edges, shared identifiers, golden ids and survivorship around it;
the benchmarks run exactly this with another model spec.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb

from identity.clustering import (
    ClusteringReport,
    ProfileEvidence,
    cluster_records,
    connected_components,
    link_components,
)
from identity.linking import (
    ScoredPairs,
    ScoringSession,
    close_session,
    load_model,
    open_session,
    register_term_frequencies,
    score_listed_pairs,
    score_pairs,
)
from identity.settings import ClusteringPolicy, ModelSpec
from identity.training import register_features

#: Candidate groups larger than this are not completed (n² pairs); their unscored
#: pairs keep counting as 0, which can only make clustering more conservative.
MAX_COMPLETION_GROUP = 500


@dataclass
class EngineResult:
    features: str
    #: every scored pair (blocked + completed): id_l, id_r, match_probability, ...
    scored_pairs: str
    #: node_id, cluster_id
    clusters: str
    report: ClusteringReport
    session: ScoringSession
    blocked_pairs: int
    completed_pairs: int
    #: node_id, component_id over links at ``link_groups_threshold`` + deterministic edges
    link_groups: str
    link_groups_threshold: float


def append_scored(con: duckdb.DuckDBPyConnection, extra: str, into: str) -> str:
    """Append the rows of ``extra`` to ``into`` and drop ``extra``."""
    # Completed pairs come from the same model, so their columns are the same.
    con.execute(f"insert into {into} by name select * from {extra}")
    con.execute(f"drop table if exists {extra}")
    return into


def profile_evidence(
    con: duckdb.DuckDBPyConnection, model: dict, scored: str
) -> ProfileEvidence:
    """Partial match weight of each comparison (level + term-frequency adjustment)."""
    columns = {r[0] for r in con.execute(f"describe {scored}").fetchall()}
    weights = {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        tf = f" + coalesce(mw_tf_adj_{name}, 0)" if f"mw_tf_adj_{name}" in columns else ""
        weights[name] = f"(coalesce(mw_{name}, 0){tf})"
    prior = model["probability_two_random_records_match"]
    return ProfileEvidence(prior_weight=math.log2(prior / (1 - prior)), partial_weights=weights)


def tf_columns(model: dict) -> list[str]:
    """Columns the model adjusts for term frequency."""
    found = {
        level["tf_adjustment_column"]
        for comparison in model["comparisons"]
        for level in comparison["comparison_levels"]
        if level.get("tf_adjustment_column")
    }
    return sorted(found)


def register_entity_term_frequencies(
    con: duckdb.DuckDBPyConnection,
    session: ScoringSession,
    spec: ModelSpec,
    model: dict,
    features: str,
    deterministic_edges: str | None,
) -> list[str]:
    """Term frequencies per person, not per record.

    Splink's term frequency of a name is its share of *records*; a shopper with twenty
    POS sales makes her own name look twenty times as common as it is, and a rare
    name then fails to link her records. Records certainly of one person (joined by a
    deterministic edge or a personal phone/email in ``spec.tf_entity_keys``) count
    once here. Registered through Splink's public term-frequency lookup.
    """
    if not spec.tf_entity_keys:
        return []
    uid = spec.unique_id_column
    stars = [
        f"select {uid}::varchar as id_l, min({uid}::varchar) over (partition by {key}) as id_r "
        f"from {features} where {key} is not null"
        for key in spec.tf_entity_keys
    ]
    if deterministic_edges:
        stars.append(f"select id_l, id_r from {deterministic_edges}")
    con.execute(f"create or replace temp table _tf_edges as {' union all '.join(stars)}")
    con.execute(
        f"create or replace temp table _tf_nodes as select {uid}::varchar as node_id "
        f"from {features}"
    )
    # closed: the stars join records of ``features``, and the deterministic edges records
    # of the input ``features`` was built from (one row per record)
    connected_components(con, "_tf_nodes", "_tf_edges", "_tf_entities", closed=True)
    registered = []
    for column in tf_columns(model):
        table = f"_identity_tf_{column}"
        con.execute(
            f"""
            create or replace temp table {table} as
            with carried as (
                select distinct f.{column}, e.component_id
                from {features} f join _tf_entities e on e.node_id = f.{uid}::varchar
                where f.{column} is not null
            )
            select {column}, count(*) / (select count(*) from carried) as tf_{column}
            from carried group by all
            """
        )
        register_term_frequencies(session, table, column)
        registered.append(column)
    for t in ("_tf_edges", "_tf_nodes", "_tf_entities"):
        con.execute(f"drop table if exists {t}")
    return registered


def missing_pairs_in_candidate_groups(
    con: duckdb.DuckDBPyConnection,
    groups: str,
    scored: str,
    out: str,
    max_group: int = MAX_COMPLETION_GROUP,
) -> str:
    """Pairs inside the candidate groups ``groups(node_id, component_id)`` (records
    linked at the policy's ``link_threshold``, ``identity.clustering.link_components``)
    that blocking never compared: the pairs of a group of 3 to ``max_group`` records
    that are not in ``scored``. (A group of 2 is one link, already scored.)"""
    # Groups are filtered by size before the self-join, and the anti join reads only the
    # two id columns of the scored table.
    con.execute(
        f"""
        create or replace temp table {out} as
        with members as (
            select node_id, component_id from {groups}
            qualify count(*) over (partition by component_id) between 3 and {max_group}
        ),
        group_pairs as (
            select a.node_id as id_l, b.node_id as id_r
            from members a join members b
              on a.component_id = b.component_id and a.node_id < b.node_id
        )
        select id_l, id_r from group_pairs
        anti join (select id_l, id_r from {scored}) s using (id_l, id_r)
        """
    )
    return out


@dataclass
class EngineSession:
    """A model bound to every record's features: what scoring any pair list needs."""

    features: str
    #: ``node_id`` of every record in ``features``
    nodes: str
    session: ScoringSession


def open_engine(
    con: duckdb.DuckDBPyConnection,
    spec: ModelSpec,
    source: str,
    model: dict,
    deterministic_edges: str | None,
    prefix: str = "_identity",
) -> EngineSession:
    """Features of every row of ``source``, a scoring session on them and the
    per-person term frequencies."""
    features = register_features(con, spec, source, f"{prefix}_features")
    con.execute(
        f"create or replace temp table {prefix}_nodes as "
        f"select {spec.unique_id_column}::varchar as node_id from {features}"
    )
    session = open_session(con, features, model)
    register_entity_term_frequencies(con, session, spec, model, features, deterministic_edges)
    return EngineSession(features=features, nodes=f"{prefix}_nodes", session=session)


def complete_and_cluster(
    con: duckdb.DuckDBPyConnection,
    spec: ModelSpec,
    model: dict,
    session: ScoringSession,
    *,
    features: str,
    nodes: str,
    blocked: ScoredPairs,
    deterministic_edges: str | None,
    policy: ClusteringPolicy,
    prefix: str = "_identity",
    units: str | None = None,
) -> EngineResult:
    """Score the pairs blocking missed inside candidate groups of ``nodes``, append them
    to ``blocked`` and cluster the records of ``features``. ``units``: the records'
    components over ``deterministic_edges`` when the caller has them
    (``identity.clustering.cluster_records``)."""
    groups = link_components(
        con, nodes, blocked.table, deterministic_edges, policy.link_threshold,
        f"{prefix}_link_groups",
    )
    missing = missing_pairs_in_candidate_groups(
        con, groups, blocked.table, f"{prefix}_missing_pairs"
    )
    completed = score_listed_pairs(con, session, spec, missing, f"{prefix}_scored_completed")
    scored = append_scored(con, completed.table, blocked.table)
    con.execute(f"drop table if exists {missing}")
    # Completed pairs lie inside a group, so the groups are also the components of the
    # completed graph at link_threshold: clustering restricts itself to them when its
    # best-link threshold is the same, instead of computing them again.
    same_threshold = policy.best_link_threshold == policy.link_threshold
    report = cluster_records(
        con,
        records=features,
        unique_id_column=spec.unique_id_column,
        scored_pairs=scored,
        deterministic_edges=deterministic_edges,
        policy=policy,
        cannot_link_sql=spec.cannot_link_sql,
        profile=profile_evidence(con, model, scored) if policy.linkage == "profile" else None,
        out=f"{prefix}_clusters",
        link_groups=groups if same_threshold else None,
        units=units,
    )
    return EngineResult(
        features=features,
        scored_pairs=scored,
        clusters=f"{prefix}_clusters",
        report=report,
        session=session,
        blocked_pairs=blocked.pairs,
        completed_pairs=completed.pairs,
        link_groups=groups,
        link_groups_threshold=policy.link_threshold,
    )


def run_engine(
    con: duckdb.DuckDBPyConnection,
    spec: ModelSpec,
    source: str,
    *,
    model: dict | None = None,
    deterministic_edges: str | None = None,
    policy: ClusteringPolicy | None = None,
    prefix: str = "_identity",
    units: str | None = None,
) -> EngineResult:
    """Link and cluster the rows of ``source`` with ``spec``'s trained model.

    ``deterministic_edges`` (``id_l, id_r`` in the spec's unique id) are certain links;
    ``units`` optionally their components over the rows (``complete_and_cluster``).
    The caller owns ``result.session`` and should ``close_session`` it when done
    (``identity.evidence`` still needs it for charts).
    """
    policy = policy or spec.clustering
    model = model if model is not None else load_model(spec)
    opened = open_engine(con, spec, source, model, deterministic_edges, prefix)
    # Blocked pairs are scored straight into the final table and the completed pairs
    # appended to it: a union into a new table would copy millions of wide rows.
    blocked = score_pairs(con, opened.session, spec, f"{prefix}_scored_pairs")
    return complete_and_cluster(
        con, spec, model, opened.session, features=opened.features, nodes=opened.nodes,
        blocked=blocked, deterministic_edges=deterministic_edges, policy=policy, prefix=prefix,
        units=units,
    )


__all__ = [
    "EngineResult", "EngineSession", "append_scored", "close_session", "complete_and_cluster",
    "missing_pairs_in_candidate_groups", "open_engine", "run_engine",
]
