"""File export of outbox events (JSONL and CSV) for CRMs that import files."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from crm_sync.outbox import OUTBOX

EVENT_COLUMNS: tuple[str, ...] = (
    "sequence",
    "idempotency_key",
    "event_type",
    "golden_id",
    "surviving_golden_id",
    "emitted_at",
)
#: A spreadsheet evaluates cells starting with these as formulas (tab/CR: OWASP advice).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class ExportResult:
    events: int
    jsonl: Path
    csv: Path


def neutralise_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would read as a formula with ``'`` so it stays text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    return neutralise_cell(str(value))


def read_events(
    con: duckdb.DuckDBPyConnection, after_sequence: int = 0, up_to: int | None = None
) -> list[dict[str, Any]]:
    """Outbox events with ``after_sequence < sequence <= up_to``, payload decoded."""
    bound = "" if up_to is None else f"and sequence <= {int(up_to)}"
    rows = con.execute(
        f"""
        select sequence, idempotency_key, event_type, golden_id, surviving_golden_id,
               strftime(emitted_at, '%Y-%m-%dT%H:%M:%S.%f') as emitted_at, payload::varchar
        from {OUTBOX} where sequence > ? {bound} order by sequence
        """,
        [int(after_sequence)],
    ).fetchall()
    return [
        dict(zip((*EVENT_COLUMNS, "payload"), (*r[:-1], json.loads(r[-1])), strict=True))
        for r in rows
    ]


def payload_fields(events: Iterable[dict[str, Any]]) -> list[str]:
    """Union of payload keys in first-seen order (create events list them all)."""
    seen: dict[str, None] = {}
    for event in events:
        seen.update(dict.fromkeys(event["payload"]))
    return list(seen)


def write_jsonl(events: Sequence[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")


def write_csv(events: Sequence[dict[str, Any]], path: Path) -> None:
    """One row per event: event columns, then one column per payload field.

    An update leaves the fields it did not change empty.
    """
    fields = payload_fields(events)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([*EVENT_COLUMNS, *fields])
        for event in events:
            writer.writerow(
                [csv_cell(event[c]) for c in EVENT_COLUMNS]
                + [csv_cell(event["payload"].get(f)) for f in fields]
            )


def export_events(
    con: duckdb.DuckDBPyConnection,
    directory: Path,
    *,
    after_sequence: int = 0,
    up_to: int | None = None,
) -> ExportResult | None:
    """Write the events of a sequence range to ``crm_outbox_<first>_<last>.{jsonl,csv}``."""
    events = read_events(con, after_sequence, up_to)
    if not events:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"crm_outbox_{events[0]['sequence']:012d}_{events[-1]['sequence']:012d}"
    jsonl, csv_path = directory / f"{stem}.jsonl", directory / f"{stem}.csv"
    write_jsonl(events, jsonl)
    write_csv(events, csv_path)
    return ExportResult(events=len(events), jsonl=jsonl, csv=csv_path)
