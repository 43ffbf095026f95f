"""Landing-zone shape per CONTRACT.md section 1 and ingest/contract.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import pyarrow.parquet as pq

from ingest.contract import ENTITIES, FORMATS, VOCABULARIES

NAME = re.compile(r"^(?P<source>[a-z]+)/(?P<entity>[a-z_]+)_(?P<date>\d{4}-\d{2}-\d{2})"
                  r"(?P<resend>_resend)?\.(?P<ext>csv|jsonl|parquet)$")
BY_PREFIX = {e.prefix: e for e in ENTITIES}


def header(path) -> list[str] | None:
    if path.suffix == ".parquet":
        return pq.read_schema(path).names
    with path.open("rb") as fh:
        if path.suffix == ".csv":
            return fh.readline().decode("utf-8").rstrip("\n").split(",")
        for line in fh:
            try:
                obj = json.loads(line)
            except (ValueError, UnicodeDecodeError):
                continue
            if isinstance(obj, dict):
                return list(obj)
    return None  # an empty JSONL file


def test_file_names_and_all_formats(run):
    dates = {(run.config.start_date + dt.timedelta(days=i)).isoformat()
             for i in range(run.config.days)}
    seen = defaultdict(set)
    for path in run.files():
        m = NAME.match(run.rel(path))
        assert m, f"unexpected file name {run.rel(path)}"
        prefix = f"{m['source']}/{m['entity']}"
        assert prefix in BY_PREFIX
        assert m["date"] in dates
        if not m["resend"]:
            seen[prefix].add((m["date"], m["ext"]))
    assert set(seen) == set(BY_PREFIX), "every entity gets files"
    for prefix, items in seen.items():
        assert {d for d, _ in items} == dates, f"{prefix}: one file per drop day"
        assert {x for _, x in items} == set(FORMATS), f"{prefix}: spread over all formats"


def test_headers_carry_required_columns_in_contract_order(run):
    for path in run.files():
        prefix = NAME.match(run.rel(path)).group("source", "entity")
        entity = BY_PREFIX["/".join(prefix)]
        cols = header(path)
        if cols is None:
            continue
        assert set(entity.required) <= set(cols), f"{path}: missing required columns"
        assert set(cols) <= set(entity.columns), f"{path}: columns outside the contract"
        assert cols == [c for c in entity.columns if c in cols], f"{path}: column order"


def test_optional_columns_sometimes_missing_only_in_later_drops(run):
    for info in run.manifest.files.values():
        if info["omitted_columns"]:
            assert info["date"] != run.config.start_date.isoformat()
            assert set(info["omitted_columns"]) <= set(BY_PREFIX[info["entity"]].optional)


def test_known_vocabularies(run):
    for (raw_table, column), values in VOCABULARIES.items():
        prefix = raw_table.replace("__", "/")
        for table in run.entity_rows(prefix):
            if column in table.column_names:
                found = {v for v in table[column].to_pylist() if v is not None}
                assert found <= set(values), f"{prefix}.{column}: {found - set(values)}"


def test_timestamps_are_iso8601_with_and_without_offset(run):
    columns = {"pos/transactions": "transacted_at", "web/events": "event_timestamp",
               "email/events": "occurred_at", "sales/cases": "opened_at"}
    offsets = set()
    for prefix, col in columns.items():
        for table in run.entity_rows(prefix):
            if table.num_rows == 0:
                continue
            for v in table[col].to_pylist()[:500]:
                parsed = dt.datetime.fromisoformat(v)
                offsets.add(parsed.utcoffset())
    assert offsets == {None, dt.timedelta(hours=7)}


def test_money_is_vnd(run):
    for table in run.entity_rows("pos/transactions"):
        assert {c for c in table["currency"].to_pylist() if c} <= {"VND"}
        prices = [int(v) for v in table["unit_price"].to_pylist()]
        assert min(prices) >= 10_000


def test_first_drop_spans_two_years_and_later_drops_one_day(run):
    start = run.config.start_date
    tables = run.entity_rows("pos/transactions")
    first = sorted(tables[0]["transacted_at"].to_pylist())
    assert dt.date.fromisoformat(first[0][:10]) <= start - dt.timedelta(days=700)
    days = {v[:10] for v in tables[1]["transacted_at"].to_pylist()}
    later = (start + dt.timedelta(days=1)).isoformat()
    assert later in days and days <= {start.isoformat(), later}  # + re-delivered rows
