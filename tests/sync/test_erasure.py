import pytest

from crm_sync.erasure import erase, identifier_variants
from crm_sync.outbox import build_outbox
from tests.sync.helpers import PEOPLE


def test_identifier_variants_normalise_like_identity():
    assert ("phone", "+84901000001") in identifier_variants(phone="0901 000 001")
    assert ("email", "alice@example.com") in identifier_variants(email=" Alice@Example.com ")
    with pytest.raises(ValueError):
        identifier_variants()


def test_erase_by_phone_removes_rows_emits_delete_and_stays_forgotten(warehouse):
    warehouse.publish(PEOPLE)
    with warehouse.connect() as con:
        build_outbox(con)
        result = erase(con, phone="0901 000 002")
        assert result.golden_ids == ["gc_bob"]
        assert result.deleted_rows == {
            "identity.golden_customers": 1,
            "marts.customer_360": 1,
        }
        hashes = con.execute(
            "select count(*) from sync.erasure_tombstones "
            "where identifier_hash like '%bob%' or identifier_hash like '%+84%'"
        ).fetchall()[0][0]
        assert hashes == 0  # only hashes are stored
        synced = build_outbox(con)
        assert synced.events == {"delete": 1}
        payloads = con.execute(
            "select distinct payload::varchar from sync.crm_outbox where golden_id = 'gc_bob'"
        ).fetchall()
        assert payloads == [("{}",)]
    # identity rebuilt from sources that still hold Bob, even under a new id
    people = dict(PEOPLE)
    people["gc_bob_again"] = people.pop("gc_bob")
    warehouse.publish(people)
    with warehouse.connect() as con:
        assert build_outbox(con).total == 0


def test_erase_unknown_person_changes_nothing(warehouse):
    warehouse.publish(PEOPLE)
    with warehouse.connect() as con:
        build_outbox(con)
        result = erase(con, email="nobody@example.com")
        assert result.golden_ids == [] and result.deleted_rows == {}
        assert build_outbox(con).total == 0
