import csv
import json

import pytest

from crm_sync.export import csv_cell, export_events, neutralise_cell
from crm_sync.outbox import build_outbox
from tests.sync.helpers import PEOPLE


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+84901000001", "'+84901000001"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("alice@example.com", "alice@example.com"),
        ("", ""),
    ],
)
def test_neutralise_cell(raw, expected):
    assert neutralise_cell(raw) == expected


def test_csv_cell_joins_lists_and_neutralises_each_result():
    assert csv_cell(["+84901", "+84902"]) == "'+84901;+84902"
    assert csv_cell(None) == ""
    assert csv_cell(7) == "7"


def test_export_writes_jsonl_and_safe_csv_for_one_sync(warehouse, tmp_path):
    warehouse.publish(PEOPLE)
    with warehouse.connect() as con:
        result = build_outbox(con)
        exported = export_events(
            con,
            tmp_path / "out",
            after_sequence=result.first_sequence - 1,
            up_to=result.last_sequence,
        )
        assert export_events(con, tmp_path / "out", after_sequence=result.last_sequence) is None
    assert exported.events == 3
    lines = [json.loads(line) for line in exported.jsonl.read_text().splitlines()]
    assert [e["golden_id"] for e in lines] == ["gc_alice", "gc_bob", "gc_carol"]
    assert lines[2]["payload"]["primary_email"].startswith("=HYPERLINK")
    rows = list(csv.DictReader(exported.csv.open(encoding="utf-8")))
    carol = rows[2]
    assert carol["primary_email"] == '\'=HYPERLINK("http://x")'
    assert carol["primary_phone"] == "'+84901000003"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
