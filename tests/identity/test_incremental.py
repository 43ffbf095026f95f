"""Incremental resolution: a drop is linked against the stored state and gives the
golden ids, customers and history a full rebuild over the same data gives."""

import datetime as dt

import duckdb
import pytest

from identity import datasets
from identity.evaluation import cluster_accuracy
from identity.pipeline import IncrementalStateError, resolve_identities
from identity.settings import CUSTOMER

DAY1, DAY2, DAY3 = (dt.datetime(2026, 3, d) for d in (1, 2, 3))
XREF_AS_CLUSTERS = (
    "(select source || ':' || source_record_id as record_id, golden_id as cluster_id "
    "from identity.customer_xref)"
)


def _population(con: duckdb.DuckDBPyConnection) -> str:
    source = datasets.load_synthetic(con, 300, seed=5, name="population")
    # day 1 holds ~92% of the records; the rest arrive as the day-2 drop
    con.execute(
        "create table held_back as select source, source_record_id from population "
        "where hash(source || source_record_id) % 12 = 0"
    )
    con.execute(
        "create table day1 as select * from population "
        "anti join held_back using (source, source_record_id)"
    )
    con.execute("create table day2 as select * from population")
    return source


def _xref(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(con.execute(
        "select source, source_record_id, golden_id from identity.customer_xref"
    ).fetchall())


def _probabilities(con: duckdb.DuckDBPyConnection) -> dict[tuple, float | None]:
    rows = con.execute(
        "select source, source_record_id, match_probability from identity.customer_xref"
    ).fetchall()
    return {(s, r): p for s, r, p in rows}


def _table(con: duckdb.DuckDBPyConnection, table: str, order: str) -> list[tuple]:
    return con.execute(f"select * from identity.{table} order by {order}").fetchall()


def _history(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return _table(con, "golden_id_history", "all")


@pytest.fixture(scope="module")
def twins():
    """Two warehouses with the same day-1 state: one takes day 2 incrementally, the other
    rebuilds it in full."""
    incremental, full = duckdb.connect(), duckdb.connect()
    summaries = {}
    for con, mode in ((incremental, "auto"), (full, "full")):
        _population(con)
        first = resolve_identities(con, input_table="day1", run_at=DAY1)
        assert first.mode == "full"
        summaries[mode] = resolve_identities(con, input_table="day2", run_at=DAY2, mode=mode)
    yield incremental, full, summaries
    incremental.close()
    full.close()


def test_auto_links_a_small_drop_incrementally(twins):
    incremental, _, summaries = twins
    summary = summaries["auto"]
    held = incremental.execute("select count(*) from held_back").fetchall()[0][0]
    assert summary.mode == "incremental"
    assert summary.new_records == held > 0
    # only the drop and the golden customers it touches were re-clustered
    assert 0 < summary.region_records < summary.records / 2
    assert summary.records == incremental.execute("select count(*) from day2").fetchall()[0][0]


def test_incremental_gives_what_a_full_rebuild_gives(twins):
    incremental, full, _ = twins
    assert _xref(incremental) == _xref(full)
    # Pairs outside the region keep the term frequencies of the run that scored them,
    # so a link's probability may differ in the last digits, never in which links exist.
    inc, reb = _probabilities(incremental), _probabilities(full)
    assert inc.keys() == reb.keys()
    assert all((inc[k] is None) == (reb[k] is None) for k in inc)
    assert max(abs(inc[k] - reb[k]) for k in inc if inc[k] is not None) < 1e-3
    assert _table(incremental, "golden_customers", "golden_id") == _table(
        full, "golden_customers", "golden_id"
    )
    assert _history(incremental) == _history(full)
    assert _table(incremental, "households", "all") == _table(full, "households", "all")
    links = (
        "select golden_id, record_key_l, record_key_r, step, comparison, comparison_level "
        "from identity.match_evidence order by all"
    )
    assert incremental.execute(links).fetchall() == full.execute(links).fetchall()


def test_incremental_result_is_accurate(twins):
    incremental, _, _ = twins
    acc = cluster_accuracy(incremental, XREF_AS_CLUSTERS, "population_truth")
    assert acc.pairwise.precision >= 0.99
    assert acc.bcubed.recall >= 0.7


def test_a_full_rebuild_after_incremental_runs_keeps_every_id(twins):
    incremental, _, _ = twins
    before = _xref(incremental)
    history = _history(incremental)
    summary = resolve_identities(incremental, input_table="day2", run_at=DAY3, mode="full")
    assert summary.mode == "full"
    assert _xref(incremental) == before
    assert _history(incremental) == history  # nothing changed, nothing logged


def test_unchanged_input_is_a_no_op():
    con = duckdb.connect()
    _population(con)
    resolve_identities(con, input_table="day1", run_at=DAY1)
    before, history = _xref(con), _history(con)
    summary = resolve_identities(con, input_table="day1", run_at=DAY2)
    assert summary.mode == "unchanged"
    assert (_xref(con), _history(con)) == (before, history)


def _edit_and_erase(con: duckdb.DuckDBPyConnection) -> None:
    """A corrected record (new phone spelling and name) and two erased records."""
    con.execute(
        """
        create or replace table day3 as select * from day2
        where source_record_id not in (
            select source_record_id from day2 where source = 'pos'
            order by source_record_id limit 2
        )
        """
    )
    con.execute(
        """
        update day3 set full_name = upper(full_name), given_name = given_name || 'h'
        where source = 'sales'
          and source_record_id = (select min(source_record_id) from day3 where source = 'sales')
        """
    )


def test_changed_and_erased_records_match_a_full_rebuild():
    results = []
    for mode in ("auto", "full"):
        con = duckdb.connect()
        _population(con)
        resolve_identities(con, input_table="day2", run_at=DAY1)
        _edit_and_erase(con)
        summary = resolve_identities(con, input_table="day3", run_at=DAY2, mode=mode)
        results.append((summary, _xref(con), _history(con)))
        con.close()
    (inc, inc_xref, inc_history), (full, full_xref, full_history) = results
    assert inc.mode == "incremental" and full.mode == "full"
    assert (inc.changed_records, inc.removed_records) == (1, 2)
    assert inc_xref == full_xref
    assert inc_history == full_history


def test_a_changed_model_or_policy_forces_a_full_run():
    con = duckdb.connect()
    _population(con)
    with pytest.raises(IncrementalStateError):
        resolve_identities(con, input_table="day1", run_at=DAY1, mode="incremental")
    resolve_identities(con, input_table="day1", run_at=DAY1)
    stricter = CUSTOMER.clustering.__class__(
        **{**CUSTOMER.clustering.__dict__, "cluster_threshold": 0.97}
    )
    summary = resolve_identities(con, input_table="day2", run_at=DAY2, policy=stricter)
    assert summary.mode == "full"


def test_a_state_of_an_older_version_is_dropped_and_the_run_goes_full():
    con = duckdb.connect()
    _population(con)
    resolve_identities(con, input_table="day1", run_at=DAY1)
    # version 1 stored an md5 text hash per record
    con.execute("alter table identity_state.records alter row_hash type varchar")
    summary = resolve_identities(con, input_table="day2", run_at=DAY2)
    assert summary.mode == "full"
    assert con.execute("select distinct data_type from information_schema.columns where "
                       "table_schema = 'identity_state' and column_name = 'row_hash'"
                       ).fetchall() == [("UBIGINT",)]


def test_a_large_drop_goes_full_in_auto_mode():
    con = duckdb.connect()
    _population(con)
    con.execute("create table half as select * from day1 using sample 50 percent (reservoir, 7)")
    resolve_identities(con, input_table="half", run_at=DAY1)
    summary = resolve_identities(con, input_table="day2", run_at=DAY2)
    assert summary.mode == "full"
