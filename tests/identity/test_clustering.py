"""Clustering without chaining, on graphs drawn by hand."""

import itertools

import duckdb
import pytest

from identity.clustering import ProfileEvidence, cluster_records, connected_components
from identity.settings import ClusteringPolicy

POLICY = ClusteringPolicy(link_threshold=0.5, linkage="average", cluster_threshold=0.5,
                          best_link_threshold=0.9, max_cluster_size=100)


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def _graph(con, nodes, pairs, extra_cols=""):
    con.execute("create or replace table records (uid varchar, given_name varchar)")
    con.executemany("insert into records values (?, ?)", [(n, g) for n, g in nodes])
    con.execute(
        f"create or replace table scored (id_l varchar, id_r varchar, "
        f"match_probability double {extra_cols})"
    )
    width = 3 + (extra_cols.count(",") if extra_cols else 0)
    con.executemany(
        f"insert into scored values ({', '.join('?' * width)})",
        [tuple(sorted(p[:2])) + tuple(p[2:]) for p in pairs],
    )


def _clusters(con, out="_identity_clusters"):
    rows = con.execute(f"select cluster_id, list(node_id order by node_id) from {out} "
                       "group by all").fetchall()
    return sorted(sorted(members) for _, members in rows)


def _clique(names, p):
    return [(a, b, p) for a, b in itertools.combinations(names, 2)]


def test_one_weak_link_does_not_glue_two_strong_groups(con):
    a = ["a1", "a2", "a3", "a4"]
    b = ["b1", "b2", "b3", "b4"]
    # the bridge is above every link threshold, only weaker than the groups' own links
    _graph(con, [(n, None) for n in a + b],
           _clique(a, 0.99) + _clique(b, 0.99) + [("a4", "b1", 0.95)])
    report = cluster_records(con, records="records", unique_id_column="uid",
                             scored_pairs="scored", deterministic_edges=None, policy=POLICY)
    assert _clusters(con) == [a, b]
    assert report.size_distribution == {4: 2}
    # plain connected components over the same links chain them into one
    con.execute("create table nodes as select uid as node_id from records")
    connected_components(con, "nodes", "scored", "cc")
    assert con.execute("select count(distinct component_id) from cc").fetchall()[0][0] == 1


def test_closed_components_skip_only_the_checks(con):
    # a graph whose nodes are distinct and whose edges join them: the caller may say so
    # (closed) and get the same labels without the distinct copy and the semi joins
    con.execute("create table nodes as select unnest(['a', 'b', 'c', 'd', 'e']) as node_id")
    con.execute("create table edges as select * from (values ('b', 'c'), ('c', 'd'), "
                "('d', 'd')) e(id_l, id_r)")
    connected_components(con, "nodes", "edges", "checked")
    connected_components(con, "nodes", "edges", "closed", closed=True)
    rows = "select node_id, component_id from {} order by node_id"
    assert con.execute(rows.format("closed")).fetchall() == \
        con.execute(rows.format("checked")).fetchall() == \
        [("a", "a"), ("b", "b"), ("c", "b"), ("d", "b"), ("e", "e")]


def test_densely_linked_groups_merge(con):
    a, b = ["a1", "a2"], ["b1", "b2"]
    cross = [(x, y, 0.95) for x in a for y in b]
    _graph(con, [(n, None) for n in a + b], _clique(a, 0.99) + _clique(b, 0.99) + cross)
    cluster_records(con, records="records", unique_id_column="uid", scored_pairs="scored",
                    deterministic_edges=None, policy=POLICY)
    assert _clusters(con) == [a + b]


def test_cluster_size_is_bounded(con):
    names = [f"n{i}" for i in range(6)]
    _graph(con, [(n, None) for n in names], _clique(names, 0.99))
    small = ClusteringPolicy(**{**POLICY.__dict__, "max_cluster_size": 3})
    report = cluster_records(con, records="records", unique_id_column="uid",
                             scored_pairs="scored", deterministic_edges=None, policy=small)
    assert report.max_cluster_size <= 3
    assert report.refused_by_size > 0
    assert sum(len(c) for c in _clusters(con)) == 6


def test_cannot_link_pairs_never_share_a_cluster(con):
    _graph(con, [("x", "lan"), ("y", "tuan"), ("z", "lan")],
           [("x", "y", 0.99), ("y", "z", 0.99), ("x", "z", 0.99)])
    report = cluster_records(
        con, records="records", unique_id_column="uid", scored_pairs="scored",
        deterministic_edges=None, policy=POLICY,
        cannot_link_sql="given_name_l <> given_name_r",
    )
    assert _clusters(con) == [["x", "z"], ["y"]]
    assert report.refused_by_cannot_link >= 1


def test_deterministic_edges_hold_without_any_score(con):
    _graph(con, [("web", None), ("cookie", None), ("pos", None)], [("web", "pos", 0.99)])
    con.execute("create table det as select 'cookie' as id_l, 'web' as id_r")
    cluster_records(con, records="records", unique_id_column="uid", scored_pairs="scored",
                    deterministic_edges="det", policy=POLICY)
    assert _clusters(con) == [["cookie", "pos", "web"]]


def test_profile_linkage_weighs_agreement_against_contradiction(con):
    # x links to the web record by email; the pos record has no email (nothing to say)
    # but the same name: profile = prior + best email + best name agreement
    profile = ProfileEvidence(prior_weight=-14.0,
                              partial_weights={"email": "mw_email", "name": "mw_name"})
    _graph(con, [("x", None), ("web", None), ("pos", None), ("other", None)], [
        ("x", "web", 0.99, 15.0, 1.0), ("x", "pos", 0.02, 0.0, 8.0),
        ("web", "pos", 0.999, 0.0, 20.0),
        # 'other' has the same name but a different email: the contradiction stands
        ("other", "pos", 0.6, 0.0, 14.6), ("other", "web", 0.01, -6.0, 8.0),
    ], extra_cols=", mw_email double, mw_name double")
    policy = ClusteringPolicy(link_threshold=0.5, linkage="profile", cluster_threshold=0.9,
                              best_link_threshold=0.5, max_cluster_size=100)
    cluster_records(con, records="records", unique_id_column="uid", scored_pairs="scored",
                    deterministic_edges=None, policy=policy, profile=profile)
    assert _clusters(con) == [["other"], ["pos", "web", "x"]]


def test_units_given_by_the_caller_cluster_as_the_ones_computed_here(con):
    # two accounts (a web record and its cookie; a pos sale on a loyalty card) linked
    # by scores to each other and to a third person's records that stay apart
    nodes = ["web", "cookie", "pos", "card", "p1", "p2"]
    _graph(con, [(n, None) for n in nodes], [
        ("web", "pos", 0.99), ("cookie", "card", 0.97), ("pos", "p1", 0.96),
        ("p1", "p2", 0.99), ("card", "p2", 0.2),
    ])
    con.execute("create table det as select * from (values ('cookie', 'web'), "
                "('card', 'pos')) t(id_l, id_r)")
    computed = cluster_records(con, records="records", unique_id_column="uid",
                               scored_pairs="scored", deterministic_edges="det",
                               policy=POLICY, out="computed")
    con.execute("create table nodes as select uid as node_id from records")
    connected_components(con, "nodes", "det", "units", closed=True)
    given = cluster_records(con, records="records", unique_id_column="uid",
                            scored_pairs="scored", deterministic_edges="det",
                            policy=POLICY, out="given", units="units")
    assert _clusters(con, "given") == _clusters(con, "computed")
    assert given == computed
    # the caller's table is read, not dropped
    assert con.execute("select count(*) from units").fetchall()[0][0] == len(nodes)
