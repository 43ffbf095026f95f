"""Real Dagster runs: bad deliveries fail the right gates and block the dbt models
downstream; a good delivery passes every gate; tables built before stay readable."""

from pathlib import Path

from quality.__main__ import main as quality_cli
from tests.quality.helpers import (
    POS_STAGING,
    check_outcomes,
    copy_landing,
    drop_resends,
    failed_checks,
    failed_rules,
    generate,
    materialised,
    query,
    rule_outcomes,
    run,
    write_pos_csv,
)

POS = "raw/pos__transactions"


def test_good_delivery_passes_then_bad_delivery_is_blocked(good_landing: Path, tmp_path: Path):
    landing = copy_landing(good_landing, tmp_path / "landing")
    warehouse = tmp_path / "warehouse.duckdb"

    good = run(landing, warehouse)
    rules = rule_outcomes(good)
    assert good.success, failed_rules(good)
    assert len(rules) > 100 and all(rules.values())
    # one check per raw table and severity, not one per rule
    assert all(check_outcomes(good).values()) and len(check_outcomes(good)) < 20
    assert POS_STAGING in materialised(good)
    staged = query(warehouse, "SELECT count(*) FROM staging.stg_pos__transactions")

    # next day: negative quantities, timestamps in 1970 and next year
    write_pos_csv(
        landing,
        landing / "pos" / "transactions_2026-11-09.csv",
        """
        SELECT * REPLACE (
            CASE WHEN row_number() OVER () % 3 = 0 THEN '-2' ELSE quantity END
                AS quantity,
            CASE row_number() OVER () % 4 WHEN 1 THEN '1970-01-01T00:00:00'
                 WHEN 2 THEN '2027-12-24T10:00:00' ELSE transacted_at END AS transacted_at)
        FROM src LIMIT 200""",
    )
    bad = run(landing, warehouse, POS)

    assert not bad.success
    assert failed_checks(bad) == {f"{POS}:gx_blocking"}
    assert failed_rules(bad) == {f"{POS}:quantity__in_range", f"{POS}:transacted_at__in_window"}
    assert POS in materialised(bad) and POS_STAGING not in materialised(bad)
    # the previous staging table is untouched and readable
    assert query(warehouse, "SELECT count(*) FROM staging.stg_pos__transactions") == staged
    # the bad delivery stays pending: re-running without a fix is still blocked
    again = run(landing, warehouse, POS, with_staging=False)
    assert f"{POS}:quantity__in_range" in failed_rules(again)


def test_thirty_percent_invalid_phones_block(tmp_path: Path):
    landing = drop_resends(generate(tmp_path, config='{"rates": {"phone_digit_error": 0.35}}'))
    result = run(landing, tmp_path / "w.duckdb", POS)
    assert f"{POS}:phone__parseable_share" in failed_rules(result)
    assert POS_STAGING not in materialised(result)


def test_same_file_delivered_twice_blocks(good_landing: Path, tmp_path: Path):
    landing = copy_landing(good_landing, tmp_path / "landing")
    first = sorted((landing / "pos").glob("transactions_*"))[0]
    (landing / "pos" / f"transactions_copy{first.suffix}").write_bytes(first.read_bytes())
    result = run(landing, tmp_path / "w.duckdb", POS)
    assert failed_rules(result) == {f"{POS}:no_duplicate_file_delivery"}
    assert POS_STAGING not in materialised(result)


def test_source_delivering_ninety_percent_fewer_rows_blocks_until_accepted(
    good_landing: Path, tmp_path: Path, monkeypatch
):
    landing = tmp_path / "landing"
    (landing / "pos").mkdir(parents=True)
    for day in range(3):  # three ordinary daily files of 200 rows
        write_pos_csv(
            good_landing,
            landing / "pos" / f"transactions_d{day}.csv",
            f"SELECT * FROM src LIMIT 200 OFFSET {day * 200}",
        )
    warehouse = tmp_path / "w.duckdb"
    assert run(landing, warehouse, POS, with_staging=False).success

    write_pos_csv(
        good_landing,
        landing / "pos" / "transactions_d3.csv",
        "SELECT * FROM src LIMIT 20 OFFSET 600",
    )
    result = run(landing, warehouse, POS)
    assert failed_rules(result) == {f"{POS}:row_count_vs_previous"}
    assert POS_STAGING not in materialised(result)

    # a quiet day that really happened: an operator accepts it, the next run goes through
    monkeypatch.setenv("CDP_WAREHOUSE", str(warehouse))
    assert quality_cli(["accept", "pos__transactions"]) == 0
    assert run(landing, warehouse, POS, with_staging=False).success
