"""Stable golden ids: unchanged, new record, merge, split, retire, re-issue."""

import datetime as dt
import hashlib

import duckdb
import pytest

from identity.golden_ids import HISTORY_COLUMNS, assign_golden_ids

T0 = dt.datetime(2026, 1, 1)


def minted(anchor: str, salt: int = 0) -> str:
    """The id a new cluster gets: opaque, derived from its anchor record."""
    return "gc_" + hashlib.md5(f"{anchor}#{salt}".encode()).hexdigest()[:12]


class Runs:
    """Successive runs over hand-made clusters, keeping xref and history like the pipeline."""

    def __init__(self):
        self.con = duckdb.connect()
        self.con.execute("create schema identity")
        self.con.execute(f"create table identity.golden_id_history ({HISTORY_COLUMNS})")
        self.day = 0

    def run(self, clusters: list[list[str]]) -> tuple[dict[str, str], list[tuple]]:
        rows = [(r, min(c)) for c in clusters for r in c]
        self.con.execute(
            "create or replace temp table clusters (source varchar, source_record_id varchar, "
            "cluster_id varchar, anchor varchar)"
        )
        self.con.executemany(
            "insert into clusters values ('pos', ?, ?, ?)", [(r, a, a) for r, a in rows]
        )
        self.day += 1
        assignment, events = assign_golden_ids(
            self.con, "clusters", previous_xref="identity.customer_xref",
            history="identity.golden_id_history", run_at=T0 + dt.timedelta(days=self.day),
        )
        self.con.execute(
            f"create or replace table identity.customer_xref as select * from {assignment}"
        )
        self.con.execute(f"insert into identity.golden_id_history select * from {events}")
        ids = dict(self.con.execute(
            "select source_record_id, golden_id from identity.customer_xref").fetchall())
        evs = self.con.execute(
            f"select event, old_golden_id, new_golden_id, records from {events} order by all"
        ).fetchall()
        return ids, evs


@pytest.fixture
def runs():
    r = Runs()
    yield r
    r.con.close()


def test_first_run_creates_one_id_per_cluster(runs):
    ids, events = runs.run([["r1", "r2"], ["r3"]])
    a, b = minted("r1"), minted("r3")
    assert ids == {"r1": a, "r2": a, "r3": b}
    assert events == [("created", None, a, 2), ("created", None, b, 1)]


def test_unchanged_input_keeps_ids_and_writes_no_history(runs):
    first, _ = runs.run([["r1", "r2"], ["r3"]])
    again, events = runs.run([["r1", "r2"], ["r3"]])
    assert again == first
    assert events == []


def test_new_record_joins_an_existing_id_and_a_new_person_gets_a_new_id(runs):
    runs.run([["r1", "r2"], ["r3"]])
    ids, events = runs.run([["r1", "r2", "r4"], ["r3"], ["r5"]])
    assert ids["r4"] == ids["r1"] == minted("r1")
    assert ids["r5"] == minted("r5")
    assert events == [("created", None, minted("r5"), 1)]


def test_merge_keeps_the_oldest_id(runs):
    runs.run([["r5", "r6"]])                       # day 1: the older person
    runs.run([["r5", "r6"], ["r1", "r2"]])         # day 2: a newer one (smaller anchor)
    old, new = minted("r5"), minted("r1")
    ids, events = runs.run([["r1", "r2", "r5", "r6"]])
    assert set(ids.values()) == {old}
    assert events == [("merged", new, old, 2)]


def test_split_leaves_the_id_with_the_largest_part(runs):
    runs.run([["r1", "r2", "r3"]])
    keep = minted("r1")
    ids, events = runs.run([["r1"], ["r2", "r3"]])
    assert ids["r2"] == ids["r3"] == keep          # two of three records stay together
    assert ids["r1"] == minted("r1", salt=1)       # r1's own hash is taken: salted
    assert events == [("split", keep, minted("r1", salt=1), 1)]


def test_records_that_disappear_retire_their_id_and_it_is_never_reissued(runs):
    runs.run([["r1"], ["r2"]])
    gone = minted("r2")
    _, events = runs.run([["r1"]])
    assert events == [("retired", gone, None, 0)]
    ids, events = runs.run([["r1"], ["r2"]])      # r2 comes back: a new person record
    assert ids["r2"] == minted("r2", salt=1) != gone
    assert events == [("created", None, minted("r2", salt=1), 1)]


def test_split_then_merge_back_restores_the_original_id(runs):
    runs.run([["r1", "r2", "r3"]])
    original = minted("r1")
    runs.run([["r1", "r2"], ["r3"]])               # threshold raised: r3 splits off
    ids, events = runs.run([["r1", "r2", "r3"]])   # threshold back: merge
    assert set(ids.values()) == {original}
    assert events == [("merged", minted("r3"), original, 1)]


def test_an_xref_in_another_attached_database_is_not_the_previous_run(runs):
    runs.con.execute("attach ':memory:' as other")
    runs.con.execute("create schema other.identity")
    runs.con.execute("create table other.identity.customer_xref as "
                     "select 'pos' as source, 'r1' as source_record_id, 'gc_foreign' as golden_id")
    ids, events = runs.run([["r1"]])
    assert ids == {"r1": minted("r1")}
    assert events == [("created", None, minted("r1"), 1)]
