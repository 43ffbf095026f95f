"""Rules are data: names, severities and thresholds, and the Dagster checks built from them."""

from datetime import UTC, datetime

import dagster as dg

from ingest.contract import ENTITIES, entity
from orchestration.quality import build_quality_checks, quality_checks
from orchestration.quality.checks import (
    IDENTITY_XREF,
    build_marts_check,
    manifest_columns,
    marts_gate,
)
from orchestration.resources import CdpSettings
from quality import load_thresholds, raw_rules
from quality.config import mostly
from quality.raw import small_sample_tolerance, timestamp_window

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_raw_rules_cover_the_issue():
    checks = {r.check: r for r in raw_rules(entity("pos__transactions"), load_thresholds(), NOW)}
    assert {"contract_columns_present", "transaction_id__not_null", "transacted_at__parses",
            "transacted_at__in_window", "quantity__in_range", "unit_price__in_range",
            "phone__parseable_share", "email__parseable_share", "no_duplicate_file_delivery",
            "row_count_vs_previous"} <= set(checks)  # fmt: skip
    events = {r.check: r for r in raw_rules(entity("web__events"), load_thresholds(), NOW)}
    assert events["event_name__known_values"].severity == "warn"
    assert events["event_id__unique"].severity == "error"


def test_timestamp_window_excludes_1970_and_next_year():
    window = timestamp_window(load_thresholds(), NOW)
    assert window.earliest.year > 1970
    assert window.latest < datetime(2027, 1, 1)


def test_severity_override_and_small_sample_tolerance():
    thresholds = load_thresholds()
    thresholds.values["severity_overrides"] = {
        "raw.pos__transactions.no_duplicate_file_delivery": "warn"
    }
    checks = {r.check: r for r in raw_rules(entity("pos__transactions"), thresholds, NOW)}
    assert checks["no_duplicate_file_delivery"].severity == "warn"
    assert mostly(0.1) == 0.9
    assert small_sample_tolerance(0.1, 5, 9) == 5 / 9
    assert small_sample_tolerance(0.1, 5, 1000) == 0.1


def test_checks_attach_to_every_gated_asset_with_blocking_by_severity():
    # one step gates every raw table
    assert len(quality_checks) == 1
    assert {s.asset_key for s in quality_checks[0].check_specs} == {
        dg.AssetKey(["raw", e.raw_table]) for e in ENTITIES
    }
    specs = {s.key.name: s for c in quality_checks for s in c.check_specs
             if s.asset_key == dg.AssetKey(["raw", "web__events"])}  # fmt: skip
    assert set(specs) == {"gx_blocking", "gx_warnings"}  # one check per severity
    assert specs["gx_blocking"].blocking and not specs["gx_warnings"].blocking
    assert "`event_id__not_null`" in (specs["gx_blocking"].description or "")
    assert "`event_name__known_values`" in (specs["gx_warnings"].description or "")
    assert "known_values" not in (specs["gx_blocking"].description or "")

    extra = [dg.AssetSpec(IDENTITY_XREF), dg.AssetSpec(["marts", "customer_360"])]
    keys = {s.asset_key for c in build_quality_checks(extra) for s in c.check_specs}
    assert keys == {IDENTITY_XREF, dg.AssetKey(["marts", "customer_360"])}
    dg.Definitions.validate_loadable(
        dg.Definitions(
            assets=extra, asset_checks=build_quality_checks(extra), resources={"cdp": CdpSettings()}
        )
    )


def test_marts_range_rules_one_per_documented_column_in_the_checks_of_their_severity():
    documented = manifest_columns()
    assert {"latest_nps", "total_revenue", "email_engagement"} <= set(documented["customer_360"])
    checks = build_quality_checks([dg.AssetSpec(["marts", "customer_360"])])
    specs = {s.name: s for c in checks for s in c.check_specs}
    assert set(specs) == {"gx_blocking"} and specs["gx_blocking"].blocking
    rules = specs["gx_blocking"].description or ""
    ranges = ["latest_nps", "total_revenue", "email_engagement"]
    expected = [f"{c}__in_range" for c in ranges] + [
        "undeclared_metric_ranges",
        "one_row_per_golden_id",
        "every_golden_id_present",
    ]
    assert all(f"`{rule}`" in rules for rule in expected)
    assert "`metric_ranges`" not in rules
    assert "`golden_id__in_range`" not in rules and "`email__in_range`" not in rules
    assert "`latest_nps__in_range` `latest_nps` lies in [-100, 100]" in rules

    thresholds = load_thresholds()
    thresholds.values["severity_overrides"] = {"marts.orders.revenue_vnd__in_range": "warn"}
    key = dg.AssetKey(["marts", "orders"])
    columns = ["order_id", "revenue_vnd", "csat"]
    check = build_marts_check(key, thresholds, columns)
    gate = marts_gate(key, thresholds, columns)
    rules_of = {name: [r for r, _, _ in rules] for name, rules in gate.checks.items()}
    assert rules_of == {
        "gx_blocking": ["csat__in_range", "undeclared_metric_ranges"],
        "gx_warnings": ["revenue_vnd__in_range"],
    }
    specs = {s.name: s for s in check.check_specs}
    assert specs["gx_blocking"].blocking and not specs["gx_warnings"].blocking


def test_key_conflicts_in_a_small_file_get_the_small_sample_tolerance():
    import pandas as pd

    from quality.raw import key_column, relax_share_rules

    thresholds = load_thresholds()
    rules = raw_rules(entity("sales__cases"), thresholds, NOW)
    column = key_column(("case_id",))
    # a daily file of 120 cases, one case id typed twice with different content
    daily = pd.DataFrame({column: [1] * 118 + [2, 2]})
    relaxed = {r.check: r for r in relax_share_rules(rules, daily, thresholds)}
    allowed = 1 - relaxed["case_id__unique"].kwargs["mostly"]
    assert 2 / 120 <= allowed < 8 / 120  # one conflict passes, four would not
    # a big file keeps the configured share
    big = pd.DataFrame({column: [1] * 100_000})
    kept = {r.check: r for r in relax_share_rules(rules, big, thresholds)}
    assert kept["case_id__unique"].kwargs["mostly"] == mostly(
        thresholds.get("raw.ids.max_conflict_share")
    )


def test_email_event_volume_is_shown_not_blocked():
    checks = {r.check: r for r in raw_rules(entity("email__events"), load_thresholds(), NOW)}
    assert checks["row_count_vs_previous"].severity == "warn"
    pos = {r.check: r for r in raw_rules(entity("pos__transactions"), load_thresholds(), NOW)}
    assert pos["row_count_vs_previous"].severity == "error"


def test_no_volume_verdict_until_three_files_were_accepted():
    import duckdb

    from quality.raw import volume_frame_sql

    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw._load_log (load_id int, entity varchar, status varchar, "
        "loaded_at timestamptz, rows_read bigint)"
    )
    history = datetime(2026, 11, 1, tzinfo=UTC)
    watermark = datetime(2026, 11, 10, tzinfo=UTC)

    def ratio(accepted_rows: list[int], new_rows: int) -> float | None:
        con.execute("delete from raw._load_log")
        for i, rows in enumerate(accepted_rows):
            con.execute(
                "insert into raw._load_log values (?, 'pos__transactions', 'loaded', ?, ?)",
                [i, history.replace(day=1 + i), rows],
            )
        con.execute(
            "insert into raw._load_log values (99, 'pos__transactions', 'loaded', ?, ?)",
            [datetime(2026, 11, 11, tzinfo=UTC), new_rows],
        )
        sql = volume_frame_sql(entity("pos__transactions"), watermark, load_thresholds())
        return con.execute(f"select ratio_to_baseline from ({sql})").fetchall()[0][0]

    # the first daily file after a two-year backfill: no verdict from one delivery
    assert ratio([350_000], 1_300) is None
    assert ratio([350_000, 1_200], 1_300) is None
    # three accepted files: a daily file a tenth of its usual size is judged
    assert ratio([350_000, 1_200, 1_250], 120) == 120 / 1_250
