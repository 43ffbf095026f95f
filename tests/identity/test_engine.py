"""The engine's lean parts: narrow scoring with explanations recomputed on demand, the
completion search and connected components (real DuckDB, real Splink)."""

import duckdb
import numpy as np
import pytest

from identity import datasets
from identity.clustering import connected_components, link_components, min_label_components
from identity.engine import missing_pairs_in_candidate_groups, open_engine
from identity.linking import (
    close_session,
    explain_pairs,
    load_model,
    open_session,
    score_listed_pairs,
    score_pairs,
)
from identity.pipeline import prepare_input
from identity.settings import CUSTOMER


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def _columns(con, table):
    return {r[0] for r in con.execute(f"describe {table}").fetchall()}


def _scores_differ(con, a, b):
    weights = [c for c in _columns(con, a) if c.startswith("mw_")]
    left = ", ".join(f"x.{c}" for c in ["match_probability", "match_weight", *weights])
    right = left.replace("x.", "y.")
    return con.execute(
        f"select count(*) from {a} x full join {b} y using (id_l, id_r) "
        f"where ({left}) is distinct from ({right})"
    ).fetchall()[0][0]


def _open_and_score(con):
    """An engine over 120 synthetic people, with its blocked pairs scored into `scored`."""
    source = datasets.load_synthetic(con, 120, seed=8, name="people")
    records, _ = prepare_input(con, source)
    opened = open_engine(con, CUSTOMER, records, load_model(CUSTOMER), None)
    return opened, score_pairs(con, opened.session, CUSTOMER, "scored")


def test_scoring_is_narrow_and_explaining_gives_the_same_scores(con):
    opened, scored = _open_and_score(con)
    assert scored.pairs > 100
    narrow = _columns(con, "scored")
    names = CUSTOMER.comparison_names()
    # what clustering and the state read, and not the compared values nor the levels
    assert {"id_l", "id_r", "match_probability", "match_weight"} <= narrow
    assert {f"mw_{n}" for n in names} <= narrow
    assert not any(c.startswith("gamma_") or c.endswith("_l") for c in narrow - {"id_l"})

    explained = explain_pairs(con, opened.session, CUSTOMER, "scored", "explained")
    assert explained.pairs == scored.pairs
    wide = _columns(con, "explained")
    assert narrow <= wide
    assert {f"gamma_{n}" for n in names} <= wide
    assert {"given_name_l", "given_name_r", "email_l", "email_r"} <= wide
    assert _scores_differ(con, "scored", "explained") == 0
    close_session(opened.session)


def test_listed_pairs_score_as_the_linker_over_every_record(con):
    opened, scored = _open_and_score(con)
    # completion and incremental runs score listed pairs: the same scores, pair for pair
    listed = score_listed_pairs(con, opened.session, CUSTOMER, "scored", "listed")
    assert listed.pairs == scored.pairs > 100
    assert _scores_differ(con, "scored", "listed") == 0
    close_session(opened.session)


def test_splink_tables_stay_out_of_the_database_file(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    source = datasets.load_synthetic(con, 60, seed=8, name="people")
    records, _ = prepare_input(con, source)
    model = load_model(CUSTOMER)
    session = open_session(con, records, model)
    # Splink keeps a computed term-frequency table cached until the session closes
    session.linker.table_management.compute_tf_table("city")
    splink_tables = con.execute(
        "select temporary from duckdb_tables() where table_name like '__splink__%'"
    ).fetchall()
    assert splink_tables and all(temporary for (temporary,) in splink_tables)
    close_session(session)
    con.close()


def test_completion_lists_the_unscored_pairs_of_groups_of_three_and_more(con):
    con.execute(
        "create table groups as select * from (values "
        "('a1', 'a1'), ('a2', 'a1'), ('a3', 'a1'), "  # three records: completed
        "('b1', 'b1'), ('b2', 'b1'), "  # two records: its one link is scored already
        "('c1', 'c1'), ('c2', 'c1'), ('c3', 'c1'), ('c4', 'c1')"  # above max_group
        ") t(node_id, component_id)"
    )
    con.execute(
        "create table scored as select * from (values "
        "('a1', 'a2', 0.9), ('a2', 'a3', 0.9), ('b1', 'b2', 0.9)) t(id_l, id_r, match_probability)"
    )
    missing_pairs_in_candidate_groups(con, "groups", "scored", "missing", max_group=3)
    assert con.execute("select id_l, id_r from missing").fetchall() == [("a1", "a3")]


def test_connected_components_ignore_edges_leaving_the_nodes(con):
    con.execute("create table nodes as select unnest(['a', 'b', 'c', 'd', 'e']) as node_id")
    con.execute(
        "create table edges as select * from (values "
        "('b', 'a'), ('c', 'b'), ('d', 'x'), ('x', 'e'), ('e', 'e')) t(id_l, id_r)"
    )
    connected_components(con, "nodes", "edges", "cc")
    assert dict(con.execute("select node_id, component_id from cc").fetchall()) == {
        "a": "a", "b": "a", "c": "a", "d": "d", "e": "e",
    }


def test_link_components_take_links_at_the_threshold_and_deterministic_edges(con):
    con.execute("create table nodes as select unnest(['a', 'b', 'c', 'd']) as node_id")
    con.execute(
        "create table scored as select * from (values "
        "('a', 'b', 0.5), ('b', 'c', 0.49)) t(id_l, id_r, match_probability)"
    )
    con.execute("create table det as select 'c' as id_l, 'd' as id_r")
    link_components(con, "nodes", "scored", "det", 0.5, "groups")
    assert dict(con.execute("select node_id, component_id from groups").fetchall()) == {
        "a": "a", "b": "a", "c": "c", "d": "c",
    }


def test_min_label_components_match_a_breadth_first_search():
    rng = np.random.default_rng(4)
    nodes = 400
    a, b = rng.integers(0, nodes, 300), rng.integers(0, nodes, 300)
    # a long path too: labels must travel its whole length
    a = np.concatenate([a, np.arange(500, 899)])
    b = np.concatenate([b, np.arange(501, 900)])
    labels = min_label_components(900, a, b)
    neighbours = {n: set() for n in range(900)}
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        neighbours[x].add(y)
        neighbours[y].add(x)
    expected = {}
    for start in range(900):
        if start in expected:
            continue
        seen, todo = {start}, [start]
        while todo:
            for n in neighbours[todo.pop()] - seen:
                seen.add(n)
                todo.append(n)
        for n in seen:
            expected[n] = min(seen)
    assert labels.tolist() == [expected[n] for n in range(900)]
