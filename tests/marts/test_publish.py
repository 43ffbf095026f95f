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


def _content(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where schema_name <> 'main' order by 1"
        ).fetchall()
        return {n: sorted(con.execute(f"from {n}").fetchall(), key=str) for (n,) in names}


@pytest.fixture
def customers(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.customer_timeline as select 'g' || (i % 50) as golden_id, "
        "i as event_number, 'c' || i || '@mail.vn' as contact_email from range(500) t(i)"
    )
    con.execute("create table marts.monthly as select 1 as month, 10 as customers")
    yield con
    con.close()


def test_republish_keeps_unchanged_tables_and_replaces_changed_customers(customers, tmp_path):
    target = tmp_path / "cdp_bi.duckdb"
    first = publish_bi_copy(customers, target, schemas=("marts",), min_delta_rows=0)
    assert set(first.actions.values()) == {"copied"}
    assert set(publish_bi_copy(customers, target, schemas=("marts",)).actions.values()) == {"kept"}

    customers.execute("delete from marts.customer_timeline where golden_id = 'g7'")
    customers.execute(
        "update marts.customer_timeline set contact_email = 'new@x.vn' where golden_id = 'g3'"
    )
    customers.execute("insert into marts.customer_timeline values ('g99', 1, null), (null, 2, 'a')")
    customers.execute("update marts.monthly set customers = 11")
    result = publish_bi_copy(customers, target, schemas=("marts",), min_delta_rows=0)
    assert result.actions == {"marts.customer_timeline": "updated", "marts.monthly": "copied"}
    assert result.tables == {"marts.customer_timeline": 492, "marts.monthly": 1}

    fresh = tmp_path / "fresh.duckdb"
    publish_bi_copy(customers, fresh, schemas=("marts",))
    assert _content(target) == _content(fresh)
    assert read(
        target, "select count(*) from marts.customer_timeline where contact_email = 'n***@x.vn'"
    ) == [(10,)]


def test_republish_rewrites_when_most_rows_or_the_pii_setting_change(customers, tmp_path):
    target = tmp_path / "cdp_bi.duckdb"
    publish_bi_copy(customers, target, schemas=("marts",), min_delta_rows=0)
    customers.execute("update marts.customer_timeline set event_number = event_number + 1")
    moved = publish_bi_copy(customers, target, schemas=("marts",), min_delta_rows=0)
    assert moved.actions["marts.customer_timeline"] == "copied"
    raw = publish_bi_copy(customers, target, include_pii=True, schemas=("marts",))
    assert set(raw.actions.values()) == {"copied"}
    assert read(
        target, "select count(*) from marts.customer_timeline where contact_email like '%***%'"
    ) == [(0,)]

    customers.execute("drop table marts.monthly")
    publish_bi_copy(customers, target, include_pii=True, schemas=("marts",))
    assert set(_content(target)) == {"marts.customer_timeline"}
