"""Daily drop files: split entities by day, add duplicate/re-delivered rows, write CSV/JSONL
(DuckDB COPY) or Parquet (pyarrow), and splice malformed lines into text files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from generator.config import CSV_MALFORMED, JSONL_MALFORMED, GeneratorConfig
from generator.corruption import Tally
from generator.sources.common import EntityOutput
from generator.timeline import Timeline
from ingest.contract import ENTITIES

_OPTIONAL = {e.prefix: set(e.optional) for e in ENTITIES}


@dataclass
class DropFile:
    """One file of one entity for one drop day, before writing."""

    prefix: str
    day: int
    date: str
    fmt: str
    table: pa.Table
    duplicate_rows: int = 0
    redelivered_rows: int = 0
    omitted_columns: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{self.prefix}_{self.date}.{self.fmt}"


def drop_files(entity: EntityOutput, config: GeneratorConfig, timeline: Timeline,
               rng: np.random.Generator, tally: Tally) -> Iterator[DropFile]:
    """Split one entity into its daily files (all history lands in the first one)."""
    rates = config.rates
    day_of = timeline.day_of(entity.time)
    for d, date in enumerate(timeline.drop_dates()):
        idx = np.flatnonzero(entity.drop == d)
        redelivered = np.zeros(0, dtype=np.int64)
        if d > 0:
            prev = np.flatnonzero((entity.drop == d - 1) & (day_of == d - 1))
            redelivered = prev[rng.random(len(prev)) < rates["redelivered_row"]]
            tally.add("redelivered_row", len(redelivered), len(prev))
            idx = np.concatenate([redelivered, idx])  # the overlap comes first
        dup = rng.random(len(idx)) < rates["duplicate_row"]
        tally.add("duplicate_row", dup.sum(), len(idx))
        key = np.concatenate([np.arange(len(idx), dtype=float),
                              np.flatnonzero(dup) + 0.5 + rng.random(int(dup.sum())) * 20])
        rows = np.concatenate([idx, idx[dup]])[np.argsort(key, kind="stable")]
        table = entity.table.take(pa.array(rows, pa.int64()))
        omitted: list[str] = []
        if d > 0:
            optional = [c for c in table.column_names if c in _OPTIONAL[entity.prefix]]
            drop = rng.random(len(optional)) < rates["optional_column_missing"]
            tally.add("optional_column_missing", drop.sum(), len(optional))
            omitted = [c for c, x in zip(optional, drop, strict=True) if x]
            table = table.drop_columns(omitted)
        yield DropFile(entity.prefix, d, date.isoformat(), config.format_of(entity.prefix, d),
                       table, int(dup.sum()), len(redelivered), omitted)


def write_table(table: pa.Table, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path, compression="snappy")
        return
    con = duckdb.connect()
    try:
        con.register("drop_table", table)
        target = str(path).replace("'", "''")
        options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT json"
        con.execute(f"COPY drop_table TO '{target}' ({options})")
    finally:
        con.close()


# ------------------------------------------------------------------------------ malformed
class MalformedPlanner:
    """Decides how many malformed lines of each kind a text file gets: Binomial(rows, rate),
    and at least one per enabled kind in the first file that can hold it."""

    def __init__(self, rates: Mapping[str, float], rng: np.random.Generator) -> None:
        self.rates = rates
        self.rng = rng
        self.seen: set[str] = set()

    def counts(self, fmt: str, n_rows: int) -> dict[str, int]:
        if n_rows == 0 or fmt not in ("csv", "jsonl"):
            return {}
        kinds = CSV_MALFORMED if fmt == "csv" else JSONL_MALFORMED
        out = {}
        for kind in kinds:
            rate = self.rates[f"malformed_{kind}"]
            if rate <= 0:
                continue
            c = int(self.rng.binomial(n_rows, rate))
            if kind not in self.seen:
                c = max(c, 1)
            if c:
                self.seen.add(kind)
                out[kind] = c
        return out


GARBAGE = (b"-----", b"=== END OF PAGE 3 ===", b"Tong cong: 1.234.567 VND", b"#REF!",
           b"<html><body>502 Bad Gateway</body></html>", b"Exported by POS v2.3.1")


def _line_starts(data: bytes, chunk: int = 1 << 26) -> np.ndarray:
    """Byte offset of the start of every line (without a trailing empty line)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    pieces = [np.zeros(1, dtype=np.int64)]
    for off in range(0, len(buf), chunk):
        nl = np.flatnonzero(buf[off:off + chunk] == 10)
        pieces.append(nl.astype(np.int64) + off + 1)
    starts = np.concatenate(pieces)
    return starts[starts < len(data)]


def _make_line(kind: str, base: bytes, fmt: str, rng: np.random.Generator) -> bytes:
    """A malformed line derived from a valid data line ``base`` (without newline)."""
    text = base.decode("utf-8")
    if kind == "blank_line":
        return [b"", b"   ", b"\t"][int(rng.integers(0, 3))]
    if kind == "garbage_line":
        return GARBAGE[int(rng.integers(0, len(GARBAGE)))]
    if kind == "nul_byte":
        k = int(rng.integers(1, max(len(base), 2)))
        return base[:k] + b"\x00" * int(rng.integers(1, 9)) + base[k:]
    if kind == "invalid_utf8":
        raw = text.encode("cp1258", errors="replace")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
        return raw.replace(b"a", b"\xe0", 1) if b"a" in raw else raw + b" \xff"
    if fmt == "csv":
        fields = next(csv.reader([text]))
        if kind == "too_many_fields":
            return _csv_line([*fields, "", "EXTRA"])
        if kind == "too_few_fields":
            return _csv_line(fields[: max(1, len(fields) // 2)])
        if kind == "unterminated_quote":
            last = fields[-1].replace('"', "") or "ghi chu"
            return _csv_line(fields[:-1]) + b',"' + last.encode("utf-8")
    else:
        obj = json.loads(text)
        if kind == "json_array":
            return json.dumps(list(obj.values()), ensure_ascii=False,
                              separators=(",", ":")).encode("utf-8")
        if kind == "json_scalar":
            return [b"null", b"42", b'"ok"', b"true"][int(rng.integers(0, 4))]
        if kind == "truncated_json":
            return text[: max(1, len(text) // 2)].encode("utf-8")
    raise ValueError(f"malformed kind {kind!r} does not apply to {fmt}")


def _csv_line(fields: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(fields)
    return out.getvalue().encode("utf-8")


def inject_malformed(path: Path, fmt: str, counts: Mapping[str, int],
                     rng: np.random.Generator) -> list[tuple[int, str]]:
    """Insert malformed lines between the data lines; returns (1-based line, kind)."""
    if not counts:
        return []
    data = path.read_bytes()
    starts = _line_starts(data)
    header = 1 if fmt == "csv" else 0
    n_rows = len(starts) - header
    kinds = [k for k in sorted(counts) for _ in range(counts[k])]
    kinds = [kinds[i] for i in rng.permutation(len(kinds))]
    at = np.sort(rng.integers(0, n_rows + 1, len(kinds)))  # insert before data row `at`
    ends = np.append(starts[1:], len(data))
    view = memoryview(data)
    prev = 0
    placed: list[tuple[int, str]] = []
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        for j, (row, kind) in enumerate(zip(at, kinds, strict=True)):
            cut = int(starts[header + row]) if row < n_rows else len(data)
            base_row = min(int(row), n_rows - 1)
            b0, b1 = int(starts[header + base_row]), int(ends[header + base_row])
            base = data[b0:b1].rstrip(b"\r\n")
            fh.write(view[prev:cut])
            fh.write(_make_line(kind, base, fmt, rng) + b"\n")
            prev = cut
            placed.append((header + int(row) + j + 1, kind))
        fh.write(view[prev:])
    view.release()
    tmp.replace(path)
    return placed
