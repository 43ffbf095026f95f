"""Deterministic edges: certain links only, each with the rule that made it."""

import duckdb
import pytest

from identity.edges import deterministic_edges
from identity.pipeline import prepare_input
from identity.synthetic import input_frame


@pytest.fixture
def con():
    con = duckdb.connect()
    yield con
    con.close()


def _edges(con, rows, with_shared=True):
    frame = input_frame(rows)  # noqa: F841 (read by DuckDB)
    con.execute("create or replace table input as select * from frame")
    records, shared = prepare_input(con, "input")
    out = deterministic_edges(con, records, shared=shared if with_shared else None)
    rows = con.execute(f"select id_l, id_r, rule from {out}").fetchall()
    return {(left, right): rule for left, right, rule in rows}


def test_cookie_links_to_the_account_it_logged_in_as(con):
    edges = _edges(con, [
        {"source": "web", "source_record_id": "user:42", "account_id": "42", "name": "Le Van An"},
        {"source": "web", "source_record_id": "cookie:abc", "account_id": "42"},
        {"source": "web", "source_record_id": "cookie:anonymous"},
    ])
    assert edges == {("web:cookie:abc", "web:user:42"): "cookie_login"}


def test_loyalty_id_equal_to_a_web_user_id_links_the_sale(con):
    edges = _edges(con, [
        {"source": "web", "source_record_id": "user:42", "account_id": "42"},
        {"source": "pos", "source_record_id": "T1", "account_id": "42"},
        {"source": "pos", "source_record_id": "T2", "account_id": "42"},
        {"source": "pos", "source_record_id": "T3", "account_id": "43"},
    ])
    # a star around the web account, not every pair
    assert edges == {
        ("pos:T1", "web:user:42"): "same_account_id",
        ("pos:T2", "web:user:42"): "same_account_id",
    }


def test_identical_verified_email_links_but_unverified_does_not(con):
    edges = _edges(con, [
        {"source": "web", "source_record_id": "user:1", "email": "lan@gmail.com"},
        {"source": "email", "source_record_id": "lan@gmail.com", "email": "lan@gmail.com"},
        {"source": "pos", "source_record_id": "T9", "email": "lan@gmail.com"},
    ])
    assert edges == {("email:lan@gmail.com", "web:user:1"): "same_verified_email"}


def test_a_verified_email_shared_by_two_people_links_nobody(con):
    rows = [
        {"source": "web", "source_record_id": "user:1", "email": "family@gmail.com",
         "name": "Tran Thi Lan"},
        {"source": "email", "source_record_id": "family@gmail.com", "email": "family@gmail.com",
         "name": "Tran Van Tuan"},
    ]
    assert _edges(con, rows) == {}
    assert _edges(con, rows, with_shared=False) == {
        ("email:family@gmail.com", "web:user:1"): "same_verified_email"
    }
