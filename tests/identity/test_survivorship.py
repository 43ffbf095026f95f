"""Survivorship rules: one best value per field, every email and phone kept."""

import duckdb
import pandas as pd
import pytest

from identity.survivorship import build_golden_customers
from identity.synthetic import input_frame

DAY = pd.Timestamp("2025-01-01")


@pytest.fixture
def golden():
    rows = [
        # a web account (trusted) with an old city
        {"source": "web", "source_record_id": "user:1", "name": "Nguyen Thi Lan",
         "email": "lan@gmail.com", "phone_e164": "+84901111111", "city": "Ha Noi",
         "gender": "female", "birth_date": "1990-05-06",
         "first_seen_at": DAY, "last_seen_at": DAY},
        # POS sales: a cashier's spelling, the most frequent phone, the latest city
        {"source": "pos", "source_record_id": "T1", "name": "Nguyen Lan",
         "phone_e164": "+84902222222", "city": "Da Nang",
         "first_seen_at": DAY + pd.Timedelta(days=30), "last_seen_at": DAY + pd.Timedelta(days=30)},
        {"source": "pos", "source_record_id": "T2", "name": "Nguyen Lan",
         "phone_e164": "+84902222222", "city": "Da Nang",
         "first_seen_at": DAY + pd.Timedelta(days=40), "last_seen_at": DAY + pd.Timedelta(days=40)},
        {"source": "pos", "source_record_id": "T3", "name": "Nguyen Lan",
         "phone_e164": "+84902222222", "email": "lan.work@company.vn",
         "first_seen_at": DAY + pd.Timedelta(days=10), "last_seen_at": DAY + pd.Timedelta(days=10)},
        # an email-list row with a partial birthday that disagrees with nothing
        {"source": "email", "source_record_id": "lan@gmail.com", "email": "lan@gmail.com",
         "birth_month": 5, "birth_day": 6},
    ]
    con = duckdb.connect()
    frame = input_frame(rows)  # noqa: F841 (read by DuckDB)
    con.execute("create table records as select *, false as phone_shared from frame")
    con.execute("create table xref as select source, source_record_id, 'gc_1' as golden_id "
                "from records")
    build_golden_customers(con, "records", "xref", "golden")
    out = con.execute("select * from golden").df().iloc[0].to_dict()
    con.close()
    return out


def test_name_comes_from_the_most_trusted_source(golden):
    assert golden["full_name"] == "Nguyen Thi Lan"  # web beats three POS spellings


def test_primary_email_is_the_verified_one_and_all_are_kept(golden):
    assert golden["primary_email"] == "lan@gmail.com"
    assert sorted(golden["emails"]) == ["lan.work@company.vn", "lan@gmail.com"]


def test_primary_phone_is_the_most_frequent(golden):
    assert golden["primary_phone"] == "+84902222222"
    assert list(golden["phones"]) == ["+84902222222", "+84901111111"]


def test_city_is_the_most_recent(golden):
    assert golden["city"] == "Da Nang"


def test_dates_and_lineage(golden):
    assert pd.Timestamp(golden["birth_date"]) == pd.Timestamp("1990-05-06")
    assert (golden["birth_month"], golden["birth_day"]) == (5, 6)
    assert golden["gender"] == "female"
    assert list(golden["sources"]) == ["email", "pos", "web"]
    assert golden["record_count"] == 5
    assert golden["first_seen_at"] == DAY


def test_shared_phone_is_never_primary():
    con = duckdb.connect()
    frame = input_frame([  # noqa: F841
        {"source_record_id": "T1", "phone_e164": "+84903333333"},
        {"source_record_id": "T2", "phone_e164": "+84903333333"},
        {"source_record_id": "T3", "phone_e164": "+84904444444"},
    ])
    con.execute("create table records as select *, phone_e164 = '+84903333333' as phone_shared "
                "from frame")
    con.execute("create table xref as select source, source_record_id, 'gc_1' as golden_id "
                "from records")
    build_golden_customers(con, "records", "xref", "golden")
    assert con.execute("select primary_phone from golden").fetchall()[0][0] == "+84904444444"
