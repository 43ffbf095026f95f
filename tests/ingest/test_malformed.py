"""The malformed-input corpus: every bad row is quarantined with a reason code and its
line, every good row around it is loaded, and nothing is lost or double-counted."""

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.ingest.helpers import (
    ACCOUNT_HEADER,
    ACCOUNTS,
    account_csv_row,
    account_json_row,
    fetch,
    load,
    load_log,
    quarantine,
    raw_rows,
    write,
)


@dataclass(frozen=True)
class Case:
    name: str
    fmt: str
    bad: bytes  # one bad record (may span lines) placed between good rows
    code: str
    reason: str  # expected start of the reason text


CSV = [
    Case(
        "unterminated_quote_mid_file",
        "csv",
        b'u9,"Nguyen Van A,0901,,,,,t',
        "unterminated_quote",
        "unterminated_quote: quoted field is not closed within 100 lines",
    ),
    Case(
        "invalid_quoting",
        "csv",
        b'u9,"ab"c,,,,,,t',
        "invalid_quoting",
        "invalid_quoting: characters after a closing quote",
    ),
    Case(
        "too_many_fields",
        "csv",
        b"u9,a@x,n,p,b,g,c,t,EXTRA",
        "too_many_columns",
        "too_many_columns: expected 8 fields, found 9",
    ),
    Case(
        "trailing_empty_field",
        "csv",
        b"u9,a@x,n,p,b,g,c,t,",
        "too_many_columns",
        "too_many_columns: expected 8 fields, found 9",
    ),
    Case(
        "too_few_fields",
        "csv",
        b"u9,a@x,n",
        "too_few_columns",
        "too_few_columns: expected 8 fields, found 3",
    ),
    Case(
        "garbage_line",
        "csv",
        b"#### export truncated here ####",
        "too_few_columns",
        "too_few_columns: expected 8 fields, found 1",
    ),
    Case(
        "whitespace_only_line",
        "csv",
        b"   ",
        "too_few_columns",
        "too_few_columns: expected 8 fields, found 1",
    ),
    Case(
        "invalid_utf8",
        "csv",
        b"u9,a@x,Nguy\xff\xfen,p,b,g,c,t",
        "invalid_utf8",
        "invalid_utf8: record is not valid UTF-8",
    ),
    Case(
        "windows1258_text",
        "csv",
        "u9,a@x,Lê Văn Hùng,p,b,g,c,t".encode("cp1258"),
        "invalid_utf8",
        "invalid_utf8",
    ),
    Case(
        "nul_byte",
        "csv",
        b"u9,a@x,Ng\x00uyen,p,b,g,c,t",
        "nul_byte",
        'nul_byte: field "full_name" contains a NUL (0x00) byte',
    ),
    Case(
        "too_many_fields_multiline",
        "csv",
        b'u9,"a\nb",n,p,b,g,c,t,EXTRA',
        "too_many_columns",
        "too_many_columns: expected 8 fields, found 9",
    ),
]

JSONL = [
    Case(
        "not_json",
        "jsonl",
        b"hello world",
        "invalid_json",
        "invalid_json: line does not parse as JSON",
    ),
    Case("trailing_garbage", "jsonl", b'{"user_id": "u9"} extra', "invalid_json", "invalid_json"),
    Case(
        "array",
        "jsonl",
        b'[{"user_id": "u9"}]',
        "not_an_object",
        "not_an_object: expected a JSON object, found an array",
    ),
    Case(
        "string",
        "jsonl",
        b'"u9"',
        "not_an_object",
        "not_an_object: expected a JSON object, found a string",
    ),
    Case(
        "number",
        "jsonl",
        b"42",
        "not_an_object",
        "not_an_object: expected a JSON object, found a number",
    ),
    Case(
        "null",
        "jsonl",
        b"null",
        "not_an_object",
        "not_an_object: expected a JSON object, found null",
    ),
    Case(
        "truncated",
        "jsonl",
        b'{"user_id": "u9", "email": "a@x',
        "truncated_json",
        "truncated_json: JSON object is not closed",
    ),
    Case(
        "invalid_utf8",
        "jsonl",
        b'{"user_id": "u9", "full_name": "L\xea"}',
        "invalid_utf8",
        "invalid_utf8: line is not valid UTF-8",
    ),
    Case(
        "nul_byte",
        "jsonl",
        b'{"user_id": "u9\x00"}',
        "nul_byte",
        "nul_byte: line contains a NUL (0x00) byte",
    ),
    Case(
        "control_characters",
        "jsonl",
        b'{"user_id": "u9\x1d\x1e\x1f\x1c"}',
        "invalid_json",
        "invalid_json",
    ),
]


def _file(case: Case, good_before: int = 3, good_after: int = 3) -> tuple[bytes, int]:
    """File bytes with the bad record after ``good_before`` good rows; its line number."""
    if case.fmt == "csv":
        before = [ACCOUNT_HEADER] + [account_csv_row(i) for i in range(1, good_before + 1)]
        after = [account_csv_row(i) for i in range(100, 100 + good_after)]
    else:
        before = [account_json_row(i) for i in range(1, good_before + 1)]
        after = [account_json_row(i) for i in range(100, 100 + good_after)]
    head, tail = "\n".join(before) + "\n", "\n" + "\n".join(after) + "\n"
    data = head.encode() + case.bad + tail.encode()
    return data, len(before) + 1


@pytest.mark.parametrize("case", CSV + JSONL, ids=lambda c: f"{c.fmt}-{c.name}")
def test_malformed_row_is_quarantined_with_reason_and_line(con, landing, case):
    data, bad_line = _file(case)
    write(landing, f"web/accounts.{case.fmt}", data)
    report = load(con, landing)

    q = quarantine(con)
    assert len(q) == 1, q
    _, line, code, reason, raw_text = q[0]
    assert (line, code) == (bad_line, case.code)
    assert reason.startswith(case.reason)
    assert raw_text  # the bad record's text is kept for a human to look at
    # Every good row around it loaded, with its own line number.
    first_after = bad_line + 1 + case.bad.count(b"\n")
    expected = [
        ("u1", bad_line - 3),
        ("u2", bad_line - 2),
        ("u3", bad_line - 1),
        ("u100", first_after),
        ("u101", first_after + 1),
        ("u102", first_after + 2),
    ]
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == expected
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (7, 6, 1)


def test_unterminated_quote_on_last_line(con, landing):
    data = f'{ACCOUNT_HEADER}\n{account_csv_row(1)}\nu2,"never closed,,,,,,t\n'.encode()
    write(landing, "web/accounts.csv", data)
    load(con, landing)
    assert [(q[1], q[2]) for q in quarantine(con)] == [(3, "unterminated_quote")]
    assert raw_rows(con, ACCOUNTS, "user_id") == [("u1",)]
    # DuckDB reports this one itself (the file fits the fast path), hence the reason text.
    assert quarantine(con)[0][3] == "unterminated_quote: quoted field is never closed"


# Stray quotes, a multi-line field, a blank, invalid UTF-8 and NUL in one file. Line 6's
# quote is closed by the one on line 9 (CSV grammar), so lines 6-9 are one record.
TANGLED_CSV = (
    b"\n".join(
        [
            ACCOUNT_HEADER.encode(),
            b"u2,e,n,p,b,g,c,t",
            b'u3,e,"multi',
            b'line",p,b,g,c,t',
            b"",
            b'u6,"never closed,,,,,,t',
            b"u7,e,n,p,b,g,c,t",
            b"u8,\xff\xfe,n,p,b,g,c,t",
            b'u9,e,"two',
            b'lines"x,p,b,g,c,t',
            b"u11,e\x00x,n,p,b,g,c,t",
            b"u12,e,n",
            b"u13,e,n,p,b,g,c,t",
            b'u14,"open at the end,,,,,,t',
        ]
    )
    + b"\n"
)


@pytest.mark.parametrize("odd_quotes", [True, False], ids=["lines-first", "parse-first"])
def test_tangled_quotes_give_the_same_result_in_either_order(con, landing, monkeypatch, odd_quotes):
    # The CSV reader reads the line structure before the first parse when the byte scan
    # saw an unbalanced quote; the outcome must not depend on that order.
    import dataclasses

    import ingest.loader

    real_scan = ingest.loader.scan_file
    monkeypatch.setattr(
        ingest.loader,
        "scan_file",
        lambda path: dataclasses.replace(real_scan(path), odd_quotes=odd_quotes),
    )
    write(landing, "web/accounts.csv", TANGLED_CSV)
    report = load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, full_name, _row_number") == [
        ("u2", "n", 2),
        ("u3", "multi\nline", 3),
        ("u13", "n", 13),
    ]
    assert [q[1:] for q in quarantine(con)] == [
        (
            6,
            "invalid_utf8",
            "invalid_utf8: record is not valid UTF-8",
            'u6,"never closed,,,,,,t\nu7,e,n,p,b,g,c,t\nu8,??,n,p,b,g,c,t\nu9,e,"two',
        ),
        (10, "too_few_columns", "too_few_columns: expected 8 fields, found 6", 'lines"x,p,b,g,c,t'),
        (
            11,
            "nul_byte",
            'nul_byte: field "email" contains a NUL (0x00) byte',
            "u11,e\\x00x,n,p,b,g,c,t",
        ),
        (12, "too_few_columns", "too_few_columns: expected 8 fields, found 3", "u12,e,n"),
        (
            14,
            "unterminated_quote",
            "unterminated_quote: quoted field is not closed within 100 lines",
            'u14,"open at the end,,,,,,t',
        ),
    ]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (8, 3, 5)


def test_quote_closed_on_a_later_line_swallows_the_lines_between(con, landing):
    # CSV grammar: the field runs to the next quote. The record ends in garbage after
    # that quote, so the whole stretch is one quarantined record, not silently lost.
    rows = [
        account_csv_row(1),
        'u2,"oops,,,,,,t',
        account_csv_row(3),
        'u4,a@x,"Lan",,,,,t',
        account_csv_row(5),
    ]
    write(landing, "web/accounts.csv", ACCOUNT_HEADER + "\n" + "\n".join(rows) + "\n")
    report = load(con, landing)
    assert [(q[1], q[2]) for q in quarantine(con)] == [(3, "invalid_quoting")]
    assert quarantine(con)[0][4] == "\n".join(rows[1:4])
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == [("u1", 2), ("u5", 6)]
    assert (report.rows_read, report.rows_quarantined) == (3, 1)


@pytest.mark.parametrize(
    "name, data",
    [
        ("garbage", b"this is not parquet at all"),
        ("empty", b""),
        ("truncated", None),
    ],
)
def test_unreadable_parquet_is_quarantined_whole(con, landing, tmp_path, name, data):
    if data is None:
        good = tmp_path / "good.parquet"
        pq.write_table(
            pa.table({"user_id": ["u1"] * 1000, "email": ["e"] * 1000, "created_at": ["t"] * 1000}),
            good,
        )
        data = good.read_bytes()[:-100]
    write(landing, "web/accounts_bad.parquet", data)
    write(landing, "web/accounts_ok.csv", f"{ACCOUNT_HEADER}\n{account_csv_row(1)}\n")
    report = load(con, landing)

    bad = report.files[0]
    assert (bad.status, bad.rows_read, bad.rows_loaded, bad.rows_quarantined) == (
        "quarantined_file",
        1,
        0,
        1,
    )
    ((file, line, code, reason, raw_text),) = quarantine(con)
    assert (file, line, code, raw_text) == (
        "web/accounts_bad.parquet",
        None,
        "unreadable_parquet",
        None,
    )
    assert reason.startswith("unreadable_parquet: ")
    assert raw_rows(con, ACCOUNTS, "user_id") == [("u1",)]
    # Re-running does not quarantine it again.
    load(con, landing)
    assert len(quarantine(con)) == 1


def test_mixed_corpus_accounting_loses_no_row(con, landing):
    """All malformed kinds in one file per format: read = loaded + quarantined = written."""
    for fmt, cases in (("csv", CSV), ("jsonl", JSONL)):
        good = [account_csv_row(i) if fmt == "csv" else account_json_row(i) for i in range(50)]
        parts = [ACCOUNT_HEADER.encode()] if fmt == "csv" else []
        # An unterminated quote goes last: a later stray quote would close it and make
        # the lines in between one (quarantined) record, as the CSV grammar says.
        ordered = sorted(cases, key=lambda c: c.code == "unterminated_quote")
        for i, case in enumerate(ordered):
            parts += [good[i].encode(), case.bad]
        parts += [g.encode() for g in good[len(cases) :]] + [b"", b""]  # blank lines: not rows
        write(landing, f"web/accounts_mixed.{fmt}", b"\n".join(parts))
    report = load(con, landing)

    written = {"csv": 50 + len(CSV), "jsonl": 50 + len(JSONL)}
    for f in report.files:
        fmt = f.format
        assert f.rows_read == written[fmt] == f.rows_loaded + f.rows_quarantined
        assert f.rows_loaded == 50
        assert f.rows_quarantined == len(CSV if fmt == "csv" else JSONL)
        codes = [
            c
            for (c,) in fetch(
                con,
                f"SELECT reason_code FROM raw.quarantine WHERE "
                f"source_file = '{f.file}' ORDER BY line",
            )
        ]
        assert sorted(codes) == sorted(c.code for c in (CSV if fmt == "csv" else JSONL))
    assert fetch(
        con, "SELECT count(*), count(DISTINCT (_source_file, _row_number)) FROM raw.web__accounts"
    ) == [(100, 100)]
    assert [r[2:] for r in load_log(con)] == [
        (written["csv"], 50, len(CSV)),
        (written["jsonl"], 50, len(JSONL)),
    ]


def _big_csv(path: Path, n: int, bad_at: dict[int, str]) -> None:
    """n data rows; row i is replaced by bad_at[i] where given."""
    with path.open("w") as f:
        f.write(ACCOUNT_HEADER + "\n")
        for i in range(n):
            f.write(
                (bad_at.get(i) or f"u{i},e{i}@x.vn,Tên {i},090{i:07d},,F,HCM,2026-11-01") + "\n"
            )


def test_unterminated_quote_in_a_large_file_loses_nothing(
    con: duckdb.DuckDBPyConnection, landing: Path
):
    # DuckDB 2.0 on its own silently drops hundreds of thousands of rows after an
    # unterminated quote in a multi-buffer file (parallel scan) and records a wrong reject.
    n = 300_000
    bad = {1_000: 'u1000,"never closed,,,,,,t', 150_000: 'u150000,"again,,,,,,t'}
    p = landing / "web" / "accounts_big.csv"
    p.parent.mkdir()
    _big_csv(p, n, bad)
    report = load(con, landing)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (n, n - 2, 2)
    assert [(q[1], q[2]) for q in quarantine(con)] == [
        (1_002, "unterminated_quote"),
        (150_002, "unterminated_quote"),
    ]
    # Line numbers stay exact after the quarantined lines: row i is on line i + 2.
    assert fetch(
        con,
        "SELECT count(*) FROM raw.web__accounts "
        "WHERE _row_number <> substr(user_id, 2)::BIGINT + 2",
    ) == [(0,)]


def _line_numbered_file(fmt: str, seed: int, multiline: bool) -> tuple[bytes, set[int], set[int]]:
    """A file whose good rows carry their own line number (user_id u<line>), with bad
    records, blank lines and (CSV) multi-line fields sprinkled in."""
    import random

    rnd = random.Random(seed)
    lines: list[bytes] = [ACCOUNT_HEADER.encode()] if fmt == "csv" else []
    good: set[int] = set()
    bad: set[int] = set()
    for _ in range(400):
        n = len(lines) + 1  # the line this record starts on
        roll = rnd.random()
        if roll < 0.05:
            lines.append(b"")
        elif roll < 0.25:
            case = rnd.choice(
                [
                    c
                    for c in (CSV if fmt == "csv" else JSONL)
                    if c.code != "unterminated_quote" and (multiline or b"\n" not in c.bad)
                ]
            )
            lines.extend(case.bad.split(b"\n"))
            bad.add(n)
        elif fmt == "csv" and multiline and roll < 0.35:
            lines.extend([f'u{n},e,"two'.encode(), b'lines",,,,,t'])
            good.add(n)
        else:
            row = (
                f"u{n},e,n,p,b,g,c,t"
                if fmt == "csv"
                else f'{{"user_id": "u{n}", "email": "e", "created_at": "t"}}'
            )
            lines.append(row.encode())
            good.add(n)
    return b"\n".join(lines) + b"\n", good, bad


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("multiline", [False, True], ids=["one-line", "multi-line"])
def test_every_row_keeps_its_line_number(con, landing, fmt, seed, multiline):
    data, good, bad = _line_numbered_file(fmt, seed, multiline)
    write(landing, f"web/accounts.{fmt}", data)
    report = load(con, landing)
    got = fetch(con, "SELECT user_id, _row_number FROM raw.web__accounts")
    assert {r for _, r in got} == good
    assert all(u == f"u{r}" for u, r in got)
    assert {line for (line,) in fetch(con, "SELECT line FROM raw.quarantine")} == bad
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (
        len(good) + len(bad),
        len(good),
        len(bad),
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_over_long_line_is_quarantined_truncated(con, landing, fmt):
    big = "x" * 2_100_000  # DuckDB's line limit is 2 000 000 bytes
    if fmt == "csv":
        data = f"{ACCOUNT_HEADER}\n{account_csv_row(1)}\nu2,e,{big},,,,,t\n{account_csv_row(3)}\n"
    else:
        data = "\n".join(
            [account_json_row(1), f'{{"user_id": "u2", "x": "{big}"}}', account_json_row(3)]
        )
    write(landing, f"web/accounts.{fmt}", data)
    report = load(con, landing)
    ((_, line, code, _, raw_text),) = quarantine(con)
    first = 2 if fmt == "csv" else 1
    assert (line, code) == (first + 1, "line_too_long")
    assert len(raw_text) == 1_000_000  # kept up to REJECT_TEXT_BYTES
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == [("u1", first), ("u3", first + 2)]
    assert (report.rows_read, report.rows_quarantined) == (3, 1)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("u2,e," + "y" * 100_000 + ",,,,,t,extra", "too_many_columns"),
        ('u2,e,"' + "z" * 100_000 + '"junk,,,,,t', "invalid_quoting"),
    ],
)
def test_long_rejected_record_keeps_full_text_and_reason(con, landing, bad, code):
    # Longer than the first parse's reject text (PROBE_TEXT_BYTES): the loader must
    # parse again with full texts, not report a cut text or a reason read from it.
    data = f"{ACCOUNT_HEADER}\n{account_csv_row(1)}\n{bad}\n{account_csv_row(3)}\n"
    write(landing, "web/accounts.csv", data)
    report = load(con, landing)
    ((_, line, reason_code, _, raw_text),) = quarantine(con)
    assert (line, reason_code) == (3, code)
    assert raw_text == bad
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == [("u1", 2), ("u3", 4)]
    assert (report.rows_read, report.rows_quarantined) == (3, 1)
