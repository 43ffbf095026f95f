"""The SQL functions are the Python rules: same answers, NULL-safe, vectorised."""

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from identity.standardise import (
    SQL_FUNCTIONS,
    register_standardisation_functions,
    standardise_city,
    standardise_name,
    standardise_phone,
)
from identity.standardise.duckdb_functions import SqlFunction

SAMPLES = [
    None, "", "  ", "N/A", "0168 123 4567", "+84 38 123 4567", "038123456", "028 3823 4567",
    "+65 9123 4567", "Lan.Nguyen@GMIAL.com", "lan@@x", "chị Lan Nguyễn Thị", "Khách lẻ",
    "John Smith", "Smith, John", "12/03/1990", "12/03", "31/02/1990", "32944", "TP.HCM",
    "Nha Trang", "Singapore", "Đà Lạt", "😀", "Nguyễn\u00a0Văn\tAn",
]  # fmt: skip


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    register_standardisation_functions(connection)
    connection.execute("create table samples (i integer, s varchar)")
    connection.executemany("insert into samples values (?, ?)", list(enumerate(SAMPLES)))
    yield connection
    connection.close()


def _python(function: SqlFunction, value: str | None) -> object:
    result = function.rule(value)
    if function.fields is None:
        return result
    return dict(zip([name for name, _, _ in function.fields], result, strict=True))


UNARY = [f for f in SQL_FUNCTIONS if f.arity == 1]


@pytest.mark.parametrize("function", UNARY, ids=[f.name for f in UNARY])
def test_sql_equals_python(con: duckdb.DuckDBPyConnection, function: SqlFunction) -> None:
    rows = con.sql(f"select s, {function.name}(s) from samples order by i").fetchall()
    assert [value for _, value in rows] == [_python(function, s) for s, _ in rows]


def test_null_reaches_the_rule(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select cdp_phone_status(null), cdp_email_status(null), cdp_birth_date_status(null),"
        " cdp_city_is_known(null), cdp_phone_e164(null)"
    ).fetchone()
    assert row == ("missing", "missing", "missing", False, None)


def test_struct_fields_are_addressable(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select p.e164, p.status, p.kind, p.match_key, n.family_name, n.given_name, n.name_key,"
        " d.birth_date, d.month, d.day, c.city, c.province"
        " from (select cdp_phone('0168 123 4567') p, cdp_name('Lan Nguyễn Thị') n,"
        "       cdp_birth_date_parts('12/03/1990') d, cdp_city_parts('Nha Trang') c)"
    ).fetchone()
    assert row == (
        "+84381234567", "valid", "mobile", "+84381234567", "Nguyễn", "Lan", "nguyen thi lan",
        date(1990, 3, 12), 3, 12, "Nha Trang", "Khánh Hòa",
    )  # fmt: skip


def test_types(con: duckdb.DuckDBPyConnection) -> None:
    described = con.sql(
        "select cdp_birth_date('1990-03-12') d, cdp_birth_month('12/03') m,"
        " cdp_email_is_valid('a@b.vn') v, cdp_city('HN') c"
    ).types
    assert [str(t) for t in described] == ["DATE", "INTEGER", "BOOLEAN", "VARCHAR"]


def test_first_last_function(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.sql(
        "select cdp_name_from_first_last(f, l).full_name from (values"
        " ('An', 'Nguyễn Văn'), ('John', 'Smith'), (null, null), ('Khách', 'lẻ'),"
        " ('An', 'Nguyễn Văn')) t(f, l)"
    ).fetchall()
    assert rows == [("Nguyễn Văn An",), ("John Smith",), (None,), (None,), ("Nguyễn Văn An",)]


def test_many_vectors_with_repeats_and_nulls(con: duckdb.DuckDBPyConnection) -> None:
    """Exercise the dictionary-encode/take path across many 2,048-row vectors."""
    rows = con.sql(
        "select i, cdp_phone_e164(s), cdp_name_key(n), cdp_city(c) from ("
        "  select i,"
        "   case when i % 7 = 0 then null else '0168 ' || lpad((i % 500)::varchar, 7, '0') end s,"
        "   case i % 3 when 0 then 'chị Lan Nguyễn Thị' when 1 then null"
        "     else 'Lan Nguyen Thi' end n,"
        "   case i % 4 when 0 then 'TP.HCM' when 1 then 'Saigon' when 2 then null else 'Huế' end c"
        "  from range(20000) t(i)) order by i"
    ).fetchall()
    assert len(rows) == 20000
    for i, e164, key, city in rows:
        assert e164 == (None if i % 7 == 0 else f"+8438{i % 500:07d}")
        assert key == (None if i % 3 == 1 else "nguyen thi lan")
        assert city == {0: "Hồ Chí Minh", 1: "Hồ Chí Minh", 2: None, 3: "Huế"}[i % 4]


def test_registration_is_idempotent_and_shared_with_cursors() -> None:
    connection = duckdb.connect()
    names = register_standardisation_functions(connection)
    assert register_standardisation_functions(connection) == names
    cursor = connection.cursor()  # dbt-duckdb runs each model thread on a cursor
    assert cursor.execute("select cdp_phone_e164('0381234567')").fetchone() == ("+84381234567",)
    connection.close()


def test_a_second_connection_to_the_database_shares_them_after_the_first_closes(
    tmp_path: Path,
) -> None:
    # One catalog per open database file: the second registration finds the functions
    # there, and they must outlive the connection that registered them (a freed Python
    # callable would crash the process here).
    path = str(tmp_path / "warehouse.duckdb")
    first = duckdb.connect(path)
    names = register_standardisation_functions(first)
    second = duckdb.connect(path)
    assert register_standardisation_functions(second) == names
    first.close()
    gc.collect()
    for _ in range(3):
        assert second.execute("select cdp_phone_e164('0381234567')").fetchone() == (
            "+84381234567",
        )
    second.close()


def test_python_struct_rules_used_by_sql_are_the_public_ones() -> None:
    by_name = {f.name: f.rule for f in SQL_FUNCTIONS}
    assert by_name["cdp_name"] is standardise_name
    assert by_name["cdp_city_parts"] is standardise_city
    assert by_name["cdp_phone"]("0381234567")[:3] == standardise_phone("0381234567")


@pytest.mark.parametrize("name", ["cdp_phone", "cdp_name", "cdp_email", "cdp_birth_date_parts",
                                  "cdp_email_is_valid", "cdp_name_from_first_last"])  # fmt: skip
def test_vectorised_udf_gives_the_rule_per_row(name: str) -> None:
    """The UDF evaluates each distinct value once and scatters the results back by index."""
    import pyarrow as pa

    from identity.standardise.duckdb_functions import vectorise

    function = next(f for f in SQL_FUNCTIONS if f.name == name)
    column = pa.chunked_array([SAMPLES * 3, list(reversed(SAMPLES))], pa.string())
    columns = [column] * function.arity
    result = vectorise(function)(*columns)
    assert len(result) == len(column)
    expected = [function.rule(*row) for row in zip(*(c.to_pylist() for c in columns), strict=True)]
    if function.fields is not None:
        expected = [
            dict(zip([f for f, _, _ in function.fields], row, strict=True)) for row in expected
        ]
    assert result.to_pylist() == expected
