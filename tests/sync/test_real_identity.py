"""The feed and the push on identities resolved by the real pipeline (Splink)."""

import dataclasses
import datetime as dt
import json

import duckdb

from crm_sync.http_push import Endpoint, RetryPolicy, push
from crm_sync.mapping import load_mapping, map_properties
from crm_sync.outbox import build_outbox
from identity import datasets
from identity.pipeline import resolve_identities
from identity.settings import CUSTOMER

STRICT = dataclasses.replace(CUSTOMER.clustering, cluster_threshold=0.999999)


def _count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def _history(con, event: str, day: int) -> int:
    return _count(
        con,
        f"select count(*) from identity.golden_id_history "
        f"where event = '{event}' and run_at = timestamp '2026-01-0{day}'",
    )


def _server_matches_golden(con, crm) -> None:
    mapping = load_mapping()
    rows = con.execute("select golden_id, payload::varchar from sync.crm_snapshot where active")
    expected = {gid: map_properties(json.loads(p), mapping) for gid, p in rows.fetchall()}
    contacts = crm.state()["contacts"]
    assert contacts == expected
    assert sorted(contacts) == [
        r[0]
        for r in con.execute(
            "select golden_id from identity.golden_customers order by 1"
        ).fetchall()
    ]


def test_split_then_merge_back_through_the_real_identity_pipeline(tmp_path, crm):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    source = datasets.load_synthetic(con, 200, seed=4, name="int_person_records_unioned")
    endpoint = Endpoint(crm.url)
    policy = RetryPolicy(base_delay=0.05)

    resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 1))
    first = build_outbox(con)
    assert first.events == {"create": _count(con, "select count(*) from identity.golden_customers")}
    push(con, endpoint, policy=policy)
    _server_matches_golden(con, crm)

    resolve_identities(con, input_table=source, policy=STRICT, run_at=dt.datetime(2026, 1, 2))
    split = build_outbox(con)
    splits = _history(con, "split", 2)
    assert splits > 0 and split.events["split"] == splits
    assert set(split.events) <= {"split", "update"}
    push(con, endpoint, policy=policy)
    _server_matches_golden(con, crm)

    resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 3))
    merged = build_outbox(con)
    assert merged.events["merge"] == _history(con, "merged", 3) == splits
    push(con, endpoint, policy=policy)
    _server_matches_golden(con, crm)
    assert len(crm.state()["merged_into"]) == splits

    resolve_identities(con, input_table=source, run_at=dt.datetime(2026, 1, 4))
    assert build_outbox(con).total == 0
    con.close()
