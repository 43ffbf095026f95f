"""Malformed lines: listed exactly, each shows its kind, every other line is clean."""

from __future__ import annotations

import csv
import json
from collections import Counter

from generator.config import CSV_MALFORMED, JSONL_MALFORMED, MALFORMED_KINDS

from .conftest import make_run


def _csv_fields(line: bytes) -> list[str] | None:
    try:
        return next(csv.reader([line.decode("utf-8")], strict=True))
    except (csv.Error, UnicodeDecodeError, StopIteration):
        return None


def _json(line: bytes):
    try:
        return json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def check_kind(kind: str, line: bytes, fmt: str, width: int) -> bool:
    if kind == "blank_line":
        return line.strip() == b""
    if kind == "nul_byte":
        return b"\x00" in line
    if kind == "invalid_utf8":
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return True
        return False
    if kind == "garbage_line":
        return (_csv_fields(line) or []).__len__() != width if fmt == "csv" else (
            not isinstance(_json(line), dict))
    if kind == "too_many_fields":
        return len(_csv_fields(line) or []) > width
    if kind == "too_few_fields":
        fields = _csv_fields(line)
        return fields is not None and len(fields) < width
    if kind == "unterminated_quote":
        text = line.decode("utf-8")
        return text.count('"') % 2 == 1
    if kind == "json_array":
        return isinstance(_json(line), list)
    if kind == "json_scalar":
        v = _json(line)
        return (v is not None and not isinstance(v, dict | list)) or line.strip() == b"null"
    if kind == "truncated_json":
        return _json(line) is None and line.startswith(b"{")
    raise AssertionError(kind)


def test_listed_lines_show_their_kind_and_other_lines_are_clean(run):
    listed = run.malformed()
    assert listed, "default rates write malformed rows"
    for path in run.files():
        fmt = path.suffix.lstrip(".")
        if fmt == "parquet":
            assert run.rel(path) not in listed
            continue
        bad = listed.get(run.rel(path), {})
        lines = path.read_bytes().split(b"\n")
        assert lines[-1] == b""
        lines.pop()
        if fmt == "csv":
            width = len(lines[0].split(b","))
        else:
            width = None
            first = next((_json(ln) for i, ln in enumerate(lines, 1)
                          if i not in bad and isinstance(_json(ln), dict)), None)
            keys = list(first) if first else None
        for i, line in enumerate(lines, start=1):
            if i in bad:
                assert check_kind(bad[i], line, fmt, width or 0), (path, i, bad[i], line[:80])
            elif fmt == "csv":
                fields = _csv_fields(line)
                assert fields is not None and len(fields) == width, (path, i)
            else:
                obj = _json(line)
                assert isinstance(obj, dict) and list(obj) == keys, (path, i)
        assert run.manifest.files[run.rel(path)]["malformed_rows"] == len(bad)


def test_all_kinds_written_with_default_rates(run):
    kinds = {k for per_file in run.malformed().values() for k in per_file.values()}
    assert kinds == set(MALFORMED_KINDS) == set(CSV_MALFORMED) | set(JSONL_MALFORMED)
    for name, per_file in run.malformed().items():
        allowed = CSV_MALFORMED if name.endswith(".csv") else JSONL_MALFORMED
        assert set(per_file.values()) <= set(allowed)


def test_malformed_rate_and_zero_rate(tmp_path):
    rate = 0.003
    rates = {f"malformed_{k}": rate for k in MALFORMED_KINDS}
    rates["malformed_nul_byte"] = 0.0
    r = make_run(tmp_path, people=600, seed=3, days=2, rates=rates)
    kinds = Counter(k for _, _, k in r.manifest.malformed)
    assert "nul_byte" not in kinds
    text_rows = Counter()
    for info in r.manifest.files.values():
        if info["format"] != "parquet" and "resend_of" not in info:
            text_rows[info["format"]] += info["rows"]
    resent = Counter(k for f, _, k in r.manifest.malformed if "_resend" in f)
    for kind, n in kinds.items():
        fmt_rows = (text_rows["csv"] if kind in CSV_MALFORMED else 0) + (
            text_rows["jsonl"] if kind in JSONL_MALFORMED else 0)
        expected = rate * fmt_rows
        got = n - resent[kind]
        assert 0.4 * expected - 3 <= got <= 1.8 * expected + 3, (kind, got, expected)
