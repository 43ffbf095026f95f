"""Ingest speed: ``python -m ingest.bench --rows 12500000`` (a benchmark, not a test).

Writes a POS transactions CSV (and a JSONL copy) of the requested size with
DuckDB, optionally sprinkles malformed lines into it, then times DuckDB's own
``create table as select * from read_csv(...)`` — the floor — against
``load_entity`` on a fresh warehouse, and prints rows per second for each.
"""

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.contract import entity
from ingest.loader import load_entity

POS = entity("pos__transactions")

SYNTHETIC_ROWS_SQL = """
select
    'T' || (i // 3) as transaction_id,
    'HCM0' || (i % 7) as store_id,
    '2026-11-01T' || lpad((i % 24)::varchar, 2, '0') || ':15:00' as transacted_at,
    'Nguyễn Văn ' || (i % 997) as customer_name,
    '09' || lpad((i % 100000000)::varchar, 8, '0') as phone,
    'khach' || (i % 50000) || '@gmail.com' as email,
    'M' || (i % 200000) as loyalty_id,
    'SKU' || (i % 500) as sku,
    'Giày chạy bộ ' || (i % 500) as product_name,
    'shoes' as category,
    (1 + i % 3)::varchar as quantity,
    (500000 + (i % 20) * 50000)::varchar as unit_price,
    '0' as discount,
    'VND' as currency,
    'cash' as payment_method,
    '' as promo_code
from range({rows}) t(i)
"""

MALFORMED_LINES = (b'"unterminated,quote', b"too,few,fields", b"x," * 20, b"\xff\xfe not utf-8")


def write_landing(landing: Path, rows: int, bad_every: int) -> tuple[Path, Path]:
    """A CSV and a JSONL file of ``rows`` rows; every ``bad_every`` rows a malformed line."""
    folder = landing / "pos"
    folder.mkdir(parents=True)
    csv_path, jsonl_path = folder / "transactions_bench.csv", folder / "transactions_bench.jsonl"
    with duckdb.connect() as con:
        query = SYNTHETIC_ROWS_SQL.format(rows=rows)
        con.execute(f"copy ({query}) to '{csv_path}' (header, delimiter ',')")
        con.execute(f"copy ({query}) to '{jsonl_path}' (format json)")
    if bad_every:
        _sprinkle_malformed_lines(csv_path, bad_every)
    return csv_path, jsonl_path


def _sprinkle_malformed_lines(path: Path, every: int) -> None:
    # Streaming copy in large blocks; only the inserted lines are Python-made.
    source = path.with_suffix(".clean")
    path.rename(source)
    with source.open("rb") as src, path.open("wb") as dst:
        for number, line in enumerate(src):
            dst.write(line)
            if number and number % every == 0:
                bad = MALFORMED_LINES[(number // every) % len(MALFORMED_LINES)]
                dst.write(bad + b"\n")
    source.unlink()


def time_duckdb_floor(path: Path, work: Path) -> float:
    start = time.perf_counter()
    with duckdb.connect(str(work / "floor.duckdb")) as con:
        con.execute(
            f"create table t as select * from read_csv('{path}', all_varchar=true, "
            "ignore_errors=true, header=true)"
        )
    return time.perf_counter() - start


def time_load(landing: Path, work: Path, name: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    with duckdb.connect(str(work / f"{name}.duckdb")) as con:
        report = load_entity(con, landing, POS, datetime.now(UTC))
    return time.perf_counter() - start, report.rows_loaded, report.rows_quarantined


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--bad-every", type=int, default=1000, help="0 for a clean file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cdp-ingest-bench-") as tmp:
        work = Path(tmp)
        csv_path, jsonl_path = write_landing(work / "csv_landing", args.rows, args.bad_every)
        jsonl_landing = work / "jsonl_landing" / "pos"
        jsonl_landing.mkdir(parents=True)
        jsonl_path.rename(jsonl_landing / jsonl_path.name)
        size_gb = csv_path.stat().st_size / 1e9
        floor = time_duckdb_floor(csv_path, work)
        csv_seconds, loaded, quarantined = time_load(work / "csv_landing", work, "csv")
        jsonl_seconds, jsonl_loaded, _ = time_load(work / "jsonl_landing", work, "jsonl")
        rerun_seconds, _, _ = time_load(work / "csv_landing", work, "csv")
    print(f"CSV {size_gb:.2f} GB, {args.rows:,} rows, a malformed line every {args.bad_every:,}")
    print(f"  duckdb read_csv floor  {floor:8.1f} s  {args.rows / floor:12,.0f} rows/s")
    print(
        f"  load_entity            {csv_seconds:8.1f} s  {loaded / csv_seconds:12,.0f} rows/s"
        f"  (loaded {loaded:,}, quarantined {quarantined:,})"
    )
    print(f"  re-run, nothing new    {rerun_seconds:8.1f} s")
    print(
        f"JSONL load_entity        {jsonl_seconds:8.1f} s  "
        f"{jsonl_loaded / jsonl_seconds:12,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
