"""The ground truth covers exactly the source records in the files, and links them right."""

from __future__ import annotations

from collections import defaultdict

import pyarrow.parquet as pq

from generator.corruption import normalise_email

from .helpers import canonical_phone


def truth_map(run) -> dict[tuple[str, str], str]:
    t = pq.read_table(run.truth / "ground_truth.parquet").to_pydict()
    return {(s, r): p for s, r, p in zip(t["source"], t["source_record_id"], t["person_id"],
                                         strict=True)}


def ids_in_files(run) -> set[tuple[str, str]]:
    ids: set[tuple[str, str]] = set()

    def add(source, values, fmt=lambda v: v):
        ids.update((source, fmt(v)) for v in values if v is not None)

    for t in run.entity_rows("pos/transactions"):
        add("pos", t["transaction_id"].to_pylist())
    for t in run.entity_rows("web/accounts"):
        add("web", t["user_id"].to_pylist(), lambda v: f"user:{v}")
    for t in run.entity_rows("web/events"):
        add("web", t["user_pseudo_id"].to_pylist(), lambda v: f"cookie:{v}")
        if "user_id" in t.column_names:
            add("web", t["user_id"].to_pylist(), lambda v: f"user:{v}")
    for prefix in ("email/contacts", "email/events"):
        for t in run.entity_rows(prefix):
            add("email", t["email"].to_pylist(), normalise_email)
    for prefix in ("social/profiles", "social/interactions"):
        for t in run.entity_rows(prefix):
            ids.update(("social", f"{p}:{i}") for p, i in
                       zip(t["platform"].to_pylist(), t["profile_id"].to_pylist(), strict=True))
    for prefix in ("sales/contacts", "sales/opportunities", "sales/cases"):
        for t in run.entity_rows(prefix):
            add("sales", t["contact_id"].to_pylist())
    return ids


def test_truth_covers_exactly_the_records_in_the_files(run):
    truth = truth_map(run)
    in_files = ids_in_files(run)
    assert in_files - set(truth) == set()
    assert set(truth) - in_files == set()
    assert {s for s, _ in truth} == {"pos", "web", "email", "social", "sales"}
    assert any(r.startswith("cookie:") for s, r in truth if s == "web")


def test_truth_people_exist(run):
    t = pq.read_table(run.truth / "ground_truth.parquet").to_pydict()
    people = pq.read_table(run.truth / "people.parquet").to_pydict()
    ids = set(people["person_id"])
    assert set(t["person_id"]) <= ids
    walk = {p for p, w in zip(people["person_id"], people["is_walk_in"], strict=True) if w}
    for pid, is_walk in zip(t["person_id"], t["is_walk_in"], strict=True):
        assert is_walk == (pid in walk)


def test_dirty_emails_normalise_to_the_persons_address(run):
    truth = truth_map(run)
    people = pq.read_table(run.truth / "people.parquet").to_pydict()
    emails = dict(zip(people["person_id"], people["emails"], strict=True))
    n = 0
    for t in run.entity_rows("web/accounts"):
        for uid, email in zip(t["user_id"].to_pylist(), t["email"].to_pylist(), strict=True):
            assert normalise_email(email) in emails[truth[("web", f"user:{uid}")]]
            n += 1
    assert n > 100


def test_unified_loyalty_id_is_the_web_user_id(run):
    truth = truth_map(run)
    linked = 0
    for t in run.entity_rows("pos/transactions"):
        for tid, loyalty in zip(t["transaction_id"].to_pylist(), t["loyalty_id"].to_pylist(),
                                strict=True):
            if loyalty and loyalty.startswith("M"):
                assert truth[("pos", tid)] == truth[("web", f"user:{loyalty}")]
                linked += 1
    assert linked > 50


def test_login_events_stitch_cookie_and_user(run):
    truth = truth_map(run)
    both = 0
    for t in run.entity_rows("web/events"):
        if "user_id" not in t.column_names:
            continue
        for cookie, uid in zip(t["user_pseudo_id"].to_pylist(), t["user_id"].to_pylist(),
                               strict=True):
            if uid:
                assert truth[("web", f"cookie:{cookie}")] == truth[("web", f"user:{uid}")]
                both += 1
    assert both > 50


def test_phones_in_files_belong_to_the_person_household_or_a_store(run):
    """A POS phone is the buyer's (current/old, maybe shared) or a store counter phone."""
    truth = truth_map(run)
    people = pq.read_table(run.truth / "people.parquet").to_pydict()
    phones = {p: set(ph or []) for p, ph in zip(people["person_id"], people["phones"],
                                                strict=True)}
    t_truth = pq.read_table(run.truth / "ground_truth.parquet").to_pydict()
    via_counter = {r for r, v in zip(t_truth["source_record_id"], t_truth["via_counter_phone"],
                                     strict=True) if v}
    bad = 0
    total = 0
    for t in run.entity_rows("pos/transactions"):
        for tid, phone in zip(t["transaction_id"].to_pylist(), t["phone"].to_pylist(),
                              strict=True):
            if phone is None or tid in via_counter:
                continue
            total += 1
            bad += ("+84" + canonical_phone(phone)[1:]) not in phones[truth[("pos", tid)]]
    # only the rows with a dropped/doubled digit may not match
    assert total > 500
    assert bad / total < 3 * run.config.rates["phone_digit_error"] + 0.005


def test_people_file(run):
    people = pq.read_table(run.truth / "people.parquet")
    cols = set(people.column_names)
    assert {"person_id", "full_name", "birth_date", "gender", "city", "phones", "emails",
            "household_id", "phone_shared", "uses_counter_phone", "is_walk_in"} <= cols
    d = people.to_pydict()
    years = [b.year for b, w in zip(d["birth_date"], d["is_walk_in"], strict=True) if not w]
    assert min(years) >= 1946 and max(years) <= 2010
    assert max(years) - min(years) > 45
    by_source = defaultdict(int)
    for srcs in d["sources"]:
        for s in srcs or []:
            by_source[s] += 1
    assert by_source["pos"] > by_source["web"] > by_source["sales"]


def test_two_spellings_of_one_address_share_one_email_id(run):
    spellings = defaultdict(set)
    for prefix in ("email/contacts", "email/events"):
        for t in run.entity_rows(prefix):
            for e in t["email"].to_pylist():
                spellings[normalise_email(e)].add(e)
    assert any(len(s) > 1 for s in spellings.values())


def test_phone_numbers_are_personal_unless_shared_by_a_household(run):
    p = pq.read_table(run.truth / "people.parquet").to_pydict()
    owner: dict[str, set] = defaultdict(set)
    for pid, phones, hh, walk in zip(p["person_id"], p["phones"], p["household_id"],
                                     p["is_walk_in"], strict=True):
        if not walk:
            for ph in phones:
                owner[ph].add(hh or pid)
    assert all(len(o) == 1 for o in owner.values())
