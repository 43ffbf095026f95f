"""Pairwise and B-cubed scores on examples small enough to count by hand."""

import duckdb
import pytest

from identity.evaluation import cluster_accuracy, f1, restricted_pair_recall

TRUTH = [("a", "T1"), ("b", "T1"), ("c", "T1"), ("d", "T2"), ("e", "T2")]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("create table truth (record_id varchar, cluster_id varchar)")
    con.executemany("insert into truth values (?, ?)", TRUTH)
    con.execute("create table predicted (record_id varchar, cluster_id varchar)")
    yield con
    con.close()


def _predict(con, rows):
    con.execute("delete from predicted")
    if rows:
        con.executemany("insert into predicted values (?, ?)", rows)


def test_one_record_in_the_wrong_cluster(con):
    # predicted {a,b} {c,d,e}: pairs ab cd ce de, true pairs ab ac bc de, correct ab de
    _predict(con, [("a", "P1"), ("b", "P1"), ("c", "P2"), ("d", "P2"), ("e", "P2")])
    acc = cluster_accuracy(con, "predicted", "truth")
    assert (acc.predicted_pairs, acc.true_pairs, acc.correct_pairs) == (4, 4, 2)
    assert acc.pairwise.precision == pytest.approx(0.5)
    assert acc.pairwise.recall == pytest.approx(0.5)
    # B-cubed precision per record: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 -> 11/15
    assert acc.bcubed.precision == pytest.approx(11 / 15)
    # B-cubed recall per record: a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 -> 11/15
    assert acc.bcubed.recall == pytest.approx(11 / 15)
    assert acc.bcubed.f1 == pytest.approx(11 / 15)


def test_missing_predictions_are_singletons(con):
    _predict(con, [])
    acc = cluster_accuracy(con, "predicted", "truth")
    assert acc.pairwise.precision == 1.0  # nothing predicted, nothing wrong
    assert acc.pairwise.recall == 0.0
    assert acc.bcubed.precision == 1.0
    # a, b, c see 1/3 of their cluster, d and e 1/2: (3 * 1/3 + 2 * 1/2) / 5
    assert acc.bcubed.recall == pytest.approx(0.4)
    assert acc.predicted_clusters == 5


def test_perfect_clustering(con):
    _predict(con, [("a", "x"), ("b", "x"), ("c", "x"), ("d", "y"), ("e", "y")])
    acc = cluster_accuracy(con, "predicted", "truth")
    assert acc.pairwise.f1 == 1.0 and acc.bcubed.f1 == 1.0


def test_everything_in_one_cluster(con):
    _predict(con, [(r, "all") for r, _ in TRUTH])
    acc = cluster_accuracy(con, "predicted", "truth")
    assert acc.pairwise.precision == pytest.approx(4 / 10)
    assert acc.pairwise.recall == 1.0
    # B-cubed precision: a, b, c 3/5; d, e 2/5 -> (9/5 + 4/5) / 5
    assert acc.bcubed.precision == pytest.approx(13 / 25)


def test_restricted_recall_counts_only_the_listed_pairs(con):
    _predict(con, [("a", "P1"), ("b", "P1"), ("c", "P2"), ("d", "P2"), ("e", "P2")])
    con.execute(
        "create table subset as select * from (values ('a', 'b'), ('a', 'c'), ('d', 'e')) "
        "t(record_id_l, record_id_r)"
    )
    assert restricted_pair_recall(con, "predicted", "subset").recall == pytest.approx(2 / 3)


def test_f1_of_zero_scores_is_zero():
    assert f1(0.0, 0.0) == 0.0
    assert f1(1.0, 0.5) == pytest.approx(2 / 3)
