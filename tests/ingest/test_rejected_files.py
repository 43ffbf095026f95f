"""Files that cannot be loaded at all fail the entity clearly, after the rest loaded."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.loader import MissingColumnsError, UnreadableFileError
from tests.ingest.helpers import (
    ACCOUNT_HEADER,
    ACCOUNTS,
    POS,
    account_csv_row,
    accounts_csv,
    load,
    load_log,
    raw_rows,
    write,
)


def test_missing_required_column_names_file_and_column(con, landing):
    write(landing, "web/accounts_1.csv", accounts_csv(account_csv_row(1)))
    write(landing, "web/accounts_2_bad.csv", "user_id,full_name\nu2,Lan\n")
    write(landing, "web/accounts_3.csv", accounts_csv(account_csv_row(3)))
    write(
        landing,
        "pos/transactions_1.csv",
        ",".join(POS.columns) + "\nT1,S1,2026-11-01,,,,,SKU,,,1,1000,,,,\n",
    )

    with pytest.raises(MissingColumnsError) as err:
        load(con, landing)
    message = str(err.value)
    assert "web/accounts_2_bad.csv" in message
    assert "email" in message and "created_at" in message
    # The entity's good files loaded, the bad one not at all.
    assert raw_rows(con, ACCOUNTS, "user_id") == [("u1",), ("u3",)]
    assert err.value.report.rows_loaded == 2
    assert ("web/accounts_2_bad.csv", "rejected_missing_columns", 0, 0, 0) in load_log(con)
    # Other entities are unaffected.
    load(con, landing, POS)
    assert raw_rows(con, POS, "transaction_id") == [("T1",)]


def test_rejection_repeats_every_run_but_is_logged_once(con, landing):
    write(landing, "web/accounts_bad.csv", "user_id\nu1\n")
    for _ in range(2):
        with pytest.raises(MissingColumnsError):
            load(con, landing)
    assert load_log(con) == [("web/accounts_bad.csv", "rejected_missing_columns", 0, 0, 0)]


def test_missing_column_in_jsonl_and_parquet(con, landing):
    write(landing, "web/accounts.jsonl", '{"user_id": "u1", "created_at": "t"}\n')
    (landing / "web").mkdir(exist_ok=True)
    pq.write_table(pa.table({"user_id": ["u2"], "email": ["e"]}), landing / "web/accounts.parquet")
    with pytest.raises(MissingColumnsError) as err:
        load(con, landing)
    message = str(err.value)
    assert (
        "web/accounts.jsonl: rejected_missing_columns: missing required column(s): email" in message
    )
    assert (
        "web/accounts.parquet: rejected_missing_columns: missing required column(s): "
        "created_at" in message
    )


def test_new_bad_version_keeps_the_previous_good_rows(con, landing):
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1)))
    load(con, landing)
    write(landing, "web/accounts.csv", "user_id\nu2\n")
    with pytest.raises(MissingColumnsError):
        load(con, landing)
    assert raw_rows(con, ACCOUNTS, "user_id") == [("u1",)]


@pytest.mark.parametrize(
    "data, detail",
    [
        (b"", "file is empty"),
        (b"\n" + ACCOUNT_HEADER.encode() + b"\n", "header line is empty"),
        (b"user_id,em\xffail,created_at\nu1,e,t\n", "header line is not valid UTF-8"),
        (b'user_id,"email\ncreated_at\n', "header line has an unterminated quote"),
        (b"user_id,email,created_at,EMAIL\nu1,e,t,e\n", "appears more than once"),
        (b"user_id,email,created_at,_row_number\nu1,e,t,1\n", "load metadata column"),
        ("\ufeffuser_id,email,created_at\n".encode("utf-16"), "not valid UTF-8"),
    ],
    ids=["empty", "blank", "utf8", "quote", "duplicate", "reserved", "utf16"],
)
def test_unreadable_header_fails_naming_the_file(con, landing, data, detail):
    write(landing, "web/accounts_bad.csv", data)
    write(landing, "web/accounts_ok.csv", accounts_csv(account_csv_row(1)))
    with pytest.raises(UnreadableFileError) as err:
        load(con, landing)
    assert "web/accounts_bad.csv: rejected_bad_header: " in str(err.value)
    assert detail in str(err.value)
    assert raw_rows(con, ACCOUNTS, "user_id") == [("u1",)]


def test_missing_columns_wins_over_other_rejections(con, landing):
    write(landing, "web/accounts_a.csv", b"")
    write(landing, "web/accounts_b.csv", "user_id\nu1\n")
    with pytest.raises(MissingColumnsError) as err:
        load(con, landing)
    assert "web/accounts_a.csv" in str(err.value) and "web/accounts_b.csv" in str(err.value)
