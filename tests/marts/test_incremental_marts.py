"""The golden-id-keyed marts build incrementally, and equal a full rebuild.

Real ingest, real dbt, real (incremental) identity resolution and sentiment on
generated data, over five drops after day one:

1. day two, plus re-deliveries: a web event moved to another user and cookie, a
   service case and an opportunity moved to another contact, a changed account;
2. a bridge between two golden customers (a new web account with one person's
   verified email, and a store transaction of the other re-delivered with that
   account as its loyalty id): an incremental identity run merges them;
3. the bridge taken away again (the account re-delivered with another email):
   the merged customer splits;
4. an erasure (``crm_sync.erasure.erase``);
5. a landing file replaced in place, which rebuilds every incremental mart.

After each incremental marts build every incremental model (the fact
intermediates keyed on cookie or order included) and every table built on one
(customer_360, customer_segments, ...) must hold exactly what
``dbt --full-refresh`` builds from the same staging and identity tables, on a
copy of the warehouse; the segment history, which is never rebuilt, must have
an open row for exactly the current memberships.
"""

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from analytics.social_sentiment import score_social_sentiment
from crm_sync.erasure import erase
from identity.pipeline import resolve_identities
from orchestration.dbt.project import DBT_EXECUTABLE
from orchestration.resources import DEFAULT_SOURCE_TZ
from tests.marts.helpers import (
    dbt,
    dbt_args,
    ingest,
    raw_rows,
    rows_only_in,
    write_jsonl,
)

COMPARED = (
    "intermediate.int_web_events_resolved",
    "intermediate.int_web_sessions",
    "intermediate.int_orders",
    "intermediate.int_order_items",
    "marts.orders",
    "marts.customer_timeline",
    "intermediate.int_customer_lifetime",
    "intermediate.int_customer_features",
    "marts.customer_360",
    "marts.customer_segments",
    "marts.customer_retention_monthly",
    "marts.store_sales_monthly",
    "marts.channel_attribution_monthly",
)
STAGING = "+int_person_records_unioned stg_sales__opportunities stg_sales__cases"


def pipeline(landing: Path, warehouse: Path) -> None:
    """What a scheduled run does: ingest, staging, identity, sentiment, marts."""
    ingest(landing, warehouse)
    dbt(warehouse, "run", "--select", *STAGING.split())
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"set timezone = '{DEFAULT_SOURCE_TZ}'")
        resolve_identities(con)
        score_social_sentiment(con)
    dbt(warehouse, "build", "--exclude", *STAGING.split())


def differences(warehouse: Path, rebuilt: Path) -> dict[str, tuple[int, int]]:
    """Rows only the incremental build has, rows only the full rebuild has."""
    diffs = {}
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        for table in COMPARED:
            counts = rows_only_in(con, table, f"rebuilt.{table}")
            if any(counts):
                diffs[table] = counts
        con.execute("detach rebuilt")
    return diffs


def assert_history_follows_memberships(con: duckdb.DuckDBPyConnection) -> None:
    """The segment history (written incrementally, never rebuilt) has an open row
    for exactly the current memberships and rule versions, and no stay ends
    before it starts."""
    open_rows = (
        "(select segment_membership_id, rule_version from snapshots.customer_segments_history "
        "where dbt_valid_to is null)"
    )
    current = "(select segment_membership_id, rule_version from marts.customer_segments)"
    assert rows_only_in(con, open_rows, current) == (0, 0)
    backwards = con.execute(
        "select count(*) from snapshots.customer_segments_history "
        "where dbt_valid_to < dbt_valid_from"
    ).fetchall()[0][0]
    assert backwards == 0


def assert_incremental_equals_full_refresh(warehouse: Path) -> None:
    rebuilt = warehouse.with_name("rebuilt.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        assert_history_follows_memberships(con)
        con.execute("checkpoint")  # the copy must not miss what is still in the WAL
    shutil.copy(warehouse, rebuilt)
    # In a process of its own: this one must not hold the copy open (DuckDB allows
    # one handle per file in a process, and dbt keeps its connections).
    subprocess.run(
        [
            DBT_EXECUTABLE, "run", "--full-refresh", "--exclude", *STAGING.split(),
            *dbt_args(rebuilt), "--quiet",
        ],
        check=True,
    )
    try:
        assert differences(warehouse, rebuilt) == {}
    finally:
        rebuilt.unlink()


def scalar(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).fetchall()[0][0]


def history_events(warehouse: Path, event: str) -> int:
    sql = "select count(*) from identity.golden_id_history where event = ?"
    return scalar(warehouse, sql, [event])


def rows_of(warehouse: Path, golden_id: str) -> dict[str, int]:
    """Rows a golden id has in the marts keyed on it."""
    return {
        table: scalar(warehouse, f"select count(*) from {table} where golden_id = ?", [golden_id])
        for table in ("marts.customer_360", "marts.customer_timeline", "marts.orders")
    }


@pytest.fixture(scope="module")
def drops(generated_landing: Path, tmp_path_factory: pytest.TempPathFactory):
    """Day one, and the files of day two, kept apart."""
    root = tmp_path_factory.mktemp("incremental_marts")
    day_one, day_two = root / "landing", root / "day_two"
    for source in generated_landing.iterdir():
        for path in source.iterdir():
            day = day_two if "2026-11-01" not in path.name else day_one
            (day / source.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, day / source.name / path.name)
    return root, day_one, day_two


def corrections(warehouse: Path) -> dict[str, list[dict]]:
    """Day-one rows delivered again with other owners or values."""
    with duckdb.connect(str(warehouse)) as con:
        events = raw_rows(
            con,
            "select * from raw.web__events where nullif(trim(user_id), '') is not null "
            "order by event_id limit 2",
        )
        (other_user,) = con.execute(
            "select user_id from raw.web__events where nullif(trim(user_id), '') is not null "
            "order by event_id desc limit 1"
        ).fetchall()[0]
        contacts = [
            r[0]
            for r in con.execute(
                "select contact_id from staging.stg_sales__contacts order by contact_id limit 2"
            ).fetchall()
        ]
        cases = raw_rows(con, "select * from raw.sales__cases order by case_id limit 1")
        opportunities = raw_rows(
            con, "select * from raw.sales__opportunities order by opportunity_id limit 1"
        )
        accounts = raw_rows(con, "select * from raw.web__accounts order by user_id limit 1")
    return {
        "web/events": [
            {**events[0], "user_id": other_user},
            {**events[1], "user_pseudo_id": "cookie-moved-by-redelivery"},
        ],
        "sales/cases": [{**case, "contact_id": contacts[-1]} for case in cases],
        "sales/opportunities": [
            {**opportunity, "contact_id": contacts[0], "stage": "closed_won", "is_won": "true"}
            for opportunity in opportunities
        ],
        "web/accounts": [{**account, "city": "Đà Lạt"} for account in accounts],
    }


def bridge(warehouse: Path) -> tuple[dict, dict, tuple[str, str]]:
    """A new web account with the verified email of one golden customer, and a
    store transaction of another re-delivered with that account as loyalty id."""
    with duckdb.connect(str(warehouse)) as con:
        email, first = con.execute(
            "select x.source_record_id, x.golden_id from identity.customer_xref x "
            "join staging.stg_email__contacts c on c.email = x.source_record_id "
            "where x.source = 'email' and c.status = 'subscribed' order by 1 limit 1"
        ).fetchall()[0]
        transaction_id, second = con.execute(
            "select x.source_record_id, x.golden_id from identity.customer_xref x "
            "where x.source = 'pos' and x.golden_id <> ? order by 1 limit 1",
            [first],
        ).fetchall()[0]
        (line,) = raw_rows(
            con,
            "select * from raw.pos__transactions where trim(transaction_id) = ? "
            "order by _row_number limit 1",
            [transaction_id],
        )
    account = {
        "user_id": "bridge-account",
        "email": email,
        "full_name": None,
        "phone": None,
        "birth_date": None,
        "gender": None,
        "city": None,
        "created_at": "2026-11-02T10:00:00+07:00",
    }
    return account, {**line, "loyalty_id": "bridge-account"}, (first, second)


def test_incremental_marts_equal_full_refresh(drops) -> None:
    root, landing, day_two = drops
    warehouse = root / "warehouse.duckdb"

    # Day one: the first build is a full one.
    pipeline(landing, warehouse)
    assert scalar(warehouse, "select rebuild_all from intermediate.int_marts_refresh_scope")

    # Drop 1: day two and re-deliveries that move facts between owners.
    fixes = corrections(warehouse)
    shutil.copytree(day_two, landing, dirs_exist_ok=True)
    for name, rows in fixes.items():
        write_jsonl(landing / f"{name}_2026-11-02_fix.jsonl", rows)
    pipeline(landing, warehouse)
    assert not scalar(warehouse, "select rebuild_all from intermediate.int_marts_refresh_scope")
    changed = scalar(warehouse, "select count(*) from intermediate.int_marts_changed_golden_ids")
    customers = scalar(warehouse, "select count(*) from marts.customer_360")
    assert 0 < changed < customers
    assert_incremental_equals_full_refresh(warehouse)

    # Drop 2: a bridge merges two golden customers; the retired id leaves every mart.
    account, line, (first, second) = bridge(warehouse)
    merges = history_events(warehouse, "merged")
    write_jsonl(landing / "web" / "accounts_2026-11-03_bridge.jsonl", [account])
    write_jsonl(landing / "pos" / "transactions_2026-11-03_bridge.jsonl", [line])
    pipeline(landing, warehouse)
    assert history_events(warehouse, "merged") > merges
    survivor = scalar(
        warehouse,
        "select golden_id from identity.customer_xref "
        "where source = 'pos' and source_record_id = ?",
        [line["transaction_id"].strip()],
    )
    retired = second if survivor == first else first
    assert scalar(
        warehouse, "select count(*) from identity.golden_customers where golden_id = ?", [retired]
    ) == 0
    assert set(rows_of(warehouse, retired).values()) == {0}
    assert rows_of(warehouse, survivor)["marts.customer_360"] == 1
    assert_incremental_equals_full_refresh(warehouse)

    # Drop 3: the bridge goes away (the account gets another email): a split.
    splits = history_events(warehouse, "split")
    write_jsonl(
        landing / "web" / "accounts_2026-11-04_unbridge.jsonl",
        [{**account, "email": "someone.else@example.com"}],
    )
    write_jsonl(
        landing / "pos" / "transactions_2026-11-04_unbridge.jsonl", [{**line, "loyalty_id": None}]
    )
    pipeline(landing, warehouse)
    assert history_events(warehouse, "split") > splits
    assert_incremental_equals_full_refresh(warehouse)

    # Drop 4: an erasure (python -m crm_sync erase) keeps the person out of every
    # mart built afterwards, intermediate tables included.
    with duckdb.connect(str(warehouse)) as con:
        erased_id, erased_email = con.execute(
            "select golden_id, primary_email from marts.customer_360 "
            "where primary_email is not null and order_count > 0 order by golden_id limit 1"
        ).fetchall()[0]
    assert rows_of(warehouse, erased_id)["marts.orders"] > 0
    with duckdb.connect(str(warehouse)) as con:
        erase(con, email=erased_email)
    pipeline(landing, warehouse)
    assert set(rows_of(warehouse, erased_id).values()) == {0}
    assert scalar(
        warehouse,
        "select count(*) from intermediate.int_customer_lifetime where golden_id = ?",
        [erased_id],
    ) == 0
    assert_incremental_equals_full_refresh(warehouse)

    # Drop 5: a landing file replaced in place (same name, other content): its
    # earlier rows leave raw, so every incremental mart is rebuilt.
    write_jsonl(
        landing / "pos" / "transactions_2026-11-04_unbridge.jsonl", [{**line, "loyalty_id": ""}]
    )
    pipeline(landing, warehouse)
    assert scalar(
        warehouse, "select reason from intermediate.int_marts_refresh_scope"
    ) == "a landing file was replaced in place"
    assert_incremental_equals_full_refresh(warehouse)
