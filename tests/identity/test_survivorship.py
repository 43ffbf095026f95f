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


SINGLE_RECORDS = [
    {"source": "web", "name": "Tran Van Minh", "email": "minh@gmail.com",
     "phone_e164": "+84905555555", "city": " Hue ", "gender": "male", "birth_date": "1985-02-03"},
    {"source": "pos", "full_name": "   ", "phone_e164": "+84906666666", "gender": " "},
    {"source": "email", "email": "an@yahoo.com", "birth_month": 7, "birth_day": 8},
    {"source": "social", "name": "Le An", "birth_month": 7},
    {"source": "sales", "email": "x@bad", "phone_e164": "+8490", "email_valid": False,
     "phone_valid": False},
]


@pytest.mark.parametrize("row", SINGLE_RECORDS)
def test_a_golden_customer_of_one_record_gets_what_the_ranking_gives(row):
    """A single-record golden customer is projected from its row, not ranked: it must
    equal the ranked result of two copies of the same record (all but the count)."""
    con = duckdb.connect()
    seen = {"first_seen_at": DAY, "last_seen_at": DAY + pd.Timedelta(days=3)}
    base = input_frame([dict(row, **seen, source_record_id=key) for key in ("A", "B")])
    if "email_valid" in row:
        base["email_valid"] = row["email_valid"]
        base["phone_valid"] = row["phone_valid"]
    frame = base  # noqa: F841 (read by DuckDB)
    con.execute("create table records as select *, false as phone_shared from frame")
    con.execute(
        "create table xref as select source, source_record_id, "
        "case when source_record_id = 'A' then 'gc_single' else 'gc_pair' end as golden_id "
        "from records union all select source, 'C', 'gc_pair' from records "
        "where source_record_id = 'B'"
    )
    con.execute("insert into records select * replace ('C' as source_record_id) from records "
                "where source_record_id = 'B'")
    build_golden_customers(con, "records", "xref", "golden")
    rows = con.execute("select * exclude (golden_id) from golden order by golden_id").df()
    pair, single = rows.iloc[0].to_dict(), rows.iloc[1].to_dict()
    assert (single["record_count"], pair["record_count"]) == (1, 2)
    for column in rows.columns.drop("record_count"):
        assert repr(single[column]) == repr(pair[column]), column
