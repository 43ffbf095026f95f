import json

from crm_sync.outbox import build_outbox
from tests.sync.helpers import PEOPLE, Warehouse


def _outbox(wh: Warehouse) -> list[tuple]:
    with wh.connect() as con:
        return con.execute(
            "select sequence, idempotency_key, event_type, golden_id, surviving_golden_id, "
            "payload::varchar from sync.crm_outbox order by sequence"
        ).fetchall()


def _sync(wh: Warehouse):
    with wh.connect() as con:
        return build_outbox(con)


def test_first_sync_creates_every_golden_record_with_full_payload(warehouse):
    warehouse.publish(PEOPLE, [("created", None, gid) for gid in PEOPLE])
    result = _sync(warehouse)
    rows = _outbox(warehouse)
    assert result.events == {"create": 3}
    assert [r[0] for r in rows] == [1, 2, 3]
    payload = json.loads(rows[0][5])
    assert payload["full_name"] == "Nguyen Thi Alice"
    assert payload["emails"] == ["alice@example.com"]
    assert payload["lifecycle_stage"] == "active"
    assert "unrelated" not in payload and "golden_id" not in payload


def test_second_sync_without_changes_emits_nothing(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    before = _outbox(warehouse)
    assert _sync(warehouse).total == 0
    warehouse.publish(PEOPLE)  # identity rebuilt with the same content
    assert _sync(warehouse).total == 0
    assert _outbox(warehouse) == before


def test_update_carries_only_changed_fields(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    moved = dict(PEOPLE, gc_bob=("Tran Van Bob", "bob@example.com", "+84901000002", "Hue"))
    warehouse.publish(moved)
    _sync(warehouse)
    last = _outbox(warehouse)[-1]
    assert last[2:4] == ("update", "gc_bob")
    assert json.loads(last[5]) == {"city": "Hue"}


def test_merge_split_and_delete_events(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    people = {k: v for k, v in PEOPLE.items() if k not in ("gc_bob", "gc_carol")}
    people["gc_dave"] = ("Dave", "dave@example.com", "+84901000004", "Hue")
    warehouse.publish(
        people,
        [
            ("merged", "gc_bob", "gc_alice"),
            ("split", "gc_alice", "gc_dave"),
            ("retired", "gc_carol", None),
        ],
    )
    result = _sync(warehouse)
    assert result.events == {"split": 1, "merge": 1, "delete": 1}
    rows = {r[2]: r for r in _outbox(warehouse)[3:]}
    assert rows["merge"][3:5] == ("gc_bob", "gc_alice")
    assert rows["delete"][3:6] == ("gc_carol", None, "{}")
    assert rows["split"][3] == "gc_dave"
    assert _sync(warehouse).total == 0


def test_merge_chain_across_unsynced_runs_points_at_current_survivor(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    warehouse.publish(
        {k: v for k, v in PEOPLE.items() if k != "gc_bob"}, [("merged", "gc_bob", "gc_carol")]
    )
    warehouse.publish({"gc_alice": PEOPLE["gc_alice"]}, [("merged", "gc_carol", "gc_alice")])
    _sync(warehouse)
    merges = sorted((r[3], r[4]) for r in _outbox(warehouse) if r[2] == "merge")
    assert merges == [("gc_bob", "gc_alice"), ("gc_carol", "gc_alice")]


def test_idempotency_keys_are_unique_and_reproducible(warehouse, tmp_path):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    changed = dict(PEOPLE, gc_bob=("Bob", "bob@example.com", "+84901000002", "Hue"))
    warehouse.publish(changed)
    _sync(warehouse)
    warehouse.publish(PEOPLE)  # back to the original values: a new change, a new key
    _sync(warehouse)
    keys = [r[1] for r in _outbox(warehouse)]
    assert len(keys) == len(set(keys)) == 5

    replay = Warehouse(tmp_path / "replay.duckdb")
    replay.publish(PEOPLE)
    _sync(replay)
    replay.publish(changed)
    _sync(replay)
    assert [r[1] for r in _outbox(replay)] == keys[:4]


def test_only_records_whose_fields_changed_get_a_payload_built(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    moved = dict(PEOPLE, gc_bob=("Tran Van Bob", "bob@example.com", "+84901000002", "Hue"))
    warehouse.publish(moved)
    with warehouse.connect() as con:
        build_outbox(con)
        candidates = con.execute("select golden_id from _crm_current").fetchall()
        stored = con.execute(
            "select count(*) from sync.crm_snapshot where row_hash is null"
        ).fetchall()
    assert candidates == [("gc_bob",)]
    assert stored == [(0,)]


def test_a_mart_field_change_is_an_update(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    with warehouse.connect() as con:
        con.execute(
            "update marts.customer_360 set lifecycle_stage = 'lapsed' where golden_id = 'gc_alice'"
        )
    assert _sync(warehouse).events == {"update": 1}
    assert json.loads(_outbox(warehouse)[-1][5]) == {"lifecycle_stage": "lapsed"}


def test_snapshot_from_before_row_hashes_emits_nothing_and_gains_them(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    before = _outbox(warehouse)
    with warehouse.connect() as con:
        con.execute("alter table sync.crm_snapshot drop column row_hash")
    assert _sync(warehouse).total == 0
    assert _outbox(warehouse) == before
    with warehouse.connect() as con:
        assert con.execute(
            "select count(*) from sync.crm_snapshot where row_hash is null"
        ).fetchall() == [(0,)]
        build_outbox(con)
        assert con.execute("select count(*) from _crm_current").fetchall() == [(0,)]


def test_update_to_and_from_null_and_list_fields(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    moved = dict(PEOPLE, gc_bob=("Tran Van Bob", "bob@new.vn", "+84901000002", None))
    warehouse.publish(moved)
    _sync(warehouse)
    last = _outbox(warehouse)[-1]
    assert last[2:4] == ("update", "gc_bob")
    assert last[5] == '{"primary_email":"bob@new.vn","emails":["bob@new.vn"],"city":null}'
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    assert _outbox(warehouse)[-1][5] == (
        '{"primary_email":"bob@example.com","emails":["bob@example.com"],"city":"Da Nang"}'
    )


def test_a_deleted_id_that_reappears_is_created_again_with_the_next_version(warehouse):
    warehouse.publish(PEOPLE)
    _sync(warehouse)
    warehouse.publish({k: v for k, v in PEOPLE.items() if k != "gc_carol"})
    assert _sync(warehouse).events == {"delete": 1}
    warehouse.publish(PEOPLE)
    assert _sync(warehouse).events == {"create": 1}
    with warehouse.connect() as con:
        snapshot = con.execute(
            "select version, active, payload is not null, row_hash is not null "
            "from sync.crm_snapshot where golden_id = 'gc_carol'"
        ).fetchall()
    assert snapshot == [(3, True, True, True)]
    keys = [r[1] for r in _outbox(warehouse) if r[3] == "gc_carol"]
    assert len(keys) == len(set(keys)) == 3
    assert _sync(warehouse).total == 0
