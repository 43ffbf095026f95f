"""The whole graph materialised through Dagster: contract columns and invariants."""

import duckdb
import pytest

CUSTOMER_360_CONTRACT = {
    "golden_id",
    "full_name",
    "primary_email",
    "primary_phone",
    "emails",
    "phones",
    "birth_date",
    "gender",
    "city",
    "first_seen_at",
    "last_seen_at",
    "sources",
    "order_count",
    "total_revenue",
    "last_order_at",
    "email_engagement",
    "social_sentiment",
    "lifecycle_stage",
}
CUSTOMER_360_LIFETIME = {
    "average_order_value",
    "first_order_at",
    "days_since_last_order",
    "favourite_category",
    "favourite_store",
    "favourite_channel",
    "email_sends",
    "email_opens",
    "email_clicks",
    "web_sessions",
    "social_interactions",
    "service_cases",
    "latest_csat",
    "latest_nps",
    "latest_ces",
    "subscription_status",
    "purchase_frequency_segment",
    "value_tier",
    "rfm_segment",
    "generation",
    "marketing_audiences",
    "social_segments",
}
SEGMENTS_CONTRACT = {"golden_id", "segment_family", "segment", "rule_version"}


def columns(con, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    )


@pytest.fixture(scope="module")
def warehouse(marts_run):
    result, path, _ = marts_run
    failures = [e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, f"failed steps: {failures}"
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_every_dbt_check_passed(marts_run):
    result, _, _ = marts_run
    evaluations = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert evaluations, "dbt tests should surface as asset checks"
    failed = [e.check_name for e in evaluations if not e.passed]
    assert failed == []


def test_customer_360_has_the_contract_columns(warehouse):
    cols = columns(warehouse, "marts.customer_360")
    assert set(cols) >= CUSTOMER_360_CONTRACT | CUSTOMER_360_LIFETIME
    assert cols["emails"] == "VARCHAR[]" and cols["phones"] == "VARCHAR[]"
    assert cols["sources"] == "VARCHAR[]"


def test_customer_360_is_one_row_per_golden_customer(warehouse):
    rows, distinct, golden = warehouse.execute(
        "select count(*), count(distinct golden_id), "
        "(select count(*) from identity.golden_customers) from marts.customer_360"
    ).fetchall()[0]
    assert rows == distinct == golden > 0


def test_primary_phone_is_e164(warehouse):
    bad = warehouse.execute(
        "select primary_phone from marts.customer_360 "
        "where primary_phone is not null "
        "and not regexp_full_match(primary_phone, '\\+[1-9][0-9]{6,14}')"
    ).fetchall()
    assert bad == []


def test_revenue_adds_up_to_identified_orders(warehouse):
    in_360, in_orders = warehouse.execute(
        "select (select sum(total_revenue) from marts.customer_360), "
        "(select sum(revenue_vnd) from marts.orders where golden_id is not null)"
    ).fetchall()[0]
    assert in_360 == in_orders > 0


def test_customer_segments_contract_shape(warehouse):
    assert set(columns(warehouse, "marts.customer_segments")) >= SEGMENTS_CONTRACT
    duplicates = warehouse.execute(
        "select golden_id, segment_family, segment from marts.customer_segments "
        "group by all having count(*) > 1"
    ).fetchall()
    assert duplicates == []
    per_family = warehouse.execute(
        "select segment_family, count(distinct golden_id) from marts.customer_segments group by 1"
    ).fetchall()
    customers = warehouse.execute("select count(*) from marts.customer_360").fetchall()[0][0]
    exclusive = {"purchase_frequency", "value_tier", "rfm", "generation", "lifecycle_stage"}
    assert {f for f, n in per_family if n == customers} >= exclusive
    versions = warehouse.execute(
        "select distinct segment_family, rule_version from marts.customer_segments"
    ).fetchall()
    assert all(v.startswith(f + "/") for f, v in versions)


def test_segment_history_snapshot_exists(warehouse):
    current, open_rows = warehouse.execute(
        "select (select count(*) from marts.customer_segments), "
        "(select count(*) from snapshots.customer_segments_history where dbt_valid_to is null)"
    ).fetchall()[0]
    assert current == open_rows


def test_timeline_reads_in_order_across_channels(warehouse):
    channels = {
        r[0]
        for r in warehouse.execute(
            "select distinct channel from marts.customer_timeline"
        ).fetchall()
    }
    assert {"store", "web", "email", "social"} <= channels
    orphans = warehouse.execute(
        "select count(*) from marts.customer_timeline t "
        "anti join marts.customer_360 c using (golden_id)"
    ).fetchall()[0][0]
    assert orphans == 0


def test_social_sentiment_scored_every_text(warehouse):
    unscored = warehouse.execute(
        "select count(*) from staging.stg_social__interactions i "
        "anti join enrichment.social_sentiment s using (platform, interaction_id) "
        "where nullif(trim(i.text), '') is not null"
    ).fetchall()[0][0]
    assert unscored == 0


def test_bi_copy_masks_pii_and_is_readable_while_the_warehouse_is_open(marts_run, warehouse):
    _, _, bi_path = marts_run
    assert bi_path.exists()
    assert not list(bi_path.parent.glob("*.tmp"))
    bi = duckdb.connect(str(bi_path), read_only=True)
    try:
        raw_emails = bi.execute(
            "select count(*) from marts.customer_360 "
            "where primary_email is not null and primary_email not like '%***%'"
        ).fetchall()[0][0]
        assert raw_emails == 0
        assert bi.execute("select count(*) from marts.customer_360").fetchall()[0][0] > 0
        info = bi.execute("select include_pii, masked_columns from publish_info").fetchall()[0]
        assert info[0] is False and "marts.customer_360.primary_phone" in info[1]
    finally:
        bi.close()
