"""Push outbox events to a CRM over HTTP, in batches, exactly once per batch.

Consecutive events of one kind form a batch: creates/updates/splits become one batch
upsert keyed by the golden id (the CRM's external id property), merges are sent one by
one as merges, deletes as a batch archive. Each batch carries an ``Idempotency-Key``
derived from its events' keys.

Exactly-once across crashes is a write-ahead log in ``sync.crm_push_state``: the batch
about to be sent (its sequence range and key) is recorded first, the acknowledged
sequence is advanced only after a 2xx. A restart re-sends the pending batch unchanged,
with the same key, so a CRM that deduplicates keys never applies it twice.

Retries: 429, 5xx, timeouts and dropped connections are retried with exponential
backoff (``Retry-After`` honoured, capped); any other status stops the push and leaves
the batch pending. The token is sent as a bearer header and never logged.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import http.client
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import duckdb

from crm_sync.export import read_events
from crm_sync.mapping import FieldMapping, load_mapping, map_properties
from crm_sync.outbox import SCHEMA, ensure_sync_schema

logger = logging.getLogger(__name__)

PUSH_STATE = f"{SCHEMA}.crm_push_state"
PUSH_STATE_DDL = f"""
create table if not exists {PUSH_STATE} (
    destination varchar primary key,
    acked_sequence bigint not null,
    pending_first bigint,
    pending_last bigint,
    pending_key varchar,
    updated_at timestamp not null
)"""
ENDPOINT_ENV = "CDP_CRM_ENDPOINT"
TOKEN_ENV = "CDP_CRM_TOKEN"
OPERATION_OF_EVENT = {
    "create": "upsert",
    "update": "upsert",
    "split": "upsert",
    "merge": "merge",
    "delete": "delete",
}
RETRYABLE_EXCEPTIONS = (TimeoutError, socket.timeout, ConnectionError, http.client.HTTPException)


class PushError(RuntimeError):
    """A batch could not be delivered; it stays pending for the next push."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 10.0


@dataclass(frozen=True)
class Batch:
    operation: str
    events: tuple[dict[str, Any], ...]

    @property
    def first(self) -> int:
        return self.events[0]["sequence"]

    @property
    def last(self) -> int:
        return self.events[-1]["sequence"]

    @property
    def key(self) -> str:
        joined = "|".join(e["idempotency_key"] for e in self.events)
        return hashlib.sha256(f"{self.operation}|{joined}".encode()).hexdigest()[:32]


@dataclass
class PushResult:
    batches: int = 0
    events: int = 0
    attempts: int = 0
    acked_sequence: int = 0
    operations: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to reach the CRM; ``from_env`` reads it when a push starts."""

    url: str
    token: str | None = None

    @classmethod
    def from_env(cls) -> Endpoint:
        url = os.environ.get(ENDPOINT_ENV)
        if not url:
            raise PushError(f"{ENDPOINT_ENV} is not set")
        return cls(url=url, token=os.environ.get(TOKEN_ENV) or None)

    @property
    def destination(self) -> str:
        """The push-state key: the URL without credentials or query."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}{parts.path}"

    def __repr__(self) -> str:  # never print the token
        return f"Endpoint(destination={self.destination!r})"


def plan_batches(events: Sequence[dict[str, Any]], max_batch: int) -> list[Batch]:
    """Consecutive events of one operation, at most ``max_batch`` each; merges alone."""
    batches: list[Batch] = []
    current: list[dict[str, Any]] = []
    for event in events:
        op = OPERATION_OF_EVENT[event["event_type"]]
        limit = 1 if op == "merge" else max_batch
        if current and (
            OPERATION_OF_EVENT[current[0]["event_type"]] != op or len(current) >= limit
        ):
            batches.append(Batch(OPERATION_OF_EVENT[current[0]["event_type"]], tuple(current)))
            current = []
        current.append(event)
    if current:
        batches.append(Batch(OPERATION_OF_EVENT[current[0]["event_type"]], tuple(current)))
    return batches


def batch_body(batch: Batch, mapping: FieldMapping) -> dict[str, Any]:
    if batch.operation == "upsert":
        return {
            "inputs": [
                {
                    "idProperty": mapping.id_property,
                    "id": e["golden_id"],
                    "properties": map_properties(e["payload"], mapping),
                }
                for e in batch.events
            ]
        }
    if batch.operation == "merge":
        (event,) = batch.events
        return {
            "idProperty": mapping.id_property,
            "primaryObjectId": event["surviving_golden_id"],
            "objectIdToMerge": event["golden_id"],
        }
    return {
        "idProperty": mapping.id_property,
        "inputs": [{"id": e["golden_id"]} for e in batch.events],
    }


def retry_after_seconds(header: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; None when absent/invalid."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def backoff_delay(attempt: int, policy: RetryPolicy, retry_after: float | None = None) -> float:
    """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 1)."""
    delay = policy.base_delay * 2 ** (attempt - 1)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, policy.max_delay)


def is_retryable(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


class CrmClient:
    """POSTs JSON to the endpoint with retries; one connection per attempt."""

    def __init__(
        self,
        endpoint: Endpoint,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.policy = policy
        self.sleep = sleep
        self.attempts = 0

    def _connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.endpoint.url)
        https = parts.scheme == "https"
        kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
        return kind(parts.hostname, parts.port, timeout=self.policy.timeout)

    def _headers(self, key: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.endpoint.token:
            headers["Authorization"] = f"Bearer {self.endpoint.token}"
        return headers

    def _attempt(self, path: str, body: bytes, key: str) -> tuple[int, str | None, bytes]:
        conn = self._connection()
        try:
            conn.request("POST", path, body=body, headers=self._headers(key))
            response = conn.getresponse()
            return response.status, response.getheader("Retry-After"), response.read()
        finally:
            conn.close()

    def post(self, path: str, payload: dict[str, Any], key: str) -> int:
        full_path = urlsplit(self.endpoint.url).path.rstrip("/") + path
        body = json.dumps(payload, ensure_ascii=False, default=str).encode()
        for attempt in range(1, self.policy.max_attempts + 1):
            self.attempts += 1
            retry_after = None
            try:
                status, retry_after_header, _ = self._attempt(full_path, body, key)
            except RETRYABLE_EXCEPTIONS as exc:
                reason = type(exc).__name__
            else:
                if 200 <= status < 300:
                    return status
                if not is_retryable(status):
                    raise PushError(f"{path} answered {status}: not retryable")
                reason = str(status)
                retry_after = retry_after_seconds(retry_after_header)
            if attempt == self.policy.max_attempts:
                raise PushError(f"{path} failed after {attempt} attempts ({reason})")
            delay = backoff_delay(attempt, self.policy, retry_after)
            logger.warning("crm %s: %s, retry %d in %.2fs", path, reason, attempt, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")


def ensure_push_state(con: duckdb.DuckDBPyConnection, destination: str) -> tuple:
    ensure_sync_schema(con)
    con.execute(PUSH_STATE_DDL)
    con.execute(
        f"insert into {PUSH_STATE} values (?, 0, null, null, null, now()) on conflict do nothing",
        [destination],
    )
    return con.execute(
        f"select acked_sequence, pending_first, pending_last, pending_key "
        f"from {PUSH_STATE} where destination = ?",
        [destination],
    ).fetchall()[0]


def _record_pending(con: duckdb.DuckDBPyConnection, destination: str, batch: Batch) -> None:
    con.execute(
        f"update {PUSH_STATE} set pending_first = ?, pending_last = ?, pending_key = ?, "
        "updated_at = now() where destination = ?",
        [batch.first, batch.last, batch.key, destination],
    )


def _record_ack(con: duckdb.DuckDBPyConnection, destination: str, batch: Batch) -> None:
    con.execute(
        f"update {PUSH_STATE} set acked_sequence = ?, pending_first = null, "
        "pending_last = null, pending_key = null, updated_at = now() where destination = ?",
        [batch.last, destination],
    )


def pending_batches(
    con: duckdb.DuckDBPyConnection, destination: str, max_batch: int
) -> Iterator[Batch]:
    """The batch left pending by an interrupted push (unchanged), then new ones."""
    acked, pending_first, pending_last, pending_key = ensure_push_state(con, destination)
    if pending_first is not None:
        events = read_events(con, pending_first - 1, pending_last)
        (batch,) = plan_batches(events, max_batch=len(events))
        if batch.key != pending_key:
            raise PushError("the pending batch no longer matches the outbox")
        yield batch
        acked = pending_last
    yield from plan_batches(read_events(con, acked), max_batch)


def push(
    con: duckdb.DuckDBPyConnection,
    endpoint: Endpoint | None = None,
    *,
    mapping: FieldMapping | None = None,
    policy: RetryPolicy = RetryPolicy(),
    max_batch: int = 100,
    sleep: Callable[[float], None] = time.sleep,
) -> PushResult:
    """Send every outbox event after the last acknowledged one to the CRM."""
    endpoint = endpoint or Endpoint.from_env()
    mapping = mapping or load_mapping()
    client = CrmClient(endpoint, policy, sleep)
    destination = endpoint.destination
    result = PushResult()
    for batch in pending_batches(con, destination, max_batch):
        _record_pending(con, destination, batch)
        client.post(mapping.paths[batch.operation], batch_body(batch, mapping), batch.key)
        _record_ack(con, destination, batch)
        result.batches += 1
        result.events += len(batch.events)
        result.operations[batch.operation] = result.operations.get(batch.operation, 0) + len(
            batch.events
        )
        result.acked_sequence = batch.last
    result.attempts = client.attempts
    if not result.acked_sequence:
        result.acked_sequence = ensure_push_state(con, destination)[0]
    return result
