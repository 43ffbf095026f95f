"""From scored pairs to clusters, without chaining.

Plain connected components at a threshold let a single false link glue two people
(or two households) together, and every further false link makes it worse. We use
instead:

1. **Units**: records joined by deterministic edges (same account, cookie to its
   login, same verified email) form one unit; these are certain and never split.
2. **Average-linkage agglomeration over units**: two clusters merge only when

   * the mean match probability over *all* their cross pairs of units reaches
     ``average_threshold`` (a pair that was never scored counts as 0, so one
     strong link between two otherwise unrelated groups is not enough),
   * their strongest cross link reaches ``best_link_threshold``,
   * the merged cluster stays within ``max_cluster_size`` records, and
   * no cross pair of records violates the spec's cannot-link rule.

   Each round merges every pair of clusters that are each other's best candidate
   (mutual nearest neighbours). Average linkage is "reducible", so these parallel
   merges give the same result as merging one pair at a time, and the outcome does
   not depend on row order: the same input gives the same clusters.

Everything runs as set-based SQL in DuckDB; Python only loops over rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from identity.settings import ClusteringPolicy


@dataclass(frozen=True)
class ProfileEvidence:
    """What profile linkage needs from the model: the prior as a match weight and, per
    comparison, the SQL of a scored pair's partial match weight (level + TF)."""

    prior_weight: float
    partial_weights: dict[str, str]


@dataclass
class ClusteringReport:
    rounds: int = 0
    merges: int = 0
    refused_by_size: int = 0
    refused_by_cannot_link: int = 0
    clusters: int = 0
    records: int = 0
    size_distribution: dict[int, int] = field(default_factory=dict)

    @property
    def max_cluster_size(self) -> int:
        return max(self.size_distribution, default=0)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(f"select count(*) from ({sql})").fetchall()[0][0])


def connected_components(
    con: duckdb.DuckDBPyConnection, nodes: str, edges: str, out: str, max_rounds: int = 100
) -> str:
    """Label each ``nodes.node_id`` with the smallest node id of its component over
    ``edges(id_l, id_r)``: min-label propagation with pointer jumping."""
    con.execute(
        f"create or replace temp table {out} as "
        f"select distinct node_id, node_id as component_id from {nodes}"
    )
    con.execute(
        f"""
        create or replace temp table _cc_edges as
        select id_l as a, id_r as b from {edges} where id_l <> id_r
        union select id_r, id_l from {edges} where id_l <> id_r
        """
    )
    for _ in range(max_rounds):
        con.execute(
            f"""
            create or replace temp table _cc_next as
            with neighbour_min as (
                select e.a as node_id, min(c.component_id) as component_id
                from _cc_edges e join {out} c on c.node_id = e.b
                group by e.a
            ),
            propagated as (
                select o.node_id,
                       least(o.component_id, coalesce(n.component_id, o.component_id))
                           as component_id
                from {out} o left join neighbour_min n using (node_id)
            )
            -- pointer jumping: a label is itself a node, whose label is at least as small
            select p.node_id, least(p.component_id, q.component_id) as component_id
            from propagated p join propagated q on q.node_id = p.component_id
            """
        )
        changed = _count(
            con,
            f"select 1 from _cc_next n join {out} o using (node_id) "
            "where n.component_id <> o.component_id",
        )
        # rename instead of copying: a copy of every node per round dominated at 1M
        con.execute(f"drop table {out}")
        con.execute(f"alter table _cc_next rename to {out.split('.')[-1]}")
        if changed == 0:
            break
    con.execute("drop table if exists _cc_next; drop table if exists _cc_edges")
    return out


def _cannot_link_filter(cannot_link_sql: str) -> str:
    """SQL deleting candidate merges that would put a cannot-link pair together."""
    return f"""
        delete from _hac_candidates c
        using (
            select distinct c.c1, c.c2
            from _hac_candidates c
            join _hac_members m1 on m1.cluster_id = c.c1
            join _hac_members m2 on m2.cluster_id = c.c2
            join _hac_records_l l on l.node_id = m1.node_id
            join _hac_records_r r on r.node_id = m2.node_id
            where {cannot_link_sql}
        ) bad
        where c.c1 = bad.c1 and c.c2 = bad.c2
    """


def _records_with_suffixes(con: duckdb.DuckDBPyConnection, features: str, uid: str) -> None:
    """A view of the features keyed by ``node_id`` whose columns can be referenced as
    ``col_l``/``col_r`` by a cannot-link predicate (via the ``l``/``r`` aliases)."""
    cols = [r[0] for r in con.execute(f"describe {features}").fetchall()]
    left = ", ".join(f'"{c}" as "{c}_l"' for c in cols)
    right = ", ".join(f'"{c}" as "{c}_r"' for c in cols)
    con.execute(
        f"create or replace temp view _hac_records_l as "
        f"select {uid}::varchar as node_id, {left} from {features}"
    )
    con.execute(
        f"create or replace temp view _hac_records_r as "
        f"select {uid}::varchar as node_id, {right} from {features}"
    )


def _scored_within_link_groups(
    con: duckdb.DuckDBPyConnection,
    nodes: str,
    scored_pairs: str,
    deterministic_edges: str | None,
    best_link_threshold: float,
    profile: bool = False,
) -> None:
    """``_hac_scored``: the scored pairs whose records are connected by links at
    ``best_link_threshold`` or by deterministic edges.

    A merge needs a cross link at that threshold, so a cluster never grows beyond its
    component of that graph: a pair between two components can never weigh in an
    accepted merge. Most blocked pairs are such weak namesake pairs, and dropping them
    up front keeps every agglomeration round small without changing its result.
    """
    det = (
        f"union all select id_l, id_r from {deterministic_edges}" if deterministic_edges else ""
    )
    # Only the columns clustering reads: the scored table is wide (every comparison's
    # values, levels and weights), and a full copy doubled the peak memory at 1M.
    # Profile weights are SQL over the partial match weights (``mw_*``, see
    # ``identity.engine.profile_evidence``).
    weights = ", columns('^mw_')" if profile else ""
    con.execute(
        f"""
        create or replace temp table _hac_strong as
        select id_l, id_r from {scored_pairs}
        where match_probability >= {best_link_threshold} {det}
        """
    )
    connected_components(con, nodes, "_hac_strong", "_hac_link_groups")
    con.execute(
        f"""
        create or replace temp table _hac_scored as
        select p.id_l, p.id_r, p.match_probability {weights}
        from {scored_pairs} p
        join _hac_link_groups a on a.node_id = p.id_l
        join _hac_link_groups b on b.node_id = p.id_r
        where a.component_id = b.component_id
        """
    )
    con.execute("drop table if exists _hac_strong; drop table if exists _hac_link_groups")


def cluster_records(
    con: duckdb.DuckDBPyConnection,
    *,
    records: str,
    unique_id_column: str,
    scored_pairs: str,
    deterministic_edges: str | None,
    policy: ClusteringPolicy,
    cannot_link_sql: str | None = None,
    profile: ProfileEvidence | None = None,
    out: str = "_identity_clusters",
    max_rounds: int = 500,
) -> ClusteringReport:
    """Cluster ``records`` (the model features table) into ``out(node_id, cluster_id)``.

    ``scored_pairs`` has ``id_l, id_r, match_probability``; ``deterministic_edges`` has
    ``id_l, id_r``. ``cluster_id`` is the smallest record id of the cluster; stable
    golden ids are assigned later (``identity.golden_ids``).
    """
    report = ClusteringReport()
    con.execute(
        f"create or replace temp table _hac_nodes as "
        f"select distinct {unique_id_column}::varchar as node_id from {records}"
    )
    det = deterministic_edges or "(select null::varchar as id_l, null::varchar as id_r limit 0)"
    connected_components(con, "_hac_nodes", det, "_hac_units")

    _scored_within_link_groups(
        con, "_hac_nodes", scored_pairs, deterministic_edges, policy.best_link_threshold,
        profile=profile is not None,
    )
    scored_pairs = "_hac_scored"

    # Unit-level evidence: the best record pair between two units (members of a unit
    # are one person, so any member's attributes are that person's attributes).
    profile_cols = "".join(
        f", max({w}) filter (where {w} > 0) as pos_{c}, min({w}) filter (where {w} < 0) as neg_{c}"
        for c, w in (profile.partial_weights.items() if profile else ())
    )
    con.execute(
        f"""
        create or replace temp table _hac_unit_edges as
        select least(a.component_id, b.component_id) as u1,
               greatest(a.component_id, b.component_id) as u2,
               max(p.match_probability) as p {profile_cols}
        from {scored_pairs} p
        join _hac_units a on a.node_id = p.id_l
        join _hac_units b on b.node_id = p.id_r
        where a.component_id <> b.component_id
        group by all
        """
    )
    con.execute(
        """
        create or replace temp table _hac_unit_size as
        select component_id as unit_id, count(*) as records from _hac_units group by all
        """
    )
    con.execute(
        "create or replace temp table _hac_assign as "
        "select unit_id, unit_id as cluster_id from _hac_unit_size"
    )
    if profile:
        cluster_profile_cols = "".join(
            f", max(pos_{c}) as pos_{c}, min(neg_{c}) as neg_{c}" for c in profile.partial_weights
        )
        evidence = " + ".join(
            f"coalesce(l.pos_{c}, l.neg_{c}, 0)" for c in profile.partial_weights
        ) or "0"
        score_sql = f"1 / (1 + pow(2, -({profile.prior_weight} + {evidence})))"
    else:
        cluster_profile_cols = ""
        score_sql = "l.sum_p / (s1.units * s2.units)"
    cannot_link = _cannot_link_filter(cannot_link_sql) if cannot_link_sql else ""
    if cannot_link:
        _records_with_suffixes(con, records, unique_id_column)

    for _ in range(max_rounds):
        report.rounds += 1
        con.execute(
            """
            create or replace temp table _hac_sizes as
            select a.cluster_id, count(*) as units, sum(s.records) as records
            from _hac_assign a join _hac_unit_size s using (unit_id)
            group by all
            """
        )
        con.execute(
            f"""
            create or replace temp table _hac_candidates as
            with links as (
                select least(a.cluster_id, b.cluster_id) as c1,
                       greatest(a.cluster_id, b.cluster_id) as c2,
                       sum(e.p) as sum_p, max(e.p) as max_p {cluster_profile_cols}
                from _hac_unit_edges e
                join _hac_assign a on a.unit_id = e.u1
                join _hac_assign b on b.unit_id = e.u2
                where a.cluster_id <> b.cluster_id
                group by all
            ),
            scored as (
                select l.c1, l.c2, l.max_p, s1.records + s2.records as merged_records,
                       {score_sql} as score
                from links l
                join _hac_sizes s1 on s1.cluster_id = l.c1
                join _hac_sizes s2 on s2.cluster_id = l.c2
            )
            select c1, c2, score, max_p, merged_records from scored
            where max_p >= {policy.best_link_threshold} and score >= {policy.cluster_threshold}
            """
        )
        oversize = _count(
            con, f"select 1 from _hac_candidates where merged_records > {policy.max_cluster_size}"
        )
        con.execute(
            f"delete from _hac_candidates where merged_records > {policy.max_cluster_size}"
        )
        if cannot_link:
            con.execute(
                "create or replace temp table _hac_members as "
                "select u.node_id, a.cluster_id from _hac_units u "
                "join _hac_assign a on a.unit_id = u.component_id "
                "where a.cluster_id in (select c1 from _hac_candidates "
                "union select c2 from _hac_candidates)"
            )
            before = _count(con, "select 1 from _hac_candidates")
            con.execute(cannot_link)
            report.refused_by_cannot_link += before - _count(con, "select 1 from _hac_candidates")
        report.refused_by_size += oversize
        con.execute(
            """
            create or replace temp table _hac_merges as
            with directed as (
                select c1 as c, c2 as other, score, max_p from _hac_candidates
                union all
                select c2, c1, score, max_p from _hac_candidates
            ),
            best as (
                select c, other from directed
                qualify row_number() over (
                    partition by c order by score desc, max_p desc, other
                ) = 1
            )
            select b1.c as c1, b1.other as c2
            from best b1 join best b2 on b2.c = b1.other and b2.other = b1.c
            where b1.c < b1.other
            """
        )
        merged = _count(con, "select 1 from _hac_merges")
        if merged == 0:
            break
        report.merges += merged
        con.execute(
            """
            update _hac_assign set cluster_id = m.c1
            from _hac_merges m where _hac_assign.cluster_id = m.c2
            """
        )

    con.execute(
        f"""
        create or replace temp table {out} as
        select u.node_id, min(u.node_id) over (partition by a.cluster_id) as cluster_id
        from _hac_units u join _hac_assign a on a.unit_id = u.component_id
        """
    )
    sizes = con.execute(
        f"select size, count(*) from (select cluster_id, count(*) as size from {out} "
        "group by all) group by all order by 1"
    ).fetchall()
    report.size_distribution = {int(s): int(n) for s, n in sizes}
    report.clusters = sum(report.size_distribution.values())
    report.records = sum(s * n for s, n in report.size_distribution.items())
    for table in ("_hac_unit_edges", "_hac_unit_size", "_hac_assign", "_hac_sizes",
                  "_hac_candidates", "_hac_merges", "_hac_members", "_hac_nodes",
                  "_hac_scored"):
        con.execute(f"drop table if exists {table}")
    return report
