"""Accuracy of a clustering against ground truth: pairwise and B-cubed P/R/F1.

Both inputs are relations with one row per record: ``(record_id, cluster_id)``.
Everything is computed from the contingency table ``(predicted, truth) -> count``,
so the cost is one group-by, never a self-join of records.

* Pairwise: a pair of records is a predicted match when both are in the same
  predicted cluster; precision = correct predicted pairs / predicted pairs.
* B-cubed: for each record, precision = |its predicted cluster ∩ its true cluster|
  / |its predicted cluster| (recall divides by its true cluster), averaged over
  records. It rewards getting big clusters mostly right, which pairwise
  (dominated by the largest clusters) does not.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import duckdb


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ClusterAccuracy:
    pairwise: Scores
    bcubed: Scores
    records: int
    predicted_clusters: int
    true_clusters: int
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int

    def as_dict(self) -> dict:
        return asdict(self)


def f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _ratio(numerator: float, denominator: float) -> float:
    # An empty prediction (or truth) is vacuously perfect rather than undefined.
    return 1.0 if denominator == 0 else numerator / denominator


def cluster_accuracy(
    con: duckdb.DuckDBPyConnection, predicted: str, truth: str
) -> ClusterAccuracy:
    """Score ``predicted`` against ``truth``; both are table/view names or SQL subqueries
    with columns ``record_id, cluster_id``. Records missing from ``predicted`` count as
    singletons, records missing from ``truth`` are ignored."""
    row = con.execute(
        f"""
        with t as (select record_id, cluster_id as truth_id from {truth}),
        p as (
            select t.record_id, coalesce(p.cluster_id::varchar, 'singleton:' || t.record_id)
                as pred_id
            from t left join {predicted} as p using (record_id)
        ),
        cells as (
            select pred_id, truth_id, count(*)::double as n
            from p join t using (record_id) group by all
        ),
        pred_size as (select pred_id, sum(n) as size from cells group by all),
        truth_size as (select truth_id, sum(n) as size from cells group by all)
        select
            (select sum(n) from cells) as records,
            (select count(*) from pred_size) as predicted_clusters,
            (select count(*) from truth_size) as true_clusters,
            (select sum(size * (size - 1) / 2) from pred_size) as predicted_pairs,
            (select sum(size * (size - 1) / 2) from truth_size) as true_pairs,
            (select sum(n * (n - 1) / 2) from cells) as correct_pairs,
            (select sum(c.n * c.n / s.size) from cells c join pred_size s using (pred_id))
                as b3_precision_sum,
            (select sum(c.n * c.n / s.size) from cells c join truth_size s using (truth_id))
                as b3_recall_sum
        """
    ).fetchall()[0]
    records, n_pred, n_true, pred_pairs, true_pairs, correct, b3p_sum, b3r_sum = (
        v or 0 for v in row
    )
    pw_p, pw_r = _ratio(correct, pred_pairs), _ratio(correct, true_pairs)
    b3_p, b3_r = _ratio(b3p_sum, records), _ratio(b3r_sum, records)
    return ClusterAccuracy(
        pairwise=Scores(pw_p, pw_r, f1(pw_p, pw_r)),
        bcubed=Scores(b3_p, b3_r, f1(b3_p, b3_r)),
        records=int(records),
        predicted_clusters=int(n_pred),
        true_clusters=int(n_true),
        predicted_pairs=int(pred_pairs),
        true_pairs=int(true_pairs),
        correct_pairs=int(correct),
    )


def restricted_pair_recall(
    con: duckdb.DuckDBPyConnection, predicted: str, true_pairs: str
) -> Scores:
    """Recall over a chosen subset of true pairs (``record_id_l, record_id_r``), e.g.
    the pairs that share an identifier: the recall any linker could reach on them.
    Precision is not defined for a subset of truth, so it is reported as NaN."""
    found, total = con.execute(
        f"""
        select count(*) filter (where pl.cluster_id = pr.cluster_id), count(*)
        from {true_pairs} tp
        left join {predicted} pl on pl.record_id = tp.record_id_l
        left join {predicted} pr on pr.record_id = tp.record_id_r
        """
    ).fetchall()[0]
    recall = _ratio(found, total)
    return Scores(float("nan"), recall, float("nan"))
