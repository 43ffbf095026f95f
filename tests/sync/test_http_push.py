import datetime as dt
import json
import logging
import time

import pytest

import crm_sync.http_push as http_push
from crm_sync.erasure import erase
from crm_sync.http_push import (
    Endpoint,
    PushError,
    RetryPolicy,
    backoff_delay,
    plan_batches,
    push,
    retry_after_seconds,
)
from crm_sync.mapping import load_mapping, map_properties
from crm_sync.outbox import build_outbox
from tests.sync.helpers import PEOPLE

FAST = RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=2.0, timeout=0.5)


def _sync_and_push(warehouse, crm, **kwargs):
    with warehouse.connect() as con:
        build_outbox(con)
        return push(con, Endpoint(crm.url, token="s3cret"), policy=FAST, **kwargs)


def _expected_contacts(warehouse) -> dict:
    mapping = load_mapping()
    with warehouse.connect() as con:
        rows = con.execute(
            "select golden_id, payload::varchar from sync.crm_snapshot where active"
        ).fetchall()
    return {gid: map_properties(json.loads(p), mapping) for gid, p in rows}


def _assert_applied_once(state):
    assert len(state["applied"]) == len(set(state["applied"]))


def test_retry_after_parsing_and_backoff():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:05 GMT", now) == 5.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    policy = RetryPolicy(base_delay=1, max_delay=10)
    assert [backoff_delay(a, policy) for a in (1, 2, 3, 5)] == [1, 2, 4, 10]
    assert backoff_delay(1, policy, retry_after=7) == 7


def test_plan_batches_groups_consecutive_operations_and_sends_merges_alone():
    kinds = ["create", "create", "update", "merge", "merge", "delete", "create"]
    events = [
        {"sequence": i, "event_type": k, "idempotency_key": str(i)} for i, k in enumerate(kinds)
    ]
    batches = plan_batches(events, max_batch=2)
    assert [(b.operation, b.first, b.last) for b in batches] == [
        ("upsert", 0, 1),
        ("upsert", 2, 2),
        ("merge", 3, 3),
        ("merge", 4, 4),
        ("delete", 5, 5),
        ("upsert", 6, 6),
    ]


def test_faults_are_retried_and_server_ends_equal_to_golden_records(warehouse, crm, caplog):
    warehouse.publish(PEOPLE)
    crm.fail_next(
        {"status": 429, "retry_after": "1"},
        {"status": 500},
        {"sleep": 1.5},
        {"drop": True},
        {"drop_after_apply": True},
        {"status": 503},
    )
    slept: list[float] = []
    caplog.set_level(logging.DEBUG)

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        time.sleep(seconds)

    result = _sync_and_push(warehouse, crm, max_batch=2, sleep=sleep)
    state = crm.state()
    assert result.events == 3 and result.batches == 2
    assert slept[0] >= 1.0  # Retry-After honoured
    assert state["contacts"] == _expected_contacts(warehouse)
    _assert_applied_once(state)
    assert state["replays"] >= 1  # the late and the dropped-after-apply answers
    assert set(state["auth"]) == {"Bearer s3cret"}
    assert "s3cret" not in caplog.text

    requests = state["requests"]
    again = _sync_and_push(warehouse, crm)
    assert again.events == 0 and crm.state()["requests"] == requests


def test_identity_merge_sends_one_merge_and_leaves_no_duplicate(warehouse, crm):
    warehouse.publish(PEOPLE)
    _sync_and_push(warehouse, crm)
    merged = {k: v for k, v in PEOPLE.items() if k != "gc_bob"}
    warehouse.publish(merged, [("merged", "gc_bob", "gc_alice")])
    result = _sync_and_push(warehouse, crm)
    state = crm.state()
    assert result.operations == {"merge": 1}
    assert sorted(state["contacts"]) == ["gc_alice", "gc_carol"]
    assert state["merged_into"] == {"gc_bob": "gc_alice"}
    assert state["contacts"] == _expected_contacts(warehouse)


def test_crash_after_delivery_resumes_without_applying_twice(warehouse, crm, monkeypatch):
    warehouse.publish(PEOPLE)
    original = http_push._record_ack
    monkeypatch.setattr(
        http_push, "_record_ack", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())
    )
    with pytest.raises(KeyboardInterrupt):
        _sync_and_push(warehouse, crm, max_batch=2)
    assert len(crm.state()["applied"]) == 1
    monkeypatch.setattr(http_push, "_record_ack", original)
    warehouse.publish(dict(PEOPLE, gc_dave=("Dave", "dave@example.com", "+8490", "Hue")))
    result = _sync_and_push(warehouse, crm, max_batch=2)
    state = crm.state()
    assert state["replays"] == 1
    _assert_applied_once(state)
    assert result.events == 4
    assert state["contacts"] == _expected_contacts(warehouse)


def test_exhausted_retries_keep_the_batch_pending(warehouse, crm):
    warehouse.publish(PEOPLE)
    crm.fail_next(*[{"status": 500}] * 2)
    with warehouse.connect() as con:
        build_outbox(con)
        with pytest.raises(PushError):
            push(con, Endpoint(crm.url), policy=RetryPolicy(max_attempts=2, base_delay=0.01))
        assert crm.state()["contacts"] == {}
        assert push(con, Endpoint(crm.url), policy=FAST).events == 3
    assert crm.state()["contacts"] == _expected_contacts(warehouse)


def test_client_error_is_not_retried(warehouse, crm):
    warehouse.publish(PEOPLE)
    crm.fail_next({"status": 400})
    with pytest.raises(PushError, match="400"):
        _sync_and_push(warehouse, crm)
    assert crm.state()["requests"] == 1


def test_erased_person_disappears_from_crm_and_does_not_come_back(warehouse, crm):
    warehouse.publish(PEOPLE)
    _sync_and_push(warehouse, crm)
    with warehouse.connect() as con:
        erase(con, email="bob@example.com")
    result = _sync_and_push(warehouse, crm)
    assert result.operations == {"delete": 1}
    assert "gc_bob" not in crm.state()["contacts"]
    warehouse.publish(PEOPLE)  # identity re-run from sources still holding Bob
    again = _sync_and_push(warehouse, crm)
    assert again.events == 0
    assert sorted(crm.state()["contacts"]) == ["gc_alice", "gc_carol"]


def test_endpoint_from_env_and_repr_hide_the_token(monkeypatch):
    monkeypatch.setenv("CDP_CRM_ENDPOINT", "https://user:pw@crm.example/api")
    monkeypatch.setenv("CDP_CRM_TOKEN", "tok")
    endpoint = Endpoint.from_env()
    assert endpoint.token == "tok"
    assert "tok" not in repr(endpoint) and "pw" not in endpoint.destination
    monkeypatch.delenv("CDP_CRM_ENDPOINT")
    with pytest.raises(PushError):
        Endpoint.from_env()
