"""Every corruption kind shows up at roughly its configured rate, and not at all at 0."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import pyarrow.parquet as pq
import pytest

from generator.config import CORRUPTION_DEFAULTS
from generator.corruption import normalise_email
from generator.vocab import EMAIL_DOMAIN_TYPOS, NAME_PLACEHOLDERS

from .helpers import canonical_phone, is_canonical, phone_digits

PHONE_COLUMNS = {"pos/transactions": "phone", "web/accounts": "phone", "email/contacts": "phone",
                 "social/profiles": "phone", "sales/contacts": "phone"}
EMAIL_COLUMNS = {"pos/transactions": "email", "web/accounts": "email", "email/contacts": "email",
                 "social/profiles": "email", "sales/contacts": "email"}
HONORIFIC = re.compile(r"^(chị|anh|em|cô|chú|bác|ông|bà|chi|co|chu|bac|ong|ba|mr\.?|ms\.?|mrs)"
                       r" ", re.IGNORECASE)


def values(run, columns: dict[str, str]) -> list[str]:
    out = []
    for prefix, col in columns.items():
        for t in run.entity_rows(prefix):
            if col in t.column_names:
                out.extend(v for v in t[col].to_pylist() if v is not None)
    return out


def close(share: float, rate: float, n: int) -> bool:
    """Within 5 standard errors (binomial) plus a little slack."""
    return abs(share - rate) <= 5 * math.sqrt(max(rate * (1 - rate), 1e-9) / max(n, 1)) + 0.01


def test_applied_shares_match_configured_rates(run):
    checked = 0
    for kind, c in run.manifest.corruptions.items():
        if kind == "resend_file" or kind.startswith("malformed_") or c["eligible"] < 200:
            continue
        assert close(c["share"], run.config.rates[kind], c["eligible"]), (kind, c)
        checked += 1
    assert checked >= 20


def test_every_kind_present_with_default_rates(run):
    counted = {k for k, c in run.manifest.corruptions.items() if c["applied"] > 0}
    malformed = {k for _, _, k in run.manifest.malformed}
    for kind in CORRUPTION_DEFAULTS:
        if kind.startswith("malformed_"):
            assert kind.removeprefix("malformed_") in malformed, kind
        else:
            assert kind in counted, kind


def test_phone_notations_in_files(run):
    phones = values(run, PHONE_COLUMNS)
    assert len(phones) > 1000
    odd = [p for p in phones if not is_canonical(p)]
    share = len(odd) / len(phones)
    rate = run.config.rates["phone_notation"]
    assert 0.6 * rate < share < 1.3 * rate + 0.03
    assert any(p.startswith("+84 ") for p in odd) and any(re.fullmatch(r"84\d{9}", p)
                                                          for p in odd)
    assert any("." in p for p in odd) and any(p.startswith("(+84)") for p in odd)
    legacy = [p for p in phones if len(phone_digits(p)) == 11
              and phone_digits(p)[:3] in {"012", "016", "018", "019"}]
    assert legacy, "pre-2018 11-digit mobiles"
    assert all(len(canonical_phone(p)) == 10 for p in legacy)


def test_email_dirt_in_files(run):
    emails = values(run, EMAIL_COLUMNS)
    n = len(emails)
    assert n > 1000
    typo = sum(e.strip().lower().rsplit("@", 1)[-1] in EMAIL_DOMAIN_TYPOS for e in emails)
    upper = sum(e.strip() != e.strip().lower() for e in emails)
    space = sum(e != e.strip() for e in emails)
    rates = run.config.rates
    assert 0 < typo / n < 2 * rates["email_typo"] + 0.01
    assert close(upper / n, rates["email_case"], n)
    assert close(space / n, rates["email_whitespace"], n)
    assert all("@" in normalise_email(e) and normalise_email(e) == normalise_email(e).strip()
               for e in emails)


def test_pos_names_honorifics_and_placeholders(run):
    t = pq.read_table(run.truth / "ground_truth.parquet").to_pydict()
    walk = {r for s, r, w in zip(t["source"], t["source_record_id"], t["is_walk_in"],
                                 strict=True) if s == "pos" and w}
    names, walk_names = [], []
    for table in run.entity_rows("pos/transactions"):
        if "customer_name" not in table.column_names:
            continue
        for tid, name in zip(table["transaction_id"].to_pylist(),
                             table["customer_name"].to_pylist(), strict=True):
            if name is not None:
                (walk_names if tid in walk else names).append(name)
    placeholders = set(NAME_PLACEHOLDERS)
    hon = sum(bool(HONORIFIC.match(x)) for x in names) / len(names)
    ph = sum(x in placeholders for x in names) / len(names)
    assert close(hon, run.config.rates["pos_name_honorific"], len(names))
    assert close(ph, run.config.rates["pos_name_placeholder"], len(names))
    assert any(x in placeholders for x in walk_names)
    assert any(re.search(r"[ăâđêôơưáàảãạ]", x) for x in names)       # with diacritics
    assert any(x.isascii() and " " in x for x in names)                # without
    assert any("," in x for x in names)                                # "Last, First"


def test_households_share_a_phone(run):
    p = pq.read_table(run.truth / "people.parquet").to_pydict()
    households = defaultdict(list)
    for i, h in enumerate(p["household_id"]):
        if h:
            households[h].append(i)
    assert households
    same_family = diff_family = 0
    for members in households.values():
        assert 2 <= len(members) <= 4
        assert len({p["phone"][i] for i in members}) == 1
        assert len({p["city"][i] for i in members}) == 1
        assert all(p["phone_shared"][i] for i in members)
        fams = [p["family_name"][i] for i in members]
        same_family += len(set(fams)) < len(fams)
        diff_family += len(set(fams)) > 1
    assert same_family and diff_family
    share = sum(len(m) for m in households.values()) / len(p["person_id"])
    assert share < 2 * run.config.rates["household_shared_phone"]


def test_counter_phone_typed_for_several_customers(run):
    truth = pq.read_table(run.truth / "ground_truth.parquet").to_pydict()
    person = {r: p for s, r, p in zip(truth["source"], truth["source_record_id"],
                                      truth["person_id"], strict=True) if s == "pos"}
    p = pq.read_table(run.truth / "people.parquet").to_pydict()
    personal = {ph for phones in p["phones"] if phones for ph in phones}
    counter = {ph for ph in p["counter_phone"] if ph}
    assert counter and not counter & personal
    buyers = defaultdict(set)
    for t in run.entity_rows("pos/transactions"):
        for tid, phone in zip(t["transaction_id"].to_pylist(), t["phone"].to_pylist(),
                              strict=True):
            if phone:
                buyers["+84" + canonical_phone(phone)[1:]].add(person[tid])
    shared = [ph for ph in counter if len(buyers[ph]) >= 5]
    assert shared, "a store counter phone is typed for many different people"
    members = [pid for ph in shared for pid in buyers[ph] if pid.startswith("P")]
    assert members, "known customers also appear with the counter phone"


def test_namesakes_phone_changes_second_emails(run):
    p = pq.read_table(run.truth / "people.parquet").to_pydict()
    names = Counter((n, c) for n, c, w in zip(p["full_name"], p["city"], p["is_walk_in"],
                                              strict=True) if not w)
    by_name = Counter()
    for (name, _city), k in names.items():
        by_name[name] += k
    assert any(k > 1 for k in by_name.values()), "namesakes"
    assert any(k > 1 for k in names.values()), "namesakes in the same city"
    assert sum(1 for x in p["old_phone"] if x) > 0
    assert sum(1 for x in p["email2"] if x) > 0
    assert sum(p["is_foreign"]) > 0


def test_duplicate_and_redelivered_rows(run):
    dup_rows = total = 0
    for f in run.files():
        if f.suffix == ".parquet":
            rows = pq.read_table(f).to_pylist()
            keys = Counter(tuple(sorted(r.items())) for r in rows)
            dup_rows += sum(k - 1 for k in keys.values())
            total += len(rows)
    assert dup_rows > 0
    assert sum(i["duplicate_rows"] for i in run.manifest.files.values()) > 0
    redelivered = sum(i["redelivered_rows"] for i in run.manifest.files.values())
    assert redelivered > 0
    # rows of the first drop dated its last day show up again in the second drop
    first, second = run.entity_rows("pos/transactions")[:2]
    day0 = run.config.start_date.isoformat()
    cols = [c for c in first.column_names if c in second.column_names]
    a = {tuple(r[c] for c in cols) for r in first.to_pylist() if r["transacted_at"][:10] == day0}
    b = {tuple(r[c] for c in cols) for r in second.to_pylist()}
    assert a & b


def test_resend_file_is_byte_identical(run):
    resent = [f for f in run.files() if f.stem.endswith("_resend")]
    assert len(resent) == int(run.config.rates["resend_file"])
    for f in resent:
        original = f.with_name(f.name.replace("_resend", ""))
        assert f.read_bytes() == original.read_bytes()
        assert run.manifest.files[run.rel(f)]["resend_of"] == run.rel(original)


@pytest.mark.parametrize("prefix", sorted(PHONE_COLUMNS))
def test_clean_run_has_no_dirty_values(clean_run, prefix):
    for t in clean_run.entity_rows(prefix):
        if "phone" in t.column_names:
            assert all(is_canonical(v) for v in t["phone"].to_pylist() if v)
            assert not any(v.startswith("01") and len(v) == 11
                           for v in t["phone"].to_pylist() if v)
        if "email" in t.column_names:
            assert all(v == normalise_email(v) for v in t["email"].to_pylist() if v)


def test_clean_run_has_no_file_level_dirt(clean_run):
    m = clean_run.manifest
    assert not m.malformed
    assert not [f for f in clean_run.files() if "_resend" in f.name]
    assert all(i["duplicate_rows"] == 0 and i["redelivered_rows"] == 0
               and not i["omitted_columns"] for i in m.files.values())
    for kind, c in m.corruptions.items():
        assert c["applied"] == 0, kind
    p = pq.read_table(clean_run.truth / "people.parquet").to_pydict()
    assert not any(p["household_id"]) and not any(p["old_phone"]) and not any(p["email2"])
    assert not any(p["uses_counter_phone"])
    for t in clean_run.entity_rows("pos/transactions"):
        assert all("+07:00" not in v for v in t["transacted_at"].to_pylist())
        names = [v for v in t["customer_name"].to_pylist() if v] if (
            "customer_name" in t.column_names) else []
        # "Chu" is also a family name: only "<honorific> <given name>" counts here
        assert not any(HONORIFIC.match(v) and len(v.split()) == 2 for v in names)
