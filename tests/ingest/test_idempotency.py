"""Loading is idempotent by content hash; re-deliveries and new versions are handled."""

import pytest

from tests.ingest.helpers import (
    ACCOUNTS,
    account_csv_row,
    accounts_csv,
    fetch,
    load,
    load_log,
    quarantine,
    raw_rows,
    write,
)


def _snapshot(con):
    return (raw_rows(con, ACCOUNTS), quarantine(con), load_log(con))


def test_second_run_adds_nothing(con, landing):
    write(landing, "web/accounts_1.csv", accounts_csv(account_csv_row(1), "bad"))
    write(landing, "web/accounts_2.jsonl", '{"user_id": "u2", "email": "e", "created_at": "t"}')
    load(con, landing)
    before = _snapshot(con)

    report = load(con, landing)
    assert [f.status for f in report.files] == ["unchanged", "unchanged"]
    assert report.rows_read == 0
    assert _snapshot(con) == before


def test_same_bytes_under_another_name_is_a_duplicate_delivery(con, landing):
    data = accounts_csv(account_csv_row(1), account_csv_row(2))
    write(landing, "web/accounts_2026-11-01.csv", data)
    load(con, landing)
    write(landing, "web/accounts_2026-11-01_resend.csv", data)
    report = load(con, landing)

    resend = report.files[1]
    assert (resend.status, resend.detail) == (
        "duplicate_delivery",
        "same bytes as web/accounts_2026-11-01.csv",
    )
    assert raw_rows(con, ACCOUNTS, "user_id, _source_file") == [
        ("u1", "web/accounts_2026-11-01.csv"),
        ("u2", "web/accounts_2026-11-01.csv"),
    ]
    assert load_log(con)[-1] == (
        "web/accounts_2026-11-01_resend.csv",
        "duplicate_delivery",
        0,
        0,
        0,
    )
    # Still a duplicate next time, logged once.
    load(con, landing)
    assert len(load_log(con)) == 2


def test_duplicates_within_one_run_load_once(con, landing):
    data = accounts_csv(account_csv_row(1))
    write(landing, "web/accounts_a.csv", data)
    write(landing, "web/accounts_b.csv", data)
    report = load(con, landing)
    assert [f.status for f in report.files] == ["loaded", "duplicate_delivery"]
    assert len(raw_rows(con, ACCOUNTS)) == 1


def test_changed_file_replaces_its_rows(con, landing):
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1), account_csv_row(2), "x"))
    write(landing, "web/accounts_other.csv", accounts_csv(account_csv_row(9)))
    load(con, landing)
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(3), "y,z"))
    report = load(con, landing)

    assert report.files[0].status == "loaded"
    assert report.files[0].detail.startswith("replaces version ")
    assert raw_rows(con, ACCOUNTS, "user_id, _source_file") == [
        ("u3", "web/accounts.csv"),
        ("u9", "web/accounts_other.csv"),
    ]
    assert [(q[0], q[4]) for q in quarantine(con)] == [("web/accounts.csv", "y,z")]
    # Same-named file put back to its first version: replaced again, no duplicates.
    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1), account_csv_row(2), "x"))
    load(con, landing)
    assert fetch(con, "SELECT count(*), count(DISTINCT user_id) FROM raw.web__accounts") == [(3, 3)]


def test_redelivery_of_replaced_content_is_loaded_again(con, landing):
    # b.csv duplicated a.csv; once a.csv changes, b.csv's bytes are no longer in raw.
    v1 = accounts_csv(account_csv_row(1))
    write(landing, "web/accounts_a.csv", v1)
    write(landing, "web/accounts_b.csv", v1)
    load(con, landing)
    write(landing, "web/accounts_a.csv", accounts_csv(account_csv_row(2)))
    report = load(con, landing)
    assert [f.status for f in report.files] == ["loaded", "loaded"]
    assert raw_rows(con, ACCOUNTS, "user_id, _source_file") == [
        ("u2", "web/accounts_a.csv"),
        ("u1", "web/accounts_b.csv"),
    ]


def test_failed_write_leaves_nothing_behind(con, landing, monkeypatch):
    """One transaction per file: a crash mid-write rolls the whole file back."""
    import ingest.warehouse as wh

    write(landing, "web/accounts.csv", accounts_csv(account_csv_row(1), "bad"))
    real_log = wh._log

    def crash(*args, **kwargs):
        raise RuntimeError("simulated crash after raw and quarantine inserts")

    monkeypatch.setattr(wh, "_log", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load(con, landing)
    assert raw_rows(con, ACCOUNTS) == [] and quarantine(con) == [] and load_log(con) == []

    monkeypatch.setattr(wh, "_log", real_log)
    load(con, landing)
    assert len(raw_rows(con, ACCOUNTS)) == 1 and len(quarantine(con)) == 1
