"""Household and counter phones: detected, recorded, and never a reason to merge."""

import duckdb
import pandas as pd
import pytest

from identity import synthetic
from identity.pipeline import prepare_input, resolve_identities
from identity.shared_identifiers import SharedIdentifierRules
from identity.synthetic import input_frame

HOME = "+84901111111"      # one phone for a whole family
COUNTER = "+842838888888"  # the shop's phone, typed for walk-ins
HCM = "Ho Chi Minh City"

FAMILY = [
    {"source": "web", "source_record_id": "user:1", "account_id": "1", "name": "Tran Thi Lan",
     "email": "lan.tran85@gmail.com", "phone_e164": HOME, "city": HCM, "gender": "female",
     "birth_date": "1985-03-04"},
    {"source": "pos", "source_record_id": "T1", "name": "Tran Thi Lan", "phone_e164": HOME,
     "city": HCM},
    {"source": "pos", "source_record_id": "T2", "given_name": "lan", "name_key": "lan",
     "phone_e164": HOME, "city": HCM},
    {"source": "web", "source_record_id": "user:2", "account_id": "2", "name": "Nguyen Van Tuan",
     "email": "tuan.nguyen80@gmail.com", "phone_e164": HOME, "city": HCM, "gender": "male",
     "birth_date": "1980-11-20"},
    {"source": "pos", "source_record_id": "T3", "name": "Nguyen Van Tuan", "phone_e164": HOME,
     "city": HCM},
    {"source": "pos", "source_record_id": "T4", "name": "Nguyen Minh Khoa", "phone_e164": HOME,
     "city": HCM},
]
WALK_IN_NAMES = ["hoa", "minh", "lan", "tuan", "nam", "thao", "vy", "long"]
WALK_INS = [
    {"source": "pos", "source_record_id": f"W{i}", "phone_e164": COUNTER, "city": HCM}
    for i in range(6)
] + [
    {"source": "pos", "source_record_id": f"WN{i}", "given_name": g, "name_key": g,
     "phone_e164": COUNTER, "city": HCM}
    for i, g in enumerate(WALK_IN_NAMES)
]


@pytest.fixture
def con():
    con = duckdb.connect()
    # A few hundred other customers around them, so that name frequencies are realistic.
    background = synthetic.generate(300, seed=5).records
    frame = pd.concat([background, input_frame(FAMILY + WALK_INS)])  # noqa: F841
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_person_records_unioned as select * from frame")
    yield con
    con.close()


def _golden(con) -> dict[str, str]:
    return dict(con.execute(
        "select source_record_id, golden_id from identity.customer_xref").fetchall())


def test_detection_tells_households_from_counters(con):
    _records, shared = prepare_input(con, "intermediate.int_person_records_unioned")
    found = {(t, i): (k, n) for t, i, k, n, _ in con.execute(
        f"select * from {shared}").fetchall()}
    assert found[("phone", HOME)] == ("household", 3)
    assert found[("phone", COUNTER)][0] == "counter"


def test_spellings_of_one_name_are_one_person():
    con = duckdb.connect()
    frame = input_frame([  # noqa: F841 (read by DuckDB)
        {"source_record_id": "A", "name": "Tran Thi Lan", "phone_e164": HOME},
        {"source_record_id": "B", "given_name": "lan", "name_key": "lan", "phone_e164": HOME},
        {"source_record_id": "C", "name": "Lan Tran", "phone_e164": HOME},  # order swapped
        {"source_record_id": "D", "name": "Tran Lan", "phone_e164": HOME},  # no middle name
        {"source_record_id": "E", "phone_e164": HOME},                      # "Khách lẻ"
    ])
    con.execute("create table input as select * from frame")
    _records, shared = prepare_input(con, "input")
    assert con.execute(f"select count(*) from {shared}").fetchall()[0][0] == 0


def test_household_members_stay_apart_and_are_recorded_as_a_household(con):
    resolve_identities(con)
    golden = _golden(con)
    lan, tuan, khoa = golden["user:1"], golden["user:2"], golden["T4"]
    assert len({lan, tuan, khoa}) == 3
    # a shared phone plus the full name identifies the member...
    assert golden["T1"] == lan
    assert golden["T3"] == tuan
    # ...and never joins two different names
    assert golden["T2"] not in (tuan, khoa)
    households = con.execute(
        "select household_id, golden_id, identifier_type from identity.households "
        f"where shared_identifier = '{HOME}'").fetchall()
    assert {g for _, g, _ in households} >= {lan, tuan, khoa}
    assert {t for _, _, t in households} == {"phone"}
    assert len({h for h, _, _ in households}) == 1


def test_walk_ins_on_the_counter_phone_are_never_merged(con):
    resolve_identities(con)
    golden = _golden(con)
    walk_ins = [r["source_record_id"] for r in WALK_INS]
    assert len({golden[w] for w in walk_ins}) == len(walk_ins)
    assert not {golden[w] for w in walk_ins} & {golden[r["source_record_id"]] for r in FAMILY}
    # a counter is not a household
    assert con.execute(
        f"select count(*) from identity.households where shared_identifier = '{COUNTER}'"
    ).fetchall()[0][0] == 0


# One family phone, and only the mother ever gives a name with it: the son's POS sales
# carry the phone and no name (one of them on his loyalty card, whose web account
# names him), the daughter's sales carry the phone and nothing else.
FAMILY_PHONE = "+84902222222"
ONE_NAMED_FAMILY = [
    {"source": "web", "source_record_id": "user:10", "account_id": "10",
     "name": "Pham Thi Tuyet", "email": "tuyet.pham70@gmail.com", "phone_e164": FAMILY_PHONE,
     "city": HCM},
    {"source": "pos", "source_record_id": "M1", "name": "Pham Thi Tuyet",
     "phone_e164": FAMILY_PHONE},
    {"source": "pos", "source_record_id": "M2", "phone_e164": FAMILY_PHONE,
     "account_id": "10"},
    # the son: named on his account (no phone there), nameless loyalty sale with the phone
    {"source": "web", "source_record_id": "user:11", "account_id": "11",
     "name": "Nguyen Van Hung", "email": "hung.nguyen99@gmail.com", "city": HCM},
    {"source": "pos", "source_record_id": "S1", "phone_e164": FAMILY_PHONE, "account_id": "11"},
    # the daughter: nameless sales, the phone is all they carry
    {"source": "pos", "source_record_id": "D1", "phone_e164": FAMILY_PHONE},
    {"source": "pos", "source_record_id": "D2", "phone_e164": FAMILY_PHONE},
]


def _with_background(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    background = synthetic.generate(300, seed=5).records
    frame = pd.concat([background, input_frame(rows)])  # noqa: F841
    con.execute("create schema intermediate")
    con.execute("create table intermediate.int_person_records_unioned as select * from frame")
    return con


@pytest.fixture
def one_named_family():
    con = _with_background(ONE_NAMED_FAMILY)
    yield con
    con.close()


def test_a_phone_is_a_household_phone_when_units_give_different_names(one_named_family):
    con = one_named_family
    resolve_identities(con)
    kind = con.execute(
        "select kind, people from identity.shared_identifiers "
        f"where identifier_type = 'phone' and identifier = '{FAMILY_PHONE}'").fetchall()
    assert kind == [("household", 2)]
    golden = _golden(con)
    assert golden["S1"] == golden["user:11"] != golden["user:10"]


def test_nameless_records_do_not_join_anyone_through_a_phone(one_named_family):
    con = one_named_family
    resolve_identities(con)
    golden = _golden(con)
    mother = golden["user:10"]
    assert golden["M1"] == golden["M2"] == mother  # a name, or her own loyalty card
    assert golden["D1"] != mother and golden["D2"] != mother
    assert golden["D1"] != golden["D2"]
    # the phone still belongs to what the daughter's golden records know
    phones = con.execute(
        "select phones from identity.golden_customers where golden_id = ?", [golden["D1"]]
    ).fetchall()[0][0]
    assert phones == [FAMILY_PHONE]


def test_the_nameless_phone_guard_can_be_switched_off():
    # without the son's named account nothing shows the phone is shared
    con = _with_background(
        [r for r in ONE_NAMED_FAMILY if r["source_record_id"] not in ("user:11", "S1")])
    resolve_identities(con, shared_rules=SharedIdentifierRules(guard_nameless_phones=False))
    golden = _golden(con)
    # without the guard the daughter's bare sales go to the only name on the phone
    assert golden["D1"] == golden["user:10"]
