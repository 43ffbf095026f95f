"""Each format loads into raw.<source>__<entity> as text with the load metadata."""

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.contract import LOAD_METADATA_COLUMNS
from tests.ingest.helpers import (
    ACCOUNT_HEADER,
    ACCOUNTS,
    LOADED_AT,
    account_csv_row,
    account_json_row,
    accounts_csv,
    fetch,
    load,
    quarantine,
    raw_rows,
    write,
)


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_csv_loads_every_value_as_text_with_metadata(con, landing):
    p = write(landing, "web/accounts_2026-11-01.csv", accounts_csv(*map(account_csv_row, (1, 2))))
    report = load(con, landing)

    assert report.rows_read == report.rows_loaded == 2
    types = dict(
        fetch(
            con,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'web__accounts'",
        )
    )
    assert all(types[c] == "VARCHAR" for c in ACCOUNTS.columns)
    assert set(LOAD_METADATA_COLUMNS) <= set(types)
    got = raw_rows(
        con,
        ACCOUNTS,
        "user_id, full_name, created_at, _source_file, _row_number, _file_sha256, _loaded_at",
    )
    assert got == [
        (
            "u1",
            "Nguyễn Thị 1",
            "2026-11-01T10:01:00+07:00",
            "web/accounts_2026-11-01.csv",
            2,
            _sha(p),
            LOADED_AT,
        ),
        (
            "u2",
            "Nguyễn Thị 2",
            "2026-11-01T10:02:00+07:00",
            "web/accounts_2026-11-01.csv",
            3,
            _sha(p),
            LOADED_AT,
        ),
    ]


def test_csv_text_is_untouched(con, landing):
    # Leading zeros, spaces, quotes, commas, newlines inside quotes, emoji: all verbatim.
    # An empty CSV field is the empty string (CSV has no NULL); an absent column is NULL.
    rec = '007, spaced ,"Lê, ""Bé""","a\nb",,"","🙂",2026-11-01'
    write(landing, "web/accounts.csv", accounts_csv(rec))
    load(con, landing)
    assert raw_rows(
        con,
        ACCOUNTS,
        "user_id, email, full_name, phone, birth_date, gender, city, created_at, _row_number",
    ) == [("007", " spaced ", 'Lê, "Bé"', "a\nb", "", "", "🙂", "2026-11-01", 2)]


def test_jsonl_loads_objects_with_keys_unioned(con, landing):
    lines = [
        account_json_row(1),
        '{"user_id": "u2", "email": "B@x.vn", "phone": 84381234567, "created_at": "2026-11-01",'
        ' "amount": 1.50, "tags": ["a", "b"], "vip": true, "city": null}',
        "",  # blank lines are not rows
        account_json_row(3),
    ]
    p = write(landing, "web/accounts_1.jsonl", "\n".join(lines) + "\n")
    report = load(con, landing)

    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (3, 3, 0)
    got = raw_rows(
        con,
        ACCOUNTS,
        "user_id, email, phone, full_name, city, amount, tags, vip, _row_number, _file_sha256",
    )
    assert got == [
        ("u1", "user1@example.com", None, "Trần Văn 1", None, None, None, None, 1, _sha(p)),
        ("u2", "B@x.vn", "84381234567", None, None, "1.5", '["a","b"]', "true", 2, _sha(p)),
        ("u3", "user3@example.com", None, "Trần Văn 3", None, None, None, None, 4, _sha(p)),
    ]


def test_jsonl_keys_differing_in_case_feed_one_column(con, landing):
    lines = [
        '{"User_ID": "u1", "EMAIL": "a@x.vn", "created_at": "t"}',
        '{"user_id": "u2", "email": "b@x.vn", "created_at": "t"}',
    ]
    write(landing, "web/accounts.jsonl", "\n".join(lines))
    load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, email") == [("u1", "a@x.vn"), ("u2", "b@x.vn")]


def test_parquet_loads_typed_columns_as_text(con, landing):
    table = pa.table(
        {
            "user_id": ["u1", "u2"],
            "email": ["a@x.vn", None],
            "created_at": pa.array(
                [datetime(2026, 11, 1, 3, 0, tzinfo=LOADED_AT.tzinfo)] * 2,
                pa.timestamp("us", tz="Asia/Ho_Chi_Minh"),
            ),
            "followers": pa.array([10, 20], pa.int64()),
            "attrs": [{"k": 1}, {"k": 2}],
        }
    )
    p = landing / "web" / "accounts.parquet"
    p.parent.mkdir()
    pq.write_table(table, p)
    report = load(con, landing)

    assert report.rows_loaded == 2
    assert raw_rows(
        con, ACCOUNTS, "user_id, email, created_at, followers, attrs, _row_number, _source_file"
    ) == [
        ("u1", "a@x.vn", "2026-11-01 03:00:00+00:00", "10", '{"k":1}', 1, "web/accounts.parquet"),
        ("u2", None, "2026-11-01 03:00:00+00:00", "20", '{"k":2}', 2, "web/accounts.parquet"),
    ]


def test_one_entity_in_three_formats(con, landing):
    write(landing, "web/accounts_a.csv", accounts_csv(account_csv_row(1)))
    write(landing, "web/accounts_b.jsonl", account_json_row(2) + "\n")
    pq.write_table(
        pa.table({"user_id": ["u3"], "email": ["c@x"], "created_at": ["t"]}),
        landing / "web" / "accounts_c.parquet",
    )
    report = load(con, landing)
    assert [f.file for f in report.files] == [
        "web/accounts_a.csv",
        "web/accounts_b.jsonl",
        "web/accounts_c.parquet",
    ]
    assert raw_rows(con, ACCOUNTS, "user_id, _source_file") == [
        ("u1", "web/accounts_a.csv"),
        ("u2", "web/accounts_b.jsonl"),
        ("u3", "web/accounts_c.parquet"),
    ]


def test_extra_column_is_kept_and_table_grows(con, landing):
    write(landing, "web/accounts_1.csv", accounts_csv(account_csv_row(1)))
    load(con, landing)
    write(
        landing,
        "web/accounts_2.csv",
        ACCOUNT_HEADER + ",signup_channel\n" + account_csv_row(2) + ",Zalo Ads\n",
    )
    load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, signup_channel") == [("u1", None), ("u2", "Zalo Ads")]


def test_missing_optional_columns_are_null(con, landing):
    write(landing, "web/accounts.csv", "created_at,email,user_id\nt,a@x.vn,u1\n")
    load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, email, created_at, full_name, phone, city") == [
        ("u1", "a@x.vn", "t", None, None, None)
    ]


def test_header_names_match_contract_case_insensitively(con, landing):
    write(landing, "web/accounts.csv", " User_Id ,EMAIL,Created_At\nu1,a@x.vn,t\n")
    load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, email, created_at") == [("u1", "a@x.vn", "t")]


def test_crlf_bom_and_missing_final_newline(con, landing):
    body = accounts_csv(account_csv_row(1), "", account_csv_row(2), newline="\r\n").rstrip("\r\n")
    write(landing, "web/accounts.csv", b"\xef\xbb\xbf" + body.encode())
    load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == [("u1", 2), ("u2", 4)]
    assert quarantine(con) == []


def test_mixed_line_endings_still_parse_strictly(con, landing):
    # DuckDB's strict mode refuses mixed endings outright; the loader parses an LF copy.
    data = (
        ACCOUNT_HEADER
        + "\n"
        + account_csv_row(1)
        + "\r\n"
        + account_csv_row(2)
        + "\n"
        + "u3,only,three\r\n"
        + account_csv_row(4)
        + "\n"
    )
    write(landing, "web/accounts.csv", data)
    report = load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, _row_number") == [("u1", 2), ("u2", 3), ("u4", 5)]
    assert [q[1:3] for q in quarantine(con)] == [(4, "too_few_columns")]
    assert report.rows_read == 4


def test_multiline_quoted_fields_keep_line_numbers(con, landing):
    records = [
        account_csv_row(1),
        'u2,b@x,"Trần\nVăn\n\nB",,,,,t',  # 4 physical lines, one of them empty
        "",
        account_csv_row(3),
        'u4,"d@x\n",,,,,,t,extra',  # multi-line and too many fields
        account_csv_row(5),
    ]
    write(landing, "web/accounts.csv", accounts_csv(*records))
    report = load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id, full_name, _row_number") == [
        ("u1", "Nguyễn Thị 1", 2),
        ("u2", "Trần\nVăn\n\nB", 3),
        ("u3", "Nguyễn Thị 3", 8),
        ("u5", "Nguyễn Thị 5", 11),
    ]
    assert [(q[1], q[2], q[4]) for q in quarantine(con)] == [
        (9, "too_many_columns", 'u4,"d@x\n",,,,,,t,extra')
    ]
    assert (report.rows_read, report.rows_loaded, report.rows_quarantined) == (5, 4, 1)


def test_header_only_and_empty_files_load_nothing(con, landing):
    write(landing, "web/accounts_1.csv", ACCOUNT_HEADER + "\n")
    write(landing, "web/accounts_2.jsonl", "")
    report = load(con, landing)
    assert [(f.status, f.rows_read) for f in report.files] == [("loaded", 0), ("loaded", 0)]
    assert raw_rows(con, ACCOUNTS) == []


def test_raw_table_exists_without_files(con, landing):
    report = load(con, landing)
    assert report.files == ()
    assert raw_rows(con, ACCOUNTS) == []


def test_files_match_by_prefix_and_sort_by_name(con, landing):
    write(landing, "web/accounts_2026-11-02.csv", accounts_csv(account_csv_row(2)))
    write(landing, "web/accounts_2026-11-01.csv", accounts_csv(account_csv_row(1)))
    write(landing, "web/accounts_2026-11-01_resend.csv", accounts_csv(account_csv_row(3)))
    write(landing, "web/events_2026-11-01.csv", "not,this,entity\n")
    write(landing, "web/accounts_notes.txt", "ignored")
    write(landing, "email/accounts.csv", "wrong,source\n")
    report = load(con, landing)
    assert [f.file for f in report.files] == [
        "web/accounts_2026-11-01.csv",
        "web/accounts_2026-11-01_resend.csv",
        "web/accounts_2026-11-02.csv",
    ]


def test_report_metadata_is_flat(con, landing):
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1), "bad,row"))
    meta = load(con, landing).to_metadata()
    assert meta["rows_read"] == 2 and meta["rows_loaded"] == 1 and meta["rows_quarantined"] == 1
    assert meta["file web/accounts.csv"] == "loaded: read 2, loaded 1, quarantined 1"
    assert all(isinstance(v, str | int) for v in meta.values())


def test_loader_leaves_no_temp_tables(con: duckdb.DuckDBPyConnection, landing):
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1), 'u2,"x\ny",,,,,,t'))
    write(landing, "web/accounts.jsonl", "[1]\n")
    load(con, landing)
    assert fetch(con, "SELECT table_name FROM duckdb_tables() WHERE temporary") == []
