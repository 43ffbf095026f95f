"""A small real DuckDB warehouse shaped like the identity and marts outputs."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import duckdb

GOLDEN_DDL = """
create or replace table identity.golden_customers (
    golden_id varchar, full_name varchar, primary_email varchar, primary_phone varchar,
    emails varchar[], phones varchar[], birth_date date, gender varchar, city varchar,
    sources varchar[], first_seen_at timestamp, last_seen_at timestamp, record_count bigint
)"""
HISTORY_DDL = """
create table if not exists identity.golden_id_history (
    run_at timestamp, event varchar, old_golden_id varchar, new_golden_id varchar,
    records bigint
)"""

PEOPLE = {
    "gc_alice": ("Nguyen Thi Alice", "alice@example.com", "+84901000001", "Hanoi"),
    "gc_bob": ("Tran Van Bob", "bob@example.com", "+84901000002", "Da Nang"),
    "gc_carol": ("Le Carol", '=HYPERLINK("http://x")', "+84901000003", "Hue"),
}


class Warehouse:
    """Writes golden customers + history + customer_360 the way identity/dbt would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.run = 0
        with self.connect() as con:
            con.execute("create schema if not exists identity")
            con.execute("create schema if not exists marts")
            con.execute(HISTORY_DDL)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def publish(
        self, people: dict[str, tuple[str, str, str, str]], events: list[tuple] = ()
    ) -> None:
        self.run += 1
        run_at = dt.datetime(2026, 1, 1) + dt.timedelta(days=self.run)
        with self.connect() as con:
            con.execute(GOLDEN_DDL)
            for gid, (name, email, phone, city) in sorted(people.items()):
                con.execute(
                    "insert into identity.golden_customers values "
                    "(?, ?, ?, ?, [?], [?], date '1990-01-02', 'female', ?, ['pos'], "
                    "timestamp '2025-01-01', timestamp '2025-06-01', 1)",
                    [gid, name, email, phone, email, phone, city],
                )
            for event, old, new in events:
                con.execute(
                    "insert into identity.golden_id_history values (?, ?, ?, ?, 1)",
                    [run_at, event, old, new],
                )
            con.execute(
                "create or replace table marts.customer_360 as "
                "select golden_id, 'active' as lifecycle_stage, 42 as unrelated "
                "from identity.golden_customers"
            )


class FakeCrm:
    """Talks to the fake CRM server process (tests/sync/crm_server.py)."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def _call(self, method: str, path: str, body: object = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def fail_next(self, *faults: dict) -> None:
        self._call("POST", "/_faults", list(faults))

    def state(self) -> dict:
        return self._call("GET", "/_state")
