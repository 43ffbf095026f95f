"""Unit tests of the pure parts: file discovery, byte scanning, copies, quote grammar."""

import hashlib
import re

import pytest

import ingest.landing as landing_mod
from ingest.contract import Entity
from ingest.csv_reader import OPEN_RE, REOPEN_RE, STAY_RE, resolve_spans
from ingest.landing import find_landing_files, scan_file, write_copy


@pytest.fixture(params=[3, 1 << 20], ids=["tiny-chunks", "big-chunks"])
def chunk_size(request, monkeypatch):
    # Tiny chunks put CRLF pairs and blank lines across chunk boundaries.
    monkeypatch.setattr(landing_mod, "CHUNK_BYTES", request.param)
    return request.param


@pytest.mark.parametrize(
    "data, lines, blanks, mixed",
    [
        (b"", 0, (), False),
        (b"a", 1, (), False),
        (b"a\n", 1, (), False),
        (b"a\nb", 2, (), False),
        (b"\n", 1, (1,), False),
        (b"a\n\n\nb\n\n", 5, (2, 3, 5), False),
        (b"a\r\n\r\nb\r\n", 3, (2,), False),
        (b"a\r\rb\r", 3, (2,), False),
        (b"a\nb\r\nc\rd\n", 4, (), True),
        (b'a\n"x\r\ny"\n', 3, (), True),
    ],
)
def test_scan_counts_universal_lines_and_blanks(tmp_path, chunk_size, data, lines, blanks, mixed):
    p = tmp_path / "f"
    p.write_bytes(data)
    scan = scan_file(p)
    assert scan.sha256 == hashlib.sha256(data).hexdigest()
    assert (scan.size, scan.line_count, scan.blank_lines, scan.mixed_newlines) == (
        len(data),
        lines,
        blanks,
        mixed,
    )


@pytest.mark.parametrize(
    "data, odd",
    [
        (b"a,b\n", False),
        (b'h\n"a","b ""c"""\n\n"d",e\n', False),
        (b'h\nx,"open\ny\nz\n', True),
        (b'h\nx,y\nlast,"open', True),
    ],
)
def test_scan_notes_an_unbalanced_quote(tmp_path, chunk_size, data, odd):
    # Whatever the chunking: balanced lines never add up to an odd stretch, and one
    # unbalanced line makes the file's total, so some stretch, odd.
    p = tmp_path / "f"
    p.write_bytes(data)
    assert scan_file(p).odd_quotes is odd


def test_write_copy_blanks_lines_far_into_the_file(tmp_path, chunk_size):
    src = tmp_path / "src"
    src.write_bytes(b"".join(b"line %d\n" % i for i in range(1, 2001)))
    dst = tmp_path / "dst"
    write_copy(src, dst, blank_out=[1999])
    expected = [b"" if i == 1999 else b"line %d" % i for i in range(1, 2001)]
    assert dst.read_bytes() == b"\n".join(expected) + b"\n"


def test_write_copy_normalises_and_blanks_lines(tmp_path, chunk_size):
    src = tmp_path / "src"
    src.write_bytes(b"h\r\none\r\ntwo\rthree\nfour")
    dst = tmp_path / "dst"
    write_copy(src, dst, blank_out=[2, 5])
    assert dst.read_bytes() == b"h\n\ntwo\nthree\n"
    write_copy(src, dst, blank_out=[1, 4])
    assert dst.read_bytes() == b"\none\ntwo\n\nfour"


def test_find_landing_files(tmp_path):
    ents = [Entity("shop", "orders", ("id",), ()), Entity("shop", "orders_items", ("id",), ())]
    for name in [
        "orders.csv",
        "orders_2.JSONL",
        "orders_items_1.csv",
        "orders.parquet.tmp",
        "order.csv",
        "orders_x.txt",
    ]:
        (tmp_path / "shop").mkdir(exist_ok=True)
        (tmp_path / "shop" / name).write_text("x")
    got = [(f.relpath, f.format) for f in find_landing_files(tmp_path, ents[0], ents)]
    assert got == [("shop/orders.csv", "csv"), ("shop/orders_2.JSONL", "jsonl")]
    got = [f.relpath for f in find_landing_files(tmp_path, ents[1], ents)]
    assert got == ["shop/orders_items_1.csv"]
    assert find_landing_files(tmp_path / "nowhere", ents[0], ents) == []


@pytest.mark.parametrize(
    "line, opens",
    [
        ("1,2,3", False),
        ('1,"a,b",3', False),
        ('1,"a', True),
        ('1,"a""b', True),
        ('1,"a""b"', False),
        ('1,5" screen,"x', True),
        ('1,5" screen,x', False),
        ('"', True),
        ('1,"ab"c,3', False),
        ('1,"x"  ,"open', True),
    ],
)
def test_open_regex(line, opens):
    assert bool(re.fullmatch(OPEN_RE, line)) is opens


@pytest.mark.parametrize(
    "line, still_inside",
    [
        ("plain text", True),
        ('say ""hi""', True),
        ('end",2,3', False),
        ('end",2,"again', True),
        ('end" ,"again', True),
        ('end"garbage', False),
        ("", True),
    ],
)
def test_continuation_regexes(line, still_inside):
    inside = bool(re.fullmatch(STAY_RE, line) or re.fullmatch(REOPEN_RE, line))
    assert inside is still_inside


def test_resolve_spans():
    # 3 opens and closes on 4; 4 would open but is inside; 6 never closes; 9 is too long.
    cands = [(3, 4), (4, 7), (6, None), (9, 200), (10, 11)]
    assert resolve_spans(cands, max_lines=100) == ([(3, 4), (10, 11)], [6, 9])
