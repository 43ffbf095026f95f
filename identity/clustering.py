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
import numpy as np
import pyarrow as pa

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


def min_label_components(nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Component label of each node ``0 .. nodes - 1`` over the edges ``(a[i], b[i])``:
    the smallest node of its component.

    Hooking and pointer jumping (Shiloach-Vishkin): each round hooks the larger of
    two linked roots under the smaller, then flattens every path to its root. The
    smallest node of a component is never hooked under anything, so it ends as the
    one root, i.e. the label."""
    labels = np.arange(nodes, dtype=np.int64)
    while True:
        la, lb = labels[a], labels[b]
        if np.array_equal(la, lb):
            return labels
        np.minimum.at(labels, np.maximum(la, lb), np.minimum(la, lb))
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


def connected_components(
    con: duckdb.DuckDBPyConnection, nodes: str, edges: str, out: str, *, closed: bool = False
) -> str:
    """``out(node_id, component_id)``: each ``nodes.node_id`` labelled with the smallest
    node id of its component over ``edges(id_l, id_r)``. Edges with an end outside
    ``nodes`` are ignored.

    ``closed``: the caller guarantees that ``nodes`` has each id once and that every
    edge joins two of them (edges built from the same records), so neither is checked:
    at 3.6M records the distinct copy and the two semi joins cost seconds per call.

    The graph is numbered in DuckDB (in ``node_id`` order, so the smallest number is
    the smallest id) and solved in memory (``min_label_components``): label
    propagation as SQL rounds, one table per round, cost minutes at 1M records."""
    node_table = nodes if closed else "_cc_nodes"
    if closed:
        con.execute(
            f"create or replace temp table _cc_edges as "
            f"select id_l, id_r from {edges} where id_l <> id_r"
        )
    else:
        con.execute(
            f"create or replace temp table _cc_nodes as select distinct node_id from {nodes}"
        )
        con.execute(
            f"""
            create or replace temp table _cc_edges as
            select id_l, id_r from {edges}
            semi join _cc_nodes a on a.node_id = id_l
            semi join _cc_nodes b on b.node_id = id_r
            where id_l <> id_r
            """
        )
    # Only nodes with an edge are numbered: most records have none at scale, and each
    # of them is its own component.
    con.execute(
        """
        create or replace temp table _cc_numbered as
        select node_id, (row_number() over (order by node_id) - 1)::bigint as idx
        from (select id_l as node_id from _cc_edges union select id_r from _cc_edges)
        """
    )
    ends = con.execute(
        """
        select l.idx as a, r.idx as b from _cc_edges e
        join _cc_numbered l on l.node_id = e.id_l
        join _cc_numbered r on r.node_id = e.id_r
        """
    ).fetchnumpy()
    count = con.execute("select count(*) from _cc_numbered").fetchall()[0][0]
    labels = min_label_components(
        int(count), np.asarray(ends["a"], dtype=np.int64), np.asarray(ends["b"], dtype=np.int64)
    )
    roots = pa.table({"idx": np.arange(count, dtype=np.int64), "root": labels})
    con.register("_cc_roots", roots)
    try:
        con.execute(
            f"""
            create or replace temp table {out} as
            select n.node_id, coalesce(r.node_id, n.node_id) as component_id
            from {node_table} n
            left join _cc_numbered m using (node_id)
            left join _cc_roots x on x.idx = m.idx
            left join _cc_numbered r on r.idx = x.root
            """
        )
    finally:
        con.unregister("_cc_roots")
    for table in ("_cc_edges", "_cc_numbered", "_cc_nodes"):
        con.execute(f"drop table if exists {table}")
    return out


def link_components(
    con: duckdb.DuckDBPyConnection,
    nodes: str,
    scored_pairs: str,
    deterministic_edges: str | None,
    threshold: float,
    out: str,
) -> str:
    """``out(node_id, component_id)``: the components of ``nodes`` over the scored
    links at ``threshold`` and the deterministic edges. The candidate groups of
    completion, the restriction of clustering and the incremental state's components
    are all this graph."""
    det = (
        f"union all select id_l, id_r from {deterministic_edges}" if deterministic_edges else ""
    )
    con.execute(
        f"""
        create or replace temp table _link_edges as
        select id_l, id_r from {scored_pairs} where match_probability >= {threshold} {det}
        """
    )
    connected_components(con, nodes, "_link_edges", out)
    con.execute("drop table if exists _link_edges")
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


def _records_with_suffixes(
    con: duckdb.DuckDBPyConnection, features: str, uid: str, members: str
) -> None:
    """Views of the features of ``members(node_id)`` keyed by ``node_id`` whose columns
    can be referenced as ``col_l``/``col_r`` by a cannot-link predicate (via the
    ``l``/``r`` aliases). The records are copied once, keyed: every round joins them."""
    cols = [r[0] for r in con.execute(f"describe {features}").fetchall()]
    con.execute(
        f"create or replace temp table _hac_records as "
        f"select {uid}::varchar as node_id, f.* from {features} f "
        f"semi join {members} m on m.node_id = f.{uid}::varchar"
    )
    for side in ("l", "r"):
        renamed = ", ".join(f'"{c}" as "{c}_{side}"' for c in cols)
        con.execute(
            f"create or replace temp view _hac_records_{side} as "
            f"select node_id, {renamed} from _hac_records"
        )


def _scored_within_link_groups(
    con: duckdb.DuckDBPyConnection,
    nodes: str,
    scored_pairs: str,
    deterministic_edges: str | None,
    best_link_threshold: float,
    profile: bool = False,
    link_groups: str | None = None,
) -> None:
    """``_hac_scored``: the scored pairs whose records are connected by links at
    ``best_link_threshold`` or by deterministic edges (``link_groups`` when the caller
    already has those components).

    A merge needs a cross link at that threshold, so a cluster never grows beyond its
    component of that graph: a pair between two components can never weigh in an
    accepted merge. Most blocked pairs are such weak namesake pairs, and dropping them
    up front keeps every agglomeration round small without changing its result.
    """
    # Only the columns clustering reads. Profile weights are SQL over the partial match
    # weights (``mw_*``, see ``identity.engine.profile_evidence``).
    weights = ", columns('^mw_')" if profile else ""
    groups = link_groups or link_components(
        con, nodes, scored_pairs, deterministic_edges, best_link_threshold, "_hac_link_groups"
    )
    con.execute(
        f"""
        create or replace temp table _hac_scored as
        select p.id_l, p.id_r, p.match_probability {weights}
        from {scored_pairs} p
        join {groups} a on a.node_id = p.id_l
        join {groups} b on b.node_id = p.id_r
        where a.component_id = b.component_id
        """
    )
    con.execute("drop table if exists _hac_link_groups")


def _merge_sizes(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the round's merges (``_hac_merges``: ``c2`` joins ``c1``) to ``_hac_sizes``:
    ``c1`` adds the units and records of ``c2``, which is gone. A cluster is in at most
    one merge of a round (mutual nearest neighbours), so each ``c1`` gains one ``c2``."""
    con.execute(
        """
        create or replace temp table _hac_size_gain as
        select m.c1, s.units, s.records
        from _hac_merges m join _hac_sizes s on s.cluster_id = m.c2;
        update _hac_sizes
        set units = _hac_sizes.units + g.units, records = _hac_sizes.records + g.records
        from _hac_size_gain g where _hac_sizes.cluster_id = g.c1;
        delete from _hac_sizes where cluster_id in (select c2 from _hac_merges);
        drop table _hac_size_gain;
        """
    )


def _merge_links(con: duckdb.DuckDBPyConnection, profile_names: list[str]) -> None:
    """Apply the round's merges (``_hac_merges``: ``c2`` joins ``c1``) to ``_hac_links``:
    the links of a merged cluster move to the merged id and are combined, links inside
    it are dropped, every other link stays as it is."""
    aggregates = "sum(sum_p) as sum_p, max(max_p) as max_p" + "".join(
        f", max(pos_{c}) as pos_{c}, min(neg_{c}) as neg_{c}" for c in profile_names
    )
    con.execute(
        f"""
        create or replace temp table _hac_touched as
        select c1 as c from _hac_merges union select c2 from _hac_merges;
        create or replace temp table _hac_moved as
        with moved as (
            select coalesce(m1.c1, l.c1) as a, coalesce(m2.c1, l.c2) as b, l.*
            from _hac_links l
            left join _hac_merges m1 on m1.c2 = l.c1
            left join _hac_merges m2 on m2.c2 = l.c2
            where l.c1 in (select c from _hac_touched) or l.c2 in (select c from _hac_touched)
        )
        select least(a, b) as c1, greatest(a, b) as c2, {aggregates}
        from moved where a <> b group by all;
        delete from _hac_links
        where c1 in (select c from _hac_touched) or c2 in (select c from _hac_touched);
        insert into _hac_links by name select * from _hac_moved;
        """
    )


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
    link_groups: str | None = None,
    units: str | None = None,
) -> ClusteringReport:
    """Cluster ``records`` (the model features table) into ``out(node_id, cluster_id)``.

    ``scored_pairs`` has ``id_l, id_r, match_probability``; ``deterministic_edges`` has
    ``id_l, id_r``. ``cluster_id`` is the smallest record id of the cluster; stable
    golden ids are assigned later (``identity.golden_ids``). ``link_groups`` may give
    the components of the records over links at ``policy.best_link_threshold`` and the
    deterministic edges (``link_components``), when the caller has them already.
    ``units`` may give the components of the records over the deterministic edges
    alone (``node_id, component_id``, every record once), e.g. the pipeline's
    ``identity.shared_identifiers.deterministic_units``.
    """
    report = ClusteringReport()
    if units is None:
        con.execute(
            f"create or replace temp table _hac_nodes as "
            f"select distinct {unique_id_column}::varchar as node_id from {records}"
        )
        det = deterministic_edges or \
            "(select null::varchar as id_l, null::varchar as id_r limit 0)"
        connected_components(con, "_hac_nodes", det, "_hac_units")
        nodes, units = "_hac_nodes", "_hac_units"
    else:
        nodes = units

    _scored_within_link_groups(
        con, nodes, scored_pairs, deterministic_edges, policy.best_link_threshold,
        profile=profile is not None, link_groups=link_groups,
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
        join {units} a on a.node_id = p.id_l
        join {units} b on b.node_id = p.id_r
        where a.component_id <> b.component_id
        group by all
        """
    )
    con.execute(
        f"""
        create or replace temp table _hac_unit_size as
        select component_id as unit_id, count(*) as records from {units} group by all
        """
    )
    # Only units with an edge can ever merge; the others stay clusters of their own and
    # are left out of the rounds (most units at scale).
    con.execute(
        """
        create or replace temp table _hac_assign as
        select unit_id, unit_id as cluster_id from _hac_unit_size
        semi join (select u1 as unit_id from _hac_unit_edges
                   union select u2 from _hac_unit_edges) e using (unit_id)
        """
    )
    profile_names = list(profile.partial_weights) if profile else []
    if profile:
        evidence = " + ".join(f"coalesce(l.pos_{c}, l.neg_{c}, 0)" for c in profile_names) or "0"
        score_sql = f"1 / (1 + pow(2, -({profile.prior_weight} + {evidence})))"
    else:
        score_sql = "l.sum_p / (s1.units * s2.units)"
    # Cluster-level links, kept up to date across rounds: every aggregate is a sum, max
    # or min, so re-aggregating the links of the clusters a round merged is enough
    # (re-aggregating every unit edge each round dominated clustering at 1M).
    con.execute(
        f"""
        create or replace temp table _hac_links as
        select u1 as c1, u2 as c2, p as sum_p, p as max_p
               {"".join(f", pos_{c}, neg_{c}" for c in profile_names)}
        from _hac_unit_edges
        """
    )
    # The records of the units that take part in the rounds.
    con.execute(
        f"""
        create or replace temp table _hac_active_nodes as
        select u.node_id, u.component_id as unit_id from {units} u
        semi join _hac_assign a on a.unit_id = u.component_id
        """
    )
    cannot_link = _cannot_link_filter(cannot_link_sql) if cannot_link_sql else ""
    if cannot_link:
        _records_with_suffixes(con, records, unique_id_column, "_hac_active_nodes")

    # Sizes of the active clusters, kept up to date by _merge_sizes (recomputing them
    # from every unit each round cost more than the round itself at 1M).
    con.execute(
        """
        create or replace temp table _hac_sizes as
        select a.cluster_id, count(*) as units, sum(s.records) as records
        from _hac_assign a join _hac_unit_size s using (unit_id)
        group by all
        """
    )
    for _ in range(max_rounds):
        report.rounds += 1
        con.execute(
            f"""
            create or replace temp table _hac_candidates as
            with scored as (
                select l.c1, l.c2, l.max_p, s1.records + s2.records as merged_records,
                       {score_sql} as score
                from _hac_links l
                join _hac_sizes s1 on s1.cluster_id = l.c1
                join _hac_sizes s2 on s2.cluster_id = l.c2
                where l.max_p >= {policy.best_link_threshold}
            )
            select c1, c2, score, max_p, merged_records from scored
            where score >= {policy.cluster_threshold}
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
                "select u.node_id, a.cluster_id from _hac_active_nodes u "
                "join _hac_assign a using (unit_id) "
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
        _merge_sizes(con)
        _merge_links(con, profile_names)

    con.execute(
        f"""
        create or replace temp table {out} as
        select u.node_id,
               min(u.node_id) over (partition by coalesce(a.cluster_id, u.component_id))
                   as cluster_id
        from {units} u left join _hac_assign a on a.unit_id = u.component_id
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
                  "_hac_scored", "_hac_links", "_hac_touched", "_hac_moved",
                  "_hac_active_nodes", "_hac_records"):
        con.execute(f"drop table if exists {table}")
    con.execute("drop view if exists _hac_records_l; drop view if exists _hac_records_r")
    return report
