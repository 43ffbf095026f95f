"""BI publish: masked by default, raw on request, atomic replacement."""

import duckdb
import pytest

from analytics.publish import publish_bi_copy


@pytest.fixture
def warehouse(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_360 as select 'g1' as golden_id, "
        "'lan.nguyen@gmail.com' as primary_email, '+84381234567' as primary_phone, "
        "['lan.nguyen@gmail.com', 'lan@work.vn'] as emails, ['+84381234567'] as phones, "
        "3 as email_opens"
    )
    yield con
    con.close()


def read(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_masks_email_and_phone_columns_by_default(warehouse, tmp_path):
    target = tmp_path / "bi" / "cdp_bi.duckdb"
    result = publish_bi_copy(warehouse, target, schemas=("marts",))
    row = read(
        target,
        "select primary_email, primary_phone, emails, phones, email_opens from marts.customer_360",
    )[0]
    assert row == (
        "l***@gmail.com",
        "+84*******67",
        ["l***@gmail.com", "l***@work.vn"],
        ["+84*******67"],
        3,
    )
    assert "marts.customer_360.email_opens" not in result.masked_columns
    assert result.tables == {"marts.customer_360": 1}


def test_include_pii_copies_raw_values(warehouse, tmp_path):
    target = tmp_path / "cdp_bi.duckdb"
    publish_bi_copy(warehouse, target, include_pii=True, schemas=("marts",))
    assert read(target, "select primary_email from marts.customer_360") == [
        ("lan.nguyen@gmail.com",)
    ]


def test_republish_replaces_the_file_while_a_reader_holds_the_old_one(warehouse, tmp_path):
    target = tmp_path / "cdp_bi.duckdb"
    publish_bi_copy(warehouse, target, schemas=("marts",))
    reader = duckdb.connect(str(target), read_only=True)
    warehouse.execute("insert into marts.customer_360 select 'g2', null, null, [], [], 0")
    publish_bi_copy(warehouse, target, schemas=("marts",))
    assert reader.execute("select count(*) from marts.customer_360").fetchall() == [(1,)]
    reader.close()
    assert read(target, "select count(*) from marts.customer_360") == [(2,)]
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
