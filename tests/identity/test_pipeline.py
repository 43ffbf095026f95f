"""End to end on a small synthetic population: accuracy floors, the contract shape,
stable ids across re-runs and threshold changes, evidence and charts."""

import dataclasses
import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from identity import datasets
from identity.evaluation import cluster_accuracy
from identity.pipeline import InputContractError, resolve_identities
from identity.settings import CUSTOMER

XREF_AS_CLUSTERS = (
    "(select source || ':' || source_record_id as record_id, golden_id as cluster_id "
    "from identity.customer_xref)"
)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory):
    con = duckdb.connect()
    source = datasets.load_synthetic(con, 300, seed=3, name="int_person_records_unioned")
    charts = tmp_path_factory.mktemp("charts")
    summary = resolve_identities(con, input_table=source, charts_dir=charts,
                                 run_at=dt.datetime(2026, 1, 1))
    yield con, source, summary
    con.close()


def test_accuracy_floors(resolved):
    con, source, _ = resolved
    acc = cluster_accuracy(con, XREF_AS_CLUSTERS, f"{source}_truth")
    assert acc.pairwise.precision >= 0.99
    assert acc.pairwise.recall >= 0.6
    assert acc.bcubed.recall >= 0.7


def test_xref_is_exactly_the_contract(resolved):
    con, source, summary = resolved
    columns = con.execute("describe identity.customer_xref").fetchall()
    assert [(c[0], c[1]) for c in columns] == [
        ("source", "VARCHAR"), ("source_record_id", "VARCHAR"), ("golden_id", "VARCHAR"),
        ("match_probability", "DOUBLE"),
    ]
    records = con.execute(f"select count(*) from {source}").fetchall()[0][0]
    assert summary.records == records
    (dupes,) = con.execute(
        "select count(*) - count(distinct (source, source_record_id)) from identity.customer_xref"
    ).fetchall()[0]
    assert dupes == 0
    ids = [r[0] for r in con.execute("select distinct golden_id from identity.customer_xref")
           .fetchall()]
    assert all(re.fullmatch(r"gc_[0-9a-f]{12}", i) for i in ids)


def test_match_probability_is_null_for_singletons_and_a_link_otherwise(resolved):
    con, _, _ = resolved
    rows = con.execute(
        """
        select count(*) over (partition by golden_id) as size, match_probability
        from identity.customer_xref
        """
    ).fetchall()
    assert all(p is None for size, p in rows if size == 1)
    linked = [p for size, p in rows if size > 1]
    assert linked and all(p is not None and 0 < p <= 1 for p in linked)
    # a cookie is linked by its login: certain
    (cookie_p,) = con.execute(
        "select min(match_probability) from identity.customer_xref "
        "where source_record_id like 'cookie:%'"
    ).fetchall()[0]
    assert cookie_p == 1.0


def test_golden_customers_survivorship_shape(resolved):
    con, _, summary = resolved
    rows = con.execute(
        "select count(*), count(distinct golden_id) from identity.golden_customers"
    ).fetchall()[0]
    assert rows == (summary.golden_customers, summary.golden_customers)
    # every email and phone seen is kept; the primary one is among them
    bad = con.execute(
        """
        select count(*) from identity.golden_customers
        where (primary_email is not null and not list_contains(emails, primary_email))
           or (primary_phone is not null and not list_contains(phones, primary_phone))
        """
    ).fetchall()[0][0]
    assert bad == 0


def test_cluster_sizes_are_reported_and_bounded(resolved):
    _, _, summary = resolved
    assert sum(summary.cluster_sizes.values()) == summary.golden_customers
    assert summary.largest_cluster <= CUSTOMER.clustering.max_cluster_size


def test_evidence_explains_every_link_per_golden_id(resolved):
    con, _, _ = resolved
    golden_id = con.execute(
        "select golden_id from identity.match_evidence where link_kind = 'probabilistic' "
        "order by golden_id limit 1"
    ).fetchall()[0][0]
    steps = con.execute(
        """
        select record_key_l, record_key_r, any_value(match_weight),
               sum(step_match_weight), list(comparison order by step)
        from identity.match_evidence
        where golden_id = ? and link_kind = 'probabilistic'
        group by all
        """,
        [golden_id],
    ).fetchall()
    for _, _, total, summed, comparisons in steps:
        assert summed == pytest.approx(total, abs=1e-6)  # the waterfall adds up
        assert comparisons[0] == "prior" and "name" in comparisons
    # levels are labelled as the model names them, consistently with the values
    labels = con.execute(
        """
        select distinct comparison_level from identity.match_evidence
        where comparison = 'email' and value_l = value_r
        """
    ).fetchall()
    assert {r[0] for r in labels} <= {"Email exact", "Same household email"}
    null_labels = con.execute(
        "select distinct comparison_level from identity.match_evidence "
        "where comparison = 'email' and (value_l is null or value_r is null)"
    ).fetchall()
    assert {r[0] for r in null_labels} == {"email is NULL"}
    rules = {r[0] for r in con.execute(
        "select distinct comparison from identity.match_evidence "
        "where link_kind = 'deterministic'").fetchall()}
    assert rules <= {"cookie_login", "same_account_id", "same_verified_email"}
    assert "cookie_login" in rules


def test_charts_open_offline(resolved):
    _, _, summary = resolved
    assert len(summary.charts) == 3
    for path in summary.charts:
        html = Path(path).read_text(encoding="utf-8")
        assert "vega" in html
        assert not re.search(r"<script[^>]+src=", html)  # libraries are inlined


def test_rerun_on_the_same_input_changes_nothing(resolved):
    con, source, _ = resolved
    before = con.execute("select * from identity.customer_xref order by all").fetchall()
    history = con.execute("select count(*) from identity.golden_id_history").fetchall()[0][0]
    summary = resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 2))
    assert summary.events == {}
    assert con.execute("select * from identity.customer_xref order by all").fetchall() == before
    assert con.execute(
        "select count(*) from identity.golden_id_history").fetchall()[0][0] == history


def test_threshold_change_splits_and_merging_back_restores_ids():
    con = duckdb.connect()
    source = datasets.load_synthetic(con, 200, seed=4, name="int_person_records_unioned")
    resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 1))
    original = dict(con.execute(
        "select source || ':' || source_record_id, golden_id from identity.customer_xref"
    ).fetchall())
    strict = dataclasses.replace(CUSTOMER.clustering, cluster_threshold=0.999999)
    summary = resolve_identities(con, input_table=source, policy=strict,
                                 run_at=dt.datetime(2026, 1, 2))
    assert summary.events.get("split", 0) > 0 and "merged" not in summary.events
    after_split = dict(con.execute(
        "select source || ':' || source_record_id, golden_id from identity.customer_xref"
    ).fetchall())
    # every id that survived still names records it named before
    for record, golden_id in after_split.items():
        if golden_id in original.values():
            assert original[record] == golden_id
    summary = resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 3))
    assert summary.events.get("merged", 0) == (
        con.execute("select count(*) from identity.golden_id_history where event = 'split'")
        .fetchall()[0][0]
    )
    restored = dict(con.execute(
        "select source || ':' || source_record_id, golden_id from identity.customer_xref"
    ).fetchall())
    assert restored == original
    con.close()


def test_missing_input_columns_are_reported():
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_person_records_unioned (source varchar)")
    with pytest.raises(InputContractError, match="source_record_id"):
        resolve_identities(con)  # the default input: dbt's intermediate model


def test_a_record_delivered_twice_is_prepared_once_from_its_latest_delivery():
    from identity.pipeline import prepare_input

    con = duckdb.connect()
    source = datasets.load_synthetic(con, 30, seed=5, name="deliveries")
    (records,) = con.execute(f"select count(*) from {source}").fetchone()
    # no duplicate: every record as it came
    prepared, _ = prepare_input(con, source)
    assert con.execute(f"select count(*) from {prepared}").fetchone()[0] == records
    # the same record again, seen later under a corrected name
    con.execute(
        f"""
        insert into {source} by name
        select * replace (last_seen_at + interval 1 day as last_seen_at,
                          'Corrected Name' as full_name)
        from {source} order by source, source_record_id limit 1
        """
    )
    prepared, _ = prepare_input(con, source)
    assert con.execute(f"select count(*) from {prepared}").fetchone()[0] == records
    assert con.execute(
        f"select count(*) from {prepared} where full_name = 'Corrected Name'"
    ).fetchone()[0] == 1
